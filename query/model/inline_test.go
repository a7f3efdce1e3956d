package model_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
)

// allTypeColumns has one column of every column type, with constraints of
// every kind. Descriptions are not part of the wire format and are left
// empty.
func allTypeColumns() []model.Column {
	dl := model.DateLit(date("2000-01-01"))
	il := model.IntLit(0)
	return []model.Column{
		{Name: "b", Type: model.Bool, Constraints: []model.Constraint{model.Categorical{Values: []model.Literal{model.BoolLit(true), model.BoolLit(false)}}}},
		{Name: "i", Type: model.Int, Constraints: []model.Constraint{model.NotNull{}, model.ClosedRange{Min: 0, Max: 100, Step: 5}},
			DummyDataConstraints: []model.Constraint{model.Categorical{Values: []model.Literal{model.IntLit(5), model.IntLit(10)}}}},
		{Name: "f", Type: model.Float, Constraints: []model.Constraint{model.GeneralRange{Min: &il, IncludesMinimum: false, IncludesMaximum: true}}},
		{Name: "s", Type: model.Str, Constraints: []model.Constraint{
			model.Categorical{Values: []model.Literal{model.StrLit("x"), model.StrLit("y \"quoted\"")}},
			model.Regex{Pattern: `^[a-z]+\d*$`}, model.Unique{}}},
		{Name: "d", Type: model.Date, Constraints: []model.Constraint{model.FirstOfMonth{}, model.GeneralRange{Min: &dl, IncludesMinimum: true}}},
		{Name: "d2", Type: model.Date, Constraints: []model.Constraint{model.DateAfter{Columns: []string{"d"}}}},
		{Name: "c_snomed", Type: model.CodeType(codelists.SNOMEDCT)},
		{Name: "c_dmd", Type: model.CodeType(codelists.DMD)},
		{Name: "c_ctv3", Type: model.CodeType(codelists.CTV3)},
		{Name: "c_icd10", Type: model.CodeType(codelists.ICD10)},
		{Name: "c_opcs4", Type: model.CodeType(codelists.OPCS4)},
		{Name: "c_bnf", Type: model.CodeType(codelists.BNF)},
		{Name: "m_icd10", Type: model.MultiCodeType(codelists.ICD10)},
		{Name: "m_opcs4", Type: model.MultiCodeType(codelists.OPCS4)},
	}
}

func inlineTables() (events, patients *model.Table) {
	events = &model.Table{Name: "my_events", Columns: allTypeColumns(), ActivationFilterField: "d"}
	patients = &model.Table{Name: "my_patients", PatientLevel: true, Columns: allTypeColumns(),
		ActivationFilterField: false}
	return events, patients
}

