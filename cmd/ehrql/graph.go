package main

import (
	"bytes"
	"context"
	"io"
	"strings"

	"github.com/ehrql-go/ehrql/engine/output"
	"github.com/ehrql-go/ehrql/internal/querygraph"
)

func init() {
	commands["graph-query"] = graphQuery
}

// graphQuery draws the dataset's query graph: SVG, or DOT for an output
// ending in .dot or .gv.
func graphQuery(ctx context.Context, args, params []string, stdout, _ io.Writer) error {
	fs := commandFlags("graph-query")
	out := fs.String("output", "", "the graph: .svg, or .dot/.gv for Graphviz's DOT language")
	defPath, err := parse(fs, args, stdout)
	if err != nil {
		return err
	}
	dotOut := strings.HasSuffix(*out, ".dot") || strings.HasSuffix(*out, ".gv")
	if !dotOut && !strings.HasSuffix(*out, ".svg") {
		return &usageError{"argument --output: expected a file ending in .svg, .dot or .gv"}
	}
	def, err := loadDataset(ctx, defPath, params, "")
	if err != nil {
		return err
	}
	dot, err := querygraph.DOT(def.Dataset)
	if err != nil {
		return err
	}
	if dotOut {
		return output.WriteFile(*out, []byte(dot))
	}
	var svg bytes.Buffer
	if err := querygraph.SVG(ctx, dot, &svg); err != nil {
		return err
	}
	return output.WriteFile(*out, svg.Bytes())
}
