package duration_test

import (
	"testing"

	"github.com/ehrql-go/ehrql/internal/duration"
	"github.com/ehrql-go/ehrql/query/model"
)

func TestUnits(t *testing.T) {
	for _, tc := range []struct {
		unit   duration.Unit
		name   string
		op     model.Op
		factor int
	}{
		{duration.Days, "days", model.OpDateAddDays, 1},
		{duration.Weeks, "weeks", model.OpDateAddDays, 7},
		{duration.Months, "months", model.OpDateAddMonths, 1},
		{duration.Years, "years", model.OpDateAddYears, 1},
	} {
		if got := tc.unit.String(); got != tc.name {
			t.Errorf("String() = %q, want %q", got, tc.name)
		}
		if got := tc.unit.Format(-3); got != tc.name+"(-3)" {
			t.Errorf("Format(-3) = %q, want %q", got, tc.name+"(-3)")
		}
		if op, factor := tc.unit.DateOp(); op != tc.op || factor != tc.factor {
			t.Errorf("%s.DateOp() = %s, %d; want %s, %d", tc.name, op, factor, tc.op, tc.factor)
		}
	}
}

func TestAdd(t *testing.T) {
	for _, tc := range []struct {
		unit duration.Unit
		date string
		n    int
		want string
	}{
		{duration.Days, "2020-02-28", 1, "2020-02-29"},
		{duration.Days, "2020-03-01", -1, "2020-02-29"},
		{duration.Weeks, "2020-01-01", 2, "2020-01-15"},
		{duration.Weeks, "2020-01-01", -1, "2019-12-25"},
		// A day missing from the target month rolls forward.
		{duration.Months, "2020-01-31", 1, "2020-03-01"},
		{duration.Months, "2020-03-31", -1, "2020-03-01"},
		{duration.Months, "2020-01-15", 13, "2021-02-15"},
		{duration.Years, "2020-02-29", 1, "2021-03-01"},
		{duration.Years, "2020-02-29", 4, "2024-02-29"},
		{duration.Years, "2021-06-30", -2, "2019-06-30"},
		{duration.Months, "2020-05-05", 0, "2020-05-05"},
	} {
		got := tc.unit.Add(model.MustParseDate(tc.date), tc.n)
		if got.String() != tc.want {
			t.Errorf("%s.Add(%s, %d) = %s, want %s", tc.unit, tc.date, tc.n, got, tc.want)
		}
	}
}
