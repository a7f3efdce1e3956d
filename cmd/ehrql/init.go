package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/ehrql-go/ehrql/internal/scaffold"
)

func init() { commands["init"] = initStudy }

// initStudy is `ehrql init [DIR]`: a new study repository, ready to run.
func initStudy(_ context.Context, args, _ []string, stdout, _ io.Writer) error {
	fs := commandFlags("init")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			fmt.Fprintf(stdout, "usage: ehrql init [DIR]\n\nWrites a new study into DIR (default: the current folder): analysis/dataset_definition.go,\nanalysis/measures_definition.go, analysis/test_dataset_definition.go (assurance tests),\ncodelists/, project.yaml and go.mod. Existing files are kept.\n")
			return err
		}
		return &usageError{"init: " + err.Error()}
	}
	dir := "."
	switch fs.NArg() {
	case 0:
	case 1:
		dir = fs.Arg(0)
	default:
		return &usageError{"init takes at most one folder"}
	}
	res, err := scaffold.Init(dir)
	if err != nil {
		return err
	}
	for _, f := range res.Written {
		fmt.Fprintf(stdout, "wrote %s\n", filepath.Join(dir, f))
	}
	for _, f := range res.Kept {
		fmt.Fprintf(stdout, "kept  %s (already there)\n", filepath.Join(dir, f))
	}
	shown := dir
	if abs, err := filepath.Abs(dir); err == nil {
		if wd, _ := os.Getwd(); wd == abs {
			shown = "."
		}
	}
	fmt.Fprintf(stdout, "\nThe study is ready. Try, in %s:\n\n  ehrql generate-dataset analysis/dataset_definition.go\n  ehrql assure analysis/test_dataset_definition.go\n  ehrql generate-measures analysis/measures_definition.go\n", shown)
	return nil
}
