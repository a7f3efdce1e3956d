package spec

import "testing"

// Chapter population: only patients whose population value is exactly True
// are output (digest 2.18).
func TestPopulation(t *testing.T) { runChapter(t, populationCases) }

func populationCases(testing.TB) []specCase {
	multi := tables{
		p: `
              | i1
            --+----
            1 | 10
            2 | 20
            3 | 0
        `,
		e: `
              | i1
            --+-----
            1 | 101
            1 | 102
            3 | 301
            4 | 401
        `,
	}
	return []specCase{
		// population/test_population.py
		{
			name: "test_population_with_single_table",
			data: tables{p: `
                  | b1 | i1
                --+----+---
                1 | F  | 10
                2 | T  | 20
                3 | F  | 30
            `},
			series:     col(p, "i1"),
			population: not(col(p, "b1")),
			want:       map[int64]any{1: 10, 3: 30},
		},
		{
			// Patient 4 is only in e, so not in the population.
			name:       "test_population_with_multiple_tables",
			data:       multi,
			series:     exists(e),
			population: gt(col(p, "i1"), 0),
			want:       map[int64]any{1: true, 2: false},
		},
		{
			// NULL population values exclude the patient.
			name: "test_case_with_case_expression",
			data: tables{p: `
                  | i1
                --+---
                1 | 6
                2 | 7
                3 | 9
                4 |
            `},
			series: col(p, "i1"),
			population: caseOf(nil,
				when(le(col(p, "i1"), 8), true),
				when(gt(col(p, "i1"), 8), false),
			),
			want: map[int64]any{1: 6, 2: 7},
		},
		// Digest 2.18: other accepted populations.
		{
			name:       "extra_population_from_event_table",
			data:       multi,
			series:     col(p, "i1"),
			population: exists(e),
			want:       map[int64]any{1: 10, 3: 0, 4: nil},
		},
		{
			name:       "extra_population_in_patient_table_but_not_event_table",
			data:       multi,
			series:     count(e),
			population: and(exists(p), not(exists(e))),
			want:       map[int64]any{2: 0},
		},
		{
			name: "extra_population_not_is_in",
			data: tables{p: `
                  | i1
                --+---
                1 | 1
                2 | 2
                3 |
            `},
			series:     col(p, "i1"),
			population: not(isIn(col(p, "i1"), 1)),
			want:       map[int64]any{2: 2},
		},
	}
}
