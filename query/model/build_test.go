package model_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/internal/spectest"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
)

// specNodes holds the spec tables' frames and a few columns.
type specNodes struct {
	builder
	p, e *model.Node
}

func newSpec(t *testing.T) specNodes {
	b := builder{t}
	return specNodes{builder: b, p: b.table(spectest.PatientTable), e: b.table(spectest.EventTable)}
}

func (s specNodes) pc(name string) *model.Node { return s.col(s.p, name) }
func (s specNodes) ec(name string) *model.Node { return s.col(s.e, name) }

func TestFunctionTypeErrors(t *testing.T) {
	s := newSpec(t)
	for _, tc := range []struct {
		name  string
		op    model.Op
		args  []*model.Node
		frags []string
	}{
		{"int + float", model.OpAdd, []*model.Node{s.pc("i1"), s.pc("f1")},
			[]string{"Function.Add", "rhs", "Expected type 'Series[int]' but got 'Series[float]'"}},
		{"float + int", model.OpAdd, []*model.Node{s.pc("f1"), s.pc("i1")},
			[]string{"Expected type 'Series[float]' but got 'Series[int]'"}},
		{"int + float literal", model.OpAdd, []*model.Node{s.pc("i1"), floatV(1)},
			[]string{"Expected type 'Series[int]' but got 'Series[float]'"}},
		{"int * float", model.OpMultiply, []*model.Node{s.ec("i1"), s.pc("f1")}, []string{"Series[float]"}},
		{"int / float", model.OpTrueDivide, []*model.Node{s.pc("i1"), s.pc("f1")}, []string{"Series[float]"}},
		{"int // float", model.OpFloorDivide, []*model.Node{s.pc("i1"), s.pc("f1")}, []string{"Series[float]"}},
		{"int ** float", model.OpPower, []*model.Node{s.pc("i1"), s.pc("f1")}, []string{"Series[float]"}},
		{"bool + bool", model.OpAdd, []*model.Node{s.pc("b1"), s.pc("b2")},
			[]string{"lhs", "Expected type 'Series[Numeric]' but got 'Series[bool]'"}},
		{"bool + int", model.OpAdd, []*model.Node{s.pc("b1"), intV(1)}, []string{"Series[Numeric]"}},
		{"str + str", model.OpAdd, []*model.Node{s.pc("s1"), s.pc("s2")}, []string{"Series[Numeric]"}},
		{"date - date", model.OpSubtract, []*model.Node{s.pc("d1"), s.pc("d2")}, []string{"Series[Numeric]"}},
		{"negate bool", model.OpNegate, []*model.Node{s.pc("b1")}, []string{"Series[Numeric]"}},
		{"absolute str", model.OpAbsolute, []*model.Node{s.pc("s1")}, []string{"Series[Numeric]"}},
		{"CTV3 literal == SNOMED", model.OpEQ, []*model.Node{s.code(codelists.CTV3, "Xa0lK"), s.pc("c1")},
			[]string{"Function.EQ", "Expected type 'Series[CTV3Code]' but got 'Series[SNOMEDCTCode]'"}},
		{"SNOMED != CTV3 literal", model.OpNE, []*model.Node{s.pc("c1"), s.code(codelists.CTV3, "Xa0lK")},
			[]string{"Expected type 'Series[SNOMEDCTCode]' but got 'Series[CTV3Code]'"}},
		{"code == str", model.OpEQ, []*model.Node{s.pc("c1"), strV("123456")},
			[]string{"Expected type 'Series[SNOMEDCTCode]' but got 'Series[str]'"}},
		{"SNOMED == DMD", model.OpEQ, []*model.Node{s.pc("c1"), s.code(codelists.DMD, "123456")},
			[]string{"Series[DMDCode]"}},
		{"ICD10 multi == OPCS4 multi", model.OpEQ, []*model.Node{s.pc("m1"), s.pc("m2")},
			[]string{"Expected type 'Series[ICD10MultiCodeString]' but got 'Series[OPCS4MultiCodeString]'"}},
		{"int == bool", model.OpEQ, []*model.Node{s.pc("i1"), boolV(true)},
			[]string{"Expected type 'Series[int]' but got 'Series[bool]'"}},
		{"int == 1.0", model.OpEQ, []*model.Node{s.pc("i1"), floatV(1)}, []string{"Series[float]"}},
		{"date == str", model.OpEQ, []*model.Node{s.pc("d1"), strV("2020-01-01")}, []string{"Series[str]"}},
		{"bool < bool", model.OpLT, []*model.Node{s.pc("b1"), s.pc("b2")},
			[]string{"Function.LT", "lhs", "Expected type 'Series[Comparable]' but got 'Series[bool]'"}},
		{"bool >= bool", model.OpGE, []*model.Node{s.ec("b1"), boolV(true)}, []string{"Series[Comparable]"}},
		{"int < str", model.OpLT, []*model.Node{s.pc("i1"), s.pc("s1")}, []string{"Series[str]"}},
		{"and int", model.OpAnd, []*model.Node{s.pc("b1"), s.pc("i1")},
			[]string{"Function.And", "rhs", "Expected type 'Series[bool]' but got 'Series[int]'"}},
		{"or int", model.OpOr, []*model.Node{intV(1), s.pc("b1")}, []string{"Series[bool]"}},
		{"not int", model.OpNot, []*model.Node{s.pc("i1")}, []string{"Series[bool]"}},
		{"cast bool to float", model.OpCastToFloat, []*model.Node{s.pc("b1")}, []string{"Series[Numeric]"}},
		{"cast str to int", model.OpCastToInt, []*model.Node{s.pc("s1")}, []string{"Series[str]"}},
		{"date + float days", model.OpDateAddDays, []*model.Node{s.pc("d1"), s.pc("f1")},
			[]string{"Expected type 'Series[int]' but got 'Series[float]'"}},
		{"int + int months", model.OpDateAddMonths, []*model.Node{s.pc("i1"), s.pc("i2")},
			[]string{"Expected type 'Series[date]' but got 'Series[int]'"}},
		{"date + date years", model.OpDateAddYears, []*model.Node{s.pc("d1"), s.pc("d2")}, []string{"Series[int]"}},
		{"date diff str", model.OpDateDifferenceInDays, []*model.Node{s.pc("d1"), s.pc("s1")}, []string{"Series[date]"}},
		{"year of int", model.OpYearFromDate, []*model.Node{s.pc("i1")}, []string{"Series[date]"}},
		{"first of month of str", model.OpToFirstOfMonth, []*model.Node{s.pc("s1")}, []string{"Series[date]"}},
		{"str contains int", model.OpStringContains, []*model.Node{s.pc("s1"), s.pc("i1")}, []string{"Series[str]"}},
		{"int contains str", model.OpStringContains, []*model.Node{s.pc("i1"), s.pc("s1")}, []string{"Series[str]"}},
		{"int in float set", model.OpIn, []*model.Node{s.pc("i1"), s.set(model.Float, model.FloatLit(1))},
			[]string{"Function.In", "Set[float]"}},
		{"int in int series", model.OpIn, []*model.Node{s.pc("i1"), s.pc("i2")}, []string{"Series[int]"}},
		{"code in str set", model.OpIn, []*model.Node{s.pc("c1"), s.set(model.Str, model.StrLit("123456"))},
			[]string{"Set[str]"}},
		{"set on the left of In", model.OpIn, []*model.Node{s.set(model.Int, model.IntLit(1)), s.set(model.Int, model.IntLit(1))},
			[]string{"Set[int]"}},
		{"set in EQ", model.OpEQ, []*model.Node{s.set(model.Int, model.IntLit(1)), s.set(model.Int, model.IntLit(1))},
			[]string{"Set[int]"}},
		{"bool maximum_of", model.OpMaximumOf, []*model.Node{s.pc("b1"), s.pc("b2")}, []string{"Series[Comparable]"}},
		{"int and float minimum_of", model.OpMinimumOf, []*model.Node{s.pc("i1"), floatV(1.5)},
			[]string{"sources[1]", "Expected type 'Series[int]' but got 'Series[float]'"}},
		{"float and int maximum_of", model.OpMaximumOf, []*model.Node{floatV(1.5), s.pc("i1")}, []string{"sources[1]"}},
		{"frame argument", model.OpIsNull, []*model.Node{s.p}, []string{"OneRowPerPatientFrame"}},
		{"nil argument", model.OpIsNull, []*model.Node{nil}, []string{"nothing"}},
	} {
		_, err := model.Function(tc.op, tc.args...)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if !isTypeError(err) {
			t.Errorf("%s: error %q (%T) is not a *model.TypeError", tc.name, err, err)
		}
		for _, f := range tc.frags {
			if !contains(err.Error(), f) {
				t.Errorf("%s: error %q does not contain %q", tc.name, err, f)
			}
		}
	}
}

