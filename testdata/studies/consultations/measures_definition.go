//go:build ignore

// The consultation measures of the "digital access to primary care" study:
// virtual consultations per seen appointment, month by month over three
// years, by age band, sex, ethnicity and IMD quintile.
//
//	ehrql generate-measures testdata/studies/consultations/measures_definition.go \
//	    --dummy-tables testdata/studies/consultations/dummy_tables \
//	    --output output/measures/consultation_measures.csv
package main

import (
	q "github.com/ehrql-go/ehrql/query"

	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/measures"
	"github.com/ehrql-go/ehrql/tables/tpp"
)

var (
	virtualConsultation = codelists.FromCSV("codelists/user-KatieDavies_1234-virtual-consultation.csv", "code")
	ethnicityCodes      = codelists.FromCSVWithCategories("codelists/opensafely-ethnicity-snomed-0removed.csv", "snomedcode", "Grouping_6")
)

func main() {
	start := measures.IntervalStart()
	end := measures.IntervalEnd()

	events := tpp.ClinicalEvents
	selected := events.Where(events.Date.IsOnOrBetween(start, end))
	countVirtual := selected.Where(events.SnomedctCode.IsIn(virtualConsultation)).CountForPatient()

	age := tpp.Patients.AgeOn(start)
	registered := tpp.PracticeRegistrations.ForPatientOn(start).ExistsForPatient()

	appointments := tpp.Appointments
	seen := appointments.
		Where(appointments.Status.IsIn("Arrived", "In Progress", "Finished", "Visit", "Waiting", "Patient Walked Out")).
		Where(appointments.SeenDate.IsOnOrBetween(start, end)).
		Where(registered.And(age.Ge(q.Int(18))))
	countAppointment := seen.CountForPatient()

	ageBand := q.Case(
		q.When(age.Ge(q.Int(18)).And(age.Lt(q.Int(50))), q.Str("age_18_49")),
		q.When(age.Ge(q.Int(50)).And(age.Lt(q.Int(65))), q.Str("age_50_64")),
		q.When(age.Ge(q.Int(65)).And(age.Lt(q.Int(75))), q.Str("age_65_74")),
		q.When(age.Ge(q.Int(75)).And(age.Lt(q.Int(85))), q.Str("age_75_84")),
		q.When(age.Ge(q.Int(85)), q.Str("age_greater_equal_85")),
		q.Otherwise(q.Str("Missing")),
	)

	imd := tpp.Addresses.SortBy(tpp.Addresses.StartDate).LastForPatient().ImdRounded
	imdQuintile := q.Case(
		q.When(imd.Ge(q.Int(0)).And(imd.Lt(q.Int(6568))), q.Str("1")),
		q.When(imd.Lt(q.Int(13137)), q.Str("2")),
		q.When(imd.Lt(q.Int(19706)), q.Str("3")),
		q.When(imd.Lt(q.Int(26275)), q.Str("4")),
		q.When(imd.Lt(q.Int(32844)), q.Str("5")),
		q.Otherwise(q.Str("Missing")),
	)

	ethnicityCategory := events.
		Where(events.SnomedctCode.IsIn(ethnicityCodes)).
		Where(events.Date.IsOnOrBefore(end)).
		SortBy(events.Date).
		LastForPatient().
		SnomedctCode.ToCategory(ethnicityCodes)
	ethnicity := q.Case(
		q.When(ethnicityCategory.Eq(q.Str("1")), q.Str("White")),
		q.When(ethnicityCategory.Eq(q.Str("2")), q.Str("Mixed")),
		q.When(ethnicityCategory.Eq(q.Str("3")), q.Str("Asian or Asian British")),
		q.When(ethnicityCategory.Eq(q.Str("4")), q.Str("Black or Black British")),
		q.When(ethnicityCategory.Eq(q.Str("5")), q.Str("Chinese or Other Ethnic Groups")),
		q.Otherwise(q.Str("missing")),
	)

	c := measures.New()
	c.ConfigureDummyData(q.DummyData{PopulationSize: 5000})
	c.ClaimPermissions("appointments")
	groups := []measures.Group{
		{Name: "age_band", Series: ageBand},
		{Name: "sex", Series: tpp.Patients.Sex},
		{Name: "ethnicity", Series: ethnicity},
		{Name: "imd_quintile", Series: imdQuintile},
	}
	for _, m := range []struct{ name, start string }{
		{"count_virtual_pre2019_monthly_age", "2019-03-23"},
		{"count_virtual_during2020_monthly_age", "2020-03-23"},
		{"count_virtual_during2021_monthly_age", "2021-03-23"},
	} {
		c.DefineMeasure(m.name, measures.Measure{
			Numerator:   countVirtual,
			Denominator: countAppointment,
			GroupBy:     groups,
			Intervals:   measures.Months(12).StartingOn(m.start),
		})
	}
	q.Emit(c)
}
