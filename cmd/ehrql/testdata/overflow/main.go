// A definition whose variable 'total' overflows an int on the dummy
// tables in tables_overflow: -- --op add, sub, mul or sum.
package main

import (
	q "github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/query/model"
)

func main() {
	op := q.Get(q.FromArgs(), "op", q.StrParam)
	pairs := q.PatientTable(&model.Table{Name: "pairs", PatientLevel: true, Columns: []model.Column{
		{Name: "a", Type: model.Int}, {Name: "b", Type: model.Int},
	}})
	counts := q.EventTable(&model.Table{Name: "counts", Columns: []model.Column{{Name: "n", Type: model.Int}}})
	a := q.Column[q.IntPatientSeries](pairs, "a")
	b := q.Column[q.IntPatientSeries](pairs, "b")
	ds := q.NewDataset()
	ds.DefinePopulation(pairs.ExistsForPatient())
	ds.Add("a", a)
	switch op {
	case "add":
		ds.Add("total", a.Add(b))
	case "sub":
		ds.Add("total", a.Sub(b))
	case "mul":
		ds.Add("total", a.Mul(b))
	case "sum":
		ds.Add("total", q.Column[q.IntEventSeries](counts, "n").SumForPatient())
	}
	q.Emit(ds)
}
