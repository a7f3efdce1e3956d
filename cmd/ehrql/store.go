package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/ehrql-go/ehrql/engine/store"
)

func init() {
	commands["store"] = storeCommand
}

const storeUsage = `usage: ehrql store <subcommand> [options]

subcommands:
  import DIR --output STORE [--module M] [--force]
      build a DuckDB store from a folder of one CSV (.csv, .csv.gz) or
      Parquet file per table, validated against the module's table schemas
      (default module ehrql.tables.tpp)
  synthesize --output STORE [--patients N] [--seed S] [--force]
             [--events-per-patient E] [--appointments-per-patient A] [--medications-per-patient M]
      build a DuckDB store of N synthetic patients (default 1000)
  describe STORE
      print a store's tables, row counts, date ranges and size
`

// storeCommand runs "ehrql store import|synthesize|describe".
func storeCommand(ctx context.Context, args, params []string, stdout, stderr io.Writer) error {
	if len(params) > 0 {
		return &usageError{"ehrql store takes no parameters after --"}
	}
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" || args[0] == "help" {
		if len(args) == 0 {
			return &usageError{"store: missing subcommand\n\n" + storeUsage}
		}
		fmt.Fprint(stdout, storeUsage)
		return nil
	}
	switch args[0] {
	case "import":
		return storeImport(ctx, args[1:], stdout, stderr)
	case "synthesize":
		return storeSynthesize(ctx, args[1:], stdout, stderr)
	case "describe":
		return storeDescribe(ctx, args[1:], stdout)
	}
	return &usageError{fmt.Sprintf("store: unknown subcommand %q\n\n%s", args[0], storeUsage)}
}

// parseStoreFlags parses a store subcommand's flags and returns its
// positional arguments, of which there must be npos.
func parseStoreFlags(fs *pflag.FlagSet, args []string, npos int, posName string, stdout io.Writer) ([]string, error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			fmt.Fprintf(stdout, "usage: ehrql store %s %s[options]\n\noptions:\n%s", strings.TrimPrefix(fs.Name(), "store "), posName, fs.FlagUsages())
			return nil, err
		}
		return nil, &usageError{fs.Name() + ": " + err.Error()}
	}
	rest := fs.Args()
	if len(rest) < npos {
		return nil, &usageError{fmt.Sprintf("%s: the following arguments are required: %s", fs.Name(), strings.TrimSpace(posName))}
	}
	if len(rest) > npos {
		return nil, &usageError{fmt.Sprintf("%s: unknown arguments: %s", fs.Name(), strings.Join(rest[npos:], " "))}
	}
	return rest, nil
}

func storeImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := commandFlags("store import")
	out := fs.StringP("output", "o", "", "the store to write (.duckdb)")
	module := fs.String("module", store.DefaultModule, "the ehrQL module whose tables the files hold")
	force := fs.Bool("force", false, "replace an existing store")
	settings := duckFlags(fs)
	pos, err := parseStoreFlags(fs, args, 1, "DIR ", stdout)
	if err != nil {
		return err
	}
	if *out == "" {
		return &usageError{"store import: --output STORE is required"}
	}
	start := time.Now()
	err = store.ImportWith(ctx, pos[0], *out, store.ImportOptions{Module: *module, Force: *force, DuckDB: *settings})
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Imported %s into %s in %.1fs\n", pos[0], *out, time.Since(start).Seconds())
	return nil
}

func storeSynthesize(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := commandFlags("store synthesize")
	out := fs.StringP("output", "o", "", "the store to write (.duckdb)")
	n := fs.Int("patients", 1000, "number of patients")
	seed := fs.Int64("seed", 1, "random seed: the same seed and size give the same store")
	force := fs.Bool("force", false, "replace an existing store")
	events := fs.Float64("events-per-patient", store.DefaultEventsPerPatient, "mean clinical events per patient (more for the old, and for women)")
	appointments := fs.Float64("appointments-per-patient", store.DefaultAppointmentsPerPatient, "mean appointments per patient")
	medications := fs.Float64("medications-per-patient", store.DefaultMedicationsPerPatient, "mean prescriptions per patient")
	settings := duckFlags(fs)
	quiet := fs.BoolP("quiet", "q", false, "no progress on stderr")
	if _, err := parseStoreFlags(fs, args, 0, "", stdout); err != nil {
		return err
	}
	if *out == "" {
		return &usageError{"store synthesize: --output STORE is required"}
	}
	if *n <= 0 {
		return &usageError{"store synthesize: --patients must be positive"}
	}
	for _, d := range []struct {
		flag string
		v    float64
	}{{"events-per-patient", *events}, {"appointments-per-patient", *appointments}, {"medications-per-patient", *medications}} {
		if !(d.v > 0 && d.v <= 100000) {
			return &usageError{fmt.Sprintf("store synthesize: --%s must be greater than 0 and at most 100000, got %v", d.flag, d.v)}
		}
	}
	start := time.Now()
	progress := func(msg string) {
		if !*quiet {
			fmt.Fprintf(stderr, "[%6.1fs] %s\n", time.Since(start).Seconds(), msg)
		}
	}
	err := store.SynthesizeWith(ctx, *out, store.SynthOptions{
		Patients: *n, Seed: *seed, Force: *force, DuckDB: *settings, Progress: progress,
		EventsPerPatient: *events, AppointmentsPerPatient: *appointments, MedicationsPerPatient: *medications,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Wrote %d synthetic patients to %s in %.1fs\n", *n, *out, time.Since(start).Seconds())
	return nil
}

func storeDescribe(ctx context.Context, args []string, stdout io.Writer) error {
	fs := commandFlags("store describe")
	pos, err := parseStoreFlags(fs, args, 1, "STORE ", stdout)
	if err != nil {
		return err
	}
	d, err := store.Describe(ctx, pos[0])
	if err != nil {
		return err
	}
	_, err = io.WriteString(stdout, d.String())
	return err
}
