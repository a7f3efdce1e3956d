package model_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/internal/spectest"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
)

// The seed study's definitions, serialised by ehrQL's serialize-definition.
var seedDatasets = []struct {
	file  string
	start string // the study period's start: the date ages are computed on
}{
	{"consultation_dataset_2019-04-01_to_2020-03-31.json", "2019-04-01"},
	{"consultation_dataset_2020-04-01_to_2021-03-31.json", "2020-04-01"},
	{"consultation_dataset_2021-04-01_to_2022-03-31.json", "2021-04-01"},
}

const seedMeasures = "consultation_measures.json"

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func decodeFile(t *testing.T, name string) *model.Definition {
	t.Helper()
	def, err := model.Decode(readTestdata(t, name), tables.Default())
	if err != nil {
		t.Fatalf("Decode(%s): %v", name, err)
	}
	return def
}

func TestDecodeSeedDatasets(t *testing.T) {
	wantVars := []struct {
		name string
		typ  model.Type
	}{
		{"has_virtual_consultation", model.Bool},
		{"count_virtual_consultation", model.Int},
		{"last_virtual_consultation_code", model.CodeType(codelists.SNOMEDCT)},
		{"has_f2f_consultation", model.Bool},
		{"count_f2f_consultation", model.Int},
		{"last_f2f_consultation_code", model.CodeType(codelists.SNOMEDCT)},
		{"last_appointment_status", model.Str},
		{"count_appointment", model.Int},
		{"has_appointment", model.Bool},
		{"age", model.Int},
		{"age_greater_equal_65", model.Bool},
		{"sex", model.Str},
		{"dod", model.Date},
		{"imd_quintile", model.Str},
		{"ethnicity", model.Str},
	}
	for _, sd := range seedDatasets {
		t.Run(sd.file, func(t *testing.T) {
			def := decodeFile(t, sd.file)
			ds := def.Dataset
			if ds == nil {
				t.Fatal("no dataset")
			}
			if len(ds.Variables) != len(wantVars) {
				t.Fatalf("%d variables, want %d", len(ds.Variables), len(wantVars))
			}
			byName := map[string]*model.Node{}
			for i, v := range ds.Variables {
				byName[v.Name] = v.Series
				if v.Name != wantVars[i].name {
					t.Errorf("variable %d is %q, want %q", i, v.Name, wantVars[i].name)
				}
				if v.Series.Type() != wantVars[i].typ {
					t.Errorf("variable %s has type %s, want %s", v.Name, v.Series.Type(), wantVars[i].typ)
				}
				if !v.Series.PatientDomain() {
					t.Errorf("variable %s is not patient-level", v.Name)
				}
			}
			if len(ds.Events) != 0 {
				t.Errorf("%d event tables, want none", len(ds.Events))
			}
			if ds.Population.Type() != model.Bool || ds.Population.Op() != model.OpAnd {
				t.Errorf("population is %s of type %s", ds.Population.Op(), ds.Population.Type())
			}
			if err := model.CheckPopulation(ds.Population); err != nil {
				t.Errorf("population: %v", err)
			}

			// Specific shapes.
			age := byName["age"]
			if age.Op() != model.OpDateDifferenceInYears || age.Arg(0).Literal().Go() != date(sd.start) ||
				age.Arg(1).Op() != model.OpSelectColumn || age.Arg(1).Name() != "date_of_birth" {
				t.Errorf("age is not (%s - patients.date_of_birth).years", sd.start)
			}
			ge65 := byName["age_greater_equal_65"]
			if ge65.Op() != model.OpGE || ge65.Arg(0) != age || ge65.Arg(1).Literal().Go() != int64(65) {
				t.Error("age_greater_equal_65 is not age >= 65 sharing the age node")
			}
			sex := byName["sex"]
			if sex.Op() != model.OpSelectColumn || sex.Arg(0).Table() != tables.Core("patients") {
				t.Error("sex is not patients.sex")
			}
			if byName["has_virtual_consultation"].Op() != model.OpExists || byName["count_virtual_consultation"].Op() != model.OpCount ||
				byName["has_virtual_consultation"].Arg(0) != byName["count_virtual_consultation"].Arg(0) {
				t.Error("has_/count_virtual_consultation do not aggregate one shared frame")
			}
			eth := byName["ethnicity"]
			if eth.Op() != model.OpCase {
				t.Fatalf("ethnicity is %s", eth.Op())
			}
			conds, values, dflt := eth.CaseBranches()
			if len(conds) != 5 || values[0].Literal().Go() != "White" || dflt.Literal().Go() != "missing" {
				t.Errorf("ethnicity case: %d branches, first value %v, default %v", len(conds), values[0].Literal(), dflt.Literal())
			}
			imd := byName["imd_quintile"]
			if _, v, d := imd.CaseBranches(); len(v) != 5 || v[0].Literal().Go() != "1" || d.Literal().Go() != "Missing" {
				t.Error("imd_quintile case is wrong")
			}
			code := byName["last_virtual_consultation_code"]
			if code.Op() != model.OpSelectColumn || code.Arg(0).Op() != model.OpPickOneRowPerPatient || code.Arg(0).Position() != model.Last {
				t.Error("last_virtual_consultation_code is not a column of a last-for-patient pick")
			}

			// The ModuleDetails.
			c := def.DatasetDummyDataConfig
			if c == nil || c.PopulationSize != 5000 || c.Legacy || c.Timeout != 60 || c.AdditionalPopulationConstraint != nil {
				t.Errorf("dataset dummy data config = %+v", c)
			}
			if !reflect.DeepEqual(def.ClaimedPermissions, []string{"appointments"}) {
				t.Errorf("claimed permissions = %q", def.ClaimedPermissions)
			}
			if def.Measures != nil || def.MeasuresDummyDataConfig != nil || def.MeasuresDisclosureControl != nil {
				t.Error("a dataset definition has measures")
			}
		})
	}
}

