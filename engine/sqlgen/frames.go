package sqlgen

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ehrql-go/ehrql/query/model"
)

// eventFrame describes the rows of a many-rows frame: a table and the
// conditions of the filters applied to it, and the sort keys (highest
// priority first).
type eventFrame struct {
	table      *model.Table
	conditions []*model.Node
	sortKeys   []*model.Node
}

func flattenFrame(n *model.Node) (eventFrame, error) {
	var f eventFrame
	var conds []*model.Node
	for {
		switch n.Op() {
		case model.OpSelectTable:
			f.table = n.Table()
			// conditions were collected outermost first; apply innermost first.
			for i := len(conds) - 1; i >= 0; i-- {
				f.conditions = append(f.conditions, conds[i])
			}
			return f, nil
		case model.OpFilter:
			conds = append(conds, n.Arg(1))
			n = n.Arg(0)
		case model.OpSort:
			f.sortKeys = append(f.sortKeys, n.Arg(1))
			n = n.Arg(0)
		default:
			return f, &UnsupportedError{"event frame built by " + n.Op().String()}
		}
	}
}

// frameOf finds the frame whose rows an event-level series is evaluated on.
func frameOf(n *model.Node) *model.Node {
	if n.IsFrame() {
		return n
	}
	if n.Op() == model.OpSelectColumn && n.Arg(0).ManyRowsPerPatient() && n.SameDomain(n.Arg(0)) {
		return n.Arg(0)
	}
	for _, a := range n.Args() {
		if a != nil && a.ManyRowsPerPatient() && a.SameDomain(n) {
			if f := frameOf(a); f != nil {
				return f
			}
		}
	}
	return nil
}

// eventQuery renders SELECT <cols> FROM <frame rows> with the frame's
// filters applied, in ctx; cols are compiled in the rows' scope by build. A
// per-interval frame meets the intervals through a calendar where its
// conditions bound a date by the interval, and a grouped per-interval scan
// checks its patient-level per-interval conditions after aggregating (see
// intervals.go) unless the members it computes could raise on the rows
// those conditions remove (mayRaise).
func (c *compiler) eventQuery(ctx renderContext, frame *model.Node, perInterval bool, members []*model.Node, build func(s *scope) (selectList string, tail string, err error)) (string, error) {
	q, _, err := c.eventQueryWith(ctx, frame, perInterval, members, nil, build)
	return q, err
}