func TestFunctionArity(t *testing.T) {
	s := newSpec(t)
	for _, tc := range []struct {
		op   model.Op
		args []*model.Node
		frag string
	}{
		{model.OpAdd, []*model.Node{intV(1)}, "takes 2 operands, got 1"},
		{model.OpNot, []*model.Node{boolV(true), boolV(false)}, "takes 1 operands, got 2"},
		{model.OpMinimumOf, nil, "at least one operand"},
		{model.OpMaximumOf, nil, "at least one operand"},
		{model.OpCase, []*model.Node{boolV(true)}, "not a function"},
		{model.OpFilter, []*model.Node{s.e, boolV(true)}, "not a function"},
		{model.OpExists, []*model.Node{s.e}, "not a function"},
		{model.OpInvalid, nil, "not a function"},
	} {
		_, err := model.Function(tc.op, tc.args...)
		wantErr(t, err, tc.frag)
	}
}

func TestFunctionResultTypes(t *testing.T) {
	s := newSpec(t)
	for _, tc := range []struct {
		op   model.Op
		args []*model.Node
		want model.Type
	}{
		{model.OpEQ, []*model.Node{s.pc("c1"), s.code(codelists.SNOMEDCT, "123456")}, model.Bool},
		{model.OpEQ, []*model.Node{s.pc("m1"), s.pc("m1")}, model.Bool},
		{model.OpLT, []*model.Node{s.pc("c1"), s.pc("c1")}, model.Bool}, // codes are Comparable in the query model
		{model.OpLT, []*model.Node{s.pc("s1"), strV("x")}, model.Bool},
		{model.OpGE, []*model.Node{s.pc("d1"), dateV("2020-01-01")}, model.Bool},
		{model.OpIsNull, []*model.Node{s.pc("m2")}, model.Bool},
		{model.OpAdd, []*model.Node{s.pc("i1"), intV(1)}, model.Int},
		{model.OpSubtract, []*model.Node{s.pc("f1"), floatV(1)}, model.Float},
		{model.OpNegate, []*model.Node{s.pc("f1")}, model.Float},
		{model.OpAbsolute, []*model.Node{s.pc("i1")}, model.Int},
		{model.OpTrueDivide, []*model.Node{s.pc("i1"), s.pc("i2")}, model.Float},
		{model.OpFloorDivide, []*model.Node{s.pc("f1"), s.pc("f2")}, model.Int},
		{model.OpFloorDivide, []*model.Node{s.pc("i1"), s.pc("i2")}, model.Int},
		{model.OpPower, []*model.Node{s.pc("i1"), s.pc("i2")}, model.Float},
		{model.OpCastToInt, []*model.Node{s.pc("b1")}, model.Int},
		{model.OpCastToInt, []*model.Node{s.pc("f1")}, model.Int},
		{model.OpCastToFloat, []*model.Node{s.pc("i1")}, model.Float},
		{model.OpDateAddDays, []*model.Node{s.pc("d1"), intV(3)}, model.Date},
		{model.OpDateAddMonths, []*model.Node{dateV("2000-01-01"), s.pc("i1")}, model.Date},
		{model.OpDateDifferenceInYears, []*model.Node{dateV("2000-01-01"), s.pc("d1")}, model.Int},
		{model.OpMonthFromDate, []*model.Node{s.pc("d1")}, model.Int},
		{model.OpToFirstOfYear, []*model.Node{s.pc("d1")}, model.Date},
		{model.OpStringContains, []*model.Node{s.pc("s1"), strV("a")}, model.Bool},
		{model.OpStringContains, []*model.Node{s.pc("m1"), strV("M06")}, model.Bool},
		{model.OpStringContains, []*model.Node{s.pc("m2"), s.pc("s1")}, model.Bool},
		{model.OpIn, []*model.Node{s.pc("i1"), s.set(model.Any)}, model.Bool}, // empty set matches anything
		{model.OpIn, []*model.Node{s.pc("c1"), s.set(model.CodeType(codelists.SNOMEDCT),
			must(model.CodeLit(codelists.SNOMEDCT, "123456")))}, model.Bool},
		{model.OpIn, []*model.Node{s.pc("i1"), s.agg(model.OpCombineAsSet, s.ec("i2"))}, model.Bool},
		{model.OpMaximumOf, []*model.Node{intV(1), intV(2), intV(3)}, model.Int},
		{model.OpMinimumOf, []*model.Node{s.pc("d1"), dateV("2020-01-01"), s.pc("d2")}, model.Date},
		{model.OpMaximumOf, []*model.Node{s.pc("c1"), s.pc("c1")}, model.CodeType(codelists.SNOMEDCT)},
		{model.OpMaximumOf, []*model.Node{s.pc("s1")}, model.Str},
	} {
		n, err := model.Function(tc.op, tc.args...)
		if err != nil {
			t.Errorf("%s: unexpected error %v", tc.op, err)
			continue
		}
		if n.Type() != tc.want {
			t.Errorf("%s: type %s, want %s", tc.op, n.Type(), tc.want)
		}
		if n.Op() != tc.op || len(n.Args()) != len(tc.args) {
			t.Errorf("%s: node has op %s and %d args", tc.op, n.Op(), len(n.Args()))
		}
	}
}

