package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/tables"
)

// parityDoc is the page of ehrQL's commands, flags, language and tables
// with their status here.
const parityDoc = "../../docs/parity.md"

// parityRow is one table row of the page: its cells, backticks kept.
type parityRow []string

// paritySections reads the page's tables by section heading ("Commands",
// …), each a list of rows (header and separator rows left out).
func paritySections(t *testing.T) map[string][][]parityRow {
	t.Helper()
	data, err := os.ReadFile(parityDoc)
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string][][]parityRow{}
	section := ""
	inTable := false
	for _, line := range strings.Split(string(data), "\n") {
		if h, ok := strings.CutPrefix(line, "## "); ok {
			section, inTable = h, false
			continue
		}
		if !strings.HasPrefix(line, "|") {
			inTable = false
			continue
		}
		if !inTable { // the header row starts a table
			inTable = true
			sections[section] = append(sections[section], nil)
			continue
		}
		if strings.HasPrefix(line, "|---") {
			continue
		}
		line = strings.ReplaceAll(strings.Trim(line, "|"), `\|`, "\x00")
		var row parityRow
		for _, c := range strings.Split(line, "|") {
			row = append(row, strings.ReplaceAll(strings.TrimSpace(c), "\x00", "|"))
		}
		tbls := sections[section]
		tbls[len(tbls)-1] = append(tbls[len(tbls)-1], row)
	}
	return sections
}

var backticked = regexp.MustCompile("`([^`]+)`")

// names are the backticked names of a cell.
func names(cell string) []string {
	var out []string
	for _, m := range backticked.FindAllStringSubmatch(cell, -1) {
		out = append(out, m[1])
	}
	return out
}

var statuses = []string{"works", "differs", "missing", "not planned"}

// checkStatus checks a row's status and that a difference or a plan not to
// have it is explained.
func checkStatus(t *testing.T, row parityRow, status, notes string) {
	t.Helper()
	if !slices.Contains(statuses, status) {
		t.Errorf("%s: status %q, want one of %q", row[0], status, statuses)
	}
	if (status == "differs" || status == "not planned") && notes == "" {
		t.Errorf("%s: %s with no note saying how or why", row[0], status)
	}
}

