package main

import (
	q "github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/tables/core"
)

func main() {
	ds := q.NewDataset()
	ds.DefinePopulation(core.Patients.ExistsForPatient())
	ds.Add("born_late", core.Patients.DateOfBirth.IsAfter(q.Date("2020-13-01")))
	ds.Add("born_late", core.Patients.DateOfBirth.IsAfter(q.Date("2020-12-01")))
	q.Emit(ds)
}