// In ehrQL's query model StringContains takes Series[str] on both sides.
// Multi-code strings are str subclasses, but codes (BaseCode) are not.
func TestStringContainsRejectsCodes(t *testing.T) {
	s := newSpec(t)

	for _, args := range [][]*model.Node{
		{s.pc("c1"), strV("123")},
		{s.pc("s1"), s.pc("c1")},
		{s.pc("m1"), s.code(codelists.ICD10, "M069")},
	} {
		if _, err := model.Function(model.OpStringContains, args...); err == nil {
			t.Errorf("StringContains(%s, %s) accepted a code operand", args[0].Type(), args[1].Type())
		}
	}
}

func TestAggregateTypes(t *testing.T) {
	s := newSpec(t)
	for _, tc := range []struct {
		op   model.Op
		src  *model.Node
		want model.Type
	}{
		{model.OpExists, s.e, model.Bool},
		{model.OpExists, s.p, model.Bool},
		{model.OpCount, s.e, model.Int},
		{model.OpCount, s.p, model.Int},
		{model.OpCount, s.pick(s.sort(s.e, s.ec("i1")), model.Last), model.Int},
		{model.OpCountDistinct, s.ec("c1"), model.Int},
		{model.OpCountDistinct, s.ec("b1"), model.Int},
		{model.OpMin, s.ec("d1"), model.Date},
		{model.OpMax, s.ec("s1"), model.Str},
		{model.OpMax, s.ec("c1"), model.CodeType(codelists.SNOMEDCT)},
		{model.OpSum, s.ec("i1"), model.Int},
		{model.OpSum, s.ec("f1"), model.Float},
		{model.OpMean, s.ec("i1"), model.Float},
		{model.OpCombineAsSet, s.ec("c1"), model.SetOf(model.CodeType(codelists.SNOMEDCT))},
		{model.OpSum, s.fn(model.OpAdd, s.ec("i1"), s.pc("i1")), model.Int},
	} {
		n, err := model.Aggregate(tc.op, tc.src)
		if err != nil {
			t.Errorf("%s: unexpected error %v", tc.op, err)
			continue
		}
		if n.Type() != tc.want || !n.PatientDomain() || n.ManyRowsPerPatient() {
			t.Errorf("%s: type %s, patient domain %v, many rows %v", tc.op, n.Type(), n.PatientDomain(), n.ManyRowsPerPatient())
		}
	}
	n := must(model.CountEpisodes(s.ec("d1"), 3))
	if n.Type() != model.Int || n.Gap() != 3 || !n.PatientDomain() {
		t.Errorf("CountEpisodes: type %s gap %d", n.Type(), n.Gap())
	}
}

func TestAggregateErrors(t *testing.T) {
	s := newSpec(t)
	for _, tc := range []struct {
		name   string
		op     model.Op
		src    *model.Node
		frags  []string
		domain bool
	}{
		{"sum of str", model.OpSum, s.ec("s1"), []string{"AggregateByPatient.Sum", "Expected type 'Series[Numeric]' but got 'Series[str]'"}, false},
		{"sum of bool", model.OpSum, s.ec("b1"), []string{"Series[Numeric]", "Series[bool]"}, false},
		{"mean of date", model.OpMean, s.ec("d1"), []string{"Series[Numeric]"}, false},
		{"min of bool", model.OpMin, s.ec("b1"), []string{"Series[Comparable]"}, false},
		{"max of bool", model.OpMax, s.ec("b2"), []string{"Series[Comparable]"}, false},
		{"exists of a series", model.OpExists, s.ec("i1"), []string{"Frame"}, false},
		{"count of a series", model.OpCount, s.pc("i1"), []string{"Frame"}, false},
		{"sum of a frame", model.OpSum, s.e, []string{"ManyRowsPerPatientFrame"}, false},
		{"sum of patient series", model.OpSum, s.pc("i1"), []string{"more than one value per patient"}, true},
		{"count distinct of a literal", model.OpCountDistinct, intV(1), []string{"more than one value per patient"}, true},
		{"combine patient series", model.OpCombineAsSet, s.pc("i1"), []string{"more than one value per patient"}, true},
		{"sum of an aggregate", model.OpSum, s.agg(model.OpCount, s.e), []string{"more than one value per patient"}, true},
	} {
		_, err := model.Aggregate(tc.op, tc.src)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if tc.domain && !isDomainError(err) || !tc.domain && !isTypeError(err) {
			t.Errorf("%s: error %q has the wrong kind (%T)", tc.name, err, err)
		}
		for _, f := range tc.frags {
			if !contains(err.Error(), f) {
				t.Errorf("%s: error %q does not contain %q", tc.name, err, f)
			}
		}
	}
	_, err := model.Aggregate(model.OpCountEpisodes, s.ec("d1"))
	wantErr(t, err, "not a simple aggregation")
	_, err = model.Aggregate(model.OpAdd, s.ec("i1"))
	wantErr(t, err, "not a simple aggregation")
	_, err = model.Aggregate(model.OpSum, nil)
	wantErr(t, err, "missing source")
	_, err = model.CountEpisodes(s.ec("i1"), 3)
	wantErr(t, err, "Series[date]")
	_, err = model.CountEpisodes(s.pc("d1"), 3)
	wantErr(t, err, "more than one value per patient")
	_, err = model.CountEpisodes(s.ec("d1"), -1)
	wantErr(t, err, "must not be negative")
}

