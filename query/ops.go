package query

import (
	"errors"
	"fmt"

	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/query/model"
)

func whenNullThen(x, other series) series {
	return build(func(a []*model.Node) (*model.Node, error) {
		notNull, err := model.Function(model.OpIsNull, a[0])
		if err != nil {
			return nil, err
		}
		if notNull, err = model.Function(model.OpNot, notNull); err != nil {
			return nil, err
		}
		return model.Case([]*model.Node{notNull}, []*model.Node{a[0]}, a[1])
	}, x, other)
}

func inSeries(x, other series) series {
	set := agg(model.OpCombineAsSet, other)
	return fn(model.OpIn, x, set)
}

// inLiterals builds In(x, Value(set)) for literal members, typed like x.
func inLiterals(x series, l litList) series {
	members, err := l.v, l.err
	if err != nil {
		return series{err: fail(err)}
	}
	n, err := x.node()
	if err != nil {
		return series{err: err}
	}
	elem := n.Type()
	set, err := model.SetLit(elem, members)
	return fn(model.OpIn, x, lit(set, err))
}

// litList is a list of literals or the error met making them.
type litList struct {
	v   []model.Literal
	err error
}

func boolLits(v []bool) litList {
	out := make([]model.Literal, len(v))
	for i, b := range v {
		out[i] = model.BoolLit(b)
	}
	return litList{v: out}
}

func intLits(v []int) litList {
	out := make([]model.Literal, len(v))
	for i, x := range v {
		out[i] = model.IntLit(int64(x))
	}
	return litList{v: out}
}

func floatLits(v []float64) litList {
	out := make([]model.Literal, len(v))
	for i, x := range v {
		out[i] = model.FloatLit(x)
	}
	return litList{v: out}
}

func strLits(v []string) litList {
	out := make([]model.Literal, len(v))
	for i, x := range v {
		out[i] = model.StrLit(x)
	}
	return litList{v: out}
}

func dateLits(v []string) litList {
	out := make([]model.Literal, len(v))
	for i, x := range v {
		d, err := model.ParseDate(x)
		if err != nil {
			return litList{err: err}
		}
		out[i] = model.DateLit(d)
	}
	return litList{v: out}
}

// codeSystem returns the coding system of a code or multi-code series.
func codeSystem(x series) (codelists.System, error) {
	n, err := x.node()
	if err != nil {
		return "", err
	}
	return n.Type().System, nil
}

