package spec

import (
	"testing"

	"github.com/ehrql-go/ehrql/query/model"
)

// Chapter series_ops: containment, equality, null tests, map_values,
// maximum_of/minimum_of and when_null_then.
func TestSeriesOps(t *testing.T) { runChapter(t, seriesOpsCases) }

func seriesOpsCases(testing.TB) []specCase {
	var cases []specCase
	cases = append(cases, containmentCases()...)
	cases = append(cases, equalityCases()...)
	cases = append(cases, mapValuesCases()...)
	cases = append(cases, maxMinEventCases()...)
	cases = append(cases, maxMinPatientCases()...)
	cases = append(cases, whenNullThenCases()...)
	return cases
}

// series_ops/test_containment.py and test_containment_with_series.py
// (digest 2.6): an empty set gives False even for NULL; otherwise NULL in
// gives NULL; NULLs never appear in sets.
func containmentCases() []specCase {
	data := tables{p: `
          |  i1
        --+-----
        1 | 101
        2 | 201
        3 | 301
        4 |
    `}
	withSeries := tables{
		p: `
              |  i1
            --+-----
            1 | 101
            2 | 201
            3 | 301
            4 |
            5 | 501
            6 |
        `,
		e: `
              |  i1
            --+-----
            1 | 101
            2 | 201
            2 | 203
            2 | 301
            3 | 333
            3 | 334
            4 |
            4 | 401
            5 |
            5 | 101
        `,
	}
	i1 := col(p, "i1")
	return []specCase{
		{
			name:   "test_is_in",
			data:   data,
			series: isIn(i1, 101, 301),
			want:   map[int64]any{1: true, 2: false, 3: true, 4: nil},
		},
		{
			name:   "test_is_not_in",
			data:   data,
			series: isNotIn(i1, 101, 301),
			want:   map[int64]any{1: false, 2: true, 3: false, 4: nil},
		},
		{
			name:   "test_is_in_empty_list",
			data:   data,
			series: isIn(i1),
			want:   map[int64]any{1: false, 2: false, 3: false, 4: false},
		},
		{
			name:   "test_is_not_in_empty_list",
			data:   data,
			series: isNotIn(i1),
			want:   map[int64]any{1: true, 2: true, 3: true, 4: true},
		},
		{
			name:   "test_is_in_series",
			data:   withSeries,
			series: isInSeries(i1, col(e, "i1")),
			want:   map[int64]any{1: true, 2: true, 3: false, 4: nil, 5: false, 6: false},
		},
		{
			name:   "test_is_not_in_series",
			data:   withSeries,
			series: isNotInSeries(i1, col(e, "i1")),
			want:   map[int64]any{1: false, 2: false, 3: true, 4: nil, 5: true, 6: true},
		},
		// Digest 1.7: is_in(event series) of another domain inside a
		// filter collapses to a patient-level set first.
		{
			name: "extra_event_series_is_in_filtered_event_series",
			data: tables{e: `
                  |  i1 |  i2 | b1
                --+-----+-----+----
                1 | 101 | 102 | T
                1 | 102 | 999 | F
                1 | 103 |     | T
                2 | 201 | 201 | F
                2 |     | 202 | T
                3 | 301 |     | T
            `},
			series: count(where(e, isInSeries(col(e, "i1"), col(where(e, col(e, "b1")), "i2")))),
			want:   map[int64]any{1: 1, 2: 0, 3: 0},
		},
		{
			// Members are cast like the series: 1 becomes 1.0.
			name: "extra_float_is_in_int_member",
			data: tables{p: `
                  |  f1
                --+-----
                1 | 1.0
                2 | 2.5
                3 | 3.0
                4 |
            `},
			series: isIn(col(p, "f1"), 1, 2.5),
			want:   map[int64]any{1: true, 2: true, 3: false, 4: nil},
		},
		{
			name:   "extra_is_in_single_member",
			data:   data,
			series: isIn(i1, 201),
			want:   map[int64]any{1: false, 2: true, 3: false, 4: nil},
		},
	}
}

