// Command gentyped writes the typed table wrappers of one ehrQL table module,
// a file per table (clinical_events_gen.go), and the list of its tables for
// the tests (tables_gen_test.go) into the current directory, from the
// catalogue of package tables; it removes the files of tables the module no
// longer has. Run it with go generate in the package's directory under
// tables (core, tpp, emis, emisv2, smoketest, raw/core, raw/tpp, raw/emis):
//
//	//go:generate go run ../internal/gentyped -module core
//	//go:generate go run ../../internal/gentyped -module raw/tpp
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/ehrql-go/ehrql/tables/internal/gentyped/gen"
)

func main() {
	module := flag.String("module", "", "the package to generate: its directory under tables, e.g. core or raw/tpp")
	flag.Parse()
	if err := run(*module); err != nil {
		fmt.Fprintln(os.Stderr, "gentyped:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	m, ok := gen.ModuleByPath(dir)
	if !ok {
		var dirs []string
		for _, m := range gen.Modules {
			dirs = append(dirs, m.Path)
		}
		return fmt.Errorf("unknown -module %q: want one of %s", dir, strings.Join(dirs, ", "))
	}
	// The current directory is tables/<dir>.
	tablesDir := strings.Repeat("../", strings.Count(dir, "/")+1)
	return gen.Write(m, ".", tablesDir)
}
