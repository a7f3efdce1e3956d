// Package check holds the tests shared by the typed table packages under
// tables (core, tpp, emis, raw/tpp …): that each generated table var
// matches its catalogue table.
package check

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
	"github.com/ehrql-go/ehrql/tables/internal/gentyped/gen"
)

// Table is a generated table var and the name of the catalogue table it
// wraps.
type Table struct {
	Name  string
	Frame any
}

// seriesTypes maps each column kind to its patient and event series types.
var seriesTypes = map[model.Kind][2]reflect.Type{
	model.KindBool:      {reflect.TypeFor[query.BoolPatientSeries](), reflect.TypeFor[query.BoolEventSeries]()},
	model.KindInt:       {reflect.TypeFor[query.IntPatientSeries](), reflect.TypeFor[query.IntEventSeries]()},
	model.KindFloat:     {reflect.TypeFor[query.FloatPatientSeries](), reflect.TypeFor[query.FloatEventSeries]()},
	model.KindStr:       {reflect.TypeFor[query.StrPatientSeries](), reflect.TypeFor[query.StrEventSeries]()},
	model.KindDate:      {reflect.TypeFor[query.DatePatientSeries](), reflect.TypeFor[query.DateEventSeries]()},
	model.KindCode:      {reflect.TypeFor[query.CodePatientSeries](), reflect.TypeFor[query.CodeEventSeries]()},
	model.KindMultiCode: {reflect.TypeFor[query.MultiCodePatientSeries](), reflect.TypeFor[query.MultiCodeEventSeries]()},
}

func seriesType(k model.Kind, event bool) reflect.Type {
	if event {
		return seriesTypes[k][1]
	}
	return seriesTypes[k][0]
}

// Module checks that list holds one var for each table of the catalogue
// module, and that each var's types and column series match its table.
func Module(t *testing.T, module string, list []Table) {
	t.Helper()
	cat := tables.Default().Tables(module)
	var want, got []string
	for _, tbl := range cat {
		want = append(want, tbl.Ref().Name)
	}
	for _, e := range list {
		got = append(got, e.Name)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("generated tables %v, catalogue %s has %v", got, module, want)
	}
	for i, e := range list {
		t.Run(e.Name, func(t *testing.T) { Frame(t, cat[i], e.Frame) })
	}
}

// Frame checks a table var against its catalogue table: its Go types have
// one field per column, in order, named as gen.ColumnName says and of the
// column's series type — a patient-level frame and a picked row directly,
// after their embedded query.PatientFrame, and an event-level frame and its
// sorted frame in the one columns struct both embed after their query
// frame; and each column of the var, of a sorted view of it and of a row
// picked from that selects that column of that very table.
func Frame(t *testing.T, tbl *model.Table, frame any) {
	t.Helper()
	v := reflect.ValueOf(frame)
	typ := v.Type()
	name := gen.TableName(tbl.Ref().Name)
	if want := name + "Frame"; typ.Name() != want {
		t.Errorf("type %s, want %s", typ.Name(), want)
	}
	if tbl.PatientLevel {
		fields(t, typ, "PatientFrame", tbl, false)
		values(t, v, tbl, model.OpSelectPatientTable, model.OpSelectPatientTable)
		return
	}
	columns := embedsColumns(t, typ, "EventFrame[", name+"Columns")
	fields(t, columns, "", tbl, true)
	for _, m := range []string{"Where", "ExceptWhere"} {
		if out := method(t, typ, m); out != typ {
			t.Errorf("%s.%s returns %v, want %v", typ.Name(), m, out, typ)
		}
	}
	sorted := method(t, typ, "SortBy")
	if want := name + "SortedFrame"; sorted.Name() != want {
		t.Errorf("SortBy returns %s, want %s", sorted.Name(), want)
	}
	if c := embedsColumns(t, sorted, "SortedEventFrame[", name+"Columns"); c != columns {
		t.Errorf("%s embeds %v, %s embeds %v: want one columns struct", typ.Name(), columns, sorted.Name(), c)
	}
	row := method(t, sorted, "LastForPatient")
	if want := name + "Row"; row.Name() != want {
		t.Errorf("LastForPatient returns %s, want %s", row.Name(), want)
	}
	if first := method(t, sorted, "FirstForPatient"); first != row {
		t.Errorf("FirstForPatient returns %v, want %v", first, row)
	}
	if _, ok := typ.MethodByName("LastForPatient"); ok {
		t.Errorf("%s has LastForPatient before SortBy", typ.Name())
	}
	fields(t, row, "PatientFrame", tbl, false)
	values(t, v, tbl, model.OpSelectTable, model.OpSelectTable)

	// Sort by the first column that can be sorted on, pick a row and check
	// its columns too.
	for _, c := range tbl.Columns {
		if c.Type.Kind == model.KindBool {
			continue
		}
		key := v.FieldByName(gen.ColumnName(c.Name))
		s := v.MethodByName("SortBy").Call([]reflect.Value{key})[0]
		values(t, s, tbl, model.OpSort, model.OpSelectTable)
		r := s.MethodByName("LastForPatient").Call(nil)[0]
		values(t, r, tbl, model.OpPickOneRowPerPatient, model.OpSelectTable)
		break
	}
}

