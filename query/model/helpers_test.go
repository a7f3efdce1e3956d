package model_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/query/model"
)

// must returns v, panicking if err is not nil (a test failure with a stack
// trace); use it for constructions that the test expects to succeed.
func must[T any](v T, err error) T {
	if err != nil {
		panic("unexpected error: " + err.Error())
	}
	return v
}

// wantErr fails the test unless err is an error whose text contains every
// fragment.
func wantErr(t testing.TB, err error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("expected an error containing %q, got none", fragments)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Fatalf("error %q does not contain %q", err.Error(), f)
		}
	}
}

func isTypeError(err error) bool {
	var te *model.TypeError
	return errors.As(err, &te)
}

func isDomainError(err error) bool {
	var de *model.DomainError
	return errors.As(err, &de)
}

// builder makes query-model nodes for tests, failing the test on any
// construction error.
type builder struct{ t testing.TB }

func (b builder) table(tbl *model.Table) *model.Node {
	return must(model.SelectTable(tbl))
}

func (b builder) col(frame *model.Node, name string) *model.Node {
	return must(model.SelectColumn(frame, name))
}

func (b builder) fn(op model.Op, args ...*model.Node) *model.Node {
	return must(model.Function(op, args...))
}

func (b builder) filter(src, cond *model.Node) *model.Node {
	return must(model.Filter(src, cond))
}

func (b builder) sort(src, key *model.Node) *model.Node {
	return must(model.Sort(src, key))
}

func (b builder) pick(src *model.Node, pos model.Position) *model.Node {
	return must(model.PickOneRowPerPatient(src, pos))
}

func (b builder) agg(op model.Op, src *model.Node) *model.Node {
	return must(model.Aggregate(op, src))
}

func (b builder) caseOf(conds, values []*model.Node, def *model.Node) *model.Node {
	return must(model.Case(conds, values, def))
}

func (b builder) set(elem model.Type, members ...model.Literal) *model.Node {
	return model.MustValue(must(model.SetLit(elem, members)))
}

func (b builder) code(s codelists.System, code string) *model.Node {
	return model.MustValue(must(model.CodeLit(s, code)))
}

func intV(i int64) *model.Node     { return model.MustValue(model.IntLit(i)) }
func floatV(f float64) *model.Node { return model.MustValue(model.FloatLit(f)) }
func boolV(v bool) *model.Node     { return model.MustValue(model.BoolLit(v)) }
func strV(s string) *model.Node    { return model.MustValue(model.StrLit(s)) }
func dateV(s string) *model.Node   { return model.MustValue(model.DateLit(model.MustParseDate(s))) }

func date(s string) model.CivilDate { return model.MustParseDate(s) }
