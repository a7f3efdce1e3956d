package sqlgen

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/ehrql-go/ehrql/query/model"
)

// MeasuresQuery is a compiled measures definition: one query that evaluates
// every measure over every interval at once, each patient-level value
// computed once per patient, or once per patient and interval where it
// depends on the interval.
type MeasuresQuery struct {
	// Setup holds the statements to run in the session first (Setup()).
	Setup []string
	// Prepare holds the statements to run before each run of SQL, in the
	// same session: they build the temporary table of the denominators'
	// (patient, interval) pairs that SQL reads (DenValuesTable). Cleanup
	// drops it afterwards.
	Prepare, Cleanup []string
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
	// Partial: the query counts a range of patients (CompileMeasuresFor),
	// and its numerators and denominators are HUGEINTs, which may not fit
	// an int until the ranges' sums are added up; otherwise they are
	// BIGINTs, and a sum that does not fit is DuckDB's error.
	Partial bool
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
	writeScript(&b, append(slices.Clone(q.Setup), q.Prepare...), q.Plan, q.SQL)
	return b.String()
}

// DenValuesTable is the temporary table holding the denominators' values
// for each candidate (patient, interval) pair. It is computed by a
// statement of its own: DuckDB frees the memory of a statement's
// aggregations (their arena) only when the statement ends, and the
// denominators' held a third of the measures query's memory until its
// last join, where it ran out of memory in one run of two at 1M patients
// in 1GB (bench/RESULTS.md).
const DenValuesTable = "temp.main.ehrql_den_values"

// CompileMeasures compiles measures to DuckDB SQL. ehrQL runs one query per
// interval; here the intervals are a relation joined to the patients, so
// each table is scanned once for all of them (a range join where events are
// filtered by interval dates).
func CompileMeasures(ms []model.Measure) (*MeasuresQuery, error) {
	return CompileMeasuresFor(ms, PatientRange{})
}

// CompileMeasuresFor compiles measures to a query that counts the patients
// of r only: summed over the ranges of a partition of the patient ids, its
// numerators and denominators are those of CompileMeasures.
func CompileMeasuresFor(ms []model.Measure, r PatientRange) (*MeasuresQuery, error) {
	if len(ms) == 0 {
		return nil, fmt.Errorf("No measures defined")
	}
	q := &MeasuresQuery{Setup: Setup(), Measures: ms}
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
	c, err := newCompiler(roots, q.Intervals)
	if err != nil {
		return nil, err
	}
	c.patients = r
	// Denominators first, for the candidate (patient, interval) pairs;
	// then numerators and groups only for the pairs in some denominator's
	// population.
	s, from, err := c.measureCandidates(dens)
	if err != nil {
		return nil, err
	}
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
	denCTEs, denPlan := len(c.ctes), len(c.plan)
	// den_values carries each pair's interval and its dates.
	c.restrictPairs("den_values", "")
	s2 := newScope("d", renderContext{pairs: "den_values"})
	s2.iv = "d"
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
	intervals := "intervals(iv, start_date, end_date) AS (VALUES " + strings.Join(ivRows, ", ") + ")"
	denWith := append([]string{intervals}, c.ctes[:denCTEs]...)
	var d strings.Builder
	d.WriteString("CREATE OR REPLACE TEMP TABLE " + DenValuesTable + " AS\nWITH ")
	d.WriteString(strings.Join(denWith, ",\n") + "\n")
	fmt.Fprintf(&d, "SELECT * FROM (SELECT %s.patient_id, iv.iv AS iv, iv.start_date, iv.end_date,\n    %s\n  %s",
		s.base, strings.Join(denCols, ",\n    "), from)
	if len(s.joins) > 0 {
		d.WriteString("\n  " + s.joinClause())
	}
	fmt.Fprintf(&d, ")\n  WHERE (%s) IS TRUE", strings.Join(anyDen, " OR "))
	q.Prepare = []string{d.String()}
	q.Cleanup = []string{"DROP TABLE IF EXISTS " + DenValuesTable}
	c.plan = slices.Insert(c.plan, denPlan, "den_values: the denominators' (patient, interval) pairs, computed first, by a statement of their own, into a temporary table")
	// the CTEs before den_values stay when the later ones read them
	ctes := append(slices.Clone(denWith), "den_values AS (\n  SELECT * FROM "+DenValuesTable+"\n)")
	ctes = append(ctes, c.ctes[denCTEs:]...)
	sel := "d.*"
	if len(restCols) > 0 {
		sel += ",\n    " + strings.Join(restCols, ",\n    ")
	}
	q.Partial = !r.All()
	selects := measureSelects(ms, q.Groups, numSlot, denSlot, ivIndex, q.Partial)
	materialized := ""
	if len(selects) > 1 {
		materialized = " MATERIALIZED"
	}
	var pp strings.Builder
	fmt.Fprintf(&pp, "per_patient AS%s (\n  SELECT %s\n  FROM den_values AS d", materialized, sel)
	if len(s2.joins) > 0 {
		pp.WriteString("\n  " + s2.joinClause())
	}
	pp.WriteString("\n)")
	ctes = append(ctes, pp.String())
	body := strings.Join(selects, "\nUNION ALL\n") + "\nORDER BY ALL"
	var b strings.Builder
	b.WriteString("WITH " + strings.Join(referencedCTEs(ctes, body), ",\n") + "\n")
	b.WriteString(body)
	q.SQL = b.String()
	q.Plan = c.plan
	for _, t := range TableNodes(roots...) {
		if t.Op() != model.OpInlinePatientTable { // inline tables are part of the SQL
			q.Tables = append(q.Tables, t.Table())
		}
	}
	return q, nil
}

