package sqlgen

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/ehrql-go/ehrql/query/model"
)

// DataErrorMarker begins the message of every error the compiled SQL
// raises itself on values in the data (a date out of range, an overflow).
const DataErrorMarker = "ehrql data error"

// sqlFunction is how one query-model function is rendered in SQL.
// Exactly one of call, render and expr is set:
//   - call: the function is the macro call(operands...), with the message
//     of the errors it raises on data last if the macro takes msg;
//   - render: a template over the compiled operands;
//   - expr: a function that compiles the operands itself.
//
// uses lists the further macros render calls.
type sqlFunction struct {
	call   *macro
	render func(c *compiler, n *model.Node, a []string) string
	expr   func(c *compiler, n *model.Node, s *scope) (string, error)
	uses   []*macro
}

// functions holds the SQL of every query-model function, with the DuckDB
// macros each needs written beside it. TestEveryFunctionRendered checks
// that each of model.FunctionOps has an entry. (It is filled in init as
// In's entry refers to the compiler, which refers to the table.)
var functions map[model.Op]sqlFunction

func init() {
	functions = map[model.Op]sqlFunction{
		model.OpEQ: comparison("="),
		model.OpNE: comparison("<>"),
		model.OpLT: comparison("<"),
		model.OpLE: comparison("<="),
		model.OpGT: comparison(">"),
		model.OpGE: comparison(">="),

		model.OpAnd:    {render: binary("AND")},
		model.OpOr:     {render: binary("OR")},
		model.OpNot:    {render: template("(NOT %s)")},
		model.OpIsNull: {render: template("(%s IS NULL)")},

		model.OpNegate:   {render: template("(-%s)")},
		model.OpAbsolute: {render: template("abs(%s)")},
		model.OpAdd:      {render: inOrder("+", "add")},
		model.OpSubtract: {render: binary("-")},
		model.OpMultiply: {render: inOrder("*", "multiply")},
		model.OpTrueDivide: {call: &macro{"ehrql_truediv", "a, b", nil,
			`CASE WHEN b = 0 THEN NULL ELSE CAST(a AS DOUBLE) / CAST(b AS DOUBLE) END`}},
		// Floor division rounds toward minus infinity; a zero divisor gives
		// NULL.
		model.OpFloorDivide: {
			render: func(c *compiler, n *model.Node, a []string) string {
				if n.Arg(0).Type().Kind == model.KindInt {
					return c.callMacro(floorDivInt, n, a)
				}
				return c.callMacro(floorDivFloat, n, a)
			},
			uses: []*macro{floorDivInt, floorDivFloat},
		},
		// Power is NULL where the result would be complex (a negative number
		// to a finite fractional power) or 0 to a negative power; it fails, as
		// ehrQL's does, where finite operands give an infinite result.
		model.OpPower: {call: &macro{"ehrql_power", "a, b, msg", nil, `CASE WHEN CAST(a AS DOUBLE) = 0 AND CAST(b AS DOUBLE) < 0 THEN NULL
    WHEN CAST(a AS DOUBLE) < 0 AND isfinite(CAST(b AS DOUBLE)) AND CAST(b AS DOUBLE) <> trunc(CAST(b AS DOUBLE)) THEN NULL
    WHEN isinf(pow(CAST(a AS DOUBLE), CAST(b AS DOUBLE))) AND isfinite(CAST(a AS DOUBLE)) AND isfinite(CAST(b AS DOUBLE))
      THEN CAST(error(msg || ': ' || a || ' ** ' || b || ' is too large') AS DOUBLE)
    ELSE pow(CAST(a AS DOUBLE), CAST(b AS DOUBLE)) END`}},
		model.OpCastToInt: {
			render: func(c *compiler, n *model.Node, a []string) string {
				if n.Arg(0).Type().Kind == model.KindFloat {
					return c.callMacro(floatToInt, n, []string{"trunc(" + a[0] + ")"})
				}
				return "CAST(" + a[0] + " AS BIGINT)"
			},
			uses: []*macro{floatToInt},
		},
		model.OpCastToFloat: {render: template("CAST(%s AS DOUBLE)")},

		// Date arithmetic fails, with message msg and a reason, where ehrQL's
		// does: beyond 999,999,999 days, or outside the years 1 to 9999. A
		// NULL operand gives NULL without evaluating. The offsets are clamped
		// before they are cast or multiplied, although the CASE has already
		// refused the large ones: DuckDB hoists repeated subexpressions out of
		// a CASE and evaluates them on every row.
		model.OpDateAddDays: {call: &macro{"ehrql_add_days", "d, n, msg", []*macro{dateInRange}, `CASE WHEN d IS NULL OR n IS NULL THEN NULL
    WHEN n > 999999999 OR n < -999999999 THEN CAST(error(msg || ': number of days ' || n || ' is out of range') AS DATE)
    ELSE ehrql_date_in_range(CAST(d + CAST(least(greatest(n, -999999999), 999999999) AS INTEGER) AS DATE), msg) END`}},
		model.OpDateAddMonths: {call: &macro{"ehrql_add_months", "d, n, msg", []*macro{dateInRange, addMonthsUnchecked}, `CASE WHEN d IS NULL OR n IS NULL THEN NULL
    WHEN n > 119988 OR n < -119988 THEN CAST(error(msg || ': month offset ' || n || ' is out of range') AS DATE)
    ELSE ehrql_date_in_range(ehrql_add_months_unchecked(d, least(greatest(n, -119988), 119988)), msg) END`}},
		model.OpDateAddYears: {call: &macro{"ehrql_add_years", "d, n, msg", []*macro{dateInRange, addMonthsUnchecked}, `CASE WHEN d IS NULL OR n IS NULL THEN NULL
    WHEN n > 9999 OR n < -9999 THEN CAST(error(msg || ': year offset ' || n || ' is out of range') AS DATE)
    ELSE ehrql_date_in_range(ehrql_add_months_unchecked(d, 12 * least(greatest(n, -9999), 9999)), msg) END`}},
		model.OpDateDifferenceInDays: {render: template("CAST(%s - %s AS BIGINT)")},
		model.OpDateDifferenceInMonths: {call: &macro{"ehrql_diff_months", "a, b", nil,
			`CAST(12 * (year(a) - year(b)) + month(a) - month(b) - CASE WHEN day(a) < day(b) THEN 1 ELSE 0 END AS BIGINT)`}},
		model.OpDateDifferenceInYears: {call: &macro{"ehrql_diff_years", "a, b", nil,
			`CAST(year(a) - year(b) - CASE WHEN month(a) < month(b) OR (month(a) = month(b) AND day(a) < day(b)) THEN 1 ELSE 0 END AS BIGINT)`}},
		model.OpYearFromDate:   {render: template("CAST(year(%s) AS BIGINT)")},
		model.OpMonthFromDate:  {render: template("CAST(month(%s) AS BIGINT)")},
		model.OpDayFromDate:    {render: template("CAST(day(%s) AS BIGINT)")},
		model.OpToFirstOfYear:  {render: template("CAST(date_trunc('year', %s) AS DATE)")},
		model.OpToFirstOfMonth: {render: template("CAST(date_trunc('month', %s) AS DATE)")},

		model.OpStringContains: {render: template("contains(%s, %s)")},
		model.OpIn:             {expr: (*compiler).inExpr},
		model.OpMinimumOf:      {render: variadic("least")},
		model.OpMaximumOf:      {render: variadic("greatest")},
	}
	Macros = macroStatements()
}

