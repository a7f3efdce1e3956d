// Package duration holds the units of ehrQL's durations (days, weeks,
// months and years): their names, how each moves a calendar date and the
// query-model operation that moves a date series. The language's durations
// (query.Days …) and the measures' intervals (measures.Days …) are both
// counted in these units.
package duration

import (
	"fmt"

	"github.com/ehrql-go/ehrql/query/model"
)

// Unit is a unit of duration.
type Unit int

// The units, in ehrQL's order.
const (
	Days Unit = iota
	Weeks
	Months
	Years
)

// units describes each unit: its ehrQL name, and the query-model operation
// that adds a number of them to a date, with the number of the operation's
// own steps (days, months or years) one unit makes.
var units = [...]struct {
	name   string
	op     model.Op
	factor int
}{
	Days:   {"days", model.OpDateAddDays, 1},
	Weeks:  {"weeks", model.OpDateAddDays, 7},
	Months: {"months", model.OpDateAddMonths, 1},
	Years:  {"years", model.OpDateAddYears, 1},
}

// String is the unit's ehrQL name: "days", "weeks", "months" or "years".
func (u Unit) String() string { return units[u].name }

// Format renders n units as ehrQL writes the duration, e.g. "months(3)".
func (u Unit) Format(n int) string { return fmt.Sprintf("%s(%d)", u, n) }

// DateOp returns the query-model operation that adds a number of units to
// a date, and how many of the operation's steps one unit is: weeks are
// added as 7 days each.
func (u Unit) DateOp() (op model.Op, factor int) { return units[u].op, units[u].factor }

// Add returns date moved by n units (back in time for a negative n), with
// ehrQL's rule that a day missing from the target month rolls forward to
// the first of the next month.
func (u Unit) Add(date model.CivilDate, n int) model.CivilDate {
	op, factor := u.DateOp()
	switch op {
	case model.OpDateAddDays:
		return date.AddDays(n * factor)
	case model.OpDateAddMonths:
		return date.AddMonths(n * factor)
	default:
		return date.AddYears(n * factor)
	}
}
