package main

import (
	q "github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables/core"
)

func main() {
	index := q.TableFromFile("index_dates.csv",
		model.Column{Name: "index_date", Type: model.Date},
		model.Column{Name: "score", Type: model.Float},
	)
	indexDate := q.Column[q.DatePatientSeries](index, "index_date")
	ds := q.NewDataset()
	ds.DefinePopulation(core.Patients.ExistsForPatient().And(index.ExistsForPatient()))
	ds.Add("index_date", indexDate)
	ds.Add("score", q.Column[q.FloatPatientSeries](index, "score"))
	ds.Add("age_at_index", core.Patients.AgeOn(indexDate))
	q.Emit(ds)
}
