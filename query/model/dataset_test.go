package model_test

import (
	"testing"

	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
)

const nullPopulationMsg = "population definition must not evaluate as True for NULL inputs"

// Spec 2.18: the population is evaluated for a patient with no data in any
// table and must not be True.
func TestCheckPopulationSpecExamples(t *testing.T) {
	s := newSpec(t)
	e, p := s.e, s.p
	i1 := s.pc("i1")
	not := func(n *model.Node) *model.Node { return s.fn(model.OpNot, n) }
	eExists := s.agg(model.OpExists, e)
	pExists := s.agg(model.OpExists, p)
	gt1 := s.fn(model.OpGT, i1, intV(1))
	whenNullThen := func(x, y *model.Node) *model.Node {
		return s.caseOf([]*model.Node{not(s.fn(model.OpIsNull, x))}, []*model.Node{x}, y)
	}

	rejected := map[string]*model.Node{
		"~e.exists_for_patient()":                          not(eExists),
		"p.i1.is_null()":                                   s.fn(model.OpIsNull, i1),
		"e.count_for_patient() == 0":                       s.fn(model.OpEQ, s.agg(model.OpCount, e), intV(0)),
		"e.count_for_patient() >= 0":                       s.fn(model.OpGE, s.agg(model.OpCount, e), intV(0)),
		"p.count_for_patient() == 0":                       s.fn(model.OpEQ, s.agg(model.OpCount, p), intV(0)),
		"(p.i1 > 1).when_null_then(True)":                  whenNullThen(gt1, boolV(true)),
		"p.i1.is_not_in([])":                               not(s.fn(model.OpIn, i1, s.set(model.Any))),
		"case(when(p.i1 > 1).then(False), otherwise=True)": s.caseOf([]*model.Node{gt1}, []*model.Node{boolV(false)}, boolV(true)),
		"e.i1.sum_for_patient().is_null()":                 s.fn(model.OpIsNull, s.agg(model.OpSum, s.ec("i1"))),
		"e.i1.count_distinct_for_patient() == 0":           s.fn(model.OpEQ, s.agg(model.OpCountDistinct, s.ec("i1")), intV(0)),
		"maximum_of(1, p.i1) > 0":                          s.fn(model.OpGT, s.fn(model.OpMaximumOf, intV(1), i1), intV(0)),
		"p.exists_for_patient() | p.i1.is_null()":          s.fn(model.OpOr, pExists, s.fn(model.OpIsNull, i1)),
		"True (as a Value node)":                           boolV(true),
		"e.d1.count_episodes_for_patient(days(3)) == 0":    s.fn(model.OpEQ, must(model.CountEpisodes(s.ec("d1"), 3)), intV(0)),
		"p.i1.is_not_in(e.i1)":                             not(s.fn(model.OpIn, i1, s.agg(model.OpCombineAsSet, s.ec("i1")))),
		"~e.sort_by(e.i1).first_for_patient().exists":      not(s.agg(model.OpExists, s.pick(s.sort(e, s.ec("i1")), model.First))),
		"e.sort_by(e.i1).first_for_patient().i2.is_null()": s.fn(model.OpIsNull,
			s.col(s.pick(s.sort(e, s.ec("i1")), model.First), "i2")),
	}
	accepted := map[string]*model.Node{
		"e.exists_for_patient()": eExists,
		"p.exists_for_patient()": pExists,
		"p.i1 > 0":               s.fn(model.OpGT, i1, intV(0)),
		"~p.i1.is_in([1])":       not(s.fn(model.OpIn, i1, s.set(model.Int, model.IntLit(1)))),
		"p.exists_for_patient() & ~e.exists_for_patient()": s.fn(model.OpAnd, pExists, not(eExists)),
		"~p.b1": not(s.pc("b1")),
		"p.b1":  s.pc("b1"),
		"case(when(i1<=8).then(True), when(i1>8).then(False))": s.caseOf(
			[]*model.Node{s.fn(model.OpLE, i1, intV(8)), s.fn(model.OpGT, i1, intV(8))},
			[]*model.Node{boolV(true), boolV(false)}, nil),
		"(p.i1 > 1).when_null_then(False)": whenNullThen(gt1, boolV(false)),
		"False (as a Value node)":          boolV(false),
		"e.count_for_patient() > 0":        s.fn(model.OpGT, s.agg(model.OpCount, e), intV(0)),
		"depends on a Parameter":           s.fn(model.OpLT, dateV("2020-01-01"), must(model.Parameter("interval_start_date", model.Date))),
	}
	for name, n := range rejected {
		err := model.CheckPopulation(n)
		if err == nil {
			t.Errorf("population %s accepted, want rejected", name)
			continue
		}
		wantErr(t, err, nullPopulationMsg)
	}
	for name, n := range accepted {
		if err := model.CheckPopulation(n); err != nil {
			t.Errorf("population %s rejected: %v", name, err)
		}
	}
}