// eventQueryWith is eventQuery with the rows of a per-interval frame put in
// the buckets of bp (buckets.go) rather than joined with the intervals, when
// bp is not nil: iv.iv is then the row's bucket. note says, for the plan,
// how a per-interval scan meets the intervals.
func (c *compiler) eventQueryWith(ctx renderContext, frame *model.Node, perInterval bool, members []*model.Node, bp *bucketPlan, build func(s *scope) (selectList string, tail string, err error)) (query, note string, err error) {
	f, err := flattenFrame(frame)
	if err != nil {
		return "", "", err
	}
	s := newScope("e", ctx.scan())
	ws := s // the scope of the WHERE conditions
	if perInterval {
		ws = s.inlining()
	}
	var cal *calendarPlan
	mask := map[int]bool{}
	if perInterval {
		s.iv = "iv"
		cal = c.planCalendar(f.conditions)
		if ctx.pairs == "" && !c.mayRaise(frame, members...) {
			mask = c.maskConditions(f.conditions)
		}
	}
	codeJoins, joined := c.codelistJoins(f, mask, members, s)
	var where []string
	compileCond := func(i int, cond *model.Node) error {
		if mask[i] {
			w, err := c.restrictedCondition(f, i, ws)
			where = append(where, w)
			return err
		}
		parts := []*model.Node{cond}
		if cal != nil {
			parts = cal.remaining(parts)
		}
		if bp != nil && !cond.PatientDomain() {
			parts = slices.DeleteFunc(conjuncts(cond), func(x *model.Node) bool { return x.ID() == bp.conj.ID() })
		}
		for _, x := range parts {
			w, err := c.expr(x, ws)
			if err != nil {
				return err
			}
			where = append(where, w)
		}
		return nil
	}
	for i, cond := range f.conditions {
		if mask[i] || joined[i] {
			continue
		}
		if err := compileCond(i, cond); err != nil {
			return "", "", err
		}
	}
	sel, tail, err := build(s)
	if err != nil {
		return "", "", err
	}
	// A grouped scan checks the masked conditions after aggregating; any
	// other compiles them in the scan, restricted to the pairs its earlier
	// conditions reach.
	masked := len(mask) > 0 && strings.HasPrefix(tail, "GROUP BY e.patient_id, iv.iv")
	var maskConds []*model.Node
	for i, cond := range f.conditions {
		if !mask[i] {
			continue
		}
		if masked {
			maskConds = append(maskConds, cond)
		} else if i == 0 {
			// nothing earlier to restrict it to
			w, err := c.expr(cond, ws)
			if err != nil {
				return "", "", err
			}
			where = append(where, w)
		} else if err := compileCond(i, cond); err != nil {
			return "", "", err
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "SELECT %s\n  FROM %s AS e%s%s", sel, c.tableRef(f.table), ctx.withinJoin(), strings.Join(codeJoins, ""))
	switch {
	case perInterval && bp != nil:
		note = fmt.Sprintf("per interval: in buckets by %s (%d bounds), combined for each interval from the buckets under its bound", bp.bound.column, len(bp.bounds))
		b.WriteString(c.bucketJoin(bp))
	case perInterval && cal != nil:
		// Rows meet their intervals by a lookup of their date, for every
		// patient: cheap enough that a restriction to some pairs would not
		// pay (and joined to the calendar, it misleads DuckDB's join order).
		name := c.calendar(cal)
		note = fmt.Sprintf("per interval: %s joined with the %d days of %s", cal.column, cal.days, name)
		fmt.Fprintf(&b, " JOIN %s AS iv ON iv.d = e.%s", name, ident(cal.column))
	case perInterval && ctx.pairs != "":
		// The restriction carries each pair's interval dates, so the rows
		// meet only their own patients' intervals.
		note = "per interval: a range join with the (patient, interval) pairs of " + ctx.pairs
		fmt.Fprintf(&b, " JOIN %s AS iv ON iv.patient_id = e.patient_id", ctx.pairs)
	case perInterval:
		note = "per interval: a range join with the intervals"
		b.WriteString(" CROSS JOIN intervals AS iv")
	}
	if len(s.joins) > 0 {
		b.WriteString("\n  " + s.joinClause())
	}
	if len(where) > 0 {
		b.WriteString("\n  WHERE " + strings.Join(where, "\n    AND "))
	}
	if tail != "" {
		b.WriteString("\n  " + tail)
	}
	if masked {
		q, err := c.maskedAggregation(b.String(), maskConds, ctx)
		return q, note, err
	}
	return b.String(), note, nil
}

// codelistJoins tests the frame's conditions that test a string column
// against a large set (a codelist), except the masked ones, by inner joins
// with the set's declaration, written once per query however many frames
// test it (setCTE; or the flags table of the column, with the set's flag,
// when a shared scan tests the set too): the rows whose value is not in
// the set (or NULL) find no match. It returns the joins and the conditions
// they test. DuckDB evaluates a literal IN list of that size as a join
// anyway, on every row it scans, and the list would be written out in
// each frame (an own scan of clinical_events with a 599-code list at 1M
// patients: 377-422 ms joined, 421-602 ms with the list). Where a pick
// among members ranks the column, the join gives the rank too (s.ranks;
// the reference study's dataset ran 12-15% faster than with the test
// repeated in WHERE).
func (c *compiler) codelistJoins(f eventFrame, mask map[int]bool, members []*model.Node, s *scope) (joins []string, joined map[int]bool) {
	joined = map[int]bool{}
	for i, cond := range f.conditions {
		col, ok := codelistTest(cond)
		if !ok || mask[i] {
			continue
		}
		values := sortedStrings(cond.Arg(1))
		if len(values) < minSetTable {
			continue
		}
		name, flag, rank := "", -1, rankColumn{}
		if table, cf, i, ok := c.flagOf(col, cond.Arg(1)); ok {
			name, flag, rank = table, i, rankColumn{values: cf.codes, sets: cf.flag, table: table}
		} else {
			name = c.setCTE(cond.Arg(1))
			rank = rankColumn{values: len(values), sets: map[model.ID]int{cond.Arg(1).ID(): 0}, table: name}
		}
		suffix := "_in"
		ranks := c.picksRank(members, col) && s.ranks[col].expr == ""
		if ranks {
			suffix = "_rank"
		}
		alias := c.name(name + suffix)
		on := fmt.Sprintf("%s.k = e.%s", alias, ident(col))
		if flag >= 0 {
			on += fmt.Sprintf(" AND %s.f%d", alias, flag)
		}
		joins = append(joins, fmt.Sprintf(" JOIN %s AS %s ON %s", name, alias, on))
		if ranks {
			rank.expr = alias + ".r"
			s.ranks[col] = rank
		}
		joined[i] = true
	}
	return joins, joined
}

// restrictedCondition compiles condition i of a per-interval frame, a
// patient-level condition that depends on the interval (say, "registered on
// the interval's start"), so that the relations it needs are computed only
// for the (patient, interval) pairs the frame's earlier conditions reach,
// not for every patient and interval. Relations compiled so restricted are
// found again only for those pairs (compiler.relation), so no other use
// can read their missing pairs.
func (c *compiler) restrictedCondition(f eventFrame, i int, s *scope) (string, error) {
	ps := newScope("e", s.ctx)
	ps.iv = "iv"
	var conds []string
	for _, cond := range f.conditions[:i] {
		x, err := c.expr(cond, ps)
		if err != nil {
			return "", err
		}
		conds = append(conds, x)
	}
	pairs := c.name("pairs")
	body := fmt.Sprintf("SELECT DISTINCT e.patient_id, iv.iv, iv.start_date, iv.end_date\n  FROM %s AS e CROSS JOIN intervals AS iv", c.tableRef(f.table))
	if len(ps.joins) > 0 {
		body += "\n  " + ps.joinClause()
	}
	body += "\n  WHERE " + strings.Join(conds, "\n    AND ")
	c.ctes = append(c.ctes, pairs+" AS (\n  "+body+"\n)")

	c.restrictPairs(pairs, s.ctx.pairs)
	return c.expr(f.conditions[i], s.forPairs(pairs))
}

// rowsOf strips sorts from a frame: the filter or table giving its rows.
func rowsOf(frame *model.Node) *model.Node {
	for frame.Op() == model.OpSort {
		frame = frame.Arg(0)
	}
	return frame
}
