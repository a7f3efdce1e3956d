package main

// Dummy data: the create-dummy-tables command, and runDummyDataset, which
// generate-dataset uses when it is given no data source.
//
//	ehrql create-dummy-tables DEF [DIR] [--seed N] [-- PARAMS...]
//
// writes one DIR/<table>.csv per table the dataset reads (header
// patient_id then every schema column, ehrQL's CSV conventions), ready for
// generate-dataset --dummy-tables DIR. Without DIR the tables go to
// stdout, each preceded by its name on its own line and separated by a
// blank line. The seed comes from --seed, else $EHRQL_DUMMY_SEED, else 0,
// so runs are reproducible.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/engine/duck"
	"github.com/ehrql-go/ehrql/engine/dummy"
	"github.com/ehrql-go/ehrql/query/model"
)

func init() {
	commands["create-dummy-tables"] = createDummyTables
}

// dummySeed returns the generator's seed from $EHRQL_DUMMY_SEED (0 when
// unset).
func dummySeed() (int64, error) {
	s := strings.TrimSpace(os.Getenv("EHRQL_DUMMY_SEED"))
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, &usageError{fmt.Sprintf("EHRQL_DUMMY_SEED: %q is not an integer", s)}
	}
	return n, nil
}

// dummyConfig is the definition's dataset dummy-data configuration, or
// ehrQL's default.
func dummyConfig(def *model.Definition) model.DummyDataConfig {
	if def.DatasetDummyDataConfig != nil {
		return *def.DatasetDummyDataConfig
	}
	return model.DefaultDummyDataConfig()
}

// generateDummy runs the generator and reports on stderr how it went.
func generateDummy(ctx context.Context, def *model.Definition, seed int64, stderr io.Writer) (*dummy.Data, error) {
	cfg := dummyConfig(def)
	if cfg.Legacy {
		if cfg.AdditionalPopulationConstraint != nil {
			return nil, errors.New("Cannot provide an additional population constraint in legacy mode.")
		}
		fmt.Fprintln(stderr, "Note: the legacy dummy data generator is not available; using the query-aware generator")
	}
	d, err := dummy.Generate(ctx, def.Dataset, cfg, seed)
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(stderr, d.Summary())
	if w := d.Warning(); w != "" {
		fmt.Fprintln(stderr, "Warning: "+w)
	}
	return d, nil
}

// runDummyDataset is generate-dataset in dummy mode with no dummy tables:
// it generates dummy data for def's dataset (seed from $EHRQL_DUMMY_SEED,
// default 0), runs the real dataset query over it and writes the result
// to out ("" or "-": CSV on stdout). Permissions are the caller's business.
func runDummyDataset(ctx context.Context, def *model.Definition, out string, stdout, stderr io.Writer) error {
	seed, err := dummySeed()
	if err != nil {
		return err
	}
	q, err := engine.CompileDataset(def.Dataset)
	if err != nil {
		return err
	}
	d, err := generateDummy(ctx, def, seed, stderr)
	if err != nil {
		return err
	}
	s, err := d.Open(ctx, duck.FromEnv())
	if err != nil {
		return err
	}
	defer s.Close()
	_, err = q.Run(ctx, s, out, stdout)
	return err
}

func createDummyTables(ctx context.Context, args, params []string, stdout, stderr io.Writer) error {
	fs := commandFlags("create-dummy-tables")
	seedFlag := fs.String("seed", "", "random seed (default: $EHRQL_DUMMY_SEED, else 0)")
	args, err := expandAbbreviations(fs, args)
	if err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			fmt.Fprintf(stdout, "usage: ehrql create-dummy-tables DEFINITION [DUMMY_TABLES_PATH] [options] [-- PARAMETERS...]\n\noptions:\n%s", fs.FlagUsages())
			return err
		}
		return &usageError{err.Error() + "\n\nIf you are trying to provide custom parameters, note that these MUST be provided last, and must follow a double-dash `--`."}
	}
	rest := fs.Args()
	var dir string
	switch len(rest) {
	case 0:
		return &usageError{"create-dummy-tables: the following arguments are required: DEFINITION_FILE"}
	case 1:
	case 2:
		dir = rest[1]
	default:
		return &usageError{"unknown arguments: " + strings.Join(rest[2:], " ") +
			"\n\nIf you are trying to provide custom parameters, note that these MUST be provided last, and must follow a double-dash `--`."}
	}
	if _, err := os.Stat(rest[0]); err != nil {
		return &usageError{rest[0] + " does not exist"}
	}
	// ehrQL's directory syntax: DIR:csv, DIR:csv.gz or DIR:arrow; a bare
	// name means CSV.
	ext := ".csv"
	if i := strings.LastIndex(dir, ":"); i >= 0 {
		ext = "." + dir[i+1:]
		if !slices.Contains([]string{".csv", ".csv.gz", ".arrow"}, ext) {
			return &usageError{fmt.Sprintf("'%s' is not a supported format, must be one of: `:arrow`, `:csv`, `:csv.gz`", dir[i:])}
		}
		dir = strings.TrimSuffix(dir[:i], "/")
	}
	seed, err := dummySeed()
	if err != nil {
		return err
	}
	if *seedFlag != "" {
		if seed, err = strconv.ParseInt(*seedFlag, 10, 64); err != nil {
			return &usageError{fmt.Sprintf("argument --seed: %q is not an integer", *seedFlag)}
		}
	}
	def, err := loadDummyDefinition(ctx, rest[0], params)
	if err != nil {
		return err
	}
	d, err := generateDummy(ctx, def, seed, stderr)
	if err != nil {
		return err
	}
	if dir == "" || dir == "-" {
		_, err := d.WriteTo(stdout)
		return err
	}
	if ext == ".csv" {
		err = d.WriteCSVDir(dir)
	} else {
		err = writeDummyTables(ctx, d, dir, ext)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Wrote %d tables to %s\n", len(d.Tables), dir)
	return nil
}

// loadDummyDefinition loads the definition create-dummy-tables generates
// data for: a dataset, or measures, whose data is generated as for
// generate-measures (dummy.MeasuresDefinition).
func loadDummyDefinition(ctx context.Context, path string, params []string) (*model.Definition, error) {
	def, err := loadDefinition(ctx, path, params, "")
	if err != nil {
		return nil, err
	}
	if def.Dataset != nil || def.DatasetError != nil || (len(def.Measures) == 0 && def.MeasuresError == nil) {
		return loadDataset(ctx, path, params, "")
	}
	if def.MeasuresError != nil {
		return nil, recordedError(path, def.MeasuresError)
	}
	return dummy.MeasuresDefinition(def)
}

// writeDummyTables writes each dummy table as dir/<table><ext>, Arrow or
// CSV.gz, typed by the table's schema.
func writeDummyTables(ctx context.Context, d *dummy.Data, dir, ext string) error {
	s, err := d.Open(ctx, duck.FromEnv())
	if err != nil {
		return err
	}
	defer s.Close()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, t := range d.TableList() {
		if _, err := s.WriteTable(ctx, t, filepath.Join(dir, t.Name+ext), io.Discard); err != nil {
			return fmt.Errorf("writing %s: %w", t.Name, err)
		}
	}
	return nil
}
