package model

import "sort"

// Walk calls visit on every node under the roots, roots included, each
// once and parents before their children; when visit returns false the
// node's children are not visited (through it).
func Walk(visit func(n *Node) bool, roots ...*Node) {
	seen := map[ID]bool{}
	var walk func(n *Node)
	walk = func(n *Node) {
		if n == nil || seen[n.id] {
			return
		}
		seen[n.id] = true
		if !visit(n) {
			return
		}
		for _, a := range n.args {
			walk(a)
		}
	}
	for _, r := range roots {
		walk(r)
	}
}

// PickedColumns returns, for each PickOneRowPerPatient under the roots,
// the names of the columns read from it, sorted. ehrQL breaks ties between
// rows a sort leaves equal by these columns (its rewrite_sorts), so every
// engine orders a pick's rows by them.
func PickedColumns(roots ...*Node) map[ID][]string {
	out := map[ID][]string{}
	seen := map[[2]any]bool{}
	Walk(func(n *Node) bool {
		if n.op == OpSelectColumn && n.args[0].op == OpPickOneRowPerPatient {
			pick := n.args[0].id
			if key := [2]any{pick, n.name}; !seen[key] {
				seen[key] = true
				out[pick] = append(out[pick], n.name)
			}
		}
		return true
	}, roots...)
	for _, names := range out {
		sort.Strings(names)
	}
	return out
}
