package query

import (
	"fmt"

	"github.com/ehrql-go/ehrql/internal/duration"
	"github.com/ehrql-go/ehrql/query/model"
)

// The units of durations, defined once in package duration.
const (
	days   = duration.Days
	weeks  = duration.Weeks
	months = duration.Months
	years  = duration.Years
)

// Duration is a number of days, weeks, months or years, fixed or per patient
// or event, to add to or subtract from dates.
type Duration struct {
	unit  duration.Unit
	n     series
	fixed int // valid when lit is true
	lit   bool
}

// Days is a fixed number of days.
func Days(n int) Duration { return fixedDuration(days, n) }

// Weeks is a fixed number of weeks.
func Weeks(n int) Duration { return fixedDuration(weeks, n) }

// Months is a fixed number of calendar months.
func Months(n int) Duration { return fixedDuration(months, n) }

// Years is a fixed number of calendar years.
func Years(n int) Duration { return fixedDuration(years, n) }

// DaysOf is a number of days given by an int series.
func DaysOf(n IntSeries) Duration { return Duration{unit: days, n: n.ser()} }

// WeeksOf is a number of weeks given by an int series.
func WeeksOf(n IntSeries) Duration { return Duration{unit: weeks, n: n.ser()} }

// MonthsOf is a number of months given by an int series.
func MonthsOf(n IntSeries) Duration { return Duration{unit: months, n: n.ser()} }

// YearsOf is a number of years given by an int series.
func YearsOf(n IntSeries) Duration { return Duration{unit: years, n: n.ser()} }

func fixedDuration(u duration.Unit, n int) Duration {
	return Duration{unit: u, n: lit(model.IntLit(int64(n)), nil), fixed: n, lit: true}
}

// String renders the duration, e.g. "months(3)".
func (d Duration) String() string {
	if d.lit {
		return d.unit.Format(d.fixed)
	}
	return fmt.Sprintf("%s(series)", d.unit)
}

// Plus is the sum of two durations in the same unit (days(1).Plus(days(2))
// is days(3)); a duration per patient or event adds its values. Durations
// in different units do not add, as in ehrQL: the result is an error,
// reported with its line where it is used. ehrQL: duration + duration.
func (d Duration) Plus(other Duration) Duration {
	if d.unit != other.unit {
		return Duration{unit: d.unit, n: errSeries("unsupported operand type(s) for +: '%s' and '%s'", d.unit, other.unit)}
	}
	if d.lit && other.lit {
		return fixedDuration(d.unit, d.fixed+other.fixed)
	}
	return Duration{unit: d.unit, n: fn(model.OpAdd, d.n, other.n)}
}

// Minus is d.Plus(other.Neg()). ehrQL: duration - duration.
func (d Duration) Minus(other Duration) Duration { return d.Plus(other.Neg()) }

// Neg is the duration counted the other way in time: Days(1).Neg() is
// Days(-1). ehrQL: -duration.
func (d Duration) Neg() Duration {
	if d.lit {
		return fixedDuration(d.unit, -d.fixed)
	}
	return Duration{unit: d.unit, n: fn(model.OpNegate, d.n)}
}

// Equal reports whether two fixed durations have the same unit and value:
// Weeks(1) is not Days(7), as in ehrQL. A duration given by a series is
// equal to no other (ehrQL compares such values as a series).
func (d Duration) Equal(other Duration) bool {
	return d.lit && other.lit && d.unit == other.unit && d.fixed == other.fixed
}

// addDuration builds date ± duration as ehrQL does; a literal date and a
// literal duration are computed at once.
func addDuration(x series, d Duration, negate bool) series {
	if d.n.err == nil && d.n.n == nil {
		return errSeries("use of an uninitialised Duration")
	}
	if x.err == nil && x.n != nil && x.n.Op() == model.OpValue && d.lit {
		date := x.n.Literal().Go().(model.CivilDate)
		n := d.fixed
		if negate {
			n = -n
		}
		return lit(model.DateLit(d.unit.Add(date, n)), nil)
	}
	n := d.n
	if negate {
		if d.lit {
			n = lit(model.IntLit(int64(-d.fixed)), nil)
		} else {
			n = fn(model.OpNegate, n)
		}
	}
	op, factor := d.unit.DateOp()
	if factor != 1 {
		n = fn(model.OpMultiply, n, lit(model.IntLit(int64(factor)), nil))
	}
	return fn(op, x, n)
}

func countEpisodes(x series, gap Duration) series {
	if !gap.lit || (gap.unit != days && gap.unit != weeks) {
		return errSeries("CountEpisodesForPatient: the maximum gap must be a fixed number of days or weeks, got %s", gap)
	}
	_, factor := gap.unit.DateOp()
	n := int64(gap.fixed) * int64(factor)
	return build(func(a []*model.Node) (*model.Node, error) { return model.CountEpisodes(a[0], n) }, x)
}

// DatePatientDifference is the difference between two dates with one value
// per patient, read in days, weeks, months or years.
type DatePatientDifference struct{ a, b series }

// DateEventDifference is the difference between two dates with many values
// per patient.
type DateEventDifference struct{ a, b series }

// Minus returns the difference date − other, to be read with Days, Weeks,
// Months or Years.
func (x DatePatientSeries) Minus(other DatePatientSeries) DatePatientDifference {
	return DatePatientDifference{x.s, other.s}
}

// Minus returns the difference date − other, to be read with Days, Weeks,
// Months or Years.
func (x DateEventSeries) Minus(other DateSeries) DateEventDifference {
	return DateEventDifference{x.s, other.ser()}
}

// Days is the signed number of days.
func (d DatePatientDifference) Days() IntPatientSeries {
	return IntPatientSeries{fn(model.OpDateDifferenceInDays, d.a, d.b)}
}

// Weeks is floor(days / 7).
func (d DatePatientDifference) Weeks() IntPatientSeries {
	return IntPatientSeries{weeksOf(d.a, d.b)}
}

// Months is the whole months elapsed, floor-style (one day short counts one
// fewer).
func (d DatePatientDifference) Months() IntPatientSeries {
	return IntPatientSeries{fn(model.OpDateDifferenceInMonths, d.a, d.b)}
}

// Years is the whole years elapsed, floor-style (as ages are counted).
func (d DatePatientDifference) Years() IntPatientSeries {
	return IntPatientSeries{fn(model.OpDateDifferenceInYears, d.a, d.b)}
}

// Days is the signed number of days.
func (d DateEventDifference) Days() IntEventSeries {
	return IntEventSeries{fn(model.OpDateDifferenceInDays, d.a, d.b)}
}

// Weeks is floor(days / 7).
func (d DateEventDifference) Weeks() IntEventSeries { return IntEventSeries{weeksOf(d.a, d.b)} }

// Months is the whole months elapsed, floor-style.
func (d DateEventDifference) Months() IntEventSeries {
	return IntEventSeries{fn(model.OpDateDifferenceInMonths, d.a, d.b)}
}

// Years is the whole years elapsed, floor-style.
func (d DateEventDifference) Years() IntEventSeries {
	return IntEventSeries{fn(model.OpDateDifferenceInYears, d.a, d.b)}
}

func weeksOf(a, b series) series {
	return fn(model.OpFloorDivide, fn(model.OpDateDifferenceInDays, a, b), lit(model.IntLit(7), nil))
}
