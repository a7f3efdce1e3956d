package spec

import (
	"testing"

	"github.com/ehrql-go/ehrql/query"
)

// Chapter sort_and_pick: sort_by is ascending with NULLs first, the first
// key (and the latest sort_by call) has the highest priority, and ties are
// broken by the columns selected from the pick, alphabetically (digest
// 2.16).
func TestSortAndPick(t *testing.T) { runChapter(t, sortAndPickCases) }

func sortAndPickCases(testing.TB) []specCase {
	single := tables{e: `
          |  i1
        --+----
        1 | 101
        1 | 102
        1 | 103
        2 | 203
        2 | 202
        2 | 201
    `}
	withNulls := tables{e: `
          |  i1
        --+-----
        1 |
        1 | 102
        1 | 103
        2 | 203
        2 | 202
        2 |
    `}
	interleaved := tables{e: `
          |  i1 | i2
        --+-----+---
        1 | 101 | 1
        1 | 102 | 2
        1 | 103 | 2
        2 | 203 | 1
        2 | 202 | 2
        2 | 201 | 2
    `}
	multiple := tables{e: `
          |  i1 | i2
        --+-----+---
        1 | 101 | 3
        1 | 102 | 2
        1 | 102 | 1
        2 | 203 | 1
        2 | 202 | 2
        2 | 202 | 3
    `}
	underspecified := tables{e: `
          |  i1 | i2 |  i3
        --+-----+----+-----
        1 | 100 |  2 | 101
        1 | 100 |  1 | 103
        1 | 100 |  1 | 102
        2 | 100 |  0 | 500
        2 | 100 |  1 |   1
        2 | 101 |  0 |   1
    `}
	// Digest 2.16 (probed): selecting another column changes the pick.
	tieBreak := tables{e: `
          |  i1 | i2 |  f1
        --+-----+----+-----
        1 | 100 |  2 | 1.0
        1 | 100 |  1 | 9.0
    `}
	i1, i2 := ei1(), ei2()
	byI1 := E.SortBy(i1)
	tiePick := byI1.FirstForPatient()
	// pickInt is frame.<name> for an int column of a picked row.
	pickInt := func(r query.Row, name string) intP { return query.Column[intP](r, name) }
	return []specCase{
		// sort_and_pick/test_sort_by_column_and_pick.py
		{
			name:   "test_sort_by_column_pick_first",
			data:   single,
			series: pickInt(byI1.FirstForPatient(), "i1"),
			want:   map[int64]any{1: 101, 2: 201},
		},
		{
			name:   "test_sort_by_column_pick_last",
			data:   single,
			series: pickInt(byI1.LastForPatient(), "i1"),
			want:   map[int64]any{1: 103, 2: 203},
		},
		// sort_and_pick/test_sort_by_column_with_nulls_and_pick.py
		{
			name:   "test_sort_by_column_with_nulls_and_pick_first",
			data:   withNulls,
			series: pickInt(byI1.FirstForPatient(), "i1"),
			want:   map[int64]any{1: nil, 2: nil},
		},
		{
			name:   "test_sort_by_column_with_nulls_and_pick_last",
			data:   withNulls,
			series: pickInt(byI1.LastForPatient(), "i1"),
			want:   map[int64]any{1: 103, 2: 203},
		},
		// sort_and_pick/test_sort_by_interleaved_with_where.py
		{
			name:   "test_sort_by_before_where",
			data:   interleaved,
			series: pickInt(byI1.Where(i1.Gt(query.Int(102))).FirstForPatient(), "i1"),
			want:   map[int64]any{1: 103, 2: 201},
		},
		{
			// The later sort_by (i2) has priority; i1 breaks its ties.
			name:   "test_sort_by_interleaved_with_where",
			data:   interleaved,
			series: pickInt(byI1.Where(i2.Gt(query.Int(1))).SortBy(i2).FirstForPatient(), "i1"),
			want:   map[int64]any{1: 102, 2: 201},
		},
		// sort_and_pick/test_sort_by_multiple_columns_and_pick.py
		{
			name:   "test_sort_by_multiple_columns_pick_first",
			data:   multiple,
			series: pickInt(E.SortBy(i1, i2).FirstForPatient(), "i2"),
			want:   map[int64]any{1: 3, 2: 2},
		},
		{
			name:   "test_sort_by_multiple_columns_pick_last",
			data:   multiple,
			series: pickInt(E.SortBy(i1, i2).LastForPatient(), "i2"),
			want:   map[int64]any{1: 2, 2: 1},
		},
		// sort_and_pick/test_sort_extends_to_all_columns_when_underspecified.py
		{
			name:   "test_sort_extends_to_all_columns_when_underspecified",
			data:   underspecified,
			series: pickInt(E.SortBy(i1, i2).FirstForPatient(), "i3"),
			want:   map[int64]any{1: 102, 2: 500},
		},
		// Digest 2.16 (probed): the tie-break keys are the selected
		// columns in alphabetical order, below the user's keys.
		{
			name:   "extra_tie_broken_by_selected_column",
			data:   tieBreak,
			series: pickInt(tiePick, "i2"),
			want:   map[int64]any{1: 1},
		},
		{
			// f1 (selected by the population) sorts before i2.
			name:       "extra_selecting_another_column_changes_the_pick",
			data:       tieBreak,
			series:     pickInt(tiePick, "i2"),
			population: query.Column[floatP](tiePick, "f1").IsNotNull(),
			want:       map[int64]any{1: 2},
		},
		{
			// last_for_patient keeps the extra keys ascending: ties go to
			// the largest selected value.
			name:   "extra_last_tie_goes_to_largest_selected_value",
			data:   underspecified,
			series: pickInt(E.SortBy(i1).LastForPatient(), "i3"),
			want:   map[int64]any{1: 103, 2: 1},
		},
		{
			// Bool columns break ties as 0/1 with NULL first.
			name: "extra_bool_column_breaks_ties",
			data: tables{e: `
                  |  i1 | b1
                --+-----+----
                1 | 100 | T
                1 | 100 | F
                2 | 100 | T
                2 | 100 |
                3 | 100 | T
                3 |  99 | T
            `},
			series: query.Column[boolP](byI1.FirstForPatient(), "b1"),
			want:   map[int64]any{1: false, 2: nil, 3: true},
		},
		{
			name: "extra_sort_by_expression",
			data: tables{e: `
                  |  f1
                --+------
                1 |  1.5
                1 | -2.5
                1 |  3.5
                2 |
                2 |  0.5
            `},
			series: query.Column[floatP](E.SortBy(ef1().Neg()).FirstForPatient(), "f1"),
			want:   map[int64]any{1: 3.5, 2: nil},
		},
		{
			name: "extra_sort_by_date_and_string",
			data: tables{e: `
                  |     d1     | s1
                --+------------+----
                1 | 2020-01-01 | b
                1 | 2019-06-30 | z
                1 | 2020-01-01 | a
                2 | 2021-01-01 | B
                2 | 2021-01-01 | a
            `},
			series: query.Column[strP](E.SortBy(ed1(), es1()).LastForPatient(), "s1"),
			want:   map[int64]any{1: "b", 2: "a"},
		},
		{
			// Two picks of one sorted frame in a single expression.
			name:   "extra_first_and_last_of_same_frame",
			data:   single,
			series: pickInt(byI1.LastForPatient(), "i1").Sub(pickInt(byI1.FirstForPatient(), "i1")),
			want:   map[int64]any{1: 2, 2: 2},
		},
		{
			name: "extra_pick_with_patient_level_filter",
			data: tables{
				p: `
                      | i1
                    --+-----
                    1 | 102
                    2 | 300
                `,
				e: `
                      |  i1
                    --+-----
                    1 | 101
                    1 | 102
                    1 | 103
                    2 | 201
                `,
			},
			series: pickInt(byI1.Where(i1.Ge(pi1())).FirstForPatient(), "i1"),
			want:   map[int64]any{1: 102, 2: nil},
		},
		{
			// "Days since the first event": a picked row read inside an
			// aggregation over the rows it is picked from.
			name: "extra_pick_read_inside_aggregation_of_same_rows",
			data: tables{e: `
                  |     d1
                --+------------
                1 | 2020-03-01
                1 | 2020-01-01
                1 | 2020-02-01
                2 | 2021-05-05
            `},
			series: ed1().Minus(query.Column[dateP](E.SortBy(ed1()).FirstForPatient(), "d1")).Days().MaximumForPatient(),
			want:   map[int64]any{1: 60, 2: 0},
		},
		{
			// A sort key reads a pick of the frame it sorts: the event
			// nearest the patient's largest i1 is picked.
			name: "extra_sort_key_reads_pick_of_same_frame",
			data: tables{e: `
                  |  i1 | i2
                --+-----+----
                1 |  10 |  1
                1 |  50 |  2
                1 |  45 |  3
                2 |   7 |  4
            `},
			series: pickInt(E.SortBy(i1.Sub(pickInt(byI1.LastForPatient(), "i1")).Abs(), i2.Neg()).FirstForPatient(), "i2"),
			want:   map[int64]any{1: 2, 2: 4},
		},
		{
			// The population filters the rows a pick is made from by the
			// pick.
			name: "extra_population_reads_pick_inside_aggregation_of_same_rows",
			data: tables{e: `
                  |  i1
                --+-----
                1 |  10
                1 |  50
                2 |   7
            `},
			series:     i1.Sub(pickInt(byI1.FirstForPatient(), "i1")).SumForPatient(),
			population: E.Where(i1.Gt(pickInt(byI1.FirstForPatient(), "i1"))).ExistsForPatient(),
			want:       map[int64]any{1: 40},
		},
		{
			// A sort key may read the patient table.
			name: "extra_sort_by_key_relative_to_patient_value",
			data: tables{
				p: `
                      | i1
                    --+-----
                    1 | 100
                    2 | 200
                `,
				e: `
                      |  i1
                    --+-----
                    1 |  90
                    1 | 105
                    1 | 111
                    2 | 150
                    2 | 260
                `,
			},
			series: pickInt(E.SortBy(i1.Sub(pi1()).Abs()).FirstForPatient(), "i1"),
			want:   map[int64]any{1: 105, 2: 150},
		},
	}
}
