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

// opInfo describes how a node kind is named in JSON and which fields hold
// its children, in ehrQL's dataclass field order.
type opInfo struct {
	json   string
	fields []string
}

var opInfos = [opCount]opInfo{
	OpSelectTable:            {"SelectTable", nil},
	OpSelectPatientTable:     {"SelectPatientTable", nil},
	OpInlinePatientTable:     {"InlinePatientTable", nil},
	OpFilter:                 {"Filter", []string{"source", "condition"}},
	OpSort:                   {"Sort", []string{"source", "sort_by"}},
	OpPickOneRowPerPatient:   {"PickOneRowPerPatient", []string{"source"}},
	OpSeriesCollectionFrame:  {"SeriesCollectionFrame", nil},
	OpValue:                  {"Value", nil},
	OpParameter:              {"Parameter", nil},
	OpSelectColumn:           {"SelectColumn", []string{"source"}},
	OpExists:                 {"AggregateByPatient.Exists", []string{"source"}},
	OpCount:                  {"AggregateByPatient.Count", []string{"source"}},
	OpCountDistinct:          {"AggregateByPatient.CountDistinct", []string{"source"}},
	OpCountEpisodes:          {"AggregateByPatient.CountEpisodes", []string{"source"}},
	OpMin:                    {"AggregateByPatient.Min", []string{"source"}},
	OpMax:                    {"AggregateByPatient.Max", []string{"source"}},
	OpSum:                    {"AggregateByPatient.Sum", []string{"source"}},
	OpMean:                   {"AggregateByPatient.Mean", []string{"source"}},
	OpCombineAsSet:           {"AggregateByPatient.CombineAsSet", []string{"source"}},
	OpEQ:                     {"Function.EQ", []string{"lhs", "rhs"}},
	OpNE:                     {"Function.NE", []string{"lhs", "rhs"}},
	OpLT:                     {"Function.LT", []string{"lhs", "rhs"}},
	OpLE:                     {"Function.LE", []string{"lhs", "rhs"}},
	OpGT:                     {"Function.GT", []string{"lhs", "rhs"}},
	OpGE:                     {"Function.GE", []string{"lhs", "rhs"}},
	OpAnd:                    {"Function.And", []string{"lhs", "rhs"}},
	OpOr:                     {"Function.Or", []string{"lhs", "rhs"}},
	OpNot:                    {"Function.Not", []string{"source"}},
	OpIsNull:                 {"Function.IsNull", []string{"source"}},
	OpNegate:                 {"Function.Negate", []string{"source"}},
	OpAbsolute:               {"Function.Absolute", []string{"source"}},
	OpAdd:                    {"Function.Add", []string{"lhs", "rhs"}},
	OpSubtract:               {"Function.Subtract", []string{"lhs", "rhs"}},
	OpMultiply:               {"Function.Multiply", []string{"lhs", "rhs"}},
	OpTrueDivide:             {"Function.TrueDivide", []string{"lhs", "rhs"}},
	OpFloorDivide:            {"Function.FloorDivide", []string{"lhs", "rhs"}},
	OpPower:                  {"Function.Power", []string{"lhs", "rhs"}},
	OpCastToInt:              {"Function.CastToInt", []string{"source"}},
	OpCastToFloat:            {"Function.CastToFloat", []string{"source"}},
	OpDateAddDays:            {"Function.DateAddDays", []string{"lhs", "rhs"}},
	OpDateAddMonths:          {"Function.DateAddMonths", []string{"lhs", "rhs"}},
	OpDateAddYears:           {"Function.DateAddYears", []string{"lhs", "rhs"}},
	OpDateDifferenceInDays:   {"Function.DateDifferenceInDays", []string{"lhs", "rhs"}},
	OpDateDifferenceInMonths: {"Function.DateDifferenceInMonths", []string{"lhs", "rhs"}},
	OpDateDifferenceInYears:  {"Function.DateDifferenceInYears", []string{"lhs", "rhs"}},
	OpYearFromDate:           {"Function.YearFromDate", []string{"source"}},
	OpMonthFromDate:          {"Function.MonthFromDate", []string{"source"}},
	OpDayFromDate:            {"Function.DayFromDate", []string{"source"}},
	OpToFirstOfYear:          {"Function.ToFirstOfYear", []string{"source"}},
	OpToFirstOfMonth:         {"Function.ToFirstOfMonth", []string{"source"}},
	OpStringContains:         {"Function.StringContains", []string{"lhs", "rhs"}},
	OpIn:                     {"Function.In", []string{"lhs", "rhs"}},
	OpMinimumOf:              {"Function.MinimumOf", nil},
	OpMaximumOf:              {"Function.MaximumOf", nil},
	OpCase:                   {"Case", nil},
}

var opsByJSON = func() map[string]Op {
	m := make(map[string]Op, opCount)
	for op := Op(1); op < opCount; op++ {
		m[opInfos[op].json] = op
	}
	return m
}()

// String returns the node kind's ehrQL class name, e.g. "Function.EQ".
func (op Op) String() string {
	if op == OpInvalid || op >= opCount {
		return "Invalid"
	}
	return opInfos[op].json
}

// IsFrame reports whether nodes of this kind are frames.
func (op Op) IsFrame() bool { return op >= OpSelectTable && op <= OpSeriesCollectionFrame }

// IsAggregation reports whether op aggregates many rows into one per patient.
func (op Op) IsAggregation() bool { return op >= OpExists && op <= OpCombineAsSet }