// The same examples with catalogue tables.
func TestCheckPopulationCatalogueTables(t *testing.T) {
	b := builder{t}
	patients := b.table(tables.Core("patients"))
	events := b.table(tables.Core("clinical_events"))
	regs := b.table(tables.TPP("practice_registrations"))
	dob := b.col(patients, "date_of_birth")
	exists := b.agg(model.OpExists, events)
	not := func(n *model.Node) *model.Node { return b.fn(model.OpNot, n) }
	codes := b.set(model.CodeType(codelists.SNOMEDCT), must(model.CodeLit(codelists.SNOMEDCT, "123456")))
	hasCode := b.agg(model.OpExists, b.filter(events, b.fn(model.OpIn, b.col(events, "snomedct_code"), codes)))
	age := b.fn(model.OpDateDifferenceInYears, dateV("2020-01-01"), dob)
	registered := b.agg(model.OpExists, b.filter(regs, b.fn(model.OpLE, b.col(regs, "start_date"), dateV("2020-01-01"))))
	isAlive := b.fn(model.OpOr, b.fn(model.OpGT, b.col(patients, "date_of_death"), dateV("2020-01-01")),
		b.fn(model.OpIsNull, b.col(patients, "date_of_death")))

	for name, n := range map[string]*model.Node{
		"~clinical_events.exists_for_patient()":    not(exists),
		"patients.date_of_birth.is_null()":         b.fn(model.OpIsNull, dob),
		"clinical_events.count_for_patient() == 0": b.fn(model.OpEQ, b.agg(model.OpCount, events), intV(0)),
		"(age > 18).when_null_then(True)": b.caseOf(
			[]*model.Node{not(b.fn(model.OpIsNull, b.fn(model.OpGT, age, intV(18))))},
			[]*model.Node{b.fn(model.OpGT, age, intV(18))}, boolV(true)),
		"patients.sex.is_not_in([])": not(b.fn(model.OpIn, b.col(patients, "sex"), b.set(model.Any))),
		"maximum_of(1, clinical_events.numeric_value.count_distinct_for_patient()) > 0": b.fn(model.OpGT,
			b.fn(model.OpMaximumOf, intV(1), b.agg(model.OpCountDistinct, b.col(events, "numeric_value"))), intV(0)),
		"patients.is_alive_on(2020-01-01)": isAlive,
	} {
		wantErr(t, model.CheckPopulation(n), nullPopulationMsg)
		_ = name
	}
	for name, n := range map[string]*model.Node{
		"clinical_events.exists_for_patient()":      exists,
		"age > 0":                                   b.fn(model.OpGT, age, intV(0)),
		"~patients.sex.is_in(['male'])":             not(b.fn(model.OpIn, b.col(patients, "sex"), b.set(model.Str, model.StrLit("male")))),
		"patients.exists & ~clinical_events.exists": b.fn(model.OpAnd, b.agg(model.OpExists, patients), not(exists)),
		"registered & has_code":                     b.fn(model.OpAnd, registered, hasCode),
		"registered & is_alive":                     b.fn(model.OpAnd, registered, isAlive),
	} {
		if err := model.CheckPopulation(n); err != nil {
			t.Errorf("population %s rejected: %v", name, err)
		}
	}
}

func TestCheckPopulationShape(t *testing.T) {
	s := newSpec(t)
	for _, tc := range []struct {
		name string
		n    *model.Node
		frag string
	}{
		{"int series", s.pc("i1"), "Expecting a boolean series, got Series[int]"},
		{"event series", s.ec("b1"), "Expecting a series with only one value per patient"},
		{"frame", s.p, "got a frame"},
		{"nothing", nil, "got nothing"},
		{"set", s.agg(model.OpCombineAsSet, s.ec("b1")), "Set[bool]"},
	} {
		err := model.CheckPopulation(tc.n)
		wantErr(t, err, "invalid population", tc.frag)
	}
}

// Spec 2.19: names must match ^[A-Za-z]+[A-Za-z0-9_]*$; three are reserved.
func TestCheckVariableName(t *testing.T) {
	for _, name := range []string{"x", "age", "Age65", "has_code_2", "a_", "A", "add_column", "define_population", "events"} {
		if err := model.CheckVariableName(name); err != nil {
			t.Errorf("CheckVariableName(%q): %v", name, err)
		}
	}
	for _, name := range []string{"_x", "1x", "a-b", "é", "aé", "a b", "", "x!", "a.b", "ab\n"} {
		wantErr(t, model.CheckVariableName(name),
			"variable names must start with a letter, and contain only alphanumeric characters and underscores",
			"(you defined a variable '"+name+"')")
	}
	for name, msg := range map[string]string{
		"patient_id":        "'patient_id' is not an allowed variable name",
		"dummy_data_config": "'dummy_data_config' is not an allowed variable name",
		"population":        "Cannot set variable 'population'; use define_population() instead",
	} {
		err := model.CheckVariableName(name)
		if err == nil || err.Error() != msg {
			t.Errorf("CheckVariableName(%q) = %v, want %q", name, err, msg)
		}
	}
	if !model.ValidName("a1_") || model.ValidName("1a") || model.ValidName("_") {
		t.Error("ValidName is wrong")
	}
}

