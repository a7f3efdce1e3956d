package spec

import (
	"math"
	"testing"

	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/query/model"
)

// Chapter date_series_ops: date aggregations, comparisons, parts, and the
// calendar arithmetic of digest 2.13 and 2.14.
func TestDateSeriesOps(t *testing.T) { runChapter(t, dateSeriesOpsCases) }

func dateSeriesOpsCases(testing.TB) []specCase {
	var cases []specCase
	cases = append(cases, dateAggregationCases()...)
	cases = append(cases, dateComparisonTypeCases()...)
	cases = append(cases, dateComparisonCases()...)
	cases = append(cases, dateOpCases()...)
	return cases
}

// date_series_ops/test_date_aggregations.py
func dateAggregationCases() []specCase {
	episodes := tables{e: `
          |     d1
        --+------------
        1 | 2020-01-01
        1 | 2020-01-04
        1 | 2020-01-06
        1 | 2020-01-10
        1 | 2020-01-12
        2 | 2020-01-01
        3 |
        4 | 2020-01-10
        4 |
        4 |
        4 | 2020-01-01
    `}
	d1 := ed1()
	return []specCase{
		{
			name:   "test_count_episodes",
			data:   episodes,
			series: d1.CountEpisodesForPatient(query.Days(3)),
			want:   map[int64]any{1: 2, 2: 1, 3: 0, 4: 2},
		},
		{
			// weeks(1) is a 7-day gap.
			name:   "extra_count_episodes_weeks",
			data:   episodes,
			series: d1.CountEpisodesForPatient(query.Weeks(1)),
			want:   map[int64]any{1: 1, 2: 1, 3: 0, 4: 2},
		},
		{
			// Duplicates (gap 0) never start an episode; the gap must be
			// strictly greater than the maximum.
			name: "extra_count_episodes_zero_gap",
			data: tables{e: `
                  |     d1
                --+------------
                1 | 2020-01-01
                1 | 2020-01-02
                1 | 2020-01-01
                2 | 2020-01-01
                2 | 2020-01-01
            `},
			series: d1.CountEpisodesForPatient(query.Days(0)),
			want:   map[int64]any{1: 2, 2: 1},
		},
		{
			name:   "extra_count_episodes_of_filtered_frame",
			data:   episodes,
			series: query.Column[dateE](E.Where(d1.IsAfter(query.Date("2020-01-05"))), "d1").CountEpisodesForPatient(query.Days(3)),
			want:   map[int64]any{1: 2, 2: 0, 3: 0, 4: 1},
		},
	}
}

// date_series_ops/test_date_comparison_types.py
func dateComparisonTypeCases() []specCase {
	data := tables{p: `
          |     d1     |     d2
        --+------------+------------
        1 | 1990-01-01 | 1980-01-01
        2 | 2000-01-01 | 1980-01-01
        3 | 2010-01-01 | 2020-01-01
        4 |            | 2020-01-01
    `}
	d1 := pd1()
	return []specCase{
		{
			// Go has no date literal of its own: query.Date parses ISO.
			name:   "test_accepts_python_date_object",
			data:   data,
			series: d1.IsBefore(query.Date("2000-01-20")),
			want:   map[int64]any{1: true, 2: true, 3: false, 4: nil},
		},
		{
			name:   "test_accepts_iso_formated_date_string",
			data:   data,
			series: d1.IsBefore(query.Date("2000-01-20")),
			want:   map[int64]any{1: true, 2: true, 3: false, 4: nil},
		},
		{
			name:   "test_accepts_another_date_series",
			data:   data,
			series: d1.IsBefore(pd2()),
			want:   map[int64]any{1: false, 2: false, 3: true, 4: nil},
		},
	}
}

