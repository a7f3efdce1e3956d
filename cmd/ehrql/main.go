// Command ehrql runs ehrQL studies written in Go (or saved as ehrQL's JSON
// query model) on a DuckDB patient store, CSV dummy tables or dummy data
// generated from the definition, with ehrQL's command names, flags and exit
// codes. Its commands:
//
//   - run definitions: generate-dataset, generate-measures,
//     create-dummy-tables, dump-dataset-sql, serialize-definition;
//   - check and inspect: assure, debug, graph-query, describe, plot-measures;
//   - set up a study and its data: init, dump-example-data, store.
//
// "ehrql --help" describes each in a line, "ehrql COMMAND --help" gives a
// command's options, and docs/parity.md compares them with ehrQL's.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	ehrqlgo "github.com/ehrql-go/ehrql"
	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/engine/duck"
	"github.com/ehrql-go/ehrql/engine/output"
	"github.com/ehrql-go/ehrql/engine/source"
	"github.com/ehrql-go/ehrql/engine/sqlgen"
	"github.com/ehrql-go/ehrql/internal/definition"
	"github.com/ehrql-go/ehrql/query/model"
)

// Exit codes, as ehrQL's.
const (
	exitOK              = 0
	exitError           = 1
	exitUsage           = 2
	exitDefinition      = 10
	exitFileValidation  = definition.ExitFileValidation
	exitPermission      = 12
	exitMeasuresTimeout = 14
	// exitData is for an error on values in the data (an int overflow, a
	// date out of range; engine.DataError). ehrQL has no code of its own
	// for these: its database's error goes unhandled, exit 1.
	exitData = exitError
)

func main() {
	os.Exit(runWithSignals(os.Args[1:], os.Stdout, os.Stderr))
}

// runWithSignals runs the command with a context that SIGINT and SIGTERM
// cancel: the running query is interrupted, the definition program is
// stopped, temporary and partial files are removed as on any error, and
// the exit code is the shell's for the signal (130 for SIGINT, 143 for
// SIGTERM). A second signal ends the process at once.
func runWithSignals(args []string, stdout, stderr io.Writer) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	var got atomic.Value
	go func() {
		if sig, ok := <-sigs; ok {
			got.Store(sig)
			signal.Reset(os.Interrupt, syscall.SIGTERM)
			cancel()
		}
	}()
	code := run(ctx, args, stdout, stderr)
	signal.Stop(sigs)
	close(sigs)
	if sig, ok := got.Load().(os.Signal); ok {
		fmt.Fprintf(stderr, "ehrql: stopped by %s; its temporary files were removed\n", signalName(sig))
		return signalExitCode(sig)
	}
	return code
}

