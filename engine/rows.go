package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ehrql-go/ehrql/engine/memory"
	"github.com/ehrql-go/ehrql/engine/source"
	"github.com/ehrql-go/ehrql/engine/sqlname"
	"github.com/ehrql-go/ehrql/query/model"
)

// OpenRows starts an in-memory session holding the given tables, filled
// from rows held in memory (test patients, small examples), and locks it
// down as OpenCSVTables does.
func OpenRows(ctx context.Context, tables []*model.Table, data memory.Data, opts Options) (*Session, error) {
	s, err := open(ctx, "", opts)
	if err != nil {
		return nil, err
	}
	if err := s.LoadRows(ctx, tables, data); err != nil {
		s.Close()
		return nil, err
	}
	return s.lockdown(ctx)
}

// LoadRows creates (or replaces) each table in the session, with
// patient_id then its columns typed as source.SQLType says, and inserts
// its rows from data (values as the reference engine holds them: nil,
// bool, int64, float64, string or model.CivilDate).
func (s *Session) LoadRows(ctx context.Context, tables []*model.Table, data memory.Data) error {
	for _, t := range tables {
		defs := []string{"patient_id BIGINT NOT NULL"}
		marks := []string{"?"}
		for _, c := range t.Columns {
			defs = append(defs, sqlname.Ident(c.Name)+" "+source.SQLType(c.Type))
			marks = append(marks, "?")
		}
		if err := s.Exec(ctx, fmt.Sprintf("CREATE OR REPLACE TABLE %s (%s)", sqlname.Ident(t.Name), strings.Join(defs, ", "))); err != nil {
			return fmt.Errorf("creating table %s: %w", t.Name, err)
		}
		rows := data[t.Name]
		if len(rows) == 0 {
			continue
		}
		tuple := "(" + strings.Join(marks, ", ") + ")"
		args := make([]any, 0, len(rows)*len(marks))
		for _, row := range rows {
			args = append(args, row.PatientID)
			for _, c := range t.Columns {
				v := row.Values[c.Name]
				if d, ok := v.(model.CivilDate); ok {
					v = d.Time()
				}
				args = append(args, v)
			}
		}
		insert := fmt.Sprintf("INSERT INTO %s VALUES %s", sqlname.Ident(t.Name), strings.TrimSuffix(strings.Repeat(tuple+", ", len(rows)), ", "))
		if err := s.Exec(ctx, insert, args...); err != nil {
			return fmt.Errorf("loading table %s: %w", t.Name, err)
		}
	}
	return nil
}

// Fetch runs a query of the session and returns its rows as the reference
// engine's table name holds them (dates as model.CivilDate).
func (s *Session) Fetch(ctx context.Context, name, query string, cols []model.ColumnSpec) (memory.Table, error) {
	t := memory.Table{Name: name, Columns: specNames(cols)}
	rows, err := s.Query(ctx, query)
	if err != nil {
		return t, err
	}
	defer rows.Close()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return t, err
		}
		for i, v := range vals {
			if tm, ok := v.(time.Time); ok {
				vals[i] = model.DateOf(tm)
			}
		}
		t.Rows = append(t.Rows, vals)
	}
	return t, rows.Err()
}

// Results runs the dataset and its event tables in the session and
// returns them as the reference engine does; a failure is diagnosed as
// Run's are.
func (q *Query) Results(ctx context.Context, s *Session) (*memory.Results, error) {
	batches, err := q.batches(ctx, s)
	if err != nil {
		return nil, err
	}
	res := &memory.Results{
		Dataset: memory.Table{Name: "dataset", Columns: specNames(q.Columns)},
	}
	for _, e := range q.Events {
		res.Events = append(res.Events, memory.Table{Name: e.Name, Columns: specNames(e.Columns)})
	}
	for _, b := range batches {
		t, err := s.Fetch(ctx, "dataset", b.SQL, q.Columns)
		if err != nil {
			return nil, q.diagnose(ctx, s, err)
		}
		res.Dataset.Rows = append(res.Dataset.Rows, t.Rows...)
		for i, e := range b.Events {
			t, err := s.Fetch(ctx, e.Name, e.SQL, e.Columns)
			if err != nil {
				return nil, q.diagnose(ctx, s, err)
			}
			res.Events[i].Rows = append(res.Events[i].Rows, t.Rows...)
		}
	}
	return res, nil
}

func specNames(cols []model.ColumnSpec) []string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return names
}

// ReadRows reads the session's tables back, each in the order its rows
// were loaded, as the reference engine holds them.
func (s *Session) ReadRows(ctx context.Context, tables []*model.Table) (memory.Data, error) {
	data := memory.Data{}
	for _, t := range tables {
		cols := []model.ColumnSpec{model.PatientIDSpec}
		sel := []string{"patient_id"}
		for _, c := range t.Columns {
			cols = append(cols, model.ColumnSpec{Name: c.Name, Type: c.Type, Nullable: true})
			sel = append(sel, sqlname.Ident(c.Name))
		}
		got, err := s.Fetch(ctx, t.Name, fmt.Sprintf("SELECT %s FROM %s ORDER BY rowid", strings.Join(sel, ", "), sqlname.Ident(t.Name)), cols)
		if err != nil {
			return nil, fmt.Errorf("reading table %s: %w", t.Name, err)
		}
		rows := make([]memory.Row, len(got.Rows))
		for i, r := range got.Rows {
			vals := make(map[string]any, len(t.Columns))
			for j, c := range t.Columns {
				vals[c.Name] = r[j+1]
			}
			rows[i] = memory.Row{PatientID: r[0].(int64), Values: vals}
		}
		data[t.Name] = rows
	}
	return data, nil
}
