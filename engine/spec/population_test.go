package spec

import (
	"testing"

	"github.com/ehrql-go/ehrql/query"
)

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
			// A population that reads no table is nobody (it is not true
			// for a patient with no data), and is accepted.
			name:       "extra_population_false_reads_no_table",
			data:       multi,
			series:     pi1(),
			population: query.Bool(false),
			want:       map[int64]any{},
		},
		{
			name:       "extra_population_not_true_reads_no_table",
			data:       multi,
			series:     pi1(),
			population: query.Bool(true).Not(),
			want:       map[int64]any{},
		},
		{
			name: "test_population_with_single_table",
			data: tables{p: `
                  | b1 | i1
                --+----+---
                1 | F  | 10
                2 | T  | 20
                3 | F  | 30
            `},
			series:     pi1(),
			population: pb1().Not(),
			want:       map[int64]any{1: 10, 3: 30},
		},
		{
			// Patient 4 is only in e, so not in the population.
			name:       "test_population_with_multiple_tables",
			data:       multi,
			series:     E.ExistsForPatient(),
			population: pi1().Gt(query.Int(0)),
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
			series: pi1(),
			population: query.Case(
				query.When(pi1().Le(query.Int(8)), query.Bool(true)),
				query.When(pi1().Gt(query.Int(8)), query.Bool(false)),
			),
			want: map[int64]any{1: 6, 2: 7},
		},
		// Digest 2.18: other accepted populations.
		{
			name:       "extra_population_from_event_table",
			data:       multi,
			series:     pi1(),
			population: E.ExistsForPatient(),
			want:       map[int64]any{1: 10, 3: 0, 4: nil},
		},
		{
			name:       "extra_population_in_patient_table_but_not_event_table",
			data:       multi,
			series:     E.CountForPatient(),
			population: P.ExistsForPatient().And(E.ExistsForPatient().Not()),
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
			series:     pi1(),
			population: pi1().IsIn(1).Not(),
			want:       map[int64]any{2: 2},
		},
	}
}
