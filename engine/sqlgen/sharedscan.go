package sqlgen

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/ehrql-go/ehrql/query/model"
)

// sharedFrame is one frame of a shared scan: its rows and conditions.
type sharedFrame struct {
	rows       *model.Node
	conditions []*model.Node
}

// codelistTest recognises a condition "column is in a literal set" on the
// scanned row, returning the column's name.
func codelistTest(cond *model.Node) (string, bool) {
	if cond.Op() != model.OpIn {
		return "", false
	}
	col, set := cond.Arg(0), cond.Arg(1)
	if set.Op() != model.OpValue || len(set.Literal().Members()) == 0 {
		return "", false
	}
	if col.Op() != model.OpSelectColumn || !col.Arg(0).ManyRowsPerPatient() || col.Type().Kind == model.KindFloat {
		return "", false
	}
	return col.Name(), true
}

// codeFlags plans the code -> flags table of a shared scan: the column most
// of its frames test against codelists, each distinct codelist a flag.
type codeFlags struct {
	name   string // the flags table's CTE, for the query's one table
	column string
	flag   map[model.ID]int // set node -> flag index
	sets   []*model.Node
	// inner: every frame tests the column, so rows with no flag set are
	// dropped by the join itself.
	inner bool
	codes int // the number of distinct codes in the table
}

func planCodeFlags(frames []sharedFrame) *codeFlags {
	uses := map[string]int{}
	for _, f := range frames {
		seen := map[string]bool{}
		for _, cond := range f.conditions {
			if col, ok := codelistTest(cond); ok && !seen[col] {
				seen[col] = true
				uses[col]++
			}
		}
	}
	best := ""
	for col, n := range uses {
		if best == "" || n > uses[best] || (n == uses[best] && col < best) {
			best = col
		}
	}
	if best == "" {
		return nil
	}
	cf := &codeFlags{column: best, flag: map[model.ID]int{}, inner: uses[best] == len(frames)}
	for _, f := range frames {
		cf.collect(f.conditions)
	}
	return cf
}

// collect gives a flag to each codelist the conditions test the column
// against that has none yet.
func (cf *codeFlags) collect(conditions []*model.Node) {
	for _, cond := range conditions {
		if col, ok := codelistTest(cond); ok && col == cf.column {
			if _, dup := cf.flag[cond.Arg(1).ID()]; !dup {
				cf.flag[cond.Arg(1).ID()] = len(cf.sets)
				cf.sets = append(cf.sets, cond.Arg(1))
			}
		}
	}
}

// flagsPerMask is the number of codelists whose flags one BIGINT of the
// flags table carries.
const flagsPerMask = 62

// table renders the flags table: one row per code, in code order, with the
// code, its rank in that order (r, from 1: picks' integer keys) and its
// codelists as bits of BIGINT masks (so a code is written once however many
// lists it is in), and the flags f0, f1, ... read from them.
func (cf *codeFlags) table() string {
	masks := (len(cf.sets) + flagsPerMask - 1) / flagsPerMask
	bits := map[string][]int64{}
	var keys []model.Literal
	for i, set := range cf.sets {
		for _, m := range set.Literal().Members() {
			k := literal(m)
			if bits[k] == nil {
				bits[k] = make([]int64, masks)
				keys = append(keys, m)
			}
			bits[k][i/flagsPerMask] |= 1 << (i % flagsPerMask)
		}
	}
	// in the column's order for strings (DuckDB's byte order), which ranks
	// them; any order for other types
	sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i].Go()) < fmt.Sprint(keys[j].Go()) })
	cf.codes = len(keys)
	rows := make([]string, len(keys))
	for i, m := range keys {
		k := literal(m)
		vals := []string{k, strconv.Itoa(i + 1)}
		for _, m := range bits[k] {
			vals = append(vals, strconv.FormatInt(m, 10))
		}
		rows[i] = "(" + strings.Join(vals, ", ") + ")"
	}
	cols := []string{"k", "r"}
	for j := range masks {
		cols = append(cols, fmt.Sprintf("m%d", j))
	}
	flags := []string{"k", "r"}
	for i := range cf.sets {
		flags = append(flags, fmt.Sprintf("(m%d & %d) <> 0 AS f%d", i/flagsPerMask, int64(1)<<(i%flagsPerMask), i))
	}
	return fmt.Sprintf("SELECT %s FROM (VALUES %s) AS t(%s)", strings.Join(flags, ", "), strings.Join(rows, ", "), strings.Join(cols, ", "))
}