// date_series_ops/test_date_comparisons.py
func dateComparisonCases() []specCase {
	data := tables{p: `
          |     d1
        --+------------
        1 | 1990-01-01
        2 | 2000-01-01
        3 | 2010-01-01
        4 |
    `}
	d1 := pd1()
	return []specCase{
		{
			name:   "test_is_before",
			data:   data,
			series: d1.IsBefore(query.Date("2000-01-01")),
			want:   map[int64]any{1: true, 2: false, 3: false, 4: nil},
		},
		{
			name:   "test_is_on_or_before",
			data:   data,
			series: d1.IsOnOrBefore(query.Date("2000-01-01")),
			want:   map[int64]any{1: true, 2: true, 3: false, 4: nil},
		},
		{
			name:   "test_is_after",
			data:   data,
			series: d1.IsAfter(query.Date("2000-01-01")),
			want:   map[int64]any{1: false, 2: false, 3: true, 4: nil},
		},
		{
			name:   "test_is_on_or_after",
			data:   data,
			series: d1.IsOnOrAfter(query.Date("2000-01-01")),
			want:   map[int64]any{1: false, 2: true, 3: true, 4: nil},
		},
		{
			name:   "test_is_in",
			data:   data,
			series: d1.IsIn("2010-01-01", "1900-01-01"),
			want:   map[int64]any{1: false, 2: false, 3: true, 4: nil},
		},
		{
			name:   "test_is_not_in",
			data:   data,
			series: d1.IsNotIn("2010-01-01", "1900-01-01"),
			want:   map[int64]any{1: true, 2: true, 3: false, 4: nil},
		},
		{
			name:   "test_is_between_but_not_on",
			data:   data,
			series: d1.IsBetweenButNotOn(query.Date("1990-01-01"), query.Date("2010-01-01")),
			want:   map[int64]any{1: false, 2: true, 3: false, 4: nil},
		},
		{
			name:   "test_is_on_or_between",
			data:   data,
			series: d1.IsOnOrBetween(query.Date("1990-01-01"), query.Date("2000-01-01")),
			want:   map[int64]any{1: true, 2: true, 3: false, 4: nil},
		},
		{
			// is_during((start, end)) is is_on_or_between(start, end).
			name:   "test_is_during",
			data:   data,
			series: d1.IsDuring(query.Interval{Start: query.Date("2000-01-01"), End: query.Date("2010-01-01")}),
			want:   map[int64]any{1: false, 2: true, 3: true, 4: nil},
		},
		{
			name:   "test_is_on_or_between_backwards",
			data:   data,
			series: d1.IsOnOrBetween(query.Date("2010-01-01"), query.Date("1990-01-01")),
			want:   map[int64]any{1: false, 2: false, 3: false, 4: nil},
		},
		// Digest 2.12 (probed): a NULL bound gives False when the other
		// half is False (Kleene &), NULL otherwise.
		{
			name: "extra_is_on_or_between_with_null_bound",
			data: tables{p: `
                  |     d1     |     d2
                --+------------+------------
                1 | 1990-01-01 |
                2 | 2010-01-01 |
                3 | 2000-01-01 | 1995-01-01
                4 |            | 1995-01-01
            `},
			series: d1.IsOnOrBetween(pd2(), query.Date("2005-01-01")),
			want:   map[int64]any{1: nil, 2: false, 3: true, 4: nil},
		},
		{
			name:   "extra_is_equal_with_str_date",
			data:   data,
			series: d1.Eq(query.Date("2000-01-01")),
			want:   map[int64]any{1: false, 2: true, 3: false, 4: nil},
		},
	}
}

