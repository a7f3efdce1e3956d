package model

// Op identifies the kind of a query-model node.
type Op uint8

// The query-model node kinds, one for one with ehrQL's node classes.
const (
	OpInvalid Op = iota
	// Frames.
	OpSelectTable
	OpSelectPatientTable
	OpInlinePatientTable
	OpFilter
	OpSort
	OpPickOneRowPerPatient
	OpSeriesCollectionFrame
	// Leaves.
	OpValue
	OpParameter
	OpSelectColumn
	// Aggregations.
	OpExists
	OpCount
	OpCountDistinct
	OpCountEpisodes
	OpMin
	OpMax
	OpSum
	OpMean
	OpCombineAsSet
	// Functions.
	OpEQ
	OpNE
	OpLT
	OpLE
	OpGT
	OpGE
	OpAnd
	OpOr
	OpNot
	OpIsNull
	OpNegate
	OpAbsolute
	OpAdd
	OpSubtract
	OpMultiply
	OpTrueDivide
	OpFloorDivide
	OpPower
	OpCastToInt
	OpCastToFloat
	OpDateAddDays
	OpDateAddMonths
	OpDateAddYears
	OpDateDifferenceInDays
	OpDateDifferenceInMonths
	OpDateDifferenceInYears
	OpYearFromDate
	OpMonthFromDate
	OpDayFromDate
	OpToFirstOfYear
	OpToFirstOfMonth
	OpStringContains
	OpIn
	OpMinimumOf
	OpMaximumOf
	// Conditional.
	OpCase
	opCount
)

var opsByJSON = func() map[string]Op {
	m := make(map[string]Op, opCount)
	for op := Op(1); op < opCount; op++ {
		m[specs[op].json] = op
	}
	return m
}()

// String returns the node kind's ehrQL class name, e.g. "Function.EQ".
func (op Op) String() string {
	if op == OpInvalid || op >= opCount {
		return "Invalid"
	}
	return specs[op].json
}

// IsFrame reports whether nodes of this kind are frames.
func (op Op) IsFrame() bool { return op >= OpSelectTable && op <= OpSeriesCollectionFrame }

// IsAggregation reports whether op aggregates many rows into one per patient.
func (op Op) IsAggregation() bool { return op >= OpExists && op <= OpCombineAsSet }

// IsFunction reports whether op is one of the Function.* node kinds, built
// by Function and evaluated by EvalFunction.
func (op Op) IsFunction() bool { return op >= OpEQ && op <= OpMaximumOf }

// Fields returns the names of the fields holding a node kind's children, in
// ehrQL's dataclass order ("sources" for a variadic function).
func (op Op) Fields() []string {
	if op >= opCount {
		return nil
	}
	return append([]string(nil), specs[op].fields...)
}

// Variadic reports whether a function takes any number (at least one) of
// operands, held in one field.
func (op Op) Variadic() bool { return op < opCount && specs[op].sig != nil && specs[op].sig.variadic }

// StrictNull reports whether a NULL operand makes the function's result
// NULL whatever the other operands (false for And, Or, IsNull, In,
// MinimumOf, MaximumOf and every node kind that is not a function).
func (op Op) StrictNull() bool { return op.IsFunction() && !specs[op].handlesNull }

// Ops lists every node kind.
func Ops() []Op {
	out := make([]Op, 0, opCount-1)
	for op := Op(1); op < opCount; op++ {
		out = append(out, op)
	}
	return out
}

// FunctionOps lists the Function.* node kinds in registry order.
func FunctionOps() []Op {
	var out []Op
	for op := Op(1); op < opCount; op++ {
		if op.IsFunction() {
			out = append(out, op)
		}
	}
	return out
}
