package sqlgen

import "slices"

// Settings are the DuckDB settings the compiled queries are written for.
//
// The compiled SQL writes each join with the relation it probes on the
// left and the one it builds on the right: the candidates, then each
// aggregation of theirs. DuckDB's optimizer, left to swap the sides on its
// estimates, built hash tables of the measures' (patient, interval) pairs
// with all their columns instead: measures took 8-13% longer at 1M
// patients, and datasets no less time (bench/RESULTS.md).
var Settings = []string{
	"SET disabled_optimizers = 'build_side_probe_side'",
}

// Setup returns the statements a session runs before any compiled query:
// Settings, then Macros.
func Setup() []string { return append(slices.Clone(Settings), Macros...) }
