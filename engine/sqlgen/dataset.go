package sqlgen

import (
	"fmt"
	"strings"

	"github.com/ehrql-go/ehrql/query/model"
)

// Query is a compiled dataset: the SQL that returns one row per patient in
// the population, with patient_id and the variables as typed columns, and
// what is needed to run it.
type Query struct {
	// Setup holds the statements to run in the session first (Setup()).
	Setup []string
	// SQL returns the dataset, ordered by patient_id.
	SQL string
	// Columns describes the output columns, patient_id first.
	Columns []model.ColumnSpec
	// Tables lists every table the query reads.
	Tables []*model.Table
	// Events holds the dataset's event-level output tables, if any.
	Events []EventQuery
	// Plan lists the compiler's choices (which frames share a scan, how
	// the candidate patients are found), one line each.
	Plan []string

	// Dataset is the compiled definition, for naming the variable a failed
	// run was computing.
	Dataset *model.Dataset
}

// EventQuery is one event-level output table (ehrQL's add_event_table): a
// row for each row of its frame that belongs to a patient in the
// population, ordered by patient, then by the frame's sort keys, then by
// the columns (each ascending, NULL first).
type EventQuery struct {
	Name    string
	SQL     string
	Columns []model.ColumnSpec
}

// Script renders the whole query as one SQL script, for dump-dataset-sql.
func (q *Query) Script() string {
	var b strings.Builder
	writeScript(&b, q.Setup, q.Plan, q.SQL)
	for _, e := range q.Events {
		fmt.Fprintf(&b, "\n-- event table %s\n%s;\n", e.Name, e.SQL)
	}
	return b.String()
}

// writeScript writes the plan as comments, the setup statements and the
// query, each ending with a semicolon.
func writeScript(b *strings.Builder, setup, plan []string, sql string) {
	for _, p := range plan {
		b.WriteString("-- plan: " + p + "\n")
	}
	if len(plan) > 0 {
		b.WriteString("\n")
	}
	for _, s := range setup {
		b.WriteString(s)
		b.WriteString(";\n\n")
	}
	b.WriteString(sql)
	b.WriteString(";\n")
}

// CompileDataset compiles a validated dataset to DuckDB SQL.
func CompileDataset(ds *model.Dataset) (*Query, error) {
	return CompileDatasetFor(ds, PatientRange{})
}

// CompileDatasetFor compiles a validated dataset to DuckDB SQL that reads
// the patients of r only: the rows of the whole dataset (and of its event
// tables) whose patient_id lies in r.
func CompileDatasetFor(ds *model.Dataset, r PatientRange) (*Query, error) {
	if err := ds.Validate(); err != nil {
		return nil, err
	}
	// Every root, event tables' too: a pick's ties are broken by every
	// column read from it anywhere in the dataset (ehrQL's rewrite_sorts).
	roots := ds.Roots()
	c, err := newCompiler(roots, nil)
	if err != nil {
		return nil, err
	}
	c.patients = r
	rest, err := c.universe(ds.Population, roots)
	if err != nil {
		return nil, err
	}
	s := c.populationScope()
	c.where = "population"
	pop, err := c.expr(rest, s)
	if err != nil {
		return nil, fmt.Errorf("population: %w", err)
	}
	sel := []string{s.base + ".patient_id AS patient_id"}
	for _, v := range ds.Variables {
		c.where = fmt.Sprintf("variable '%s'", v.Name)
		x, err := c.expr(v.Series, s)
		if err != nil {
			return nil, fmt.Errorf("variable %s: %w", v.Name, err)
		}
		sel = append(sel, fmt.Sprintf("CAST(%s AS %s) AS %s", x, sqlType(v.Series.Type()), ident(v.Name)))
	}
	var b strings.Builder
	b.WriteString("WITH ")
	b.WriteString(strings.Join(c.ctes, ",\n"))
	b.WriteString("\n")
	fmt.Fprintf(&b, "SELECT %s\nFROM population AS %s", strings.Join(sel, ",\n  "), s.base)
	if len(s.joins) > 0 {
		b.WriteString("\n" + s.joinClause())
	}
	fmt.Fprintf(&b, "\nWHERE (%s) IS TRUE\nORDER BY %s.patient_id", pop, s.base)
	q := &Query{Setup: Setup(), SQL: b.String(), Columns: model.ColumnSpecs(ds), Plan: c.plan, Dataset: ds}
	for _, ev := range ds.Events {
		eq, err := compileEventTable(ds.Population, ev, roots, r)
		if err != nil {
			return nil, fmt.Errorf("event table %s: %w", ev.Name, err)
		}
		q.Events = append(q.Events, eq)
	}
	q.Tables = TablesOf(roots...) // inline tables are part of the SQL
	return q, nil
}