// series_ops/test_equality.py: comparisons with NULL, even NULL == NULL,
// are NULL; is_null and is_not_null never are.
func equalityCases() []specCase {
	data := tables{p: `
          |  i1 |  i2
        --+-----+-----
        1 | 101 | 101
        2 | 201 | 202
        3 | 301 |
        4 |     |
    `}
	i1, i2 := col(p, "i1"), col(p, "i2")
	return []specCase{
		{
			name:   "test_equals",
			data:   data,
			series: eq(i1, i2),
			want:   map[int64]any{1: true, 2: false, 3: nil, 4: nil},
		},
		{
			name:   "test_not_equals",
			data:   data,
			series: ne(i1, i2),
			want:   map[int64]any{1: false, 2: true, 3: nil, 4: nil},
		},
		{
			name:   "test_is_null",
			data:   data,
			series: isNull(i1),
			want:   map[int64]any{1: false, 2: false, 3: false, 4: true},
		},
		{
			name:   "test_is_not_null",
			data:   data,
			series: isNotNull(i2),
			want:   map[int64]any{1: true, 2: true, 3: false, 4: false},
		},
		{
			name: "extra_equality_of_other_types",
			data: tables{p: `
                  | s1 | s2 | b1 | b2 |     d1     |     d2
                --+----+----+----+----+------------+------------
                1 | a  | a  | T  | T  | 2000-01-01 | 2000-01-01
                2 | a  | A  | T  | F  | 2000-01-01 | 2000-01-02
                3 |    |    |    |    |            |
            `},
			series: and(and(eq(col(p, "s1"), col(p, "s2")), eq(col(p, "b1"), col(p, "b2"))), eq(col(p, "d1"), col(p, "d2"))),
			want:   map[int64]any{1: true, 2: false, 3: nil},
		},
	}
}

// series_ops/test_map_values.py (digest 2.7).
func mapValuesCases() []specCase {
	data := tables{p: `
          |  i1
        --+-----
        1 | 101
        2 | 201
        3 | 301
        4 |
    `}
	i1 := col(p, "i1")
	return []specCase{
		{
			name:   "test_map_values_with_default",
			data:   data,
			series: mapValues(i1, "c", 101, "a", 201, "b", 301, "a"),
			want:   map[int64]any{1: "a", 2: "b", 3: "a", 4: "c"},
		},
		{
			name:   "test_map_values_without_default",
			data:   data,
			series: mapValues(i1, nil, 101, "a", 201, "b"),
			want:   map[int64]any{1: "a", 2: "b", 3: nil, 4: nil},
		},
		{
			name:   "test_map_values_with_explicit_none",
			data:   data,
			series: mapValues(i1, "c", 101, "a", 201, "b", 301, nil),
			want:   map[int64]any{1: "a", 2: "b", 3: nil, 4: "c"},
		},
		{
			name:   "extra_map_values_to_ints",
			data:   data,
			series: mapValues(i1, 0, 101, 1, 301, 3),
			want:   map[int64]any{1: 1, 2: 0, 3: 3, 4: 0},
		},
	}
}

