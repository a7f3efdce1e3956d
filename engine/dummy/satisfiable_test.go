package dummy_test

import (
	"context"
	"errors"
	"testing"

	"github.com/ehrql-go/ehrql/engine/dummy"
	q "github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables/core"
	"github.com/ehrql-go/ehrql/tables/emis"
)

// A population that needs a value no column allows is ehrQL's
// CannotGenerate, at once, not a timeout; one a column can satisfy
// generates.
func TestCannotGenerate(t *testing.T) {
	registered := core.Patients.ExistsForPatient()
	tests := []struct {
		name   string
		pop    q.BoolPatientSeries
		column string // "" when it can be generated
	}{
		{"category not allowed", registered.And(core.Patients.Sex.Eq(q.Str("M"))), "patients.sex"},
		{"constant first", q.Str("F").Eq(core.Patients.Sex), "patients.sex"},
		{"no category in the set", core.Patients.Sex.IsIn("M", "F"), "patients.sex"},
		{"beyond the closed range", emis.Patients.RuralUrbanClassification.Gt(q.Int(8)).And(registered), "patients.rural_urban_classification"},
		{"in the closed range", emis.Patients.RuralUrbanClassification.Ge(q.Int(8)), ""},
		{"an allowed category", core.Patients.Sex.Eq(q.Str("male")), ""},
		{"not equal to a category", core.Patients.Sex.Ne(q.Str("M")), ""},
		{"under an OR, not checked", core.Patients.Sex.Eq(q.Str("M")).Or(registered), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pop, err := q.Node(tt.pop)
			if err != nil {
				t.Fatal(err)
			}
			ds := &model.Dataset{Population: pop}
			d, err := dummy.Generate(context.Background(), ds, model.DummyDataConfig{PopulationSize: 5, Timeout: 30}, 0)
			if tt.column == "" {
				if err != nil || !d.Complete() {
					t.Fatalf("generating: %v", err)
				}
				return
			}
			var cg *dummy.CannotGenerate
			if !errors.As(err, &cg) || cg.Column != tt.column {
				t.Fatalf("error %v, want CannotGenerate for %s", err, tt.column)
			}
			if want := "Unable to find any values for " + tt.column + " that satisfy the population definition."; err.Error() != want {
				t.Errorf("message %q, want %q", err, want)
			}
		})
	}
}
