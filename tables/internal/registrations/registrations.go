// Package registrations holds the practice-registration helper that every
// typed table package shares: ehrQL's practice_registrations.spanning,
// which core, tpp, emis and emisv2 each declare on a table of their own.
package registrations

import "github.com/ehrql-go/ehrql/query"

// Frame is a registrations frame that can be filtered: F is its own type.
type Frame[F any] interface {
	Where(cond query.BoolSeries) F
}

// Spanning keeps the rows of f whose startDate and endDate columns span the
// whole period from start to end, both included:
// start_date.is_on_or_before(start) & (end_date.is_on_or_after(end) |
// end_date.is_null()). A NULL start or end keeps none.
func Spanning[F Frame[F]](f F, startDate, endDate query.DateEventSeries, start, end query.DatePatientSeries) F {
	return f.Where(startDate.IsOnOrBefore(start).And(
		endDate.IsOnOrAfter(end).Or(endDate.IsNull()),
	))
}
