package main

import (
	q "github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/tables/core"
)

func main() {
	events := core.ClinicalEvents
	q.Show(core.Patients)
	q.Show(events.Date, events.SnomedctCode, q.Label("events"), q.Head(2), q.Tail(1))
	recent := events.Where(events.Date.IsOnOrAfter(q.Date("2020-01-01")))
	q.Show(recent.CountForPatient(), core.Patients.Sex, q.Label("recent <counts>"))
	q.Show(recent.SortBy(recent.Date))

	ds := q.NewDataset()
	ds.DefinePopulation(core.Patients.ExistsForPatient())
	ds.Add("sex", core.Patients.Sex)
	ds.Add("last", recent.SortBy(recent.Date).LastForPatient().Date)
	q.Show(ds, q.Label("dataset"))
	q.Emit(ds)
}
