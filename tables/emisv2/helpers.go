package emisv2

import (
	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/tables/internal/registrations"
)

// The helper methods of ehrql.tables.emisv2. patients, clinical_events and
// medications are core's tables, with core's helpers. Each helper builds
// exactly the expression ehrQL's method of the same name builds, so the
// query model is the same as ehrQL's. addresses and practice_registrations
// are derived from the patient table, so each patient has at most one row
// and the pick needs no tie-break.

// ForPatientOn is each patient's address on date: where(start_date <=
// date).except_where(end_date < date).sort_by(start_date).last_for_patient().
// ehrQL: addresses.for_patient_on(date).
func (a AddressesFrame) ForPatientOn(date query.DatePatientSeries) AddressesRow {
	return a.Where(a.StartDate.Le(date)).
		ExceptWhere(a.EndDate.Lt(date)).
		SortBy(a.StartDate).
		LastForPatient()
}

// Spanning keeps the registrations that span the whole period from start
// to end, both included: start_date.is_on_or_before(start) &
// (end_date.is_on_or_after(end) | end_date.is_null()). ehrQL:
// practice_registrations.spanning(start, end).
func (r PracticeRegistrationsFrame) Spanning(start, end query.DatePatientSeries) PracticeRegistrationsFrame {
	return registrations.Spanning(r, r.StartDate, r.EndDate, start, end)
}

// ForPatientOn is each patient's registration on date:
// spanning(date, date).sort_by(start_date).last_for_patient(). ehrQL:
// practice_registrations.for_patient_on(date).
func (r PracticeRegistrationsFrame) ForPatientOn(date query.DatePatientSeries) PracticeRegistrationsRow {
	return registrations.ForPatientOn(r, r.StartDate, r.EndDate, date, r.StartDate)
}

// ExistsForPatientOn is true for patients registered on date (never NULL):
// spanning(date, date).exists_for_patient(). ehrQL:
// practice_registrations.exists_for_patient_on(date).
func (r PracticeRegistrationsFrame) ExistsForPatientOn(date query.DatePatientSeries) query.BoolPatientSeries {
	return registrations.ExistsForPatientOn(r, r.StartDate, r.EndDate, date)
}
