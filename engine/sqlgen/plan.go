package sqlgen

import (
	"fmt"

	"github.com/ehrql-go/ehrql/query/model"
)

// aggGroup is a set of aggregations and picks computed in one scan: over
// one frame's rows, or, when shared, over the rows of several frames of one
// event table, each member aggregating only its frame's rows.
type aggGroup struct {
	frame   *model.Node // the rows (of the first member, when shared)
	members []*model.Node
	rows    []*model.Node // each member's rows
	shared  bool
}

// minSharedFrames is the number of differently filtered frames of one event
// table from which they share one scan. The rule: a table read through
// fewer frames is scanned once per frame, with that frame's filters pushed
// into the scan (DuckDB then prunes row groups by zone maps; a codelist is
// a join with its declaration); read through four or more, it is scanned
// once, the rows of any frame kept (codelist tests as one join with a
// table of per-codelist flags) and each aggregate reading only its own
// frame's rows (CASE WHEN frame THEN value END), so the cost is one pass
// over the table instead of one per frame. (The reference study's three
// frames of clinical_events were measured no faster shared, and 2-5%
// faster once picks were integer keys, but then ran out of memory at 4M
// patients in 1GB, where their own scans complete; the wide benchmark's
// 25 frames were a third faster: see bench/RESULTS.md.) A scan's cost
// grows faster than its aggregates (at 1M patients, 32 aggregates in one
// scan took longer than four scans of 8): a shared scan takes at most
// maxSharedMembers aggregations and picks, frames being added in the order
// they are first used, and a table read by more is scanned once per such
// batch.
const (
	minSharedFrames  = 4
	maxSharedMembers = 8
)

// chunkSharedScans assigns the members of each shared table scan (members
// with the same key, in order) to batches of whole frames with at most
// maxSharedMembers members, and returns the function giving a member's
// batch key and whether that batch is shared (has two frames or more).
func chunkSharedScans[M any](members []M, framesOf map[string]map[model.ID]bool, key func(M) string, rows func(M) *model.Node) func(M) (string, bool) {
	type frameInfo struct {
		key   string
		count int
	}
	var order []model.ID
	frames := map[model.ID]*frameInfo{}
	for _, m := range members {
		k := key(m)
		if framesOf[k] == nil {
			continue
		}
		id := rows(m).ID()
		if frames[id] == nil {
			frames[id] = &frameInfo{key: k}
			order = append(order, id)
		}
		frames[id].count++
	}
	batchOf := map[model.ID]string{}
	batchFrames := map[string]int{}
	next := map[string]int{} // table key -> current batch number
	size := map[string]int{} // batch -> members
	for _, id := range order {
		f := frames[id]
		b := fmt.Sprintf("%s/batch %d", f.key, next[f.key])
		if size[b] > 0 && size[b]+f.count > maxSharedMembers {
			next[f.key]++
			b = fmt.Sprintf("%s/batch %d", f.key, next[f.key])
		}
		size[b] += f.count
		batchFrames[b]++
		batchOf[id] = b
	}
	return func(m M) (string, bool) {
		b, ok := batchOf[rows(m).ID()]
		if !ok || key(m) != frames[rows(m).ID()].key {
			return key(m), false
		}
		return b, batchFrames[b] >= minSharedFrames
	}
}

// scanKey is the key of the shared scan a frame's aggregations may join:
// the frame's event table and the nesting depth. A per-interval frame
// (measures) may share a scan only with frames that meet the intervals
// through the same calendar (the same bounds of the same column, see
// intervals.go) and check no patient condition of the interval after
// aggregating; others keep their own scans.
func (c *compiler) scanKey(rows *model.Node, perInterval bool, depth int) (string, bool) {
	f, err := flattenFrame(rows)
	if err != nil || f.table == nil {
		return "", false
	}
	if !perInterval {
		return fmt.Sprintf("table %s/%d", f.table.Name, depth), true
	}
	cal := c.planCalendar(f.conditions)
	if cal == nil || len(c.maskConditions(f.conditions)) > 0 {
		return "", false
	}
	return fmt.Sprintf("table %s/%d/per interval/%s/%s", f.table.Name, depth, cal.column, cal.calendarID), true
}

