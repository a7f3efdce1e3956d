// Package report turns the engine's per-measure sums into the measures
// table ehrQL writes: its columns, rows, ratios and disclosure control.
package report

import "github.com/ehrql-go/ehrql/query/model"

// Row is one group of one measure in one interval, as the engine computes
// it: the sums over the patients whose denominator is true (or > 0).
type Row struct {
	// Measure is the measure's name.
	Measure string
	// Start and End are the interval's dates, both included.
	Start, End model.CivilDate
	// Numerator is the sum of the numerator (true = 1; NULLs count 0).
	Numerator int64
	// Denominator is the sum of the denominator.
	Denominator int64
	// Groups holds the values of the measure's own group_by columns, by
	// name: nil for NULL, else bool, int64, float64, string or
	// model.CivilDate.
	Groups map[string]any
}
