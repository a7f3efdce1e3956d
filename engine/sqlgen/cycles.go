package sqlgen

import (
	"slices"

	"github.com/ehrql-go/ehrql/query/model"
)

// A group's scan computes all its members at once, so it must not need,
// however indirectly, a member of its own: grouping by rows and by how
// deeply a member nests members of the same rows (or, in a shared scan, any
// members) rules out a member reading another of its group, but not a
// cycle through the scans of other rows. Two picks of e0, one sorted by a
// count of e1, the other read by a max over e1, share a scan of e0 that
// needs the scan of e1, which needs it:
//
//	e0: last by (i1 + count of e1), last by d1
//	e1: count, max(e1.d1 - (last of e0 by d1).d1)
//
// breakCycles finds such cycles and splits one of their groups by how
// deeply its members nest aggregations and picks (nestingDepth), until no
// cycle is left: a member reads only members nested less deeply, so groups
// whose members all nest alike never form a cycle. It splits the group
// that leaves the fewest groups on a cycle, the first planned on a tie
// (above, e0's picks or e1's aggregations). Plans without a cycle are left
// as they are.
func (c *compiler) breakCycles() {
	deps := map[model.ID][]model.ID{}
	for _, g := range c.groups {
		for _, m := range g.members {
			deps[m.ID()] = c.memberDeps(m)
		}
	}
	nesting := map[model.ID]int{}
	for {
		cyclic := cyclicGroups(c.groups, deps)
		if len(cyclic) == 0 {
			return
		}
		var best []*aggGroup
		at, left := -1, 0
		for _, i := range cyclic {
			parts := splitByDepth(c.groups[i], nesting)
			if len(parts) < 2 {
				continue
			}
			trial := slices.Replace(slices.Clone(c.groups), i, i+1, parts...)
			if n := len(cyclicGroups(trial, deps)); at < 0 || n < left {
				best, at, left = parts, i, n
			}
		}
		if at < 0 {
			// Unreachable: members of one depth never need each other, so a
			// cycle has a group of several depths. Compiling reports it.
			return
		}
		c.groups = slices.Replace(c.groups, at, at+1, best...)
		for _, p := range best {
			for _, m := range p.members {
				c.aggGroup[m.ID()] = p
			}
		}
	}
}

// splitByDepth splits a group into groups of members of one nesting depth,
// the shallowest first.
func splitByDepth(g *aggGroup, nesting map[model.ID]int) []*aggGroup {
	byDepth := map[int]*aggGroup{}
	var depths []int
	for i, m := range g.members {
		d := nestingDepth(m, nesting)
		p := byDepth[d]
		if p == nil {
			p = &aggGroup{frame: g.rows[i], shared: g.shared}
			byDepth[d] = p
			depths = append(depths, d)
		}
		p.members = append(p.members, m)
		p.rows = append(p.rows, g.rows[i])
	}
	slices.Sort(depths)
	parts := make([]*aggGroup, len(depths))
	for i, d := range depths {
		parts[i] = byDepth[d]
	}
	return parts
}

// cyclicGroups returns, in order, the indexes of the groups on a cycle of
// the graph in which a group points to the groups of the members its own
// members need (deps, by member).
func cyclicGroups(groups []*aggGroup, deps map[model.ID][]model.ID) []int {
	n := len(groups)
	groupOf := map[model.ID]int{}
	for i, g := range groups {
		for _, m := range g.members {
			groupOf[m.ID()] = i
		}
	}
	edges := make([][]int, n)
	self := make([]bool, n)
	for i, g := range groups {
		seen := map[int]bool{}
		for _, m := range g.members {
			for _, d := range deps[m.ID()] {
				j, ok := groupOf[d]
				if !ok || seen[j] {
					continue
				}
				seen[j] = true
				edges[i] = append(edges[i], j)
				if j == i {
					self[i] = true
				}
			}
		}
	}
	// Tarjan's strongly connected components.
	index := make([]int, n)
	low := make([]int, n)
	onStack := make([]bool, n)
	for i := range index {
		index[i] = -1
	}
	var stack, out []int
	next := 0
	var visit func(v int)
	visit = func(v int) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		onStack[v] = true
		for _, w := range edges[v] {
			if index[w] < 0 {
				visit(w)
				low[v] = min(low[v], low[w])
			} else if onStack[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] != index[v] {
			return
		}
		var comp []int
		for {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[w] = false
			comp = append(comp, w)
			if w == v {
				break
			}
		}
		if len(comp) > 1 || self[v] {
			out = append(out, comp...)
		}
	}
	for v := range n {
		if index[v] < 0 {
			visit(v)
		}
	}
	slices.Sort(out)
	return out
}

// memberDeps lists the members (aggregations and picks of a group) that
// computing member m in its scan compiles, directly: those its aggregated
// series or its frame's conditions read, and, for a pick, its sort keys.
// Columns of the scanned rows need none; a member needed is not looked
// into (its own scan computes what it needs).
func (c *compiler) memberDeps(m *model.Node) []model.ID {
	var out []model.ID
	seen := map[model.ID]bool{}
	var series func(x *model.Node)
	frame := func(f *model.Node, sortKeys bool) {
		for f != nil {
			switch f.Op() {
			case model.OpSort:
				if sortKeys {
					series(f.Arg(1))
				}
			case model.OpFilter:
				series(f.Arg(1))
			default:
				return
			}
			f = f.Arg(0)
		}
	}
	series = func(x *model.Node) {
		if x == nil || seen[x.ID()] {
			return
		}
		seen[x.ID()] = true
		if (x.Op() == model.OpExists || x.Op() == model.OpCount) && x.Arg(0).Op() == model.OpPickOneRowPerPatient {
			// computed as exists of the rows picked from (aggregate)
			if r, err := model.Aggregate(model.OpExists, x.Arg(0).Arg(0)); err == nil {
				x = r
			}
		}
		if x.ID() != m.ID() && c.aggGroup[x.ID()] != nil {
			out = append(out, x.ID())
			return
		}
		if x.Op() == model.OpSelectColumn && x.Arg(0).ManyRowsPerPatient() {
			return // a column of the scanned row
		}
		if x.Op().IsAggregation() && x.Arg(0).ManyRowsPerPatient() {
			// an aggregation in no group (count episodes) scans its own
			// frame, when needed
			if f := frameOf(x.Arg(0)); f != nil {
				frame(f, false)
			}
		}
		for _, a := range x.Args() {
			series(a)
		}
	}
	switch {
	case m.Op() == model.OpPickOneRowPerPatient:
		frame(m.Arg(0), true)
	case m.Arg(0).IsFrame():
		frame(m.Arg(0), false)
	default:
		series(m.Arg(0))
		if f := frameOf(m.Arg(0)); f != nil {
			frame(f, false)
		}
	}
	return out
}
