package query_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
	"github.com/ehrql-go/ehrql/tables/core"
)

func sampleDataset() *query.Dataset {
	start := query.Date("2020-01-01")
	ce := core.ClinicalEvents
	ds := query.NewDataset()
	ds.DefinePopulation(core.PracticeRegistrations.ExistsForPatientOn(start).And(core.Patients.Sex.IsIn("female", "male")))
	recent := ce.Where(ce.Date.IsOnOrAfter(start.Sub(query.Years(1))))
	ds.Add("zeta_age", core.Patients.AgeOn(start))
	ds.Add("alpha_sex", core.Patients.Sex)
	ds.Add("mid_last_value", recent.SortBy(recent.Date).LastForPatient().NumericValue)
	ds.Add("b_count", recent.CountForPatient())
	ds.Add("a_dead", core.Patients.IsDeadOn(start))
	return ds
}

func TestDefinitionOrderAndDefaults(t *testing.T) {
	def, err := sampleDataset().Definition()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range def.Dataset.Variables {
		names = append(names, v.Name)
	}
	want := []string{"zeta_age", "alpha_sex", "mid_last_value", "b_count", "a_dead"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("variables %q, want insertion order %q", names, want)
	}
	if def.Dataset.Population == nil || def.Dataset.Population.Op() != model.OpAnd {
		t.Errorf("population = %v", def.Dataset.Population)
	}
	c := def.DatasetDummyDataConfig
	if c == nil || c.PopulationSize != 10 || c.Timeout != 60 || c.Legacy || c.AdditionalPopulationConstraint != nil {
		t.Errorf("default dummy config = %+v, want size 10, timeout 60", c)
	}
	if len(def.ClaimedPermissions) != 0 {
		t.Errorf("claimed = %q", def.ClaimedPermissions)
	}
	if len(def.Measures) != 0 {
		t.Errorf("measures = %v", def.Measures)
	}
}

func TestDefinitionDummyDataAndPermissions(t *testing.T) {
	ds := sampleDataset()
	ds.ConfigureDummyData(query.DummyData{PopulationSize: 500})
	ds.ClaimPermissions("appointments")
	ds.ClaimPermissions("wl_clockstops", "wl_openpathways")
	def, err := ds.Definition()
	if err != nil {
		t.Fatal(err)
	}
	if c := def.DatasetDummyDataConfig; c.PopulationSize != 500 || c.Timeout != 60 {
		t.Errorf("config = %+v", c)
	}
	if want := []string{"appointments", "wl_clockstops", "wl_openpathways"}; !reflect.DeepEqual(def.ClaimedPermissions, want) {
		t.Errorf("claimed = %q, want %q", def.ClaimedPermissions, want)
	}

	ds2 := sampleDataset()
	constraint := core.Patients.DateOfBirth.IsAfter(query.Date("1950-01-01"))
	ds2.ConfigureDummyData(query.DummyData{TimeoutSeconds: 5, AdditionalPopulationConstraint: constraint})
	def2, err := ds2.Definition()
	if err != nil {
		t.Fatal(err)
	}
	c := def2.DatasetDummyDataConfig
	if c.PopulationSize != 10 || c.Timeout != 5 || c.Legacy {
		t.Errorf("config = %+v", c)
	}
	if c.AdditionalPopulationConstraint == nil || c.AdditionalPopulationConstraint.ID() != mustNode(t, constraint).ID() {
		t.Errorf("constraint = %v", c.AdditionalPopulationConstraint)
	}

	ds3 := sampleDataset()
	ds3.ConfigureDummyData(query.DummyData{Legacy: true})
	def3, err := ds3.Definition()
	if err != nil {
		t.Fatal(err)
	}
	if !def3.DatasetDummyDataConfig.Legacy {
		t.Error("legacy not set")
	}

	// The definition keeps its own copy of the claims.
	def.ClaimedPermissions[0] = "changed"
	again, _ := ds.Definition()
	if again.ClaimedPermissions[0] != "appointments" {
		t.Error("Definition should copy the claimed permissions")
	}
}

func TestDefinitionEncodeDecodeRoundTrip(t *testing.T) {
	ds := sampleDataset()
	ds.ClaimPermissions("appointments")
	ds.ConfigureDummyData(query.DummyData{PopulationSize: 42, TimeoutSeconds: 7,
		AdditionalPopulationConstraint: core.Patients.Sex.Eq(query.Str("female"))})
	def, err := ds.Definition()
	if err != nil {
		t.Fatal(err)
	}
	data, err := model.Encode(def)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"ModuleDetails"`, `"external_ref"`, `"ehrql.tables.core"`, `"clinical_events"`, `"appointments"`} {
		if !strings.Contains(string(data), s) {
			t.Errorf("encoding should contain %s", s)
		}
	}
	back, err := model.Decode(data, tables.Default())
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, data)
	}
	if back.Dataset.Population.ID() != def.Dataset.Population.ID() {
		t.Error("population changed in the round trip")
	}
	if len(back.Dataset.Variables) != len(def.Dataset.Variables) {
		t.Fatalf("got %d variables, want %d", len(back.Dataset.Variables), len(def.Dataset.Variables))
	}
	for i, v := range def.Dataset.Variables {
		b := back.Dataset.Variables[i]
		if b.Name != v.Name || b.Series.ID() != v.Series.ID() {
			t.Errorf("variable %d: got %s %s, want %s %s", i, b.Name, sx(b.Series), v.Name, sx(v.Series))
		}
	}
	bc, c := back.DatasetDummyDataConfig, def.DatasetDummyDataConfig
	if bc == nil || bc.PopulationSize != 42 || bc.Timeout != 7 || bc.Legacy {
		t.Errorf("dummy config = %+v", bc)
	} else if bc.AdditionalPopulationConstraint == nil || bc.AdditionalPopulationConstraint.ID() != c.AdditionalPopulationConstraint.ID() {
		t.Error("additional population constraint changed in the round trip")
	}
	if !reflect.DeepEqual(back.ClaimedPermissions, []string{"appointments"}) {
		t.Errorf("claimed = %q", back.ClaimedPermissions)
	}
	// Encoding is deterministic.
	again, err := model.Encode(back)
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(data) {
		t.Errorf("re-encoding differs:\n%s\n%s", data, again)
	}
}
