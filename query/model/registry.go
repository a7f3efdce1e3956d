package model

// The operation registry: one entry per node kind, holding what the query
// model knows of it — its wire name and the fields of its children; for
// the functions and the aggregations of a series, its type signature
// (checked by signature.check); for the functions, its reference
// evaluation (applied by EvalFunction), whether a NULL operand decides it
// and the kind of error it raises on data. The SQL rendering of each
// function is the matching entry of engine/sqlgen's functions table, with
// its DuckDB macros.
//
// Adding a function: a constant in ops.go, an entry here, an entry in
// engine/sqlgen's functions table, a Go-language method in package query
// and its row in query's goOperations. Tests walk the registry and fail on
// any missing piece: TestRegistryComplete (here), TestEveryFunctionRendered
// (engine/sqlgen), TestEveryFunctionHasAGoMethod and TestOperationsDoc
// (query; -update rewrites docs/language.md's list).

// opSpec is the registry entry of one node kind.
type opSpec struct {
	json   string   // ehrQL's class name, as in the wire format
	fields []string // fields holding the children, in ehrQL's order
	// Functions only.
	sig *signature
	// eval applies the function to non-NULL operands, or to any operands
	// when handlesNull is set (otherwise a NULL operand gives NULL).
	eval        func(op Op, a []any) (any, error)
	handlesNull bool
	// raises is the kind of error the function raises on some values, if
	// any: the reference evaluation's and the SQL's.
	raises EvalErrorKind
}

var (
	lhsRHS = []string{"lhs", "rhs"}
	source = []string{"source"}
)

