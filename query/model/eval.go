package model

import (
	"fmt"
	"math"
	"strings"
)

// EvalNullPatient evaluates a patient-level series for an imaginary patient
// who appears in no table: patient-table columns are NULL, Exists is false,
// counts are 0 and other aggregations NULL. known is false when the value
// depends on something unknown (a Parameter). A NULL result is nil.
func EvalNullPatient(n *Node) (v any, known bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(unknownValue); !ok {
				panic(r)
			}
			v, known = nil, false
		}
	}()
	return evalNull(n, map[ID]any{}), true
}

type unknownValue struct{}

func evalNull(n *Node, memo map[ID]any) any {
	if n == nil {
		return nil
	}
	if v, ok := memo[n.id]; ok {
		return v
	}
	var v any
	switch {
	case n.op == OpValue:
		v = n.lit.Go()
	case n.op == OpParameter:
		panic(unknownValue{})
	case n.op == OpSelectColumn:
		v = nil
	case n.op == OpExists:
		v = false
	case n.op == OpCount, n.op == OpCountDistinct, n.op == OpCountEpisodes:
		v = int64(0)
	case n.op == OpCombineAsSet:
		v = []Literal{}
	case n.op.IsAggregation():
		v = nil
	case n.op == OpCase:
		conds, values, def := n.CaseBranches()
		v = evalNull(def, memo)
		for i, c := range conds {
			if evalNull(c, memo) == true {
				v = evalNull(values[i], memo)
				break
			}
		}
	default:
		args := make([]any, len(n.args))
		for i, a := range n.args {
			args[i] = evalNull(a, memo)
		}
		var ok bool
		var err error
		if v, ok, err = EvalFunction(n.op, args); !ok || err != nil {
			panic(unknownValue{})
		}
	}
	memo[n.id] = v
	return v
}

// EvalErrorKind classifies the errors evaluating a function can raise on
// data, as ehrQL does.
type EvalErrorKind string

// The kinds of evaluation error.
const (
	// ErrDateRange: date arithmetic left ehrQL's dates, 0001-01-01 to
	// 9999-12-31 (or added more than 999,999,999 days).
	ErrDateRange EvalErrorKind = "date out of range"
	// ErrOverflow: a number left the range of its type (int64 arithmetic,
	// a float too large or NaN cast to int, a power too large for a float).
	ErrOverflow EvalErrorKind = "arithmetic overflow"
)

// EvalError is an error evaluating a function on particular values.
type EvalError struct {
	Kind EvalErrorKind
	Op   Op
	Msg  string
}

// Error implements the error interface.
func (e *EvalError) Error() string { return fmt.Sprintf("%s: %s: %s", e.Op, e.Kind, e.Msg) }

// MaxAddDays is the largest number of days ehrQL adds to a date.
const MaxAddDays = 999_999_999

// EvalFunction applies a Function.* node kind to argument values with
// ehrQL's semantics (NULL = nil; sets are []Literal or []any). Comparisons
// with NaN are false (NE true), as in Python; a result outside the range of
// its type is an *EvalError. ok is false when op is not a function, which
// has no reference evaluation: never read v then as NULL. It is the
// reference the SQL compiler and the in-memory engine are tested against.
func EvalFunction(op Op, a []any) (v any, ok bool, err error) {
	if op >= opCount || specs[op].eval == nil {
		return nil, false, nil
	}
	s := &specs[op]
	if !s.handlesNull {
		for _, x := range a {
			if x == nil {
				return nil, true, nil
			}
		}
	}
	v, err = s.eval(op, a)
	if ee, isData := err.(*EvalError); isData {
		ee.Kind = s.raises
	}
	return v, true, err
}

func cannotEvaluate(op Op, a []any) error { return fmt.Errorf("%s: cannot evaluate on %v", op, a) }

func evalAnd(_ Op, a []any) (any, error) {
	x, y := a[0], a[1]
	if x == false || y == false {
		return false, nil
	}
	if x == nil || y == nil {
		return nil, nil
	}
	return true, nil
}

func evalOr(_ Op, a []any) (any, error) {
	x, y := a[0], a[1]
	if x == true || y == true {
		return true, nil
	}
	if x == nil || y == nil {
		return nil, nil
	}
	return false, nil
}

func evalNot(_ Op, a []any) (any, error) { return !a[0].(bool), nil }

func evalIsNull(_ Op, a []any) (any, error) { return a[0] == nil, nil }

