package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/query/model"
)

// TestOpenStoreWidensNarrowColumns: a patient store's int columns kept as
// narrower integer types, and float columns kept as FLOAT, compute as
// ehrQL's 64-bit ints and doubles: no overflow at 2^31, no float32
// rounding. Stores of the engine's own types are read as they are.
func TestOpenStoreWidensNarrowColumns(t *testing.T) {
	must := mustNode(t)
	tbl := &model.Table{Name: "pt", PatientLevel: true, Columns: []model.Column{
		{Name: "i", Type: model.Int}, {Name: "j", Type: model.Int},
		{Name: "f", Type: model.Float}, {Name: "g", Type: model.Float}, {Name: "s", Type: model.Str}}}
	pt := must(model.SelectTable(tbl))
	col := func(name string) *model.Node { return must(model.SelectColumn(pt, name)) }
	fn := func(op model.Op, args ...*model.Node) *model.Node { return must(model.Function(op, args...)) }
	q, err := engine.CompileDataset(&model.Dataset{Population: must(model.Aggregate(model.OpExists, pt)), Variables: []model.Variable{
		{Name: "sum", Series: fn(model.OpAdd, col("i"), col("j"))},
		{Name: "product", Series: fn(model.OpMultiply, col("i"), col("i"))},
		{Name: "fsum", Series: fn(model.OpAdd, col("f"), col("g"))},
		{Name: "s", Series: col("s")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	// 0.1 and 0.2 are held as float32 values, added as doubles.
	const want = "patient_id,sum,product,fsum,s\r\n1,2147483648,4611686014132420609,0.30000000447034836,a\r\n"
	for _, types := range [][4]string{
		{"INTEGER", "SMALLINT", "FLOAT", "FLOAT"},
		{"UINTEGER", "TINYINT", "FLOAT", "DOUBLE"},
		{"BIGINT", "BIGINT", "DOUBLE", "DOUBLE"},
	} {
		t.Run(types[0]+"_"+types[2], func(t *testing.T) {
			path := makeStore(t,
				"CREATE TABLE pt (patient_id BIGINT NOT NULL, i "+types[0]+", j "+types[1]+", f "+types[2]+", g "+types[3]+", s VARCHAR)",
				"INSERT INTO pt VALUES (1, 2147483647, 1, CAST(0.1 AS FLOAT), CAST(CAST(0.2 AS FLOAT) AS "+types[3]+"), 'a')")
			s, err := engine.OpenStore(context.Background(), path, q.Tables, engine.Options{Threads: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			out := filepath.Join(t.TempDir(), "out.csv")
			if _, err := q.Run(context.Background(), s, out, nil); err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(out)
			if string(got) != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}