// method returns the single result type of typ's method name.
func method(t *testing.T, typ reflect.Type, name string) reflect.Type {
	t.Helper()
	m, ok := typ.MethodByName(name)
	if !ok || m.Type.NumOut() != 1 {
		t.Fatalf("%s has no method %s with one result", typ.Name(), name)
	}
	return m.Type.Out(0)
}

// embedsColumns checks that typ is a struct of two embedded fields, the
// query frame named embed (a prefix for generic frames) and the struct
// type named columns, declared in typ's package, and returns the latter.
func embedsColumns(t *testing.T, typ reflect.Type, embed, columns string) reflect.Type {
	t.Helper()
	if typ.Kind() != reflect.Struct || typ.NumField() != 2 {
		t.Fatalf("%s: want a struct of 2 fields (the embedded frame and columns), got %s", typ.Name(), typ)
	}
	embedsFrame(t, typ, embed)
	f := typ.Field(1)
	if !f.Anonymous || f.Type.Name() != columns || f.Type.PkgPath() != typ.PkgPath() || f.Type.Kind() != reflect.Struct {
		t.Fatalf("%s: second field %s %v, want the embedded struct %s", typ.Name(), f.Name, f.Type, columns)
	}
	return f.Type
}

// embedsFrame checks that the first field of typ is the embedded query
// frame named embed (a prefix for generic frames).
func embedsFrame(t *testing.T, typ reflect.Type, embed string) {
	t.Helper()
	f0 := typ.Field(0)
	if !f0.Anonymous || !strings.HasPrefix(f0.Type.Name(), embed) || f0.Type.PkgPath() != "github.com/ehrql-go/ehrql/query" {
		t.Errorf("%s: first field %s %v, want the embedded query.%s", typ.Name(), f0.Name, f0.Type, embed)
	}
}

// fields checks that typ has exactly the table's columns, after the
// embedded query frame named embed if embed is not empty.
func fields(t *testing.T, typ reflect.Type, embed string, tbl *model.Table, event bool) {
	t.Helper()
	first := 0
	if embed != "" {
		first = 1
	}
	if typ.Kind() != reflect.Struct || typ.NumField() != len(tbl.Columns)+first {
		t.Fatalf("%s: want a struct with %d fields (%d columns), got %s",
			typ.Name(), len(tbl.Columns)+first, len(tbl.Columns), typ)
	}
	if embed != "" {
		embedsFrame(t, typ, embed)
	}
	for i, c := range tbl.Columns {
		f := typ.Field(i + first)
		if want := gen.ColumnName(c.Name); f.Name != want {
			t.Errorf("%s field %d: name %s, want %s (column %s)", typ.Name(), i+first, f.Name, want, c.Name)
		}
		if want := seriesType(c.Type.Kind, event); f.Type != want {
			t.Errorf("%s.%s: type %v, want %v (column %s %s)", typ.Name(), f.Name, f.Type, want, c.Name, c.Type.Name())
		}
	}
}

// values checks that every column field of the frame value v (its own
// field or one its columns struct promotes) is a SelectColumn of that
// column from a frame whose op is source, itself drawn from table tbl (a
// node of op root).
func values(t *testing.T, v reflect.Value, tbl *model.Table, source, root model.Op) {
	t.Helper()
	for _, c := range tbl.Columns {
		name := gen.ColumnName(c.Name)
		s, ok := v.FieldByName(name).Interface().(query.Series)
		if !ok {
			t.Errorf("%s.%s is not a query.Series", v.Type().Name(), name)
			continue
		}
		n, err := query.Node(s)
		if err != nil {
			t.Errorf("%s.%s: %v", v.Type().Name(), name, err)
			continue
		}
		if n.Op() != model.OpSelectColumn || n.Name() != c.Name || n.Type() != c.Type {
			t.Errorf("%s.%s: node %v of type %v, want SelectColumn(%s) of type %v", v.Type().Name(),
				name, n, n.Type(), c.Name, c.Type)
		}
		src := n.Arg(0)
		if src.Op() != source {
			t.Errorf("%s.%s: selected from %v, want %v", v.Type().Name(), c.Name, src.Op(), source)
		}
		for src.Op() != root && len(src.Args()) > 0 {
			src = src.Arg(0)
		}
		if src.Op() != root || src.Table() != tbl {
			t.Errorf("%s.%s: drawn from %v, want %v of the catalogue's %s.%s", v.Type().Name(), c.Name, src, root, tbl.Module, tbl.Name)
		}
	}
}