// evalIn: an empty set gives false even for NULL; otherwise NULL gives NULL.
func evalIn(_ Op, a []any) (any, error) {
	set := setMembers(a[1])
	if len(set) == 0 {
		return false, nil
	}
	if a[0] == nil {
		return nil, nil
	}
	for _, m := range set {
		if m != nil && equalValues(m, a[0]) {
			return true, nil
		}
	}
	return false, nil
}

// evalExtreme is MinimumOf and MaximumOf: NULLs are ignored.
func evalExtreme(op Op, a []any) (any, error) {
	var best any
	for _, x := range a {
		if x == nil {
			continue
		}
		if best == nil || (op == OpMinimumOf && Compare(x, best) < 0) || (op == OpMaximumOf && Compare(x, best) > 0) {
			best = x
		}
	}
	return best, nil
}

func evalEqual(op Op, a []any) (any, error) { return equalValues(a[0], a[1]) == (op == OpEQ), nil }

func evalCompare(op Op, a []any) (any, error) {
	if isNaN(a[0]) || isNaN(a[1]) {
		return false, nil
	}
	c := Compare(a[0], a[1])
	switch op {
	case OpLT:
		return c < 0, nil
	case OpLE:
		return c <= 0, nil
	case OpGT:
		return c > 0, nil
	}
	return c >= 0, nil
}

// dataError is the error op raises on particular values; EvalFunction
// gives it the kind the registry declares op raises.
func dataError(op Op, format string, args ...any) error {
	return &EvalError{Op: op, Msg: fmt.Sprintf(format, args...)}
}

func evalNegate(op Op, a []any) (any, error) {
	switch x := a[0].(type) {
	case int64:
		if x == math.MinInt64 {
			return nil, dataError(op, "-(%d)", x)
		}
		return -x, nil
	case float64:
		return -x, nil
	}
	return nil, cannotEvaluate(op, a)
}

func evalAbsolute(op Op, a []any) (any, error) {
	switch x := a[0].(type) {
	case int64:
		if x == math.MinInt64 {
			return nil, dataError(op, "abs(%d)", x)
		}
		if x < 0 {
			return -x, nil
		}
		return x, nil
	case float64:
		return math.Abs(x), nil
	}
	return nil, cannotEvaluate(op, a)
}

// evalTrueDivide: division by zero is NULL.
func evalTrueDivide(_ Op, a []any) (any, error) {
	x, y := toFloat(a[0]), toFloat(a[1])
	if y == 0 {
		return nil, nil
	}
	return x / y, nil
}

// evalFloorDivide rounds toward minus infinity; division by zero is NULL.
func evalFloorDivide(op Op, a []any) (any, error) {
	if xi, ok := a[0].(int64); ok {
		yi := a[1].(int64)
		if yi == 0 {
			return nil, nil
		}
		if xi == math.MinInt64 && yi == -1 {
			return nil, dataError(op, "%d // %d", xi, yi)
		}
		return int64(floorDiv(int(xi), int(yi))), nil
	}
	x, y := toFloat(a[0]), toFloat(a[1])
	if y == 0 {
		return nil, nil
	}
	return floatToInt(op, math.Floor(x/y))
}

// evalPower is NULL where the result would be complex or 0 is raised to a
// negative power, and fails where finite operands give an infinite result.
func evalPower(op Op, a []any) (any, error) {
	x, y := toFloat(a[0]), toFloat(a[1])
	finite := !math.IsInf(x, 0) && !math.IsNaN(x) && !math.IsInf(y, 0) && !math.IsNaN(y)
	if (x == 0 && y < 0) || (x < 0 && finite && y != math.Trunc(y)) {
		return nil, nil
	}
	r := math.Pow(x, y)
	if finite && math.IsInf(r, 0) {
		return nil, dataError(op, "%v ** %v is too large", x, y)
	}
	return r, nil
}

func evalCastToInt(op Op, a []any) (any, error) {
	switch x := a[0].(type) {
	case bool:
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	case int64:
		return x, nil
	case float64:
		return floatToInt(op, math.Trunc(x))
	}
	return nil, cannotEvaluate(op, a)
}

func evalCastToFloat(_ Op, a []any) (any, error) { return toFloat(a[0]), nil }

func evalDateAddDays(op Op, a []any) (any, error) {
	n := a[1].(int64)
	if n > MaxAddDays || n < -MaxAddDays {
		return nil, dataError(op, "number of days %d is out of range", n)
	}
	return checkDate(op, a[0].(CivilDate).AddDays(int(n)))
}

