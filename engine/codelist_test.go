package engine_test

import (
	"fmt"
	"testing"

	"github.com/ehrql-go/ehrql/engine/memory"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
)

// TestLargeCodelistTests: a codelist of 100 codes (declared once in the
// SQL and joined or read as a table) tested as a frame's whole condition,
// inside an OR, and by a pick that ranks the codes gives the same rows on
// DuckDB as on the reference engine, NULL codes included.
func TestLargeCodelistTests(t *testing.T) {
	ce := must(model.SelectTable(tables.Core("clinical_events")))
	pat := must(model.SelectTable(tables.Core("patients")))
	code := must(model.SelectColumn(ce, "snomedct_code"))
	date := must(model.SelectColumn(ce, "date"))
	var codes []model.Literal
	for i := range 100 {
		codes = append(codes, mustCode(fmt.Sprintf("1%05d", i)))
	}
	codelist, err := model.SetLit(model.CodeType("SNOMEDCTCode"), codes)
	if err != nil {
		t.Fatal(err)
	}
	inList := must(model.Function(model.OpIn, code, model.MustValue(codelist)))
	before2020 := must(model.Function(model.OpLT, date, model.MustValue(model.DateLit(model.MustParseDate("2020-01-01")))))
	coded := must(model.Filter(ce, inList))
	codedOrEarly := must(model.Filter(ce, must(model.Function(model.OpOr, inList, before2020))))
	last := must(model.PickOneRowPerPatient(must(model.Sort(coded, date)), model.Last))
	ds := &model.Dataset{
		Population: must(model.Aggregate(model.OpExists, pat)),
		Variables: []model.Variable{
			{Name: "coded", Series: must(model.Aggregate(model.OpCount, coded))},
			{Name: "coded_or_early", Series: must(model.Aggregate(model.OpCount, codedOrEarly))},
			{Name: "last_code", Series: must(model.SelectColumn(last, "snomedct_code"))},
		},
	}
	date_ := func(s string) model.CivilDate { return model.MustParseDate(s) }
	event := func(id int64, d string, c any) memory.Row {
		return memory.Row{PatientID: id, Values: map[string]any{"date": date_(d), "snomedct_code": c}}
	}
	data := memory.Data{
		"patients": {
			{PatientID: 1, Values: map[string]any{"date_of_birth": date_("1980-01-01")}},
			{PatientID: 2, Values: map[string]any{"date_of_birth": date_("1980-01-01")}},
			{PatientID: 3, Values: map[string]any{"date_of_birth": date_("1980-01-01")}},
		},
		"clinical_events": {
			// in the list, twice, the later one ranking lower
			event(1, "2019-06-01", "100099"), event(1, "2021-01-01", "100001"),
			// not in the list: counted when early, never last
			event(1, "2019-01-01", "999999"), event(1, "2022-01-01", "999999"),
			// a NULL code: counted only when early
			event(2, "2019-01-01", nil), event(2, "2021-01-01", nil), event(2, "2020-05-01", "100050"),
			// nothing in the list
			event(3, "2021-01-01", "100100"),
		},
	}
	want := "1 2 3 100001\n2 1 2 100050\n3 0 0 <nil>\n"
	ref, duck, q := onBothEngines(t, ds, data)
	if ref != want {
		t.Errorf("reference engine:\n%s\nwant\n%s", ref, want)
	}
	if duck != want {
		t.Errorf("DuckDB:\n%s\nwant\n%s\n%s", duck, want, q.SQL)
	}
}
