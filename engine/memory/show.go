package memory

import (
	"fmt"

	"github.com/ehrql-go/ehrql/query/model"
)

// Show evaluates what ehrQL's show() displays, over data (which should
// hold only the tables the elements read, as ehrQL's debugger loads them):
//
//   - a one-row-per-patient series: patient_id and value, for every patient
//     in the data;
//   - a many-rows series: patient_id, row_id and value, for each row of its
//     frame;
//   - a frame: patient_id (and row_id for many rows) and the table's
//     columns, for each of its rows;
//   - several series of one domain side by side: as above, with columns
//     series_1, series_2, ...
//
// row_id is the row's position in its table's data, from 1, as in ehrQL's
// in-memory database. Values are nil, bool, int64, float64, string or
// model.CivilDate.
func Show(elements []*model.Node, data Data) (t Table, err error) {
	if len(elements) == 0 {
		return t, fmt.Errorf("nothing to show")
	}
	e, ids := newEvaluator(data, elements, false)
	defer func() {
		if r := recover(); r != nil {
			fail, ok := r.(failure)
			if !ok {
				panic(r)
			}
			t, err = Table{}, &Error{Where: "show()", Err: fail.err}
		}
	}()
	first := elements[0]
	names := []string{"value"}
	if len(elements) > 1 {
		names = make([]string, len(elements))
		for i := range elements {
			names[i] = fmt.Sprintf("series_%d", i+1)
		}
	}
	switch {
	case first.IsFrame():
		return e.showFrame(first, ids), nil
	case first.PatientDomain():
		t.Columns = append([]string{"patient_id"}, names...)
		for _, id := range ids {
			e.startPatient(id)
			row := []any{id}
			for _, n := range elements {
				row = append(row, e.eval(n, -1))
			}
			t.Rows = append(t.Rows, row)
		}
		return t, nil
	}
	frame := frameOf(first)
	t.Columns = append([]string{"patient_id", "row_id"}, names...)
	for _, id := range ids {
		e.startPatient(id)
		for _, r := range e.frameRows(frame) {
			row := []any{id, int64(r + 1)}
			for _, n := range elements {
				row = append(row, e.eval(n, r))
			}
			t.Rows = append(t.Rows, row)
		}
	}
	return t, nil
}

// showFrame lists a frame's rows with all its table's columns.
func (e *evaluator) showFrame(f *model.Node, ids []int64) Table {
	cols := f.Table().Columns
	t := Table{Columns: []string{"patient_id"}}
	if f.ManyRowsPerPatient() {
		t.Columns = append(t.Columns, "row_id")
	}
	for _, c := range cols {
		t.Columns = append(t.Columns, c.Name)
	}
	for _, id := range ids {
		e.startPatient(id)
		if !f.ManyRowsPerPatient() {
			vals := e.patientRow(f)
			if vals == nil {
				continue
			}
			row := []any{id}
			for _, c := range cols {
				row = append(row, vals[c.Name])
			}
			t.Rows = append(t.Rows, row)
			continue
		}
		rows := e.frameRows(f)
		if keys := sortKeys(f); len(keys) > 0 {
			rows = e.orderRows(rows, f.Table().Name, keys, nil)
		}
		for _, r := range rows {
			row := []any{id, int64(r + 1)}
			for _, c := range cols {
				row = append(row, e.row(f.Table().Name, r)[c.Name])
			}
			t.Rows = append(t.Rows, row)
		}
	}
	return t
}

// ShowDataset evaluates a dataset as ehrQL's show() displays it: patient_id
// and the variables, for the patients in the population, or for every
// patient in the data when there is no population yet.
func ShowDataset(population *model.Node, vars []model.Variable, data Data) (t Table, err error) {
	roots := []*model.Node{}
	if population != nil {
		roots = append(roots, population)
	}
	for _, v := range vars {
		roots = append(roots, v.Series)
	}
	e, ids := newEvaluator(data, roots, false)
	defer func() {
		if r := recover(); r != nil {
			fail, ok := r.(failure)
			if !ok {
				panic(r)
			}
			t, err = Table{}, &Error{Where: e.where, Err: fail.err}
		}
	}()
	t.Columns = []string{"patient_id"}
	for _, v := range vars {
		t.Columns = append(t.Columns, v.Name)
	}
	for _, id := range ids {
		e.startPatient(id)
		e.where = "population"
		if population != nil && e.eval(population, -1) != true {
			continue
		}
		row := []any{id}
		for _, v := range vars {
			e.where = fmt.Sprintf("variable '%s'", v.Name)
			row = append(row, e.eval(v.Series, -1))
		}
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}
