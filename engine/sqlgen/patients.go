package sqlgen

import (
	"fmt"
	"strings"
)

// PatientRange restricts a query to the patients whose ids lie in a range:
// above After (when not nil) and at most Through (when not nil). The zero
// value is every patient.
//
// ehrQL computes every value of a dataset, and every numerator and
// denominator of a measure, from one patient's rows only. So a query run
// once per range of a partition of the patient ids gives, concatenated,
// the rows of the whole dataset in the same order (patient_id ascending),
// and, summed, the same measures. The engine runs a large store in such
// batches to bound the memory each run needs.
type PatientRange struct {
	After, Through *int64
}

// All reports whether the range holds every patient.
func (r PatientRange) All() bool { return r.After == nil && r.Through == nil }

// String describes the range, e.g. "patient_id > 10 AND patient_id <= 20".
func (r PatientRange) String() string {
	if r.All() {
		return "every patient"
	}
	return r.condition()
}

// condition is the range as a SQL condition on patient_id.
func (r PatientRange) condition() string {
	var parts []string
	if r.After != nil {
		parts = append(parts, fmt.Sprintf("patient_id > %d", *r.After))
	}
	if r.Through != nil {
		parts = append(parts, fmt.Sprintf("patient_id <= %d", *r.Through))
	}
	return strings.Join(parts, " AND ")
}

// restrict wraps a relation (a table reference or a query) so that it
// holds the range's patients only; the whole relation when the range
// holds every patient. DuckDB pushes the condition into the table's scan.
func (r PatientRange) restrict(relation string) string {
	if r.All() {
		return relation
	}
	return "(SELECT * FROM " + relation + " WHERE " + r.condition() + ")"
}
