package core

import (
	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/tables/internal/registrations"
)

// The helper methods of ehrql.tables.core. Each builds exactly the
// expression ehrQL's method of the same name builds from the table's own
// columns, so the query model is the same as ehrQL's; none adds a node of
// its own. They use the columns of the frame they are called on, so they
// also work on a filtered view of a table, as in ehrQL.
//
// The tables of other modules that extend core's (tables.Extends: tpp's
// practice_registrations and ons_deaths, emis's practice_registrations)
// have these helpers too: gentyped copies each method declared here on the
// extended table's types into the extending table's generated file. A
// helper of such a table may therefore use only the table's own columns and
// methods and the exported names of other packages; after changing one,
// run go generate ./tables/... (TestGeneratedFilesUpToDate fails until
// then).

// AgeOn is the patient's age on date, in whole elapsed calendar years:
// (date − date_of_birth).years. It takes no account of whether the patient
// is alive on date, and is negative if date is before the date of birth.
// ehrQL: patients.age_on(date).
func (p PatientsFrame) AgeOn(date query.DatePatientSeries) query.IntPatientSeries {
	return date.Minus(p.DateOfBirth).Years()
}

// IsAliveOn is true where the patient's primary care record has no date of
// death, or one after date: date_of_death.is_after(date) |
// date_of_death.is_null(). It is false on the day of death, and true before
// birth. ehrQL: patients.is_alive_on(date).
func (p PatientsFrame) IsAliveOn(date query.DatePatientSeries) query.BoolPatientSeries {
	return p.DateOfDeath.IsAfter(date).Or(p.DateOfDeath.IsNull())
}

// IsDeadOn is true where the patient's primary care record has a date of
// death before date: date_of_death.is_not_null() &
// date_of_death.is_before(date). Like IsAliveOn, it is false on the day of
// death. ehrQL: patients.is_dead_on(date).
func (p PatientsFrame) IsDeadOn(date query.DatePatientSeries) query.BoolPatientSeries {
	return p.DateOfDeath.IsNotNull().And(p.DateOfDeath.IsBefore(date))
}

// Spanning keeps the registrations that span the whole period from start
// to end, both included: start_date.is_on_or_before(start) &
// (end_date.is_on_or_after(end) | end_date.is_null()). A NULL start or end
// keeps none. ehrQL: practice_registrations.spanning(start, end).
func (r PracticeRegistrationsFrame) Spanning(start, end query.DatePatientSeries) PracticeRegistrationsFrame {
	return registrations.Spanning(r, r.StartDate, r.EndDate, start, end)
}

// ForPatientOn is each patient's registration on date:
// spanning(date, date).sort_by(start_date, end_date,
// practice_pseudo_id).last_for_patient(). It prefers the latest start date,
// then the latest non-NULL end date, then the largest practice_pseudo_id;
// patients with no registration on date get NULL columns. ehrQL:
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

// CauseOfDeathIsIn matches the codelist against underlying_cause_of_death
// and cause_of_death_01 … cause_of_death_15: the OR, in that order, of each
// column's is_in(codelist). The OR is three-valued, so the result is NULL,
// not false, where no column matches and any is NULL, and for patients with
// no registered death. ehrQL: ons_deaths.cause_of_death_is_in(codelist).
func (d ONSDeathsFrame) CauseOfDeathIsIn(cl codelists.Codelist) query.BoolPatientSeries {
	cols := []query.CodePatientSeries{
		d.UnderlyingCauseOfDeath,
		d.CauseOfDeath01, d.CauseOfDeath02, d.CauseOfDeath03, d.CauseOfDeath04, d.CauseOfDeath05,
		d.CauseOfDeath06, d.CauseOfDeath07, d.CauseOfDeath08, d.CauseOfDeath09, d.CauseOfDeath10,
		d.CauseOfDeath11, d.CauseOfDeath12, d.CauseOfDeath13, d.CauseOfDeath14, d.CauseOfDeath15,
	}
	out := cols[0].IsIn(cl)
	for _, c := range cols[1:] {
		out = out.Or(c.IsIn(cl))
	}
	return out
}
