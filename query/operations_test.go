package query_test

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/query/model"
)

var updateDocs = flag.Bool("update", false, "rewrite the operation list in docs/language.md")

// opTable is a user-defined patient table with a column of each type.
var opTable = query.PatientTable(&model.Table{Name: "ops", PatientLevel: true, Columns: []model.Column{
	{Name: "b", Type: model.Bool},
	{Name: "i", Type: model.Int},
	{Name: "f", Type: model.Float},
	{Name: "s", Type: model.Str},
	{Name: "d", Type: model.Date},
	{Name: "m", Type: model.MultiCodeType(codelists.ICD10)},
}})

// opEvents is a user-defined event table with an int column.
var opEvents = query.EventTable(&model.Table{Name: "op_events", Columns: []model.Column{{Name: "i", Type: model.Int}}})

var (
	opEI = query.Column[query.IntEventSeries](opEvents, "i")
	opB  = query.Column[query.BoolPatientSeries](opTable, "b")
	opI  = query.Column[query.IntPatientSeries](opTable, "i")
	opF  = query.Column[query.FloatPatientSeries](opTable, "f")
	opS  = query.Column[query.StrPatientSeries](opTable, "s")
	opD  = query.Column[query.DatePatientSeries](opTable, "d")
	opM  = query.Column[query.MultiCodePatientSeries](opTable, "m")
)

// goOperations says how the Go language writes each query-model function
// and aggregation of a series (each operation with a signature): its
// methods (as listed in docs/language.md) and a definition using the first
// of them. TestEveryFunctionHasAGoMethod checks it against the
// registry; TestOperationsDoc writes it into docs/language.md.
var goOperations = []struct {
	op      model.Op
	methods string
	build   query.PatientSeries
}{
	{model.OpEQ, "`Eq`, `query.MapValues`", opI.Eq(opI)},
	{model.OpNE, "`Ne`", opI.Ne(opI)},
	{model.OpLT, "`Lt`, `IsBefore`, `IsBetweenButNotOn`", opI.Lt(opI)},
	{model.OpLE, "`Le`, `IsOnOrBefore`, `IsOnOrBetween`, `IsDuring`", opI.Le(opI)},
	{model.OpGT, "`Gt`, `IsAfter`, `IsBetweenButNotOn`", opI.Gt(opI)},
	{model.OpGE, "`Ge`, `IsOnOrAfter`, `IsOnOrBetween`, `IsDuring`", opI.Ge(opI)},
	{model.OpAnd, "`And`", opB.And(opB)},
	{model.OpOr, "`Or`, `ContainsAnyOf`", opB.Or(opB)},
	{model.OpNot, "`Not`, `IsNotNull`, `IsNotIn`, `IsNotInSeries`", opB.Not()},
	{model.OpIsNull, "`IsNull`, `IsNotNull`, `WhenNullThen`", opI.IsNull()},
	{model.OpNegate, "`Neg`, `Sub` of `DaysOf`, `MonthsOf`, ...", opI.Neg()},
	{model.OpAbsolute, "`Abs`", opI.Abs()},
	{model.OpAdd, "`Add`", opI.Add(opI)},
	{model.OpSubtract, "`Sub`", opI.Sub(opI)},
	{model.OpMultiply, "`Mul`, `Add`/`Sub` of `query.Weeks`, `WeeksOf`", opI.Mul(opI)},
	{model.OpTrueDivide, "`Div`", opI.Div(opI)},
	{model.OpFloorDivide, "`FloorDiv`, `Minus(...).Weeks()`", opI.FloorDiv(opI)},
	{model.OpPower, "`Pow`", opF.Pow(opF)},
	{model.OpCastToInt, "`AsInt`", opF.AsInt()},
	{model.OpCastToFloat, "`AsFloat`", opI.AsFloat()},
	{model.OpDateAddDays, "`Add`/`Sub` of `query.Days`, `Weeks`, `DaysOf`, `WeeksOf`", opD.Add(query.Days(1))},
	{model.OpDateAddMonths, "`Add`/`Sub` of `query.Months`, `MonthsOf`", opD.Add(query.Months(1))},
	{model.OpDateAddYears, "`Add`/`Sub` of `query.Years`, `YearsOf`", opD.Add(query.Years(1))},
	{model.OpDateDifferenceInDays, "`Minus(...).Days()`, `.Weeks()`", opD.Minus(opD).Days()},
	{model.OpDateDifferenceInMonths, "`Minus(...).Months()`", opD.Minus(opD).Months()},
	{model.OpDateDifferenceInYears, "`Minus(...).Years()`", opD.Minus(opD).Years()},
	{model.OpYearFromDate, "`Year`", opD.Year()},
	{model.OpMonthFromDate, "`Month`", opD.Month()},
	{model.OpDayFromDate, "`Day`", opD.Day()},
	{model.OpToFirstOfYear, "`ToFirstOfYear`", opD.ToFirstOfYear()},
	{model.OpToFirstOfMonth, "`ToFirstOfMonth`", opD.ToFirstOfMonth()},
	{model.OpStringContains, "`Contains` (str and multi-code series)", opS.Contains(opS)},
	{model.OpIn, "`IsIn`, `IsNotIn`, `IsInSeries`, `IsNotInSeries`", opI.IsIn(1, 2)},
	{model.OpMinimumOf, "`query.MinimumOf`", query.MinimumOf(opI, opI)},
	{model.OpMaximumOf, "`query.MaximumOf`", query.MaximumOf(opI, opI)},
	{model.OpCountDistinct, "`CountDistinctForPatient`", opEI.CountDistinctForPatient()},
	{model.OpMin, "`MinimumForPatient`", opEI.MinimumForPatient()},
	{model.OpMax, "`MaximumForPatient`", opEI.MaximumForPatient()},
	{model.OpSum, "`SumForPatient`", opEI.SumForPatient()},
	{model.OpMean, "`MeanForPatient`", opEI.MeanForPatient()},
	{model.OpCombineAsSet, "`IsInSeries`, `IsNotInSeries` (of an event series)", opI.IsInSeries(opEI)},
}

