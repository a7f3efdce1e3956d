package model_test

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/internal/spectest"
	"github.com/ehrql-go/ehrql/query/model"
)

// evalCase is one application of EvalFunction. NULL is nil.
type evalCase struct {
	op   model.Op
	args []any
	want any
}

func args(a ...any) []any { return a }

func runEvalCases(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, tc := range cases {
		got, ok, err := model.EvalFunction(tc.op, tc.args)
		if !ok {
			t.Errorf("%s: no evaluation", tc.op)
			continue
		}
		if err != nil {
			t.Errorf("%s%s: %v", tc.op, fmtArgs(tc.args), err)
			continue
		}
		if !sameValue(got, tc.want) {
			t.Errorf("%s%s = %s, want %s", tc.op, fmtArgs(tc.args), fmtVal(got), fmtVal(tc.want))
		}
	}
}

// sameValue compares evaluation results exactly, including their Go type
// (an int result must be int64, a float result float64); floats compare
// with a small relative tolerance.
func sameValue(got, want any) bool {
	if reflect.TypeOf(got) != reflect.TypeOf(want) {
		return false
	}
	if w, ok := want.(float64); ok {
		g := got.(float64)
		if math.IsNaN(w) {
			return math.IsNaN(g)
		}
		return g == w || math.Abs(g-w) <= 1e-12*math.Max(math.Abs(g), math.Abs(w))
	}
	return reflect.DeepEqual(got, want)
}

func fmtVal(v any) string {
	if v == nil {
		return "NULL"
	}
	return fmt.Sprintf("%v (%T)", v, v)
}

func fmtArgs(a []any) string {
	s := "("
	for i, v := range a {
		if i > 0 {
			s += ", "
		}
		if v == nil {
			s += "NULL"
		} else {
			s += fmt.Sprintf("%v", v)
		}
	}
	return s + ")"
}

// eval applies op, failing the test on an error.
func eval(t *testing.T, op model.Op, a ...any) any {
	t.Helper()
	v, ok, err := model.EvalFunction(op, a)
	if !ok {
		t.Fatalf("%s: no evaluation", op)
	}
	if err != nil {
		t.Fatalf("%s%s: %v", op, fmtArgs(a), err)
	}
	return v
}

var (
	T = true
	F = false
)

func TestKleeneAnd(t *testing.T) {
	// Spec 2.3, rows a, columns b in the order T, N, F.
	vals := []any{T, nil, F}
	want := [3][3]any{
		{T, nil, F},
		{nil, nil, F},
		{F, F, F},
	}
	var cases []evalCase
	for i, a := range vals {
		for j, b := range vals {
			cases = append(cases, evalCase{model.OpAnd, args(a, b), want[i][j]})
		}
	}
	runEvalCases(t, cases)
}

func TestKleeneOr(t *testing.T) {
	vals := []any{T, nil, F}
	want := [3][3]any{
		{T, T, T},
		{T, nil, nil},
		{T, nil, F},
	}
	var cases []evalCase
	for i, a := range vals {
		for j, b := range vals {
			cases = append(cases, evalCase{model.OpOr, args(a, b), want[i][j]})
		}
	}
	runEvalCases(t, cases)
}

func TestNotAndIsNull(t *testing.T) {
	runEvalCases(t, []evalCase{
		{model.OpNot, args(T), F},
		{model.OpNot, args(F), T},
		{model.OpNot, args(nil), nil},
		{model.OpIsNull, args(nil), T},
		{model.OpIsNull, args(F), F},
		{model.OpIsNull, args(int64(0)), F},
		{model.OpIsNull, args(""), F},
		{model.OpIsNull, args(date("2000-01-01")), F},
		{model.OpIsNull, args([]model.Literal{}), F},
	})
}

func intSet(xs ...int64) []model.Literal {
	lits := make([]model.Literal, len(xs))
	for i, x := range xs {
		lits[i] = model.IntLit(x)
	}
	return must(model.SetLit(model.Int, lits)).Members()
}

