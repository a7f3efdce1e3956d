package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/ehrql-go/ehrql/internal/exampledata"
)

func init() {
	commands["dump-example-data"] = dumpExampleData
}

// dumpExampleData writes the example dataset of the tutorial, one CSV per
// core table, into DIR (default example-data).
func dumpExampleData(_ context.Context, args, _ []string, stdout, stderr io.Writer) error {
	fs := commandFlags("dump-example-data")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			fmt.Fprintf(stdout, "usage: ehrql dump-example-data [DIR]\n\nWrites example data for the tutorial to DIR (default %s).\n", exampledata.DefaultDir)
			return err
		}
		return &usageError{err.Error()}
	}
	dir := exampledata.DefaultDir
	switch rest := fs.Args(); len(rest) {
	case 0:
	case 1:
		dir = rest[0]
	default:
		return &usageError{fmt.Sprintf("unknown arguments: %v", rest[1:])}
	}
	paths, err := exampledata.Write(dir)
	for _, p := range paths {
		fmt.Fprintf(stderr, "Wrote %s\n", p)
	}
	return err
}