var specs = [opCount]opSpec{
	OpSelectTable:           {json: "SelectTable"},
	OpSelectPatientTable:    {json: "SelectPatientTable"},
	OpInlinePatientTable:    {json: "InlinePatientTable"},
	OpFilter:                {json: "Filter", fields: []string{"source", "condition"}},
	OpSort:                  {json: "Sort", fields: []string{"source", "sort_by"}},
	OpPickOneRowPerPatient:  {json: "PickOneRowPerPatient", fields: source},
	OpSeriesCollectionFrame: {json: "SeriesCollectionFrame"},
	OpValue:                 {json: "Value"},
	OpParameter:             {json: "Parameter"},
	OpSelectColumn:          {json: "SelectColumn", fields: source},
	OpExists:                {json: "AggregateByPatient.Exists", fields: source},
	OpCount:                 {json: "AggregateByPatient.Count", fields: source},
	OpCountEpisodes:         {json: "AggregateByPatient.CountEpisodes", fields: source},
	// The aggregations of a series (Aggregate checks that it has many rows
	// per patient).
	OpCountDistinct: {json: "AggregateByPatient.CountDistinct", fields: source, sig: sig(Int, is(anySeries))},
	OpMin:           {json: "AggregateByPatient.Min", fields: source, sig: sigT(tv(comparable))},
	OpMax:           {json: "AggregateByPatient.Max", fields: source, sig: sigT(tv(comparable))},
	OpSum:           {json: "AggregateByPatient.Sum", fields: source, sig: sigT(tv(numeric))},
	OpMean:          {json: "AggregateByPatient.Mean", fields: source, sig: sig(Float, is(numeric))},
	OpCombineAsSet:  {json: "AggregateByPatient.CombineAsSet", fields: source, sig: &signature{operands: []operand{tv(anySeries)}, resultT: true, resultSet: true}},

	OpEQ: {json: "Function.EQ", fields: lhsRHS, sig: sig(Bool, tv(anySeries), tv(anySeries)), eval: evalEqual},
	OpNE: {json: "Function.NE", fields: lhsRHS, sig: sig(Bool, tv(anySeries), tv(anySeries)), eval: evalEqual},
	OpLT: {json: "Function.LT", fields: lhsRHS, sig: sig(Bool, tv(comparable), tv(anySeries)), eval: evalCompare},
	OpLE: {json: "Function.LE", fields: lhsRHS, sig: sig(Bool, tv(comparable), tv(anySeries)), eval: evalCompare},
	OpGT: {json: "Function.GT", fields: lhsRHS, sig: sig(Bool, tv(comparable), tv(anySeries)), eval: evalCompare},
	OpGE: {json: "Function.GE", fields: lhsRHS, sig: sig(Bool, tv(comparable), tv(anySeries)), eval: evalCompare},

	OpAnd:    {json: "Function.And", fields: lhsRHS, sig: sig(Bool, is(boolSeries), is(boolSeries)), eval: evalAnd, handlesNull: true},
	OpOr:     {json: "Function.Or", fields: lhsRHS, sig: sig(Bool, is(boolSeries), is(boolSeries)), eval: evalOr, handlesNull: true},
	OpNot:    {json: "Function.Not", fields: source, sig: sig(Bool, is(boolSeries)), eval: evalNot},
	OpIsNull: {json: "Function.IsNull", fields: source, sig: sig(Bool, is(anySeries)), eval: evalIsNull, handlesNull: true},

	OpNegate:      {json: "Function.Negate", fields: source, sig: sigT(tv(numeric)), eval: evalNegate, raises: ErrOverflow},
	OpAbsolute:    {json: "Function.Absolute", fields: source, sig: sigT(tv(numeric)), eval: evalAbsolute, raises: ErrOverflow},
	OpAdd:         {json: "Function.Add", fields: lhsRHS, sig: sigT(tv(numeric), tv(anySeries)), eval: arith, raises: ErrOverflow},
	OpSubtract:    {json: "Function.Subtract", fields: lhsRHS, sig: sigT(tv(numeric), tv(anySeries)), eval: arith, raises: ErrOverflow},
	OpMultiply:    {json: "Function.Multiply", fields: lhsRHS, sig: sigT(tv(numeric), tv(anySeries)), eval: arith, raises: ErrOverflow},
	OpTrueDivide:  {json: "Function.TrueDivide", fields: lhsRHS, sig: sig(Float, tv(numeric), tv(anySeries)), eval: evalTrueDivide},
	OpFloorDivide: {json: "Function.FloorDivide", fields: lhsRHS, sig: sig(Int, tv(numeric), tv(anySeries)), eval: evalFloorDivide, raises: ErrOverflow},
	OpPower:       {json: "Function.Power", fields: lhsRHS, sig: sig(Float, tv(numeric), tv(anySeries)), eval: evalPower, raises: ErrOverflow},
	OpCastToInt:   {json: "Function.CastToInt", fields: source, sig: sig(Int, is(numericOrBool)), eval: evalCastToInt, raises: ErrOverflow},
	OpCastToFloat: {json: "Function.CastToFloat", fields: source, sig: sig(Float, is(numeric)), eval: evalCastToFloat},

	OpDateAddDays:            {json: "Function.DateAddDays", fields: lhsRHS, sig: sig(Date, is(dateSeries), is(intSeries)), eval: evalDateAddDays, raises: ErrDateRange},
	OpDateAddMonths:          {json: "Function.DateAddMonths", fields: lhsRHS, sig: sig(Date, is(dateSeries), is(intSeries)), eval: evalDateAddMonths, raises: ErrDateRange},
	OpDateAddYears:           {json: "Function.DateAddYears", fields: lhsRHS, sig: sig(Date, is(dateSeries), is(intSeries)), eval: evalDateAddMonths, raises: ErrDateRange},
	OpDateDifferenceInDays:   {json: "Function.DateDifferenceInDays", fields: lhsRHS, sig: sig(Int, is(dateSeries), is(dateSeries)), eval: dateFunc(func(a, b CivilDate) any { return int64(a.DaysSince(b)) })},
	OpDateDifferenceInMonths: {json: "Function.DateDifferenceInMonths", fields: lhsRHS, sig: sig(Int, is(dateSeries), is(dateSeries)), eval: dateFunc(func(a, b CivilDate) any { return int64(a.MonthsSince(b)) })},
	OpDateDifferenceInYears:  {json: "Function.DateDifferenceInYears", fields: lhsRHS, sig: sig(Int, is(dateSeries), is(dateSeries)), eval: dateFunc(func(a, b CivilDate) any { return int64(a.YearsSince(b)) })},
	OpYearFromDate:           {json: "Function.YearFromDate", fields: source, sig: sig(Int, is(dateSeries)), eval: dateFunc(func(d, _ CivilDate) any { return int64(d.Year) })},
	OpMonthFromDate:          {json: "Function.MonthFromDate", fields: source, sig: sig(Int, is(dateSeries)), eval: dateFunc(func(d, _ CivilDate) any { return int64(d.Month) })},
	OpDayFromDate:            {json: "Function.DayFromDate", fields: source, sig: sig(Int, is(dateSeries)), eval: dateFunc(func(d, _ CivilDate) any { return int64(d.Day) })},
	OpToFirstOfYear:          {json: "Function.ToFirstOfYear", fields: source, sig: sig(Date, is(dateSeries)), eval: dateFunc(func(d, _ CivilDate) any { return CivilDate{d.Year, 1, 1} })},
	OpToFirstOfMonth:         {json: "Function.ToFirstOfMonth", fields: source, sig: sig(Date, is(dateSeries)), eval: dateFunc(func(d, _ CivilDate) any { return CivilDate{d.Year, d.Month, 1} })},

	OpStringContains: {json: "Function.StringContains", fields: lhsRHS, sig: sig(Bool, is(strOrMultiCode), is(strSeries)), eval: evalStringContains},
	OpIn:             {json: "Function.In", fields: lhsRHS, sig: sig(Bool, tv(anySeries), setOfT), eval: evalIn, handlesNull: true},
	OpMinimumOf:      {json: "Function.MinimumOf", fields: []string{"sources"}, sig: variadicT(tv(comparable)), eval: evalExtreme, handlesNull: true},
	OpMaximumOf:      {json: "Function.MaximumOf", fields: []string{"sources"}, sig: variadicT(tv(comparable)), eval: evalExtreme, handlesNull: true},

	OpCase: {json: "Case"},
}

