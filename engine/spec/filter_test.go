package spec

import "testing"

// Chapter filter: where keeps rows whose condition is True; except_where
// keeps rows whose condition is False or NULL (digest 2.15).
func TestFilter(t *testing.T) { runChapter(t, filterCases) }

func filterCases(testing.TB) []specCase {
	whereColumn := tables{e: `
          |  i1 |  b1
        --+-----+-----
        1 | 101 |  T
        1 | 102 |  T
        1 | 103 |
        2 | 201 |  T
        2 | 202 |
        2 | 203 |  F
        3 | 301 |
        3 | 302 |  F
    `}
	exceptColumn := tables{e: `
          |  i1 |  b1
        --+-----+-----
        1 | 101 |  T
        1 | 102 |  T
        1 | 103 |
        2 | 201 |  T
        2 | 202 |
        2 | 203 |  F
        3 | 301 |  T
        3 | 302 |  T
    `}
	expr := tables{e: `
          |  i1 |  i2
        --+-----+-----
        1 | 101 | 111
        1 | 102 | 112
        1 | 103 | 113
        2 | 201 | 211
        2 | 202 | 212
        2 | 203 | 213
        3 | 301 |
    `}
	constant := tables{e: `
          |  i1
        --+----
        1 | 101
        1 | 102
        2 | 201
    `}
	withPatient := tables{
		p: `
              | b1
            --+----
            1 | T
            2 | F
            3 |
        `,
		e: `
              |  i1
            --+-----
            1 | 101
            1 | 102
            2 | 201
            3 | 301
        `,
	}
	b1 := col(e, "b1")
	sumExpr := lt(add(col(e, "i1"), col(e, "i2")), 413)
	return []specCase{
		// filter/test_where.py
		{
			name:   "test_where_with_column",
			data:   whereColumn,
			series: sumFor(col(where(e, b1), "i1")),
			want:   map[int64]any{1: 101 + 102, 2: 201, 3: nil},
		},
		{
			name:   "test_where_with_expr",
			data:   expr,
			series: sumFor(col(where(e, sumExpr), "i1")),
			want:   map[int64]any{1: 101 + 102 + 103, 2: 201, 3: nil},
		},
		{
			name:   "test_where_with_constant_true",
			data:   constant,
			series: count(where(e, true)),
			want:   map[int64]any{1: 2, 2: 1},
		},
		{
			name:   "test_where_with_constant_false",
			data:   constant,
			series: count(where(e, false)),
			want:   map[int64]any{1: 0, 2: 0},
		},
		{
			name: "test_chain_multiple_wheres",
			data: tables{e: `
                  | i1 | b1
                --+----+----
                1 | 1  | T
                1 | 2  | T
                1 | 3  | F
            `},
			series: sumFor(col(where(where(e, ge(col(e, "i1"), 2)), b1), "i1")),
			want:   map[int64]any{1: 2},
		},
		// filter/test_except_where.py
		{
			name:   "test_except_where_with_column",
			data:   exceptColumn,
			series: sumFor(col(exceptWhere(e, b1), "i1")),
			want:   map[int64]any{1: 103, 2: 202 + 203, 3: nil},
		},
		{
			name:   "test_except_where_with_expr",
			data:   expr,
			series: sumFor(col(exceptWhere(e, sumExpr), "i1")),
			want:   map[int64]any{1: nil, 2: 202 + 203, 3: 301},
		},
		{
			name:   "test_except_where_with_constant_true",
			data:   constant,
			series: count(exceptWhere(e, true)),
			want:   map[int64]any{1: 0, 2: 0},
		},
		{
			name:   "test_except_where_with_constant_false",
			data:   constant,
			series: count(exceptWhere(e, false)),
			want:   map[int64]any{1: 2, 2: 1},
		},
		// Checklist 1: where(~c) drops NULL rows, unlike except_where(c).
		{
			name:   "extra_where_not_drops_null_conditions",
			data:   exceptColumn,
			series: sumFor(col(where(e, not(b1)), "i1")),
			want:   map[int64]any{1: nil, 2: 203, 3: nil},
		},
		// Digest 2.15: a patient-level condition keeps or drops a patient's
		// rows; NULL is dropped by where and kept by except_where.
		{
			name:   "extra_where_with_patient_condition",
			data:   withPatient,
			series: sumFor(col(where(e, col(p, "b1")), "i1")),
			want:   map[int64]any{1: 101 + 102, 2: nil, 3: nil},
		},
		{
			name:   "extra_except_where_with_patient_condition",
			data:   withPatient,
			series: sumFor(col(exceptWhere(e, col(p, "b1")), "i1")),
			want:   map[int64]any{1: nil, 2: 201, 3: 301},
		},
		{
			// A filtered frame's condition may use its parent's series.
			name:   "extra_chained_where_with_ancestor_condition",
			data:   expr,
			series: count(where(where(e, gt(col(e, "i1"), 101)), lt(col(e, "i2"), 213))),
			want:   map[int64]any{1: 2, 2: 2, 3: 0},
		},
		// Conditions may read aggregates and picked rows of the frame itself.
		{
			name: "extra_where_with_aggregate_condition",
			data: tables{e: `
                  | i1
                --+----
                1 | 1
                1 | 3
                1 | 3
                2 |
                2 | 5
                3 |
            `},
			series: count(where(e, eq(col(e, "i1"), maximumFor(col(e, "i1"))))),
			want:   map[int64]any{1: 2, 2: 1, 3: 0},
		},
		{
			name: "extra_where_relative_to_first_event",
			data: tables{e: `
                  |     d1
                --+------------
                1 | 2020-03-01
                1 | 2020-01-01
                1 | 2020-01-01
                1 | 2020-02-01
                2 | 2020-01-01
                3 |
            `},
			series: count(where(e, gt(col(e, "d1"), col(first(sortBy(e, col(e, "d1"))), "d1")))),
			want:   map[int64]any{1: 2, 2: 0, 3: 0},
		},
	}
}