// fullDefinition builds a definition that uses every node kind the wire
// format can carry, over inline tables of every column type (and, when
// catalogue is set, a catalogue table too).
func fullDefinition(t *testing.T, catalogue bool) *model.Definition {
	b := builder{t}
	et, pt := inlineTables()
	e, p := b.table(et), b.table(pt)
	ec := func(n string) *model.Node { return b.col(e, n) }
	pc := func(n string) *model.Node { return b.col(p, n) }
	code := func(s codelists.System, c string) model.Literal { return must(model.CodeLit(s, c)) }

	filtered := b.filter(e, b.fn(model.OpIn, ec("c_snomed"),
		b.set(model.CodeType(codelists.SNOMEDCT), code(codelists.SNOMEDCT, "123456"), code(codelists.SNOMEDCT, "7654321"))))
	sorted := b.sort(b.sort(filtered, ec("i")), ec("d"))
	last := b.pick(sorted, model.Last)
	first := b.pick(b.sort(e, ec("c_ctv3")), model.First)
	age := b.fn(model.OpDateDifferenceInYears, dateV("2020-01-01"), pc("d"))

	vars := []model.Variable{}
	add := func(name string, n *model.Node) { vars = append(vars, model.Variable{Name: name, Series: n}) }
	for _, c := range pt.Columns {
		add("p_"+c.Name, pc(c.Name))
	}
	add("last_code", b.col(last, "c_snomed"))
	add("first_ctv3", b.col(first, "c_ctv3"))
	add("has", b.agg(model.OpExists, filtered))
	add("n", b.agg(model.OpCount, e))
	add("n_p", b.agg(model.OpCount, p))
	add("n_distinct", b.agg(model.OpCountDistinct, ec("c_dmd")))
	add("episodes", must(model.CountEpisodes(ec("d"), 14)))
	add("min_d", b.agg(model.OpMin, ec("d")))
	add("max_s", b.agg(model.OpMax, ec("s")))
	add("sum_i", b.agg(model.OpSum, ec("i")))
	add("mean_f", b.agg(model.OpMean, ec("f")))
	add("in_events", b.fn(model.OpIn, pc("c_bnf"), b.agg(model.OpCombineAsSet, ec("c_bnf"))))
	add("eq", b.fn(model.OpEQ, pc("c_icd10"), model.MustValue(code(codelists.ICD10, "A01X2"))))
	add("ne", b.fn(model.OpNE, pc("c_opcs4"), model.MustValue(code(codelists.OPCS4, "H011"))))
	add("lt", b.fn(model.OpLT, pc("s"), strV("m")))
	add("le", b.fn(model.OpLE, pc("f"), floatV(2.5)))
	add("gt", b.fn(model.OpGT, age, intV(17)))
	add("ge", b.fn(model.OpGE, pc("d"), dateV("2019-12-31")))
	add("and", b.fn(model.OpAnd, pc("b"), b.fn(model.OpOr, boolV(true), b.fn(model.OpNot, pc("b")))))
	add("isnull", b.fn(model.OpIsNull, pc("m_opcs4")))
	add("neg", b.fn(model.OpAbsolute, b.fn(model.OpNegate, pc("i"))))
	add("arith", b.fn(model.OpMultiply, b.fn(model.OpSubtract, b.fn(model.OpAdd, pc("i"), intV(1)), intV(2)), intV(-3)))
	add("div", b.fn(model.OpTrueDivide, pc("i"), intV(0)))
	add("floordiv", b.fn(model.OpFloorDivide, pc("f"), floatV(-1.5)))
	add("pow", b.fn(model.OpPower, pc("f"), floatV(0.5)))
	add("as_int", b.fn(model.OpCastToInt, pc("b")))
	add("as_float", b.fn(model.OpCastToFloat, pc("i")))
	add("plus_days", b.fn(model.OpDateAddDays, pc("d"), b.fn(model.OpMultiply, intV(2), intV(7))))
	add("plus_months", b.fn(model.OpDateAddMonths, dateV("2000-01-31"), pc("i")))
	add("plus_years", b.fn(model.OpDateAddYears, pc("d"), intV(-1)))
	add("diff_days", b.fn(model.OpDateDifferenceInDays, pc("d2"), pc("d")))
	add("diff_months", b.fn(model.OpDateDifferenceInMonths, pc("d2"), dateV("2000-02-29")))
	add("year", b.fn(model.OpYearFromDate, pc("d")))
	add("month", b.fn(model.OpMonthFromDate, pc("d")))
	add("day", b.fn(model.OpDayFromDate, pc("d")))
	add("first_of_year", b.fn(model.OpToFirstOfYear, pc("d")))
	add("first_of_month", b.fn(model.OpToFirstOfMonth, pc("d")))
	add("contains", b.fn(model.OpStringContains, pc("m_icd10"), strV("M06")))
	add("min_of", b.fn(model.OpMinimumOf, pc("d"), pc("d2"), dateV("2020-01-01")))
	add("max_of", b.fn(model.OpMaximumOf, pc("i"), b.agg(model.OpCount, e), intV(1)))
	add("empty_in", b.fn(model.OpIn, pc("s"), b.set(model.Any)))
	add("float_in", b.fn(model.OpIn, pc("f"), b.set(model.Float, model.FloatLit(0.1), model.FloatLit(1e20), model.FloatLit(-3))))
	ageBand := b.caseOf(
		[]*model.Node{b.fn(model.OpLT, age, intV(18)), b.fn(model.OpIsNull, age), b.fn(model.OpGE, age, intV(65))},
		[]*model.Node{strV("child"), nil, strV("old")}, strV("adult"))
	add("case", ageBand)
	add("case_no_default", b.caseOf([]*model.Node{pc("b")}, []*model.Node{pc("c_dmd")}, nil))
	add("case_null_values", b.caseOf([]*model.Node{pc("b")}, []*model.Node{nil}, floatV(1.5)))
	if catalogue {
		add("dob", b.col(b.table(tables.Core("patients")), "date_of_birth"))
		add("apc", b.agg(model.OpCount, b.table(tables.TPP("apcs"))))
	}

	events := must(model.SeriesCollectionFrame(
		[]string{"d", "s", "code", "p_i", "derived"},
		[]*model.Node{b.col(filtered, "d"), b.col(filtered, "s"), b.col(filtered, "c_snomed"), pc("i"),
			b.fn(model.OpAdd, b.col(filtered, "i"), pc("i"))}))

	ds := &model.Dataset{
		Population: b.fn(model.OpAnd, b.agg(model.OpExists, p), b.fn(model.OpNot, b.agg(model.OpExists, filtered))),
		Variables:  vars,
		Events:     []model.EventTable{{Name: "filtered_events", Frame: events}},
	}
	if err := ds.Validate(); err != nil {
		t.Fatalf("dataset: %v", err)
	}
	start := must(model.Parameter("interval_start_date", model.Date))
	end := must(model.Parameter("interval_end_date", model.Date))
	during := b.filter(e, b.fn(model.OpAnd, b.fn(model.OpGE, ec("d"), start), b.fn(model.OpLE, ec("d"), end)))
	return &model.Definition{
		Dataset:                &model.Dataset{Population: ds.Population, Variables: ds.Variables, Events: ds.Events},
		DatasetDummyDataConfig: &model.DummyDataConfig{PopulationSize: 123, Legacy: false, Timeout: 7, AdditionalPopulationConstraint: b.fn(model.OpGT, age, intV(1))},
		Measures: []model.Measure{{
			Name:        "m1",
			Numerator:   b.agg(model.OpCount, during),
			Denominator: b.fn(model.OpCastToInt, b.agg(model.OpExists, p)),
			GroupBy:     []model.Variable{{Name: "s", Series: pc("s")}, {Name: "band", Series: ageBand}},
			Intervals:   [][2]model.CivilDate{{date("2020-01-01"), date("2020-01-31")}, {date("2020-02-01"), date("2020-02-29")}},
		}, {
			Name:        "m2",
			Numerator:   b.agg(model.OpExists, during),
			Denominator: b.agg(model.OpCount, p),
			Intervals:   [][2]model.CivilDate{{date("2021-01-01"), date("2021-12-31")}},
		}},
		MeasuresDummyDataConfig:   &model.DummyDataConfig{PopulationSize: 10, Legacy: true, Timeout: 60},
		MeasuresDisclosureControl: &model.DisclosureControlConfig{Enabled: false},
		ClaimedPermissions:        []string{"secret_data", "appointments"},
	}
}

