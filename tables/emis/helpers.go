package emis

import (
	"github.com/ehrql-go/ehrql/query"
)

// The helper methods of ehrql.tables.emis. clinical_events, medications and
// ons_deaths are core's tables, with core's helpers, and the generated file
// of practice_registrations, which extends core's, copies core's helpers. Each helper builds
// exactly the expression ehrQL's method of the same name builds from the
// table's own columns, so the query model is the same as ehrQL's.

// AgeOn is the patient's age on date, in whole elapsed calendar years:
// (date − date_of_birth).years. It takes no account of whether the patient
// is alive on date. ehrQL: patients.age_on(date).
func (p PatientsFrame) AgeOn(date query.DatePatientSeries) query.IntPatientSeries {
	return date.Minus(p.DateOfBirth).Years()
}

// HasPracticeRegistrationSpanning is true where the patient's current
// registration spans the whole period from start to end:
// registration_start_date.is_on_or_before(start) &
// (registration_end_date.is_after(end) | registration_end_date.is_null()).
// Unlike practice_registrations.spanning, a registration ending on end does
// not span it. ehrQL: patients.has_practice_registration_spanning(start,
// end).
func (p PatientsFrame) HasPracticeRegistrationSpanning(start, end query.DatePatientSeries) query.BoolPatientSeries {
	return p.RegistrationStartDate.IsOnOrBefore(start).And(
		p.RegistrationEndDate.IsAfter(end).Or(p.RegistrationEndDate.IsNull()),
	)
}
