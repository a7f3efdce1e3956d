package model_test

import (
	"testing"

	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/query/model"
)

func TestTypeNames(t *testing.T) {
	for _, tc := range []struct {
		typ  model.Type
		name string
	}{
		{model.Bool, "bool"},
		{model.Int, "int"},
		{model.Float, "float"},
		{model.Str, "str"},
		{model.Date, "date"},
		{model.CodeType(codelists.SNOMEDCT), "SNOMEDCTCode"},
		{model.CodeType(codelists.DMD), "DMDCode"},
		{model.CodeType(codelists.CTV3), "CTV3Code"},
		{model.CodeType(codelists.ICD10), "ICD10Code"},
		{model.CodeType(codelists.OPCS4), "OPCS4Code"},
		{model.CodeType(codelists.BNF), "BNFCode"},
		{model.MultiCodeType(codelists.ICD10), "ICD10MultiCodeString"},
		{model.MultiCodeType(codelists.OPCS4), "OPCS4MultiCodeString"},
	} {
		if got := tc.typ.Name(); got != tc.name {
			t.Errorf("Name() = %q, want %q", got, tc.name)
		}
		if got := tc.typ.String(); got != "Series["+tc.name+"]" {
			t.Errorf("String() = %q", got)
		}
		if got := model.SetOf(tc.typ).String(); got != "Set["+tc.name+"]" {
			t.Errorf("SetOf.String() = %q", got)
		}
		if model.SetOf(tc.typ).Elem() != tc.typ {
			t.Errorf("SetOf(%s).Elem() is not %s", tc.name, tc.name)
		}
		back, err := model.ParseTypeName(tc.name)
		if err != nil || back != tc.typ {
			t.Errorf("ParseTypeName(%q) = %v, %v", tc.name, back, err)
		}
	}
	if model.Any.Name() != "Any" {
		t.Errorf("Any.Name() = %q", model.Any.Name())
	}
	for _, bad := range []string{"Any", "Series[int]", "integer", "", "SNOMEDCT", "BNFMultiCodeString", "Bool"} {
		if _, err := model.ParseTypeName(bad); err == nil {
			t.Errorf("ParseTypeName(%q) accepted", bad)
		}
	}
}

