package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ehrql-go/ehrql/describe"
	"github.com/ehrql-go/ehrql/internal/resultfile"
)

func init() { commands["describe"] = describeDataset }

// describeDataset is `ehrql describe DATASET|DIR --output report.html`.
func describeDataset(_ context.Context, args, _ []string, stdout, stderr io.Writer) error {
	fs := commandFlags("describe")
	out := fs.String("output", "", "the HTML report to write (required)")
	sdcOn := fs.Bool("disclosure-control", false, "round every count as measures are and withhold ranges, so that the report can be released")
	path, err := parse(fs, args, stdout)
	if err != nil {
		return err
	}
	if *out == "" {
		return &usageError{"describe: the following arguments are required: --output"}
	}
	files, err := datasetFiles(path)
	if err != nil {
		return &inputError{err}
	}
	report := describe.Report{Title: "Dataset report: " + filepath.Base(path), DisclosureControl: *sdcOn}
	for _, f := range files {
		t, err := resultfile.Read(f)
		if err != nil {
			return &inputError{err}
		}
		name := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(filepath.Base(f), ".gz"), ".csv"), ".arrow")
		report.Tables = append(report.Tables, describe.Summarise(name, t, *sdcOn))
	}
	var buf bytes.Buffer
	if err := report.WriteHTML(&buf); err != nil {
		return err
	}
	if err := writeText(*out, buf.String(), stdout); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Described %d table(s) in %s\n", len(files), *out)
	return nil
}

// datasetFiles lists a dataset's tables: the file itself, or every
// .arrow, .csv and .csv.gz file of a directory output (dataset first).
func datasetFiles(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() && (strings.HasSuffix(n, ".arrow") || strings.HasSuffix(n, ".csv") || strings.HasSuffix(n, ".csv.gz")) {
			files = append(files, filepath.Join(path, n))
		}
	}
	slices.SortStableFunc(files, func(a, b string) int {
		da, db := strings.HasPrefix(filepath.Base(a), "dataset."), strings.HasPrefix(filepath.Base(b), "dataset.")
		switch {
		case da && !db:
			return -1
		case db && !da:
			return 1
		}
		return strings.Compare(a, b)
	})
	if len(files) == 0 {
		return nil, fmt.Errorf("%s holds no .arrow, .csv or .csv.gz table", path)
	}
	return files, nil
}
