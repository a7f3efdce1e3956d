package model

// Categories returns the values a series can take when ehrQL knows them,
// as its column specs do: a Categorical column's values (also through a
// minimum or maximum of it), a literal, or a case whose every value has
// categories (their union, in order). It returns nil otherwise.
func Categories(n *Node) []Literal {
	if n == nil {
		return nil
	}
	switch n.Op() {
	case OpSelectColumn:
		if col, ok := n.Arg(0).Table().Column(n.Name()); ok {
			cats, _ := col.Categories()
			return cats
		}
	case OpMin, OpMax:
		return Categories(n.Arg(0))
	case OpValue:
		if !n.Type().Set {
			return []Literal{n.Literal()}
		}
	case OpCase:
		_, values, def := n.CaseBranches()
		if def != nil {
			values = append(values, def)
		}
		var out []Literal
		seen := map[string]bool{}
		for _, v := range values {
			if v == nil {
				continue
			}
			cats := Categories(v)
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