func TestIn(t *testing.T) {
	empty := []model.Literal{}
	set := intSet(101, 301)
	codes := must(model.SetLit(model.CodeType(codelists.SNOMEDCT), []model.Literal{
		must(model.CodeLit(codelists.SNOMEDCT, "123456")),
		must(model.CodeLit(codelists.SNOMEDCT, "234567")),
	})).Members()
	dates := must(model.SetLit(model.Date, []model.Literal{model.DateLit(date("2020-01-01"))})).Members()
	strs := must(model.SetLit(model.Str, []model.Literal{model.StrLit("a"), model.StrLit("")})).Members()
	runEvalCases(t, []evalCase{
		// Empty set: False, even for NULL.
		{model.OpIn, args(nil, empty), F},
		{model.OpIn, args(int64(1), empty), F},
		// NULL against a non-empty set: NULL.
		{model.OpIn, args(nil, set), nil},
		// Membership.
		{model.OpIn, args(int64(101), set), T},
		{model.OpIn, args(int64(301), set), T},
		{model.OpIn, args(int64(201), set), F},
		{model.OpIn, args("123456", codes), T},
		{model.OpIn, args("999999", codes), F},
		{model.OpIn, args(date("2020-01-01"), dates), T},
		{model.OpIn, args(date("2020-01-02"), dates), F},
		{model.OpIn, args("", strs), T},
		{model.OpIn, args("A", strs), F}, // case-sensitive
	})
	// is_not_in = Not(In(...)): NULL.is_not_in([]) is True, NULL stays NULL.
	notIn := func(x any, s []model.Literal) any {
		return eval(t, model.OpNot, eval(t, model.OpIn, x, s))
	}
	if got := notIn(nil, empty); got != true {
		t.Errorf("NULL.is_not_in([]) = %v, want true", got)
	}
	if got := notIn(nil, set); got != nil {
		t.Errorf("NULL.is_not_in([101, 301]) = %v, want NULL", got)
	}
	if got := notIn(int64(5), set); got != true {
		t.Errorf("5.is_not_in([101, 301]) = %v, want true", got)
	}
}

func TestComparisons(t *testing.T) {
	d1, d2 := date("2020-01-01"), date("2020-01-02")
	var cases []evalCase
	type pair struct{ lo, hi any }
	for _, p := range []pair{
		{int64(-5), int64(3)},
		{1.5, 2.25},
		{"B", "a"}, // code-point order: 'B' < 'a'
		{"abc", "abd"},
		{"", "a"},
		{d1, d2},
		{date("1999-12-31"), date("2000-01-01")},
	} {
		cases = append(cases,
			evalCase{model.OpLT, args(p.lo, p.hi), T},
			evalCase{model.OpLT, args(p.hi, p.lo), F},
			evalCase{model.OpLT, args(p.lo, p.lo), F},
			evalCase{model.OpLE, args(p.lo, p.hi), T},
			evalCase{model.OpLE, args(p.lo, p.lo), T},
			evalCase{model.OpLE, args(p.hi, p.lo), F},
			evalCase{model.OpGT, args(p.hi, p.lo), T},
			evalCase{model.OpGT, args(p.lo, p.hi), F},
			evalCase{model.OpGT, args(p.hi, p.hi), F},
			evalCase{model.OpGE, args(p.hi, p.lo), T},
			evalCase{model.OpGE, args(p.hi, p.hi), T},
			evalCase{model.OpGE, args(p.lo, p.hi), F},
			evalCase{model.OpEQ, args(p.lo, p.lo), T},
			evalCase{model.OpEQ, args(p.lo, p.hi), F},
			evalCase{model.OpNE, args(p.lo, p.hi), T},
			evalCase{model.OpNE, args(p.hi, p.hi), F},
		)
	}
	cases = append(cases,
		evalCase{model.OpEQ, args(T, T), T},
		evalCase{model.OpEQ, args(T, F), F},
		evalCase{model.OpNE, args(F, T), T},
		evalCase{model.OpEQ, args("123456", "123456"), T}, // codes are strings
		evalCase{model.OpEQ, args(0.0, math.Copysign(0, -1)), T},
	)
	// Any NULL gives NULL, including NULL == NULL.
	for _, op := range []model.Op{model.OpEQ, model.OpNE, model.OpLT, model.OpLE, model.OpGT, model.OpGE} {
		cases = append(cases,
			evalCase{op, args(nil, nil), nil},
			evalCase{op, args(nil, int64(1)), nil},
			evalCase{op, args(int64(1), nil), nil},
		)
	}
	runEvalCases(t, cases)
}

