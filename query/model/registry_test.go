package model_test

import (
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/query/model"
)

// allOps lists every node kind, from the first after OpInvalid to the last
// whose name is known.
func allOps() []model.Op {
	var ops []model.Op
	for op := model.Op(1); op.String() != "Invalid"; op++ {
		ops = append(ops, op)
	}
	return ops
}

func TestOpsListsEveryKind(t *testing.T) {
	if got := model.Ops(); !equalOps(got, allOps()) {
		t.Errorf("Ops() = %v, want %v", got, allOps())
	}
}

// TestRegistryComplete walks every node kind: each has a distinct wire name
// and each function its fields, a signature with one operand per field (or
// one variadic field) and a reference evaluation.
func TestRegistryComplete(t *testing.T) {
	ops := allOps()
	if len(ops) != int(model.OpCase) {
		t.Fatalf("found %d node kinds, the last being %s; want up to Case", len(ops), ops[len(ops)-1])
	}
	seen := map[string]model.Op{}
	var functions []model.Op
	for _, op := range ops {
		name := op.String()
		if prev, ok := seen[name]; ok {
			t.Errorf("%d and %d share the wire name %q", prev, op, name)
		}
		seen[name] = op
		if strings.HasPrefix(name, "Function.") != op.IsFunction() {
			t.Errorf("%s: IsFunction is %v", name, op.IsFunction())
		}
		// Functions and the aggregations of a series have signatures.
		seriesAggregation := op.IsAggregation() && op != model.OpExists && op != model.OpCount && op != model.OpCountEpisodes
		if hasSig := op.Signature() != ""; hasSig != (op.IsFunction() || seriesAggregation) {
			t.Errorf("%s: has a signature: %v", op, hasSig)
		}
		if !op.IsFunction() {
			if _, ok, _ := model.EvalFunction(op, nil); ok {
				t.Errorf("%s is not a function but EvalFunction evaluates it", op)
			}
			continue
		}
		functions = append(functions, op)
		fields := op.Fields()
		if len(fields) == 0 || (op.Variadic() && len(fields) != 1) {
			t.Errorf("%s: fields %v", op, fields)
			continue
		}
		sig := op.Signature()
		for _, f := range fields {
			if !strings.Contains(sig, f+": ") {
				t.Errorf("%s: signature %q has no operand %s", op, sig, f)
			}
		}
		if !strings.Contains(sig, " -> Series[") {
			t.Errorf("%s: signature %q has no result", op, sig)
		}
		// Every function evaluates NULL operands: to NULL if StrictNull.
		v, ok, err := model.EvalFunction(op, make([]any, len(fields)))
		if !ok || err != nil {
			t.Errorf("%s: EvalFunction on NULLs: ok %v, error %v", op, ok, err)
		}
		if op.StrictNull() && v != nil {
			t.Errorf("%s is StrictNull but gives %v on NULLs", op, v)
		}
	}
	if got := model.FunctionOps(); !equalOps(got, functions) {
		t.Errorf("FunctionOps() = %v, want %v", got, functions)
	}
}

func equalOps(a, b []model.Op) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestStrictNull lists the functions a NULL operand does not decide.
func TestStrictNull(t *testing.T) {
	var lenient []model.Op
	for _, op := range allOps() {
		if op.IsFunction() && !op.StrictNull() {
			lenient = append(lenient, op)
		}
	}
	want := []model.Op{model.OpAnd, model.OpOr, model.OpIsNull, model.OpIn, model.OpMinimumOf, model.OpMaximumOf}
	if !equalOps(lenient, want) {
		t.Errorf("functions not StrictNull: %v, want %v", lenient, want)
	}
}

// TestSignatureStrings pins how signatures are written, one of each shape.
func TestSignatureStrings(t *testing.T) {
	for _, tc := range []struct {
		op   model.Op
		want string
	}{
		{model.OpEQ, "lhs: Series[T], rhs: Series[T] -> Series[bool]"},
		{model.OpLT, "lhs: Series[Comparable] as T, rhs: Series[T] -> Series[bool]"},
		{model.OpAnd, "lhs: Series[bool], rhs: Series[bool] -> Series[bool]"},
		{model.OpIsNull, "source: Series[Any] -> Series[bool]"},
		{model.OpNegate, "source: Series[Numeric] as T -> Series[T]"},
		{model.OpTrueDivide, "lhs: Series[Numeric] as T, rhs: Series[T] -> Series[float]"},
		{model.OpCastToInt, "source: Series[Numeric | bool] -> Series[int]"},
		{model.OpDateAddMonths, "lhs: Series[date], rhs: Series[int] -> Series[date]"},
		{model.OpStringContains, "lhs: Series[str], rhs: Series[str] -> Series[bool]"},
		{model.OpIn, "lhs: Series[T], rhs: Set[T] -> Series[bool]"},
		{model.OpMaximumOf, "*sources: Series[Comparable] as T -> Series[T]"},
		{model.OpCombineAsSet, "source: Series[T] -> Set[T]"},
		{model.OpMean, "source: Series[Numeric] -> Series[float]"},
		{model.OpMin, "source: Series[Comparable] as T -> Series[T]"},
		{model.OpCase, ""},
		{model.OpCount, ""},
	} {
		if got := tc.op.Signature(); got != tc.want {
			t.Errorf("%s.Signature() = %q, want %q", tc.op, got, tc.want)
		}
	}
}

// TestEvalFunctionNotAFunction: a node kind with no reference evaluation
// is reported as such, never as a NULL result.
func TestEvalFunctionNotAFunction(t *testing.T) {
	for _, op := range []model.Op{model.OpInvalid, model.OpCase, model.OpCount, model.OpSelectColumn, model.Op(255)} {
		v, ok, err := model.EvalFunction(op, []any{int64(1)})
		if ok || v != nil || err != nil {
			t.Errorf("EvalFunction(%s) = %v, %v, %v; want nil, false, nil", op, v, ok, err)
		}
	}
}
