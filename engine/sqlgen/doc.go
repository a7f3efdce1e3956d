// Package sqlgen compiles ehrQL query models to DuckDB SQL: a dataset
// definition to one query for its patient-level rows and one per event
// table (CompileDataset), measures to one query over every interval
// (CompileMeasures). It decides which frames share a scan of a table and
// records each choice in the query's Plan, and it defines the SQL macros
// (Macros) that give ehrQL's exact semantics to date arithmetic, division
// and the rest.
//
// It does not import DuckDB: it builds and tests without cgo. Package
// engine runs its queries.
package sqlgen