// walk calls f on every node reachable from n, once each.
func walk(n *model.Node, seen map[*model.Node]bool, f func(*model.Node)) {
	if n == nil || seen[n] {
		return
	}
	seen[n] = true
	f(n)
	for _, a := range n.Args() {
		walk(a, seen, f)
	}
}

func TestDecodeSeedMeasures(t *testing.T) {
	def := decodeFile(t, seedMeasures)
	if def.Dataset != nil || def.DatasetDummyDataConfig != nil {
		t.Error("the measures definition has a dataset")
	}
	if len(def.Measures) != 3 {
		t.Fatalf("%d measures, want 3", len(def.Measures))
	}
	wantNames := []string{"count_virtual_pre2019_monthly_age", "count_virtual_during2020_monthly_age", "count_virtual_during2021_monthly_age"}
	wantStarts := []string{"2019-03-23", "2020-03-23", "2021-03-23"}
	for i, m := range def.Measures {
		if m.Name != wantNames[i] {
			t.Errorf("measure %d is %q, want %q", i, m.Name, wantNames[i])
		}
		if m.Numerator.Type() != model.Int || m.Denominator.Type() != model.Int ||
			m.Numerator.Op() != model.OpCount || m.Denominator.Op() != model.OpCount {
			t.Errorf("%s: numerator %s %s, denominator %s %s", m.Name, m.Numerator.Op(), m.Numerator.Type(), m.Denominator.Op(), m.Denominator.Type())
		}
		if len(m.Intervals) != 12 {
			t.Errorf("%s: %d intervals, want 12", m.Name, len(m.Intervals))
		} else {
			start := date(wantStarts[i])
			for j, iv := range m.Intervals {
				ws, we := start.AddMonths(j), start.AddMonths(j+1).AddDays(-1)
				if iv[0] != ws || iv[1] != we {
					t.Errorf("%s: interval %d is %s..%s, want %s..%s", m.Name, j, iv[0], iv[1], ws, we)
				}
			}
		}
		var groups []string
		for _, g := range m.GroupBy {
			groups = append(groups, g.Name)
			if g.Series.Type() != model.Str || !g.Series.PatientDomain() {
				t.Errorf("%s: group %s has type %s", m.Name, g.Name, g.Series.Type())
			}
		}
		if !reflect.DeepEqual(groups, []string{"age_band", "sex", "ethnicity", "imd_quintile"}) {
			t.Errorf("%s: group_by %q", m.Name, groups)
		}
		// All three measures share one numerator and denominator (refs 1 and 12).
		if m.Numerator != def.Measures[0].Numerator || m.Denominator != def.Measures[0].Denominator {
			t.Errorf("%s: does not share the first measure's numerator and denominator", m.Name)
		}
	}
	// The numerator depends on the interval parameters.
	params := map[string]model.Type{}
	walk(def.Measures[0].Numerator, map[*model.Node]bool{}, func(n *model.Node) {
		if n.Op() == model.OpParameter {
			params[n.Name()] = n.Type()
		}
	})
	if !reflect.DeepEqual(params, map[string]model.Type{"interval_start_date": model.Date, "interval_end_date": model.Date}) {
		t.Errorf("parameters %v", params)
	}
	if c := def.MeasuresDisclosureControl; c == nil || !c.Enabled {
		t.Errorf("disclosure control = %+v, want enabled", c)
	}
	if c := def.MeasuresDummyDataConfig; c == nil || c.PopulationSize != 5000 || c.Timeout != 60 || c.Legacy {
		t.Errorf("measures dummy data config = %+v", c)
	}
	if !reflect.DeepEqual(def.ClaimedPermissions, []string{"appointments"}) {
		t.Errorf("claimed permissions = %q", def.ClaimedPermissions)
	}
}

