package model_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ehrql-go/ehrql/query/model"
)

func TestParseDateAccepts(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want model.CivilDate
	}{
		{"2020-01-01", model.CivilDate{Year: 2020, Month: time.January, Day: 1}},
		{"2000-02-29", model.CivilDate{Year: 2000, Month: time.February, Day: 29}},
		{"2004-02-29", model.CivilDate{Year: 2004, Month: time.February, Day: 29}},
		{"1999-12-31", model.CivilDate{Year: 1999, Month: time.December, Day: 31}},
		{"0001-01-01", model.CivilDate{Year: 1, Month: time.January, Day: 1}},
		{"9999-12-31", model.CivilDate{Year: 9999, Month: time.December, Day: 31}},
	} {
		got, err := model.ParseDate(tc.in)
		if err != nil {
			t.Errorf("ParseDate(%q): unexpected error %v", tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("ParseDate(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
		if got.String() != tc.in {
			t.Errorf("ParseDate(%q).String() = %q", tc.in, got.String())
		}
	}
}

func TestParseDateRejectsBadFormat(t *testing.T) {
	for _, in := range []string{
		"20200101",
		"2020-1-01",
		"2020-01-1",
		"20-01-01",
		"02020-01-01",
		"2020/01/01",
		"2020-01-01T00:00:00",
		"2020-01-01 ",
		" 2020-01-01",
		"2020-01-01\n",
		"",
		"date",
		"２０２０-01-01", // full-width digits are not ASCII digits
		"+202-01-01",
	} {
		_, err := model.ParseDate(in)
		wantErr(t, err, "Dates must be in YYYY-MM-DD format")
	}
}

func TestParseDateRejectsImpossibleDates(t *testing.T) {
	for _, in := range []string{
		"2020-02-30",
		"2019-02-29",
		"1900-02-29", // not a leap year
		"2020-04-31",
		"2020-06-31",
		"2020-01-32",
		"2020-01-00",
	} {
		_, err := model.ParseDate(in)
		// ehrQL: ValueError: day is out of range for month in '2020-02-30'
		wantErr(t, err, "day is out of range for month", in)
	}
	// Months out of range: ehrQL (Python) says "month must be in 1..12".
	for _, in := range []string{"2020-13-01", "2020-00-10"} {
		_, err := model.ParseDate(in)
		wantErr(t, err, "month must be in 1..12", in)
		if err != nil && !strings.Contains(err.Error(), in) {
			t.Errorf("ParseDate(%q): error %q does not quote the input", in, err)
		}
	}
}

func TestParseDateRejectsYearZero(t *testing.T) {
	// Python's datetime.date (which ehrQL uses) only has years 1..9999, so
	// date.fromisoformat("0000-01-01") raises "year 0 is out of range".

	if _, err := model.ParseDate("0000-01-01"); err == nil {
		t.Fatal(`ParseDate("0000-01-01") accepted year 0`)
	}
}

func TestMustParseDatePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("MustParseDate of an invalid date did not panic")
		}
	}()
	model.MustParseDate("2020-02-30")
}

// Section 2.13 of the spec: months roll forward to the first of the next
// month, never clamp.
func TestAddMonths(t *testing.T) {
	for _, tc := range []struct {
		from string
		n    int
		want string
	}{
		{"2003-01-29", 1, "2003-03-01"},
		{"2004-01-29", 1, "2004-02-29"},
		{"2003-01-31", 1, "2003-03-01"},
		{"2004-01-31", 1, "2004-03-01"},
		{"2004-03-31", -1, "2004-03-01"},
		{"2000-10-31", 11, "2001-10-01"},
		{"2000-10-31", -11, "1999-12-01"},
		{"2000-01-01", 10, "2000-11-01"},
		{"2000-01-01", -10, "1999-03-01"},
		// Further cases.
		{"2000-01-15", 0, "2000-01-15"},
		{"2000-01-31", 0, "2000-01-31"},
		{"2000-01-15", 12, "2001-01-15"},
		{"2000-01-15", -12, "1999-01-15"},
		{"2000-01-15", -1, "1999-12-15"},
		{"2000-12-15", 1, "2001-01-15"},
		{"2000-12-31", 2, "2001-03-01"},  // 2001-02-31 does not exist
		{"2000-05-31", 1, "2000-07-01"},  // June has 30 days
		{"2000-03-31", -1, "2000-03-01"}, // 2000-02-31 does not exist
		{"2000-03-30", -1, "2000-03-01"}, // 2000-02-30 does not exist
		{"2000-03-29", -1, "2000-02-29"}, // leap year
		{"2001-03-29", -1, "2001-03-01"}, // not a leap year
		{"2000-01-31", 25, "2002-03-01"},
		{"2000-01-31", -23, "1998-03-01"},
		{"2000-06-15", 1200, "2100-06-15"},
		{"2000-06-15", -1200, "1900-06-15"},
	} {
		got := date(tc.from).AddMonths(tc.n)
		if got.String() != tc.want {
			t.Errorf("%s + %d months = %s, want %s", tc.from, tc.n, got, tc.want)
		}
	}
}