// sharedScanCTE computes every member of a shared group in one scan of the
// event table: the rows of any of its frames are kept, and each member
// aggregates only its own frame's rows. Codelist tests on the most
// tested column are one join with a table of per-codelist flags. It is
// rendered in ctx.
func (c *compiler) sharedScanCTE(g *aggGroup, ctx renderContext) error {
	var frames []sharedFrame
	index := map[model.ID]int{}
	var table *model.Table
	per := c.perInterval[g.members[0].ID()]
	var cal *calendarPlan
	for _, rows := range g.rows {
		if _, ok := index[rows.ID()]; ok {
			continue
		}
		f, err := flattenFrame(rows)
		if err != nil {
			return err
		}
		table = f.table
		index[rows.ID()] = len(frames)
		conds := f.conditions
		if per {
			// every frame has the same calendar (the scan's key)
			cal = c.planCalendar(f.conditions)
			conds = cal.remaining(f.conditions)
		}
		frames = append(frames, sharedFrame{rows: rows, conditions: conds})
	}
	// The rows are read once, in a subquery that marks each row with the
	// frames it belongs to (one boolean column per frame, its condition
	// evaluated once); each aggregate then reads CASE WHEN its frame's
	// column THEN value END (aggregateExpr).
	inner := newScope("e", ctx.scan())
	if per {
		inner.iv = "iv"
	}
	cf := planCodeFlags(frames)
	codes, flags := "", (*codeFlags)(nil)
	if cf != nil {
		codes, flags = c.flagTable(cf.column)
	}
	marks := make([]string, len(frames))
	var conds []string
	everyRow := false
	for i, f := range frames {
		var conj []string
		for _, cond := range f.conditions {
			if col, ok := codelistTest(cond); ok && cf != nil && col == cf.column {
				conj = append(conj, fmt.Sprintf("cl.f%d", flags.flag[cond.Arg(1).ID()]))
				continue
			}
			x, err := c.expr(cond, inner)
			if err != nil {
				return err
			}
			conj = append(conj, x)
		}
		cond := "TRUE"
		if len(conj) == 0 {
			everyRow = true
		} else {
			cond = strings.Join(conj, " AND ")
		}
		conds = append(conds, cond)
		marks[i] = "e." + frameMark(i)
	}
	var rows strings.Builder
	rows.WriteString("SELECT e.*")
	if per {
		rows.WriteString(", iv.iv AS " + intervalMark)
	}
	picks := false
	for _, m := range g.members {
		picks = picks || m.Op() == model.OpPickOneRowPerPatient
	}
	if cf != nil && picks {
		// ranks the codes for the picks' integer keys
		rows.WriteString(", cl.r AS " + rankMark)
	}
	for i, cond := range conds {
		fmt.Fprintf(&rows, ",\n      COALESCE(%s, FALSE) AS %s", cond, frameMark(i))
	}
	fmt.Fprintf(&rows, "\n    FROM %s AS e%s", c.tableRef(table), ctx.withinJoin())
	perNote := ""
	if per {
		name := c.calendar(cal)
		fmt.Fprintf(&rows, " JOIN %s AS iv ON iv.d = e.%s", name, ident(cal.column))
		perNote = fmt.Sprintf("; per interval: %s joined with the %d days of %s", cal.column, cal.days, name)
	}
	if cf != nil {
		join := "LEFT JOIN"
		if cf.inner {
			join = "JOIN"
		}
		fmt.Fprintf(&rows, "\n    %s %s AS cl ON cl.k = e.%s", join, codes, ident(cf.column))
	}
	if len(inner.joins) > 0 {
		rows.WriteString("\n    " + strings.Join(inner.joins, "\n    "))
	}
	if !everyRow {
		rows.WriteString("\n    WHERE (" + strings.Join(conds, ")\n      OR (") + ")")
	}

	s := newScope("e", ctx.scan())
	if cf != nil && picks {
		s.ranks = map[string]rankColumn{cf.column: {expr: "e." + rankMark, values: flags.codes, sets: flags.flag, table: flags.name}}
	}
	ivSel, ivJoin, ivKey := "", "", ""
	if per {
		s.iv = "iv"
		ivSel, ivKey = "iv.iv AS iv, ", ", iv.iv"
		ivJoin = " JOIN intervals AS iv ON iv.iv = e." + intervalMark
	}
	name := c.name("scan")
	var sel []string
	cols := map[model.ID]string{}
	for i, m := range g.members {
		if _, ok := cols[m.ID()]; ok {
			continue
		}
		filter := marks[index[g.rows[i].ID()]]
		var agg string
		var err error
		if m.Op() == model.OpPickOneRowPerPatient {
			agg, err = c.pickExpr(m, s, filter)
		} else {
			agg, err = c.aggregateExpr(m, s, filter)
		}
		if err != nil {
			return err
		}
		col := fmt.Sprintf("v%d", len(sel))
		cols[m.ID()] = col
		sel = append(sel, agg+" AS "+col)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "SELECT e.patient_id, %s%s\n  FROM (\n    %s\n  ) AS e%s", ivSel, strings.Join(sel, ",\n    "), rows.String(), ivJoin)
	if len(s.joins) > 0 {
		b.WriteString("\n  " + s.joinClause())
	}
	b.WriteString("\n  GROUP BY e.patient_id" + ivKey)
	c.ctes = append(c.ctes, name+" AS (\n  "+c.decoded(b.String(), cols)+"\n)")
	for id, col := range cols {
		c.define(id, ctx.pairs, relation{name: name, column: col})
	}
	c.plan = append(c.plan, fmt.Sprintf("%s: one scan of %s for %d frames (%d aggregations and picks)%s%s",
		name, table.Name, len(frames), len(cols), cf.describe(codes), perNote))
	return nil
}

