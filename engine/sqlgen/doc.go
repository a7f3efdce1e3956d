// Package sqlgen compiles ehrQL query models to DuckDB SQL: a dataset
// definition to one query for its patient-level rows and one per event
// table (CompileDataset), measures to one query over every interval
// (CompileMeasures). It decides which frames share a scan of a table and
// records each choice in the query's Plan, and it defines the SQL macros
// (Macros) that give ehrQL's exact semantics to date arithmetic, division
// and the rest, and the DuckDB settings the queries are written for
// (Settings; a session runs both first, Setup).
//
// Each query may be compiled for a range of patient ids (PatientRange,
// CompileDatasetFor, CompileMeasuresFor): every table it reads is then
// restricted to that range, so a large store can be run a batch of
// patients at a time.
//
// A pick (first or last for patient) is an aggregate over its rows. When
// every part of its sort key (the sort keys, then the selected columns that
// break ties) has a bounded, order-preserving integer code (dates, ints,
// floats and bools over their whole range; strings the frame tests against
// a literal set, by their rank in it), the key is one integer, the pick is
// its max or min, and the selected columns are decoded from it after
// aggregating (pickkey.go). Otherwise (a string not tested against a set,
// or a key of more than 127 bits) it is arg_max or arg_min over a struct
// key.
// DuckDB keeps the first kind in its hash tables, which spill to disk under
// the memory limit, and the second in an arena it cannot spill.
//
// It does not import DuckDB: it builds and tests without cgo. Package
// engine runs its queries.
//
// Where each step lives:
//   - plan.go: before any SQL is written, which aggregations and picks
//     share a scan (aggGroup), and cycles.go splits groups that would need
//     themselves;
//   - dataset.go, measures.go: the entry points, and the population (or the
//     measures' candidate pairs) each query is driven from;
//   - scope.go: the row source an expression is rendered against, the
//     relations joined to it, and the context handed down with it;
//   - expr.go: expressions (functions.go: operations and their macros);
//   - frames.go: a frame's rows, with its filters, as one scan;
//   - aggregate.go, pickkey.go: aggregations and picks over those rows;
//     sharedscan.go: several frames of one table in one scan;
//   - intervals.go, buckets.go: measures' per-interval frames.
package sqlgen
