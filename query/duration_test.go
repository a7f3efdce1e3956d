package query_test

import (
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/query"
)

func TestDurationArithmetic(t *testing.T) {
	d := query.Date("2020-01-31")
	tests := []struct {
		name string
		got  query.Duration
		want query.Duration
	}{
		{"days(1) + days(2)", query.Days(1).Plus(query.Days(2)), query.Days(3)},
		{"-days(1)", query.Days(1).Neg(), query.Days(-1)},
		{"months(5) - months(2)", query.Months(5).Minus(query.Months(2)), query.Months(3)},
		{"-(-years(2))", query.Years(2).Neg().Neg(), query.Years(2)},
		{"weeks(1) - weeks(1)", query.Weeks(1).Minus(query.Weeks(1)), query.Weeks(0)},
	}
	for _, tt := range tests {
		if !tt.got.Equal(tt.want) || tt.got.String() != tt.want.String() {
			t.Errorf("%s = %s, want %s", tt.name, tt.got, tt.want)
		}
		// The same dates either way.
		if a, b := sx(mustNode(t, d.Add(tt.got))), sx(mustNode(t, d.Add(tt.want))); a != b {
			t.Errorf("%s: date + it = %s, want %s", tt.name, a, b)
		}
	}
	if got := sx(mustNode(t, d.Add(query.Days(1).Neg()))); got != "Value(2020-01-30)" {
		t.Errorf("date + -days(1) = %s", got)
	}
	for _, ne := range [][2]query.Duration{
		{query.Weeks(1), query.Days(7)}, // ehrQL: weeks(1) != days(7)
		{query.Days(1), query.Days(2)},
		{query.DaysOf(query.Int(1)), query.DaysOf(query.Int(1))},
	} {
		if ne[0].Equal(ne[1]) {
			t.Errorf("%s equals %s", ne[0], ne[1])
		}
	}
	if !query.Months(2).Equal(query.Months(2)) {
		t.Error("months(2) != months(2)")
	}

	// A duration per patient adds and negates its values.
	n := query.Int(3)
	got := sx(mustNode(t, query.Date("2020-01-01").Add(query.DaysOf(n).Plus(query.Days(2)).Neg())))
	if want := "DateAddDays(Value(2020-01-01), Negate(Add(Value(3), Value(2))))"; got != want {
		t.Errorf("per-patient duration: %s, want %s", got, want)
	}

	// Different units do not add.
	if _, err := query.Node(d.Add(query.Days(1).Plus(query.Weeks(1)))); err == nil || err.Error() == "" {
		t.Error("days(1) + weeks(1) was accepted")
	} else if want := "unsupported operand type(s) for +: 'days' and 'weeks'"; !strings.Contains(err.Error(), want) {
		t.Errorf("days + weeks: %v, want %q", err, want)
	}
}