func codeLits(x series, cl codelists.Codelist) ([]model.Literal, error) {
	sys, err := codeSystem(x)
	if err != nil {
		return nil, err
	}
	if err := cl.Validate(sys); err != nil {
		return nil, err
	}
	codes := cl.Codes()
	out := make([]model.Literal, len(codes))
	for i, c := range codes {
		if out[i], err = model.CodeLit(sys, c); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func inCodelist(x series, cl codelists.Codelist) series {
	if x.err != nil {
		return x
	}
	members, err := codeLits(x, cl)
	return inLiterals(x, litList{members, err})
}

func multiContains(x series, code string) series {
	sys, err := codeSystem(x)
	if err != nil {
		return series{err: err}
	}
	if !sys.ValidPrefix(code) && !sys.Valid(code) {
		return errSeries("Expecting a %s, or a string prefix of a %s, got %q", sys, sys, code)
	}
	return fn(model.OpStringContains, x, lit(model.StrLit(code), nil))
}

func multiContainsAny(x series, cl codelists.Codelist) series {
	if err := cl.Err(); err != nil {
		return series{err: fail(err)}
	}
	codes := cl.Codes()
	if len(codes) == 0 {
		return errSeries("ContainsAnyOf needs at least one code")
	}
	out := multiContains(x, codes[0])
	for _, c := range codes[1:] {
		out = fn(model.OpOr, out, multiContains(x, c))
	}
	return out
}

// toCategory is ehrQL's to_category: a Case of equality tests, one per
// code, in codelist order.
func toCategory(x series, cl codelists.Codelist) series {
	if x.err != nil {
		return x
	}
	if !cl.HasCategories() {
		if err := cl.Err(); err != nil {
			return series{err: fail(err)}
		}
		return errSeries("ToCategory needs a codelist with categories (codelists.FromCSVWithCategories)")
	}
	members, err := codeLits(x, cl)
	if err != nil {
		return series{err: fail(err)}
	}
	src, _ := x.node()
	var conds, values []*model.Node
	for _, m := range members {
		code := m.Go().(string)
		cat, _ := cl.Category(code)
		eq, err := model.Function(model.OpEQ, src, model.MustValue(m))
		if err != nil {
			return series{err: fail(err)}
		}
		conds = append(conds, eq)
		values = append(values, model.MustValue(model.StrLit(cat)))
	}
	if len(conds) == 0 {
		return errSeries("ToCategory needs a non-empty codelist")
	}
	n, err := model.Case(conds, values, nil)
	if err != nil {
		return series{err: fail(err)}
	}
	return series{n: n}
}

// Literal constructors.

// Bool is a constant boolean series.
func Bool(b bool) BoolPatientSeries { return BoolPatientSeries{lit(model.BoolLit(b), nil)} }

// Int is a constant int series.
func Int(i int) IntPatientSeries { return IntPatientSeries{lit(model.IntLit(int64(i)), nil)} }

// Float is a constant float series.
func Float(f float64) FloatPatientSeries { return FloatPatientSeries{lit(model.FloatLit(f), nil)} }

// Str is a constant string series.
func Str(s string) StrPatientSeries { return StrPatientSeries{lit(model.StrLit(s), nil)} }

// Date is a constant date series from an ISO date, YYYY-MM-DD. A malformed
// date is reported, with its line, when the definition runs.
func Date(iso string) DatePatientSeries {
	d, err := model.ParseDate(iso)
	return DatePatientSeries{lit(model.DateLit(d), err)}
}

// Code is a constant code series of the given system.
func Code(system codelists.System, code string) CodePatientSeries {
	return CodePatientSeries{lit(model.CodeLit(system, code))}
}

// Null returns a NULL of series type S, for Case values.
//
// S may also be a kind's interface (IntSeries, ...), for a Case or MapValues
// over that interface.
func Null[S Series]() S {
	var zero S
	if any(zero) != nil {
		return zero.wrap(series{}).(S)
	}
	for _, c := range []Series{BoolPatientSeries{}, IntPatientSeries{}, FloatPatientSeries{}, StrPatientSeries{},
		DatePatientSeries{}, CodePatientSeries{}, MultiCodePatientSeries{}} {
		if s, ok := c.(S); ok {
			return s
		}
	}
	return zero
}

// Branch is one arm of a Case: a condition and the value it selects. An
// Otherwise branch has no condition.
type Branch[S Series] struct {
	cond      BoolSeries
	value     S
	otherwise bool
}

// When is a Case arm: where cond is true (not false or NULL), the value.
func When[S Series](cond BoolSeries, value S) Branch[S] { return Branch[S]{cond: cond, value: value} }

// Otherwise is a Case's last arm: the value where no condition is true.
func Otherwise[S Series](value S) Branch[S] { return Branch[S]{value: value, otherwise: true} }

// Case returns, for each row, the value of the first branch whose condition
// is true, else the Otherwise value, else NULL. The result has one value per
// patient only if every condition and value does.
//
// To mix patient-level and event-level values (an event-level Case with
// literal values), instantiate S with a kind's interface, e.g.
// Case[IntSeries]; the result then holds the event-level type.
func Case[S Series](branches ...Branch[S]) S {
	var values0 []Series
	for _, b := range branches {
		values0 = append(values0, b.value)
	}
	res := func(s series) S { return wrapLike[S](s, values0) }
	var conds, values []*model.Node
	var def *model.Node
	for i, b := range branches {
		if b.otherwise {
			if i != len(branches)-1 {
				return res(errSeries("Case: Otherwise must be the last branch"))
			}
			n, err := valueNode(b.value)
			if err != nil {
				return res(series{err: err})
			}
			def = n
			continue
		}
		if b.cond == nil {
			return res(errSeries("Case: branch %d has no condition", i+1))
		}
		c, err := b.cond.node()
		if err != nil {
			return res(series{err: err})
		}
		v, err := valueNode(b.value)
		if err != nil {
			return res(series{err: err})
		}
		conds = append(conds, c)
		values = append(values, v)
	}
	if len(conds) == 0 {
		return res(errSeries("Case needs at least one When branch"))
	}
	n, err := model.Case(conds, values, def)
	if err != nil {
		return res(series{err: fail(err)})
	}
	return res(series{n: n})
}

// valueNode returns the node of a Case value; a Null value is nil.
func valueNode(s Series) (*model.Node, error) {
	n, err := s.node()
	if err != nil {
		var de *DefinitionError
		if errors.As(err, &de) && errors.Is(de.Err, errUninitialised) {
			return nil, nil
		}
		return nil, err
	}
	return n, nil
}

var errUninitialised = errors.New("use of an uninitialised series (the zero value)")

// MaximumOf returns, per row, the largest non-NULL argument (NULL if all
// are NULL).
func MaximumOf[S Series](first S, rest ...S) S { return horizontal(model.OpMaximumOf, first, rest) }

// MinimumOf returns, per row, the smallest non-NULL argument (NULL if all
// are NULL).
func MinimumOf[S Series](first S, rest ...S) S { return horizontal(model.OpMinimumOf, first, rest) }

func horizontal[S Series](op model.Op, first S, rest []S) S {
	args := []series{}
	var all []Series
	for _, s := range append([]S{first}, rest...) {
		n, err := s.node()
		args = append(args, series{n: n, err: err})
		all = append(all, s)
	}
	return wrapLike[S](fn(op, args...), all)
}

// wrapLike wraps s in S. When S is an interface such as IntSeries (so that
// patient-level and event-level values mix), the concrete type is that of
// the kind of the first non-nil candidate, with the dimension of s's node.
func wrapLike[S Series](s series, candidates []Series) S {
	var zero S
	if any(zero) != nil {
		return zero.wrap(s).(S)
	}
	for _, c := range candidates {
		if c == nil {
			continue
		}
		patient, event := c.dimensions()
		if s.n != nil && !s.n.PatientDomain() {
			return event.wrap(s).(S)
		}
		return patient.wrap(s).(S)
	}
	// No value to take a kind from (a Case without branches): the zero
	// S.
	return zero
}

// Interval is a pair of dates, both included.
type Interval struct{ Start, End DatePatientSeries }

// String renders the interval for messages.
func (iv Interval) String() string { return fmt.Sprintf("(%v, %v)", iv.Start.s.n, iv.End.s.n) }
