package definition

import (
	"bufio"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	ehrql "github.com/ehrql-go/ehrql"
)

// DefaultModule is the module path of a study without a go.mod of its own:
// its shared packages are imported as "study/analysis/codelists".
const DefaultModule = "study"

// study is the Go module a definition belongs to: the researcher's study
// repository.
type study struct {
	// Root is the module's root directory (absolute): the nearest folder
	// above the definition holding a go.mod or, failing that, a
	// project.yaml; failing both, the definition's own folder.
	Root string
	// Module is the module path: from go.mod, or DefaultModule.
	Module string
	// GoMod is the study's own go.mod (nil when it has none).
	GoMod []byte
}

// self reports whether the study is this module's own source tree, whose
// definitions (examples and test data) build against its own packages.
func (s *study) self() bool { return s.Module == ehrql.ModulePath }

// findStudy locates the study holding the definition folder dir.
func findStudy(dir string) (*study, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	for d := dir; ; {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil {
			return &study{Root: d, Module: modulePath(data), GoMod: data}, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if _, err := os.Stat(filepath.Join(d, "project.yaml")); err == nil {
			return &study{Root: d, Module: DefaultModule}, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return &study{Root: dir, Module: DefaultModule}, nil
		}
		d = parent
	}
}

// modulePath reads the module directive of a go.mod (DefaultModule if it
// has none).
func modulePath(gomod []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module"); ok && rest != "" && (rest[0] == ' ' || rest[0] == '\t') {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return DefaultModule
}

// requiredLanguage returns the version of this module a go.mod requires,
// if any.
func requiredLanguage(gomod []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(sc.Text()), "require"))
		if len(f) >= 2 && f[0] == ehrql.ModulePath {
			return f[1]
		}
	}
	return ""
}

// goMod is the go.mod a study is built with: its module path, the
// language's Go version, and this module replaced by the language source
// at langDir. A study's own go.mod is never used as it is: its other
// requirements could not be imported anyway.
func (s *study) goMod(langDir string) []byte {
	return []byte("module " + s.Module + "\n\ngo " + ehrql.GoVersion() + "\n\n" +
		"require " + ehrql.ModulePath + " v0.0.0\n\n" +
		"replace " + ehrql.ModulePath + " => " + strconv.Quote(langDir) + "\n")
}
