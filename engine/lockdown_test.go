package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/query/model"
)

// payloads try to reach files, the environment and other databases from
// text in a query model.
var payloads = []string{
	`'); SELECT * FROM read_csv('/etc/passwd'); --`,
	`' || getenv('HOME') || '`,
	`' || (SELECT string_agg(file, ',') FROM glob('/*')) || '`,
	`'; ATTACH '/tmp/ehrql-attack.duckdb' AS x; --`,
	"\x00' || getenv('HOME') || '",
}

// TestCraftedModelCannotReachOut: string literals (alone and in sets),
// table and column names, and codelist codes in a query model are data,
// never SQL; names that could be SQL are refused; and the session itself
// can reach no file, environment variable or database.
func TestCraftedModelCannotReachOut(t *testing.T) {
	must := mustNode(t)
	ctx := context.Background()
	// Tables named after DuckDB's file functions, with such columns.
	events := &model.Table{Name: "read_csv", Columns: []model.Column{{Name: "getenv", Type: model.Str}, {Name: "attach", Type: model.Str}}}
	patients := &model.Table{Name: "glob", PatientLevel: true, Columns: []model.Column{{Name: "read_text", Type: model.Str}}}
	ev := must(model.SelectTable(events))
	pt := must(model.SelectTable(patients))
	getenv := must(model.SelectColumn(ev, "getenv"))
	var lits []model.Literal
	vars := []model.Variable{{Name: "read_text", Series: must(model.SelectColumn(pt, "read_text"))}}
	for i, p := range payloads {
		lits = append(lits, model.StrLit(p))
		vars = append(vars, model.Variable{Name: "p" + string(rune('0'+i)), Series: model.MustValue(model.StrLit(p))})
	}
	set, err := model.SetLit(model.Str, lits)
	if err != nil {
		t.Fatal(err)
	}
	in := must(model.Function(model.OpIn, getenv, model.MustValue(set)))
	vars = append(vars, model.Variable{Name: "matches", Series: must(model.Aggregate(model.OpCount, must(model.Filter(ev, in))))})
	pop := must(model.Aggregate(model.OpExists, ev))
	q, err := engine.CompileDataset(&model.Dataset{Population: pop, Variables: vars})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "read_csv.csv"), []byte("patient_id,getenv,attach\n1,\"' || getenv('HOME') || '\",a\n1,plain,b\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "glob.csv"), []byte("patient_id,read_text\n1,from the table\n"), 0o644)
	s, err := engine.OpenCSVTables(ctx, dir, q.Tables, engine.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out strings.Builder
	if _, err := q.Run(ctx, s, "", &out); err != nil {
		t.Fatal(err)
	}
	want := []string{"1", "from the table"}
	for _, p := range payloads {
		want = append(want, csvField(p))
	}
	want = append(want, "1")
	got := strings.Split(strings.TrimSuffix(strings.ReplaceAll(out.String(), "\r\n", "\n"), "\n"), "\n")
	if len(got) != 2 || got[1] != strings.Join(want, ",") {
		t.Errorf("got\n%s\nwant the literals back:\n%s", out.String(), strings.Join(want, ","))
	}
	if _, err := os.Stat("/tmp/ehrql-attack.duckdb"); err == nil {
		t.Error("ATTACH created a database")
	}

	// Names that could be SQL are refused when the model is built.
	for _, name := range []string{`a"b`, "x; ATTACH 'y'", "read_csv('/etc/passwd')"} {
		if _, err := model.SelectTable(&model.Table{Name: name, Columns: []model.Column{{Name: "c", Type: model.Str}}}); err == nil {
			t.Errorf("table name %q accepted", name)
		}
		if _, err := model.SelectTable(&model.Table{Name: "t", Columns: []model.Column{{Name: name, Type: model.Str}}}); err == nil {
			t.Errorf("column name %q accepted", name)
		}
	}
	// Codes are checked against their coding system.
	for _, p := range payloads {
		if _, err := model.CodeLit(codelists.SNOMEDCT, p); err == nil {
			t.Errorf("code %q accepted", p)
		}
	}

	// And the session itself can reach nothing outside its tables.
	secret := filepath.Join(dir, "glob.csv")
	for _, stmt := range []string{
		"SELECT * FROM read_csv('" + secret + "')",
		"SELECT getenv('HOME')",
		"SELECT * FROM glob('" + dir + "/*')",
		"ATTACH '" + filepath.Join(dir, "x.duckdb") + "' AS x",
		"SET enable_external_access = true",
	} {
		rows, err := s.Query(ctx, stmt)
		if err == nil {
			rows.Close()
			t.Errorf("%s: allowed in a session", stmt)
		}
	}
}
