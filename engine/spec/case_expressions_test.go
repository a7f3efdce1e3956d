package spec

import (
	"testing"

	"github.com/ehrql-go/ehrql/query"
)

// Chapter case_expressions: case/when/otherwise (digest 2.8). The first
// True condition wins; NULL conditions fall through; no match gives the
// default, NULL if none.
func TestCaseExpressions(t *testing.T) { runChapter(t, caseExpressionsCases) }

func caseExpressionsCases(testing.TB) []specCase {
	data := tables{p: `
          | i1
        --+----
        1 | 6
        2 | 7
        3 | 8
        4 | 9
        5 |
    `}
	i1 := pi1()
	return []specCase{
		// case_expressions/test_case.py
		{
			name: "test_case_with_expression",
			data: data,
			series: query.Case(
				query.When(i1.Lt(query.Int(8)), i1),
				query.When(i1.Gt(query.Int(8)), query.Int(100)),
			),
			want: map[int64]any{1: 6, 2: 7, 3: nil, 4: 100, 5: nil},
		},
		{
			name: "test_case_with_default",
			data: data,
			series: query.Case(
				query.When(i1.Lt(query.Int(8)), i1),
				query.When(i1.Gt(query.Int(8)), query.Int(100)),
				query.Otherwise(query.Int(0)),
			),
			want: map[int64]any{1: 6, 2: 7, 3: 0, 4: 100, 5: 0},
		},
		{
			name: "test_case_with_boolean_column",
			data: tables{p: `
                  | i1 | b1
                --+----+----
                1 | 6  | T
                2 | 7  | F
                3 | 9  | F
                4 |    |
            `},
			series: query.Case(
				query.When(pb1(), i1),
				query.When(i1.Gt(query.Int(8)), query.Int(100)),
			),
			want: map[int64]any{1: 6, 2: nil, 3: 100, 4: nil},
		},
		{
			name: "test_case_with_explicit_null_value",
			data: data,
			series: query.Case(
				query.When(i1.Lt(query.Int(8)), i1),
				query.When(i1.Gt(query.Int(8)), query.Null[intP]()),
				query.Otherwise(query.Int(0)),
			),
			want: map[int64]any{1: 6, 2: 7, 3: 0, 4: nil, 5: 0},
		},
		{
			name: "test_case_first_matching_condition_wins",
			data: data,
			series: query.Case(
				query.When(i1.IsIn(2, 4, 6, 8), query.Str("even")),
				query.When(i1.Lt(query.Int(8)), query.Str("small")),
				query.Otherwise(query.Str("other")),
			),
			want: map[int64]any{1: "even", 2: "small", 3: "even", 4: "other", 5: "other"},
		},
		{
			name: "test_case_coalesce_pattern",
			data: tables{p: `
                  | i1 | i2
                --+----+----
                1 |  1 | 10
                2 |    | 20
                3 |    |
                4 |  4 |
            `},
			series: query.Case(
				query.When(i1.IsNotNull(), i1),
				query.When(pi2().IsNotNull(), pi2()),
				query.Otherwise(query.Int(0)),
			),
			want: map[int64]any{1: 1, 2: 20, 3: 0, 4: 4},
		},
		{
			name:   "test_case_with_single_branch",
			data:   data,
			series: query.Case(query.When(i1.Lt(query.Int(8)), i1)),
			want:   map[int64]any{1: 6, 2: 7, 3: nil, 4: nil, 5: nil},
		},
		// case_expressions/test_when.py
		{
			name: "test_when_with_expression",
			data: tables{p: `
                  | i1
                --+----
                1 | 6
                2 | 7
                3 | 8
                4 |
            `},
			series: query.Case(query.When(i1.Lt(query.Int(8)), i1), query.Otherwise(query.Int(100))),
			want:   map[int64]any{1: 6, 2: 7, 3: 100, 4: 100},
		},
		{
			name: "test_when_with_boolean_column",
			data: tables{p: `
                  | i1 | b1
                --+----+----
                1 | 6  | T
                2 | 7  | F
                3 |    |
            `},
			series: query.Case(query.When(pb1(), i1), query.Otherwise(query.Int(100))),
			want:   map[int64]any{1: 6, 2: 100, 3: 100},
		},
		// Digest 2.8: patient and event inputs mix; the result is
		// event-level.
		{
			name: "extra_case_on_event_series_with_patient_condition",
			data: tables{
				p: `
                      | b1
                    --+----
                    1 | T
                    2 | F
                    3 |
                `,
				e: `
                      | i1
                    --+----
                    1 | 5
                    1 | 50
                    2 | 7
                    3 | 9
                `,
			},
			// The kind's interface, query.IntSeries, lets event-level
			// and patient-level values mix.
			series: asEvent[intE](query.Case(
				query.When[query.IntSeries](pb1(), ei1()),
				query.When[query.IntSeries](ei1().Gt(query.Int(8)), query.Int(1000)),
				query.Otherwise[query.IntSeries](query.Int(1)),
			)).SumForPatient(),
			want: map[int64]any{1: 55, 2: 1, 3: 1000},
		},
		{
			name:   "extra_case_with_literal_true_condition",
			data:   data,
			series: query.Case(query.When(i1.IsNull(), query.Int(-1)), query.When(query.Bool(true), i1)),
			want:   map[int64]any{1: 6, 2: 7, 3: 8, 4: 9, 5: -1},
		},
	}
}
