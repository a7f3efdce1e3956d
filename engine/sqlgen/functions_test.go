package sqlgen

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/query/model"
)

// sampleOperands are literal operands of every type a function may take.
var sampleOperands = func() []*model.Node {
	set, err := model.SetLit(model.Int, []model.Literal{model.IntLit(1), model.IntLit(2)})
	if err != nil {
		panic(err)
	}
	var out []*model.Node
	for _, l := range []model.Literal{
		model.BoolLit(true), model.IntLit(7), model.FloatLit(2.5), model.StrLit("ab"),
		model.DateLit(model.MustParseDate("2020-02-29")), set,
	} {
		out = append(out, model.MustValue(l))
	}
	return out
}()

// applications returns op applied to every choice of sample operands it
// accepts (two for a variadic function).
func applications(t *testing.T, op model.Op) []*model.Node {
	t.Helper()
	arity := len(op.Fields())
	if op.Variadic() {
		arity = 2
	}
	var out []*model.Node
	var try func(args []*model.Node)
	try = func(args []*model.Node) {
		if len(args) == arity {
			if n, err := model.Function(op, args...); err == nil {
				out = append(out, n)
			}
			return
		}
		for _, a := range sampleOperands {
			try(append(slices.Clip(args), a))
		}
	}
	try(nil)
	return out
}

// TestEveryFunctionRendered walks the query model's functions: each has one
// entry of the table, every application to operands of the types it
// accepts renders, the macros it calls are created (each after the macros
// it calls) and no macro is created that no function calls.
func TestEveryFunctionRendered(t *testing.T) {
	created := map[string]int{} // macro name -> position in Macros
	for i, stmt := range Macros {
		name := strings.TrimPrefix(stmt, "CREATE OR REPLACE TEMP MACRO ")
		name = name[:strings.Index(name, "(")]
		if _, dup := created[name]; dup {
			t.Errorf("macro %s is created twice", name)
		}
		created[name] = i
		body := stmt[strings.Index(stmt, " AS ("):]
		for _, call := range macroCall.FindAllString(body, -1) {
			callee := strings.TrimSuffix(call, "(")
			if j, ok := created[callee]; !ok || j >= i {
				t.Errorf("macro %s calls %s, which is not created before it", name, callee)
			}
		}
	}
	called := map[string]bool{}
	for _, op := range model.FunctionOps() {
		f, ok := functions[op]
		if !ok {
			t.Errorf("%s has no SQL rendering", op)
			continue
		}
		forms := 0
		for _, set := range []bool{f.call != nil, f.render != nil, f.expr != nil} {
			if set {
				forms++
			}
		}
		if forms != 1 {
			t.Errorf("%s: %d of call, render and expr are set, want 1", op, forms)
		}
		apps := applications(t, op)
		if len(apps) == 0 {
			t.Errorf("%s: no sample operands type-check", op)
		}
		for _, n := range apps {
			c, err := newCompiler([]*model.Node{n}, nil)
			if err != nil {
				t.Fatal(err)
			}
			sql, err := c.expr(n, newScope("t", renderContext{}))
			if err != nil || sql == "" {
				t.Errorf("%s: rendering %s: %q, %v", op, n, sql, err)
				continue
			}
			// The SQL raises errors on data only where the reference does.
			if strings.Contains(sql, DataErrorMarker) {
				if want := fmt.Sprintf("%s: %s'", op, op.Raises()); op.Raises() == "" || !strings.Contains(sql, want) {
					t.Errorf("%s raises %q on data, but its SQL %s does not end its message with %q", op, op.Raises(), sql, want)
				}
			}
			for _, call := range macroCall.FindAllString(sql, -1) {
				name := strings.TrimSuffix(call, "(")
				called[name] = true
				if _, ok := created[name]; !ok {
					t.Errorf("%s renders a call of %s, which Macros does not create", op, name)
				}
				if !slices.ContainsFunc(f.macros(), func(m *macro) bool { return m.name == name }) {
					t.Errorf("%s calls %s without listing it", op, name)
				}
			}
		}
	}
	// Every macro is called by some rendering, directly or through another.
	for _, stmt := range Macros {
		for _, call := range macroCall.FindAllString(stmt[strings.Index(stmt, " AS ("):], -1) {
			called[strings.TrimSuffix(call, "(")] = true
		}
	}
	for name := range created {
		if !called[name] {
			t.Errorf("macro %s is created but never called", name)
		}
	}
	for op := range functions {
		if !op.IsFunction() {
			t.Errorf("the SQL table has an entry for %s, which is not a function", op)
		}
	}
}

