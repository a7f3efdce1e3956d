// Package registrations holds the practice-registration helpers that the
// typed table packages share: ehrQL's practice_registrations.spanning,
// for_patient_on and exists_for_patient_on, which core, tpp, emis and
// emisv2 each declare on a table of their own.
package registrations

import "github.com/ehrql-go/ehrql/query"

// Frame is a registrations frame: F is its own type, S its sorted type.
type Frame[F, S any] interface {
	Where(cond query.BoolSeries) F
	SortBy(keys ...query.Sortable) S
	ExistsForPatient() query.BoolPatientSeries
}

// Sorted is a sorted registrations frame, from which P is picked.
type Sorted[P any] interface {
	LastForPatient() P
}

// Spanning keeps the rows of f whose startDate and endDate columns span the
// whole period from start to end, both included:
// start_date.is_on_or_before(start) & (end_date.is_on_or_after(end) |
// end_date.is_null()). A NULL start or end keeps none.
func Spanning[F Frame[F, S], S any](f F, startDate, endDate query.DateEventSeries, start, end query.DatePatientSeries) F {
	return f.Where(startDate.IsOnOrBefore(start).And(
		endDate.IsOnOrAfter(end).Or(endDate.IsNull()),
	))
}

// ForPatientOn is each patient's registration on date:
// spanning(date, date).sort_by(keys...).last_for_patient().
func ForPatientOn[F Frame[F, S], S Sorted[P], P any](f F, startDate, endDate query.DateEventSeries, date query.DatePatientSeries, keys ...query.Sortable) P {
	return Spanning(f, startDate, endDate, date, date).SortBy(keys...).LastForPatient()
}

// ExistsForPatientOn is true for patients registered on date (never NULL):
// spanning(date, date).exists_for_patient().
func ExistsForPatientOn[F Frame[F, S], S any](f F, startDate, endDate query.DateEventSeries, date query.DatePatientSeries) query.BoolPatientSeries {
	return Spanning(f, startDate, endDate, date, date).ExistsForPatient()
}
