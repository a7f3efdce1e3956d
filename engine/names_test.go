package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/query/model"
)

// TestUserTablesNamedLikeInternalRelations: a user table may have any valid
// name, including those of the compiler's own intermediate relations (with
// their column names), and is still read as itself.
func TestUserTablesNamedLikeInternalRelations(t *testing.T) {
	internal := []string{"aggs_1", "aggs_2", "aggs_3", "agg_1", "agg_2", "pairs_1", "codes_1", "scan_1", "scan_2", "codelists_1", "codelists_2", "lookup_1", "inline_1", "population", "included", "intervals"}
	for _, name := range internal {
		for _, c := range []struct{ events, patients string }{{name, "pt"}, {"ev", name}} {
			t.Run(c.events+"+"+c.patients, func(t *testing.T) {
				runNamesCase(t, c.events, c.patients)
			})
		}
	}
}

func runNamesCase(t *testing.T, evName, ptName string) {
	cols := []model.Column{{Name: "v0", Type: model.Int}, {Name: "v1", Type: model.Int}, {Name: "k", Type: model.Int}}
	events := &model.Table{Name: evName, Columns: cols}
	patients := &model.Table{Name: ptName, PatientLevel: true, Columns: cols}
	ev, err := model.SelectTable(events)
	if err != nil {
		t.Fatal(err)
	}
	pt, err := model.SelectTable(patients)
	if err != nil {
		t.Fatal(err)
	}
	must := func(n *model.Node, err error) *model.Node {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	v0 := must(model.SelectColumn(ev, "v0"))
	big := must(model.Function(model.OpGT, v0, model.MustValue(model.IntLit(8))))
	pop := must(model.Aggregate(model.OpExists, must(model.Filter(ev, big))))
	vars := []model.Variable{
		{Name: "s", Series: must(model.Aggregate(model.OpSum, v0))},
		{Name: "c", Series: must(model.Aggregate(model.OpCount, ev))},
		{Name: "p", Series: must(model.SelectColumn(pt, "v0"))},
	}
	q, err := engine.CompileDataset(&model.Dataset{Population: pop, Variables: vars})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string]string{
		evName: "patient_id,v0,v1,k\n1,10,0,0\n1,5,0,0\n2,7,0,0\n",
		ptName: "patient_id,v0,v1,k\n1,100,0,0\n2,200,0,0\n",
	}
	for n, text := range files {
		if err := os.WriteFile(filepath.Join(dir, n+".csv"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	s, err := engine.OpenCSVTables(ctx, dir, q.Tables, engine.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out strings.Builder
	if _, err := q.Run(ctx, s, "", &out); err != nil {
		t.Fatalf("%v\n%s", err, q.SQL)
	}
	want := "patient_id,s,c,p\n1,15,2,100\n"
	if got := strings.ReplaceAll(out.String(), "\r\n", "\n"); got != want {
		t.Errorf("got\n%s\nwant\n%s\nSQL:\n%s", got, want, q.SQL)
	}
}
