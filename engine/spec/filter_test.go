package spec

import (
	"testing"

	"github.com/ehrql-go/ehrql/query"
)

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
	b1 := eb1()
	sumExpr := ei1().Add(ei2()).Lt(query.Int(413))
	return []specCase{
		// filter/test_where.py
		{
			name:   "test_where_with_column",
			data:   whereColumn,
			series: query.Column[intE](E.Where(b1), "i1").SumForPatient(),
			want:   map[int64]any{1: 101 + 102, 2: 201, 3: nil},
		},
		{
			name:   "test_where_with_expr",
			data:   expr,
			series: query.Column[intE](E.Where(sumExpr), "i1").SumForPatient(),
			want:   map[int64]any{1: 101 + 102 + 103, 2: 201, 3: nil},
		},
		{
			name:   "test_where_with_constant_true",
			data:   constant,
			series: E.Where(query.Bool(true)).CountForPatient(),
			want:   map[int64]any{1: 2, 2: 1},
		},
		{
			name:   "test_where_with_constant_false",
			data:   constant,
			series: E.Where(query.Bool(false)).CountForPatient(),
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
			series: query.Column[intE](E.Where(ei1().Ge(query.Int(2))).Where(b1), "i1").SumForPatient(),
			want:   map[int64]any{1: 2},
		},
		// filter/test_except_where.py
		{
			name:   "test_except_where_with_column",
			data:   exceptColumn,
			series: query.Column[intE](E.ExceptWhere(b1), "i1").SumForPatient(),
			want:   map[int64]any{1: 103, 2: 202 + 203, 3: nil},
		},
		{
			name:   "test_except_where_with_expr",
			data:   expr,
			series: query.Column[intE](E.ExceptWhere(sumExpr), "i1").SumForPatient(),
			want:   map[int64]any{1: nil, 2: 202 + 203, 3: 301},
		},
		{
			name:   "test_except_where_with_constant_true",
			data:   constant,
			series: E.ExceptWhere(query.Bool(true)).CountForPatient(),
			want:   map[int64]any{1: 0, 2: 0},
		},
		{
			name:   "test_except_where_with_constant_false",
			data:   constant,
			series: E.ExceptWhere(query.Bool(false)).CountForPatient(),
			want:   map[int64]any{1: 2, 2: 1},
		},
		// Checklist 1: where(~c) drops NULL rows, unlike except_where(c).
		{
			name:   "extra_where_not_drops_null_conditions",
			data:   exceptColumn,
			series: query.Column[intE](E.Where(b1.Not()), "i1").SumForPatient(),
			want:   map[int64]any{1: nil, 2: 203, 3: nil},
		},
		// Digest 2.15: a patient-level condition keeps or drops a patient's
		// rows; NULL is dropped by where and kept by except_where.
		{
			name:   "extra_where_with_patient_condition",
			data:   withPatient,
			series: query.Column[intE](E.Where(pb1()), "i1").SumForPatient(),
			want:   map[int64]any{1: 101 + 102, 2: nil, 3: nil},
		},
		{
			name:   "extra_except_where_with_patient_condition",
			data:   withPatient,
			series: query.Column[intE](E.ExceptWhere(pb1()), "i1").SumForPatient(),
			want:   map[int64]any{1: nil, 2: 201, 3: 301},
		},
		{
			// A filtered frame's condition may use its parent's series.
			name:   "extra_chained_where_with_ancestor_condition",
			data:   expr,
			series: E.Where(ei1().Gt(query.Int(101))).Where(ei2().Lt(query.Int(213))).CountForPatient(),
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
			series: E.Where(ei1().Eq(ei1().MaximumForPatient())).CountForPatient(),
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
			series: E.Where(ed1().Gt(query.Column[dateP](E.SortBy(ed1()).FirstForPatient(), "d1"))).CountForPatient(),
			want:   map[int64]any{1: 2, 2: 0, 3: 0},
		},
	}
}