func TestArithmetic(t *testing.T) {
	runEvalCases(t, []evalCase{
		{model.OpAdd, args(int64(2), int64(3)), int64(5)},
		{model.OpSubtract, args(int64(2), int64(3)), int64(-1)},
		{model.OpMultiply, args(int64(-2), int64(3)), int64(-6)},
		{model.OpAdd, args(1.5, 2.25), 3.75},
		{model.OpSubtract, args(1.5, 2.25), -0.75},
		{model.OpMultiply, args(1.5, -2.0), -3.0},
		{model.OpNegate, args(int64(7)), int64(-7)},
		{model.OpNegate, args(int64(-7)), int64(7)},
		{model.OpNegate, args(2.5), -2.5},
		{model.OpAbsolute, args(int64(-7)), int64(7)},
		{model.OpAbsolute, args(int64(7)), int64(7)},
		{model.OpAbsolute, args(-2.5), 2.5},
		// NULL propagation.
		{model.OpAdd, args(nil, int64(1)), nil},
		{model.OpAdd, args(int64(1), nil), nil},
		{model.OpSubtract, args(nil, nil), nil},
		{model.OpMultiply, args(nil, 2.0), nil},
		{model.OpNegate, args(nil), nil},
		{model.OpAbsolute, args(nil), nil},
		{model.OpTrueDivide, args(nil, int64(1)), nil},
		{model.OpTrueDivide, args(int64(1), nil), nil},
		{model.OpFloorDivide, args(nil, int64(1)), nil},
		{model.OpFloorDivide, args(int64(1), nil), nil},
	})
}

func TestDivision(t *testing.T) {
	runEvalCases(t, []evalCase{
		// True division always gives a float.
		{model.OpTrueDivide, args(int64(-1), int64(2)), -0.5},
		{model.OpTrueDivide, args(int64(4), int64(2)), 2.0},
		{model.OpTrueDivide, args(7.5, 2.5), 3.0},
		{model.OpTrueDivide, args(int64(1), int64(0)), nil},
		{model.OpTrueDivide, args(int64(0), int64(0)), nil},
		{model.OpTrueDivide, args(1.0, 0.0), nil},
		{model.OpTrueDivide, args(1.0, math.Copysign(0, -1)), nil},
		// Floor division floors toward −∞ and gives an int.
		{model.OpFloorDivide, args(int64(-1), int64(2)), int64(-1)},
		{model.OpFloorDivide, args(int64(-4), int64(3)), int64(-2)},
		{model.OpFloorDivide, args(int64(10), int64(-4)), int64(-3)},
		{model.OpFloorDivide, args(int64(10), int64(4)), int64(2)},
		{model.OpFloorDivide, args(int64(-10), int64(-4)), int64(2)},
		{model.OpFloorDivide, args(int64(-4), int64(2)), int64(-2)},
		{model.OpFloorDivide, args(int64(0), int64(-3)), int64(0)},
		{model.OpFloorDivide, args(int64(7), int64(0)), nil},
		{model.OpFloorDivide, args(-10.3, 1.5), int64(-7)},
		{model.OpFloorDivide, args(10.3, 1.5), int64(6)},
		{model.OpFloorDivide, args(7.0, 2.0), int64(3)},
		{model.OpFloorDivide, args(7.0, 0.0), nil},
	})
}