// Section 2.13: 29 February becomes 1 March in a non-leap target year.
func TestAddYears(t *testing.T) {
	for _, tc := range []struct {
		from string
		n    int
		want string
	}{
		{"2000-06-15", 5, "2005-06-15"},
		{"2000-06-15", -5, "1995-06-15"},
		{"2004-02-29", 1, "2005-03-01"},
		{"2004-02-29", -1, "2003-03-01"},
		{"2004-02-29", 4, "2008-02-29"},
		{"2004-02-29", -4, "2000-02-29"},
		{"2003-03-01", 1, "2004-03-01"},
		// Further cases.
		{"2004-02-29", 0, "2004-02-29"},
		{"2000-02-29", 100, "2100-03-01"}, // 2100 is not a leap year
		{"2000-02-29", 400, "2400-02-29"},
		{"2004-02-28", 1, "2005-02-28"},
		{"1999-12-31", 1, "2000-12-31"},
	} {
		got := date(tc.from).AddYears(tc.n)
		if got.String() != tc.want {
			t.Errorf("%s + %d years = %s, want %s", tc.from, tc.n, got, tc.want)
		}
	}
}

func TestAddDays(t *testing.T) {
	for _, tc := range []struct {
		from string
		n    int
		want string
	}{
		{"2000-01-01", 0, "2000-01-01"},
		{"2000-01-01", 1, "2000-01-02"},
		{"2000-01-01", -1, "1999-12-31"},
		{"2000-02-28", 1, "2000-02-29"},
		{"2001-02-28", 1, "2001-03-01"},
		{"2000-01-01", 366, "2001-01-01"},
		{"2000-01-01", 60, "2000-03-01"},
		{"0001-01-01", 3652058, "9999-12-31"},
		{"9999-12-31", -3652058, "0001-01-01"},
	} {
		got := date(tc.from).AddDays(tc.n)
		if got.String() != tc.want {
			t.Errorf("%s + %d days = %s, want %s", tc.from, tc.n, got, tc.want)
		}
	}
}

