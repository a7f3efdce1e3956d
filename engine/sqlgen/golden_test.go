package sqlgen_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/engine/sqlgen"
	"github.com/ehrql-go/ehrql/internal/studytest"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden SQL files in testdata/golden")

// TestGoldenSQL: the SQL generated for the reference study's dataset and
// measures, with the plan, is the reviewed text in testdata/golden (go test
// ./engine -run TestGoldenSQL -update rewrites it; review the diff).
func TestGoldenSQL(t *testing.T) {
	cases := []struct{ def, golden string }{
		{studytest.Dataset, "consultation_dataset.sql"},
		{studytest.Measures, "consultation_measures.sql"},
	}
	for _, c := range cases {
		t.Run(c.golden, func(t *testing.T) {
			def := studytest.Definition(t, c.def)
			var plan []string
			var sql string
			if def.Dataset != nil {
				q, err := sqlgen.CompileDataset(def.Dataset)
				if err != nil {
					t.Fatal(err)
				}
				plan, sql = q.Plan, q.SQL
			} else {
				q, err := sqlgen.CompileMeasures(def.Measures)
				if err != nil {
					t.Fatal(err)
				}
				plan, sql = q.Plan, strings.Join(append(q.Prepare, q.SQL), ";\n\n")
			}
			var b strings.Builder
			for _, p := range plan {
				b.WriteString("-- plan: " + p + "\n")
			}
			b.WriteString(sql + ";\n")
			path := filepath.Join("testdata", "golden", c.golden)
			if *updateGolden {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := b.String(); got != string(want) {
				t.Errorf("%s differs from the generated SQL (rerun with -update and review the diff):\n%s", path, firstDiff(got, string(want)))
			}
		})
	}
}

// firstDiff shows the first line where got and want differ.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n  got:  %s\n  want: %s", i+1, gl, wl)
		}
	}
	return ""
}
