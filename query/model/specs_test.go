package model_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
)

// showSpec renders a column spec on one line:
// name type [nullable] categories=[…] range=lo..hi.
func showSpec(s model.ColumnSpec) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", s.Name, s.Type.Name())
	if s.Nullable {
		b.WriteString(" nullable")
	}
	if s.Categories != nil {
		cats := make([]string, len(s.Categories))
		for i, l := range s.Categories {
			cats[i] = l.String()
		}
		fmt.Fprintf(&b, " categories=[%s]", strings.Join(cats, " "))
	}
	if s.Min != nil || s.Max != nil {
		fmt.Fprintf(&b, " range=%s..%s", showBound(s.Min), showBound(s.Max))
	}
	return b.String()
}

func showBound(p *int64) string {
	if p == nil {
		return "?"
	}
	return fmt.Sprint(*p)
}

func showSpecs(specs []model.ColumnSpec) string {
	lines := make([]string, len(specs))
	for i, s := range specs {
		lines[i] = showSpec(s)
	}
	return strings.Join(lines, "\n")
}

// User-defined tables, patient-level and event-level, whose columns carry
// the constraints column specs read: Categorical (with a repeated value, on
// an int, empty) and ClosedRange.
var specColumnsWithConstraints = []model.Column{
	{Name: "grade", Type: model.Str, Constraints: []model.Constraint{model.Categorical{Values: []model.Literal{model.StrLit("b"), model.StrLit("a"), model.StrLit("b")}}}},
	{Name: "level", Type: model.Int, Constraints: []model.Constraint{model.Categorical{Values: []model.Literal{model.IntLit(1), model.IntLit(2)}}}},
	{Name: "score", Type: model.Int, Constraints: []model.Constraint{model.ClosedRange{Min: -5, Max: 300, Step: 1}}},
	{Name: "empty", Type: model.Str, Constraints: []model.Constraint{model.Categorical{Values: []model.Literal{}}}},
	{Name: "note", Type: model.Str},
}

var (
	specTable  = &model.Table{Name: "specs", PatientLevel: true, Columns: specColumnsWithConstraints}
	specEvents = &model.Table{Name: "spec_events", Columns: specColumnsWithConstraints}
)

func TestSeriesColumnSpec(t *testing.T) {
	pat := must(model.SelectTable(tables.Core("patients")))
	sex := must(model.SelectColumn(pat, "sex"))
	dob := must(model.SelectColumn(pat, "date_of_birth"))
	isMale := must(model.Function(model.OpEQ, sex, model.MustValue(model.StrLit("male"))))
	labelled := must(model.Case([]*model.Node{isMale}, []*model.Node{model.MustValue(model.StrLit("M"))}, sex))
	unlabelled := must(model.Case([]*model.Node{isMale}, []*model.Node{sex}, nil))
	open := must(model.Case([]*model.Node{isMale}, []*model.Node{model.MustValue(model.StrLit("M"))}, must(model.SelectColumn(must(model.SelectTable(specTable)), "note"))))
	user := must(model.SelectTable(specTable))
	grade := must(model.SelectColumn(user, "grade"))
	userEvents := must(model.SelectTable(specEvents))
	events := must(model.SelectTable(tables.Core("clinical_events")))
	cases := []struct {
		name string
		n    *model.Node
		want string
	}{
		{"categorical column", sex, `x str nullable categories=["female" "male" "intersex" "unknown"]`},
		{"other column", dob, `x date nullable`},
		{"literal", model.MustValue(model.StrLit("x")), `x str nullable categories=["x"]`},
		{"int literal", model.MustValue(model.IntLit(3)), `x int nullable categories=[3]`},
		{"case: union in order", labelled, `x str nullable categories=["M" "female" "male" "intersex" "unknown"]`},
		{"case with a NULL default", unlabelled, `x str nullable categories=["female" "male" "intersex" "unknown"]`},
		{"case with a value of unknown categories", open, `x str nullable`},
		{"categorical column: repeats dropped", grade, `x str nullable categories=["b" "a"]`},
		{"maximum of a categorical column", must(model.Aggregate(model.OpMax, must(model.SelectColumn(userEvents, "grade")))), `x str nullable categories=["b" "a"]`},
		{"int categorical column", must(model.SelectColumn(user, "level")), `x int nullable categories=[1 2]`},
		{"closed range", must(model.SelectColumn(user, "score")), `x int nullable range=-5..300`},
		{"empty categorical", must(model.SelectColumn(user, "empty")), `x str nullable categories=[]`},
		{"count", must(model.Aggregate(model.OpCount, events)), `x int nullable range=0..65535`},
		{"sum: no bounds", must(model.Aggregate(model.OpSum, must(model.SelectColumn(userEvents, "score")))), `x int nullable`},
	}
	for _, c := range cases {
		if got := showSpec(model.SeriesColumnSpec("x", c.n)); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}

func TestDatasetAndEventColumnSpecs(t *testing.T) {
	pat := must(model.SelectTable(tables.Core("patients")))
	sex := must(model.SelectColumn(pat, "sex"))
	events := must(model.SelectTable(tables.Core("clinical_events")))
	code := must(model.SelectColumn(events, "snomedct_code"))
	count := must(model.Aggregate(model.OpCount, events))
	ds := &model.Dataset{
		Population: must(model.Aggregate(model.OpExists, events)),
		Variables:  []model.Variable{{Name: "sex", Series: sex}, {Name: "n", Series: count}},
		Events: []model.EventTable{{Name: "ev", Frame: must(model.SeriesCollectionFrame(
			[]string{"code", "sex"}, []*model.Node{code, sex}))}},
	}
	got := showSpecs(model.ColumnSpecs(ds))
	want := `patient_id int
sex str nullable categories=["female" "male" "intersex" "unknown"]
n int nullable range=0..65535`
	if got != want {
		t.Errorf("dataset:\n got %s\nwant %s", got, want)
	}
	got = showSpecs(model.EventColumnSpecs(ds.Events[0]))
	want = `patient_id int
code SNOMEDCTCode nullable
sex str nullable categories=["female" "male" "intersex" "unknown"]`
	if got != want {
		t.Errorf("event table:\n got %s\nwant %s", got, want)
	}
}

func TestMeasuresColumnSpecs(t *testing.T) {
	pat := must(model.SelectTable(tables.Core("patients")))
	sex := must(model.SelectColumn(pat, "sex"))
	user := must(model.SelectTable(specTable))
	score := must(model.SelectColumn(user, "score"))
	alive := must(model.Function(model.OpIsNull, must(model.SelectColumn(pat, "date_of_death"))))
	ms := []model.Measure{
		{Name: "b", Numerator: alive, Denominator: alive, GroupBy: []model.Variable{{Name: "sex", Series: sex}}},
		{Name: "a", Numerator: alive, Denominator: alive, GroupBy: []model.Variable{{Name: "score", Series: score}, {Name: "sex", Series: sex}}},
		{Name: "b", Numerator: alive, Denominator: alive},
	}
	got := showSpecs(model.MeasuresColumnSpecs(ms))
	want := `measure str categories=["b" "a"]
interval_start date
interval_end date
ratio float nullable
numerator int nullable
denominator int nullable
sex str nullable categories=["female" "male" "intersex" "unknown"]
score int nullable range=-5..300`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got, want := showSpecs(model.MeasuresColumnSpecs(nil)[:1]), `measure str categories=[]`; got != want {
		t.Errorf("no measures: got %s, want %s", got, want)
	}
}
