package sqlgen

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ehrql-go/ehrql/query/model"
)

// Measures: a per-interval frame bounded by the interval on one side only,
// above ("on or before the interval's end", "before its start"), holds every
// row of the intervals before it too: a row counts for each interval whose
// bound it is under. Such a frame is aggregated in two steps instead of a
// range join of every row with every interval (or every (patient, interval)
// pair): each row is put in its bucket, the first of the intervals' bounds
// (sorted) that it is under, found by a hash lookup of its date in a table
// of the days between the first bound and the last (earlier rows go to the
// first bucket, later ones to none); the rows are aggregated per patient
// and bucket; and the buckets' aggregates are combined for each interval
// from the buckets at or under its bound. That holds for aggregations that
// combine exactly (counts, exists, min, max, and picks computed as an
// integer key, the largest or smallest key of the buckets), whose values
// do not depend on the interval; other frames keep the range join.

// bucketPlan is the choice to aggregate a frame by buckets.
type bucketPlan struct {
	bound  intervalBound
	conj   *model.Node       // the conjunct giving the bound
	bounds []model.CivilDate // the distinct bounds, ascending
}

// planBuckets returns the bucket plan for a group of members of one frame,
// or nil if it does not apply: only the one upper bound may depend on the
// interval, not another condition, nor a member's series, nor a pick's
// sort keys (the bucket scan's iv is a bucket, without interval dates).
func (c *compiler) planBuckets(frame *model.Node, members []*model.Node) *bucketPlan {
	if len(c.intervals) == 0 {
		return nil
	}
	f, err := flattenFrame(frame)
	if err != nil {
		return nil
	}
	chain := frameChain(frame)
	var plan *bucketPlan
	for _, cond := range f.conditions {
		for _, x := range conjuncts(cond) {
			if b, ok := asIntervalBound(x); ok && !cond.PatientDomain() {
				if plan != nil || b.lower {
					return nil
				}
				plan = &bucketPlan{bound: b, conj: x}
				continue
			}
			if c.dependsOnInterval(x, chain) {
				return nil
			}
		}
	}
	if plan == nil {
		return nil
	}
	for _, k := range f.sortKeys {
		if c.dependsOnInterval(k, chain) {
			return nil
		}
	}
	for _, m := range members {
		switch m.Op() {
		case model.OpCount, model.OpExists:
		case model.OpMin, model.OpMax:
			// the series is read from the member's own frame, which may
			// sort the group's rows
			own := chain
			if src := frameOf(m.Arg(0)); src != nil {
				own = frameChain(src)
			}
			if c.dependsOnInterval(m.Arg(0), own) {
				return nil
			}
		case model.OpPickOneRowPerPatient:
			// The pick's sort keys are computed in the scan, where iv is
			// the row's bucket and has no interval dates: a key of the
			// interval needs the range join. The group's frame is the
			// pick's rows without their sorts, so its sort keys are not
			// among f.sortKeys.
			if !c.pickCodable(m) {
				return nil
			}
			pf, err := flattenFrame(m.Arg(0))
			if err != nil {
				return nil
			}
			own := frameChain(m.Arg(0))
			for _, k := range pf.sortKeys {
				if c.dependsOnInterval(k, own) {
					return nil
				}
			}
		default:
			return nil
		}
	}
	for _, iv := range c.intervals {
		d := boundDate(plan.bound, iv)
		if !slices.Contains(plan.bounds, d) {
			plan.bounds = append(plan.bounds, d)
		}
	}
	slices.SortFunc(plan.bounds, func(a, b model.CivilDate) int { return a.DaysSince(b) })
	if plan.bounds[len(plan.bounds)-1].DaysSince(plan.bounds[0]) >= maxCalendarDays {
		return nil
	}
	return plan
}

// frameChain returns the IDs of a frame and of the frames it is built from
// (its filters and sorts), the table aside.
func frameChain(frame *model.Node) map[model.ID]bool {
	chain := map[model.ID]bool{}
	for n := frame; n.IsFrame() && n.Op() != model.OpSelectTable; n = n.Arg(0) {
		chain[n.ID()] = true
	}
	return chain
}