// newCompiler plans the compilation of roots; intervals are the measures'
// intervals (nil for a dataset, whose definition may then not use the
// interval parameters).
func newCompiler(roots []*model.Node, intervals [][2]model.CivilDate) (*compiler, error) {
	allowParams := intervals != nil
	c := &compiler{
		relations:   map[relationKey]relation{},
		pairsWithin: map[string]string{},
		tablesOf:    map[model.ID]string{},
		selected:    model.PickedColumns(roots...),
		tables:      map[string]*model.Table{},
		perInterval: map[model.ID]bool{},
		aggGroup:    map[model.ID]*aggGroup{},
		inProgress:  map[*aggGroup]bool{},
		flagTables:  map[string]*codeFlags{},
		sets:        map[model.ID]string{},
		pickCodes:   map[model.ID]*pickCode{},
		calendars:   map[string]string{},
		intervals:   intervals,
	}
	var aggs, picks []*model.Node
	var rewritten [][2]*model.Node // (new node, the node it stands for)
	seen := map[model.ID]bool{}
	var walk func(n *model.Node) error
	walk = func(n *model.Node) error {
		if n == nil || seen[n.ID()] {
			return nil
		}
		seen[n.ID()] = true
		switch n.Op() {
		case model.OpSelectTable, model.OpSelectPatientTable, model.OpInlinePatientTable:
			t := n.Table()
			if prev, ok := c.tables[t.Name]; ok && prev != t {
				return fmt.Errorf("the definition uses two different tables named %q (%s and %s)", t.Name, describeTable(prev), describeTable(t))
			}
			c.tables[t.Name] = t
		case model.OpExists, model.OpCount, model.OpCountDistinct, model.OpMin, model.OpMax,
			model.OpSum, model.OpMean, model.OpCombineAsSet:
			if n.Arg(0).ManyRowsPerPatient() {
				aggs = append(aggs, n)
			} else if r := existsOfPick(n); r != nil {
				aggs = append(aggs, r)
				rewritten = append(rewritten, [2]*model.Node{r, n})
			}
		case model.OpPickOneRowPerPatient:
			picks = append(picks, n)
		case model.OpParameter:
			if !allowParams {
				return &UnsupportedError{fmt.Sprintf("parameter %q outside a measure", n.Name())}
			}
			if n.Name() != "interval_start_date" && n.Name() != "interval_end_date" {
				return &UnsupportedError{fmt.Sprintf("parameter %q", n.Name())}
			}
			c.perInterval[n.ID()] = true
		}
		for _, a := range n.Args() {
			if err := walk(a); err != nil {
				return err
			}
			if a != nil && c.perInterval[a.ID()] {
				c.perInterval[n.ID()] = true
			}
		}
		return nil
	}
	for _, r := range roots {
		if err := walk(r); err != nil {
			return nil, err
		}
	}
	// Group the aggregations and picks that read the same rows (one frame,
	// sorts aside) into one scan; frames of one event table share a scan
	// (see scanKey).
	for _, r := range rewritten {
		c.perInterval[r[0].ID()] = c.perInterval[r[1].ID()]
	}
	for _, p := range picks {
		if len(c.selected[p.ID()]) > 0 {
			aggs = append(aggs, p)
		}
	}
	// A member that reads another aggregation or pick of the same rows
	// (days since the first event: max(e.date - first.date)) cannot be
	// computed in that one's scan: members are grouped by how deeply they
	// nest members of their own rows too, and a group joins those below. A
	// shared scan of a table groups members by how deeply they nest any
	// aggregation or pick. Neither rules out a scan that needs itself
	// through the scan of other rows: breakCycles splits such groups.
	depths := map[[2]model.ID]int{}
	nesting := map[model.ID]int{}
	type member struct {
		n, rows *model.Node
		key     string // the shared scan's key, or own
		own     string // the key of the scan of its rows alone
	}
	var members []member
	framesOf := map[string]map[model.ID]bool{} // table key -> distinct frames
	for _, n := range aggs {
		rows := memberRows(n)
		if rows == nil {
			continue
		}
		per := c.perInterval[n.ID()]
		own := fmt.Sprintf("%x/%v/%d", rows.ID(), per, sameRowsDepth(n, rows.ID(), depths))
		m := member{n: n, rows: rows, key: own, own: own}
		if tk, ok := c.scanKey(rows, per, nestingDepth(n, nesting)); ok {
			if framesOf[tk] == nil {
				framesOf[tk] = map[model.ID]bool{}
			}
			framesOf[tk][rows.ID()] = true
			m.key = tk
		}
		members = append(members, m)
	}
	chunk := chunkSharedScans(members, framesOf, func(m member) string { return m.key }, func(m member) *model.Node { return m.rows })
	groups := map[string]*aggGroup{}
	for _, m := range members {
		key, shared := chunk(m)
		if !shared {
			key = m.own
		}
		g := groups[key]
		if g == nil {
			g = &aggGroup{frame: m.rows, shared: shared}
			groups[key] = g
			c.groups = append(c.groups, g)
		}
		if c.aggGroup[m.n.ID()] == nil {
			g.members = append(g.members, m.n)
			g.rows = append(g.rows, m.rows)
			c.aggGroup[m.n.ID()] = g
		}
	}
	c.breakCycles()
	return c, nil
}

// memberRows returns the rows an aggregation or pick is computed over (the
// exists of a pick, over the rows it is picked from), or nil.
func memberRows(n *model.Node) *model.Node {
	var frame *model.Node
	switch {
	case n.Op() == model.OpPickOneRowPerPatient:
		frame = n.Arg(0)
	case n.Op() == model.OpExists || n.Op() == model.OpCount:
		frame = n.Arg(0)
		if frame.Op() == model.OpPickOneRowPerPatient {
			frame = frame.Arg(0)
		}
	case n.Op().IsAggregation():
		frame = frameOf(n.Arg(0))
	}
	if frame == nil || !frame.ManyRowsPerPatient() {
		return nil
	}
	return rowsOf(frame)
}

// sameRowsDepth counts how deeply n nests aggregations and picks over the
// rows rows, n included if it is one.
// nestingDepth counts the aggregations and picks nested in n, n included:
// members of a shared scan of a table are grouped by it, so that none reads
// another of the same scan.
func nestingDepth(n *model.Node, memo map[model.ID]int) int {
	if n == nil {
		return 0
	}
	if d, ok := memo[n.ID()]; ok {
		return d
	}
	d := 0
	for _, a := range n.Args() {
		d = max(d, nestingDepth(a, memo))
	}
	if n.Op().IsAggregation() || n.Op() == model.OpPickOneRowPerPatient {
		d++
	}
	memo[n.ID()] = d
	return d
}

func sameRowsDepth(n *model.Node, rows model.ID, memo map[[2]model.ID]int) int {
	if n == nil {
		return 0
	}
	key := [2]model.ID{n.ID(), rows}
	if d, ok := memo[key]; ok {
		return d
	}
	d := 0
	for _, a := range n.Args() {
		d = max(d, sameRowsDepth(a, rows, memo))
	}
	if r := memberRows(n); r != nil && r.ID() == rows {
		d++
	}
	memo[key] = d
	return d
}
