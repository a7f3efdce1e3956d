package measures

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/ehrql-go/ehrql/query"
)

// location returns file:line of the innermost caller outside this module's
// language packages (measures, query, the typed tables and codelists): the
// definition's own line.
func location() string {
	pcs := make([]uintptr, 32)
	n := runtime.Callers(2, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if !internalFrame(f.Function) {
			return filepath.Base(f.File) + fmt.Sprintf(":%d", f.Line)
		}
		if !more {
			return ""
		}
	}
}

func internalFrame(fn string) bool {
	const mod = "github.com/ehrql-go/ehrql/"
	if !strings.HasPrefix(fn, mod) {
		return false
	}
	rest := strings.TrimPrefix(fn, mod)
	for _, p := range []string{"measures.", "measures/", "query.", "query/", "tables/", "codelists."} {
		if strings.HasPrefix(rest, p) {
			return true
		}
	}
	return false
}

// fail locates err at the definition's line, unless it already has a
// location (errors from series carry the line that built them).
func fail(err error) error {
	var de *query.DefinitionError
	if errors.As(err, &de) {
		return err
	}
	return &query.DefinitionError{Location: location(), Err: err}
}

// failf is fail(fmt.Errorf(...)).
func failf(format string, a ...any) error {
	return &query.DefinitionError{Location: location(), Err: fmt.Errorf(format, a...)}
}