func TestPower(t *testing.T) {
	runEvalCases(t, []evalCase{
		{model.OpPower, args(int64(7), int64(2)), 49.0}, // int ** int is float
		{model.OpPower, args(2.0, 3.0), 8.0},
		{model.OpPower, args(4.0, 0.5), 2.0},
		{model.OpPower, args(5.0, 0.0), 1.0},
		{model.OpPower, args(0.0, 0.0), 1.0},
		{model.OpPower, args(-10.0, -1.0), -0.1},
		{model.OpPower, args(int64(-10), int64(-1)), -0.1},
		{model.OpPower, args(-2.0, 3.0), -8.0},
		{model.OpPower, args(int64(2), int64(-1)), 0.5},
		// NULL cases.
		{model.OpPower, args(0.0, -20.0), nil},
		{model.OpPower, args(int64(0), int64(-20)), nil},
		{model.OpPower, args(-8.0, 1.0/3.0), nil}, // complex
		{model.OpPower, args(-1.0, 0.5), nil},
		{model.OpPower, args(nil, 2.0), nil},
		{model.OpPower, args(2.0, nil), nil},
	})
}

func TestCasts(t *testing.T) {
	runEvalCases(t, []evalCase{
		{model.OpCastToInt, args(-6.7), int64(-6)},
		{model.OpCastToInt, args(6.7), int64(6)},
		{model.OpCastToInt, args(0.5), int64(0)},
		{model.OpCastToInt, args(-0.5), int64(0)},
		{model.OpCastToInt, args(32.3), int64(32)},
		{model.OpCastToInt, args(12.4), int64(12)},
		{model.OpCastToInt, args(-3.2), int64(-3)},
		{model.OpCastToInt, args(int64(-9)), int64(-9)},
		{model.OpCastToInt, args(T), int64(1)},
		{model.OpCastToInt, args(F), int64(0)},
		{model.OpCastToInt, args(nil), nil},
		{model.OpCastToFloat, args(int64(3)), 3.0},
		{model.OpCastToFloat, args(int64(-3)), -3.0},
		{model.OpCastToFloat, args(2.5), 2.5},
		{model.OpCastToFloat, args(nil), nil},
	})
}

func TestMinimumOfMaximumOf(t *testing.T) {
	d1, d2, d3 := date("2020-01-01"), date("2019-06-30"), date("2021-02-03")
	runEvalCases(t, []evalCase{
		{model.OpMaximumOf, args(int64(1), int64(2), int64(3)), int64(3)},
		{model.OpMinimumOf, args(int64(1), int64(2), int64(3)), int64(1)},
		{model.OpMaximumOf, args(int64(5), nil, int64(3)), int64(5)},
		{model.OpMinimumOf, args(nil, int64(5), nil, int64(3)), int64(3)},
		{model.OpMaximumOf, args(nil, int64(-5)), int64(-5)},
		{model.OpMinimumOf, args(int64(-5), nil), int64(-5)},
		{model.OpMaximumOf, args(nil, nil), nil},
		{model.OpMinimumOf, args(nil, nil, nil), nil},
		{model.OpMaximumOf, args(1.5, 2.5, nil), 2.5},
		{model.OpMinimumOf, args(1.5, 2.5, nil), 1.5},
		{model.OpMaximumOf, args("a", "B", "b"), "b"},
		{model.OpMinimumOf, args("a", "B", "b"), "B"},
		{model.OpMaximumOf, args(d1, d2, nil, d3), d3},
		{model.OpMinimumOf, args(d1, d2, nil, d3), d2},
		{model.OpMaximumOf, args(int64(7)), int64(7)},
	})
}