// date_series_ops/test_date_series_ops.py
func dateOpCases() []specCase {
	data := tables{p: `
          |     d1     | i1
        --+------------+-----
        1 | 1990-01-02 | 100
        2 | 2000-03-04 | 200
        3 |            |
    `}
	counts := tables{p: `
          | i1
        --+----
        1 |  1
        2 | 13
        3 | -1
        4 |
    `}
	d1, d2, i1 := pd1(), pd2(), pi1()
	hugeDate := tables{p: `
          |     d1     |          i1
        --+------------+----------------------
        1 | 2020-01-01 | 9223372036854775807
        2 |            | -9223372036854775808
    `}
	nullDate := tables{p: `
          | d1 |          i1
        --+----+----------------------
        1 |    | 9223372036854775807
        2 |    | -9223372036854775808
    `}
	return []specCase{
		{
			name:   "test_get_year",
			data:   data,
			series: d1.Year(),
			want:   map[int64]any{1: 1990, 2: 2000, 3: nil},
		},
		{
			name:   "test_get_month",
			data:   data,
			series: d1.Month(),
			want:   map[int64]any{1: 1, 2: 3, 3: nil},
		},
		{
			name:   "test_get_day",
			data:   data,
			series: d1.Day(),
			want:   map[int64]any{1: 2, 2: 4, 3: nil},
		},
		{
			name: "test_to_first_of_year",
			data: tables{p: `
                  |     d1
                --+------------
                1 | 1990-01-01
                2 | 2000-12-15
                3 | 2020-12-31
                4 |
            `},
			series: d1.ToFirstOfYear(),
			want:   map[int64]any{1: date("1990-01-01"), 2: date("2000-01-01"), 3: date("2020-01-01"), 4: nil},
		},
		{
			name: "test_to_first_of_month",
			data: tables{p: `
                  |     d1
                --+------------
                1 | 1990-01-01
                2 | 1990-01-31
                3 |
                4 | 2000-02-29
            `},
			series: d1.ToFirstOfMonth(),
			want:   map[int64]any{1: date("1990-01-01"), 2: date("1990-01-01"), 3: nil, 4: date("2000-02-01")},
		},
		{
			name:   "test_add_days",
			data:   data,
			series: d1.Add(query.DaysOf(i1)),
			want:   map[int64]any{1: date("1990-04-12"), 2: date("2000-09-20"), 3: nil},
		},
		{
			name:   "test_subtract_days",
			data:   data,
			series: d1.Sub(query.DaysOf(i1)),
			want:   map[int64]any{1: date("1989-09-24"), 2: date("1999-08-17"), 3: nil},
		},
		{
			name: "test_add_months",
			data: tables{p: `
                   |     d1     |  i1
                 --+------------+-----
                 1 | 2003-01-29 |   1
                 2 | 2004-01-29 |   1
                 3 | 2003-01-31 |   1
                 4 | 2004-01-31 |   1
                 5 | 2004-03-31 |  -1
                 6 | 2000-10-31 |  11
                 7 | 2000-10-31 | -11
                 8 | 2000-01-01 |  10
                 9 | 2000-01-01 | -10
                10 |            |   1
                11 | 2000-01-01 |
            `},
			series: d1.Add(query.MonthsOf(i1)),
			want: map[int64]any{
				1: date("2003-03-01"), 2: date("2004-02-29"), 3: date("2003-03-01"),
				4: date("2004-03-01"), 5: date("2004-03-01"), 6: date("2001-10-01"),
				7: date("1999-12-01"), 8: date("2000-11-01"), 9: date("1999-03-01"),
				10: nil, 11: nil,
			},
		},
		{
			name: "test_add_years",
			data: tables{p: `
                  |     d1     | i1
                --+------------+----
                1 | 2000-06-15 |  5
                2 | 2000-06-15 | -5
                3 | 2004-02-29 |  1
                4 | 2004-02-29 | -1
                5 | 2004-02-29 |  4
                6 | 2004-02-29 | -4
                7 | 2003-03-01 |  1
                8 |            |  1
            `},
			series: d1.Add(query.YearsOf(i1)),
			want: map[int64]any{
				1: date("2005-06-15"), 2: date("1995-06-15"), 3: date("2005-03-01"),
				4: date("2003-03-01"), 5: date("2008-02-29"), 6: date("2000-02-29"),
				7: date("2004-03-01"), 8: nil,
			},
		},
		{
			// days(100) + d1: Go puts the duration on the right.
			name:   "test_add_date_to_duration",
			data:   data,
			series: d1.Add(query.Days(100)),
			want:   map[int64]any{1: date("1990-04-12"), 2: date("2000-06-12"), 3: nil},
		},
		{
			name: "test_difference_in_years",
			data: tables{p: `
                  |     d1     |     d2
                --+------------+------------
                1 | 2021-02-28 | 2020-02-29
                2 | 2021-02-28 | 2020-02-28
                3 | 2021-02-28 | 2019-01-01
                4 | 2021-02-28 | 2021-03-01
                5 | 2021-02-28 | 2023-01-01
                6 | 2021-02-28 |
            `},
			series: d1.Minus(d2).Years(),
			want:   map[int64]any{1: 0, 2: 1, 3: 2, 4: -1, 5: -2, 6: nil},
		},
		{
			name: "test_difference_in_months",
			data: tables{p: `
                   |     d1     |     d2
                 --+------------+------------
                 1 | 2000-02-28 | 2000-01-30
                 2 | 2000-03-01 | 2000-01-30
                 3 | 2000-03-28 | 2000-02-28
                 4 | 2000-03-30 | 2000-01-30
                 5 | 2000-02-27 | 2000-01-30
                 6 | 2000-01-27 | 2000-01-30
                 7 | 1999-12-26 | 2000-01-27
                 8 | 2005-02-28 | 2004-02-29
                 9 | 2010-01-01 | 2000-01-01
                10 |            | 2000-01-01
            `},
			series: d1.Minus(d2).Months(),
			want: map[int64]any{
				1: 0, 2: 1, 3: 1, 4: 2, 5: 0, 6: -1, 7: -2, 8: 11, 9: 120, 10: nil,
			},
		},
		{
			name: "test_difference_in_days",
			data: tables{p: `
                  |     d1     |     d2
                --+------------+------------
                1 | 2000-03-01 | 2000-01-01
                2 | 2001-03-01 | 2001-01-01
                3 | 1999-12-31 | 2001-01-01
                4 | 2000-01-01 |
            `},
			series: d1.Minus(d2).Days(),
			want:   map[int64]any{1: 60, 2: 59, 3: -367, 4: nil},
		},
		{
			name: "test_difference_in_years_with_str_date",
			data: tables{p: `
                  |     d1
                --+------------
                1 | 1990-01-30
                2 | 1970-01-15
                3 |
            `},
			series: d1.Minus(query.Date("1980-01-20")).Years(),
			want:   map[int64]any{1: 10, 2: -11, 3: nil},
		},
		{
			name:   "test_static_date_add_days",
			data:   counts,
			series: query.Date("2000-01-01").Add(query.DaysOf(i1)),
			want:   map[int64]any{1: date("2000-01-02"), 2: date("2000-01-14"), 3: date("1999-12-31"), 4: nil},
		},
		{
			name:   "test_static_date_add_months",
			data:   counts,
			series: query.Date("2000-01-01").Add(query.MonthsOf(i1)),
			want:   map[int64]any{1: date("2000-02-01"), 2: date("2001-02-01"), 3: date("1999-12-01"), 4: nil},
		},
		{
			name:   "test_static_date_add_years",
			data:   counts,
			series: query.Date("2000-01-01").Add(query.YearsOf(i1)),
			want:   map[int64]any{1: date("2001-01-01"), 2: date("2013-01-01"), 3: date("1999-01-01"), 4: nil},
		},
		// Further duration forms of digest 2.13/2.14.
		{
			name: "extra_subtract_months",
			data: tables{p: `
                  |     d1     | i1
                --+------------+----
                1 | 2004-03-31 |  1
                2 | 2000-03-31 |  1
                3 | 2000-05-15 |  3
                4 | 2000-05-15 | -8
            `},
			series: d1.Sub(query.MonthsOf(i1)),
			want:   map[int64]any{1: date("2004-03-01"), 2: date("2000-03-01"), 3: date("2000-02-15"), 4: date("2001-01-15")},
		},
		{
			name: "extra_subtract_years",
			data: tables{p: `
                  |     d1     | i1
                --+------------+----
                1 | 2004-02-29 |  1
                2 | 2004-02-29 |  4
                3 | 2001-12-31 | 10
            `},
			series: d1.Sub(query.YearsOf(i1)),
			want:   map[int64]any{1: date("2003-03-01"), 2: date("2000-02-29"), 3: date("1991-12-31")},
		},
		{
			name: "extra_add_weeks",
			data: tables{p: `
                  |     d1     | i1
                --+------------+----
                1 | 2000-01-01 |  2
                2 | 2000-01-01 | -1
                3 | 2000-01-01 |
            `},
			series: d1.Add(query.WeeksOf(i1)),
			want:   map[int64]any{1: date("2000-01-15"), 2: date("1999-12-25"), 3: nil},
		},
		{
			name: "extra_add_weeks_literal",
			data: tables{p: `
                  |     d1
                --+------------
                1 | 2000-02-20
                2 |
            `},
			series: d1.Add(query.Weeks(2)),
			want:   map[int64]any{1: date("2000-03-05"), 2: nil},
		},
		// A NULL date plus any number, however large, is NULL: ehrQL does
		// not evaluate the addition.
		{name: "extra_null_date_add_huge_days", data: nullDate, series: d1.Add(query.DaysOf(i1)), want: map[int64]any{1: nil, 2: nil}},
		{name: "extra_null_date_add_huge_months", data: nullDate, series: d1.Add(query.MonthsOf(i1)), want: map[int64]any{1: nil, 2: nil}},
		{name: "extra_null_date_add_huge_years", data: nullDate, series: d1.Add(query.YearsOf(i1)), want: map[int64]any{1: nil, 2: nil}},
		{name: "extra_null_date_add_huge_literal_years", data: nullDate, series: d1.Add(query.Years(math.MaxInt64)), want: map[int64]any{1: nil, 2: nil}},
		{
			// The number comes from a picked row, so DuckDB hoists it out
			// of the NULL check: it must not be cast unchecked.
			name: "extra_null_date_add_huge_picked_days",
			data: tables{
				p: `
                      | d1
                    --+----
                    1 |
                `,
				e: `
                      |          i1          |     d1
                    --+----------------------+------------
                    1 | 9223372036854775806  | 2020-01-01
                `,
			},
			series: query.MaximumOf(d1.Add(query.DaysOf(query.Column[intP](E.SortBy(ed1()).LastForPatient(), "i1"))), d1),
			want:   map[int64]any{1: nil},
		},
		// With a date, ehrQL raises: so must the engine, naming the variable.
		{name: "extra_date_add_huge_days_fails", data: hugeDate, series: d1.Add(query.DaysOf(i1)), wantError: model.ErrDateRange},
		{name: "extra_date_add_huge_months_fails", data: hugeDate, series: d1.Add(query.MonthsOf(i1)), wantError: model.ErrDateRange},
		{name: "extra_date_add_huge_years_fails", data: hugeDate, series: d1.Add(query.YearsOf(i1)), wantError: model.ErrDateRange},
		{name: "extra_date_add_years_past_9999_fails", data: hugeDate, series: d1.Add(query.Years(7980)), wantError: model.ErrDateRange},
		{name: "extra_date_add_days_before_year_1_fails", data: hugeDate, series: d1.Add(query.Days(-737425)), wantError: model.ErrDateRange},
		{
			// The last and first dates ehrQL has.
			name: "extra_add_to_the_edges_of_the_calendar",
			data: tables{p: `
                  |     d1     | i1
                --+------------+----
                1 | 9999-12-30 |  1
                2 | 0001-01-02 | -1
            `},
			series: d1.Add(query.DaysOf(i1)),
			want:   map[int64]any{1: date("9999-12-31"), 2: date("0001-01-01")},
		},
		{
			// .weeks floors: one day short is -1 week.
			name: "extra_difference_in_weeks",
			data: tables{p: `
                  |     d1     |     d2
                --+------------+------------
                1 | 2000-01-08 | 2000-01-01
                2 | 2000-01-07 | 2000-01-01
                3 | 2000-01-01 | 2000-01-02
                4 | 2000-01-01 | 2000-01-15
                5 |            | 2000-01-15
            `},
			series: d1.Minus(d2).Weeks(),
			want:   map[int64]any{1: 1, 2: 0, 3: -1, 4: -2, 5: nil},
		},
	}
}
