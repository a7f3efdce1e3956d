// Package emis is ehrQL's ehrql.tables.raw.emis written in Go: it re-exports
// ons_deaths of package tables/raw/core, every registered death. Import it
// under a name of its own:
//
//	rawemis "github.com/ehrql-go/ehrql/tables/raw/emis"
//
// The table is generated from the catalogue of package tables
// (a <table>_gen.go file per table).
package emis