// TestFunctionSQL pins the rendering of one function of each form.
func TestFunctionSQL(t *testing.T) {
	i := model.MustValue(model.IntLit(7))
	f := model.MustValue(model.FloatLit(2.5))
	d := model.MustValue(model.DateLit(model.MustParseDate("2020-02-29")))
	fn := func(op model.Op, args ...*model.Node) *model.Node {
		n, err := model.Function(op, args...)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, tc := range []struct {
		n    *model.Node
		want string
	}{
		{fn(model.OpLT, i, i), "({i} < {i})"},
		{fn(model.OpNE, f, f), "ehrql_nan_compare({f}, {f}, TRUE, ({f} <> {f}))"},
		{fn(model.OpLT, f, f), "ehrql_nan_compare({f}, {f}, FALSE, ({f} < {f}))"},
		{fn(model.OpNegate, i), "(-{i})"},
		{fn(model.OpMaximumOf, i, i, i), "greatest({i}, {i}, {i})"},
		{fn(model.OpTrueDivide, i, i), "ehrql_truediv({i}, {i})"},
		{fn(model.OpFloorDivide, i, i), "ehrql_floordiv_int({i}, {i})"},
		{fn(model.OpFloorDivide, f, f), "ehrql_floordiv_float({f}, {f}, 'ehrql data error: Function.FloorDivide: arithmetic overflow')"},
		{fn(model.OpCastToInt, f), "ehrql_float_to_int(trunc({f}), 'ehrql data error: Function.CastToInt: arithmetic overflow')"},
		{fn(model.OpCastToInt, i), "CAST({i} AS BIGINT)"},
		{fn(model.OpDateAddMonths, d, i), "ehrql_add_months(DATE '2020-02-29', {i}, 'ehrql data error: Function.DateAddMonths: date out of range')"},
		{fn(model.OpDateDifferenceInDays, d, d), "CAST(DATE '2020-02-29' - DATE '2020-02-29' AS BIGINT)"},
		// An operand nesting macro calls is evaluated once, bound by a
		// lambda; one calling a single macro is left in place.
		{fn(model.OpDateAddYears, fn(model.OpDateAddDays, d, i), i),
			"ehrql_add_years(ehrql_add_days(DATE '2020-02-29', {i}, {days}), {i}, {years})"},
		{fn(model.OpDateAddYears, fn(model.OpDateAddMonths, fn(model.OpDateAddDays, d, i), i), i),
			"list_transform([ehrql_add_months(ehrql_add_days(DATE '2020-02-29', {i}, {days}), {i}, {months})], " +
				"lambda ehrql_v1: ehrql_add_years(ehrql_v1, {i}, {years}))[1]"},
		{fn(model.OpLT, fn(model.OpTrueDivide, fn(model.OpTrueDivide, i, i), f), fn(model.OpTrueDivide, fn(model.OpTrueDivide, i, i), f)),
			"list_transform([ehrql_truediv(ehrql_truediv({i}, {i}), {f})], lambda ehrql_v1: list_transform([ehrql_truediv(ehrql_truediv({i}, {i}), {f})], " +
				"lambda ehrql_v2: ehrql_nan_compare(ehrql_v1, ehrql_v2, FALSE, (ehrql_v1 < ehrql_v2)))[1])[1]"},
		{fn(model.OpLT, fn(model.OpTrueDivide, i, i), fn(model.OpTrueDivide, i, i)),
			"ehrql_nan_compare(ehrql_truediv({i}, {i}), ehrql_truediv({i}, {i}), FALSE, (ehrql_truediv({i}, {i}) < ehrql_truediv({i}, {i})))"},
		// A function that calls no macro leaves its operands in place.
		{fn(model.OpGE, fn(model.OpDateDifferenceInYears, d, d), i),
			"(ehrql_diff_years(DATE '2020-02-29', DATE '2020-02-29') >= {i})"},
		{fn(model.OpYearFromDate, fn(model.OpDateAddMonths, fn(model.OpDateAddDays, d, i), i)),
			"CAST(year(ehrql_add_months(ehrql_add_days(DATE '2020-02-29', {i}, {days}), {i}, {months})) AS BIGINT)"},
	} {
		c, err := newCompiler([]*model.Node{tc.n}, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.expr(tc.n, newScope("t", renderContext{}))
		msg := func(op model.Op) string { return "'ehrql data error: " + op.String() + ": date out of range'" }
		want := strings.NewReplacer("{i}", "CAST(7 AS BIGINT)", "{f}", "CAST(2.5 AS DOUBLE)",
			"{days}", msg(model.OpDateAddDays), "{months}", msg(model.OpDateAddMonths), "{years}", msg(model.OpDateAddYears)).Replace(tc.want)
		if err != nil || got != want {
			t.Errorf("%s:\n got %s, %v\nwant %s", tc.n, got, err, want)
		}
	}
}

// expandMacros expands the macro calls in sql as DuckDB does, textually,
// giving up (false) once the text passes limit characters.
func expandMacros(t *testing.T, sql string, limit int) (string, bool) {
	t.Helper()
	byName := map[string]*macro{}
	paramRE := map[string]*regexp.Regexp{}
	for _, f := range functions {
		for _, m := range f.macros() {
			var add func(m *macro)
			add = func(m *macro) {
				byName[m.name] = m
				paramRE[m.name] = regexp.MustCompile(`\b(` + strings.Join(strings.Split(m.params, ", "), "|") + `)\b`)
				for _, d := range m.calls {
					add(d)
				}
			}
			add(m)
		}
	}
	for {
		loc := macroCall.FindStringIndex(sql)
		if loc == nil {
			return sql, true
		}
		m := byName[sql[loc[0]:loc[1]-1]]
		if m == nil {
			t.Fatalf("unknown macro in %s", sql[loc[0]:loc[1]])
		}
		args, end := splitArgs(sql, loc[1])
		params := strings.Split(m.params, ", ")
		if len(args) != len(params) {
			t.Fatalf("%s takes %d arguments, given %d", m.name, len(params), len(args))
		}
		value := map[string]string{}
		for i, p := range params {
			value[p] = args[i]
		}
		body := paramRE[m.name].ReplaceAllStringFunc(m.body, func(p string) string { return value[p] })
		sql = sql[:loc[0]] + "(" + body + ")" + sql[end:]
		if len(sql) > limit {
			return "", false
		}
	}
}

// splitArgs splits the arguments of a call whose list starts at i, after
// its "(", returning them and the index after its ")".
func splitArgs(s string, i int) ([]string, int) {
	var args []string
	depth, start := 0, i
	for ; i < len(s); i++ {
		switch s[i] {
		case '\'':
			for i++; i < len(s) && s[i] != '\''; i++ {
			}
		case '(', '[':
			depth++
		case ')', ']':
			if depth == 0 {
				return append(args, strings.TrimSpace(s[start:i])), i + 1
			}
			depth--
		case ',':
			if depth == 0 {
				args = append(args, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	return args, i
}

// TestNestedMacrosExpandLinearly: date arithmetic nested ten deep, and
// the months between two such dates, expand to SQL of a size linear in the
// depth (DuckDB took minutes binding the exponential expansion), as do
// float comparisons of nested divisions.
func TestNestedMacrosExpandLinearly(t *testing.T) {
	d := model.MustValue(model.DateLit(model.MustParseDate("2020-01-31")))
	one := model.MustValue(model.IntLit(1))
	fn := func(op model.Op, args ...*model.Node) *model.Node {
		n, err := model.Function(op, args...)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	ops := []model.Op{model.OpDateAddMonths, model.OpDateAddYears, model.OpDateAddDays}
	x := model.MustValue(model.FloatLit(2.5))
	for depth := 1; depth <= 10; depth++ {
		d = fn(ops[depth%3], d, one)
		x = fn(model.OpTrueDivide, x, model.MustValue(model.FloatLit(2)))
		for _, n := range []*model.Node{d, fn(model.OpDateDifferenceInMonths, d, d), fn(model.OpLT, x, x)} {
			c, err := newCompiler([]*model.Node{n}, nil)
			if err != nil {
				t.Fatal(err)
			}
			sql, err := c.expr(n, newScope("t", renderContext{}))
			if err != nil {
				t.Fatal(err)
			}
			limit := 12000 + 3000*depth
			if expanded, ok := expandMacros(t, sql, limit); !ok {
				t.Fatalf("depth %d: %s expands past %d characters", depth, n.Op(), limit)
			} else if macroCall.MatchString(expanded) {
				t.Fatalf("depth %d: not fully expanded: %s", depth, expanded)
			}
		}
	}
}