// rootIDs lists the IDs of every node a definition refers to directly, with
// a label, in a fixed order.
func rootIDs(def *model.Definition) []string {
	var out []string
	add := func(label string, n *model.Node) {
		if n == nil {
			out = append(out, label+"=<nil>")
			return
		}
		out = append(out, fmt.Sprintf("%s=%x", label, n.ID()))
	}
	if ds := def.Dataset; ds != nil {
		add("population", ds.Population)
		for _, v := range ds.Variables {
			add("variable "+v.Name, v.Series)
		}
		for _, e := range ds.Events {
			add("events "+e.Name, e.Frame)
		}
	}
	for _, c := range []*model.DummyDataConfig{def.DatasetDummyDataConfig, def.MeasuresDummyDataConfig} {
		if c != nil {
			add("additional_population_constraint", c.AdditionalPopulationConstraint)
		}
	}
	for _, m := range def.Measures {
		add("numerator "+m.Name, m.Numerator)
		add("denominator "+m.Name, m.Denominator)
		for _, g := range m.GroupBy {
			add("group "+m.Name+"."+g.Name, g.Series)
		}
		out = append(out, fmt.Sprintf("intervals %s=%v", m.Name, m.Intervals))
	}
	return out
}

// checkRoundTrip encodes def, decodes the result, and checks that the
// decoded definition is the same, that encoding it again gives the same
// bytes, and that encoding is deterministic. It returns the encoding.
func checkRoundTrip(t *testing.T, def *model.Definition, r model.Resolver) []byte {
	t.Helper()
	enc1, err := model.Encode(def)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	if !json.Valid(enc1) {
		t.Fatalf("Encode produced invalid JSON: %.200s", enc1)
	}
	again, err := model.Encode(def)
	if err != nil || !bytes.Equal(enc1, again) {
		t.Fatalf("encoding twice gives different bytes (err %v)", err)
	}
	def2, err := model.Decode(enc1, r)
	if err != nil {
		t.Fatalf("Decode(Encode(def)): %v", err)
	}
	if a, b := rootIDs(def), rootIDs(def2); !reflect.DeepEqual(a, b) {
		t.Errorf("round trip changed the definition:\n before %v\n after  %v", a, b)
	}
	if !reflect.DeepEqual(def.ClaimedPermissions, def2.ClaimedPermissions) &&
		!(len(def.ClaimedPermissions) == 0 && len(def2.ClaimedPermissions) == 0) {
		t.Errorf("claimed permissions %q became %q", def.ClaimedPermissions, def2.ClaimedPermissions)
	}
	for _, pair := range [][2]*model.DummyDataConfig{
		{def.DatasetDummyDataConfig, def2.DatasetDummyDataConfig},
		{def.MeasuresDummyDataConfig, def2.MeasuresDummyDataConfig},
	} {
		if (pair[0] == nil) != (pair[1] == nil) {
			t.Errorf("dummy data config %+v became %+v", pair[0], pair[1])
		} else if pair[0] != nil {
			a, b := *pair[0], *pair[1]
			a.AdditionalPopulationConstraint, b.AdditionalPopulationConstraint = nil, nil
			if a != b {
				t.Errorf("dummy data config %+v became %+v", a, b)
			}
		}
	}
	if (def.MeasuresDisclosureControl == nil) != (def2.MeasuresDisclosureControl == nil) ||
		def.MeasuresDisclosureControl != nil && *def.MeasuresDisclosureControl != *def2.MeasuresDisclosureControl {
		t.Errorf("disclosure control %+v became %+v", def.MeasuresDisclosureControl, def2.MeasuresDisclosureControl)
	}
	enc2, err := model.Encode(def2)
	if err != nil {
		t.Fatalf("Encode(Decode(Encode(def))): %v", err)
	}
	if !bytes.Equal(enc1, enc2) {
		t.Errorf("Encode(Decode(Encode(def))) differs from Encode(def)")
	}
	return enc1
}