func TestFrameErrors(t *testing.T) {
	s := newSpec(t)
	sorted := s.sort(s.e, s.ec("i1"))
	pick := s.pick(sorted, model.First)

	_, err := model.Filter(s.e, s.ec("i1"))
	wantErr(t, err, "Filter: condition: Expected type 'Series[bool]' but got 'Series[int]'")
	if !isTypeError(err) {
		t.Errorf("Filter with an int condition: %T, want *TypeError", err)
	}
	_, err = model.Filter(s.e, s.pc("s1"))
	wantErr(t, err, "Series[bool]")
	_, err = model.Filter(s.e, s.e)
	wantErr(t, err, "Series[bool]")
	_, err = model.Filter(s.p, s.pc("b1"))
	wantErr(t, err, "Filter: source: Expected type 'ManyRowsPerPatientFrame' but got 'OneRowPerPatientFrame'")
	_, err = model.Filter(pick, s.pc("b1"))
	wantErr(t, err, "ManyRowsPerPatientFrame")
	_, err = model.Filter(s.ec("b1"), s.ec("b1"))
	wantErr(t, err, "ManyRowsPerPatientFrame")
	_, err = model.Filter(nil, s.ec("b1"))
	wantErr(t, err, "ManyRowsPerPatientFrame")

	_, err = model.Sort(s.e, s.ec("b1"))
	wantErr(t, err, "Sort: sort_by: Expected type 'Series[Comparable]' but got 'Series[bool]'")
	if !isTypeError(err) {
		t.Errorf("Sort by bool: %T, want *TypeError", err)
	}
	for _, key := range []*model.Node{s.pc("i1"), intV(1), s.agg(model.OpCount, s.e), s.col(pick, "i2")} {
		_, err = model.Sort(s.e, key)
		wantErr(t, err, "Sort: Attempt to sort frame by a one-row-per-patient series")
		if !errors.Is(err, model.ErrSortByPatientSeries) {
			t.Errorf("Sort by a patient-level series: %v is not ErrSortByPatientSeries", err)
		}
		if !isDomainError(err) {
			t.Errorf("Sort by a patient-level series: %T, want *DomainError", err)
		}
	}
	_, err = model.Sort(s.e, s.e)
	wantErr(t, err, "Series[Comparable]")
	_, err = model.Sort(s.e, nil)
	wantErr(t, err, "Series[Comparable]")
	_, err = model.Sort(s.p, s.pc("i1"))
	wantErr(t, err, "ManyRowsPerPatientFrame")
	_, err = model.Sort(s.e, s.agg(model.OpCombineAsSet, s.ec("i1")))
	wantErr(t, err, "Series[Comparable]")

	_, err = model.PickOneRowPerPatient(s.e, model.First)
	wantErr(t, err, "PickOneRowPerPatient: source: Expected type 'SortedFrame' but got 'an unsorted frame'")
	_, err = model.PickOneRowPerPatient(s.filter(s.e, s.ec("b1")), model.Last)
	wantErr(t, err, "SortedFrame")
	_, err = model.PickOneRowPerPatient(pick, model.Last)
	wantErr(t, err, "ManyRowsPerPatientFrame")
	_, err = model.PickOneRowPerPatient(sorted, "middle")
	wantErr(t, err, "invalid position")

	_, err = model.SelectColumn(s.e, "nope")
	wantErr(t, err, "has no column \"nope\"")
	_, err = model.SelectColumn(s.e, "patient_id")
	wantErr(t, err, "has no column")
	_, err = model.SelectColumn(s.ec("i1"), "i1")
	wantErr(t, err, "source must be a table frame")
	_, err = model.SelectColumn(nil, "i1")
	wantErr(t, err, "source must be a table frame")

	_, err = model.Parameter("x", model.SetOf(model.Int))
	wantErr(t, err, "invalid type")
	_, err = model.Parameter("x", model.Any)
	wantErr(t, err, "invalid type")
	_, err = model.Value(model.Literal{})
	wantErr(t, err, "needs a value")
}

func TestSortednessAndDimensions(t *testing.T) {
	s := newSpec(t)
	if s.e.Sorted() || !s.e.ManyRowsPerPatient() || s.e.PatientDomain() || !s.e.IsFrame() {
		t.Error("SelectTable: want unsorted many-rows frame outside the patient domain")
	}
	if s.p.ManyRowsPerPatient() || !s.p.PatientDomain() || s.p.Op() != model.OpSelectPatientTable {
		t.Error("SelectPatientTable: want one-row frame in the patient domain")
	}
	if s.e.Op() != model.OpSelectTable || s.e.Table() != spectest.EventTable {
		t.Error("SelectTable: wrong op or table")
	}
	sorted := s.sort(s.e, s.ec("i1"))
	if !sorted.Sorted() || !sorted.SameDomain(s.e) {
		t.Error("Sort: want a sorted frame in the source's domain")
	}
	// Filtering keeps sortedness and the root table; sorting keeps the domain.
	f := s.filter(sorted, s.ec("b1"))
	if !f.Sorted() || f.SameDomain(sorted) || f.Table() != spectest.EventTable {
		t.Error("Filter of a sorted frame: want sorted, new domain, same root table")
	}
	pick := s.pick(f, model.Last)
	if pick.ManyRowsPerPatient() || !pick.PatientDomain() || pick.Position() != model.Last || pick.Table() != spectest.EventTable {
		t.Error("PickOneRowPerPatient: want a one-row frame over the source table")
	}
	c := s.col(pick, "s1")
	if c.Type() != model.Str || !c.PatientDomain() || c.Name() != "s1" || c.Arg(0) != pick {
		t.Error("SelectColumn of a pick: want a patient-level str series")
	}
	ec := s.ec("s1")
	if !ec.ManyRowsPerPatient() || ec.PatientDomain() || !ec.SameDomain(s.e) {
		t.Error("SelectColumn of an event table: want an event-level series in the table's domain")
	}
	// Element-wise functions are event-level if any input is.
	sum := s.fn(model.OpAdd, s.ec("i1"), s.pc("i1"))
	if !sum.ManyRowsPerPatient() || !sum.SameDomain(s.e) {
		t.Error("e.i1 + p.i1: want event-level in e's domain")
	}
	lit := s.fn(model.OpAdd, intV(1), s.pc("i1"))
	if lit.ManyRowsPerPatient() || !lit.PatientDomain() {
		t.Error("1 + p.i1: want patient-level")
	}
	v := intV(4)
	if !v.PatientDomain() || v.IsFrame() || v.Literal().Go() != int64(4) || v.Op() != model.OpValue {
		t.Error("Value: want a patient-level series holding 4")
	}
}

