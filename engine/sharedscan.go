package engine

import (
	"fmt"
	"sort"
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
	column string
	flag   map[model.ID]int // set node -> flag index
	sets   []*model.Node
	// inner: every frame tests the column, so rows with no flag set are
	// dropped by the join itself.
	inner bool
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
		for _, cond := range f.conditions {
			if col, ok := codelistTest(cond); ok && col == best {
				if _, dup := cf.flag[cond.Arg(1).ID()]; !dup {
					cf.flag[cond.Arg(1).ID()] = len(cf.sets)
					cf.sets = append(cf.sets, cond.Arg(1))
				}
			}
		}
	}
	return cf
}

// table renders the flags table: one row per code, the code's literal and
// a flag per codelist, in code order.
func (cf *codeFlags) table() string {
	flags := map[string][]bool{}
	var keys []string
	for i, set := range cf.sets {
		for _, m := range set.Literal().Members() {
			k := literal(m)
			if flags[k] == nil {
				flags[k] = make([]bool, len(cf.sets))
				keys = append(keys, k)
			}
			flags[k][i] = true
		}
	}
	sort.Strings(keys)
	rows := make([]string, len(keys))
	for i, k := range keys {
		vals := []string{k}
		for _, f := range flags[k] {
			vals = append(vals, strings.ToUpper(fmt.Sprint(f)))
		}
		rows[i] = "(" + strings.Join(vals, ", ") + ")"
	}
	cols := []string{"k"}
	for i := range cf.sets {
		cols = append(cols, fmt.Sprintf("f%d", i))
	}
	return fmt.Sprintf("SELECT * FROM (VALUES %s) AS t(%s)", strings.Join(rows, ",\n    "), strings.Join(cols, ", "))
}

// sharedScanCTE computes every member of a shared group in one scan of the
// event table: the rows of any of its frames are kept, and each member
// aggregates only its own frame's rows (FILTER). Codelist tests on the most
// tested column are one join with a table of per-codelist flags.
func (c *compiler) sharedScanCTE(g *aggGroup) (string, error) {
	var frames []sharedFrame
	index := map[model.ID]int{}
	var table *model.Table
	for _, rows := range g.rows {
		if _, ok := index[rows.ID()]; ok {
			continue
		}
		f, err := flattenFrame(rows)
		if err != nil {
			return "", err
		}
		table = f.table
		index[rows.ID()] = len(frames)
		frames = append(frames, sharedFrame{rows: rows, conditions: f.conditions})
	}
	s := newScope("e")
	cf := planCodeFlags(frames)
	codes := ""
	if cf != nil {
		codes = c.name("codelists")
		c.ctes = append(c.ctes, codes+" AS (\n  "+cf.table()+"\n)")
	}
	// Each frame's condition, codelist tests read from the flags.
	filters := make([]string, len(frames))
	everyRow := false
	for i, f := range frames {
		var conj []string
		for _, cond := range f.conditions {
			if col, ok := codelistTest(cond); ok && cf != nil && col == cf.column {
				conj = append(conj, fmt.Sprintf("cl.f%d", cf.flag[cond.Arg(1).ID()]))
				continue
			}
			x, err := c.expr(cond, s)
			if err != nil {
				return "", err
			}
			conj = append(conj, x)
		}
		if len(conj) == 0 {
			everyRow = true
		}
		filters[i] = strings.Join(conj, " AND ")
	}
	name := c.name("scan")
	var sel []string
	cols := map[model.ID]string{}
	for i, m := range g.members {
		if _, ok := cols[m.ID()]; ok {
			continue
		}
		filter := filters[index[g.rows[i].ID()]]
		var agg string
		var err error
		if m.Op() == model.OpPickOneRowPerPatient {
			agg, err = c.pickExpr(m, s, filter)
		} else {
			agg, err = c.aggregateExpr(m, s, filter)
		}
		if err != nil {
			return "", err
		}
		col := fmt.Sprintf("v%d", len(sel))
		cols[m.ID()] = col
		sel = append(sel, agg+" AS "+col)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "SELECT e.patient_id, %s\n  FROM %s AS e", strings.Join(sel, ",\n    "), tableRef(table))
	if cf != nil {
		join := "LEFT JOIN"
		if cf.inner {
			join = "JOIN"
		}
		fmt.Fprintf(&b, "\n  %s %s AS cl ON cl.k = e.%s", join, codes, ident(cf.column))
	}
	if len(s.joins) > 0 {
		b.WriteString("\n  " + s.joinClause())
	}
	if !everyRow {
		b.WriteString("\n  WHERE (" + strings.Join(filters, ")\n    OR (") + ")")
	}
	b.WriteString("\n  GROUP BY e.patient_id")
	c.ctes = append(c.ctes, name+" AS (\n  "+b.String()+"\n)")
	for id, col := range cols {
		c.cteNames[id] = name
		c.aggColumn[id] = col
	}
	c.plan = append(c.plan, fmt.Sprintf("%s: one scan of %s for %d frames (%d aggregations and picks)%s",
		name, table.Name, len(frames), len(cols), cf.describe()))
	return name, nil
}

// describe names the flags table's column and codelists for the plan.
func (cf *codeFlags) describe() string {
	if cf == nil {
		return ""
	}
	how := "a left join"
	if cf.inner {
		how = "an inner join (every frame tests it)"
	}
	return fmt.Sprintf("; %d codelists on %s as flags, %s", len(cf.sets), cf.column, how)
}
