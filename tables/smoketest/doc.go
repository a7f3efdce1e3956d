// Package smoketest is ehrQL's ehrql.tables.smoketest written in Go: one
// table, patients, with one column, date_of_birth, for a minimal definition
// that tests a backend end to end. The table is generated from the
// catalogue of package tables (a <table>_gen.go file per table).
package smoketest