// tablesOf returns the tables of the table nodes reachable from def, by name.
func tablesOf(def *model.Definition) (map[string]*model.Table, map[model.Op]bool) {
	out := map[string]*model.Table{}
	ops := map[model.Op]bool{}
	seen := map[*model.Node]bool{}
	f := func(n *model.Node) {
		ops[n.Op()] = true
		if n.Op() == model.OpSelectTable || n.Op() == model.OpSelectPatientTable {
			out[n.Table().Name] = n.Table()
		}
	}
	roots := []*model.Node{def.Dataset.Population}
	for _, v := range def.Dataset.Variables {
		roots = append(roots, v.Series)
	}
	for _, e := range def.Dataset.Events {
		roots = append(roots, e.Frame)
	}
	if c := def.DatasetDummyDataConfig; c != nil {
		roots = append(roots, c.AdditionalPopulationConstraint)
	}
	for _, m := range def.Measures {
		roots = append(roots, m.Numerator, m.Denominator)
		for _, g := range m.GroupBy {
			roots = append(roots, g.Series)
		}
	}
	for _, r := range roots {
		walk(r, seen, f)
	}
	return out, ops
}

func TestInlineTablesRoundTrip(t *testing.T) {
	def := fullDefinition(t, false)
	// Inline tables need no catalogue.
	enc := checkRoundTrip(t, def, nil)
	checkRoundTrip(t, def, tables.Default())

	// Every node kind that the wire format carries appears.
	_, ops := tablesOf(def)
	for op := model.OpSelectTable; op <= model.OpCase; op++ {
		if op == model.OpInlinePatientTable {
			continue
		}
		if !ops[op] {
			t.Errorf("the definition does not exercise %s", op)
		}
	}

	// The tables come back with the same declarations.
	def2, err := model.Decode(enc, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := tablesOf(def2)
	et, pt := inlineTables()
	for _, want := range []*model.Table{et, pt} {
		g := got[want.Name]
		if g == nil {
			t.Errorf("table %s missing after decoding", want.Name)
			continue
		}
		if g.Module != "" || g.PatientLevel != want.PatientLevel || g.RequiredPermission != want.RequiredPermission ||
			!reflect.DeepEqual(g.ActivationFilterField, want.ActivationFilterField) {
			t.Errorf("table %s: decoded %+v", want.Name, *g)
		}
		if len(g.Columns) != len(want.Columns) {
			t.Errorf("table %s: %d columns, want %d", want.Name, len(g.Columns), len(want.Columns))
			continue
		}
		for i := range want.Columns {
			if !reflect.DeepEqual(g.Columns[i], want.Columns[i]) {
				t.Errorf("table %s column %d: decoded %+v, want %+v", want.Name, i, g.Columns[i], want.Columns[i])
			}
		}
	}
	// Decoded definitions validate.
	if err := def2.Dataset.Validate(); err != nil {
		t.Errorf("decoded dataset does not validate: %v", err)
	}
	m := def2.Measures
	if len(m) != 2 || m[0].Name != "m1" || len(m[0].GroupBy) != 2 || m[0].GroupBy[1].Name != "band" || len(m[1].GroupBy) != 0 ||
		len(m[1].Intervals) != 1 || m[1].Intervals[0][1] != date("2021-12-31") {
		t.Errorf("decoded measures: %+v", m)
	}
	if c := def2.MeasuresDummyDataConfig; c == nil || !c.Legacy || c.PopulationSize != 10 {
		t.Errorf("measures dummy data config: %+v", c)
	}
	if c := def2.DatasetDummyDataConfig; c == nil || c.AdditionalPopulationConstraint == nil ||
		c.AdditionalPopulationConstraint.ID() != def.DatasetDummyDataConfig.AdditionalPopulationConstraint.ID() {
		t.Errorf("additional population constraint lost: %+v", c)
	}
	if def2.MeasuresDisclosureControl == nil || def2.MeasuresDisclosureControl.Enabled {
		t.Errorf("disclosure control: %+v", def2.MeasuresDisclosureControl)
	}
	if !reflect.DeepEqual(def2.ClaimedPermissions, []string{"secret_data", "appointments"}) {
		t.Errorf("claimed permissions: %q", def2.ClaimedPermissions)
	}

	// Inline tables are written in full, never as external_ref.
	if bytes.Contains(enc, []byte("external_ref")) {
		t.Error("an inline table was written as external_ref")
	}
	for _, frag := range []string{`{"SelectTable": {"name": "my_events"`, `{"SelectPatientTable": {"name": "my_patients"`,
		`"required_permission": null`, `"activation_filter_field": "d"`, `"activation_filter_field": false`,
		`{"type": "ICD10MultiCodeString"}`, `{"type": "OPCS4MultiCodeString"}`, `{"type": "BNFCode"}`} {
		if !bytes.Contains(enc, []byte(frag)) {
			t.Errorf("encoding does not contain %s", frag)
		}
	}
}

func TestMixedInlineAndCatalogueRoundTrip(t *testing.T) {
	def := fullDefinition(t, true)
	enc := checkRoundTrip(t, def, tables.Default())
	for _, frag := range []string{
		`{"external_ref": {"module": "ehrql.tables.core", "name": "patients"}}`,
		`{"external_ref": {"module": "ehrql.tables.tpp", "name": "apcs"}}`,
	} {
		if !bytes.Contains(enc, []byte(frag)) {
			t.Errorf("encoding does not contain %s", frag)
		}
	}
	_, err := model.Decode(enc, nil)
	wantErr(t, err, "unknown table ehrql.tables.core.patients")
}

// The encoding follows ehrQL's conventions: ids assigned in pre-order from
// "1", each node stored once, children stored before their parents, Value
// nodes and tables inline.
func TestEncodeLayout(t *testing.T) {
	b := builder{t}
	events := b.table(tables.Core("clinical_events"))
	exists := b.agg(model.OpExists, events)
	count := b.agg(model.OpCount, events)
	def := &model.Definition{Dataset: &model.Dataset{
		Population: exists,
		Variables: []model.Variable{
			{Name: "n", Series: count},
			{Name: "n_again", Series: count},
			{Name: "twice", Series: b.fn(model.OpMultiply, count, intV(2))},
			{Name: "f", Series: b.fn(model.OpCastToFloat, count)},
		},
	}}
	enc, err := model.Encode(def)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	dec := json.NewDecoder(bytes.NewReader(enc))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	// 1 Dataset, 2 population Exists, 3 Count (n; n_again reuses it),
	// 4 Multiply, 5 CastToFloat; stored children first.
	if want := []string{"value", "2", "3", "4", "5", "1"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("keys in order %q, want %q", keys, want)
	}
	var m map[string]any
	if err := json.Unmarshal(enc, &m); err != nil {
		t.Fatal(err)
	}
	vars := m["1"].(map[string]any)["Dataset"].(map[string]any)["variables"].(map[string]any)["dict"].([]any)
	if r1, r2 := vars[0].([]any)[1], vars[1].([]any)[1]; !reflect.DeepEqual(r1, r2) || !reflect.DeepEqual(r1, map[string]any{"ref": "3"}) {
		t.Errorf("a shared node is not one ref: %v %v", r1, r2)
	}
	mul := m["4"].(map[string]any)["Function.Multiply"].(map[string]any)
	if !reflect.DeepEqual(mul["rhs"], map[string]any{"Value": float64(2)}) || !strings.Contains(string(enc), `"rhs": {"Value": 2}`) {
		t.Errorf("Value not inline: %v", mul["rhs"])
	}
	ex := m["2"].(map[string]any)["AggregateByPatient.Exists"].(map[string]any)
	if !reflect.DeepEqual(ex["source"], map[string]any{"external_ref": map[string]any{"module": "ehrql.tables.core", "name": "clinical_events"}}) {
		t.Errorf("table not an external_ref: %v", ex["source"])
	}
	md := m["value"].(map[string]any)["ModuleDetails"].(map[string]any)
	for _, k := range []string{"dataset", "dataset_dummy_data_config", "test_data", "measures", "measures_dummy_data_config",
		"measures_disclosure_control_config", "claimed_permissions"} {
		if _, ok := md[k]; !ok {
			t.Errorf("ModuleDetails has no %q", k)
		}
	}
	if len(md) != 7 {
		t.Errorf("ModuleDetails has %d fields, want 7", len(md))
	}
}

func TestEncodeLiterals(t *testing.T) {
	for _, tc := range []struct {
		lit  model.Literal
		want string
	}{
		{model.IntLit(-3), `-3`},
		{model.FloatLit(1), `1.0`},
		{model.FloatLit(-0.5), `-0.5`},
		{model.FloatLit(1e-7), `1e-07`},
		{model.BoolLit(false), `false`},
		{model.StrLit("a\"b\\c\n"), `"a\"b\\c\n"`},
		{model.StrLit("é"), `"é"`},
		{model.DateLit(date("0999-01-02")), `{"date": "0999-01-02"}`},
		{must(model.CodeLit(codelists.CTV3, "Y1234")), `{"CTV3Code": "Y1234"}`},
		{must(model.CodeLit(codelists.DMD, "1234567")), `{"DMDCode": "1234567"}`},
		{must(model.SetLit(model.Any, nil)), `{"frozenset": []}`},
	} {
		def := &model.Definition{Dataset: &model.Dataset{
			Population: boolV(false),
			Variables:  []model.Variable{{Name: "v", Series: model.MustValue(tc.lit)}},
		}}
		if tc.lit.Type().Set {
			def.Dataset.Variables[0].Series = must(model.Function(model.OpIn, intV(1), model.MustValue(tc.lit)))
		}
		enc, err := model.Encode(def)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(enc, []byte(`{"Value": `+tc.want+`}`)) {
			t.Errorf("%v encoded as %s, want {\"Value\": %s}", tc.lit, enc, tc.want)
		}
		def2, err := model.Decode(enc, nil)
		if err != nil {
			t.Errorf("%v: decoding %s: %v", tc.lit, enc, err)
			continue
		}
		if a, b := rootIDs(def), rootIDs(def2); !reflect.DeepEqual(a, b) {
			t.Errorf("%v does not round-trip", tc.lit)
		}
	}
}
