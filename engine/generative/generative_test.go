package generative

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ehrql-go/ehrql/engine/memory"
	"github.com/ehrql-go/ehrql/query/model"
)

var (
	models   = flag.Int("models", 60, "number of random models to check")
	seed     = flag.Uint64("seed", 1, "first seed")
	perBatch = flag.Int64("patients-per-batch", 0, "run DuckDB in batches of this many patients (0: one batch)")
)

// TestGenerative checks random models (seeds seed .. seed+models-1) on
// DuckDB against the reference engine. The long run:
//
//	go test ./engine/generative -run TestGenerative -models 5000
func TestGenerative(t *testing.T) {
	checkModels(t, testRunner(t, context.Background(), *perBatch), *seed, *models)
}

// TestGenerativeInBatches checks half as many other models with DuckDB
// running each in batches of at most two patients (Runner's perBatch), so
// that any patient's values depending on another's would show.
func TestGenerativeInBatches(t *testing.T) {
	checkModels(t, testRunner(t, context.Background(), 2), *seed+1_000_000, max(*models/2, 1))
}

// checkModels checks models of seeds first .. first+n-1 with r.
func checkModels(t *testing.T, r *Runner, first uint64, n int) {
	ctx := context.Background()
	start := time.Now()
	failures := 0
	for i := range n {
		s := first + uint64(i)
		c, err := Generate(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Check(ctx, c); err != nil {
			failures++
			t.Errorf("seed %d: %v\n%s", s, err, describe(c))
			if failures >= 5 {
				t.Fatalf("stopping after %d disagreements", failures)
			}
		}
	}
	t.Logf("%d models in %s: %v (%d not compared: an int overflow in the reference engine only; %d measures rows compared in %s)",
		n, time.Since(start).Round(time.Millisecond), r.Outcomes, r.Overflowed, r.MeasureRows, r.MeasuresTime.Round(time.Millisecond))
}

// col and fn build the query models of hand-made cases, panicking on a
// model the builder refuses (must).
func col(f *model.Node, name string) *model.Node { return must(model.SelectColumn(f, name)) }

func fn(op model.Op, args ...*model.Node) *model.Node { return must(model.Function(op, args...)) }

// testRunner opens a Runner for the test (in batches of perBatch patients
// when > 0), closed when it ends.
func testRunner(t *testing.T, ctx context.Context, perBatch int64) *Runner {
	t.Helper()
	r, err := NewRunner(ctx, perBatch)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// describe renders a case for a failure report: the dataset's nodes and
// the data.
func describe(c Case) string {
	var b strings.Builder
	names := map[model.ID]string{}
	var render func(n *model.Node) string
	render = func(n *model.Node) string {
		if n == nil {
			return "NULL"
		}
		if name, ok := names[n.ID()]; ok {
			return name
		}
		var s string
		switch n.Op() {
		case model.OpValue:
			s = n.Literal().String()
		case model.OpSelectTable, model.OpSelectPatientTable, model.OpInlinePatientTable:
			s = n.Table().Name
		case model.OpSelectColumn:
			s = render(n.Arg(0)) + "." + n.Name()
		case model.OpParameter:
			s = n.Name()
		default:
			var args []string
			for _, a := range n.Args() {
				args = append(args, render(a))
			}
			if n.Op() == model.OpPickOneRowPerPatient {
				args = append(args, string(n.Position()))
			}
			s = strings.TrimPrefix(strings.TrimPrefix(n.Op().String(), "Function."), "AggregateByPatient.") + "(" + strings.Join(args, ", ") + ")"
		}
		if n.IsFrame() && n.Op() != model.OpSelectTable && n.Op() != model.OpSelectPatientTable {
			name := fmt.Sprintf("F%d", len(names))
			names[n.ID()] = name
			fmt.Fprintf(&b, "%s = %s\n", name, s)
			return name
		}
		return s
	}
	if ds := c.Dataset; ds != nil { // nil in a case of measures only
		fmt.Fprintf(&b, "population = %s\n", render(ds.Population))
		for _, v := range ds.Variables {
			fmt.Fprintf(&b, "%s = %s\n", v.Name, render(v.Series))
		}
		for _, e := range ds.Events {
			fmt.Fprintf(&b, "event table %s = %s\n", e.Name, render(e.Frame))
		}
	}
	for _, m := range c.Measures {
		fmt.Fprintf(&b, "measure %s: numerator = %s, denominator = %s, intervals %v\n", m.Name, render(m.Numerator), render(m.Denominator), m.Intervals)
		for _, g := range m.GroupBy {
			fmt.Fprintf(&b, "  group %s = %s\n", g.Name, render(g.Series))
		}
	}
	if js, err := model.Encode(&model.Definition{Dataset: c.Dataset, Measures: c.Measures}); err == nil {
		fmt.Fprintf(&b, "JSON: %s\n", js)
	}
	tables := make([]string, 0, len(c.Data))
	for n := range c.Data {
		tables = append(tables, n)
	}
	sort.Strings(tables)
	for _, n := range tables {
		fmt.Fprintf(&b, "%s:\n", n)
		for _, r := range c.Data[n] {
			fmt.Fprintf(&b, "  %d %s\n", r.PatientID, showRow(r))
		}
	}
	return b.String()
}

func showRow(r memory.Row) string {
	var parts []string
	for _, c := range columns {
		parts = append(parts, c.Name+"="+show1(r.Values[c.Name]))
	}
	return strings.Join(parts, " ")
}

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(m.Run())
}
