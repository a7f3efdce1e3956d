package model_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
)

func TestCategories(t *testing.T) {
	pat, _ := model.SelectTable(tables.Core("patients"))
	sex, _ := model.SelectColumn(pat, "sex")
	dob, _ := model.SelectColumn(pat, "date_of_birth")
	isMale, _ := model.Function(model.OpEQ, sex, model.MustValue(model.StrLit("male")))
	labelled, _ := model.Case([]*model.Node{isMale}, []*model.Node{model.MustValue(model.StrLit("M"))}, sex)
	unlabelled, _ := model.Case([]*model.Node{isMale}, []*model.Node{sex}, nil)
	cases := []struct {
		name string
		n    *model.Node
		want string
	}{
		{"categorical column", sex, `["female" "male" "intersex" "unknown"]`},
		{"other column", dob, `[]`},
		{"literal", model.MustValue(model.StrLit("x")), `["x"]`},
		{"case: union in order", labelled, `["M" "female" "male" "intersex" "unknown"]`},
		{"case with a NULL default", unlabelled, `["female" "male" "intersex" "unknown"]`},
	}
	for _, c := range cases {
		var got []string
		for _, l := range model.Categories(c.n) {
			got = append(got, l.String())
		}
		s := fmt.Sprintf("[%s]", strings.Join(got, " "))
		if s != c.want {
			t.Errorf("%s: got %s, want %s", c.name, s, c.want)
		}
	}
}