func TestDomainRules(t *testing.T) {
	s := newSpec(t)
	e, p := s.e, s.p
	whereB1 := func() *model.Node { return s.filter(e, s.ec("b1")) }
	whereI1 := s.filter(e, s.fn(model.OpGT, s.ec("i1"), intV(1)))
	child := s.filter(whereB1(), s.ec("b2"))

	combineFails := []struct {
		name string
		a, b *model.Node
	}{
		{"e.where(e.b1).i1 + e.i1", s.col(whereB1(), "i1"), s.ec("i1")},
		{"e.where(e.b1).i1 + e.where(e.i1 > 1).i1", s.col(whereB1(), "i1"), s.col(whereI1, "i1")},
		{"parent filter + child filter", s.col(whereB1(), "i1"), s.col(child, "i1")},
		{"two event tables", s.ec("i1"), s.col(s.table(&model.Table{Name: "other_events",
			Columns: []model.Column{{Name: "i1", Type: model.Int}}}), "i1")},
		{"catalogue tables", s.col(s.table(tables.Core("clinical_events")), "date"),
			s.col(s.table(tables.TPP("appointments")), "start_date")},
	}
	for _, tc := range combineFails {
		op := model.OpAdd
		if tc.a.Type() == model.Date {
			op = model.OpLT
		}
		_, err := model.Function(op, tc.a, tc.b)
		if err == nil || !isDomainError(err) {
			t.Errorf("%s: got %v, want a DomainError", tc.name, err)
			continue
		}
		wantErr(t, err, model.ErrCombineDomains)
		// The same rule applies to Case and to MinimumOf/MaximumOf.
		_, err = model.Function(model.OpMaximumOf, tc.a, tc.b)
		wantErr(t, err, model.ErrCombineDomains)
		_, err = model.Case([]*model.Node{boolV(true)}, []*model.Node{tc.a}, tc.b)
		wantErr(t, err, model.ErrCombineDomains)
		_, err = model.Case([]*model.Node{s.fn(model.OpIsNull, tc.a)}, []*model.Node{intV(1)}, nil)
		if err != nil {
			t.Errorf("%s: a single-domain Case failed: %v", tc.name, err)
		}
	}

	// Combinations that are fine.
	ok := []struct {
		name string
		a, b *model.Node
	}{
		{"same filter built twice", s.col(whereB1(), "i1"), s.col(whereB1(), "i2")},
		{"e.i1 + e.sort_by(e.s1).i2", s.ec("i1"), s.col(s.sort(e, s.ec("s1")), "i2")},
		{"e.i1 + p.i1", s.ec("i1"), s.pc("i1")},
		{"p.i1 + e.i1", s.pc("i1"), s.ec("i1")},
		{"e.i1 + 1", s.ec("i1"), intV(1)},
		{"filtered + patient", s.col(child, "i1"), s.pc("i2")},
		{"filtered + aggregate of another filter", s.col(child, "i1"), s.agg(model.OpSum, s.col(whereI1, "i1"))},
	}
	for _, tc := range ok {
		n, err := model.Function(model.OpAdd, tc.a, tc.b)
		if err != nil {
			t.Errorf("%s: unexpected error %v", tc.name, err)
			continue
		}
		if n.PatientDomain() != (tc.a.PatientDomain() && tc.b.PatientDomain()) {
			t.Errorf("%s: wrong dimension", tc.name)
		}
	}
	if whereB1().ID() != whereB1().ID() || !whereB1().SameDomain(whereB1()) {
		t.Error("the same filter built twice is not the same node")
	}

	// where/sort_by conditions may come from the frame's domain or an ancestor.
	mustOK := func(name string, n *model.Node, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: unexpected error %v", name, err)
		}
	}
	n, err := model.Filter(whereB1(), s.fn(model.OpGT, s.ec("i2"), intV(1)))
	mustOK("e.where(e.b1).where(e.i2 > 1)", n, err)
	n, err = model.Filter(whereB1(), s.col(whereB1(), "b2"))
	mustOK("e.where(e.b1).where(e.where(e.b1).b2)", n, err)
	n, err = model.Filter(child, s.ec("b1"))
	mustOK("grandchild with root-table condition", n, err)
	n, err = model.Filter(e, s.pc("b1"))
	mustOK("e.where(p.b1)", n, err)
	n, err = model.Filter(e, boolV(true))
	mustOK("e.where(True)", n, err)
	n, err = model.Filter(e, s.fn(model.OpIn, s.ec("i1"), s.agg(model.OpCombineAsSet, s.col(whereB1(), "i2"))))
	mustOK("e.where(e.i1.is_in(e.where(e.b1).i2))", n, err)
	n, err = model.Sort(whereB1(), s.ec("i1"))
	mustOK("e.where(e.b1).sort_by(e.i1)", n, err)
	n, err = model.Sort(child, s.col(whereB1(), "s1"))
	mustOK("sort a child by its parent's column", n, err)
	n, err = model.Sort(s.sort(e, s.ec("i1")), s.col(s.sort(e, s.ec("s1")), "i2"))
	mustOK("sort by a column of a differently sorted view", n, err)

	_, err = model.Filter(e, s.col(whereB1(), "b1"))
	wantErr(t, err, "Filter:", "condition must come from the frame being filtered")
	if !isDomainError(err) {
		t.Errorf("descendant condition: %T, want *DomainError", err)
	}
	_, err = model.Filter(whereI1, s.col(whereB1(), "b2"))
	wantErr(t, err, "condition must come from the frame being filtered")
	_, err = model.Filter(e, s.col(s.table(tables.Core("clinical_events")), "date"))
	wantErr(t, err, "Series[bool]")
	_, err = model.Filter(e, s.fn(model.OpIsNull, s.col(s.table(tables.Core("clinical_events")), "date")))
	wantErr(t, err, "condition must come from the frame being filtered")
	_, err = model.Sort(e, s.col(whereB1(), "i1"))
	wantErr(t, err, "Sort:", "sort key must come from the frame being sorted")
	if !isDomainError(err) {
		t.Errorf("descendant sort key: %T, want *DomainError", err)
	}
	_ = p
}

