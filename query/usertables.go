package query

import (
	"fmt"

	"github.com/ehrql-go/ehrql/query/model"
)

// Events is an event-level table (or a view of one) with no Go type of its
// own: a user-defined table, read with Column.
type Events struct {
	EventFrame[Events, SortedEvents, Row]
}

// SortedEvents is a sorted view of an Events table.
type SortedEvents struct {
	SortedEventFrame[Events, SortedEvents, Row]
}

// Row is the row picked from an Events table for each patient.
type Row struct{ PatientFrame }

var userKinds = &FrameKinds[Events, SortedEvents, Row]{
	Events:  func(f EventFrame[Events, SortedEvents, Row]) Events { return Events{f} },
	Sorted:  func(f SortedEventFrame[Events, SortedEvents, Row]) SortedEvents { return SortedEvents{f} },
	Patient: func(p PatientFrame) Row { return Row{p} },
}

// EventTable makes a user-defined event-level table from its schema; its
// columns are read with Column, e.g. Column[IntEventSeries](t, "i1"). A
// table with no Module is written inline in the JSON query model and read
// from the data source by its name.
func EventTable(t *model.Table) Events {
	if t.PatientLevel {
		return Events{EventFrame[Events, SortedEvents, Row]{f: frame{err: fail(fmt.Errorf("table %s is patient-level: use PatientTable", t.Name))}, kinds: userKinds}}
	}
	return Events{NewEventFrame(t, userKinds)}
}

// PatientTable makes a user-defined patient-level table from its schema.
func PatientTable(t *model.Table) PatientFrame {
	if !t.PatientLevel {
		return PatientFrame{frame{err: fail(fmt.Errorf("table %s is event-level: use EventTable", t.Name))}}
	}
	return NewPatientFrame(t)
}

// Mapping is one entry of MapValues: a value of the input series (a Go
// bool, int, float64 or string; dates and codes as strings) and what it maps
// to.
type Mapping[S Series] struct {
	From any
	To   S
}

// Map is a Mapping from a value to a series (usually a literal).
func Map[S Series](from any, to S) Mapping[S] { return Mapping[S]{From: from, To: to} }

// MapValues maps each value of x through the mappings (in order; the first
// equal one wins); values that match none, and NULL, take the optional
// default, else NULL. It is ehrQL's map_values: a Case of equality tests.
//
// To map an event series to literals, instantiate S with the kind's
// interface, e.g. MapValues[StrSeries]; the result then holds the
// event-level type.
func MapValues[S Series](x Series, mappings []Mapping[S], otherwise ...S) S {
	var targets []Series
	for _, m := range mappings {
		targets = append(targets, m.To)
	}
	for _, o := range otherwise {
		targets = append(targets, o)
	}
	res := func(s series) S { return wrapLike[S](s, targets) }
	if len(otherwise) > 1 {
		return res(errSeries("MapValues takes at most one default"))
	}
	src, err := x.node()
	if err != nil {
		return res(series{err: err})
	}
	var conds, values []*model.Node
	for i, m := range mappings {
		l, err := literalFor(src.Type(), m.From)
		if err != nil {
			return res(series{err: fail(fmt.Errorf("MapValues: mapping %d: %w", i+1, err))})
		}
		eq, err := model.Function(model.OpEQ, src, model.MustValue(l))
		if err != nil {
			return res(series{err: fail(err)})
		}
		v, err := valueNode(m.To)
		if err != nil {
			return res(series{err: err})
		}
		conds = append(conds, eq)
		values = append(values, v)
	}
	var def *model.Node
	if len(otherwise) == 1 {
		if def, err = valueNode(otherwise[0]); err != nil {
			return res(series{err: err})
		}
	}
	if len(conds) == 0 {
		return res(errSeries("MapValues needs at least one mapping"))
	}
	n, err := model.Case(conds, values, def)
	if err != nil {
		return res(series{err: fail(err)})
	}
	return res(series{n: n})
}

// literalFor converts a Go value to a literal of type t, as ehrQL casts
// literals: ints into float series, ISO strings into dates, strings into
// codes of the series' system.
func literalFor(t model.Type, v any) (model.Literal, error) {
	bad := func() (model.Literal, error) {
		return model.Literal{}, fmt.Errorf("Expected type '%s' but got '%T'", t, v)
	}
	switch t.Kind {
	case model.KindBool:
		if b, ok := v.(bool); ok {
			return model.BoolLit(b), nil
		}
	case model.KindInt:
		if i, ok := v.(int); ok {
			return model.IntLit(int64(i)), nil
		}
	case model.KindFloat:
		switch f := v.(type) {
		case float64:
			return model.FloatLit(f), nil
		case int:
			return model.FloatLit(float64(f)), nil
		}
	case model.KindStr:
		if s, ok := v.(string); ok {
			return model.StrLit(s), nil
		}
	case model.KindDate:
		if s, ok := v.(string); ok {
			d, err := model.ParseDate(s)
			if err != nil {
				return model.Literal{}, err
			}
			return model.DateLit(d), nil
		}
	case model.KindCode:
		if s, ok := v.(string); ok {
			return model.CodeLit(t.System, s)
		}
	case model.KindMultiCode:
		return model.Literal{}, fmt.Errorf("multi-code strings cannot be compared for equality; use Contains or ContainsAnyOf")
	}
	return bad()
}

// TableFromRows makes a patient-level table whose rows are written in the
// definition (ehrQL's table_from_rows): each row is the patient's id (an
// int) and then one value per column of t, in t's column order, as Go
// values (bool, int, float64, string; dates and codes as strings; nil for
// NULL). The rows travel inside the query model. A row of the wrong length
// or a value of the wrong type is reported with the definition's line.
func TableFromRows(t *model.Table, rows ...[]any) PatientFrame {
	if !t.PatientLevel {
		return PatientFrame{frame{err: fail(fmt.Errorf("TableFromRows: table %s is event-level: rows make a patient-level table", t.Name))}}
	}
	lits := make([][]model.Literal, len(rows))
	for i, r := range rows {
		if len(r) != len(t.Columns)+1 {
			return PatientFrame{frame{err: fail(fmt.Errorf("TableFromRows(%s): row %d has %d values, expected %d (patient_id, then %d columns)", t.Name, i+1, len(r), len(t.Columns)+1, len(t.Columns)))}}
		}
		row := make([]model.Literal, len(r))
		pid, ok := r[0].(int)
		if !ok {
			return PatientFrame{frame{err: fail(fmt.Errorf("TableFromRows(%s): row %d: patient_id must be an int, got %T", t.Name, i+1, r[0]))}}
		}
		row[0] = model.IntLit(int64(pid))
		for j, c := range t.Columns {
			if r[j+1] == nil {
				continue // NULL
			}
			lit, err := literalFor(c.Type, r[j+1])
			if err != nil {
				return PatientFrame{frame{err: fail(fmt.Errorf("TableFromRows(%s): row %d, column %s: %w", t.Name, i+1, c.Name, err))}}
			}
			row[j+1] = lit
		}
		lits[i] = row
	}
	n, err := model.InlinePatientTable(t, lits)
	if err != nil {
		return PatientFrame{frame{err: fail(fmt.Errorf("TableFromRows: %w", err))}}
	}
	return PatientFrame{frame{n: n}}
}