func TestSeedRoundTrip(t *testing.T) {
	files := []string{seedMeasures}
	for _, sd := range seedDatasets {
		files = append(files, sd.file)
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			def := decodeFile(t, f)
			checkRoundTrip(t, def, tables.Default())
		})
	}
}

// normalise turns a generic JSON value into a canonical form: the members
// of every frozenset are sorted (Python writes them in hash order).
func normalise(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			out[k] = normalise(val)
		}
		if members, ok := out["frozenset"].([]any); ok && len(out) == 1 {
			keys := make([]string, len(members))
			for i, m := range members {
				b, _ := json.Marshal(m)
				keys[i] = string(b)
			}
			sort.Sort(byKey{keys, members})
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = normalise(val)
		}
		return out
	}
	return v
}

type byKey struct {
	keys []string
	vals []any
}

func (b byKey) Len() int           { return len(b.keys) }
func (b byKey) Less(i, j int) bool { return b.keys[i] < b.keys[j] }
func (b byKey) Swap(i, j int) {
	b.keys[i], b.keys[j] = b.keys[j], b.keys[i]
	b.vals[i], b.vals[j] = b.vals[j], b.vals[i]
}

// firstDifference describes where two generic JSON values first differ.
func firstDifference(path string, a, b any) string {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: object vs %T", path, b)
		}
		var keys []string
		for k := range x {
			keys = append(keys, k)
		}
		for k := range y {
			if _, ok := x[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			xv, xok := x[k]
			yv, yok := y[k]
			if !xok || !yok {
				return fmt.Sprintf("%s.%s: present in only one (%v / %v)", path, k, xok, yok)
			}
			if d := firstDifference(path+"."+k, xv, yv); d != "" {
				return d
			}
		}
		return ""
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return fmt.Sprintf("%s: %v vs %v", path, a, b)
		}
		for i := range x {
			if d := firstDifference(fmt.Sprintf("%s[%d]", path, i), x[i], y[i]); d != "" {
				return d
			}
		}
		return ""
	}
	if !reflect.DeepEqual(a, b) {
		return fmt.Sprintf("%s: %v vs %v", path, a, b)
	}
	return ""
}

// Encoding a decoded seed file must give back the same JSON document as
// ehrQL wrote (same node ids, same structure), up to frozenset order and
// whitespace.
func TestEncodeMatchesEhrQL(t *testing.T) {
	files := []string{seedMeasures}
	for _, sd := range seedDatasets {
		files = append(files, sd.file)
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			orig := readTestdata(t, f)
			enc, err := model.Encode(decodeFile(t, f))
			if err != nil {
				t.Fatal(err)
			}
			var a, b any
			if err := json.Unmarshal(orig, &a); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(enc, &b); err != nil {
				t.Fatal(err)
			}
			a, b = normalise(a), normalise(b)
			if !reflect.DeepEqual(a, b) {
				t.Errorf("Encode(Decode(file)) differs from the file; first difference at %s", firstDifference("$", a, b))
			}
		})
	}
}

// doc assembles a wire-format document from a root value and stored nodes.
func doc(root string, nodes map[string]string) []byte {
	var b strings.Builder
	b.WriteString(`{"value": ` + root)
	ids := make([]string, 0, len(nodes))
	for id := range nodes {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		fmt.Fprintf(&b, ", %q: %s", id, nodes[id])
	}
	b.WriteString("}")
	return []byte(b.String())
}

const (
	moduleDetailsRoot = `{"ModuleDetails": {"dataset": {"ref": "1"}, "dataset_dummy_data_config": null, "test_data": null,
		"measures": null, "measures_dummy_data_config": null, "measures_disclosure_control_config": null,
		"claimed_permissions": {"tuple": []}}}`
	eventsRef   = `{"external_ref": {"module": "ehrql.tables.core", "name": "clinical_events"}}`
	patientsRef = `{"external_ref": {"module": "ehrql.tables.core", "name": "patients"}}`
)

// datasetDoc is a small valid definition whose variable x is node "3".
func datasetDoc(variable string, extra map[string]string) []byte {
	nodes := map[string]string{
		"1": `{"Dataset": {"population": {"ref": "2"}, "variables": {"dict": [["x", {"ref": "3"}]]}, "events": {"dict": []}, "measures": null}}`,
		"2": `{"AggregateByPatient.Exists": {"source": ` + eventsRef + `}}`,
		"3": variable,
	}
	for k, v := range extra {
		nodes[k] = v
	}
	return doc(moduleDetailsRoot, nodes)
}

