package model

import (
	"math"
	"strings"
	"time"
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
		v = EvalFunction(n.op, args)
	}
	memo[n.id] = v
	return v
}

// EvalFunction applies a Function.* node kind to argument values with
// ehrQL's semantics (NULL = nil; sets are []Literal). It is the reference
// the SQL compiler is tested against.
func EvalFunction(op Op, a []any) any {
	switch op {
	case OpAnd:
		x, y := a[0], a[1]
		if x == false || y == false {
			return false
		}
		if x == nil || y == nil {
			return nil
		}
		return true
	case OpOr:
		x, y := a[0], a[1]
		if x == true || y == true {
			return true
		}
		if x == nil || y == nil {
			return nil
		}
		return false
	case OpIsNull:
		return a[0] == nil
	case OpIn:
		set, _ := a[1].([]Literal)
		if len(set) == 0 {
			return false
		}
		if a[0] == nil {
			return nil
		}
		for _, m := range set {
			if equalValues(m.Go(), a[0]) {
				return true
			}
		}
		return false
	case OpMinimumOf, OpMaximumOf:
		var best any
		for _, x := range a {
			if x == nil {
				continue
			}
			if best == nil || (op == OpMinimumOf && compare(x, best) < 0) || (op == OpMaximumOf && compare(x, best) > 0) {
				best = x
			}
		}
		return best
	}
	for _, x := range a {
		if x == nil {
			return nil
		}
	}
	switch op {
	case OpEQ:
		return equalValues(a[0], a[1])
	case OpNE:
		return !equalValues(a[0], a[1])
	case OpLT:
		return compare(a[0], a[1]) < 0
	case OpLE:
		return compare(a[0], a[1]) <= 0
	case OpGT:
		return compare(a[0], a[1]) > 0
	case OpGE:
		return compare(a[0], a[1]) >= 0
	case OpNot:
		return !a[0].(bool)
	case OpNegate:
		switch x := a[0].(type) {
		case int64:
			return -x
		case float64:
			return -x
		}
	case OpAbsolute:
		switch x := a[0].(type) {
		case int64:
			if x < 0 {
				return -x
			}
			return x
		case float64:
			return math.Abs(x)
		}
	case OpAdd, OpSubtract, OpMultiply:
		return arith(op, a[0], a[1])
	case OpTrueDivide:
		x, y := toFloat(a[0]), toFloat(a[1])
		if y == 0 {
			return nil
		}
		return x / y
	case OpFloorDivide:
		if xi, ok := a[0].(int64); ok {
			yi := a[1].(int64)
			if yi == 0 {
				return nil
			}
			return int64(floorDiv(int(xi), int(yi)))
		}
		x, y := toFloat(a[0]), toFloat(a[1])
		if y == 0 {
			return nil
		}
		return int64(math.Floor(x / y))
	case OpPower:
		x, y := toFloat(a[0]), toFloat(a[1])
		if (x == 0 && y < 0) || (x < 0 && y != math.Trunc(y)) {
			return nil
		}
		return math.Pow(x, y)
	case OpCastToInt:
		switch x := a[0].(type) {
		case bool:
			if x {
				return int64(1)
			}
			return int64(0)
		case int64:
			return x
		case float64:
			return int64(math.Trunc(x))
		}
	case OpCastToFloat:
		return toFloat(a[0])
	case OpDateAddDays:
		return a[0].(CivilDate).AddDays(int(a[1].(int64)))
	case OpDateAddMonths:
		return a[0].(CivilDate).AddMonths(int(a[1].(int64)))
	case OpDateAddYears:
		return a[0].(CivilDate).AddYears(int(a[1].(int64)))
	case OpDateDifferenceInDays:
		return int64(a[0].(CivilDate).DaysSince(a[1].(CivilDate)))
	case OpDateDifferenceInMonths:
		return int64(a[0].(CivilDate).MonthsSince(a[1].(CivilDate)))
	case OpDateDifferenceInYears:
		return int64(a[0].(CivilDate).YearsSince(a[1].(CivilDate)))
	case OpYearFromDate:
		return int64(a[0].(CivilDate).Year)
	case OpMonthFromDate:
		return int64(a[0].(CivilDate).Month)
	case OpDayFromDate:
		return int64(a[0].(CivilDate).Day)
	case OpToFirstOfYear:
		d := a[0].(CivilDate)
		return CivilDate{d.Year, time.January, 1}
	case OpToFirstOfMonth:
		d := a[0].(CivilDate)
		return CivilDate{d.Year, d.Month, 1}
	case OpStringContains:
		return strings.Contains(a[0].(string), a[1].(string))
	}
	return nil
}

func arith(op Op, x, y any) any {
	if xi, ok := x.(int64); ok {
		yi := y.(int64)
		switch op {
		case OpAdd:
			return xi + yi
		case OpSubtract:
			return xi - yi
		default:
			return xi * yi
		}
	}
	xf, yf := toFloat(x), toFloat(y)
	switch op {
	case OpAdd:
		return xf + yf
	case OpSubtract:
		return xf - yf
	default:
		return xf * yf
	}
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

func equalValues(x, y any) bool { return compare(x, y) == 0 }

// compare orders two non-NULL values of one type.
func compare(x, y any) int {
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
		switch {
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
