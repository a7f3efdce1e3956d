package main

import (
	q "github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/tables/core"
)

func main() {
	ds := q.NewDataset()
	ds.DefinePopulation(core.Patients.ExistsForPatient())
	ds.Add("sex", core.Patients.Sex)
	events := core.ClinicalEvents.Where(core.ClinicalEvents.Date.IsOnOrAfter(q.Date("2020-01-01")))
	t := ds.AddEventTable("recent_events")
	t.Add("date", events.Date)
	t.Add("code", events.SnomedctCode)
	t.Add("sex", core.Patients.Sex)
	ds.ClaimPermissions("event_level_data")
	q.Emit(ds)
}
