package engine

import (
	"fmt"
	"strings"

	"github.com/ehrql-go/ehrql/query/model"
)

// Query is a compiled dataset: the SQL that returns one row per patient in
// the population, with patient_id and the variables as typed columns, and
// what is needed to run it.
type Query struct {
	// Setup holds the statements to run in the session first (macros).
	Setup []string
	// SQL returns the dataset, ordered by patient_id.
	SQL string
	// Columns describes the output columns, patient_id first.
	Columns []ColumnSpec
	// Tables lists every table the query reads.
	Tables []*model.Table
}

// Script renders the whole query as one SQL script, for dump-dataset-sql.
func (q *Query) Script() string {
	var b strings.Builder
	for _, s := range q.Setup {
		b.WriteString(s)
		b.WriteString(";\n\n")
	}
	b.WriteString(q.SQL)
	b.WriteString(";\n")
	return b.String()
}

// CompileDataset compiles a validated dataset to DuckDB SQL.
func CompileDataset(ds *model.Dataset) (*Query, error) {
	if err := ds.Validate(); err != nil {
		return nil, err
	}
	if len(ds.Events) > 0 {
		return nil, &UnsupportedError{"event-level output tables (add_event_table)"}
	}
	roots := []*model.Node{ds.Population}
	for _, v := range ds.Variables {
		roots = append(roots, v.Series)
	}
	c, err := newCompiler(roots, false)
	if err != nil {
		return nil, err
	}
	universe, err := c.universe(ds.Population)
	if err != nil {
		return nil, err
	}
	s := newScope("p")
	pop, err := c.expr(ds.Population, s)
	if err != nil {
		return nil, fmt.Errorf("population: %w", err)
	}
	sel := []string{"p.patient_id AS patient_id"}
	cols := []ColumnSpec{{Name: "patient_id", Type: model.Int}}
	for _, v := range ds.Variables {
		x, err := c.expr(v.Series, s)
		if err != nil {
			return nil, fmt.Errorf("variable %s: %w", v.Name, err)
		}
		sel = append(sel, fmt.Sprintf("CAST(%s AS %s) AS %s", x, sqlType(v.Series.Type()), ident(v.Name)))
		cols = append(cols, specOf(v.Name, v.Series))
	}
	var b strings.Builder
	if len(c.ctes) > 0 || universe != "" {
		b.WriteString("WITH ")
		all := append(append([]string{}, c.ctes...), "population AS (\n  "+universe+"\n)")
		b.WriteString(strings.Join(all, ",\n"))
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "SELECT %s\nFROM population AS p", strings.Join(sel, ",\n  "))
	if len(s.joins) > 0 {
		b.WriteString("\n" + s.joinClause())
	}
	fmt.Fprintf(&b, "\nWHERE (%s) IS TRUE\nORDER BY p.patient_id", pop)
	var tables []*model.Table
	for _, t := range tableNodes(roots...) {
		tables = append(tables, t.Table())
	}
	return &Query{Setup: macros, SQL: b.String(), Columns: cols, Tables: tables}, nil
}

// universe returns the SQL for the candidate patients: everyone who appears
// in a table the population reads. ehrQL's population rules guarantee that
// no one else can be in the population.
func (c *compiler) universe(pop *model.Node) (string, error) {
	var parts []string
	for _, t := range tableNodes(pop) {
		if t.Op() == model.OpInlinePatientTable {
			name, err := c.inlineTable(t)
			if err != nil {
				return "", err
			}
			parts = append(parts, "SELECT DISTINCT patient_id FROM "+name)
			continue
		}
		parts = append(parts, "SELECT DISTINCT patient_id FROM "+ident(t.Table().Name))
	}
	if len(parts) == 0 {
		return "", fmt.Errorf("the population does not read any table")
	}
	return strings.Join(parts, "\n  UNION\n  "), nil
}
