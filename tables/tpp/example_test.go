package tpp_test

import (
	"fmt"

	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/tables/tpp"
)

// A small dataset: adults registered on the start date, with their age,
// sex, the last consultation code of the year, their IMD quintile and
// whether they died of COVID-19.
func Example() {
	start, end := query.Date("2019-04-01"), query.Date("2020-03-31")
	consultations := codelists.New("185317003", "386473003")
	covid := codelists.New("U071", "U072")

	ds := query.NewDataset()
	age := tpp.Patients.AgeOn(start)
	ds.DefinePopulation(tpp.PracticeRegistrations.ExistsForPatientOn(start).And(age.Ge(query.Int(18))))

	events := tpp.ClinicalEvents.Where(tpp.ClinicalEvents.Date.IsOnOrBetween(start, end))
	events = events.Where(events.SnomedctCode.IsIn(consultations))
	last := events.SortBy(events.Date).LastForPatient()

	ds.Add("age", age)
	ds.Add("sex", tpp.Patients.Sex)
	ds.Add("last_code", last.SnomedctCode)
	ds.Add("consultations", events.CountForPatient())
	ds.Add("region", tpp.PracticeRegistrations.ForPatientOn(start).PracticeNuts1RegionName)
	ds.Add("imd_quintile", tpp.Addresses.ForPatientOn(start).IMDQuintile())
	ds.Add("covid_death", tpp.ONSDeaths.CauseOfDeathIsIn(covid))

	m, err := ds.Model()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range m.Variables {
		fmt.Printf("%s: %s\n", v.Name, v.Series.Type())
	}
	// Output:
	// age: Series[int]
	// sex: Series[str]
	// last_code: Series[SNOMEDCTCode]
	// consultations: Series[int]
	// region: Series[str]
	// imd_quintile: Series[str]
	// covid_death: Series[bool]
}