// evalDateAddMonths is DateAddMonths and DateAddYears (12 months a year).
func evalDateAddMonths(op Op, a []any) (any, error) {
	n := a[1].(int64)
	if op == OpDateAddYears {
		if n > maxYear || n < -maxYear {
			return nil, dataError(op, "year offset %d is out of range", n)
		}
		n *= 12
	}
	if n > 12*maxYear || n < -12*maxYear {
		return nil, dataError(op, "month offset %d is out of range", n)
	}
	return checkDate(op, a[0].(CivilDate).AddMonths(int(n)))
}

// dateFunc makes the evaluation of a function of one or two dates (the
// second is the zero date for a function of one).
func dateFunc(f func(a, b CivilDate) any) func(Op, []any) (any, error) {
	return func(_ Op, a []any) (any, error) {
		var b CivilDate
		if len(a) > 1 {
			b = a[1].(CivilDate)
		}
		return f(a[0].(CivilDate), b), nil
	}
}

func evalStringContains(_ Op, a []any) (any, error) {
	return strings.Contains(a[0].(string), a[1].(string)), nil
}

// maxYear is the last year of ehrQL's dates (Python's date.max).
const maxYear = 9999

// checkDate refuses a date outside ehrQL's range of years, 1 to 9999.
func checkDate(op Op, d CivilDate) (any, error) {
	if d.Year < 1 || d.Year > maxYear {
		return nil, dataError(op, "year %d is out of range", d.Year)
	}
	return d, nil
}

// floatToInt converts an integral float to int64, refusing NaN, infinities
// and values outside int64.
func floatToInt(op Op, f float64) (any, error) {
	if math.IsNaN(f) || f < -(1<<63) || f >= 1<<63 {
		return nil, dataError(op, "%v does not fit an int", f)
	}
	return int64(f), nil
}

// setMembers returns the members of a set value as Go values.
func setMembers(v any) []any {
	switch s := v.(type) {
	case []Literal:
		out := make([]any, len(s))
		for i, m := range s {
			out[i] = m.Go()
		}
		return out
	case []any:
		return s
	}
	return nil
}

func isNaN(x any) bool {
	f, ok := x.(float64)
	return ok && math.IsNaN(f)
}

func arith(op Op, a []any) (any, error) {
	x, y := a[0], a[1]
	if xi, ok := x.(int64); ok {
		yi := y.(int64)
		var r int64
		var ok bool
		switch op {
		case OpAdd:
			r, ok = AddInt(xi, yi)
		case OpSubtract:
			r = xi - yi
			ok = (yi >= 0) == (r <= xi)
		default:
			r = xi * yi
			ok = xi == 0 || (r/xi == yi && !(xi == -1 && yi == math.MinInt64) && !(yi == -1 && xi == math.MinInt64))
		}
		if !ok {
			return nil, dataError(op, "%d and %d overflow an int", xi, yi)
		}
		return r, nil
	}
	xf, yf := toFloat(x), toFloat(y)
	switch op {
	case OpAdd:
		return xf + yf, nil
	case OpSubtract:
		return xf - yf, nil
	default:
		return xf * yf, nil
	}
}

// AddInt adds two int64s, reporting whether the sum fits.
func AddInt(x, y int64) (int64, bool) {
	r := x + y
	return r, (y >= 0) == (r >= x)
}

func toFloat(x any) float64 {
	switch v := x.(type) {
	case int64:
		return float64(v)
	case float64:
		return v
	}
	return math.NaN()
}

// equalValues is ehrQL's equality: NaN equals nothing, -0.0 equals 0.0.
func equalValues(x, y any) bool { return !isNaN(x) && !isNaN(y) && Compare(x, y) == 0 }

// Compare orders two non-NULL values of one type: false before true, and
// for floats NaN after every number (as DuckDB orders them; ehrQL leaves
// the place of NaN undefined), -0.0 equal to 0.0.
func Compare(x, y any) int {
	switch a := x.(type) {
	case bool:
		b := y.(bool)
		switch {
		case a == b:
			return 0
		case !a:
			return -1
		}
		return 1
	case int64:
		b := y.(int64)
		switch {
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	case float64:
		b := y.(float64)
		switch an, bn := math.IsNaN(a), math.IsNaN(b); {
		case an || bn:
			return b2i(an) - b2i(bn)
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	case string:
		return strings.Compare(a, y.(string))
	case CivilDate:
		b := y.(CivilDate)
		switch {
		case a.Before(b):
			return -1
		case b.Before(a):
			return 1
		}
		return 0
	}
	return 0
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