// series_ops/test_maximum_of_and_minimum_of_event_series.py: NULLs are
// ignored; all NULL gives NULL.
func maxMinEventCases() []specCase {
	data := tables{e: `
          |  i1 |  i2 |     d1     |     d2     | s1 | s2 |  f1  |  f2
        --+-----+-----|------------|------------|----|----|------|------
        1 | 101 | 111 | 2001-01-01 | 2002-02-02 | a  | b  | 1.01 | 1.11
        1 | 102 | 112 | 2011-11-11 | 2012-12-12 | c  | d  | 1.02 | 1.12
        2 |     | 211 |            | 2021-01-01 |    | f  |      | 2.11
        3 |     |     |            |            |    |    |      |
    `}
	i1, i2 := col(e, "i1"), col(e, "i2")
	d1, d2 := col(e, "d1"), col(e, "d2")
	s1, s2 := col(e, "s1"), col(e, "s2")
	f1, f2 := col(e, "f1"), col(e, "f2")
	c := func(name string, series *model.Node, want map[int64]any) specCase {
		return specCase{name: name, data: data, series: series, want: want}
	}
	return []specCase{
		c("test_maximum_of_two_integer_event_series", maximumFor(maximumOf(i1, i2)), map[int64]any{1: 112, 2: 211, 3: nil}),
		c("test_minimum_of_two_integer_event_series", minimumFor(minimumOf(i1, i2)), map[int64]any{1: 101, 2: 211, 3: nil}),
		c("test_minimum_of_two_integer_event_series_and_a_value", minimumFor(minimumOf(i1, i2, 150)), map[int64]any{1: 101, 2: 150, 3: 150}),
		c("test_maximum_of_two_integer_event_series_and_a_value", maximumFor(maximumOf(i1, i2, 150)), map[int64]any{1: 150, 2: 211, 3: 150}),
		c("test_minimum_of_two_date_event_series", minimumFor(minimumOf(d1, d2)), map[int64]any{1: date("2001-01-01"), 2: date("2021-01-01"), 3: nil}),
		c("test_maximum_of_two_date_event_series", maximumFor(maximumOf(d1, d2)), map[int64]any{1: date("2012-12-12"), 2: date("2021-01-01"), 3: nil}),
		c("test_minimum_of_two_date_event_series_and_datetime_a_value", minimumFor(minimumOf(d1, d2, date("2015-05-05"))),
			map[int64]any{1: date("2001-01-01"), 2: date("2015-05-05"), 3: date("2015-05-05")}),
		c("test_maximum_of_two_date_event_series_and_datetime_a_value", maximumFor(maximumOf(d1, d2, date("2015-05-05"))),
			map[int64]any{1: date("2015-05-05"), 2: date("2021-01-01"), 3: date("2015-05-05")}),
		c("test_minimum_of_two_date_event_series_and_string_a_value", minimumFor(minimumOf(d1, d2, "2015-05-05")),
			map[int64]any{1: date("2001-01-01"), 2: date("2015-05-05"), 3: date("2015-05-05")}),
		c("test_maximum_of_two_date_event_series_and_string_a_value", maximumFor(maximumOf(d1, d2, "2015-05-05")),
			map[int64]any{1: date("2015-05-05"), 2: date("2021-01-01"), 3: date("2015-05-05")}),
		c("test_maximum_of_two_float_event_series", maximumFor(maximumOf(f1, f2)), map[int64]any{1: 1.12, 2: 2.11, 3: nil}),
		c("test_minimum_of_two_float_event_series", minimumFor(minimumOf(f1, f2)), map[int64]any{1: 1.01, 2: 2.11, 3: nil}),
		c("test_minimum_of_two_float_event_series_and_float_a_value", minimumFor(minimumOf(f1, f2, 1.5)), map[int64]any{1: 1.01, 2: 1.5, 3: 1.5}),
		c("test_maximum_of_two_float_event_series_and_float_a_value", maximumFor(maximumOf(f1, f2, 1.5)), map[int64]any{1: 1.5, 2: 2.11, 3: 1.5}),
		// The int literal is cast to float.
		c("test_minimum_of_two_float_event_series_and_integer_a_value", minimumFor(minimumOf(f1, f2, 2)), map[int64]any{1: 1.01, 2: 2, 3: 2}),
		c("test_maximum_of_two_float_event_series_and_integer_a_value", maximumFor(maximumOf(f1, f2, 2)), map[int64]any{1: 2, 2: 2.11, 3: 2}),
		c("test_maximum_of_two_string_event_series", maximumFor(maximumOf(s1, s2)), map[int64]any{1: "d", 2: "f", 3: nil}),
		c("test_minimum_of_two_string_event_series", minimumFor(minimumOf(s1, s2)), map[int64]any{1: "a", 2: "f", 3: nil}),
		c("test_minimum_of_two_string_event_series_and_a_value", minimumFor(minimumOf(s1, s2, "e")), map[int64]any{1: "a", 2: "e", 3: "e"}),
		c("test_maximum_of_two_string_event_series_and_a_value", maximumFor(maximumOf(s1, s2, "e")), map[int64]any{1: "e", 2: "f", 3: "e"}),
		c("test_maximum_of_nested_aggregate", maximumOf(countDistinct(s1), countDistinct(s2)), map[int64]any{1: 2, 2: 1, 3: 0}),
		c("test_maximum_of_nested_aggregate_and_column_and_a_value", maximumFor(maximumOf(countDistinct(s1), i1, 1)),
			map[int64]any{1: 102, 2: 1, 3: 1}),
	}
}