// constraint is what an operand accepts, named as ehrQL's annotations and
// type errors name it.
type constraint struct {
	name    string
	accepts func(Type) bool // nil: any series
}

// The operand constraints of the functions.
var (
	anySeries      = constraint{name: "Series[Any]"}
	boolSeries     = exactly(Bool)
	intSeries      = exactly(Int)
	strSeries      = exactly(Str)
	dateSeries     = exactly(Date)
	comparable     = constraint{"Series[Comparable]", Type.Comparable}
	numeric        = constraint{"Series[Numeric]", Type.Numeric}
	numericOrBool  = constraint{"Series[Numeric | bool]", func(t Type) bool { return t.Numeric() || t == Bool }}
	strOrMultiCode = constraint{"Series[str]", func(t Type) bool {
		// Multi-code strings are str subclasses in ehrQL; codes are not.
		return !t.Set && (t.Kind == KindStr || t.Kind == KindMultiCode)
	}}
)

// exactly accepts series of type t (or of the type of NULL).
func exactly(t Type) constraint { return constraint{t.String(), t.Matches} }

// operand is one operand of a signature: its constraint, and whether it is
// bound to the signature's type variable T (every T operand must match the
// type of the first) or is a set of T's values (In's right-hand side).
type operand struct {
	is      constraint
	typeVar bool
	setOfT  bool
}

func is(c constraint) operand { return operand{is: c} }
func tv(c constraint) operand { return operand{is: c, typeVar: true} }

var setOfT = operand{setOfT: true}

// signature is the type signature of a function or of the aggregation of
// a series, as ehrQL's node annotations: its operands (one, repeated, if
// variadic) and its result, a fixed type, T or a set of T.
type signature struct {
	operands  []operand
	variadic  bool
	result    Type
	resultT   bool
	resultSet bool // with resultT: Set[T]
}

func sig(result Type, ops ...operand) *signature {
	return &signature{operands: ops, result: result}
}

func sigT(ops ...operand) *signature { return &signature{operands: ops, resultT: true} }

func variadicT(o operand) *signature {
	return &signature{operands: []operand{o}, variadic: true, resultT: true}
}

func (s *signature) operand(i int) operand {
	if s.variadic {
		return s.operands[0]
	}
	return s.operands[i]
}

// check returns the result type of the function applied to args, or a
// *TypeError naming the first operand (by field) that does not fit: first
// each operand's own constraint, in order, then the binding of T.
func (s *signature) check(op Op, args []*Node, field func(int) string) (Type, error) {
	for i, a := range args {
		c := s.operand(i).is
		if c.accepts != nil && !c.accepts(a.typ) {
			return Type{}, &TypeError{op, field(i), c.name, a.typ.String()}
		}
	}
	var t Type
	bound := false
	for i, a := range args {
		o := s.operand(i)
		switch {
		case o.setOfT:
			if !a.typ.Set {
				return Type{}, &TypeError{op, field(i), "Series[Set[" + t.Name() + "]]", a.typ.String()}
			}
			if !t.Matches(a.typ.Elem()) {
				return Type{}, &TypeError{op, field(i), SetOf(t).String(), a.typ.String()}
			}
		case o.typeVar && !bound:
			t, bound = a.typ, true
		case o.typeVar:
			if !t.Matches(a.typ) {
				return Type{}, &TypeError{op, field(i), t.String(), a.typ.String()}
			}
			if t.Kind == KindAny {
				t = a.typ
			}
		}
	}
	switch {
	case s.resultSet:
		return SetOf(t), nil
	case s.resultT:
		return t, nil
	}
	return s.result, nil
}

// String writes the signature as ehrQL's annotations, naming the operands
// by their fields: "lhs: Series[Comparable] as T, rhs: Series[T] -> Series[bool]".
func (s *signature) String(fields []string) string {
	var b []byte
	for i, o := range s.operands {
		if i > 0 {
			b = append(b, ", "...)
		}
		name := fields[i]
		if s.variadic {
			name = "*" + name
		}
		b = append(b, name+": "+o.describe()...)
	}
	result := s.result.String()
	switch {
	case s.resultSet:
		result = "Set[T]"
	case s.resultT:
		result = "Series[T]"
	}
	return string(b) + " -> " + result
}

func (o operand) describe() string {
	switch {
	case o.setOfT:
		return "Set[T]"
	case o.typeVar && o.is.accepts == nil:
		return "Series[T]"
	case o.typeVar:
		return o.is.name + " as T"
	}
	return o.is.name
}

// Raises returns the kind of error the function raises on some values
// (date arithmetic leaving ehrQL's dates, arithmetic overflowing its type),
// or "" if it raises none.
func (op Op) Raises() EvalErrorKind {
	if op >= opCount {
		return ""
	}
	return specs[op].raises
}

// Signature describes the type signature of a function or of an
// aggregation of a series, e.g. for DateAddMonths "lhs: Series[date], rhs:
// Series[int] -> Series[date]"; "" for other node kinds.
func (op Op) Signature() string {
	if op >= opCount || specs[op].sig == nil {
		return ""
	}
	return specs[op].sig.String(specs[op].fields)
}
