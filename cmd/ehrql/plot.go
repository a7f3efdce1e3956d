package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/ehrql-go/ehrql/internal/resultfile"
	"github.com/ehrql-go/ehrql/measures/charts"
)

func init() { commands["plot-measures"] = plotMeasures }

// plotMeasures is `ehrql plot-measures MEASURES --output DIR`.
func plotMeasures(_ context.Context, args, _ []string, stdout, stderr io.Writer) error {
	fs := commandFlags("plot-measures")
	out := fs.String("output", "", "folder for the charts and their index.html (required)")
	zeros := fs.Bool("zeros-are-values", false, "the measures were released without disclosure control: draw counts of 0 as values, not gaps")
	path, err := parse(fs, args, stdout)
	if err != nil {
		return err
	}
	if *out == "" {
		return &usageError{"plot-measures: the following arguments are required: --output"}
	}
	t, err := resultfile.Read(path)
	if err != nil {
		return &inputError{err}
	}
	cs, err := charts.Build(t, charts.Options{ZeroIsValue: *zeros})
	if err != nil {
		return &inputError{err}
	}
	files, err := charts.Write(*out, cs)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Drew %d measures into %s\n", len(files), filepath.Join(*out, "index.html"))
	return nil
}