// signalName names the signals the command handles as a shell does.
func signalName(sig os.Signal) string {
	switch sig {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return sig.String()
}

// signalExitCode is the exit code a shell reports for a process ended by
// sig: 128 plus the signal's number.
func signalExitCode(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return exitError
}

// command runs one subcommand: its own arguments, the user parameters that
// followed "--", and the standard streams.
type command func(ctx context.Context, args, params []string, stdout, stderr io.Writer) error

// commands is the registry of subcommands, filled by each command's file.
var commands = map[string]command{}

func init() {
	commands["generate-dataset"] = generateDataset
	commands["dump-dataset-sql"] = func(ctx context.Context, args, params []string, stdout, _ io.Writer) error {
		return dumpDatasetSQL(ctx, args, params, stdout)
	}
	commands["serialize-definition"] = func(ctx context.Context, args, params []string, stdout, _ io.Writer) error {
		return serializeDefinition(ctx, args, params, stdout)
	}
}

// inputError is an input file that cannot be read as what the command
// needs (ehrQL's FileValidationError).
type inputError struct{ err error }

func (e *inputError) Error() string { return e.err.Error() }
func (e *inputError) Unwrap() error { return e.err }

// usageError is a mistake on the command line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

const usage = `usage: ehrql <command> [options] [-- PARAMETERS...]

commands:
  init [DIR]                write a new study: definitions, a codelist, project.yaml
  generate-dataset DEF      run a dataset definition and write the dataset
  generate-measures DEF     run a measures definition and write the measures
  create-dummy-tables DEF   write the dummy tables generated for a definition
  assure TEST_DEF           run a definition's test patients; report what differs
  debug DEF                 print what the definition's show() calls show
  dump-example-data [DIR]   write the tutorial's example data (default example-data)
  graph-query DEF           draw the dataset's query graph (--output graph.svg|.dot)
  plot-measures FILE        chart measures results (--output DIR: SVG, PNG, index.html)
  describe FILE|DIR         a one-page HTML report of a dataset (--output report.html)
  dump-dataset-sql DEF      print the SQL the engine would run
  serialize-definition DEF  print the definition's JSON query model
  store import|synthesize|describe
                            build, synthesize or describe a DuckDB patient store

With no data source (--dummy-tables, --database or DATABASE_URL), dummy data
is generated from the definition itself.

DEF is a Go dataset definition (a .go file or a package directory) or an
ehrQL JSON query model (.json). Parameters for the definition follow "--".
Run "ehrql <command> --help" for a command's options.
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	// Everything after the first "--" belongs to the definition.
	var params []string
	for i, a := range args {
		if a == "--" {
			args, params = args[:i], args[i+1:]
			break
		}
	}
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	if args[0] == "--version" {
		fmt.Fprintf(stdout, "ehrql %s\n", ehrqlgo.Version())
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		return exitCode(&usageError{fmt.Sprintf("unknown command %q\n\n%s", args[0], usage)}, stderr)
	}
	err := cmd(ctx, args[1:], params, stdout, stderr)
	if err != nil && ctx.Err() != nil {
		// Cancelled (by a signal): the canceller reports it.
		return exitError
	}
	return exitCode(err, stderr)
}

// exitCode prints err and returns the exit code it calls for.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, pflag.ErrHelp) {
		return exitOK
	}
	var (
		ue  *usageError
		de  *definition.Error
		ce  *source.CellError
		pe  *engine.PermissionError
		oe  *engine.OutputError
		dfe *engine.DummyFileError
		ie  *inputError
		fe  *source.FileError
		se  *engine.StoreError
		roe *output.ReadOnlyError
		ae  *assuranceError
		mte *measuresTimeoutError
		dae *engine.DataError
	)
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "ehrql: error: %s\n", ue.msg)
		return exitUsage
	case errors.As(err, &de):
		fmt.Fprintln(stderr, de.Error())
		return de.Code
	case errors.As(err, &ae):
		fmt.Fprintf(stderr, "AssuranceTestError: %v\n", ae)
		return exitAssurance
	case errors.As(err, &roe):
		fmt.Fprintf(stderr, "PermissionError: %v\n", err)
		return exitPermission
	case errors.As(err, &pe):
		fmt.Fprintf(stderr, "EHRQLPermissionError: %v\n", err)
		return exitPermission
	case errors.As(err, &dfe):
		fmt.Fprintf(stderr, "FileValidationError: %v\n", err)
		return exitFileValidation
	case errors.As(err, &oe):
		fmt.Fprintf(stderr, "FileValidationError: %v\n", err)
		return exitFileValidation
	case errors.As(err, &ce), errors.As(err, &fe), errors.As(err, &se), errors.As(err, &ie):
		fmt.Fprintf(stderr, "FileValidationError: %v\n", err)
		return exitFileValidation
	case errors.As(err, &mte):
		fmt.Fprintf(stderr, "MeasuresTimeout: %v\n", err)
		return exitMeasuresTimeout
	case errors.As(err, &dae):
		fmt.Fprintf(stderr, "ehrql: %v\n", err)
		return exitData
	}
	fmt.Fprintf(stderr, "ehrql: %v\n", err)
	return exitError
}

// commandFlags makes a command's flag set; unknown flags and stray
// positionals are reported with ehrQL's hint about parameters.
func commandFlags(name string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SortFlags = false
	fs.SetOutput(io.Discard)
	return fs
}

// expandAbbreviations writes out long flags abbreviated as argparse allows
// (--dummy-data for --dummy-data-file): a prefix of exactly one flag's
// name. A prefix of several is refused as argparse refuses it.
func expandAbbreviations(fs *pflag.FlagSet, args []string) ([]string, error) {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		name, value, hasValue := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		if !strings.HasPrefix(a, "--") || name == "" || fs.Lookup(name) != nil {
			continue
		}
		var matches []string
		fs.VisitAll(func(f *pflag.Flag) {
			if strings.HasPrefix(f.Name, name) && !f.Hidden {
				matches = append(matches, "--"+f.Name)
			}
		})
		switch len(matches) {
		case 0:
			continue
		case 1:
			out[i] = matches[0]
			if hasValue {
				out[i] += "=" + value
			}
		default:
			return nil, &usageError{fmt.Sprintf("ambiguous option: --%s could match %s", name, strings.Join(matches, ", "))}
		}
	}
	return out, nil
}

func parse(fs *pflag.FlagSet, args []string, stdout io.Writer) (string, error) {
	args, err := expandAbbreviations(fs, args)
	if err != nil {
		return "", err
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			fmt.Fprintf(stdout, "usage: ehrql %s DEFINITION [options] [-- PARAMETERS...]\n\noptions:\n%s", fs.Name(), fs.FlagUsages())
			return "", err
		}
		return "", &usageError{err.Error() + "\n\nIf you are trying to provide custom parameters, note that these MUST be provided last, and must follow a double-dash `--`."}
	}
	rest := fs.Args()
	switch len(rest) {
	case 0:
		return "", &usageError{fmt.Sprintf("%s: the following arguments are required: DEFINITION_FILE", fs.Name())}
	case 1:
		if _, err := os.Stat(rest[0]); err != nil {
			return "", &usageError{rest[0] + " does not exist"}
		}
		return rest[0], nil
	}
	return "", &usageError{"unknown arguments: " + strings.Join(rest[1:], " ") +
		"\n\nIf you are trying to provide custom parameters, note that these MUST be provided last, and must follow a double-dash `--`."}
}

// loadDefinition loads a definition, confined as EHRQL_ISOLATE_USER_CODE
// says; dsn is the patient store the command was given (isolation is
// required next to one, or whenever DATABASE_URL is set).
func loadDefinition(ctx context.Context, path string, params []string, dsn string) (*model.Definition, error) {
	opts, err := definition.OptionsFromEnv(dsn != "" || os.Getenv("DATABASE_URL") != "")
	if err != nil {
		return nil, &usageError{err.Error()}
	}
	return definition.Load(ctx, path, params, opts)
}

func loadDataset(ctx context.Context, path string, params []string, dsn string) (*model.Definition, error) {
	def, err := loadDefinition(ctx, path, params, dsn)
	if err != nil {
		return nil, err
	}
	if def.DatasetError != nil {
		return nil, recordedError(path, def.DatasetError)
	}
	if def.Dataset == nil {
		return nil, &definition.Error{Path: path, Code: exitDefinition, Msg: "Did not find a variable called 'dataset' in dataset definition file"}
	}
	return def, nil
}

// recordedError reports an error ehrQL recorded in a serialized definition
// in place of its dataset or measures. It is a definition error whatever
// exit code the file claims.
func recordedError(path string, e *model.DefinitionError) error {
	return &definition.Error{Path: path, Code: exitDefinition, Msg: e.Message}
}

func generateDataset(ctx context.Context, args, params []string, stdout, stderr io.Writer) error {
	fs := commandFlags("generate-dataset")
	out := fs.String("output", "", "output file: .arrow, .csv or .csv.gz (default: CSV on stdout)")
	dummyTables := fs.String("dummy-tables", "", "folder of dummy tables, one <table>.csv, .csv.gz or .arrow each")
	dummyFile := fs.String("dummy-data-file", "", "a ready dataset (CSV, CSV.gz or Arrow; a folder of them for event tables), checked against the definition and written out")
	testFile := fs.String("test-data-file", "", "a definition with test patients: run its assurance tests first (report on stderr)")
	dsn, settings := sourceFlags(fs)
	defPath, err := parse(fs, args, stdout)
	if err != nil {
		return err
	}
	if *testFile != "" {
		if _, err := os.Stat(*testFile); err != nil {
			return &usageError{*testFile + " does not exist"}
		}
	}
	if err := checkOutput(*out); err != nil {
		return err
	}
	if err := checkBatches(settings); err != nil {
		return err
	}
	if *dummyFile != "" {
		if _, err := os.Stat(*dummyFile); err != nil {
			return &usageError{*dummyFile + " does not exist"}
		}
	}
	if *dummyTables != "" {
		if st, err := os.Stat(*dummyTables); err != nil {
			return &usageError{*dummyTables + " does not exist"}
		} else if !st.IsDir() {
			return &usageError{*dummyTables + " is not a directory"}
		}
	}
	start := time.Now()
	def, err := loadDataset(ctx, defPath, params, *dsn)
	if err != nil {
		return err
	}
	if *testFile != "" {
		if err := assure(ctx, *testFile, params, stderr); err != nil {
			return err
		}
	}
	q, err := engine.CompileDataset(def.Dataset)
	if err != nil {
		return err
	}
	progress(stderr, start, "loaded and compiled %s", defPath)
	var also []string
	if len(q.Events) > 0 {
		also = append(also, "event_level_data")
	}
	if err := engine.CheckPermissions(q.Tables, def.ClaimedPermissions, os.Getenv("EHRQL_PERMISSIONS"), *dsn == "", also...); err != nil {
		return err
	}
	opts := *settings
	if *dsn == "" && *dummyFile != "" {
		n, err := q.WriteDummyDataFile(ctx, *dummyFile, *out, stdout)
		if err == nil && *out != "" && *out != "-" {
			fmt.Fprintf(stderr, "Wrote %d rows from %s to %s\n", n, *dummyFile, *out)
		}
		return err
	}
	var s *engine.Session
	switch {
	case *dsn != "":
		s, err = openDatabase(ctx, *dsn, q.Tables, opts)
	case *dummyTables != "":
		s, err = engine.OpenCSVTables(ctx, *dummyTables, q.Tables, opts)
	default:
		// No data source: generate dummy data from the definition itself.
		return runDummyDataset(ctx, def, *out, stdout, stderr)
	}
	if err != nil {
		return err
	}
	defer s.Close()
	progress(stderr, start, "opened the data source; running the dataset query%s", inBatches(q.PatientBatches(ctx, s)))
	n, err := q.Run(ctx, s, *out, stdout)
	if err != nil {
		return err
	}
	if *out != "" && *out != "-" {
		progress(stderr, start, "wrote %d rows to %s", n, *out)
	}
	return nil
}

// inBatches says how many batches of patients a query runs in (its
// PatientBatches), when more than one.
func inBatches(ranges []sqlgen.PatientRange, err error) string {
	if err != nil || len(ranges) < 2 {
		return ""
	}
	return fmt.Sprintf(" in %d batches of patients", len(ranges))
}

// sourceFlags adds the data-source flags that generate-dataset and
// generate-measures share: the store (--database, alias --dsn, default
// $DATABASE_URL), DuckDB's settings (duckFlags) and the size of a batch
// of patients (--patients-per-batch).
func sourceFlags(fs *pflag.FlagSet) (dsn *string, settings *duck.Settings) {
	dsn = fs.String("database", os.Getenv("DATABASE_URL"), "DuckDB patient store (.duckdb); default $DATABASE_URL")
	fs.StringVar(dsn, "dsn", *dsn, "alias of --database")
	fs.Lookup("dsn").Hidden = true
	settings = duckFlags(fs)
	fs.Int64Var(&settings.PatientsPerBatch, "patients-per-batch", settings.PatientsPerBatch, "query a store of more patients in batches of this many (default: 1,000 bytes of the memory limit per patient, 15 per column for datasets of more than 66 columns; $"+duck.EnvPatientsPerBatch+")")
	return dsn, settings
}

// duckFlags adds the flags that tune DuckDB, each defaulting to its
// environment variable: threads, memory limit, and where DuckDB's
// temporary (spill) files go and how large they may grow.
func duckFlags(fs *pflag.FlagSet) *duck.Settings {
	s := duck.FromEnv()
	fs.IntVar(&s.Threads, "threads", s.Threads, "DuckDB worker threads (default: all cores; $"+duck.EnvThreads+")")
	fs.StringVar(&s.MemoryLimit, "memory-limit", s.MemoryLimit, "DuckDB memory limit, e.g. 4GB ($"+duck.EnvMemoryLimit+")")
	fs.StringVar(&s.TempDir, "temp-dir", s.TempDir, "folder for DuckDB's temporary files, in a new folder per run removed at the end (default: the system's; $"+duck.EnvTempDir+")")
	fs.StringVar(&s.MaxTempSize, "max-temp-size", s.MaxTempSize, "cap on DuckDB's temporary files, e.g. 50GB (default: 90% of the free disk space; $"+duck.EnvMaxTempSize+")")
	return &s
}

// checkBatches validates --patients-per-batch.
func checkBatches(s *duck.Settings) error {
	if s.PatientsPerBatch < 0 {
		return &usageError{fmt.Sprintf("argument --patients-per-batch: %d is not a number of patients (0: as many as the memory limit holds)", s.PatientsPerBatch)}
	}
	return nil
}

// checkOutput validates --output: a file whose extension names a format, or
// a directory output "DIR:csv" / "DIR/:arrow".
func checkOutput(out string) error {
	if out == "" || out == "-" {
		return nil
	}
	if _, ext, ok := engine.SplitDirectoryOutput(out); ok {
		if _, err := output.FormatFromPath("x" + ext); err != nil {
			return &usageError{fmt.Sprintf("argument --output: ':%s' is not a supported format, must be one of: `:arrow`, `:csv`, `:csv.gz`", ext[1:])}
		}
		return nil
	}
	if _, err := output.FormatFromPath(out); err != nil {
		return &usageError{"argument --output: " + err.Error()}
	}
	return nil
}

func dumpDatasetSQL(ctx context.Context, args, params []string, stdout io.Writer) error {
	fs := commandFlags("dump-dataset-sql")
	out := fs.String("output", "", "write the SQL to this file instead of stdout")
	defPath, err := parse(fs, args, stdout)
	if err != nil {
		return err
	}
	def, err := loadDefinition(ctx, defPath, params, "")
	if err != nil {
		return err
	}
	if def.Dataset == nil && len(def.Measures) > 0 {
		mq, err := engine.CompileMeasures(def.Measures)
		if err != nil {
			return err
		}
		return writeText(*out, mq.Script(), stdout)
	}
	if def.DatasetError != nil {
		return recordedError(defPath, def.DatasetError)
	}
	if def.Dataset == nil {
		return &definition.Error{Path: defPath, Code: exitDefinition, Msg: "Did not find a variable called 'dataset' or 'measures' in the definition file"}
	}
	q, err := engine.CompileDataset(def.Dataset)
	if err != nil {
		return err
	}
	return writeText(*out, q.Script(), stdout)
}

func serializeDefinition(ctx context.Context, args, params []string, stdout io.Writer) error {
	fs := commandFlags("serialize-definition")
	out := fs.StringP("output", "o", "", "write the JSON to this file instead of stdout")
	defPath, err := parse(fs, args, stdout)
	if err != nil {
		return err
	}
	def, err := loadDefinition(ctx, defPath, params, "")
	if err != nil {
		return err
	}
	data, err := model.Encode(def)
	if err != nil {
		return err
	}
	return writeText(*out, string(data)+"\n", stdout)
}

// writeText writes text to path as every output is written
// (output.WriteFile), or to stdout when path is "" or "-".
func writeText(path, text string, stdout io.Writer) error {
	if path == "" || path == "-" {
		_, err := io.WriteString(stdout, text)
		return err
	}
	return output.WriteFile(path, []byte(text))
}

// progress reports a stage of a long run on stderr, with the time elapsed.
func progress(stderr io.Writer, start time.Time, format string, a ...any) {
	fmt.Fprintf(stderr, "[%6.1fs] %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, a...))
}
