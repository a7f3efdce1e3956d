package output

import (
	"fmt"
	"testing"

	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/query/model"
)

func TestColumnsOf(t *testing.T) {
	lo, hi := int64(0), int64(65535)
	str := func(s ...string) []model.Literal {
		out := []model.Literal{}
		for _, v := range s {
			out = append(out, model.StrLit(v))
		}
		return out
	}
	specs := []model.ColumnSpec{
		model.PatientIDSpec,
		{Name: "b", Type: model.Bool, Nullable: true},
		{Name: "n", Type: model.Int, Nullable: true, Min: &lo, Max: &hi},
		{Name: "i", Type: model.Int, Nullable: true, Categories: []model.Literal{model.IntLit(1)}},
		{Name: "f", Type: model.Float, Nullable: true},
		{Name: "d", Type: model.Date},
		{Name: "s", Type: model.Str, Nullable: true, Categories: str("x", "y")},
		{Name: "none", Type: model.Str, Nullable: true, Categories: str()},
		{Name: "open", Type: model.Str, Nullable: true},
		{Name: "code", Type: model.CodeType(codelists.SNOMEDCT), Nullable: true, Categories: str("123")},
		{Name: "multi", Type: model.MultiCodeType(codelists.ICD10), Nullable: true},
	}
	want := []string{
		"patient_id int false [] <nil>..<nil>",
		"b bool true [] <nil>..<nil>",
		"n int true [] 0..65535",
		"i int true [] <nil>..<nil>",
		"f float true [] <nil>..<nil>",
		"d date false [] <nil>..<nil>",
		"s str true [x y] <nil>..<nil>",
		"none str true [] <nil>..<nil>",
		"open str true [] <nil>..<nil>",
		"code str true [123] <nil>..<nil>",
		"multi str true [] <nil>..<nil>",
	}
	bound := func(p *int64) string {
		if p == nil {
			return "<nil>"
		}
		return fmt.Sprint(*p)
	}
	cols := ColumnsOf(specs)
	if len(cols) != len(want) {
		t.Fatalf("%d columns, want %d", len(cols), len(want))
	}
	for i, c := range cols {
		got := fmt.Sprintf("%s %s %v %v %s..%s", c.Name, c.Kind, c.Nullable, c.Categories, bound(c.Min), bound(c.Max))
		if got != want[i] {
			t.Errorf("column %d: got %q, want %q", i, got, want[i])
		}
	}
	// Known but empty categories stay known (an empty dictionary); unknown
	// ones stay nil (plain strings).
	if cols[7].Categories == nil || cols[8].Categories != nil {
		t.Errorf("categories: none %#v, open %#v", cols[7].Categories, cols[8].Categories)
	}
	if err := ValidateColumns(cols); err != nil {
		t.Errorf("converted columns do not validate: %v", err)
	}
}
