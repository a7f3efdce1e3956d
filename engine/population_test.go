package engine_test

import (
	"testing"

	"github.com/ehrql-go/ehrql/engine/memory"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
)

// TestPopulationWithoutAPatientsRow: patients with events but no row of
// patients are in a population that does not need that row, and only
// there, on DuckDB as on the reference engine. The compiler drives a
// population from the patients table only when it cannot be true without
// a row there; a NULL test or maximum_of (which skips NULLs) does not need
// one.
func TestPopulationWithoutAPatientsRow(t *testing.T) {
	pat := must(model.SelectTable(tables.Core("patients")))
	ce := must(model.SelectTable(tables.Core("clinical_events")))
	dob := must(model.SelectColumn(pat, "date_of_birth"))
	fn := func(op model.Op, args ...*model.Node) *model.Node { return must(model.Function(op, args...)) }
	hasEvents := must(model.Aggregate(model.OpExists, ce))
	// counted over a frame of their own, so that hasEvents is computed
	// alone and may drive the population
	since1900 := must(model.Filter(ce, must(model.Function(model.OpGT, must(model.SelectColumn(ce, "date")), model.MustValue(model.DateLit(model.MustParseDate("1900-01-01")))))))
	events := must(model.Aggregate(model.OpCount, since1900))
	year := fn(model.OpYearFromDate, dob)
	date := func(s string) model.CivilDate { return model.MustParseDate(s) }
	data := memory.Data{
		"patients": {
			{PatientID: 1, Values: map[string]any{"date_of_birth": date("1980-01-01"), "sex": "female"}},
			{PatientID: 2, Values: map[string]any{"date_of_birth": nil, "sex": "male"}},
			{PatientID: 3, Values: map[string]any{"date_of_birth": date("1990-01-01"), "sex": "male"}},
		},
		"clinical_events": {
			{PatientID: 1, Values: map[string]any{"date": date("2020-01-01"), "snomedct_code": "123456"}},
			{PatientID: 2, Values: map[string]any{"date": date("2020-01-01"), "snomedct_code": "123456"}},
			{PatientID: 4, Values: map[string]any{"date": date("2020-01-01"), "snomedct_code": "123456"}},
			{PatientID: 4, Values: map[string]any{"date": date("2020-02-01"), "snomedct_code": "123456"}},
		},
	}
	for _, c := range []struct {
		name string
		pop  *model.Node
		want string // the patient ids and their counts of events
	}{
		// 3 has no events; 4 has no row of patients.
		{"born before 2000 with events", fn(model.OpAnd, hasEvents, fn(model.OpLT, year, model.MustValue(model.IntLit(2000)))), "1 1\n"},
		{"born before 2000", fn(model.OpLT, year, model.MustValue(model.IntLit(2000))), "1 1\n3 0\n"},
		// 2 has a row with no date of birth, 4 none at all.
		{"events and no date of birth", fn(model.OpAnd, hasEvents, fn(model.OpIsNull, dob)), "2 1\n4 2\n"},
		// maximum_of skips NULLs: 4's two events count without a row.
		{"year of birth or events, the larger over 1", fn(model.OpGT, fn(model.OpMaximumOf, year, events), model.MustValue(model.IntLit(1))),
			"1 1\n3 0\n4 2\n"},
		{"events, or born before 2000", fn(model.OpOr, hasEvents, fn(model.OpLT, year, model.MustValue(model.IntLit(2000)))), "1 1\n2 1\n3 0\n4 2\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ds := &model.Dataset{Population: c.pop, Variables: []model.Variable{{Name: "events", Series: events}}}
			ref, duck, q := onBothEngines(t, ds, data)
			if ref != c.want {
				t.Errorf("reference engine:\n%s\nwant\n%s", ref, c.want)
			}
			if duck != c.want {
				t.Errorf("DuckDB:\n%s\nwant\n%s\nplan:\n%v\n%s", duck, c.want, q.Plan, q.SQL)
			}
		})
	}
}
