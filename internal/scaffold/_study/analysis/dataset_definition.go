//go:build ignore

// The study's dataset: one row per adult registered at a practice on the
// start date, with their age, sex and asthma diagnoses.
//
//	ehrql generate-dataset analysis/dataset_definition.go --output output/dataset.arrow \
//	    -- --start-date 2023-01-01 --end-date 2023-12-31
//
// (The build line above makes each definition a program of its own, so
// that this file and measures_definition.go can share a folder.)
package main

import (
	"github.com/ehrql-go/ehrql/codelists"
	q "github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/tables/core"
)

var asthma = codelists.FromCSV("codelists/asthma-diagnosis.csv", "code")

func main() {
	params := q.FromArgs()
	start := params.DateOr("start-date", "2023-01-01")
	end := params.DateOr("end-date", "2023-12-31")

	ds := q.NewDataset()
	ds.ConfigureDummyData(q.DummyData{PopulationSize: 1000})

	age := core.Patients.AgeOn(start)
	registered := core.PracticeRegistrations.ExistsForPatientOn(start)
	ds.DefinePopulation(registered.And(age.Ge(q.Int(18))))

	ds.Add("age", age)
	ds.Add("sex", core.Patients.Sex)

	events := core.ClinicalEvents
	diagnoses := events.
		Where(events.SnomedctCode.IsIn(asthma)).
		Where(events.Date.IsOnOrBetween(start, end))
	ds.Add("has_asthma", diagnoses.ExistsForPatient())
	ds.Add("asthma_count", diagnoses.CountForPatient())
	ds.Add("first_asthma_date", diagnoses.SortBy(events.Date).FirstForPatient().Date)

	q.Emit(ds)
}
