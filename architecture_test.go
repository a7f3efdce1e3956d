package ehrql

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var (
	// backticked is a span of code in Markdown.
	backticked = regexp.MustCompile("`([^`\n]+)`")
	// packagePath is a module-relative package directory: query,
	// engine/output, tables/raw/tpp.
	packagePath = regexp.MustCompile(`^[a-z][a-z0-9_]*(/[a-z][a-z0-9_]*)*$`)
	// filePath is a module-relative file with a folder: docs/parity.md,
	// query/protocol.go.
	filePath = regexp.MustCompile(`^[a-z][a-z0-9_]*(/[a-z0-9_.-]+)+\.(go|md)$`)
)

// docPaths returns the package paths and file paths that a Markdown text
// names in backticks, in order of first mention.
func docPaths(text string) (packages, files []string) {
	for _, m := range backticked.FindAllStringSubmatch(text, -1) {
		switch span := m[1]; {
		case packagePath.MatchString(span) && !slices.Contains(packages, span):
			packages = append(packages, span)
		case filePath.MatchString(span) && !slices.Contains(files, span):
			files = append(files, span)
		}
	}
	return packages, files
}

// isPackage reports whether dir holds a Go package (a non-test .go file).
func isPackage(dir string) bool {
	entries, err := os.ReadDir(filepath.FromSlash(dir))
	if err != nil {
		return false
	}
	for _, e := range entries {
		if n := e.Name(); !e.IsDir() && strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") {
			return true
		}
	}
	return false
}

func exists(path string) bool {
	_, err := os.Stat(filepath.FromSlash(path))
	return err == nil
}

// Every package and file docs/architecture.md names exists, and it names
// the package that owns each step of a definition's path.
func TestArchitectureDoc(t *testing.T) {
	data, err := os.ReadFile("docs/architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	packages, files := docPaths(string(data))
	for _, p := range packages {
		if isPackage(p) {
			continue
		}
		t.Errorf("docs/architecture.md names package %s, which does not exist", p)
	}
	for _, f := range files {
		if !exists(f) {
			t.Errorf("docs/architecture.md names file %s, which does not exist", f)
		}
	}
	for _, owner := range []string{
		"query", "internal/definition", "internal/sandbox", "query/model", "engine/sqlgen",
		"engine", "engine/duck", "engine/output", "measures", "measures/report", "measures/sdc",
	} {
		if !slices.Contains(packages, owner) {
			t.Errorf("docs/architecture.md does not name %s", owner)
		}
	}
}

func TestDocPaths(t *testing.T) {
	packages, files := docPaths("Run `query` then `engine/output` (`engine/output` again),\n" +
		"see `docs/parity.md` and `query/protocol.go`; not `ehrql --help`, `file:line`, `model.Decode`, `serialize-definition` or `Query`.")
	if want := []string{"query", "engine/output"}; !slices.Equal(packages, want) {
		t.Errorf("packages = %q, want %q", packages, want)
	}
	if want := []string{"docs/parity.md", "query/protocol.go"}; !slices.Equal(files, want) {
		t.Errorf("files = %q, want %q", files, want)
	}
	if isPackage("docs") || !isPackage("engine/output") || isPackage("no/such/dir") {
		t.Error("isPackage: docs holds no Go package, engine/output does, no/such/dir does not exist")
	}
}
