package spec

import (
	"testing"

	"github.com/ehrql-go/ehrql/query/model"
)

// Chapter aggregate_series: count_distinct, mean, minimum, maximum and sum
// for patient. NULLs are ignored; with no values the counting aggregation
// gives 0 and the others NULL.
func TestAggregateSeries(t *testing.T) { runChapter(t, aggregateSeriesCases) }

func aggregateSeriesCases(testing.TB) []specCase {
	distinctData := tables{e: `
          |  i1 |  f1 | s1 |     d1     | b1 |   c1
        --+-----+-----+----+------------+----+--------
        1 | 101 | 1.1 |  a | 2020-01-01 | T  | 123000
        1 | 102 | 1.2 |  b | 2020-01-02 | F  | 456000
        1 | 103 | 1.5 |  c | 2020-01-03 | T  | 789000
        2 | 201 | 2.1 |  a | 2020-02-01 | T  | 123000
        2 | 201 | 2.1 |  a | 2020-02-01 | T  | 123000
        2 | 203 | 2.5 |  b | 2020-02-02 | T  | 456000
        3 | 301 | 3.1 |  a | 2020-03-01 | F  | 123000
        3 | 301 | 3.1 |  a | 2020-03-01 | F  | 123000
        3 |     |     |    |            |    |
        3 |     |     |    |            |    |
        4 |     |     |    |            |    |
    `}
	meanData := tables{e: `
          | i1 | f1
        --+----+-----
        1 |  1 | 1.1
        1 |  2 | 2.1
        1 |  3 | 3.1
        2 |    |
        2 |  2 | 2.1
        2 |  3 | 3.1
        3 |    |
    `}
	minMaxData := tables{e: `
          |  i1
        --+-----
        1 | 101
        1 | 102
        1 | 103
        2 | 201
        2 |
        3 |
    `}
	sumData := tables{e: `
          |  i1
        --+-----
        1 | 101
        1 | 102
        1 | 103
        2 | 201
        2 |
        2 | 203
        3 |
    `}
	otherTypes := tables{e: `
          |     d1     | s1  |  f1
        --+------------+-----+------
        1 | 2020-05-01 | b   |  1.5
        1 | 2019-12-31 | B   | -2.25
        1 | 2020-01-01 | ab  |
        2 |            |     |
        3 | 2000-02-29 | x   |  0.5
    `}
	return []specCase{
		// aggregate_series/test_count_distinct_for_patient.py
		{
			name:   "test_count_distinct_for_patient_integer",
			data:   distinctData,
			series: ei1().CountDistinctForPatient(),
			want:   map[int64]any{1: 3, 2: 2, 3: 1, 4: 0},
		},
		{
			name:   "test_count_distinct_for_patient_float",
			data:   distinctData,
			series: ef1().CountDistinctForPatient(),
			want:   map[int64]any{1: 3, 2: 2, 3: 1, 4: 0},
		},
		{
			name:   "test_count_distinct_for_patient_string",
			data:   distinctData,
			series: es1().CountDistinctForPatient(),
			want:   map[int64]any{1: 3, 2: 2, 3: 1, 4: 0},
		},
		{
			// ehrQL's version of this test counts s1 (a slip); count d1.
			name:   "test_count_distinct_for_patient_date",
			data:   distinctData,
			series: ed1().CountDistinctForPatient(),
			want:   map[int64]any{1: 3, 2: 2, 3: 1, 4: 0},
		},
		{
			name:   "extra_count_distinct_for_patient_bool",
			data:   distinctData,
			series: eb1().CountDistinctForPatient(),
			want:   map[int64]any{1: 2, 2: 1, 3: 1, 4: 0},
		},
		{
			name:   "extra_count_distinct_for_patient_code",
			data:   distinctData,
			series: ec1().CountDistinctForPatient(),
			want:   map[int64]any{1: 3, 2: 2, 3: 1, 4: 0},
		},
		// aggregate_series/test_mean_for_patient.py
		{
			name:   "test_mean_for_patient_integer",
			data:   meanData,
			series: ei1().MeanForPatient(),
			want:   map[int64]any{1: (1.0 + 2 + 3) / 3, 2: (2.0 + 3) / 2, 3: nil},
		},
		{
			name:   "test_mean_for_patient_float",
			data:   meanData,
			series: ef1().MeanForPatient(),
			want:   map[int64]any{1: (1.1 + 2.1 + 3.1) / 3, 2: (2.1 + 3.1) / 2, 3: nil},
		},
		// aggregate_series/test_minimum_and_maximum_for_patient.py
		{
			name:   "test_minimum_for_patient",
			data:   minMaxData,
			series: ei1().MinimumForPatient(),
			want:   map[int64]any{1: 101, 2: 201, 3: nil},
		},
		{
			name:   "test_maximum_for_patient",
			data:   minMaxData,
			series: ei1().MaximumForPatient(),
			want:   map[int64]any{1: 103, 2: 201, 3: nil},
		},
		// aggregate_series/test_sum_for_patient.py
		{
			name:   "test_sum_for_patient",
			data:   sumData,
			series: ei1().SumForPatient(),
			want:   map[int64]any{1: 101 + 102 + 103, 2: 201 + 203, 3: nil},
		},
		// Other types (digest 2.17): min/max of dates and strings (code-point
		// order: "B" < "ab" < "b"), sum of floats stays float.
		{
			name:   "extra_minimum_for_patient_date",
			data:   otherTypes,
			series: ed1().MinimumForPatient(),
			want:   map[int64]any{1: date("2019-12-31"), 2: nil, 3: date("2000-02-29")},
		},
		{
			name:   "extra_maximum_for_patient_date",
			data:   otherTypes,
			series: ed1().MaximumForPatient(),
			want:   map[int64]any{1: date("2020-05-01"), 2: nil, 3: date("2000-02-29")},
		},
		{
			name:   "extra_minimum_for_patient_string",
			data:   otherTypes,
			series: es1().MinimumForPatient(),
			want:   map[int64]any{1: "B", 2: nil, 3: "x"},
		},
		{
			name:   "extra_maximum_for_patient_string",
			data:   otherTypes,
			series: es1().MaximumForPatient(),
			want:   map[int64]any{1: "b", 2: nil, 3: "x"},
		},
		{
			name:   "extra_sum_for_patient_float",
			data:   otherTypes,
			series: ef1().SumForPatient(),
			want:   map[int64]any{1: -0.75, 2: nil, 3: 0.5},
		},
		{
			name: "extra_sum_for_patient_overflow_fails",
			data: tables{e: `
                  |                  i1
                --+---------------------
                1 |                   5
                2 | 9223372036854775807
                2 |                   1
            `},
			series:    ei1().SumForPatient(),
			wantError: model.ErrOverflow,
		},
		{
			name:   "extra_maximum_for_patient_float",
			data:   otherTypes,
			series: ef1().MaximumForPatient(),
			want:   map[int64]any{1: 1.5, 2: nil, 3: 0.5},
		},
		{
			name: "extra_string_aggregation_by_code_point",
			data: tables{e: `
                  | s1
                --+----
                1 | é
                1 | z
                1 | Z
            `},
			series: es1().MaximumForPatient(),
			want:   map[int64]any{1: "é"},
		},
		{
			// 0.0 == -0.0, so they are one distinct value (as in Python).
			name: "extra_count_distinct_for_patient_signed_zero",
			data: tables{e: `
                  |  f1
                --+------
                1 |  0.0
                1 | -0.0
                1 |  1.0
            `},
			series: ef1().CountDistinctForPatient(),
			want:   map[int64]any{1: 2},
		},
	}
}