// The builders below make the query models the helper tests expect, node
// by node, as ehrQL builds them. They panic on an error: the expected
// models are built from known-good parts.

// Must returns n, or panics with err.
func Must(n *model.Node, err error) *model.Node {
	if err != nil {
		panic(err)
	}
	return n
}

// Col is SelectColumn(frame, name).
func Col(frame *model.Node, name string) *model.Node { return Must(model.SelectColumn(frame, name)) }

// Fn is the function op of args.
func Fn(op model.Op, args ...*model.Node) *model.Node { return Must(model.Function(op, args...)) }

// Date is a date Value.
func Date(iso string) *model.Node { return model.MustValue(model.DateLit(model.MustParseDate(iso))) }

// Spanning is ehrQL's practice_registrations.spanning(start, end) on regs.
func Spanning(regs, start, end *model.Node) *model.Node {
	cond := Fn(model.OpAnd,
		Fn(model.OpLE, Col(regs, "start_date"), start),
		Fn(model.OpOr,
			Fn(model.OpGE, Col(regs, "end_date"), end),
			Fn(model.OpIsNull, Col(regs, "end_date"))))
	return Must(model.Filter(regs, cond))
}

// CauseOfDeathIsIn is ehrQL's ons_deaths.cause_of_death_is_in(cl) on
// deaths: functools.reduce(operator.or_, [underlying_cause_of_death.is_in(cl),
// cause_of_death_01.is_in(cl), … cause_of_death_15.is_in(cl)]), for a
// codelist of ICD-10 codes.
func CauseOfDeathIsIn(deaths *model.Node, cl codelists.Codelist) *model.Node {
	var members []model.Literal
	for _, c := range cl.Codes() {
		l, err := model.CodeLit(codelists.ICD10, c)
		if err != nil {
			panic(err)
		}
		members = append(members, l)
	}
	set, err := model.SetLit(model.CodeType(codelists.ICD10), members)
	if err != nil {
		panic(err)
	}
	in := func(name string) *model.Node { return Fn(model.OpIn, Col(deaths, name), model.MustValue(set)) }
	out := in("underlying_cause_of_death")
	for i := 1; i <= 15; i++ {
		out = Fn(model.OpOr, out, in(fmt.Sprintf("cause_of_death_%02d", i)))
	}
	return out
}

// Int is an int Value.
func Int(i int64) *model.Node { return model.MustValue(model.IntLit(i)) }

// Str is a str Value.
func Str(s string) *model.Node { return model.MustValue(model.StrLit(s)) }

// Node returns the query model of the series s.
func Node(t *testing.T, s query.Series) *model.Node {
	t.Helper()
	n, err := query.Node(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Same checks that the series s has the query model want.
func Same(t *testing.T, what string, s query.Series, want *model.Node) {
	t.Helper()
	SameModel(t, what, Node(t, s), want)
}

// SameModel checks that the query model got is want, as ehrQL builds it.
func SameModel(t *testing.T, what string, got, want *model.Node) {
	t.Helper()
	if got.ID() != want.ID() {
		t.Errorf("%s: query model differs from ehrQL's\n got: %s\nwant: %s", what, Dump(got), Dump(want))
	}
}

// Dump renders a node tree for failure messages.
func Dump(n *model.Node) string {
	if n == nil {
		return "NULL"
	}
	switch n.Op() {
	case model.OpValue:
		return n.Literal().String()
	case model.OpSelectTable, model.OpSelectPatientTable:
		return n.Table().Module + "." + n.Table().Name
	}
	s := n.Op().String() + "("
	if n.Op() == model.OpSelectColumn {
		s += n.Name() + ", "
	}
	for i, a := range n.Args() {
		if i > 0 {
			s += ", "
		}
		s += Dump(a)
	}
	return s + ")"
}