func TestDatasetValidate(t *testing.T) {
	s := newSpec(t)
	pop := s.agg(model.OpExists, s.e)
	frame := must(model.SeriesCollectionFrame([]string{"code", "age"}, []*model.Node{s.ec("c1"), s.pc("i1")}))
	good := &model.Dataset{
		Population: pop,
		Variables:  []model.Variable{{Name: "i", Series: s.pc("i1")}, {Name: "n", Series: s.agg(model.OpCount, s.e)}},
		Events:     []model.EventTable{{Name: "events", Frame: frame}},
	}
	if err := good.Validate(); err != nil {
		t.Fatalf("valid dataset rejected: %v", err)
	}
	for _, tc := range []struct {
		name string
		ds   model.Dataset
		frag string
	}{
		{"no population", model.Dataset{}, "A population has not been defined; define one with define_population()"},
		{"bad population", model.Dataset{Population: s.fn(model.OpNot, pop)}, nullPopulationMsg},
		{"event-level population", model.Dataset{Population: s.ec("b1")}, "only one value per patient"},
		{"reserved name", model.Dataset{Population: pop, Variables: []model.Variable{{Name: "population", Series: s.pc("i1")}}},
			"Cannot set variable 'population'"},
		{"invalid name", model.Dataset{Population: pop, Variables: []model.Variable{{Name: "1x", Series: s.pc("i1")}}},
			"you defined a variable '1x'"},
		{"reassigned", model.Dataset{Population: pop, Variables: []model.Variable{{Name: "x", Series: s.pc("i1")}, {Name: "x", Series: s.pc("i2")}}},
			"'x' is already set and cannot be reassigned"},
		{"event series", model.Dataset{Population: pop, Variables: []model.Variable{{Name: "y", Series: s.ec("i1")}}},
			"invalid variable 'y':\nExpecting a series with only one value per patient"},
		{"frame", model.Dataset{Population: pop, Variables: []model.Variable{{Name: "y", Series: s.p}}},
			"invalid variable 'y':\nExpecting an ehrQL series, got a frame: are you missing a column name?"},
		{"nil series", model.Dataset{Population: pop, Variables: []model.Variable{{Name: "y"}}}, "invalid variable 'y'"},
		{"set series", model.Dataset{Population: pop, Variables: []model.Variable{{Name: "y", Series: s.agg(model.OpCombineAsSet, s.ec("i1"))}}},
			"Set[int]"},
		{"event table shares the namespace", model.Dataset{Population: pop, Variables: []model.Variable{{Name: "events", Series: s.pc("i1")}},
			Events: []model.EventTable{{Name: "events", Frame: frame}}}, "'events' is already set"},
		{"event table name", model.Dataset{Population: pop, Events: []model.EventTable{{Name: "patient_id", Frame: frame}}},
			"'patient_id' is not an allowed variable name"},
		{"event table not a collection", model.Dataset{Population: pop, Events: []model.EventTable{{Name: "ev", Frame: s.e}}},
			"must be a SeriesCollectionFrame"},
	} {
		ds := tc.ds
		wantErr(t, ds.Validate(), tc.frag)
	}
}

func TestDefaultDummyDataConfig(t *testing.T) {
	c := model.DefaultDummyDataConfig()
	if c.PopulationSize != 10 || c.Timeout != 60 || c.Legacy || c.AdditionalPopulationConstraint != nil {
		t.Errorf("DefaultDummyDataConfig = %+v, want population 10, timeout 60", c)
	}
}

// Spec 2.19: event-table column names follow the variable-name rules; the
// output table has a patient_id column, and a dict cannot repeat a name.
func TestEventTableColumnNames(t *testing.T) {
	s := newSpec(t)
	pop := s.agg(model.OpExists, s.e)
	ok := must(model.SeriesCollectionFrame([]string{"a", "b_2"}, []*model.Node{s.ec("i1"), s.ec("i2")}))
	if err := (&model.Dataset{Population: pop, Events: []model.EventTable{{Name: "ev", Frame: ok}}}).Validate(); err != nil {
		t.Fatalf("valid event table rejected: %v", err)
	}
	for _, names := range [][]string{{"patient_id", "a"}, {"1x", "a"}, {"x", "x"}, {"a-b", "a"}} {
		_, err := model.SeriesCollectionFrame(names, []*model.Node{s.ec("i1"), s.ec("i2")})
		if err == nil {
			f := must(model.SeriesCollectionFrame(names, []*model.Node{s.ec("i1"), s.ec("i2")}))
			err = (&model.Dataset{Population: pop, Events: []model.EventTable{{Name: "ev", Frame: f}}}).Validate()
		}
		if err == nil {
			t.Errorf("event table with columns %q accepted", names)
		}
	}
}
