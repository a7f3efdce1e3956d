package measures_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ehrql-go/ehrql/internal/definition"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
)

// TestStudyMeasuresDefinition runs the reference study's measures
// definition, written in Go, and checks it against the query model ehrQL
// serialised from the study's Python: the same measures, with numerators,
// denominators and groups of the same node IDs, the same intervals, dummy
// data, disclosure control and permissions.
func TestStudyMeasuresDefinition(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go run")
	}
	dir := filepath.Join("..", "testdata", "studies", "consultations")
	got, err := definition.Load(context.Background(), filepath.Join(dir, "measures_definition.go"), nil, definition.Options{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "ehrql-json", "consultation_measures.json"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := model.Decode(data, tables.Default())
	if err != nil {
		t.Fatal(err)
	}
	if got.Dataset != nil {
		t.Errorf("dataset = %v, want none", got.Dataset)
	}
	if len(got.Measures) != len(want.Measures) {
		t.Fatalf("%d measures, want %d", len(got.Measures), len(want.Measures))
	}
	for i, w := range want.Measures {
		g := got.Measures[i]
		if g.Name != w.Name {
			t.Errorf("measure %d: name %q, want %q", i, g.Name, w.Name)
		}
		if g.Numerator.ID() != w.Numerator.ID() {
			t.Errorf("%s: numerator node %v differs from ehrQL's", w.Name, g.Numerator)
		}
		if g.Denominator.ID() != w.Denominator.ID() {
			t.Errorf("%s: denominator node %v differs from ehrQL's", w.Name, g.Denominator)
		}
		if len(g.GroupBy) != len(w.GroupBy) {
			t.Errorf("%s: %d groups, want %d", w.Name, len(g.GroupBy), len(w.GroupBy))
		} else {
			for j, wg := range w.GroupBy {
				gg := g.GroupBy[j]
				if gg.Name != wg.Name || gg.Series.ID() != wg.Series.ID() {
					t.Errorf("%s: group %d is %s %v, want %s (same node as ehrQL's)", w.Name, j, gg.Name, gg.Series, wg.Name)
				}
			}
		}
		if len(g.Intervals) != len(w.Intervals) {
			t.Errorf("%s: %d intervals, want %d", w.Name, len(g.Intervals), len(w.Intervals))
		} else {
			for j := range w.Intervals {
				if g.Intervals[j] != w.Intervals[j] {
					t.Errorf("%s: interval %d is %v, want %v", w.Name, j, g.Intervals[j], w.Intervals[j])
				}
			}
		}
	}
	if g, w := got.MeasuresDummyDataConfig, want.MeasuresDummyDataConfig; g == nil || w == nil || *g != *w {
		t.Errorf("dummy data config %+v, want %+v", g, w)
	}
	if g, w := got.MeasuresDisclosureControl, want.MeasuresDisclosureControl; g == nil || w == nil || *g != *w {
		t.Errorf("disclosure control %+v, want %+v", g, w)
	}
	if len(got.ClaimedPermissions) != 1 || got.ClaimedPermissions[0] != "appointments" ||
		len(want.ClaimedPermissions) != 1 || want.ClaimedPermissions[0] != "appointments" {
		t.Errorf("claimed permissions %v, want %v", got.ClaimedPermissions, want.ClaimedPermissions)
	}
	// Encoding both must give the same bytes: node numbering follows the
	// same structure.
	gotJSON, err := model.Encode(got)
	if err != nil {
		t.Fatal(err)
	}
	wantJSON, err := model.Encode(want)
	if err != nil {
		t.Fatal(err)
	}
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("re-encoded query models differ")
	}
}
