package querygraph_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/internal/querygraph"
	q "github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/tables/core"
)

func TestGraph(t *testing.T) {
	ds := q.NewDataset()
	ds.DefinePopulation(core.Patients.ExistsForPatient())
	events := core.ClinicalEvents
	ds.Add("n", events.Where(events.NumericValue.Gt(q.Float(1.5))).CountForPatient())
	ds.Add("band", q.Case(q.When(core.Patients.Sex.Eq(q.Str("male")), q.Str("m")), q.Otherwise(q.Str("other"))))
	m, err := ds.Model()
	if err != nil {
		t.Fatal(err)
	}
	dot, err := querygraph.DOT(m)
	if err != nil {
		t.Fatal(err)
	}
	want := `digraph query {
  node [shape=box, fontname="Helvetica", fontsize=10];
  edge [fontname="Helvetica", fontsize=9];
  v0 [label="population", shape=ellipse, style=filled, fillcolor=lightgrey];
  n2 [label="SelectPatientTable\npatients"];
  n1 [label="AggregateByPatient.Exists"];
  n1 -> n2 [label="source"];
  v0 -> n1;
  v1 [label="n", shape=ellipse, style=filled, fillcolor=lightgrey];
  n5 [label="SelectTable\nclinical_events"];
  n7 [label="SelectColumn\nname: numeric_value"];
  n7 -> n5 [label="source"];
  n8 [label="Value\nvalue: 1.5"];
  n6 [label="Function.GT"];
  n6 -> n7 [label="lhs"];
  n6 -> n8 [label="rhs"];
  n4 [label="Filter"];
  n4 -> n5 [label="source"];
  n4 -> n6 [label="condition"];
  n3 [label="AggregateByPatient.Count"];
  n3 -> n4 [label="source"];
  v1 -> n3;
  v2 [label="band", shape=ellipse, style=filled, fillcolor=lightgrey];
  n11 [label="SelectColumn\nname: sex"];
  n11 -> n2 [label="source"];
  n12 [label="Value\nvalue: \"male\""];
  n10 [label="Function.EQ"];
  n10 -> n11 [label="lhs"];
  n10 -> n12 [label="rhs"];
  n13 [label="Value\nvalue: \"m\""];
  n14 [label="Value\nvalue: \"other\""];
  n9 [label="Case"];
  n9 -> n10 [label="cases[0] when"];
  n9 -> n13 [label="cases[0]"];
  n9 -> n14 [label="default"];
  v2 -> n9;
  { rank=min; v0; v1; v2; }
}
`
	if dot != want {
		t.Errorf("DOT:\n%s\nwant:\n%s", dot, want)
	}
	requireDot(t)
	var svg bytes.Buffer
	if err := querygraph.SVG(context.Background(), dot, &svg); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		XMLName xml.Name
	}
	if err := xml.Unmarshal(svg.Bytes(), &doc); err != nil || doc.XMLName.Local != "svg" {
		t.Fatalf("not an SVG document (%v): %.200s", err, svg.String())
	}
	for _, text := range []string{">population<", ">band<", ">AggregateByPatient.Count<", ">condition<", ">name: numeric_value<"} {
		if !strings.Contains(svg.String(), text) {
			t.Errorf("the SVG lacks %s", text)
		}
	}
}

// requireDot skips the test where Graphviz is not installed, except in CI,
// which must have it.
func requireDot(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath(querygraph.DotProgram); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI must have Graphviz's dot to draw graphs")
		}
		t.Skip("no Graphviz")
	}
}

// TestSVGWithoutGraphviz: without Graphviz, drawing fails saying what to
// install and how to get the graph without it.
func TestSVGWithoutGraphviz(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	err := querygraph.SVG(context.Background(), "digraph { a }", io.Discard)
	if !errors.Is(err, querygraph.ErrNoGraphviz) || !strings.Contains(err.Error(), "install Graphviz") || !strings.Contains(err.Error(), ".dot") {
		t.Errorf("error = %v", err)
	}
}

// TestSVGBadGraph: Graphviz's own complaint is passed on.
func TestSVGBadGraph(t *testing.T) {
	requireDot(t)
	err := querygraph.SVG(context.Background(), "digraph { a -> }", io.Discard)
	if err == nil || !strings.Contains(err.Error(), "drawing the graph with") || !strings.Contains(err.Error(), "syntax error") {
		t.Errorf("error = %v", err)
	}
}
