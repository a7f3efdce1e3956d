package spec

import "testing"

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
	i1 := col(p, "i1")
	return []specCase{
		// case_expressions/test_case.py
		{
			name: "test_case_with_expression",
			data: data,
			series: caseOf(nil,
				when(lt(i1, 8), i1),
				when(gt(i1, 8), 100),
			),
			want: map[int64]any{1: 6, 2: 7, 3: nil, 4: 100, 5: nil},
		},
		{
			name: "test_case_with_default",
			data: data,
			series: caseOf(0,
				when(lt(i1, 8), i1),
				when(gt(i1, 8), 100),
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
			series: caseOf(nil,
				when(col(p, "b1"), i1),
				when(gt(i1, 8), 100),
			),
			want: map[int64]any{1: 6, 2: nil, 3: 100, 4: nil},
		},
		{
			name: "test_case_with_explicit_null_value",
			data: data,
			series: caseOf(0,
				when(lt(i1, 8), i1),
				when(gt(i1, 8), nil),
			),
			want: map[int64]any{1: 6, 2: 7, 3: 0, 4: nil, 5: 0},
		},
		{
			name: "test_case_first_matching_condition_wins",
			data: data,
			series: caseOf("other",
				when(isIn(i1, 2, 4, 6, 8), "even"),
				when(lt(i1, 8), "small"),
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
			series: caseOf(0,
				when(isNotNull(i1), i1),
				when(isNotNull(col(p, "i2")), col(p, "i2")),
			),
			want: map[int64]any{1: 1, 2: 20, 3: 0, 4: 4},
		},
		{
			name:   "test_case_with_single_branch",
			data:   data,
			series: caseOf(nil, when(lt(i1, 8), i1)),
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
			series: caseOf(100, when(lt(i1, 8), i1)),
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
			series: caseOf(100, when(col(p, "b1"), i1)),
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
			series: sumFor(caseOf(1,
				when(col(p, "b1"), col(e, "i1")),
				when(gt(col(e, "i1"), 8), 1000),
			)),
			want: map[int64]any{1: 55, 2: 1, 3: 1000},
		},
		{
			name:   "extra_case_with_literal_true_condition",
			data:   data,
			series: caseOf(nil, when(isNull(i1), -1), when(true, i1)),
			want:   map[int64]any{1: 6, 2: 7, 3: 8, 4: 9, 5: -1},
		},
	}
}