// The macros shared by several functions or called by a function's
// render.
var (
	// dateInRange is x, or an error if x is outside the years 1 to 9999.
	dateInRange = &macro{"ehrql_date_in_range", "x, msg", nil, `CASE WHEN year(x) BETWEEN 1 AND 9999 THEN x
    ELSE CAST(error(msg || ': year ' || year(x) || ' is out of range') AS DATE) END`}
	// Month addition rolls a missing day forward to the 1st of the next
	// month instead of clamping as DuckDB's interval arithmetic does.
	addMonthsUnchecked = &macro{"ehrql_add_months_unchecked", "d, n", nil, `CASE WHEN day(CAST(d + to_months(CAST(n AS INTEGER)) AS DATE)) < day(d)
    THEN CAST(last_day(CAST(d + to_months(CAST(n AS INTEGER)) AS DATE)) + 1 AS DATE)
    ELSE CAST(d + to_months(CAST(n AS INTEGER)) AS DATE) END`}
	// Integer floor division toward minus infinity; NULL for a zero divisor.
	floorDivInt = &macro{"ehrql_floordiv_int", "a, b", nil, `CASE WHEN b = 0 THEN NULL
    ELSE CAST(a // b - CASE WHEN a % b <> 0 AND ((a < 0) <> (b < 0)) THEN 1 ELSE 0 END AS BIGINT) END`}
	// An integral float as an int; NaN and values beyond int64 fail.
	floatToInt = &macro{"ehrql_float_to_int", "x, msg", nil, `CASE WHEN isnan(x) OR x >= 9223372036854775808.0 OR x < -9223372036854775808.0
    THEN CAST(error(msg || ': ' || x || ' does not fit an int') AS BIGINT)
    ELSE CAST(x AS BIGINT) END`}
	floorDivFloat = &macro{"ehrql_floordiv_float", "a, b, msg", []*macro{floatToInt},
		`CASE WHEN b = 0 THEN NULL ELSE ehrql_float_to_int(floor(CAST(a AS DOUBLE) / CAST(b AS DOUBLE)), msg) END`}
	// A comparison of floats: NULL with a NULL operand, else onNaN if
	// either is NaN, else the comparison cmp.
	nanCompare = &macro{"ehrql_nan_compare", "a, b, onNaN, cmp", nil,
		`CASE WHEN a IS NULL OR b IS NULL THEN NULL WHEN isnan(a) OR isnan(b) THEN onNaN ELSE cmp END`}
)

