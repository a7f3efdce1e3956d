// The consultation dataset of the "digital access to primary care" study:
// virtual and face-to-face consultations, appointments and demographics of
// adults registered at a practice on the start date.
//
//	ehrql generate-dataset testdata/studies/consultations/dataset_definition.go \
//	    --dummy-tables testdata/studies/consultations/dummy_tables \
//	    --output output/consultation_dataset.arrow \
//	    -- --start-date 2020-04-01 --end-date 2021-03-31
package main

import (
	q "github.com/ehrql-go/ehrql/query"

	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/tables/tpp"
)

var (
	virtualConsultation = codelists.FromCSV("codelists/user-KatieDavies_1234-virtual-consultation.csv", "code")
	f2fConsultation     = codelists.FromCSV("codelists/user-KatieDavies_1234-generic-consultation.csv", "code")
	ethnicityCodes      = codelists.FromCSVWithCategories("codelists/opensafely-ethnicity-snomed-0removed.csv", "snomedcode", "Grouping_6")
)

func main() {
	params := q.FromArgs()
	start := params.Date("start-date")
	end := params.Date("end-date")

	ds := q.NewDataset()
	ds.ConfigureDummyData(q.DummyData{PopulationSize: 5000})

	events := tpp.ClinicalEvents
	selected := events.Where(events.Date.IsOnOrBetween(start, end))

	virtual := selected.Where(events.SnomedctCode.IsIn(virtualConsultation))
	ds.Add("has_virtual_consultation", virtual.ExistsForPatient())
	ds.Add("count_virtual_consultation", virtual.CountForPatient())
	ds.Add("last_virtual_consultation_code", virtual.SortBy(events.Date).LastForPatient().SnomedctCode)

	f2f := selected.Where(events.SnomedctCode.IsIn(f2fConsultation))
	ds.Add("has_f2f_consultation", f2f.ExistsForPatient())
	ds.Add("count_f2f_consultation", f2f.CountForPatient())
	ds.Add("last_f2f_consultation_code", f2f.SortBy(events.Date).LastForPatient().SnomedctCode)

	appointments := tpp.Appointments
	seen := appointments.
		Where(appointments.Status.IsIn("Arrived", "In Progress", "Finished", "Visit", "Waiting", "Patient Walked Out"))
	seen = seen.Where(appointments.SeenDate.IsOnOrBetween(start, end))
	ds.Add("last_appointment_status", seen.SortBy(seen.SeenDate).LastForPatient().Status)
	ds.Add("count_appointment", seen.CountForPatient())
	ds.Add("has_appointment", seen.ExistsForPatient())

	age := tpp.Patients.AgeOn(start)
	ds.Add("age", age)
	ds.Add("age_greater_equal_65", age.Ge(q.Int(65)))
	ds.Add("sex", tpp.Patients.Sex)
	ds.Add("dod", tpp.Patients.DateOfDeath)

	imd := tpp.Addresses.SortBy(tpp.Addresses.StartDate).LastForPatient().ImdRounded
	ds.Add("imd_quintile", q.Case(
		q.When(imd.Ge(q.Int(0)).And(imd.Lt(q.Int(6568))), q.Str("1")),
		q.When(imd.Lt(q.Int(13137)), q.Str("2")),
		q.When(imd.Lt(q.Int(19706)), q.Str("3")),
		q.When(imd.Lt(q.Int(26275)), q.Str("4")),
		q.When(imd.Lt(q.Int(32844)), q.Str("5")),
		q.Otherwise(q.Str("Missing")),
	))

	ethnicity := events.
		Where(events.SnomedctCode.IsIn(ethnicityCodes)).
		Where(events.Date.IsOnOrBefore(end)).
		SortBy(events.Date).
		LastForPatient().
		SnomedctCode.ToCategory(ethnicityCodes)
	ds.Add("ethnicity", q.Case(
		q.When(ethnicity.Eq(q.Str("1")), q.Str("White")),
		q.When(ethnicity.Eq(q.Str("2")), q.Str("Mixed")),
		q.When(ethnicity.Eq(q.Str("3")), q.Str("Asian or Asian British")),
		q.When(ethnicity.Eq(q.Str("4")), q.Str("Black or Black British")),
		q.When(ethnicity.Eq(q.Str("5")), q.Str("Chinese or Other Ethnic Groups")),
		q.Otherwise(q.Str("missing")),
	))

	registered := tpp.PracticeRegistrations.ForPatientOn(start).ExistsForPatient()
	ds.DefinePopulation(registered.And(age.Ge(q.Int(18))))
	ds.ClaimPermissions("appointments")

	q.Emit(ds)
}