func TestStringContains(t *testing.T) {
	runEvalCases(t, []evalCase{
		{model.OpStringContains, args("hello world", "o w"), T},
		{model.OpStringContains, args("hello", "Hello"), F}, // case-sensitive
		{model.OpStringContains, args("100%", "%"), T},      // no LIKE wildcards
		{model.OpStringContains, args("abc", "%"), F},
		{model.OpStringContains, args("abc", "_"), F},
		{model.OpStringContains, args("a_c", "_"), T},
		{model.OpStringContains, args("a/b", "/"), T},
		{model.OpStringContains, args("abc", ""), T},
		{model.OpStringContains, args("", ""), T},
		{model.OpStringContains, args("", "a"), F},
		{model.OpStringContains, args("||E119 ,J849 ,M069 ||I801 ,I802", "M06"), T},
		{model.OpStringContains, args("||E119 ,J849 ,M069 ||I801 ,I802", "J84X"), F},
		{model.OpStringContains, args(nil, "a"), nil},
		{model.OpStringContains, args("a", nil), nil},
	})
}

func TestDateFunctions(t *testing.T) {
	runEvalCases(t, []evalCase{
		{model.OpDateAddDays, args(date("2000-02-28"), int64(1)), date("2000-02-29")},
		{model.OpDateAddDays, args(date("2000-03-01"), int64(-1)), date("2000-02-29")},
		{model.OpDateAddMonths, args(date("2003-01-31"), int64(1)), date("2003-03-01")},
		{model.OpDateAddMonths, args(date("2004-03-31"), int64(-1)), date("2004-03-01")},
		{model.OpDateAddYears, args(date("2004-02-29"), int64(1)), date("2005-03-01")},
		{model.OpDateAddYears, args(date("2004-02-29"), int64(-4)), date("2000-02-29")},
		{model.OpDateDifferenceInDays, args(date("1999-12-31"), date("2001-01-01")), int64(-367)},
		{model.OpDateDifferenceInMonths, args(date("2005-02-28"), date("2004-02-29")), int64(11)},
		{model.OpDateDifferenceInYears, args(date("2021-02-28"), date("2020-02-29")), int64(0)},
		{model.OpDateDifferenceInYears, args(date("2021-02-28"), date("2021-03-01")), int64(-1)},
		{model.OpYearFromDate, args(date("2021-02-28")), int64(2021)},
		{model.OpMonthFromDate, args(date("2021-02-28")), int64(2)},
		{model.OpDayFromDate, args(date("2021-02-28")), int64(28)},
		{model.OpToFirstOfYear, args(date("2021-08-28")), date("2021-01-01")},
		{model.OpToFirstOfMonth, args(date("2021-08-28")), date("2021-08-01")},
		{model.OpToFirstOfMonth, args(date("2021-08-01")), date("2021-08-01")},
		// NULL in, NULL out.
		{model.OpDateAddDays, args(nil, int64(1)), nil},
		{model.OpDateAddDays, args(date("2000-01-01"), nil), nil},
		{model.OpDateAddMonths, args(nil, int64(1)), nil},
		{model.OpDateAddYears, args(date("2000-01-01"), nil), nil},
		{model.OpDateDifferenceInDays, args(nil, date("2000-01-01")), nil},
		{model.OpDateDifferenceInMonths, args(date("2000-01-01"), nil), nil},
		{model.OpDateDifferenceInYears, args(nil, nil), nil},
		{model.OpYearFromDate, args(nil), nil},
		{model.OpMonthFromDate, args(nil), nil},
		{model.OpDayFromDate, args(nil), nil},
		{model.OpToFirstOfYear, args(nil), nil},
		{model.OpToFirstOfMonth, args(nil), nil},
	})
}

