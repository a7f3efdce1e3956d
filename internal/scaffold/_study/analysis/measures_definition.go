//go:build ignore

// The study's measures: the share of registered adults with an asthma
// diagnosis, month by month, by sex.
//
//	ehrql generate-measures analysis/measures_definition.go --output output/measures.csv
package main

import (
	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/measures"
	q "github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/tables/core"
)

var asthma = codelists.FromCSV("codelists/asthma-diagnosis.csv", "code")

func main() {
	start := measures.IntervalStart()
	end := measures.IntervalEnd()

	events := core.ClinicalEvents
	hasAsthma := events.
		Where(events.SnomedctCode.IsIn(asthma)).
		Where(events.Date.IsOnOrBetween(start, end)).
		ExistsForPatient()

	age := core.Patients.AgeOn(start)
	registered := core.PracticeRegistrations.ExistsForPatientOn(start)

	m := measures.New()
	m.ConfigureDummyData(q.DummyData{PopulationSize: 1000})
	m.DefineMeasure("asthma_diagnosis_rate", measures.Measure{
		Numerator:   hasAsthma,
		Denominator: registered.And(age.Ge(q.Int(18))),
		GroupBy:     []measures.Group{{Name: "sex", Series: core.Patients.Sex}},
		Intervals:   measures.Months(12).StartingOn("2023-01-01"),
	})
	q.Emit(m)
}