func TestSeriesCollectionFrame(t *testing.T) {
	s := newSpec(t)
	where := s.filter(s.e, s.ec("b1"))
	f, err := model.SeriesCollectionFrame([]string{"a", "b", "c"}, []*model.Node{s.ec("i1"), s.pc("s1"), s.fn(model.OpAdd, s.ec("i2"), intV(1))})
	if err != nil {
		t.Fatalf("broadcast of a patient series: %v", err)
	}
	if !f.IsFrame() || !f.ManyRowsPerPatient() || !f.SameDomain(s.e) || len(f.MemberNames()) != 3 || f.MemberNames()[1] != "b" {
		t.Errorf("SeriesCollectionFrame: wrong shape")
	}
	_, err = model.SeriesCollectionFrame([]string{"a", "b"}, []*model.Node{s.pc("i1"), intV(1)})
	wantErr(t, err, "event tables must have columns with more than one value per patient")
	_, err = model.SeriesCollectionFrame([]string{"a", "b"}, []*model.Node{s.ec("i1"), s.col(where, "i1")})
	wantErr(t, err, "cannot combine series drawn from different tables")
	_, err = model.SeriesCollectionFrame(nil, nil)
	wantErr(t, err, "at least one column")
	_, err = model.SeriesCollectionFrame([]string{"a"}, []*model.Node{s.ec("i1"), s.ec("i2")})
	wantErr(t, err, "at least one column")
	_, err = model.SeriesCollectionFrame([]string{"a"}, []*model.Node{s.e})
	wantErr(t, err, "Series[Any]")
	_, err = model.SeriesCollectionFrame([]string{"a"}, []*model.Node{s.agg(model.OpCombineAsSet, s.ec("i1"))})
	wantErr(t, err, "Series[Any]")
	// A SeriesCollectionFrame is not a table: no columns, filters or counts.
	_, err = model.SelectColumn(f, "a")
	wantErr(t, err, "source must be a table frame")
	_, err = model.Filter(f, boolV(true))
	wantErr(t, err, "ManyRowsPerPatientFrame")
	_, err = model.Aggregate(model.OpExists, f)
	if err == nil {
		t.Error("Exists of a SeriesCollectionFrame accepted")
	}
}

func TestStructuralIdentity(t *testing.T) {
	// Build the same graph twice from scratch, using separate but equal
	// table values: nodes must be equal by ID.
	build := func(tb *testing.T, et, pt *model.Table) *model.Node {
		b := builder{tb}
		e, p := b.table(et), b.table(pt)
		f := b.filter(e, b.fn(model.OpIn, b.col(e, "c1"), b.set(model.CodeType(codelists.SNOMEDCT),
			must(model.CodeLit(codelists.SNOMEDCT, "123456")), must(model.CodeLit(codelists.SNOMEDCT, "7654321")))))
		pick := b.pick(b.sort(b.sort(f, b.col(e, "i1")), b.col(e, "d1")), model.Last)
		age := b.fn(model.OpDateDifferenceInYears, dateV("2020-01-01"), b.col(p, "d1"))
		return b.caseOf(
			[]*model.Node{b.fn(model.OpGE, age, intV(65)), b.agg(model.OpExists, pick)},
			[]*model.Node{b.col(pick, "s1"), nil}, strV("missing"))
	}
	cloneTable := func(tb *model.Table) *model.Table {
		c := *tb
		c.Columns = append([]model.Column(nil), tb.Columns...)
		return &c
	}
	a := build(t, spectest.EventTable, spectest.PatientTable)
	b := build(t, cloneTable(spectest.EventTable), cloneTable(spectest.PatientTable))
	if a == b {
		t.Fatal("the two builds returned the same pointer")
	}
	if a.ID() != b.ID() {
		t.Error("identical sub-graphs built separately have different IDs")
	}
	if a.Type() != model.Str {
		t.Errorf("case type %s, want str", a.Type())
	}

	// Things that must differ.
	s := newSpec(t)
	distinct := []struct {
		name string
		x, y *model.Node
	}{
		{"Value(1) vs Value(1.0)", intV(1), floatV(1)},
		{"Value(1) vs Value(True)", intV(1), boolV(true)},
		{"Value(0) vs Value(False)", intV(0), boolV(false)},
		{"code vs str", s.code(codelists.SNOMEDCT, "123456"), strV("123456")},
		{"SNOMED vs DMD code", s.code(codelists.SNOMEDCT, "123456"), s.code(codelists.DMD, "123456")},
		{"date vs str", dateV("2020-01-01"), strV("2020-01-01")},
		{"set of int vs set of float", s.set(model.Int, model.IntLit(1)), s.set(model.Float, model.FloatLit(1))},
		{"set {1} vs {1, 2}", s.set(model.Int, model.IntLit(1)), s.set(model.Int, model.IntLit(1), model.IntLit(2))},
		{"first vs last", s.pick(s.sort(s.e, s.ec("i1")), model.First), s.pick(s.sort(s.e, s.ec("i1")), model.Last)},
		{"columns", s.ec("i1"), s.ec("i2")},
		{"same column of patient and event table", s.pc("i1"), s.ec("i1")},
		{"lhs/rhs swapped", s.fn(model.OpSubtract, s.pc("i1"), s.pc("i2")), s.fn(model.OpSubtract, s.pc("i2"), s.pc("i1"))},
		{"EQ vs NE", s.fn(model.OpEQ, s.pc("i1"), intV(1)), s.fn(model.OpNE, s.pc("i1"), intV(1))},
		{"maximum_of order", s.fn(model.OpMaximumOf, s.pc("i1"), s.pc("i2")), s.fn(model.OpMaximumOf, s.pc("i2"), s.pc("i1"))},
		{"sort order", s.sort(s.sort(s.e, s.ec("i1")), s.ec("i2")), s.sort(s.sort(s.e, s.ec("i2")), s.ec("i1"))},
		{"episode gaps", must(model.CountEpisodes(s.ec("d1"), 3)), must(model.CountEpisodes(s.ec("d1"), 4))},
		{"parameter names", must(model.Parameter("a", model.Date)), must(model.Parameter("b", model.Date))},
		{"parameter types", must(model.Parameter("a", model.Date)), must(model.Parameter("a", model.Int))},
		{"case value vs NULL", s.caseOf([]*model.Node{s.pc("b1")}, []*model.Node{intV(1)}, nil),
			s.caseOf([]*model.Node{s.pc("b1")}, []*model.Node{nil}, intV(1))},
		{"case branch order", s.caseOf([]*model.Node{s.pc("b1"), s.pc("b2")}, []*model.Node{intV(1), intV(2)}, nil),
			s.caseOf([]*model.Node{s.pc("b2"), s.pc("b1")}, []*model.Node{intV(2), intV(1)}, nil)},
		{"aggregations", s.agg(model.OpMin, s.ec("i1")), s.agg(model.OpMax, s.ec("i1"))},
		{"exists vs count", s.agg(model.OpExists, s.e), s.agg(model.OpCount, s.e)},
		{"catalogue tables", s.table(tables.Core("clinical_events")), s.table(tables.TPP("clinical_events"))},
		{"inline vs catalogue table", s.table(&model.Table{Name: "patients", PatientLevel: true, Columns: tables.Core("patients").Columns}),
			s.table(tables.Core("patients"))},
		{"inline tables with different columns", s.table(&model.Table{Name: "t", Columns: []model.Column{{Name: "a", Type: model.Int}}}),
			s.table(&model.Table{Name: "t", Columns: []model.Column{{Name: "a", Type: model.Float}}})},
		{"inline patient vs event table", s.table(&model.Table{Name: "t", Columns: []model.Column{{Name: "a", Type: model.Int}}}),
			s.table(&model.Table{Name: "t", PatientLevel: true, Columns: []model.Column{{Name: "a", Type: model.Int}}})},
	}
	for _, tc := range distinct {
		if tc.x.ID() == tc.y.ID() {
			t.Errorf("%s: different nodes have the same ID", tc.name)
		}
	}

	// Things that must be the same.
	same := []struct {
		name string
		x, y *model.Node
	}{
		{"set member order", s.set(model.Int, model.IntLit(1), model.IntLit(10), model.IntLit(2)),
			s.set(model.Int, model.IntLit(2), model.IntLit(1), model.IntLit(10))},
		{"set duplicates", s.set(model.Str, model.StrLit("a"), model.StrLit("a")), s.set(model.Str, model.StrLit("a"))},
		{"tpp.patients is core.patients", s.table(tables.TPP("patients")), s.table(tables.Core("patients"))},
		{"catalogue table by lookup", s.table(tables.Core("clinical_events")), s.table(must(lookup("ehrql.tables.core", "clinical_events")))},
	}
	for _, tc := range same {
		if tc.x.ID() != tc.y.ID() {
			t.Errorf("%s: equal nodes have different IDs", tc.name)
		}
	}
}

