package emis

import (
	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/tables/internal/registrations"
)

// The helper methods of ehrql.tables.emis. clinical_events, medications and
// ons_deaths are core's tables, with core's helpers. Each helper builds
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

// Spanning keeps the registrations that span the whole period from start
// to end, both included. ehrQL: practice_registrations.spanning(start,
// end), inherited from core.
func (r PracticeRegistrationsFrame) Spanning(start, end query.DatePatientSeries) PracticeRegistrationsFrame {
	return registrations.Spanning(r, r.StartDate, r.EndDate, start, end)
}

// ForPatientOn is each patient's registration on date:
// spanning(date, date).sort_by(start_date, end_date,
// practice_pseudo_id).last_for_patient(), as core's. ehrQL:
// practice_registrations.for_patient_on(date).
func (r PracticeRegistrationsFrame) ForPatientOn(date query.DatePatientSeries) PracticeRegistrationsRow {
	return registrations.ForPatientOn(r, r.StartDate, r.EndDate, date, r.StartDate, r.EndDate, r.PracticePseudoID)
}

// ExistsForPatientOn is true for patients registered on date (never NULL):
// spanning(date, date).exists_for_patient(). ehrQL:
// practice_registrations.exists_for_patient_on(date).
func (r PracticeRegistrationsFrame) ExistsForPatientOn(date query.DatePatientSeries) query.BoolPatientSeries {
	return registrations.ExistsForPatientOn(r, r.StartDate, r.EndDate, date)
}
