package measures_test

import (
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/measures"
	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/tables/tpp"
)

func render(ivs []measures.Interval) string {
	var b strings.Builder
	for i, iv := range ivs {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(iv.String())
	}
	return b.String()
}

func TestIntervals(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  []measures.Interval
		want string
	}{
		{"months starting on 31st", measures.Months(3).StartingOn("2020-01-31"),
			"(2020-01-31, 2020-02-29) (2020-03-01, 2020-03-30) (2020-03-31, 2020-04-30)"},
		{"months ending on 31st", measures.Months(3).EndingOn("2020-03-31"),
			"(2020-01-01, 2020-01-31) (2020-02-01, 2020-03-01) (2020-03-02, 2020-03-31)"},
		{"years from leap day", measures.Years(2).StartingOn("2020-02-29"),
			"(2020-02-29, 2021-02-28) (2021-03-01, 2022-02-28)"},
		{"years ending on leap day", measures.Years(2).EndingOn("2020-02-29"),
			"(2018-03-02, 2019-03-01) (2019-03-02, 2020-02-29)"},
		{"weeks", measures.Weeks(3).StartingOn("2000-01-01"),
			"(2000-01-01, 2000-01-07) (2000-01-08, 2000-01-14) (2000-01-15, 2000-01-21)"},
		{"weeks ending", measures.Weeks(2).EndingOn("2000-01-14"),
			"(2000-01-01, 2000-01-07) (2000-01-08, 2000-01-14)"},
		{"days", measures.Days(3).StartingOn("2020-02-28"),
			"(2020-02-28, 2020-02-28) (2020-02-29, 2020-02-29) (2020-03-01, 2020-03-01)"},
		{"days ending", measures.Days(2).EndingOn("2021-01-01"),
			"(2020-12-31, 2020-12-31) (2021-01-01, 2021-01-01)"},
		{"years", measures.Years(2).StartingOn("2021-04-01"),
			"(2021-04-01, 2022-03-31) (2022-04-01, 2023-03-31)"},
		{"study months", measures.Months(2).StartingOn("2019-03-23"),
			"(2019-03-23, 2019-04-22) (2019-04-23, 2019-05-22)"},
		{"one month ending", measures.Months(1).EndingOn("2020-02-29"),
			"(2020-01-30, 2020-02-29)"},
		{"zero", measures.Months(0).StartingOn("2020-01-01"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, iv := range tc.got {
				if iv.Err() != nil {
					t.Fatal(iv.Err())
				}
			}
			if got := render(tc.got); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
	if ivs := measures.Days(0).EndingOn("2020-01-01"); ivs == nil || len(ivs) != 0 {
		t.Errorf("Days(0).EndingOn = %#v, want an empty non-nil list", ivs)
	}
}

func TestIntervalErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		ivs  []measures.Interval
		want string
	}{
		{"negative", measures.Months(-1).StartingOn("2020-01-01"), "months(-1): the number of intervals must not be negative"},
		{"negative ending", measures.Years(-2).EndingOn("2020-01-01"), "years(-2): the number of intervals must not be negative"},
		{"bad date", measures.Weeks(2).StartingOn("2020-13-01"), `weeks(2): invalid date: month must be in 1..12 in "2020-13-01"`},
		{"bad format", measures.Days(2).EndingOn("1/1/2020"), `days(2): invalid date: Dates must be in YYYY-MM-DD format: "1/1/2020"`},
		{"NewInterval start", []measures.Interval{measures.NewInterval("2020-02-30", "2020-03-01")}, `invalid interval start date: day is out of range for month in "2020-02-30"`},
		{"NewInterval end", []measures.Interval{measures.NewInterval("2020-02-01", "x")}, `invalid interval end date: Dates must be in YYYY-MM-DD format: "x"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.ivs) != 1 || tc.ivs[0].Err() == nil {
				t.Fatalf("got %v, want one interval holding an error", tc.ivs)
			}
			wantErrAt(t, tc.ivs[0].Err(), "intervals_test.go:", tc.want)
			// The mistake is reported by the measure using the list.
			c := measures.New()
			c.DefineMeasure("m", measures.Measure{Numerator: query.Bool(true), Denominator: query.Bool(true), Intervals: tc.ivs})
			_, err := c.Definition()
			wantErrAt(t, err, "intervals_test.go:", tc.want)
		})
	}
}

func TestIntervalQuery(t *testing.T) {
	iv := measures.NewInterval("2020-01-01", "2020-01-31")
	x := tpp.ClinicalEvents.Date
	got, err := query.Node(x.IsDuring(iv.Query()))
	if err != nil {
		t.Fatal(err)
	}
	want, err := query.Node(x.IsOnOrBetween(query.Date("2020-01-01"), query.Date("2020-01-31")))
	if err != nil {
		t.Fatal(err)
	}
	if got.ID() != want.ID() {
		t.Errorf("IsDuring(iv.Query()) differs from IsOnOrBetween of its dates")
	}
}