func lookup(module, name string) (*model.Table, error) {
	tb, ok := tables.Default().LookupTable(module, name)
	if !ok {
		return nil, errors.New("no such table")
	}
	return tb, nil
}

func TestCase(t *testing.T) {
	s := newSpec(t)
	c1 := s.fn(model.OpGT, s.pc("i1"), intV(1))
	c2 := s.pc("b1")

	n := s.caseOf([]*model.Node{c1, c2}, []*model.Node{strV("a"), nil}, strV("c"))
	if n.Type() != model.Str || n.Op() != model.OpCase {
		t.Errorf("Case type %s", n.Type())
	}
	conds, values, def := n.CaseBranches()
	if len(conds) != 2 || conds[0] != c1 || conds[1] != c2 || values[0].Literal().Go() != "a" || values[1] != nil || def.Literal().Go() != "c" {
		t.Errorf("CaseBranches: %v %v %v", conds, values, def)
	}
	// All values NULL is fine with a default, which then sets the type.
	n = s.caseOf([]*model.Node{c1}, []*model.Node{nil}, dateV("2020-01-01"))
	if n.Type() != model.Date {
		t.Errorf("Case with only a default: type %s", n.Type())
	}
	// No default is fine.
	n = s.caseOf([]*model.Node{c1}, []*model.Node{s.pc("f1")}, nil)
	if n.Type() != model.Float {
		t.Errorf("Case with no default: type %s", n.Type())
	}
	// Conditions may be literals, patient- or event-level.
	n = s.caseOf([]*model.Node{boolV(true), s.ec("b1")}, []*model.Node{s.pc("i1"), s.ec("i2")}, intV(0))
	if !n.ManyRowsPerPatient() || !n.SameDomain(s.e) {
		t.Error("Case with an event-level input: want event-level")
	}

	for _, tc := range []struct {
		name   string
		conds  []*model.Node
		values []*model.Node
		def    *model.Node
		frags  []string
	}{
		{"no branches", nil, nil, intV(1), []string{"at least one condition"}},
		{"values do not match conditions", []*model.Node{c1, c2}, []*model.Node{intV(1)}, nil, []string{"at least one condition"}},
		{"all values NULL, no default", []*model.Node{c1, c2}, []*model.Node{nil, nil}, nil, []string{"every value is NULL"}},
		{"int and str values", []*model.Node{c1, c2}, []*model.Node{intV(1), strV("a")}, nil,
			[]string{"Case", "cases[1] value", "Expected type 'Series[int]' but got 'Series[str]'"}},
		{"value and default differ", []*model.Node{c1}, []*model.Node{s.pc("f1")}, intV(0),
			[]string{"default", "Expected type 'Series[float]' but got 'Series[int]'"}},
		{"date value, str default (no casting)", []*model.Node{c1}, []*model.Node{s.pc("d1")}, strV("2020-01-01"),
			[]string{"Series[date]", "Series[str]"}},
		{"SNOMED and CTV3 values", []*model.Node{c1, c2}, []*model.Node{s.pc("c1"), s.code(codelists.CTV3, "Xa0lK")}, nil, []string{"Series[CTV3Code]"}},
		{"duplicated condition", []*model.Node{c1, c2, s.fn(model.OpGT, s.pc("i1"), intV(1))},
			[]*model.Node{intV(1), intV(2), intV(3)}, nil, []string{"duplicated condition", "cases[2]"}},
		{"int condition", []*model.Node{s.pc("i1")}, []*model.Node{intV(1)}, nil,
			[]string{"cases[0] condition", "Expected type 'Series[bool]' but got 'Series[int]'"}},
		{"nil condition", []*model.Node{nil}, []*model.Node{intV(1)}, nil, []string{"cases[0] condition"}},
		{"frame value", []*model.Node{c1}, []*model.Node{s.p}, nil, []string{"cases[0] value"}},
		{"set value", []*model.Node{c1}, []*model.Node{s.set(model.Int, model.IntLit(1))}, nil, []string{"Set[int]"}},
	} {
		_, err := model.Case(tc.conds, tc.values, tc.def)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		for _, f := range tc.frags {
			if !contains(err.Error(), f) {
				t.Errorf("%s: error %q does not contain %q", tc.name, err, f)
			}
		}
	}
}

