package main

import (
	q "github.com/ehrql-go/ehrql/query"

	"github.com/ehrql-go/ehrql/measures"
	"github.com/ehrql-go/ehrql/tables/core"
)

func main() {
	m := measures.New()
	alive := core.Patients.IsAliveOn(measures.IntervalStart())
	m.DefineMeasure("alive_by_sex", measures.Measure{
		Numerator:   alive,
		Denominator: core.Patients.ExistsForPatient(),
		GroupBy:     []measures.Group{{Name: "sex", Series: core.Patients.Sex}},
		Intervals:   measures.Years(2).StartingOn("2019-01-01"),
	})
	m.ConfigureDisclosureControl(false)
	q.Emit(m)
}