// intervalMark is the column carrying a row's interval in a per-interval
// shared scan: not a valid column name, so never one of the table's.
var intervalMark = ident("interval")

// rankMark is the column carrying the rank of a row's code in the flags
// table: not a valid column name, so never one of the table's.
var rankMark = ident("code rank")

// frameMark is the column marking the rows of frame i in a shared scan:
// not a valid column name, so never one of the table's.
func frameMark(i int) string { return ident(fmt.Sprintf("frame %d", i)) }

// describe names the flags table's column and codelists for the plan.
func (cf *codeFlags) describe(table string) string {
	if cf == nil {
		return ""
	}
	how := "a left join"
	if cf.inner {
		how = "an inner join (every frame tests it)"
	}
	return fmt.Sprintf("; %d codelists on %s as flags of %s, %s", len(cf.sets), cf.column, table, how)
}

// flagTable returns the query's one flags table for codelist tests on
// column (declared on first use), with a flag for every codelist any
// shared scan tests the column against: each codelist is written once per
// query, however many frames use it.
func (c *compiler) flagTable(column string) (string, *codeFlags) {
	cf := c.plannedFlags(column)
	if cf.name == "" {
		cf.name = c.name("codelists")
		c.ctes = append(c.ctes, cf.name+" AS (\n  "+cf.table()+"\n)")
	}
	return cf.name, cf
}

// plannedFlags is the flags table of column as planned, declared or not:
// every codelist a shared scan tests the column against.
func (c *compiler) plannedFlags(column string) *codeFlags {
	if cf, ok := c.flagTables[column]; ok {
		return cf
	}
	cf := &codeFlags{column: column, flag: map[model.ID]int{}}
	for _, g := range c.groups {
		if !g.shared {
			continue
		}
		for _, rows := range g.rows {
			if f, err := flattenFrame(rows); err == nil {
				cf.collect(f.conditions)
				if c.perInterval[g.members[0].ID()] {
					// a per-interval scan's frames test the conjuncts the
					// calendar leaves
					cf.collect(c.planCalendar(f.conditions).remaining(f.conditions))
				}
			}
		}
	}
	c.flagTables[column] = cf
	return cf
}

// flagOf returns the flags table holding codelist set for column, and the
// set's flag in it, when a shared scan tests the column against the set:
// a scan of its own then tests the set through that table, and the
// codelist is still written once.
func (c *compiler) flagOf(column string, set *model.Node) (string, *codeFlags, int, bool) {
	i, ok := c.plannedFlags(column).flag[set.ID()]
	if !ok {
		return "", nil, 0, false
	}
	name, cf := c.flagTable(column)
	return name, cf, i, true
}
