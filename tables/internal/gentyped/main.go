// Command gentyped writes the typed table wrappers of package core or tpp
// (tables_gen.go) and the list of its tables for the tests
// (tables_gen_test.go) into the current directory, from the catalogue of
// package tables. Run it with go generate in tables/core or tables/tpp:
//
//	//go:generate go run ../internal/gentyped -module core
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/ehrql-go/ehrql/tables/internal/gentyped/gen"
)

func main() {
	module := flag.String("module", "", "the package to generate: core or tpp")
	flag.Parse()
	if err := run(*module); err != nil {
		fmt.Fprintln(os.Stderr, "gentyped:", err)
		os.Exit(1)
	}
}

func run(pkg string) error {
	m, ok := gen.ModuleByPackage(pkg)
	if !ok {
		return fmt.Errorf("unknown -module %q: want core or tpp", pkg)
	}
	files, err := gen.Render(m)
	if err != nil {
		return err
	}
	if err := os.WriteFile(gen.SourceFile, files.Source, 0o644); err != nil {
		return err
	}
	return os.WriteFile(gen.TestFile, files.Test, 0o644)
}