// macro is a DuckDB macro the compiled SQL calls: its name, parameters,
// the macros its body calls, and its body.
type macro struct {
	name   string
	params string
	calls  []*macro
	body   string
}

// statement creates the macro as a temporary macro of the session.
func (m *macro) statement() string {
	return fmt.Sprintf("CREATE OR REPLACE TEMP MACRO %s(%s) AS (\n  %s)", m.name, m.params, m.body)
}

// takesMessage reports whether the macro's last parameter is the message
// of the errors it raises on data.
func (m *macro) takesMessage() bool { return strings.HasSuffix(m.params, ", msg") }

// callMacro renders a call of m on the operands a, adding n's error
// message where m takes one.
func (c *compiler) callMacro(m *macro, n *model.Node, a []string) string {
	args := strings.Join(a, ", ")
	if m.takesMessage() {
		args += ", " + c.errorMessage(n)
	}
	return m.name + "(" + args + ")"
}

// macros returns the macros the function's SQL calls.
func (f sqlFunction) macros() []*macro {
	if f.call != nil {
		return append([]*macro{f.call}, f.uses...)
	}
	return f.uses
}

// Macros are the statements creating the SQL helpers the compiled queries
// use, as temporary macros in each session: those of every function, in
// the order of model.FunctionOps, each after the macros it calls.
var Macros []string

func macroStatements() []string {
	var out []string
	done := map[*macro]bool{}
	var add func(m *macro)
	add = func(m *macro) {
		if done[m] {
			return
		}
		done[m] = true
		for _, d := range m.calls {
			add(d)
		}
		out = append(out, m.statement())
	}
	for _, op := range model.FunctionOps() {
		for _, m := range functions[op].macros() {
			add(m)
		}
	}
	return out
}

// function renders the function n applied to its compiled operands a.
func (c *compiler) function(n *model.Node, a []string) (string, error) {
	f, ok := functions[n.Op()]
	if !ok || (f.call == nil && f.render == nil) {
		return "", &UnsupportedError{n.Op().String()}
	}
	render := func(a []string) string {
		if f.call != nil {
			return c.callMacro(f.call, n, a)
		}
		return f.render(c, n, a)
	}
	return c.bindOperands(a, render), nil
}