// referencedCTEs keeps the CTEs (in order, each after those it reads) that
// body reads, directly or through kept CTEs: the main statement of measures
// drops those only the denominators' own statement needed. A CTE's name is
// what precedes its first " AS" or "(".
func referencedCTEs(ctes []string, body string) []string {
	keep := make([]bool, len(ctes))
	readers := body
	for i := len(ctes) - 1; i >= 0; i-- {
		name := ctes[i][:strings.IndexAny(ctes[i], " (")]
		if regexp.MustCompile(`\b` + regexp.QuoteMeta(name) + `\b`).MatchString(readers) {
			keep[i] = true
			readers += "\n" + ctes[i]
		}
	}
	var out []string
	for i, cte := range ctes {
		if keep[i] {
			out = append(out, cte)
		}
	}
	return out
}

// measureCandidates returns the scope in which denominators are compiled and
// the FROM clause of the candidate (patient, interval) pairs they are
// computed for. When every denominator counts (or tests for) rows of a
// frame, a pair can only be in a denominator's population if it has such
// rows: the candidates are the pairs of those aggregations' relations
// (population first). Otherwise they are every patient in a table some
// denominator reads (ehrQL's population rule), for every interval.
func (c *compiler) measureCandidates(dens []*model.Node) (*scope, string, error) {
	var rels []string // the aggregations' relations, each once
	perInterval := map[string]bool{}
	for _, d := range dens {
		if (d.Op() != model.OpExists && d.Op() != model.OpCount) || !d.Arg(0).ManyRowsPerPatient() {
			rels = nil
			break
		}
		scratch := newScope("p", renderContext{})
		scratch.iv = "iv"
		if _, err := c.aggregate(d, scratch); err != nil {
			return nil, "", err
		}
		rel, _ := c.relation(d.ID(), "")
		name := rel.name
		if _, ok := perInterval[name]; !ok {
			rels = append(rels, name)
		}
		perInterval[name] = c.perInterval[d.ID()]
	}
	switch {
	case len(rels) == 1:
		// The relation itself is the base: its columns are read directly.
		name := rels[0]
		s := newScope(name, renderContext{})
		s.iv = "iv"
		s.joined[name] = true
		from := fmt.Sprintf("FROM %s AS %s CROSS JOIN intervals AS iv", name, name)
		if perInterval[name] {
			from = fmt.Sprintf("FROM %s AS %s JOIN intervals AS iv ON iv.iv = %s.iv", name, name, name)
		}
		c.plan = append(c.plan, fmt.Sprintf("population first: the candidate (patient, interval) pairs are those of %s, which the denominator requires", name))
		return s, from, nil
	case len(rels) > 1:
		var parts []string
		for _, name := range rels {
			if perInterval[name] {
				parts = append(parts, "SELECT patient_id, iv FROM "+name)
			} else {
				parts = append(parts, "SELECT r.patient_id, iv.iv FROM "+name+" AS r CROSS JOIN intervals AS iv")
			}
		}
		c.ctes = append(c.ctes, "population AS (\n  "+strings.Join(parts, "\n  UNION\n  ")+"\n)")
		s := newScope("p", renderContext{})
		s.iv = "iv"
		c.plan = append(c.plan, fmt.Sprintf("population first: the candidate (patient, interval) pairs are those of %s, one of which each denominator requires", strings.Join(rels, ", ")))
		return s, "FROM population AS p JOIN intervals AS iv ON iv.iv = p.iv", nil
	}
	var parts []string
	for _, t := range TableNodes(dens...) {
		if t.Op() == model.OpInlinePatientTable {
			name, err := c.inlineTable(t)
			if err != nil {
				return nil, "", err
			}
			parts = append(parts, "SELECT DISTINCT patient_id FROM "+name)
			continue
		}
		parts = append(parts, "SELECT DISTINCT patient_id FROM "+c.tableRef(t.Table()))
	}
	if len(parts) == 0 {
		// Denominators that read no table count nobody, as a dataset's
		// population that reads no table selects nobody.
		parts = append(parts, "SELECT CAST(NULL AS BIGINT) AS patient_id WHERE FALSE")
	}
	c.ctes = append(c.ctes, "population AS (\n  "+strings.Join(parts, "\n  UNION\n  ")+"\n)")
	c.plan = append(c.plan, "population: the candidates are the patients in any table the denominators read, for every interval")
	s := newScope("p", renderContext{})
	s.iv = "iv"
	return s, "FROM population AS p CROSS JOIN intervals AS iv", nil
}