// signedOps lists the operations with a signature: the functions and the
// aggregations of a series.
func signedOps() []model.Op {
	var out []model.Op
	for _, op := range model.Ops() {
		if op.Signature() != "" {
			out = append(out, op)
		}
	}
	return out
}

// signedOpsOf returns the operations with a signature in the query model
// of s.
func signedOpsOf(t *testing.T, name string, s query.PatientSeries) map[model.Op]bool {
	t.Helper()
	ds := query.NewDataset()
	ds.DefinePopulation(opTable.ExistsForPatient())
	ds.Add("v", s)
	def, err := ds.Definition()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	ops := map[model.Op]bool{}
	var walk func(n *model.Node)
	walk = func(n *model.Node) {
		if n == nil {
			return
		}
		if n.Op().Signature() != "" {
			ops[n.Op()] = true
		}
		for _, a := range n.Args() {
			walk(a)
		}
	}
	walk(def.Dataset.Variables[0].Series)
	return ops
}

// TestEveryFunctionHasAGoMethod builds every query-model function and
// aggregation of a series through the Go language: each entry's definition
// produces its operation, and together they produce every such operation
// of the registry, each listed once.
func TestEveryFunctionHasAGoMethod(t *testing.T) {
	produced := map[model.Op]bool{}
	listed := map[model.Op]bool{}
	for _, g := range goOperations {
		if listed[g.op] {
			t.Errorf("%s is listed twice", g.op)
		}
		listed[g.op] = true
		ops := signedOpsOf(t, g.op.String(), g.build)
		if !ops[g.op] {
			t.Errorf("%s: the definition using %s makes no %s", g.op, g.methods, g.op)
		}
		for op := range ops {
			produced[op] = true
		}
	}
	// The other methods named produce their functions too.
	for _, tc := range []struct {
		op model.Op
		s  query.PatientSeries
	}{
		{model.OpStringContains, opM.Contains("N17")},
		{model.OpOr, opM.ContainsAnyOf(codelists.New("N17", "N18"))},
		{model.OpDateAddMonths, opD.Sub(query.MonthsOf(opI))},
		{model.OpFloorDivide, opD.Minus(opD).Weeks()},
		{model.OpEQ, query.MapValues(opI, []query.Mapping[query.StrPatientSeries]{query.Map(1, query.Str("a"))})},
		{model.OpLE, opD.IsOnOrBetween(opD, opD)},
		{model.OpGE, opD.IsDuring(query.Interval{Start: opD, End: opD})},
		{model.OpGT, opD.IsBetweenButNotOn(opD, opD)},
		{model.OpNot, opI.IsNotNull()},
		{model.OpNot, opI.IsNotIn(1)},
		{model.OpIsNull, opI.WhenNullThen(opI)},
		{model.OpNegate, opD.Sub(query.DaysOf(opI))},
		{model.OpMultiply, opD.Add(query.Weeks(1))},
		{model.OpIn, opI.IsInSeries(opEI)},
	} {
		if !signedOpsOf(t, tc.op.String(), tc.s)[tc.op] {
			t.Errorf("a method documented for %s does not make it", tc.op)
		}
	}
	want := signedOps()
	var got []model.Op
	for op := range produced {
		got = append(got, op)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("the Go language makes the operations\n%v\nthe registry has\n%v", got, want)
	}
}

const (
	languageDoc  = "../docs/language.md"
	opsDocBegin  = "<!-- operations: generated by TestOperationsDoc (go test ./query -run OperationsDoc -update) -->"
	opsDocEnd    = "<!-- end of operations -->"
	opsDocHeader = "| Operation | Operands and result | Go language |\n|---|---|---|\n"
)

// operationsDoc is docs/language.md's list of operations, from the
// registry (names and signatures) and goOperations (methods).
func operationsDoc() string {
	methods := map[model.Op]string{}
	for _, g := range goOperations {
		methods[g.op] = g.methods
	}
	var b strings.Builder
	b.WriteString(opsDocHeader)
	for _, op := range signedOps() {
		sig := strings.ReplaceAll(op.Signature(), "|", `\|`) // not a column break
		fmt.Fprintf(&b, "| `%s` | `%s` | %s |\n", op, sig, methods[op])
	}
	return b.String()
}

// TestOperationsDoc keeps the list of operations in docs/language.md equal
// to the registry's; -update rewrites it.
func TestOperationsDoc(t *testing.T) {
	data, err := os.ReadFile(languageDoc)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	i, j := strings.Index(doc, opsDocBegin), strings.Index(doc, opsDocEnd)
	if i < 0 || j < i {
		t.Fatalf("%s has no operation list between %q and %q", languageDoc, opsDocBegin, opsDocEnd)
	}
	want := operationsDoc()
	got := doc[i+len(opsDocBegin)+1 : j]
	if got == want {
		return
	}
	if *updateDocs {
		doc = doc[:i+len(opsDocBegin)+1] + want + doc[j:]
		if err := os.WriteFile(languageDoc, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s's operation list differs from the registry's (go test ./query -run OperationsDoc -update rewrites it):\n got:\n%s\nwant:\n%s", languageDoc, got, want)
}
