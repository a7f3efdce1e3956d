package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/engine/dummy"
	"github.com/ehrql-go/ehrql/internal/definition"
	"github.com/ehrql-go/ehrql/measures/report"
	"github.com/ehrql-go/ehrql/query/model"
)

func init() { commands["generate-measures"] = generateMeasures }

func loadMeasures(ctx context.Context, path string, params []string, dsn string) (*model.Definition, error) {
	def, err := loadDefinition(ctx, path, params, dsn)
	if err != nil {
		return nil, err
	}
	if def.MeasuresError != nil {
		return nil, recordedError(path, def.MeasuresError)
	}
	if len(def.Measures) == 0 {
		return nil, &definition.Error{Path: path, Code: exitDefinition, Msg: "Did not find a variable called 'measures' in measures definition file (or No measures defined)"}
	}
	return def, nil
}

// disclosureControl reports whether the definition keeps ehrQL's default
// of statistical disclosure control; only an explicit opt-out disables it.
func disclosureControl(def *model.Definition) bool {
	return def.MeasuresDisclosureControl == nil || def.MeasuresDisclosureControl.Enabled
}

func generateMeasures(ctx context.Context, args, params []string, stdout, stderr io.Writer) error {
	fs := commandFlags("generate-measures")
	out := fs.String("output", "", "output file: .csv, .csv.gz or .arrow (default: CSV on stdout)")
	dummyTables := fs.String("dummy-tables", "", "folder of dummy tables, one <table>.csv, .csv.gz or .arrow each")
	dummyFile := fs.String("dummy-data-file", "", "a ready file of measure results (CSV, CSV.gz or Arrow; or a folder, one file per measure), checked against the definition and written out")
	dsn, settings := sourceFlags(fs)
	defPath, err := parse(fs, args, stdout)
	if err != nil {
		return err
	}
	if err := checkOutput(*out); err != nil {
		return err
	}
	if err := checkBatches(settings); err != nil {
		return err
	}
	for _, p := range []struct{ flag, path string }{{"--dummy-tables", *dummyTables}, {"--dummy-data-file", *dummyFile}} {
		if p.path != "" {
			if _, err := os.Stat(p.path); err != nil {
				return &usageError{p.path + " does not exist"}
			}
		}
	}
	start := time.Now()
	def, err := loadMeasures(ctx, defPath, params, *dsn)
	if err != nil {
		return err
	}
	progress(stderr, start, "loaded %s: %d measures", defPath, len(def.Measures))
	sdc := disclosureControl(def)
	var rows []engine.MeasureRow
	switch {
	case *dsn == "" && *dummyFile != "":
		if rows, err = report.ReadDummyFile(*dummyFile, def.Measures); err != nil {
			return err
		}
	default:
		q, err := engine.CompileMeasures(def.Measures)
		if err != nil {
			return err
		}
		if err := engine.CheckPermissions(q.Tables, def.ClaimedPermissions, os.Getenv("EHRQL_PERMISSIONS"), *dsn == ""); err != nil {
			return err
		}
		opts := *settings
		var s *engine.Session
		switch {
		case *dsn != "":
			s, err = openDatabase(ctx, *dsn, q.Tables, opts)
		case *dummyTables != "":
			s, err = engine.OpenCSVTables(ctx, *dummyTables, q.Tables, opts)
		default:
			s, err = dummyMeasuresSession(ctx, def, opts, stderr)
		}
		if err != nil {
			return err
		}
		defer s.Close()
		progress(stderr, start, "opened the data source; running the measures query%s", inBatches(q.PatientBatches(ctx, s)))
		if rows, err = runMeasuresInTime(ctx, q, s); err != nil {
			return err
		}
	}
	if dir, ext, ok := engine.SplitDirectoryOutput(*out); ok {
		err = report.WriteDir(dir, ext, def.Measures, rows, sdc)
	} else {
		err = report.Write(*out, stdout, def.Measures, rows, sdc)
	}
	if err != nil {
		return err
	}
	if *out != "" && *out != "-" {
		progress(stderr, start, "wrote %d measure rows to %s (disclosure control %s)", len(rows), *out, map[bool]string{true: "on", false: "off"}[sdc])
	}
	return nil
}

// dummyMeasuresSession generates dummy data for measures when no data source
// is given, as ehrQL does: for the dataset dummy.MeasuresDefinition builds.
// The real measures query then runs over that data.
func dummyMeasuresSession(ctx context.Context, def *model.Definition, opts engine.Options, stderr io.Writer) (*engine.Session, error) {
	combined, err := dummy.MeasuresDefinition(def)
	if err != nil {
		return nil, err
	}
	seed, err := dummySeed()
	if err != nil {
		return nil, err
	}
	d, err := generateDummy(ctx, combined, seed, stderr)
	if err != nil {
		return nil, err
	}
	return d.Open(ctx, opts)
}

// measuresTimeout is ehrQL's time limit for generating measures: 72 hours.
var measuresTimeout = 72 * time.Hour

// measuresTimeoutError is ehrQL's MeasuresTimeout (exit code 14).
type measuresTimeoutError struct{ limit time.Duration }

func (e *measuresTimeoutError) Error() string {
	return fmt.Sprintf("Generating measures exceeded %.0fs time limit.", e.limit.Seconds())
}

// runMeasuresInTime runs the measures query, stopping it at
// measuresTimeout. ehrQL projects, from the intervals done, whether the
// whole run will pass the limit and stops early; the query here computes
// every interval at once, so the run stops when it reaches the limit.
func runMeasuresInTime(ctx context.Context, q *engine.MeasuresQuery, s *engine.Session) ([]engine.MeasureRow, error) {
	qctx, cancel := context.WithTimeout(ctx, measuresTimeout)
	defer cancel()
	rows, err := q.RunMeasures(qctx, s)
	if err != nil && ctx.Err() == nil && errors.Is(qctx.Err(), context.DeadlineExceeded) {
		return nil, &measuresTimeoutError{measuresTimeout}
	}
	return rows, err
}