// dependsOnInterval tells whether a series depends on the interval, frames
// of chain (the frame being planned and the frames it is built from) aside:
// their rows are the scan's, whose bound is the plan's. A patient-level
// value computed from them (an aggregation or pick of a frame of chain,
// "the codes of the rows before the interval's start") is not a row of the
// scan: it is computed for each interval, and depends on it.
func (c *compiler) dependsOnInterval(n *model.Node, chain map[model.ID]bool) bool {
	found := false
	model.Walk(func(x *model.Node) bool {
		switch {
		case found:
		case x.Op() == model.OpParameter:
			found = true
		case !x.IsFrame() && x.PatientDomain() && c.perInterval[x.ID()]:
			found = true
		case x.IsFrame() && chain[x.ID()]:
			return false
		case x.IsFrame():
			found = c.perInterval[x.ID()]
			return false
		}
		return !found
	}, n)
	return found
}

// pickCodable tells whether a pick computed in a scan of its own rows is an
// integer key (pickExpr decides the same from the same parts).
func (c *compiler) pickCodable(n *model.Node) bool {
	f, err := flattenFrame(n.Arg(0))
	if err != nil {
		return false
	}
	var parts []keyPart
	for _, op := range c.keyOperands(n, f) {
		p := keyPart{kind: op.kind}
		if set := rankedSet(f, op.column); isString(op.kind) && op.column != "" && set != nil {
			// ranked as pickExpr ranks it (stringPart): by its place in the set
			p.values, p.rank = len(sortedStrings(set)), "ranked"
		}
		parts = append(parts, p)
	}
	return integerType(withZeroSigns(parts)) != ""
}

// bucketJoin is the join putting each row of the scan in its bucket (as
// iv.iv, the bucket's bound), declaring the buckets' table on first use.
func (c *compiler) bucketJoin(p *bucketPlan) string {
	first := p.bounds[0]
	key := fmt.Sprintf("buckets/%v", p.bounds)
	name, ok := c.calendars[key]
	if !ok {
		name = c.name("buckets")
		bounds := make([]string, len(p.bounds))
		for i, d := range p.bounds {
			bounds[i] = "(" + literal(model.DateLit(d)) + ")"
		}
		days := p.bounds[len(p.bounds)-1].DaysSince(first) + 1
		c.ctes = append(c.ctes, fmt.Sprintf("%s AS (\n  SELECT t.d, min(b.bound) AS iv\n  FROM (SELECT CAST(%s + CAST(o AS INTEGER) AS DATE) AS d FROM range(0, %d) AS r(o)) AS t\n  JOIN (VALUES %s) AS b(bound) ON b.bound >= t.d\n  GROUP BY t.d\n)",
			name, literal(model.DateLit(first)), days, strings.Join(bounds, ", ")))
		c.calendars[key] = name
	}
	col := "e." + ident(p.bound.column)
	f := literal(model.DateLit(first))
	return fmt.Sprintf(" JOIN %s AS iv ON iv.d = (CASE WHEN %s <= %s THEN %s ELSE %s END)", name, col, f, f, col)
}

// combineBuckets turns a scan aggregated per patient and bucket (columns
// cols of members) into one per patient and interval: each interval takes
// the buckets at or under its bound, from the (patient, interval) pairs of
// relation pairs when set.
func (c *compiler) combineBuckets(scan string, p *bucketPlan, members []*model.Node, cols map[model.ID]string, pairs string) string {
	sel := []string{"b.patient_id", "iv.iv AS iv"}
	seen := map[model.ID]bool{}
	for _, m := range members {
		if seen[m.ID()] {
			continue
		}
		seen[m.ID()] = true
		v := "b." + cols[m.ID()]
		var x string
		switch m.Op() {
		case model.OpCount:
			x = "CAST(sum(" + v + ") AS BIGINT)"
		case model.OpExists:
			x = "bool_or(" + v + ")"
		case model.OpMin:
			x = "min(" + v + ")"
		case model.OpPickOneRowPerPatient:
			x = "max(" + v + ")"
			if m.Position() == model.First {
				x = "min(" + v + ")"
			}
		default: // OpMax
			x = "max(" + v + ")"
		}
		sel = append(sel, x+" AS "+cols[m.ID()])
	}
	on := "b.iv <= " + boundSQL(p.bound)
	join := "intervals AS iv"
	if pairs != "" {
		join = pairs + " AS iv"
		on = "iv.patient_id = b.patient_id AND " + on
	}
	return fmt.Sprintf("SELECT %s\n  FROM (\n  %s\n  ) AS b JOIN %s ON %s\n  GROUP BY b.patient_id, iv.iv",
		strings.Join(sel, ", "), scan, join, on)
}