// series_ops/test_maximum_of_and_minimum_of_patient_series.py
func maxMinPatientCases() []specCase {
	data := tables{p: `
          |  i1 |  i2 |     d1     |     d2     | s1 | s2 |  f1  |  f2
        --+-----+-----|------------|------------|----|----|------|------
        1 | 101 | 112 | 2001-01-01 | 2012-12-12 | a  | d  | 1.01 | 1.12
        2 |     | 211 |            | 2021-01-01 |    | f  |      | 2.11
        3 |     |     |            |            |    |    |      |
    `}
	i1, i2 := col(p, "i1"), col(p, "i2")
	d1, d2 := col(p, "d1"), col(p, "d2")
	s1, s2 := col(p, "s1"), col(p, "s2")
	f1, f2 := col(p, "f1"), col(p, "f2")
	c := func(name string, series *model.Node, want map[int64]any) specCase {
		return specCase{name: name, data: data, series: series, want: want}
	}
	return []specCase{
		c("test_maximum_of_two_integer_patient_series", maximumOf(i1, i2), map[int64]any{1: 112, 2: 211, 3: nil}),
		c("test_minimum_of_two_integer_patient_series", minimumOf(i1, i2), map[int64]any{1: 101, 2: 211, 3: nil}),
		c("test_minimum_of_two_integer_patient_series_and_a_value", minimumOf(i1, i2, 150), map[int64]any{1: 101, 2: 150, 3: 150}),
		c("test_maximum_of_two_integer_patient_series_and_a_value", maximumOf(i1, i2, 150), map[int64]any{1: 150, 2: 211, 3: 150}),
		c("test_minimum_of_two_date_patient_series", minimumOf(d1, d2), map[int64]any{1: date("2001-01-01"), 2: date("2021-01-01"), 3: nil}),
		c("test_maximum_of_two_date_patient_series", maximumOf(d1, d2), map[int64]any{1: date("2012-12-12"), 2: date("2021-01-01"), 3: nil}),
		c("test_minimum_of_two_date_patient_series_and_datetime_a_value", minimumOf(d1, d2, date("2015-05-05")),
			map[int64]any{1: date("2001-01-01"), 2: date("2015-05-05"), 3: date("2015-05-05")}),
		c("test_maximum_of_two_date_patient_series_and_datetime_a_value", maximumOf(d1, d2, date("2015-05-05")),
			map[int64]any{1: date("2015-05-05"), 2: date("2021-01-01"), 3: date("2015-05-05")}),
		c("test_minimum_of_two_date_patient_series_and_string_a_value", minimumOf(d1, d2, "2015-05-05"),
			map[int64]any{1: date("2001-01-01"), 2: date("2015-05-05"), 3: date("2015-05-05")}),
		c("test_maximum_of_two_date_patient_series_and_string_a_value", maximumOf(d1, d2, "2015-05-05"),
			map[int64]any{1: date("2015-05-05"), 2: date("2021-01-01"), 3: date("2015-05-05")}),
		c("test_maximum_of_two_float_patient_series", maximumOf(f1, f2), map[int64]any{1: 1.12, 2: 2.11, 3: nil}),
		c("test_minimum_of_two_float_patient_series", minimumOf(f1, f2), map[int64]any{1: 1.01, 2: 2.11, 3: nil}),
		c("test_minimum_of_two_float_patient_series_and_a_value", minimumOf(f1, f2, 1.5), map[int64]any{1: 1.01, 2: 1.5, 3: 1.5}),
		c("test_maximum_of_two_float_patient_series_and_a_value", maximumOf(f1, f2, 1.5), map[int64]any{1: 1.5, 2: 2.11, 3: 1.5}),
		c("test_maximum_of_two_string_patient_series", maximumOf(s1, s2), map[int64]any{1: "d", 2: "f", 3: nil}),
		c("test_minimum_of_two_string_patient_series", minimumOf(s1, s2), map[int64]any{1: "a", 2: "f", 3: nil}),
		c("test_minimum_of_two_string_patient_series_and_a_value", minimumOf(s1, s2, "e"), map[int64]any{1: "a", 2: "e", 3: "e"}),
		c("test_maximum_of_two_string_patient_series_and_a_value", maximumOf(s1, s2, "e"), map[int64]any{1: "e", 2: "f", 3: "e"}),
		c("test_maximum_of_two_integers_all_a_values", maximumOf(1, 2, 3), map[int64]any{1: 3, 2: 3, 3: 3}),
		// More (digest 2.9): minimum of literals; a float series with an
		// int literal; codes.
		c("extra_minimum_of_all_values", minimumOf(3, 1, 2), map[int64]any{1: 1, 2: 1, 3: 1}),
		c("extra_maximum_of_float_patient_series_and_integer_value", maximumOf(f1, f2, 2), map[int64]any{1: 2, 2: 2.11, 3: 2}),
	}
}

// series_ops/test_when_null_then.py (digest 2.4).
func whenNullThenCases() []specCase {
	data := tables{p: `
          |  i1 |     d1
        --+-----+------------
        1 | 101 | 2010-01-01
        2 | 201 |
        3 | 301 | 2011-01-01
        4 |     |
    `}
	i1 := col(p, "i1")
	return []specCase{
		{
			name:   "test_when_null_then_integer_column",
			data:   data,
			series: whenNullThen(i1, 0),
			want:   map[int64]any{1: 101, 2: 201, 3: 301, 4: 0},
		},
		{
			name:   "test_when_null_then_boolean_column",
			data:   data,
			series: whenNullThen(isIn(i1, 101, 201), false),
			want:   map[int64]any{1: true, 2: true, 3: false, 4: false},
		},
		{
			name:   "extra_when_null_then_date_string",
			data:   data,
			series: whenNullThen(col(p, "d1"), "2000-01-01"),
			want:   map[int64]any{1: date("2010-01-01"), 2: date("2000-01-01"), 3: date("2011-01-01"), 4: date("2000-01-01")},
		},
		{
			name:   "extra_when_null_then_series",
			data:   data,
			series: whenNullThen(col(p, "d1"), addDays(col(p, "d1"), 1)),
			want:   map[int64]any{1: date("2010-01-01"), 2: nil, 3: date("2011-01-01"), 4: nil},
		},
	}
}
