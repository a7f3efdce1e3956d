package model_test

import (
	"testing"

	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
)

func TestSubstitute(t *testing.T) {
	ce, _ := model.SelectTable(tables.Core("clinical_events"))
	date, _ := model.SelectColumn(ce, "date")
	start, _ := model.Parameter("interval_start_date", model.Date)
	ge, _ := model.Function(model.OpGE, date, start)
	f, _ := model.Filter(ce, ge)
	count, _ := model.Aggregate(model.OpCount, f)

	d := model.MustParseDate("2020-01-01")
	got, err := model.Substitute(count, map[string]model.Literal{"interval_start_date": model.DateLit(d)})
	if err != nil {
		t.Fatal(err)
	}
	ge2, _ := model.Function(model.OpGE, date, model.MustValue(model.DateLit(d)))
	f2, _ := model.Filter(ce, ge2)
	want, _ := model.Aggregate(model.OpCount, f2)
	if got.ID() != want.ID() {
		t.Error("substituted graph differs from the one built with the value")
	}
	if same, _ := model.Substitute(date, nil); same != date {
		t.Error("a graph without parameters should be returned unchanged")
	}
	if _, err := model.Substitute(count, nil); err == nil {
		t.Error("a missing parameter value should be an error")
	}
	if _, err := model.Substitute(count, map[string]model.Literal{"interval_start_date": model.IntLit(1)}); err == nil {
		t.Error("a value of the wrong type should be an error")
	}
}
