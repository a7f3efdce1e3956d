package generative

import (
	"testing"

	"github.com/ehrql-go/ehrql/query/model"
)

// TestSameDefinition: the round trip's comparison of models names the
// first part that differs.
func TestSameDefinition(t *testing.T) {
	p := must(model.SelectTable(tableP0))
	exists := must(model.Aggregate(model.OpExists, p))
	i1, i2 := must(model.SelectColumn(p, "i1")), must(model.SelectColumn(p, "i2"))
	iv := [2]model.CivilDate{model.MustParseDate("2020-01-01"), model.MustParseDate("2020-12-31")}
	def := func(varName string, v, num *model.Node, group string, ivEnd string) *model.Definition {
		return &model.Definition{
			Dataset: &model.Dataset{Population: exists, Variables: []model.Variable{{Name: varName, Series: v}}},
			Measures: []model.Measure{{Name: "m", Numerator: num, Denominator: exists,
				GroupBy:   []model.Variable{{Name: group, Series: i1}},
				Intervals: [][2]model.CivilDate{{iv[0], model.MustParseDate(ivEnd)}}}},
		}
	}
	base := def("v", i1, i1, "g", "2020-12-31")
	for _, tc := range []struct {
		other *model.Definition
		want  string
	}{
		{def("v", i1, i1, "g", "2020-12-31"), ""},
		{def("w", i1, i1, "g", "2020-12-31"), `variables 0: "v", then "w"`},
		{def("v", i2, i1, "g", "2020-12-31"), "variables v: another node"},
		{def("v", i1, i2, "g", "2020-12-31"), "measure m numerator: another node"},
		{def("v", i1, i1, "h", "2020-12-31"), `measure m group_by 0: "g", then "h"`},
		{def("v", i1, i1, "g", "2020-12-30"), "measure m: intervals [[2020-01-01 2020-12-31]], then [[2020-01-01 2020-12-30]]"},
		{&model.Definition{Measures: base.Measures}, "dataset present: true, then false"},
	} {
		err := sameDefinition(base, tc.other)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("same models: %v", err)
		case tc.want != "" && (err == nil || err.Error() != tc.want):
			t.Errorf("got %v, want %s", err, tc.want)
		}
	}
}
