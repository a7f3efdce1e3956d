package main

import (
	q "github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/tables/core"
)

func main() {
	p := q.FromArgs()
	index := p.Date("index-date")
	ds := q.NewDataset()
	ds.DefinePopulation(core.Patients.ExistsForPatient())
	ds.Add("age", core.Patients.AgeOn(index))
	ds.Add("sex", core.Patients.Sex)
	q.Emit(ds)
}