func TestDecodeSmallDocuments(t *testing.T) {
	// A valid document.
	def, err := model.Decode(datasetDoc(`{"Function.Add": {"lhs": {"ref": "4"}, "rhs": {"Value": 1}}}`, map[string]string{
		"4": `{"AggregateByPatient.Count": {"source": ` + eventsRef + `}}`,
	}), tables.Default())
	if err != nil {
		t.Fatal(err)
	}
	x := def.Dataset.Variables[0].Series
	if x.Op() != model.OpAdd || x.Type() != model.Int || x.Arg(0).Op() != model.OpCount {
		t.Errorf("x = %s of type %s", x.Op(), x.Type())
	}
	if def.DatasetDummyDataConfig != nil || len(def.ClaimedPermissions) != 0 {
		t.Error("unexpected dummy data config or permissions")
	}

	// A bare Dataset at the root.
	def, err = model.Decode(doc(`{"ref": "1"}`, map[string]string{
		"1": `{"Dataset": {"population": {"ref": "2"}, "variables": {"dict": []}, "events": {"dict": []}, "measures": null}}`,
		"2": `{"AggregateByPatient.Exists": {"source": ` + eventsRef + `}}`,
	}), tables.Default())
	if err != nil || def.Dataset == nil || def.Dataset.Population.Op() != model.OpExists {
		t.Errorf("bare Dataset: %v", err)
	}

	// Literal forms. Scalars are decoded as the source of IsNull, sets as
	// the right-hand side of In.
	for _, tc := range []struct {
		value string
		lhs   string // for sets: the In's left-hand side
		want  model.Literal
	}{
		{`1`, "", model.IntLit(1)},
		{`-7`, "", model.IntLit(-7)},
		{`1.0`, "", model.FloatLit(1)},
		{`1e-05`, "", model.FloatLit(1e-5)},
		{`1e+16`, "", model.FloatLit(1e16)},
		{`true`, "", model.BoolLit(true)},
		{`"a\"b"`, "", model.StrLit(`a"b`)},
		{`{"date": "2020-02-29"}`, "", model.DateLit(date("2020-02-29"))},
		{`{"SNOMEDCTCode": "123456"}`, "", must(model.CodeLit(codelists.SNOMEDCT, "123456"))},
		{`{"CTV3Code": "Xa0lK"}`, "", must(model.CodeLit(codelists.CTV3, "Xa0lK"))},
		{`{"ICD10Code": "A01X2"}`, "", must(model.CodeLit(codelists.ICD10, "A01X2"))},
		{`{"frozenset": []}`, `1`, must(model.SetLit(model.Any, nil))},
		{`{"frozenset": [3, 1, 2, 1]}`, `1`, must(model.SetLit(model.Int, []model.Literal{model.IntLit(1), model.IntLit(2), model.IntLit(3)}))},
		{`{"frozenset": [{"date": "2020-01-01"}]}`, `{"date": "2020-01-01"}`,
			must(model.SetLit(model.Date, []model.Literal{model.DateLit(date("2020-01-01"))}))},
		{`{"frozenset": [{"OPCS4Code": "H01"}, {"OPCS4Code": "H011"}]}`, `{"OPCS4Code": "H01"}`,
			must(model.SetLit(model.CodeType(codelists.OPCS4), []model.Literal{
				must(model.CodeLit(codelists.OPCS4, "H011")), must(model.CodeLit(codelists.OPCS4, "H01"))}))},
	} {
		node := `{"Function.IsNull": {"source": {"Value": ` + tc.value + `}}}`
		arg := 0
		if tc.lhs != "" {
			node = `{"Function.In": {"lhs": {"Value": ` + tc.lhs + `}, "rhs": {"Value": ` + tc.value + `}}}`
			arg = 1
		}
		def, err := model.Decode(datasetDoc(node, nil), tables.Default())
		if err != nil {
			t.Errorf("Value %s: %v", tc.value, err)
			continue
		}
		got := def.Dataset.Variables[0].Series.Arg(arg).Literal()
		if model.MustValue(got).ID() != model.MustValue(tc.want).ID() || got.Type() != tc.want.Type() {
			t.Errorf("Value %s decoded as %v (%s), want %v (%s)", tc.value, got, got.Type(), tc.want, tc.want.Type())
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		data  []byte
		frags []string
	}{
		{"malformed JSON", []byte(`{"value": `), []string{"not a JSON query model"}},
		{"not an object", []byte(`[1, 2]`), []string{"not a JSON query model"}},
		{"no value", []byte(`{"1": {"Value": 1}}`), []string{`no "value" key`}},
		{"value of the wrong kind", []byte(`{"value": 1}`), []string{"value: expected a ModuleDetails or Dataset object, got a number 1"}},
		{"unknown table", datasetDoc(`{"AggregateByPatient.Count": {"source": {"external_ref": {"module": "ehrql.tables.tpp", "name": "no_such_table"}}}}`, nil),
			[]string{"unknown table ehrql.tables.tpp.no_such_table"}},
		{"unknown module", datasetDoc(`{"AggregateByPatient.Count": {"source": {"external_ref": {"module": "ehrql.tables.beta", "name": "patients"}}}}`, nil),
			[]string{"unknown table ehrql.tables.beta.patients"}},
		{"unknown node class", datasetDoc(`{"Function.Frobnicate": {"source": {"Value": 1}}}`, nil),
			[]string{"node 3", "Function.Frobnicate"}},
		{"missing ref", datasetDoc(`{"Function.Not": {"source": {"ref": "99"}}}`, nil),
			[]string{`ref "99"`, "no such node"}},
		{"self reference", datasetDoc(`{"Function.Not": {"source": {"ref": "3"}}}`, nil), []string{"node 3 refers to itself"}},
		{"reference cycle", datasetDoc(`{"Function.Not": {"source": {"ref": "4"}}}`, map[string]string{
			"4": `{"Function.Not": {"source": {"ref": "3"}}}`}), []string{"refers to itself"}},
		{"invalid code", datasetDoc(`{"Function.EQ": {"lhs": {"ref": "4"}, "rhs": {"Value": {"SNOMEDCTCode": "abc"}}}}`, map[string]string{
			"4": `{"SelectColumn": {"source": ` + eventsRef + `, "name": "snomedct_code"}}`}), []string{"Invalid SNOMEDCTCode: abc"}},
		{"invalid code in a set", datasetDoc(`{"Function.IsNull": {"source": {"Value": {"frozenset": [{"CTV3Code": "too long"}]}}}}`, nil),
			[]string{"Invalid CTV3Code: too long"}},
		{"unknown code system", datasetDoc(`{"Function.IsNull": {"source": {"Value": {"ReadCode": "abc"}}}}`, nil), []string{"ReadCode"}},
		{"type error names the node", datasetDoc(`{"Function.Add": {"lhs": {"ref": "4"}, "rhs": {"Value": 1.0}}}`, map[string]string{
			"4": `{"AggregateByPatient.Count": {"source": ` + eventsRef + `}}`}),
			[]string{"node 3", "Function.Add", "Expected type 'Series[int]' but got 'Series[float]'"}},
		{"type error in a deeper node", datasetDoc(`{"Function.Not": {"source": {"ref": "4"}}}`, map[string]string{
			"4": `{"Function.LT": {"lhs": {"Value": true}, "rhs": {"Value": false}}}`}),
			[]string{"node 4", "Function.LT", "Series[Comparable]"}},
		{"domain error names the node", datasetDoc(`{"AggregateByPatient.Sum": {"source": {"ref": "4"}}}`, map[string]string{
			"4": `{"SelectColumn": {"source": ` + patientsRef + `, "name": "date_of_birth"}}`}),
			[]string{"node 3", "AggregateByPatient.Sum"}},
		{"unknown column", datasetDoc(`{"SelectColumn": {"source": `+patientsRef+`, "name": "height"}}`, nil),
			[]string{"node 3", `no column "height"`}},
		{"invalid date", datasetDoc(`{"Function.IsNull": {"source": {"Value": {"date": "2020-02-30"}}}}`, nil),
			[]string{"day is out of range for month"}},
		{"malformed date", datasetDoc(`{"Function.IsNull": {"source": {"Value": {"date": "20200101"}}}}`, nil),
			[]string{"YYYY-MM-DD"}},
		{"NULL Value", datasetDoc(`{"Function.IsNull": {"source": {"Value": null}}}`, nil), []string{"Value"}},
		{"mixed set", datasetDoc(`{"Function.IsNull": {"source": {"Value": {"frozenset": [1, "a"]}}}}`, nil), []string{"one type"}},
		{"missing field", datasetDoc(`{"Function.Not": {}}`, nil), []string{"node 3", `missing field "source"`}},
		{"node field is not a node", datasetDoc(`{"Function.Not": {"source": 1}}`, nil), []string{"expected a node"}},
		{"object with two keys", datasetDoc(`{"Function.Not": {"source": {"Value": true}}, "extra": 1}`, nil), []string{"one key"}},
		{"invalid population", doc(moduleDetailsRoot, map[string]string{
			"1": `{"Dataset": {"population": {"ref": "2"}, "variables": {"dict": []}, "events": {"dict": []}, "measures": null}}`,
			"2": `{"Function.Not": {"source": {"ref": "3"}}}`,
			"3": `{"AggregateByPatient.Exists": {"source": ` + eventsRef + `}}`,
		}), []string{nullPopulationMsg}},
		{"invalid variable name", doc(moduleDetailsRoot, map[string]string{
			"1": `{"Dataset": {"population": {"ref": "2"}, "variables": {"dict": [["patient_id", {"ref": "2"}]]}, "events": {"dict": []}, "measures": null}}`,
			"2": `{"AggregateByPatient.Exists": {"source": ` + eventsRef + `}}`,
		}), []string{"'patient_id' is not an allowed variable name"}},
		{"pick of an unsorted frame", datasetDoc(`{"AggregateByPatient.Exists": {"source": {"ref": "4"}}}`, map[string]string{
			"4": `{"PickOneRowPerPatient": {"source": ` + eventsRef + `, "position": {"Position": "first"}}}`}),
			[]string{"node 4", "SortedFrame"}},
		{"bad position", datasetDoc(`{"AggregateByPatient.Exists": {"source": {"ref": "4"}}}`, map[string]string{
			"4": `{"PickOneRowPerPatient": {"source": {"ref": "5"}, "position": {"Position": "middle"}}}`,
			"5": `{"Sort": {"source": ` + eventsRef + `, "sort_by": {"ref": "6"}}}`,
			"6": `{"SelectColumn": {"source": ` + eventsRef + `, "name": "date"}}`}),
			[]string{"node 4 (PickOneRowPerPatient).position", `unknown position "middle"`}},
		{"unknown type name", datasetDoc(`{"Parameter": {"name": "p", "type": {"type": "decimal"}}}`, nil), []string{`unknown type "decimal"`}},
		{"rows given as a bare path", datasetDoc(`{"AggregateByPatient.Exists": {"source": {"ref": "4"}}}`, map[string]string{
			"4": `{"InlinePatientTable": {"rows": {"Path": "x.csv"}, "schema": null}}`}),
			[]string{"node 4 (InlinePatientTable).rows", `got a "Path" object`}},
	} {
		_, err := model.Decode(tc.data, tables.Default())
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		for _, f := range tc.frags {
			if !strings.Contains(err.Error(), f) {
				t.Errorf("%s: error %q does not contain %q", tc.name, err, f)
			}
		}
	}
	// Without a catalogue, catalogue tables cannot be resolved.
	_, err := model.Decode(readTestdata(t, seedDatasets[0].file), nil)
	wantErr(t, err, "unknown table ehrql.tables.tpp.practice_registrations")
}

// A type error in a real file names the node it occurs in.
func TestDecodeSeedWithTypeError(t *testing.T) {
	data := readTestdata(t, seedDatasets[0].file)
	var docMap map[string]any
	if err := json.Unmarshal(data, &docMap); err != nil {
		t.Fatal(err)
	}
	// Node 54 is age >= 65; make the 65 a float.
	ge := docMap["54"].(map[string]any)["Function.GE"].(map[string]any)
	ge["rhs"] = map[string]any{"Value": 65.5}
	bad, _ := json.Marshal(docMap)
	_, err := model.Decode(bad, tables.Default())
	wantErr(t, err, "node 54", "Function.GE", "Expected type 'Series[int]' but got 'Series[float]'")

	// Replace a catalogue table name.
	bad = bytes.Replace(data, []byte(`"name": "appointments"`), []byte(`"name": "appointmentz"`), 1)
	_, err = model.Decode(bad, tables.Default())
	wantErr(t, err, "unknown table ehrql.tables.tpp.appointmentz")
}

// ehrQL's serialiser uses Python's json.dumps, which writes non-finite
// floats as NaN, Infinity and -Infinity; json.loads reads them back.
func TestNonFiniteFloats(t *testing.T) {
	for _, v := range []string{"Infinity", "-Infinity", "NaN"} {
		_, err := model.Decode(datasetDoc(`{"Function.IsNull": {"source": {"Value": `+v+`}}}`, nil), tables.Default())
		if err != nil {
			t.Errorf("Value %s: %v", v, err)
		}
	}
	b := builder{t}
	p := b.table(spectest.PatientTable)
	def := &model.Definition{Dataset: &model.Dataset{
		Population: b.fn(model.OpLT, b.col(p, "f1"), floatV(math.Inf(1))),
	}}
	enc, err := model.Encode(def)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := model.Decode(enc, nil); err != nil {
		t.Errorf("Decode(Encode(p.f1 < inf)): %v", err)
	}
}

// The comparison used by TestEncodeMatchesEhrQL must see real differences
// and ignore only frozenset order.
func TestNormaliseComparison(t *testing.T) {
	parse := func(s string) any {
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			t.Fatal(err)
		}
		return normalise(v)
	}
	base := `{"value": {"ref": "1"}, "1": {"Function.In": {"lhs": {"ref": "2"}, "rhs": {"Value": {"frozenset": [1, 2, 3]}}}}}`
	for _, same := range []string{
		`{"1": {"Function.In": {"rhs": {"Value": {"frozenset": [3, 1, 2]}}, "lhs": {"ref": "2"}}}, "value": {"ref": "1"}}`,
		`{"value": {"ref": "1"}, "1": {"Function.In": {"lhs": {"ref": "2"}, "rhs": {"Value": {"frozenset": [2, 3, 1.0]}}}}}`,
	} {
		if !reflect.DeepEqual(parse(base), parse(same)) {
			t.Errorf("normalised documents differ: %s", firstDifference("$", parse(base), parse(same)))
		}
	}
	for _, diff := range []string{
		`{"value": {"ref": "1"}, "1": {"Function.In": {"lhs": {"ref": "3"}, "rhs": {"Value": {"frozenset": [1, 2, 3]}}}}}`,
		`{"value": {"ref": "1"}, "1": {"Function.In": {"lhs": {"ref": "2"}, "rhs": {"Value": {"frozenset": [1, 2]}}}}}`,
		`{"value": {"ref": "1"}, "1": {"Function.In": {"lhs": {"ref": "2"}, "rhs": {"Value": {"tuple": [3, 1, 2]}}}}}`,
		`{"value": {"ref": "2"}, "1": {"Function.In": {"lhs": {"ref": "2"}, "rhs": {"Value": {"frozenset": [1, 2, 3]}}}}}`,
	} {
		if reflect.DeepEqual(parse(base), parse(diff)) {
			t.Errorf("normalised documents compare equal: %s", diff)
		}
		if firstDifference("$", parse(base), parse(diff)) == "" {
			t.Errorf("firstDifference found nothing for %s", diff)
		}
	}
}

