package model

import (
	"fmt"
	"regexp"
	"time"
)

// CivilDate is a calendar date with no time zone, as ehrQL's dates are.
// The zero value is 0001-01-01.
type CivilDate struct {
	Year  int
	Month time.Month
	Day   int
}

var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// ParseDate parses a strict ISO date, YYYY-MM-DD, that must be a real
// calendar date, with ehrQL's error messages.
func ParseDate(s string) (CivilDate, error) {
	if !isoDate.MatchString(s) {
		return CivilDate{}, fmt.Errorf("Dates must be in YYYY-MM-DD format: %q", s)
	}
	t, err := time.Parse("2006-01-02", s)
	if err == nil && t.Year() < 1 {
		return CivilDate{}, fmt.Errorf("year 0 is out of range in %q", s)
	}
	if err != nil {
		if m := s[5:7]; m < "01" || m > "12" {
			return CivilDate{}, fmt.Errorf("month must be in 1..12 in %q", s)
		}
		return CivilDate{}, fmt.Errorf("day is out of range for month in %q", s)
	}
	return DateOf(t), nil
}

// MustParseDate is ParseDate for dates known to be valid; it panics otherwise
// and is meant for tests and constants.
func MustParseDate(s string) CivilDate {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// DateOf returns the calendar date of t.
func DateOf(t time.Time) CivilDate {
	y, m, d := t.Date()
	return CivilDate{y, m, d}
}

// Time returns midnight UTC on the date.
func (d CivilDate) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// String formats the date as YYYY-MM-DD.
func (d CivilDate) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// Before reports whether d is before e.
func (d CivilDate) Before(e CivilDate) bool { return d.Time().Before(e.Time()) }

// AddDays adds n days.
func (d CivilDate) AddDays(n int) CivilDate { return DateOf(d.Time().AddDate(0, 0, n)) }

// AddMonths adds n months with ehrQL's rule: a day that does not exist in the
// target month rolls forward to the first of the next month (never clamps).
func (d CivilDate) AddMonths(n int) CivilDate {
	m := int(d.Month) - 1 + n
	y := d.Year + floorDiv(m, 12)
	m = m - floorDiv(m, 12)*12
	target := CivilDate{y, time.Month(m + 1), d.Day}
	if d.Day > daysIn(y, time.Month(m+1)) {
		return CivilDate{y, time.Month(m + 1), 1}.AddMonths(1)
	}
	return target
}

// AddYears adds n years; 29 February becomes 1 March in a non-leap year.
func (d CivilDate) AddYears(n int) CivilDate { return d.AddMonths(12 * n) }

// DaysSince returns d − e in days.
func (d CivilDate) DaysSince(e CivilDate) int { return d.dayNumber() - e.dayNumber() }

// dayNumber counts days from a fixed epoch (the proleptic Gregorian
// calendar's day 0), exact for every year.
func (d CivilDate) dayNumber() int {
	y, m := d.Year, int(d.Month)
	if m <= 2 {
		y--
		m += 12
	}
	return 365*y + floorDiv(y, 4) - floorDiv(y, 100) + floorDiv(y, 400) + (153*(m-3)+2)/5 + d.Day
}

// MonthsSince returns the whole months elapsed from e to d, floor-style.
func (d CivilDate) MonthsSince(e CivilDate) int {
	n := 12*(d.Year-e.Year) + int(d.Month) - int(e.Month)
	if d.Day < e.Day {
		n--
	}
	return n
}

// YearsSince returns the whole years elapsed from e to d, floor-style.
func (d CivilDate) YearsSince(e CivilDate) int {
	n := d.Year - e.Year
	if d.Month < e.Month || (d.Month == e.Month && d.Day < e.Day) {
		n--
	}
	return n
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
