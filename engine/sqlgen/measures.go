package sqlgen

import (
	"fmt"
	"strings"

	"github.com/ehrql-go/ehrql/query/model"
)

// MeasuresQuery is a compiled measures definition: one query that evaluates
// every measure over every interval at once, each patient-level value
// computed once per patient, or once per patient and interval where it
// depends on the interval.
type MeasuresQuery struct {
	// Setup holds the statements to run in the session first (Macros).
	Setup []string
	// SQL returns one row per measure, interval and group.
	SQL string
	// Tables lists every table the query reads.
	Tables []*model.Table
	// Plan lists the compiler's choices, one line each (see Query.Plan).
	Plan []string

	// Measures are the compiled measures; the SQL's first column indexes them.
	Measures []model.Measure
	// Intervals are the distinct intervals; the SQL's second column indexes them.
	Intervals [][2]model.CivilDate
	// Groups are the group-by columns that follow the numerator and
	// denominator in each row of the SQL's result.
	Groups []GroupColumn
}

// GroupColumn is one group-by column of a measures query's result.
type GroupColumn struct {
	ID   model.ID   // the group series
	Type model.Type // its type
	Name string     // its SQL column
}

// Script renders the whole query as one SQL script.
func (q *MeasuresQuery) Script() string {
	var b strings.Builder
	writeScript(&b, q.Setup, q.Plan, q.SQL)
	return b.String()
}

