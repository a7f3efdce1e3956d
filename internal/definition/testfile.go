package definition

import (
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"

	"github.com/ehrql-go/ehrql/query"
)

// DefinitionDirective, in the comments above a test file's package clause,
// names the definition the file's test patients are for (a file in the
// same folder): "//ehrql:definition dataset_definition.go". The two files
// are built together, as one program, the way ehrQL's test file imports the
// dataset from its definition.
const DefinitionDirective = "//ehrql:definition "

// goTarget is what go build is given for the definition file path: the
// file, and the definition it names with DefinitionDirective, if any.
func goTarget(path string) ([]string, error) {
	self := "./" + filepath.Base(path)
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.PackageClauseOnly|parser.ParseComments)
	if err != nil {
		// The build reports the mistake with its line.
		return []string{self}, nil
	}
	fail := func(format string, a ...any) error {
		return &Error{Path: path, Code: query.ExitDefinitionError, Msg: fmt.Sprintf(format, a...)}
	}
	var named []string
	for _, g := range f.Comments {
		if g.Pos() > f.Package {
			break
		}
		for _, c := range g.List {
			if rest, ok := strings.CutPrefix(c.Text, DefinitionDirective); ok {
				named = append(named, strings.TrimSpace(rest))
			}
		}
	}
	switch {
	case len(named) == 0:
		return []string{self}, nil
	case len(named) > 1:
		return nil, fail("%s names %d definitions; a test file is for one", strings.TrimSpace(DefinitionDirective), len(named))
	}
	def := named[0]
	if def == "" || strings.ContainsAny(def, `/\`) || !strings.HasSuffix(def, ".go") || def == filepath.Base(path) {
		return nil, fail("%s%s: expected the name of another .go file in the same folder", DefinitionDirective, def)
	}
	if info, err := os.Stat(filepath.Join(filepath.Dir(path), def)); err != nil || info.IsDir() {
		return nil, fail("%s%s: there is no such file beside %s", DefinitionDirective, def, filepath.Base(path))
	}
	return []string{"./" + def, self}, nil
}
