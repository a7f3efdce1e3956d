package engine

import (
	"github.com/ehrql-go/ehrql/query/model"
)

// ColumnSpec describes one output column as ehrQL's column specs do: its
// type, the categories a string column can take, and known integer bounds.
type ColumnSpec struct {
	Name       string
	Type       model.Type
	Categories []model.Literal
	Min, Max   *int64
}

// specOf derives a variable's column spec from its series, following
// ehrQL's rules: categories come from Categorical columns (through picks and
// min/max), literals, and case expressions whose every branch has them;
// integer bounds from ClosedRange columns and counts (0..65535).
func specOf(name string, n *model.Node) ColumnSpec {
	spec := ColumnSpec{Name: name, Type: n.Type()}
	spec.Categories = categories(n)
	switch n.Op() {
	case model.OpCount:
		lo, hi := int64(0), int64(65535)
		spec.Min, spec.Max = &lo, &hi
	case model.OpSelectColumn:
		if col, ok := n.Arg(0).Table().Column(n.Name()); ok {
			if r, ok := col.Range(); ok {
				lo, hi := r.Min, r.Max
				spec.Min, spec.Max = &lo, &hi
			}
		}
	}
	return spec
}

func categories(n *model.Node) []model.Literal {
	if n == nil {
		return nil
	}
	switch n.Op() {
	case model.OpSelectColumn:
		if col, ok := n.Arg(0).Table().Column(n.Name()); ok {
			cats, _ := col.Categories()
			return cats
		}
	case model.OpMin, model.OpMax:
		return categories(n.Arg(0))
	case model.OpValue:
		if !n.Type().Set {
			return []model.Literal{n.Literal()}
		}
	case model.OpCase:
		_, values, def := n.CaseBranches()
		if def != nil {
			values = append(values, def)
		}
		var out []model.Literal
		seen := map[string]bool{}
		for _, v := range values {
			if v == nil {
				continue
			}
			cats := categories(v)
			if cats == nil {
				return nil
			}
			for _, c := range cats {
				if k := c.String(); !seen[k] {
					seen[k] = true
					out = append(out, c)
				}
			}
		}
		return out
	}
	return nil
}