// ehrQL's deserialiser builds each object with type_(**fields), so an
// unknown or misspelled field is an error. Ignoring it silently can change
// a query: a misspelled Case "default" becomes a NULL default.
func TestDecodeRejectsUnknownFields(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"misspelled Case default", datasetDoc(`{"Case": {"cases": {"dict": [[{"Value": true}, {"Value": 1}]]}, "defualt": {"Value": 2}}}`, nil)},
		{"extra function field", datasetDoc(`{"Function.Not": {"source": {"Value": true}, "bogus": 1}}`, nil)},
		{"extra Dataset field", datasetDoc(`{"Function.IsNull": {"source": {"Value": 1}}}`, map[string]string{
			"1": `{"Dataset": {"population": {"ref": "2"}, "variables": {"dict": [["x", {"ref": "3"}]]}, "events": {"dict": []}, "measures": null, "extra": 5}}`})},
	} {
		if _, err := model.Decode(tc.data, tables.Default()); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}

// ehrql.tables.tpp re-exports core.patients: both references decode to the
// same node, which is written back under the module that defines it.
func TestDecodeReexportedTable(t *testing.T) {
	var ids []model.ID
	for _, module := range []string{"ehrql.tables.tpp", "ehrql.tables.core"} {
		ref := `{"external_ref": {"module": "` + module + `", "name": "patients"}}`
		def, err := model.Decode(datasetDoc(`{"SelectColumn": {"source": `+ref+`, "name": "sex"}}`, nil), tables.Default())
		if err != nil {
			t.Fatalf("%s.patients: %v", module, err)
		}
		x := def.Dataset.Variables[0].Series
		ids = append(ids, x.ID())
		enc, err := model.Encode(def)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(enc, []byte(`{"external_ref": {"module": "ehrql.tables.core", "name": "patients"}}`)) {
			t.Errorf("%s.patients not written as core.patients: %s", module, enc)
		}
	}
	if ids[0] != ids[1] {
		t.Error("tpp.patients and core.patients decode to different nodes")
	}
}