func TestInlinePatientTable(t *testing.T) {
	tbl := &model.Table{Name: "from_file", PatientLevel: true, Columns: []model.Column{
		{Name: "n", Type: model.Int},
		{Name: "d", Type: model.Date},
	}}
	rows := [][]model.Literal{
		{model.IntLit(1), model.IntLit(10), model.DateLit(date("2020-01-01"))},
		{model.IntLit(2), {}, model.DateLit(date("2021-01-01"))}, // NULL n
	}
	n, err := model.InlinePatientTable(tbl, rows)
	if err != nil {
		t.Fatal(err)
	}
	if n.Op() != model.OpInlinePatientTable || n.ManyRowsPerPatient() || len(n.Rows()) != 2 || n.Table() != tbl {
		t.Error("InlinePatientTable: wrong node")
	}
	c := must(model.SelectColumn(n, "d"))
	if c.Type() != model.Date || !c.PatientDomain() {
		t.Error("column of an inline table: want patient-level date")
	}
	// Identity covers the rows.
	n2 := must(model.InlinePatientTable(tbl, rows[:1]))
	if n2.ID() == n.ID() {
		t.Error("inline tables with different rows have the same ID")
	}
	if must(model.InlinePatientTable(tbl, rows)).ID() != n.ID() {
		t.Error("inline tables with the same rows have different IDs")
	}
	// It counts as empty for population checks.
	if v, _ := model.EvalNullPatient(must(model.Aggregate(model.OpExists, n))); v != false {
		t.Errorf("exists of an inline table for a patient with no data = %v", v)
	}

	for _, tc := range []struct {
		name string
		tbl  *model.Table
		rows [][]model.Literal
		frag string
	}{
		{"event-level", &model.Table{Name: "x", Columns: tbl.Columns}, nil, "must be patient-level"},
		{"short row", tbl, [][]model.Literal{{model.IntLit(1), model.IntLit(2)}}, "expected 3 values but got 2"},
		{"str patient id", tbl, [][]model.Literal{{model.StrLit("1"), model.IntLit(2), {}}}, "patient_id must be an int"},
		{"duplicate patient", tbl, [][]model.Literal{rows[0], rows[0]}, "patient_id 1 appears twice"},
		{"wrong type", tbl, [][]model.Literal{{model.IntLit(1), model.FloatLit(2), {}}}, "column n: expected int but got float"},
		{"invalid name", &model.Table{Name: "1x", PatientLevel: true}, nil, "invalid table name"},
	} {
		_, err := model.InlinePatientTable(tc.tbl, tc.rows)
		wantErr(t, err, tc.frag)
	}
}

func TestTableValidate(t *testing.T) {
	for _, tc := range []struct {
		tbl  model.Table
		frag string
	}{
		{model.Table{Name: "_t"}, "invalid table name"},
		{model.Table{Name: "t-1"}, "invalid table name"},
		{model.Table{Name: "t", Columns: []model.Column{{Name: "patient_id", Type: model.Int}}}, "patient_id is implicit"},
		{model.Table{Name: "t", Columns: []model.Column{{Name: "1a", Type: model.Int}}}, "invalid column name"},
		{model.Table{Name: "t", Columns: []model.Column{{Name: "a", Type: model.Int}, {Name: "a", Type: model.Str}}}, "declared twice"},
		{model.Table{Name: "t", Columns: []model.Column{{Name: "a", Type: model.SetOf(model.Int)}}}, "invalid type"},
		{model.Table{Name: "t", Columns: []model.Column{{Name: "a", Type: model.Any}}}, "invalid type"},
	} {
		tbl := tc.tbl
		wantErr(t, tbl.Validate(), tc.frag)
		_, err := model.SelectTable(&tbl)
		wantErr(t, err, tc.frag)
	}
	good := model.Table{Name: "T2_x", Columns: []model.Column{{Name: "a_1", Type: model.Int}}}
	if err := good.Validate(); err != nil {
		t.Errorf("valid table rejected: %v", err)
	}
	if c, ok := good.Column("a_1"); !ok || c.Type != model.Int {
		t.Error("Column lookup failed")
	}
	if _, ok := good.Column("b"); ok {
		t.Error("Column found a missing column")
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestNodeString(t *testing.T) {
	s := newSpec(t)
	for _, tc := range []struct {
		n    *model.Node
		want string
	}{
		{intV(1), "Value(1)"},
		{strV("a"), `Value("a")`},
		{s.e, "SelectTable(event_level_table)"},
		{s.p, "SelectPatientTable(patient_level_table)"},
		{must(model.Parameter("interval_start_date", model.Date)), "Parameter(interval_start_date)"},
		{s.fn(model.OpAdd, s.pc("i1"), intV(1)), "Function.Add(…)"},
	} {
		if got := tc.n.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}

func TestSelectColumnString(t *testing.T) {
	s := newSpec(t)

	for _, tc := range []struct {
		n    *model.Node
		want string
	}{
		{s.ec("i1"), "SelectColumn(event_level_table.i1)"},
		{s.pc("s1"), "SelectColumn(patient_level_table.s1)"},
		{s.col(s.pick(s.sort(s.e, s.ec("i1")), model.First), "d1"), "SelectColumn(event_level_table.d1)"},
	} {
		got := func() (str string) {
			defer func() {
				if r := recover(); r != nil {
					str = fmt.Sprintf("panic: %v", r)
				}
			}()
			return tc.n.String()
		}()
		if got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}
