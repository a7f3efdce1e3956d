package engine

import (
	"slices"
	"testing"

	"github.com/ehrql-go/ehrql/engine/sqlgen"
)

// TestRangesBetween: cuts make contiguous ranges, open at both ends.
func TestRangesBetween(t *testing.T) {
	show := func(rs []sqlgen.PatientRange) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.String())
		}
		return out
	}
	cases := []struct {
		cuts []int64
		want []string
	}{
		{nil, []string{"every patient"}},
		{[]int64{3}, []string{"patient_id <= 3", "patient_id > 3"}},
		{[]int64{-2, 3, 10}, []string{"patient_id <= -2", "patient_id > -2 AND patient_id <= 3", "patient_id > 3 AND patient_id <= 10", "patient_id > 10"}},
	}
	for _, c := range cases {
		if got := show(rangesBetween(c.cuts)); !slices.Equal(got, c.want) {
			t.Errorf("cuts %v: ranges %q, want %q", c.cuts, got, c.want)
		}
	}
}
