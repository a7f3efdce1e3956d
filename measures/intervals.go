package measures

import (
	"fmt"

	"github.com/ehrql-go/ehrql/internal/callsite"
	"github.com/ehrql-go/ehrql/internal/duration"
	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/query/model"
)

// Interval is one period a measure is evaluated over: from Start to End,
// both included. Build lists of them with Years, Months, Weeks or Days and
// StartingOn or EndingOn, or one at a time with NewInterval.
type Interval struct {
	Start, End model.CivilDate
	// err is a mistake made building the interval (a malformed date, a
	// negative count), reported by the DefineMeasure or DefineDefaults that
	// uses it.
	err error
}

// NewInterval is the interval from start to end (YYYY-MM-DD), both
// included. A malformed date is reported, with its line, by the
// DefineMeasure or DefineDefaults that uses the interval.
func NewInterval(start, end string) Interval {
	s, err := model.ParseDate(start)
	if err != nil {
		return Interval{err: failf("invalid interval start date: %v", err)}
	}
	e, err := model.ParseDate(end)
	if err != nil {
		return Interval{err: failf("invalid interval end date: %v", err)}
	}
	return Interval{Start: s, End: e}
}

// Err returns the mistake made building the interval, or nil.
func (iv Interval) Err() error { return iv.err }

// String renders the interval as "(2020-01-01, 2020-01-31)".
func (iv Interval) String() string { return fmt.Sprintf("(%s, %s)", iv.Start, iv.End) }

// Query returns the interval's dates as a query.Interval of date literals,
// for IsDuring.
func (iv Interval) Query() query.Interval {
	return query.Interval{Start: query.Date(iv.Start.String()), End: query.Date(iv.End.String())}
}

// Duration is a number of whole days, weeks, months or years, from which
// StartingOn and EndingOn build consecutive intervals of one unit each
// (ehrQL's years(n), months(n), weeks(n) and days(n) used as intervals).
type Duration struct {
	unit duration.Unit
	n    int
	loc  string // where the duration was made, for a negative n
}

// Years is n intervals of one calendar year.
func Years(n int) Duration { return Duration{unit: duration.Years, n: n, loc: callsite.Location()} }

// Months is n intervals of one calendar month.
func Months(n int) Duration { return Duration{unit: duration.Months, n: n, loc: callsite.Location()} }

// Weeks is n intervals of seven days.
func Weeks(n int) Duration { return Duration{unit: duration.Weeks, n: n, loc: callsite.Location()} }

// Days is n intervals of one day.
func Days(n int) Duration { return Duration{unit: duration.Days, n: n, loc: callsite.Location()} }

// String renders the duration as ehrQL does, e.g. "months(3)".
func (d Duration) String() string { return d.unit.Format(d.n) }

// StartingOn returns n consecutive intervals, the first starting on date
// (YYYY-MM-DD): for k = 0..n−1, (date + k units, date + (k+1) units − 1
// day). Offsets are always counted from date, so months(3) from 31 January
// 2020 gives (01-31, 02-29), (03-01, 03-30), (03-31, 04-30). Zero gives no
// intervals (an empty, non-nil list). A malformed date or a negative n is
// reported, with its line, by the DefineMeasure or DefineDefaults that uses
// the list.
func (d Duration) StartingOn(date string) []Interval {
	base, err := d.check(date)
	if err != nil {
		return []Interval{{err: err}}
	}
	out := make([]Interval, 0, d.n)
	for k := 0; k < d.n; k++ {
		out = append(out, Interval{Start: d.unit.Add(base, k), End: d.unit.Add(base, k+1).AddDays(-1)})
	}
	return out
}

// EndingOn returns n consecutive intervals, the last ending on date: for
// k = −(n−1)..0, (date + (k−1) units + 1 day, date + k units). Offsets are
// always counted from date, so months(3) ending on 31 March 2020 gives
// (01-01, 01-31), (02-01, 03-01), (03-02, 03-31).
func (d Duration) EndingOn(date string) []Interval {
	base, err := d.check(date)
	if err != nil {
		return []Interval{{err: err}}
	}
	out := make([]Interval, 0, d.n)
	for k := -(d.n - 1); k <= 0; k++ {
		out = append(out, Interval{Start: d.unit.Add(base, k-1).AddDays(1), End: d.unit.Add(base, k)})
	}
	return out
}

func (d Duration) check(date string) (model.CivilDate, error) {
	if d.n < 0 {
		loc := d.loc
		if loc == "" {
			loc = callsite.Location()
		}
		return model.CivilDate{}, &query.DefinitionError{Location: loc,
			Err: fmt.Errorf("%s: the number of intervals must not be negative", d)}
	}
	base, err := model.ParseDate(date)
	if err != nil {
		return model.CivilDate{}, failf("%s: invalid date: %v", d, err)
	}
	return base, nil
}
