// Package callsite finds the line of a definition that called into the
// ehrQL language, so that a mistake in a definition is reported at the
// definition's own file:line rather than inside the language packages.
package callsite

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
)

// modulePrefix is the start of the qualified function names of this module.
const modulePrefix = "github.com/ehrql-go/ehrql/"

// languagePrefixes are the module-relative starts of the function names of
// the language packages (and of this package): frames in them are the
// language's own, never a definition's.
var languagePrefixes = []string{
	"measures.", "measures/",
	"query.", "query/",
	"tables.", "tables/",
	"codelists.",
	"internal/callsite.",
}

// Location returns "file:line" (the file's base name) of the innermost
// caller outside the language packages (query, measures, codelists, the
// typed tables and this package): the line of the definition that made the
// call. It returns "" if every frame is the language's own.
func Location() string {
	pcs := make([]uintptr, 64)
	n := runtime.Callers(1, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if !Language(f.Function) {
			return fmt.Sprintf("%s:%d", filepath.Base(f.File), f.Line)
		}
		if !more {
			return ""
		}
	}
}

// Language reports whether fn, a fully qualified function name as
// runtime.Frame.Function gives it, belongs to a language package.
func Language(fn string) bool {
	rest, ok := strings.CutPrefix(fn, modulePrefix)
	if !ok {
		return false
	}
	for _, p := range languagePrefixes {
		if strings.HasPrefix(rest, p) {
			return true
		}
	}
	return false
}
