// Package querygraph draws a dataset's query graph for `ehrql
// graph-query`: every node of the query model, labelled with its kind and
// plain fields, with edges named by the fields that link them, and the
// population and variables in a row at the top (as ehrQL's graph does). It
// writes Graphviz's DOT language, laid out and drawn as SVG by Graphviz's
// dot program, which must be installed to draw.
package querygraph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"

	"github.com/ehrql-go/ehrql/query/model"
)

// DOT writes the dataset's query graph in the DOT language.
func DOT(ds *model.Dataset) (string, error) {
	g := &grapher{ids: map[model.ID]string{}}
	g.line("digraph query {")
	g.line(`  node [shape=box, fontname="Helvetica", fontsize=10];`)
	g.line(`  edge [fontname="Helvetica", fontsize=9];`)
	roots := append([]model.Variable{{Name: "population", Series: ds.Population}}, ds.Variables...)
	var top []string
	for i, v := range roots {
		name := fmt.Sprintf("v%d", i)
		top = append(top, name)
		g.line(fmt.Sprintf("  %s [label=%s, shape=ellipse, style=filled, fillcolor=lightgrey];", name, quote(v.Name)))
		id, err := g.node(v.Series)
		if err != nil {
			return "", err
		}
		g.line(fmt.Sprintf("  %s -> %s;", name, id))
	}
	g.line("  { rank=min; " + strings.Join(top, "; ") + "; }")
	g.line("}")
	return g.b.String(), nil
}

type grapher struct {
	b   strings.Builder
	ids map[model.ID]string
}

func (g *grapher) line(s string) { g.b.WriteString(s + "\n") }

// node writes n and what it links to, once, and returns its DOT id.
func (g *grapher) node(n *model.Node) (string, error) {
	if id, ok := g.ids[n.ID()]; ok {
		return id, nil
	}
	id := "n" + strconv.Itoa(len(g.ids)+1)
	g.ids[n.ID()] = id
	label := []string{n.Op().String()}
	var edges []string
	switch n.Op() {
	case model.OpSelectTable, model.OpSelectPatientTable, model.OpInlinePatientTable:
		label = append(label, n.Table().Name)
	default:
		names, values, err := model.NodeFields(n)
		if err != nil {
			return "", err
		}
		for i, v := range values {
			plain, linked, err := g.field(names[i], v)
			if err != nil {
				return "", err
			}
			label = append(label, plain...)
			edges = append(edges, linked...)
		}
	}
	g.line(fmt.Sprintf("  %s [label=%s];", id, quote(strings.Join(label, "\n"))))
	for _, e := range edges {
		g.line(fmt.Sprintf("  %s -> %s;", id, e))
	}
	return id, nil
}

// field describes one field: plain values go into the node's label, nodes
// become edges (written as "target [label=...]").
func (g *grapher) field(name string, v any) (plain, edges []string, err error) {
	edge := func(label string, n *model.Node) error {
		id, err := g.node(n)
		if err == nil {
			edges = append(edges, fmt.Sprintf("%s [label=%s]", id, quote(label)))
		}
		return err
	}
	switch x := v.(type) {
	case nil:
	case *model.Node:
		err = edge(name, x)
	case []any:
		for i, it := range x {
			sub, e, ferr := g.field(fmt.Sprintf("%s[%d]", name, i), it)
			if ferr != nil {
				return nil, nil, ferr
			}
			plain, edges = append(plain, sub...), append(edges, e...)
		}
	case [][2]any:
		for i, kv := range x {
			if n, ok := kv[1].(*model.Node); ok {
				key := fmt.Sprint(kv[0])
				if k, isNode := kv[0].(*model.Node); isNode {
					if err := edge(fmt.Sprintf("%s[%d] when", name, i), k); err != nil {
						return nil, nil, err
					}
					key = strconv.Itoa(i)
				}
				if err := edge(fmt.Sprintf("%s[%s]", name, key), n); err != nil {
					return nil, nil, err
				}
			}
		}
	case model.Literal:
		plain = append(plain, name+": "+x.String())
	default:
		plain = append(plain, fmt.Sprintf("%s: %v", name, x))
	}
	return plain, edges, err
}

// quote writes s as a DOT string.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

// DotProgram is the Graphviz program SVG runs, looked up on PATH.
const DotProgram = "dot"

// ErrNoGraphviz reports that Graphviz is not installed.
var ErrNoGraphviz = errors.New("drawing the graph needs Graphviz's dot program on PATH " +
	"(install Graphviz, e.g. apt install graphviz), or write the graph in DOT with an output ending .dot")

// SVG lays out and draws a DOT graph as SVG with Graphviz's dot program.
func SVG(ctx context.Context, dot string, w io.Writer) error {
	path, err := exec.LookPath(DotProgram)
	if err != nil {
		return ErrNoGraphviz
	}
	cmd := exec.CommandContext(ctx, path, "-Tsvg")
	cmd.Stdin = strings.NewReader(dot)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("drawing the graph with %s: %w: %s", path, err, strings.TrimSpace(stderr.String()))
	}
	_, err = w.Write(out.Bytes())
	return err
}