// Section 2.14: differences are floor-style whole elapsed units, lhs − rhs.
func TestYearsSince(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"2021-02-28", "2020-02-29", 0}, // leap birthday counts as 1 March
		{"2021-02-28", "2020-02-28", 1},
		{"2021-02-28", "2019-01-01", 2},
		{"2021-02-28", "2021-03-01", -1},
		{"2021-02-28", "2023-01-01", -2},
		{"1990-01-30", "1980-01-20", 10},
		{"1970-01-15", "1980-01-20", -11},
		// Further cases.
		{"2021-03-01", "2020-02-29", 1},
		{"2000-01-01", "2000-01-01", 0},
		{"2000-01-01", "2000-01-02", -1},
		{"2000-06-15", "1900-06-15", 100},
		{"2000-06-14", "1900-06-15", 99},
	} {
		if got := date(tc.a).YearsSince(date(tc.b)); got != tc.want {
			t.Errorf("(%s - %s).years = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestMonthsSince(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"2000-02-28", "2000-01-30", 0},
		{"2000-03-01", "2000-01-30", 1},
		{"2000-03-28", "2000-02-28", 1},
		{"2000-03-30", "2000-01-30", 2},
		{"2000-02-27", "2000-01-30", 0},
		{"2000-01-27", "2000-01-30", -1},
		{"1999-12-26", "2000-01-27", -2},
		{"2005-02-28", "2004-02-29", 11},
		{"2010-01-01", "2000-01-01", 120},
		// Further cases.
		{"2000-01-01", "2000-01-01", 0},
		{"2000-01-01", "2000-01-02", -1},
		{"2000-01-31", "2000-01-01", 0},
		{"2000-02-01", "2000-01-01", 1},
	} {
		if got := date(tc.a).MonthsSince(date(tc.b)); got != tc.want {
			t.Errorf("(%s - %s).months = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestDaysSince(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"2000-03-01", "2000-01-01", 60},
		{"2001-03-01", "2001-01-01", 59},
		{"1999-12-31", "2001-01-01", -367},
		{"2000-01-01", "2000-01-01", 0},
		{"2000-01-02", "2000-01-01", 1},
		{"2000-01-01", "2000-01-02", -1},
		{"2020-01-01", "1920-01-01", 36525},
		{"2200-01-01", "1950-01-01", 91311}, // 250 years
	} {
		if got := date(tc.a).DaysSince(date(tc.b)); got != tc.want {
			t.Errorf("(%s - %s).days = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestDaysSinceOverLongSpans(t *testing.T) {
	// Expected values from Python: (date(9999,12,31) - date(1,1,1)).days etc.
	cases := []struct {
		a, b string
		want int
	}{
		{"2300-01-01", "1900-01-01", 146097},
		{"9999-12-31", "0001-01-01", 3652058},
		{"0001-01-01", "9999-12-31", -3652058},
		{"9999-12-31", "2020-01-01", 2914634}, // 9999-12-31 is a common "open end" sentinel
	}

	for _, tc := range cases {
		if got := date(tc.a).DaysSince(date(tc.b)); got != tc.want {
			t.Errorf("(%s - %s).days = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// The spec's rationale (2.13): x + N units is the smallest y with
// (y − x).<unit> == N. Check it for months and years over a range of dates,
// including every day-of-month of a leap and a non-leap year.
func TestAddIsSmallestDateWithDifference(t *testing.T) {
	start := date("2003-01-01")
	for i := 0; i < 2*366; i++ {
		x := start.AddDays(i)
		for n := -30; n <= 30; n++ {
			y := x.AddMonths(n)
			if got := y.MonthsSince(x); got != n {
				t.Fatalf("(%s + %d months = %s) - %s = %d months", x, n, y, x, got)
			}
			if got := y.AddDays(-1).MonthsSince(x); got != n-1 {
				t.Fatalf("%s + %d months = %s is not the smallest such date: the day before gives %d", x, n, y, got)
			}
		}
		for n := -9; n <= 9; n++ {
			y := x.AddYears(n)
			if got := y.YearsSince(x); got != n {
				t.Fatalf("(%s + %d years = %s) - %s = %d years", x, n, y, x, got)
			}
			if got := y.AddDays(-1).YearsSince(x); got != n-1 {
				t.Fatalf("%s + %d years = %s is not the smallest such date: the day before gives %d", x, n, y, got)
			}
		}
		for n := -400; n <= 400; n += 37 {
			if got := x.AddDays(n).DaysSince(x); got != n {
				t.Fatalf("(%s + %d days) - %s = %d days", x, n, x, got)
			}
		}
	}
}

func TestCivilDateHelpers(t *testing.T) {
	d := date("2020-03-04")
	if got := d.Time(); !got.Equal(time.Date(2020, 3, 4, 0, 0, 0, 0, time.UTC)) || got.Location() != time.UTC {
		t.Errorf("Time() = %v", got)
	}
	if got := model.DateOf(time.Date(2020, 3, 4, 23, 59, 0, 0, time.UTC)); got != d {
		t.Errorf("DateOf = %v, want %v", got, d)
	}
	if !date("2020-03-03").Before(d) || d.Before(d) || d.Before(date("2020-03-03")) {
		t.Error("Before is wrong")
	}
	if got := (model.CivilDate{Year: 5, Month: 1, Day: 2}).String(); got != "0005-01-02" {
		t.Errorf("String() = %q, want zero-padded 0005-01-02", got)
	}
}
