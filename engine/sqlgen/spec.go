package sqlgen

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
	spec.Categories = model.Categories(n)
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
