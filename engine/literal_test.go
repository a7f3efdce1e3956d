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

// TestStringLiteralsWithNUL: a string literal may hold any character,
// NUL included, as in ehrQL.
func TestStringLiteralsWithNUL(t *testing.T) {
	events := &model.Table{Name: "ev", Columns: []model.Column{{Name: "s", Type: model.Str}}}
	ev, _ := model.SelectTable(events)
	s, _ := model.SelectColumn(ev, "s")
	for _, lit := range []string{"a\x00b", "\x00", "x\x00", "\x00'\x00"} {
		eq, err := model.Function(model.OpEQ, s, model.MustValue(model.StrLit(lit)))
		if err != nil {
			t.Fatal(err)
		}
		n, _ := model.Aggregate(model.OpCount, mustNode(t)(model.Filter(ev, eq)))
		pop, _ := model.Aggregate(model.OpExists, ev)
		q, err := engine.CompileDataset(&model.Dataset{Population: pop, Variables: []model.Variable{
			{Name: "n", Series: n},
			{Name: "lit", Series: model.MustValue(model.StrLit(lit))},
		}})
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "ev.csv"), []byte("patient_id,s\n1,\""+lit+"\"\n1,other\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		sess, err := engine.OpenCSVTables(ctx, dir, q.Tables, engine.Options{Threads: 1})
		if err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		_, err = q.Run(ctx, sess, "", &out)
		sess.Close()
		if err != nil {
			t.Fatalf("%q: %v", lit, err)
		}
		want := "patient_id,n,lit\n1,1," + csvField(lit) + "\n"
		if got := strings.ReplaceAll(out.String(), "\r\n", "\n"); got != want {
			t.Errorf("%q: got %q, want %q", lit, got, want)
		}
	}
}

// csvField quotes a field as the CSV writer does when it must.
func csvField(s string) string {
	if strings.ContainsAny(s, "\",\n\r") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

func mustNode(t *testing.T) func(*model.Node, error) *model.Node {
	return func(n *model.Node, err error) *model.Node {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
}