// CompileMeasures compiles measures to DuckDB SQL. ehrQL runs one query per
// interval; here the intervals are a relation joined to the patients, so
// each table is scanned once for all of them (a range join where events are
// filtered by interval dates).
func CompileMeasures(ms []model.Measure) (*MeasuresQuery, error) {
	if len(ms) == 0 {
		return nil, fmt.Errorf("No measures defined")
	}
	q := &MeasuresQuery{Setup: Macros, Measures: ms}
	// Distinct intervals, denominators, numerators and group series.
	ivIndex := map[[2]model.CivilDate]int{}
	var roots []*model.Node
	// Each distinct denominator, numerator and group series gets a column;
	// a series used in two roles gets a column for each.
	type column struct {
		name string
		node *model.Node
		typ  string
	}
	var columns []column
	denSlot, numSlot, grpSlot := map[model.ID]string{}, map[model.ID]string{}, map[model.ID]string{}
	var dens []*model.Node
	addSlot := func(n *model.Node, prefix string, slots map[model.ID]string) string {
		if name, ok := slots[n.ID()]; ok {
			return name
		}
		name := fmt.Sprintf("%s_%d", prefix, len(slots))
		slots[n.ID()] = name
		typ := "BIGINT"
		if prefix == "grp" {
			typ = sqlType(n.Type())
			q.Groups = append(q.Groups, GroupColumn{n.ID(), n.Type(), name})
		}
		if prefix == "den" {
			dens = append(dens, n)
		}
		columns = append(columns, column{name, n, typ})
		roots = append(roots, n)
		return name
	}
	for _, m := range ms {
		if m.Numerator == nil || m.Denominator == nil {
			return nil, fmt.Errorf("measure %s: numerator and denominator are required", m.Name)
		}
		for _, n := range []*model.Node{m.Numerator, m.Denominator} {
			if err := model.CheckPatientSeries(n); err != nil {
				return nil, fmt.Errorf("measure %s: %w", m.Name, err)
			}
			if t := n.Type(); t != model.Bool && t != model.Int {
				return nil, fmt.Errorf("measure %s: numerator and denominator must be bool or int series, got %s", m.Name, t)
			}
		}
		addSlot(m.Denominator, "den", denSlot)
		addSlot(m.Numerator, "num", numSlot)
		for _, g := range m.GroupBy {
			if err := model.CheckPatientSeries(g.Series); err != nil {
				return nil, fmt.Errorf("measure %s: group_by %s: %w", m.Name, g.Name, err)
			}
			addSlot(g.Series, "grp", grpSlot)
		}
		for _, iv := range m.Intervals {
			if _, ok := ivIndex[iv]; !ok {
				ivIndex[iv] = len(q.Intervals)
				q.Intervals = append(q.Intervals, iv)
			}
		}
	}
	if len(q.Intervals) == 0 {
		return nil, fmt.Errorf("no measure has any interval")
	}
	c, err := newCompiler(roots, true)
	if err != nil {
		return nil, err
	}
	// Candidate patients: everyone in a table some denominator reads.
	var parts []string
	for _, t := range TableNodes(dens...) {
		if t.Op() == model.OpInlinePatientTable {
			name, err := c.inlineTable(t)
			if err != nil {
				return nil, err
			}
			parts = append(parts, "SELECT DISTINCT patient_id FROM "+name)
			continue
		}
		parts = append(parts, "SELECT DISTINCT patient_id FROM "+tableRef(t.Table()))
	}
	if len(parts) == 0 {
		// Denominators that read no table count nobody, as a dataset's
		// population that reads no table selects nobody.
		parts = append(parts, "SELECT CAST(NULL AS BIGINT) AS patient_id WHERE FALSE")
	}
	// Denominators first, for every patient and interval; then numerators
	// and groups only for the (patient, interval) pairs in some
	// denominator's population.
	s := newScope("p")
	s.iv = "iv"
	var denCols, anyDen, restCols []string
	for _, col := range columns {
		if !strings.HasPrefix(col.name, "den_") {
			continue
		}
		x, err := c.expr(col.node, s)
		if err != nil {
			return nil, err
		}
		denCols = append(denCols, fmt.Sprintf("CAST(%s AS %s) AS %s", x, col.typ, col.name))
		anyDen = append(anyDen, col.name+" > 0")
	}
	denCTEs := len(c.ctes)
	c.restrict = "den_values"
	s2 := newScope("d")
	s2.iv = "iv"
	for _, col := range columns {
		if strings.HasPrefix(col.name, "den_") {
			continue
		}
		x, err := c.expr(col.node, s2)
		if err != nil {
			return nil, err
		}
		restCols = append(restCols, fmt.Sprintf("CAST(%s AS %s) AS %s", x, col.typ, col.name))
	}
	var ivRows []string
	for i, iv := range q.Intervals {
		ivRows = append(ivRows, fmt.Sprintf("(%d, DATE '%s', DATE '%s')", i, iv[0], iv[1]))
	}
	var b strings.Builder
	b.WriteString("WITH intervals(iv, start_date, end_date) AS (VALUES " + strings.Join(ivRows, ", ") + "),\n")
	for _, cte := range c.ctes[:denCTEs] {
		b.WriteString(cte + ",\n")
	}
	fmt.Fprintf(&b, "population AS (\n  %s\n),\n", strings.Join(parts, "\n  UNION\n  "))
	fmt.Fprintf(&b, "den_values AS MATERIALIZED (\n  SELECT * FROM (SELECT p.patient_id, iv.iv AS iv, iv.start_date, iv.end_date,\n    %s\n  FROM population AS p CROSS JOIN intervals AS iv", strings.Join(denCols, ",\n    "))
	if len(s.joins) > 0 {
		b.WriteString("\n  " + s.joinClause())
	}
	fmt.Fprintf(&b, ")\n  WHERE (%s) IS TRUE\n),\n", strings.Join(anyDen, " OR "))
	for _, cte := range c.ctes[denCTEs:] {
		b.WriteString(cte + ",\n")
	}
	sel := "d.*"
	if len(restCols) > 0 {
		sel += ",\n    " + strings.Join(restCols, ",\n    ")
	}
	fmt.Fprintf(&b, "per_patient AS MATERIALIZED (\n  SELECT %s\n  FROM den_values AS d JOIN intervals AS iv ON iv.iv = d.iv", sel)
	if len(s2.joins) > 0 {
		b.WriteString("\n  " + s2.joinClause())
	}
	b.WriteString("\n)\n")
	// One aggregation per measure over its own intervals and groups.
	var selects []string
	for mi, m := range ms {
		own := map[model.ID]bool{}
		for _, g := range m.GroupBy {
			own[g.Series.ID()] = true
		}
		var gsel []string
		for _, g := range q.Groups {
			if own[g.ID] {
				gsel = append(gsel, g.Name)
			} else {
				gsel = append(gsel, fmt.Sprintf("CAST(NULL AS %s) AS %s", sqlType(g.Type), g.Name))
			}
		}
		var ivs []string
		for _, iv := range m.Intervals {
			ivs = append(ivs, fmt.Sprint(ivIndex[iv]))
		}
		sel := fmt.Sprintf("SELECT %d AS measure, iv, CAST(COALESCE(sum(%s), 0) AS BIGINT) AS numerator, CAST(sum(%s) AS BIGINT) AS denominator",
			mi, numSlot[m.Numerator.ID()], denSlot[m.Denominator.ID()])
		if len(gsel) > 0 {
			sel += ", " + strings.Join(gsel, ", ")
		}
		sel += fmt.Sprintf("\n  FROM per_patient WHERE %s > 0 AND iv IN (%s)\n  GROUP BY ALL", denSlot[m.Denominator.ID()], strings.Join(ivs, ", "))
		selects = append(selects, sel)
	}
	b.WriteString(strings.Join(selects, "\nUNION ALL\n"))
	b.WriteString("\nORDER BY ALL")
	q.SQL = b.String()
	q.Plan = c.plan
	for _, t := range TableNodes(roots...) {
		if t.Op() != model.OpInlinePatientTable { // inline tables are part of the SQL
			q.Tables = append(q.Tables, t.Table())
		}
	}
	return q, nil
}