func TestTypeClasses(t *testing.T) {
	code := model.CodeType(codelists.SNOMEDCT)
	multi := model.MultiCodeType(codelists.ICD10)
	for _, tc := range []struct {
		typ                         model.Type
		comparable, numeric, strish bool
	}{
		{model.Bool, false, false, false},
		{model.Int, true, true, false},
		{model.Float, true, true, false},
		{model.Str, true, false, true},
		{model.Date, true, false, false},
		{code, true, false, true},
		{multi, true, false, true},
		{model.SetOf(model.Int), false, false, false},
	} {
		if tc.typ.Comparable() != tc.comparable || tc.typ.Numeric() != tc.numeric || tc.typ.StrLike() != tc.strish {
			t.Errorf("%s: Comparable %v Numeric %v StrLike %v", tc.typ, tc.typ.Comparable(), tc.typ.Numeric(), tc.typ.StrLike())
		}
	}
	for _, tc := range []struct {
		a, b model.Type
		want bool
	}{
		{model.Int, model.Int, true},
		{model.Int, model.Float, false},
		{model.Int, model.Bool, false},
		{code, model.CodeType(codelists.CTV3), false},
		{code, model.CodeType(codelists.DMD), false},
		{code, model.Str, false},
		{multi, model.MultiCodeType(codelists.OPCS4), false},
		{model.Any, model.Int, true},
		{model.Int, model.Any, true},
		{model.SetOf(model.Any), model.SetOf(model.Int), true},
		{model.SetOf(model.Int), model.SetOf(model.Float), false},
		{model.Any, model.SetOf(model.Int), false},
	} {
		if got := tc.a.Matches(tc.b); got != tc.want {
			t.Errorf("%s.Matches(%s) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestLiterals(t *testing.T) {
	if _, err := model.CodeLit(codelists.SNOMEDCT, "012345"); err == nil {
		t.Error("SNOMED code with a leading zero accepted")
	}
	_, err := model.CodeLit(codelists.SNOMEDCT, "abc")
	wantErr(t, err, "Invalid SNOMEDCTCode: abc")
	c := must(model.CodeLit(codelists.ICD10, "A01"))
	if c.Type() != model.CodeType(codelists.ICD10) || c.Go() != "A01" {
		t.Errorf("CodeLit: %v %s", c.Go(), c.Type())
	}

	set := must(model.SetLit(model.Int, []model.Literal{model.IntLit(3), model.IntLit(1), model.IntLit(3), model.IntLit(2)}))
	if set.Type() != model.SetOf(model.Int) || len(set.Members()) != 3 {
		t.Errorf("SetLit: type %s, %d members", set.Type(), len(set.Members()))
	}
	empty := must(model.SetLit(model.Int, nil))
	if empty.Type() != model.SetOf(model.Any) || len(empty.Members()) != 0 {
		t.Errorf("empty SetLit: type %s", empty.Type())
	}
	_, err = model.SetLit(model.Int, []model.Literal{model.IntLit(1), model.StrLit("a")})
	wantErr(t, err, "Expected type 'int' but got 'str'")
	_, err = model.SetLit(model.Int, []model.Literal{model.IntLit(1), model.FloatLit(1)})
	wantErr(t, err, "Expected type 'int' but got 'float'")
	_, err = model.SetLit(model.SetOf(model.Int), []model.Literal{set})
	wantErr(t, err, "a set cannot contain a set")
	if model.IntLit(1).Members() != nil {
		t.Error("Members of a scalar is not nil")
	}

	for _, tc := range []struct {
		lit  model.Literal
		want string
	}{
		{model.IntLit(-2), "-2"},
		{model.FloatLit(2.5), "2.5"},
		{model.BoolLit(true), "true"},
		{model.StrLit(`a"b`), `"a\"b"`},
		{model.DateLit(date("2020-01-02")), "2020-01-02"},
		{c, `"A01"`},
		{must(model.SetLit(model.Str, []model.Literal{model.StrLit("b"), model.StrLit("a")})), `{"a", "b"}`},
	} {
		if got := tc.lit.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}

func TestOps(t *testing.T) {
	for _, tc := range []struct {
		op          model.Op
		name        string
		frame, aggr bool
	}{
		{model.OpSelectTable, "SelectTable", true, false},
		{model.OpSelectPatientTable, "SelectPatientTable", true, false},
		{model.OpInlinePatientTable, "InlinePatientTable", true, false},
		{model.OpFilter, "Filter", true, false},
		{model.OpSort, "Sort", true, false},
		{model.OpPickOneRowPerPatient, "PickOneRowPerPatient", true, false},
		{model.OpSeriesCollectionFrame, "SeriesCollectionFrame", true, false},
		{model.OpValue, "Value", false, false},
		{model.OpParameter, "Parameter", false, false},
		{model.OpSelectColumn, "SelectColumn", false, false},
		{model.OpExists, "AggregateByPatient.Exists", false, true},
		{model.OpCountEpisodes, "AggregateByPatient.CountEpisodes", false, true},
		{model.OpCombineAsSet, "AggregateByPatient.CombineAsSet", false, true},
		{model.OpEQ, "Function.EQ", false, false},
		{model.OpFloorDivide, "Function.FloorDivide", false, false},
		{model.OpDateDifferenceInMonths, "Function.DateDifferenceInMonths", false, false},
		{model.OpMaximumOf, "Function.MaximumOf", false, false},
		{model.OpCase, "Case", false, false},
		{model.OpInvalid, "Invalid", false, false},
		{model.Op(250), "Invalid", false, false},
	} {
		if tc.op.String() != tc.name || tc.op.IsFrame() != tc.frame || tc.op.IsAggregation() != tc.aggr {
			t.Errorf("%d: String %q IsFrame %v IsAggregation %v", tc.op, tc.op.String(), tc.op.IsFrame(), tc.op.IsAggregation())
		}
	}
}

func TestColumnHelpers(t *testing.T) {
	c := model.Column{Name: "x", Type: model.Int,
		Constraints:          []model.Constraint{model.NotNull{}, model.ClosedRange{Min: 1, Max: 9, Step: 2}},
		DummyDataConstraints: []model.Constraint{model.Categorical{Values: []model.Literal{model.IntLit(1)}}}}
	if r, ok := c.Range(); !ok || r.Max != 9 {
		t.Errorf("Range() = %v, %v", r, ok)
	}
	if _, ok := c.Categories(); ok {
		t.Error("Categories() found a dummy-data-only constraint")
	}
	if !c.HasConstraint("NotNull") || !c.HasConstraint("Categorical") || c.HasConstraint("Unique") {
		t.Error("HasConstraint is wrong")
	}
	for _, k := range []model.Constraint{model.Categorical{}, model.NotNull{}, model.Unique{}, model.FirstOfMonth{},
		model.Regex{}, model.ClosedRange{}, model.GeneralRange{}, model.DateAfter{}} {
		if k.ConstraintName() == "" {
			t.Errorf("%T has no name", k)
		}
	}
}
