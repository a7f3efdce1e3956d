package sqlgen

import (
	"reflect"
	"testing"
)

// TestReferencedCTEs: the measures' main statement keeps the CTEs its body
// reads, directly or through another kept CTE, in their order, and drops
// the rest (those only the denominators' statement read).
func TestReferencedCTEs(t *testing.T) {
	ctes := []string{
		"intervals(iv, start_date, end_date) AS (VALUES (0, DATE '2020-01-01', DATE '2020-01-31'))",
		"calendar_2 AS (\n  SELECT iv FROM intervals\n)",
		"aggs_1 AS (\n  SELECT * FROM calendar_2\n)", // read only by the denominators
		"den_values AS (\n  SELECT * FROM temp.main.ehrql_den_values\n)",
		"aggs_10 AS (\n  SELECT 1 AS v0\n)", // its name starts like aggs_1's
		"aggs_11 AS (\n  SELECT * FROM den_values JOIN calendar_2 USING (iv)\n)",
	}
	cases := []struct {
		name string
		body string
		want []string
	}{
		{"through a chain", "SELECT * FROM aggs_11", []string{ctes[0], ctes[1], ctes[3], ctes[5]}},
		{"a longer name is not a reference", "SELECT * FROM aggs_10", []string{ctes[4]}},
		{"none", "SELECT 1", nil},
		{"every one", "SELECT * FROM aggs_1, aggs_10, aggs_11", []string{ctes[0], ctes[1], ctes[2], ctes[3], ctes[4], ctes[5]}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := referencedCTEs(ctes, tc.body); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("kept\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}
