package spec

import (
	"testing"

	"github.com/ehrql-go/ehrql/query"
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
	i1 := pi1()
	return []specCase{
		{
			name:   "test_is_in",
			data:   data,
			series: i1.IsIn(101, 301),
			want:   map[int64]any{1: true, 2: false, 3: true, 4: nil},
		},
		{
			name:   "test_is_not_in",
			data:   data,
			series: i1.IsNotIn(101, 301),
			want:   map[int64]any{1: false, 2: true, 3: false, 4: nil},
		},
		{
			name:   "test_is_in_empty_list",
			data:   data,
			series: i1.IsIn(),
			want:   map[int64]any{1: false, 2: false, 3: false, 4: false},
		},
		{
			name:   "test_is_not_in_empty_list",
			data:   data,
			series: i1.IsNotIn(),
			want:   map[int64]any{1: true, 2: true, 3: true, 4: true},
		},
		{
			name:   "test_is_in_series",
			data:   withSeries,
			series: i1.IsInSeries(ei1()),
			want:   map[int64]any{1: true, 2: true, 3: false, 4: nil, 5: false, 6: false},
		},
		{
			name:   "test_is_not_in_series",
			data:   withSeries,
			series: i1.IsNotInSeries(ei1()),
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
			series: E.Where(ei1().IsInSeries(query.Column[intE](E.Where(eb1()), "i2"))).CountForPatient(),
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
			series: pf1().IsIn(1, 2.5),
			want:   map[int64]any{1: true, 2: true, 3: false, 4: nil},
		},
		{
			name:   "extra_is_in_single_member",
			data:   data,
			series: i1.IsIn(201),
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
	i1, i2 := pi1(), pi2()
	return []specCase{
		{
			name:   "test_equals",
			data:   data,
			series: i1.Eq(i2),
			want:   map[int64]any{1: true, 2: false, 3: nil, 4: nil},
		},
		{
			name:   "test_not_equals",
			data:   data,
			series: i1.Ne(i2),
			want:   map[int64]any{1: false, 2: true, 3: nil, 4: nil},
		},
		{
			name:   "test_is_null",
			data:   data,
			series: i1.IsNull(),
			want:   map[int64]any{1: false, 2: false, 3: false, 4: true},
		},
		{
			name:   "test_is_not_null",
			data:   data,
			series: i2.IsNotNull(),
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
			series: ps1().Eq(ps2()).And(pb1().Eq(pb2())).And(pd1().Eq(pd2())),
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
	i1 := pi1()
	str := query.Str
	return []specCase{
		{
			name:   "test_map_values_with_default",
			data:   data,
			series: query.MapValues(i1, []query.Mapping[strP]{query.Map(101, str("a")), query.Map(201, str("b")), query.Map(301, str("a"))}, str("c")),
			want:   map[int64]any{1: "a", 2: "b", 3: "a", 4: "c"},
		},
		{
			name:   "test_map_values_without_default",
			data:   data,
			series: query.MapValues(i1, []query.Mapping[strP]{query.Map(101, str("a")), query.Map(201, str("b"))}),
			want:   map[int64]any{1: "a", 2: "b", 3: nil, 4: nil},
		},
		{
			name:   "test_map_values_with_explicit_none",
			data:   data,
			series: query.MapValues(i1, []query.Mapping[strP]{query.Map(101, str("a")), query.Map(201, str("b")), query.Map(301, query.Null[strP]())}, str("c")),
			want:   map[int64]any{1: "a", 2: "b", 3: nil, 4: "c"},
		},
		{
			name:   "extra_map_values_to_ints",
			data:   data,
			series: query.MapValues(i1, []query.Mapping[intP]{query.Map(101, query.Int(1)), query.Map(301, query.Int(3))}, query.Int(0)),
			want:   map[int64]any{1: 1, 2: 0, 3: 3, 4: 0},
		},
		{
			// A NULL input matches nothing: without a default it stays
			// NULL, as do unmatched values.
			name: "extra_map_values_bool_input_null",
			data: tables{p: `
                  | b1
                --+----
                1 | T
                2 | F
                3 |
            `},
			series: query.MapValues(pb1(), []query.Mapping[strP]{query.Map(true, str("yes"))}),
			want:   map[int64]any{1: "yes", 2: nil, 3: nil},
		},
		{
			// Date keys are ISO strings, cast like the input.
			name: "extra_map_values_date_input",
			data: tables{p: `
                  |     d1
                --+------------
                1 | 2000-01-01
                2 | 2000-01-02
                3 |
            `},
			series: query.MapValues(pd1(), []query.Mapping[intP]{query.Map("2000-01-01", query.Int(1))}, query.Int(-1)),
			want:   map[int64]any{1: 1, 2: -1, 3: -1},
		},
		{
			// An event series mapped to literals: the kind's interface
			// (query.StrSeries) gives an event-level result; NULL events
			// take the default.
			name: "extra_map_values_event_series",
			data: tables{e: `
                  |  i1
                --+-----
                1 | 101
                1 | 201
                2 |
                3 | 301
            `},
			series: asEvent[strE](query.MapValues[query.StrSeries](ei1(),
				[]query.Mapping[query.StrSeries]{query.Map[query.StrSeries](101, str("a")), query.Map[query.StrSeries](201, str("b"))},
				str("z"))).MaximumForPatient(),
			want: map[int64]any{1: "b", 2: "z", 3: "z"},
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
	i1, i2 := ei1(), ei2()
	d1, d2 := ed1(), ed2()
	s1, s2 := es1(), es2()
	f1, f2 := ef1(), ef2()
	c := func(name string, series query.PatientSeries, want map[int64]any) specCase {
		return specCase{name: name, data: data, series: series, want: want}
	}
	// A literal among event series: the kind's interface (query.IntSeries,
	// ...) lets patient-level and event-level arguments mix.
	maxI := func(xs ...query.IntSeries) intE { return asEvent[intE](query.MaximumOf(xs[0], xs[1:]...)) }
	minI := func(xs ...query.IntSeries) intE { return asEvent[intE](query.MinimumOf(xs[0], xs[1:]...)) }
	maxD := func(xs ...query.DateSeries) dateE { return asEvent[dateE](query.MaximumOf(xs[0], xs[1:]...)) }
	minD := func(xs ...query.DateSeries) dateE { return asEvent[dateE](query.MinimumOf(xs[0], xs[1:]...)) }
	maxF := func(xs ...query.FloatSeries) floatE { return asEvent[floatE](query.MaximumOf(xs[0], xs[1:]...)) }
	minF := func(xs ...query.FloatSeries) floatE { return asEvent[floatE](query.MinimumOf(xs[0], xs[1:]...)) }
	maxS := func(xs ...query.StrSeries) strE { return asEvent[strE](query.MaximumOf(xs[0], xs[1:]...)) }
	minS := func(xs ...query.StrSeries) strE { return asEvent[strE](query.MinimumOf(xs[0], xs[1:]...)) }
	return []specCase{
		c("test_maximum_of_two_integer_event_series", query.MaximumOf(i1, i2).MaximumForPatient(), map[int64]any{1: 112, 2: 211, 3: nil}),
		c("test_minimum_of_two_integer_event_series", query.MinimumOf(i1, i2).MinimumForPatient(), map[int64]any{1: 101, 2: 211, 3: nil}),
		c("test_minimum_of_two_integer_event_series_and_a_value", minI(i1, i2, query.Int(150)).MinimumForPatient(), map[int64]any{1: 101, 2: 150, 3: 150}),
		c("test_maximum_of_two_integer_event_series_and_a_value", maxI(i1, i2, query.Int(150)).MaximumForPatient(), map[int64]any{1: 150, 2: 211, 3: 150}),
		c("test_minimum_of_two_date_event_series", query.MinimumOf(d1, d2).MinimumForPatient(), map[int64]any{1: date("2001-01-01"), 2: date("2021-01-01"), 3: nil}),
		c("test_maximum_of_two_date_event_series", query.MaximumOf(d1, d2).MaximumForPatient(), map[int64]any{1: date("2012-12-12"), 2: date("2021-01-01"), 3: nil}),
		// Go has one date literal, query.Date: the "datetime" and "string"
		// versions of these tests read the same.
		c("test_minimum_of_two_date_event_series_and_datetime_a_value", minD(d1, d2, query.Date("2015-05-05")).MinimumForPatient(),
			map[int64]any{1: date("2001-01-01"), 2: date("2015-05-05"), 3: date("2015-05-05")}),
		c("test_maximum_of_two_date_event_series_and_datetime_a_value", maxD(d1, d2, query.Date("2015-05-05")).MaximumForPatient(),
			map[int64]any{1: date("2015-05-05"), 2: date("2021-01-01"), 3: date("2015-05-05")}),
		c("test_minimum_of_two_date_event_series_and_string_a_value", minD(d1, d2, query.Date("2015-05-05")).MinimumForPatient(),
			map[int64]any{1: date("2001-01-01"), 2: date("2015-05-05"), 3: date("2015-05-05")}),
		c("test_maximum_of_two_date_event_series_and_string_a_value", maxD(d1, d2, query.Date("2015-05-05")).MaximumForPatient(),
			map[int64]any{1: date("2015-05-05"), 2: date("2021-01-01"), 3: date("2015-05-05")}),
		c("test_maximum_of_two_float_event_series", query.MaximumOf(f1, f2).MaximumForPatient(), map[int64]any{1: 1.12, 2: 2.11, 3: nil}),
		c("test_minimum_of_two_float_event_series", query.MinimumOf(f1, f2).MinimumForPatient(), map[int64]any{1: 1.01, 2: 2.11, 3: nil}),
		c("test_minimum_of_two_float_event_series_and_float_a_value", minF(f1, f2, query.Float(1.5)).MinimumForPatient(), map[int64]any{1: 1.01, 2: 1.5, 3: 1.5}),
		c("test_maximum_of_two_float_event_series_and_float_a_value", maxF(f1, f2, query.Float(1.5)).MaximumForPatient(), map[int64]any{1: 1.5, 2: 2.11, 3: 1.5}),
		// ehrQL casts the int literal to float; Go writes query.Float(2).
		c("test_minimum_of_two_float_event_series_and_integer_a_value", minF(f1, f2, query.Float(2)).MinimumForPatient(), map[int64]any{1: 1.01, 2: 2, 3: 2}),
		c("test_maximum_of_two_float_event_series_and_integer_a_value", maxF(f1, f2, query.Float(2)).MaximumForPatient(), map[int64]any{1: 2, 2: 2.11, 3: 2}),
		c("test_maximum_of_two_string_event_series", query.MaximumOf(s1, s2).MaximumForPatient(), map[int64]any{1: "d", 2: "f", 3: nil}),
		c("test_minimum_of_two_string_event_series", query.MinimumOf(s1, s2).MinimumForPatient(), map[int64]any{1: "a", 2: "f", 3: nil}),
		c("test_minimum_of_two_string_event_series_and_a_value", minS(s1, s2, query.Str("e")).MinimumForPatient(), map[int64]any{1: "a", 2: "e", 3: "e"}),
		c("test_maximum_of_two_string_event_series_and_a_value", maxS(s1, s2, query.Str("e")).MaximumForPatient(), map[int64]any{1: "e", 2: "f", 3: "e"}),
		c("test_maximum_of_nested_aggregate", query.MaximumOf(s1.CountDistinctForPatient(), s2.CountDistinctForPatient()), map[int64]any{1: 2, 2: 1, 3: 0}),
		c("test_maximum_of_nested_aggregate_and_column_and_a_value", maxI(s1.CountDistinctForPatient(), i1, query.Int(1)).MaximumForPatient(),
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
	i1, i2 := pi1(), pi2()
	d1, d2 := pd1(), pd2()
	s1, s2 := ps1(), ps2()
	f1, f2 := pf1(), pf2()
	c := func(name string, series query.PatientSeries, want map[int64]any) specCase {
		return specCase{name: name, data: data, series: series, want: want}
	}
	integer, float, str := query.Int, query.Float, query.Str
	return []specCase{
		c("test_maximum_of_two_integer_patient_series", query.MaximumOf(i1, i2), map[int64]any{1: 112, 2: 211, 3: nil}),
		c("test_minimum_of_two_integer_patient_series", query.MinimumOf(i1, i2), map[int64]any{1: 101, 2: 211, 3: nil}),
		c("test_minimum_of_two_integer_patient_series_and_a_value", query.MinimumOf(i1, i2, integer(150)), map[int64]any{1: 101, 2: 150, 3: 150}),
		c("test_maximum_of_two_integer_patient_series_and_a_value", query.MaximumOf(i1, i2, integer(150)), map[int64]any{1: 150, 2: 211, 3: 150}),
		c("test_minimum_of_two_date_patient_series", query.MinimumOf(d1, d2), map[int64]any{1: date("2001-01-01"), 2: date("2021-01-01"), 3: nil}),
		c("test_maximum_of_two_date_patient_series", query.MaximumOf(d1, d2), map[int64]any{1: date("2012-12-12"), 2: date("2021-01-01"), 3: nil}),
		c("test_minimum_of_two_date_patient_series_and_datetime_a_value", query.MinimumOf(d1, d2, query.Date("2015-05-05")),
			map[int64]any{1: date("2001-01-01"), 2: date("2015-05-05"), 3: date("2015-05-05")}),
		c("test_maximum_of_two_date_patient_series_and_datetime_a_value", query.MaximumOf(d1, d2, query.Date("2015-05-05")),
			map[int64]any{1: date("2015-05-05"), 2: date("2021-01-01"), 3: date("2015-05-05")}),
		c("test_minimum_of_two_date_patient_series_and_string_a_value", query.MinimumOf(d1, d2, query.Date("2015-05-05")),
			map[int64]any{1: date("2001-01-01"), 2: date("2015-05-05"), 3: date("2015-05-05")}),
		c("test_maximum_of_two_date_patient_series_and_string_a_value", query.MaximumOf(d1, d2, query.Date("2015-05-05")),
			map[int64]any{1: date("2015-05-05"), 2: date("2021-01-01"), 3: date("2015-05-05")}),
		c("test_maximum_of_two_float_patient_series", query.MaximumOf(f1, f2), map[int64]any{1: 1.12, 2: 2.11, 3: nil}),
		c("test_minimum_of_two_float_patient_series", query.MinimumOf(f1, f2), map[int64]any{1: 1.01, 2: 2.11, 3: nil}),
		c("test_minimum_of_two_float_patient_series_and_a_value", query.MinimumOf(f1, f2, float(1.5)), map[int64]any{1: 1.01, 2: 1.5, 3: 1.5}),
		c("test_maximum_of_two_float_patient_series_and_a_value", query.MaximumOf(f1, f2, float(1.5)), map[int64]any{1: 1.5, 2: 2.11, 3: 1.5}),
		c("test_maximum_of_two_string_patient_series", query.MaximumOf(s1, s2), map[int64]any{1: "d", 2: "f", 3: nil}),
		c("test_minimum_of_two_string_patient_series", query.MinimumOf(s1, s2), map[int64]any{1: "a", 2: "f", 3: nil}),
		c("test_minimum_of_two_string_patient_series_and_a_value", query.MinimumOf(s1, s2, str("e")), map[int64]any{1: "a", 2: "e", 3: "e"}),
		c("test_maximum_of_two_string_patient_series_and_a_value", query.MaximumOf(s1, s2, str("e")), map[int64]any{1: "e", 2: "f", 3: "e"}),
		c("test_maximum_of_two_integers_all_a_values", query.MaximumOf(integer(1), integer(2), integer(3)), map[int64]any{1: 3, 2: 3, 3: 3}),
		// More (digest 2.9): minimum of literals; a float series with an
		// int literal.
		c("extra_minimum_of_all_values", query.MinimumOf(integer(3), integer(1), integer(2)), map[int64]any{1: 1, 2: 1, 3: 1}),
		c("extra_maximum_of_float_patient_series_and_integer_value", query.MaximumOf(f1, f2, float(2)), map[int64]any{1: 2, 2: 2.11, 3: 2}),
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
	i1 := pi1()
	return []specCase{
		{
			name:   "test_when_null_then_integer_column",
			data:   data,
			series: i1.WhenNullThen(query.Int(0)),
			want:   map[int64]any{1: 101, 2: 201, 3: 301, 4: 0},
		},
		{
			name:   "test_when_null_then_boolean_column",
			data:   data,
			series: i1.IsIn(101, 201).WhenNullThen(query.Bool(false)),
			want:   map[int64]any{1: true, 2: true, 3: false, 4: false},
		},
		{
			name:   "extra_when_null_then_date_string",
			data:   data,
			series: pd1().WhenNullThen(query.Date("2000-01-01")),
			want:   map[int64]any{1: date("2010-01-01"), 2: date("2000-01-01"), 3: date("2011-01-01"), 4: date("2000-01-01")},
		},
		{
			name:   "extra_when_null_then_series",
			data:   data,
			series: pd1().WhenNullThen(pd1().Add(query.Days(1))),
			want:   map[int64]any{1: date("2010-01-01"), 2: nil, 3: date("2011-01-01"), 4: nil},
		},
	}
}