// macroCall matches a call of one of the macros.
var macroCall = regexp.MustCompile(`\behrql_[a-z_]+\(`)

// bindOperands renders a function over the operands a, evaluating once
// each operand that nests macro calls (calls two or more) where the
// function's own SQL calls a macro. DuckDB expands macros textually, and
// the macros use their parameters several times (ehrql_add_months its date
// a dozen times, through the macros it calls): nested date arithmetic
// would otherwise grow exponentially with its depth. Such an operand x is
// bound to a variable v by a lambda, list_transform([x], lambda v: ...)[1],
// and the function rendered over v. Other operands (columns, literals,
// expressions calling at most one macro), and the operands of functions
// calling no macro, are left in place, so ordinary SQL is unchanged.
func (c *compiler) bindOperands(a []string, render func([]string) string) string {
	var vars, values []string
	bound := append([]string(nil), a...)
	for i, x := range a {
		if len(macroCall.FindAllStringIndex(x, 2)) == 2 {
			v := fmt.Sprintf("ehrql_v%d", c.boundVars+len(vars)+1)
			vars, values = append(vars, v), append(values, x)
			bound[i] = v
		}
	}
	if len(vars) == 0 {
		return render(a)
	}
	sql := render(bound)
	if !macroCall.MatchString(sql) {
		return render(a) // the function's own SQL calls no macro
	}
	c.boundVars += len(vars)
	for i := len(vars) - 1; i >= 0; i-- {
		sql = fmt.Sprintf("list_transform([%s], lambda %s: %s)[1]", values[i], vars[i], sql)
	}
	return sql
}

// template renders the operands into a format with one %s each.
func template(format string) func(*compiler, *model.Node, []string) string {
	return func(_ *compiler, _ *model.Node, a []string) string {
		args := make([]any, len(a))
		for i, x := range a {
			args[i] = x
		}
		return fmt.Sprintf(format, args...)
	}
}

// binary renders an infix operator.
func binary(op string) func(*compiler, *model.Node, []string) string {
	return template("(%s " + op + " %s)")
}

// inOrder renders + or * as the infix operator op, or, on ints, as the
// DuckDB function name, the same function under its other name. DuckDB's
// optimizer regroups a chain of integer + (or *) written with the operator
// to gather its constants ("constant order normalization": ((x * y) * 2) * 3
// becomes (6 * x) * y), which can overflow where ehrQL's order of
// evaluation does not (x * y is 0); it leaves the named function alone, so
// ints are added and multiplied in the order the query model nests them.
// (Subtraction is never regrouped.)
func inOrder(op, name string) func(*compiler, *model.Node, []string) string {
	infix, call := binary(op), variadic(name)
	return func(c *compiler, n *model.Node, a []string) string {
		if n.Type().Kind == model.KindInt {
			return call(c, n, a)
		}
		return infix(c, n, a)
	}
}

// variadic renders a SQL function of any number of operands.
func variadic(name string) func(*compiler, *model.Node, []string) string {
	return func(_ *compiler, _ *model.Node, a []string) string {
		return name + "(" + strings.Join(a, ", ") + ")"
	}
}

// comparison renders a comparison operator. DuckDB orders NaN above every
// number and equal to itself; ehrQL's comparisons with NaN are false (!=
// true), as Python's are, so floats are compared through nanCompare.
func comparison(op string) sqlFunction {
	return sqlFunction{
		render: func(c *compiler, n *model.Node, a []string) string {
			cmp := "(" + a[0] + " " + op + " " + a[1] + ")"
			if n.Arg(0).Type().Kind != model.KindFloat {
				return cmp
			}
			onNaN := "FALSE"
			if n.Op() == model.OpNE {
				onNaN = "TRUE"
			}
			return c.callMacro(nanCompare, n, []string{a[0], a[1], onNaN, cmp})
		},
		uses: []*macro{nanCompare},
	}
}
