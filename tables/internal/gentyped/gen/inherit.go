package gen

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/ehrql-go/ehrql/query/model"
)

// inherit writes into b the helper methods that table t has because it
// extends base, as an ehrQL subclass has its base class's methods: every
// method that base's package declares, outside generated files, on one of
// base's types (its frame, sorted frame, columns or row). Each is copied
// as written there, doc comment included; it compiles in t's package
// because t's types have the same names as base's and at least base's
// columns. The import paths the copies use are added to imports.
func inherit(b *bytes.Buffer, imports map[string]bool, t, base *model.Table, tablesDir string) error {
	from, ok := moduleByName(base.Module)
	if !ok {
		return fmt.Errorf("no package for module %s, which it extends", base.Module)
	}
	n := TableName(t.Ref().Name)
	if bn := TableName(base.Ref().Name); bn != n {
		return fmt.Errorf("it extends %s.%s, whose Go name %s is not its own, %s", base.Module, base.Ref().Name, bn, n)
	}
	receivers := map[string]bool{n + "Frame": true, n + "SortedFrame": true, n + "Columns": true, n + "Row": true}
	methods, err := methodsOf(filepath.Join(tablesDir, filepath.FromSlash(from.Path)), receivers)
	if err != nil {
		return err
	}
	for _, m := range methods {
		note := comment(fmt.Sprintf("This helper is %s's: %s.%s extends %s.%s.",
			from.Package(), t.Module, t.Ref().Name, base.Module, base.Ref().Name))
		fmt.Fprintf(b, "\n%s//\n%s%s\n", m.doc, note, m.decl)
		for _, p := range m.imports {
			imports[p] = true
		}
	}
	return nil
}

// method is a method declaration copied from a package's source.
type method struct {
	doc     string   // its doc comment, each line ending in a newline
	decl    string   // the declaration from func to the closing brace
	imports []string // the import paths it uses
}

// methodsOf returns the methods on the named receiver types declared in
// the package in dir, by file name and then in order, leaving out test
// files and generated files. A directory with no Go files is an error.
func methodsOf(dir string, receivers map[string]bool) ([]method, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no Go files in %s", dir)
	}
	slices.Sort(names)
	var out []method
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") || strings.HasSuffix(name, sourceSuffix) {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		if ast.IsGenerated(f) {
			continue
		}
		paths, err := importNames(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || !receivers[receiverName(fd.Recv.List[0].Type)] {
				continue
			}
			m := method{decl: string(src[fset.Position(fd.Pos()).Offset:fset.Position(fd.End()).Offset])}
			if fd.Doc != nil {
				for _, c := range fd.Doc.List {
					m.doc += c.Text + "\n"
				}
			}
			used := map[string]bool{}
			ast.Inspect(fd, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok {
					if id, ok := sel.X.(*ast.Ident); ok && paths[id.Name] != "" {
						used[paths[id.Name]] = true
					}
				}
				return true
			})
			for p := range used {
				m.imports = append(m.imports, p)
			}
			slices.Sort(m.imports)
			out = append(out, m)
		}
	}
	return out, nil
}

// importNames maps the names a file imports packages under to their
// paths. A package is named by the last element of its path, as are all
// the packages the table packages import, unless the import names it.
func importNames(f *ast.File) (map[string]string, error) {
	paths := map[string]string{}
	for _, spec := range f.Imports {
		p, err := strconv.Unquote(spec.Path.Value)
		if err != nil {
			return nil, err
		}
		name := p[strings.LastIndex(p, "/")+1:]
		if spec.Name != nil {
			name = spec.Name.Name
		}
		paths[name] = p
	}
	return paths, nil
}

// receiverName is the name of a method's receiver type: T for T or *T.
func receiverName(e ast.Expr) string {
	if star, ok := e.(*ast.StarExpr); ok {
		e = star.X
	}
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}