// TestParityDocument keeps docs/parity.md true: see its introduction.
func TestParityDocument(t *testing.T) {
	sections := paritySections(t)
	for _, s := range []string{"Commands", "Flags", "Language", "Table modules"} {
		if len(sections[s]) == 0 {
			t.Fatalf("docs/parity.md has no %s table", s)
		}
	}

	// Commands: every command here is listed; what works exists, what
	// does not is absent.
	listed := map[string]bool{}
	cmds := sections["Commands"]
	for _, row := range cmds[0] {
		if len(row) != 4 {
			t.Errorf("command row %q: want 4 cells", row)
			continue
		}
		ehrqlName, status, here := strings.Trim(row[0], "`"), row[1], strings.Trim(row[2], "`")
		checkStatus(t, row, status, row[3])
		working := status == "works" || status == "differs"
		switch {
		case ehrqlName == "--version":
			if _, _, code := ehrql(t, "--version"); (code == 0) != working {
				t.Errorf("--version: exit %d, but the page says %s", code, status)
			}
		case working:
			if commands[here] == nil {
				t.Errorf("%s: the page says it %s as %s, which is no command", ehrqlName, status, here)
			}
			listed[here] = true
		default:
			if here != "—" || commands[ehrqlName] != nil {
				t.Errorf("%s: the page says %s, but there is a command %s: update docs/parity.md", ehrqlName, status, ehrqlName)
			}
		}
	}
	if len(cmds) > 1 {
		for _, row := range cmds[1] {
			listed[strings.Trim(row[0], "`")] = true
		}
	}
	for name := range commands {
		if !listed[name] {
			t.Errorf("command %s is not in docs/parity.md", name)
		}
	}

	// Flags: a flag that works is known to its command, others are not.
	for _, row := range sections["Flags"][0] {
		if len(row) != 3 {
			t.Errorf("flag row %q: want 3 cells", row)
			continue
		}
		checkStatus(t, row, row[1], row[2])
		cmd, flag, ok := strings.Cut(strings.Trim(row[0], "`"), " ")
		if !ok || commands[cmd] == nil || !strings.HasPrefix(flag, "--") {
			t.Errorf("flag row %s: want `<command here> --<flag>`", row[0])
			continue
		}
		_, stderr, _ := ehrql(t, cmd, flag)
		unknown := strings.Contains(stderr, "unknown flag: "+flag)
		if working := row[1] == "works" || row[1] == "differs"; working == unknown {
			t.Errorf("%s %s: the page says %s; the command says:\n%s", cmd, flag, row[1], stderr)
		}
	}

	// Language: every Go name given exists.
	goNames := exportedNames(t, "query", "measures", "codelists")
	for _, row := range sections["Language"][0] {
		if len(row) != 4 {
			t.Errorf("language row %q: want 4 cells", row)
			continue
		}
		checkStatus(t, row, row[1], row[3])
		refs := names(row[2])
		working := row[1] == "works" || row[1] == "differs"
		if working != (len(refs) > 0) {
			t.Errorf("%s: %s, with Go names %q", row[0], row[1], refs)
		}
		for _, ref := range refs {
			if !goNames[ref] {
				t.Errorf("%s: no Go name %s", row[0], ref)
			}
		}
	}

	// Table modules: exactly the catalogue's, each with its package.
	var modules []string
	for _, row := range sections["Table modules"][0] {
		if len(row) != 4 {
			t.Errorf("module row %q: want 4 cells", row)
			continue
		}
		checkStatus(t, row, row[1], row[3])
		module := strings.Trim(row[0], "`")
		modules = append(modules, module)
		if row[1] != "works" {
			t.Errorf("%s: %s, but the catalogue has it", module, row[1])
		}
		if tables.Default().Tables(module) == nil {
			t.Errorf("%s is not in the catalogue", module)
		}
		pkg := strings.Trim(row[2], "`")
		if st, err := os.Stat(filepath.Join("..", "..", filepath.FromSlash(pkg))); err != nil || !st.IsDir() || !strings.HasPrefix(pkg, "tables/") {
			t.Errorf("%s: no package %s", module, pkg)
		}
	}
	slices.Sort(modules)
	if want := tables.Default().Modules(); !slices.Equal(modules, want) {
		t.Errorf("docs/parity.md lists the modules %q, the catalogue has %q", modules, want)
	}
}

// exportedNames collects the exported names of the module's packages in
// dirs, as pkg.Name for package-level names and pkg.Type.Method for
// methods.
func exportedNames(t *testing.T, dirs ...string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, dir := range dirs {
		fset := token.NewFileSet()
		paths, err := filepath.Glob(filepath.Join("..", "..", dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range paths {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			pkg := f.Name.Name
			for _, decl := range f.Decls {
				switch d := decl.(type) {
				case *ast.FuncDecl:
					if d.Recv == nil {
						out[pkg+"."+d.Name.Name] = true
						continue
					}
					typ := d.Recv.List[0].Type
					if star, ok := typ.(*ast.StarExpr); ok {
						typ = star.X
					}
					switch x := typ.(type) {
					case *ast.IndexListExpr:
						typ = x.X
					case *ast.IndexExpr:
						typ = x.X
					}
					if id, ok := typ.(*ast.Ident); ok {
						out[pkg+"."+id.Name+"."+d.Name.Name] = true
					}
				case *ast.GenDecl:
					for _, spec := range d.Specs {
						switch s := spec.(type) {
						case *ast.TypeSpec:
							out[pkg+"."+s.Name.Name] = true
						case *ast.ValueSpec:
							for _, n := range s.Names {
								out[pkg+"."+n.Name] = true
							}
						}
					}
				}
			}
		}
	}
	return out
}
