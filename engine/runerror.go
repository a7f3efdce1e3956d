package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/ehrql-go/ehrql/engine/duck"
	"github.com/ehrql-go/ehrql/engine/sqlgen"
	"github.com/ehrql-go/ehrql/query/model"
)

// RunError reports a query that failed while running, naming what it was
// computing: a variable of the dataset (or its population), an event-level
// output table, or a measure, and the tables that reads.
type RunError struct {
	Variable   string   // the variable, "population" for the population, or ""
	EventTable string   // the event-level output table, or ""
	Measure    string   // the measure, or ""
	Tables     []string // the tables read
	Err        error    // DuckDB's error
}

// Error implements the error interface.
func (e *RunError) Error() string {
	what := "variable '" + e.Variable + "'"
	switch {
	case e.Measure != "":
		what = "measure '" + e.Measure + "'"
	case e.EventTable != "":
		what = "event table '" + e.EventTable + "'"
	case e.Variable == "population":
		what = "the population"
	}
	from := ""
	if len(e.Tables) > 0 {
		word := "table "
		if len(e.Tables) > 1 {
			word = "tables "
		}
		from = " from " + word + strings.Join(e.Tables, ", ")
	}
	return fmt.Sprintf("computing %s%s: %s", what, from, firstLine(e.Err))
}

// Unwrap returns DuckDB's error.
func (e *RunError) Unwrap() error { return e.Err }

// firstLine is the first line of err's text: DuckDB's message without the
// SQL excerpt that follows it.
func firstLine(err error) string {
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return strings.TrimPrefix(msg, "running the query: ")
}

// tableNames lists the names of the tables below roots.
func tableNames(roots ...*model.Node) []string {
	var names []string
	for _, t := range sqlgen.TableNodes(roots...) {
		if t.Op() != model.OpInlinePatientTable {
			names = append(names, t.Table().Name)
		}
	}
	return names
}

// diagnosable reports whether err, from running a query, is worth
// pinning on one of its parts: an error of DuckDB's while the run was not
// cancelled, and not the spill cap or the memory limit, which are about
// the run rather than a computation (and running each part again would
// take as long as the run).
func diagnosable(ctx context.Context, err error) bool {
	var de *duckdb.Error
	var se *duck.SpillError
	var me *duck.MemoryError
	return errors.As(err, &de) && ctx.Err() == nil && !errors.As(err, &se) && !errors.As(err, &me)
}

// drain runs query in the session and reads every row, returning the first
// error.
func (s *Session) drain(ctx context.Context, query string) error {
	rows, err := s.conn.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}

// diagnose finds which part of the dataset makes its query fail, by
// running the population and then each variable on its own; it returns a
// *RunError for the first that fails, or err unchanged if none does.
func (q *Query) diagnose(ctx context.Context, s *Session, err error) error {
	var re *RunError
	if q.Dataset == nil || !diagnosable(ctx, err) || errors.As(err, &re) {
		return err
	}
	parts := append([]model.Variable{{Name: "population", Series: q.Dataset.Population}}, q.Dataset.Variables...)
	for _, v := range parts {
		one, cerr := CompileDataset(&model.Dataset{Population: q.Dataset.Population, Variables: []model.Variable{{Name: "v", Series: v.Series}}})
		if cerr != nil {
			continue
		}
		if rerr := s.drain(ctx, one.SQL); rerr != nil && diagnosable(ctx, rerr) {
			where := "variable '" + v.Name + "'"
			if v.Name == "population" {
				where = "population"
			}
			if de := dataError(where, rerr, v.Series); de != nil {
				return de
			}
			return &RunError{Variable: v.Name, Tables: tableNames(v.Series), Err: rerr}
		}
	}
	if de := dataError("the dataset", err, q.Dataset.Roots()...); de != nil {
		return de
	}
	return err
}

// eventTableError names the event-level output table i whose query failed
// with err.
func (q *Query) eventTableError(ctx context.Context, i int, err error) error {
	if q.Dataset == nil || i >= len(q.Dataset.Events) || !diagnosable(ctx, err) {
		return err
	}
	ev := q.Dataset.Events[i]
	if de := dataError("event table '"+ev.Name+"'", err, ev.Frame); de != nil {
		return de
	}
	return &RunError{EventTable: ev.Name, Tables: tableNames(ev.Frame), Err: err}
}

// diagnose finds which measure makes the measures query fail, by running
// each on its own; it returns a *RunError for the first that fails, or
// err unchanged if none does.
func (q *MeasuresQuery) diagnose(ctx context.Context, s *Session, err error) error {
	if len(q.Measures) < 1 || !diagnosable(ctx, err) {
		return err
	}
	for _, m := range q.Measures {
		one, cerr := CompileMeasures([]model.Measure{m})
		if cerr != nil {
			continue
		}
		rerr := one.prepare(ctx, s)
		if rerr == nil {
			rerr = s.drain(ctx, one.SQL)
		}
		one.cleanup(ctx, s)
		if rerr != nil && diagnosable(ctx, rerr) {
			roots := measureRoots(m)
			if de := dataError("measure '"+m.Name+"'", rerr, roots...); de != nil {
				return de
			}
			return &RunError{Measure: m.Name, Tables: tableNames(roots...), Err: rerr}
		}
	}
	var roots []*model.Node
	for _, m := range q.Measures {
		roots = append(roots, measureRoots(m)...)
	}
	if de := dataError("the measures", err, roots...); de != nil {
		return de
	}
	return err
}

// measureRoots are the series a measure computes: its denominator,
// numerator and groups.
func measureRoots(m model.Measure) []*model.Node {
	roots := []*model.Node{m.Denominator, m.Numerator}
	for _, g := range m.GroupBy {
		roots = append(roots, g.Series)
	}
	return roots
}