// measureSelects aggregates per_patient into the result rows: one
// aggregation for each set of measures with the same numerator,
// denominator and groups (a measure repeated over several series of
// intervals is one pass), each pair meeting its measures through a table
// of (measure, interval) rows.
func measureSelects(ms []model.Measure, groups []GroupColumn, numSlot, denSlot map[model.ID]string, ivIndex map[[2]model.CivilDate]int, partial bool) []string {
	// DuckDB sums ints into a HUGEINT; a whole run's sums must fit an int,
	// a batch's are added up first (MeasuresQuery.Partial).
	sumType := "BIGINT"
	if partial {
		sumType = "HUGEINT"
	}
	type set struct {
		m       model.Measure
		members []int
	}
	var sets []*set
	byKey := map[string]*set{}
	for mi, m := range ms {
		var own []string
		for _, g := range m.GroupBy {
			own = append(own, fmt.Sprint(g.Series.ID()))
		}
		sort.Strings(own)
		key := fmt.Sprintf("%s/%s/%s", numSlot[m.Numerator.ID()], denSlot[m.Denominator.ID()], strings.Join(own, ","))
		if byKey[key] == nil {
			byKey[key] = &set{m: m}
			sets = append(sets, byKey[key])
		}
		byKey[key].members = append(byKey[key].members, mi)
	}
	var selects []string
	for _, st := range sets {
		own := map[model.ID]bool{}
		for _, g := range st.m.GroupBy {
			own[g.Series.ID()] = true
		}
		var gsel []string
		for _, g := range groups {
			if own[g.ID] {
				gsel = append(gsel, "p."+g.Name)
			} else {
				gsel = append(gsel, fmt.Sprintf("CAST(NULL AS %s) AS %s", sqlType(g.Type), g.Name))
			}
		}
		var pairs []string
		for _, mi := range st.members {
			for _, iv := range ms[mi].Intervals {
				pairs = append(pairs, fmt.Sprintf("(%d, %d)", mi, ivIndex[iv]))
			}
		}
		den := denSlot[st.m.Denominator.ID()]
		sel := fmt.Sprintf("SELECT mi.measure, p.iv, CAST(COALESCE(sum(p.%s), 0) AS %s) AS numerator, CAST(sum(p.%s) AS %s) AS denominator",
			numSlot[st.m.Numerator.ID()], sumType, den, sumType)
		if len(gsel) > 0 {
			sel += ", " + strings.Join(gsel, ", ")
		}
		sel += fmt.Sprintf("\n  FROM per_patient AS p JOIN (VALUES %s) AS mi(measure, iv) ON mi.iv = p.iv\n  WHERE p.%s > 0\n  GROUP BY ALL", strings.Join(pairs, ", "), den)
		selects = append(selects, sel)
	}
	return selects
}
