package output

import "github.com/ehrql-go/ehrql/query/model"

// ColumnsOf converts the query model's column specs (see
// model.ColumnSpecs) into the writers' columns: each spec's type becomes
// its Kind (codes and multi-code strings are str), categories are kept for
// str columns only (as strings) and integer bounds for int columns only.
func ColumnsOf(specs []model.ColumnSpec) []Column {
	cols := make([]Column, len(specs))
	for i, s := range specs {
		cols[i] = columnOf(s)
	}
	return cols
}

func columnOf(s model.ColumnSpec) Column {
	c := Column{Name: s.Name, Nullable: s.Nullable}
	switch s.Type.Kind {
	case model.KindBool:
		c.Kind = Bool
	case model.KindInt:
		c.Kind = Int
		c.Min, c.Max = s.Min, s.Max
	case model.KindFloat:
		c.Kind = Float
	case model.KindDate:
		c.Kind = Date
	default:
		c.Kind = Str
		if s.Categories != nil {
			c.Categories = make([]string, 0, len(s.Categories))
			for _, l := range s.Categories {
				if v, ok := l.Go().(string); ok {
					c.Categories = append(c.Categories, v)
				}
			}
		}
	}
	return c
}
