// Package spectest holds what ehrQL's spec tests are written in, for the
// spec suite (engine/spec) and the query model's own tests (query/model)
// alike: the spec tables p and e (ehrQL's tests/spec/tables.py), their
// data as pipe tables (tests/spec/conftest.py), and the expected values of
// a series per patient, normalised and compared as ehrQL's harness
// compares them.
package spectest

import (
	"slices"

	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/query/model"
)

// columns are the columns of both spec tables, in ehrQL's order.
var columns = []model.Column{
	{Name: "i1", Type: model.Int},
	{Name: "i2", Type: model.Int},
	{Name: "b1", Type: model.Bool},
	{Name: "b2", Type: model.Bool},
	{Name: "c1", Type: model.CodeType(codelists.SNOMEDCT)},
	{Name: "m1", Type: model.MultiCodeType(codelists.ICD10)},
	{Name: "m2", Type: model.MultiCodeType(codelists.OPCS4)},
	{Name: "d1", Type: model.Date},
	{Name: "d2", Type: model.Date},
	{Name: "s1", Type: model.Str},
	{Name: "s2", Type: model.Str},
	{Name: "f1", Type: model.Float},
	{Name: "f2", Type: model.Float},
}

// The spec tables: PatientTable is ehrQL's p (patient-level), EventTable
// its e (event-level, with a third int column i3). They are user-defined
// tables (Module ""), written inline in the JSON query model.
var (
	PatientTable = &model.Table{Name: "patient_level_table", PatientLevel: true, Columns: columns}
	EventTable   = &model.Table{Name: "event_level_table",
		Columns: append(slices.Clone(columns), model.Column{Name: "i3", Type: model.Int})}
)