// weeks = FloorDivide(DateDifferenceInDays(a, b), 7): −1 day is −1 week.
func TestWeeksAreFloored(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int64
	}{
		{"2000-01-01", "2000-01-02", -1},
		{"2000-01-08", "2000-01-01", 1},
		{"2000-01-07", "2000-01-01", 0},
		{"2000-01-01", "2000-01-08", -1},
		{"2000-01-01", "2000-01-09", -2},
	} {
		days := eval(t, model.OpDateDifferenceInDays, date(tc.a), date(tc.b))
		got := eval(t, model.OpFloorDivide, days, int64(7))
		if got != tc.want {
			t.Errorf("(%s - %s).weeks = %v, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestEvalNullPatient(t *testing.T) {
	b := builder{t}
	p := b.table(spectest.PatientTable)
	e := b.table(spectest.EventTable)
	param := must(model.Parameter("interval_start_date", model.Date))
	for _, tc := range []struct {
		name  string
		node  *model.Node
		want  any
		known bool
	}{
		{"patient column", b.col(p, "i1"), nil, true},
		{"exists", b.agg(model.OpExists, e), false, true},
		{"patient exists", b.agg(model.OpExists, p), false, true},
		{"count", b.agg(model.OpCount, e), int64(0), true},
		{"count distinct", b.agg(model.OpCountDistinct, b.col(e, "i1")), int64(0), true},
		{"count episodes", must(model.CountEpisodes(b.col(e, "d1"), 3)), int64(0), true},
		{"sum", b.agg(model.OpSum, b.col(e, "i1")), nil, true},
		{"mean", b.agg(model.OpMean, b.col(e, "i1")), nil, true},
		{"min", b.agg(model.OpMin, b.col(e, "d1")), nil, true},
		{"combine as set is empty", b.agg(model.OpCombineAsSet, b.col(e, "i1")), []model.Literal{}, true},
		{"value", intV(3), int64(3), true},
		{"in own set", b.fn(model.OpIn, b.col(p, "i1"), b.agg(model.OpCombineAsSet, b.col(e, "i1"))), false, true},
		{"picked column", b.col(b.pick(b.sort(e, b.col(e, "i1")), model.First), "i2"), nil, true},
		{"literal arithmetic", b.fn(model.OpAdd, intV(2), intV(3)), int64(5), true},
		{"case falls to default", b.caseOf(
			[]*model.Node{b.fn(model.OpGT, b.col(p, "i1"), intV(1))},
			[]*model.Node{strV("big")}, strV("other")), "other", true},
		{"case first true", b.caseOf(
			[]*model.Node{boolV(false), boolV(true), b.fn(model.OpIsNull, b.col(p, "i2"))},
			[]*model.Node{strV("a"), strV("b"), strV("c")}, nil), "b", true},
		{"case no default", b.caseOf(
			[]*model.Node{boolV(false)}, []*model.Node{strV("a")}, nil), nil, true},
		{"parameter", b.fn(model.OpLT, dateV("2020-01-01"), param), nil, false},
	} {
		got, known := model.EvalNullPatient(tc.node)
		if known != tc.known || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: EvalNullPatient = %v, %v; want %v, %v", tc.name, fmtVal(got), known, fmtVal(tc.want), tc.known)
		}
	}
}

// NaN compares false with everything (NE true), as Python's floats do;
// -0.0 equals 0.0.
func TestNaNAndNegativeZero(t *testing.T) {
	nan := math.NaN()
	set, _ := model.SetLit(model.Float, []model.Literal{model.FloatLit(nan), model.FloatLit(1)})
	runEvalCases(t, []evalCase{
		{model.OpGT, args(nan, 140.0), F},
		{model.OpLT, args(nan, 140.0), F},
		{model.OpGE, args(140.0, nan), F},
		{model.OpLE, args(nan, nan), F},
		{model.OpEQ, args(nan, nan), F},
		{model.OpNE, args(nan, nan), T},
		{model.OpNE, args(nan, 1.0), T},
		{model.OpIn, args(nan, set.Members()), F},
		{model.OpIn, args(1.0, set.Members()), T},
		{model.OpEQ, args(math.Copysign(0, -1), 0.0), T},
		{model.OpLT, args(math.Copysign(0, -1), 0.0), F},
		{model.OpMaximumOf, args(nan, 1.0), nan},
		{model.OpMinimumOf, args(nan, 1.0), 1.0},
	})
}

// Results outside their type's range are errors of a kind, as ehrQL raises
// them; NULL operands still give NULL without evaluating.
func TestEvalErrors(t *testing.T) {
	for _, tc := range []struct {
		op   model.Op
		args []any
		kind model.EvalErrorKind
	}{
		{model.OpAdd, args(int64(math.MaxInt64), int64(1)), model.ErrOverflow},
		{model.OpSubtract, args(int64(math.MinInt64), int64(1)), model.ErrOverflow},
		{model.OpMultiply, args(int64(math.MinInt64), int64(-1)), model.ErrOverflow},
		{model.OpMultiply, args(int64(-1), int64(math.MinInt64)), model.ErrOverflow},
		{model.OpMultiply, args(int64(1<<32), int64(1<<32)), model.ErrOverflow},
		{model.OpNegate, args(int64(math.MinInt64)), model.ErrOverflow},
		{model.OpAbsolute, args(int64(math.MinInt64)), model.ErrOverflow},
		{model.OpFloorDivide, args(int64(math.MinInt64), int64(-1)), model.ErrOverflow},
		{model.OpPower, args(10.0, 400.0), model.ErrOverflow},
		{model.OpPower, args(int64(-10), int64(401)), model.ErrOverflow},
		{model.OpCastToInt, args(math.NaN()), model.ErrOverflow},
		{model.OpCastToInt, args(1e19), model.ErrOverflow},
		{model.OpDateAddDays, args(date("2020-01-01"), int64(1_000_000_000)), model.ErrDateRange},
		{model.OpDateAddDays, args(date("9999-12-31"), int64(1)), model.ErrDateRange},
		{model.OpDateAddDays, args(date("0001-01-01"), int64(-1)), model.ErrDateRange},
		{model.OpDateAddMonths, args(date("9999-12-01"), int64(1)), model.ErrDateRange},
		{model.OpDateAddMonths, args(date("2020-01-01"), int64(math.MaxInt64)), model.ErrDateRange},
		{model.OpDateAddYears, args(date("2020-01-01"), int64(math.MinInt64)), model.ErrDateRange},
		{model.OpDateAddYears, args(date("2020-01-01"), int64(7980)), model.ErrDateRange},
	} {
		v, _, err := model.EvalFunction(tc.op, tc.args)
		var ee *model.EvalError
		if !errors.As(err, &ee) || ee.Kind != tc.kind {
			t.Errorf("%s%s = %v, %v; want a %q error", tc.op, fmtArgs(tc.args), fmtVal(v), err, tc.kind)
		}
	}
	runEvalCases(t, []evalCase{
		{model.OpDateAddDays, args(nil, int64(math.MaxInt64)), nil},
		{model.OpDateAddYears, args(nil, int64(math.MaxInt64)), nil},
		{model.OpAdd, args(int64(math.MaxInt64), nil), nil},
		{model.OpAdd, args(int64(math.MaxInt64), int64(-1)), int64(math.MaxInt64 - 1)},
		{model.OpSubtract, args(int64(-1), int64(math.MaxInt64)), int64(math.MinInt64)},
		{model.OpPower, args(math.Inf(1), 2.0), math.Inf(1)},
		{model.OpPower, args(-2.0, math.NaN()), math.NaN()},
		{model.OpDateAddDays, args(date("9999-12-30"), int64(1)), date("9999-12-31")},
		{model.OpDateAddYears, args(date("2020-02-29"), int64(7979)), date("9999-03-01")},
	})
}