// compileEventTable compiles one event-level output table: the frame's rows
// of population patients, with patient-level members repeated on each row,
// ordered by patient, then by the frame's sort keys, then by the columns
// (each ascending, NULL first). roots are all the dataset's series; r the
// patients it reads.
func compileEventTable(population *model.Node, ev model.EventTable, roots []*model.Node, r PatientRange) (EventQuery, error) {
	members := ev.Frame.Args()
	c, err := newCompiler(roots, nil)
	if err != nil {
		return EventQuery{}, err
	}
	c.patients = r
	rest, err := c.universe(population, roots)
	if err != nil {
		return EventQuery{}, err
	}
	ps := c.populationScope()
	c.where = "population"
	pop, err := c.expr(rest, ps)
	if err != nil {
		return EventQuery{}, err
	}
	var frame *model.Node
	for _, m := range members {
		if m.ManyRowsPerPatient() {
			frame = frameOf(m)
			break
		}
	}
	if frame == nil {
		return EventQuery{}, fmt.Errorf("no event-level column")
	}
	names := ev.Frame.MemberNames()
	f, err := flattenFrame(frame)
	if err != nil {
		return EventQuery{}, err
	}
	order := []string{"r.patient_id"}
	c.where = fmt.Sprintf("event table '%s'", ev.Name)
	rows, err := c.eventQuery(ps.ctx.scan(), frame, false, nil, func(s *scope) (string, string, error) {
		sel := []string{"e.patient_id AS patient_id"}
		for i, k := range f.sortKeys {
			x, err := c.expr(k, s)
			if err != nil {
				return "", "", err
			}
			key := fmt.Sprintf("ehrql_key%d", i)
			sel = append(sel, x+" AS "+key)
			order = append(order, "r."+key+" NULLS FIRST")
		}
		for i, m := range members {
			x, err := c.expr(m, s)
			if err != nil {
				return "", "", err
			}
			sel = append(sel, fmt.Sprintf("CAST(%s AS %s) AS %s", x, sqlType(m.Type()), ident(names[i])))
		}
		return strings.Join(sel, ", "), "", nil
	})
	if err != nil {
		return EventQuery{}, err
	}
	out := []string{"patient_id"}
	for _, n := range names {
		out = append(out, ident(n))
		order = append(order, "r."+ident(n)+" NULLS FIRST")
	}
	var b strings.Builder
	b.WriteString("WITH ")
	b.WriteString(strings.Join(c.ctes, ",\n"))
	fmt.Fprintf(&b, ",\nincluded AS (\n  SELECT %s.patient_id FROM population AS %s", ps.base, ps.base)
	if len(ps.joins) > 0 {
		b.WriteString("\n  " + ps.joinClause())
	}
	fmt.Fprintf(&b, "\n  WHERE (%s) IS TRUE\n)\n", pop)
	fmt.Fprintf(&b, "SELECT %s FROM (\n  %s\n) AS r\nWHERE r.patient_id IN (SELECT patient_id FROM included)\nORDER BY %s",
		"r."+strings.Join(out, ", r."), rows, strings.Join(order, ", "))
	return EventQuery{Name: ev.Name, SQL: b.String(), Columns: model.EventColumnSpecs(ev)}, nil
}

// conjuncts splits a condition into the conditions it ANDs together.
func conjuncts(n *model.Node) []*model.Node {
	if n.Op() == model.OpAnd {
		return append(conjuncts(n.Arg(0)), conjuncts(n.Arg(1))...)
	}
	return []*model.Node{n}
}
