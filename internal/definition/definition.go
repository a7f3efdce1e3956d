// Package definition loads dataset and measures definitions for the ehrql
// command: query models in ehrQL's JSON wire format, or Go programs written
// against package query, which it builds against the language embedded in
// the command and runs as untrusted code, confined by package sandbox, under
// the protocol package query defines.
package definition

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/internal/sandbox"
	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
)

// Error is a definition that could not be loaded; Code is the exit code the
// ehrql command should end with (ehrQL's: 10 for mistakes in the definition,
// 2 for malformed parameters).
type Error struct {
	Path string
	Code int
	Msg  string
	// noModel marks a definition that emitted no query model.
	noModel bool
}

// NoModel reports whether the definition ran but emitted no query model
// (which `ehrql debug` allows: a definition may only show things).
func (e *Error) NoModel() bool { return e.noModel }

// Error implements the error interface.
func (e *Error) Error() string { return fmt.Sprintf("Error loading file '%s':\n\n%s", e.Path, e.Msg) }

// ExitFileValidation is ehrQL's exit code for an input file that cannot be
// read (FileValidationError): the code of a definition whose
// table_from_file (TableFromFile) file cannot be read.
const ExitFileValidation = 11

// The environment variables that set Options for the ehrql command.
const (
	// IsolateEnv is ehrQL's switch for confining definitions:
	// "default", "always" or "never".
	IsolateEnv = "EHRQL_ISOLATE_USER_CODE"
	// TimeoutEnv limits a definition program's run (a Go duration, such as
	// 90s or 10m).
	TimeoutEnv = "EHRQL_DEFINITION_TIMEOUT"
	// MemoryEnv caps a definition program's memory, in MiB.
	MemoryEnv = "EHRQL_DEFINITION_MEMORY_MB"
)

// Defaults for a definition program's limits.
const (
	DefaultTimeout = 10 * time.Minute
	DefaultMemory  = 4 << 30
)

// Options say how a Go definition is run.
type Options struct {
	// Isolation is IsolateEnv's value: "default" (or empty), "always" or
	// "never". By default the definition is confined whenever the system
	// can confine it, and must be when it runs next to a patient store.
	Isolation string
	// Database says the definition will run against a patient store
	// (--database or DATABASE_URL).
	Database bool
	// Timeout limits the program's wall-clock and CPU time (0: DefaultTimeout).
	Timeout time.Duration
	// Memory caps its memory in bytes (0: DefaultMemory).
	Memory uint64
	// Output receives what the definition prints (nil: os.Stderr), never
	// mixed with results.
	Output io.Writer
	// Shows, when set, switches show() on (query.EnvShowFD): what the
	// definition shows is collected here, one document a line; read it
	// with DecodeShows.
	Shows *bytes.Buffer

	// skipImportCheck builds without the import allow-list, so that tests
	// can prove the sandbox holds on its own.
	skipImportCheck bool
}

// OptionsFromEnv reads Options from the environment variables above; the
// caller says whether a patient store is used.
func OptionsFromEnv(database bool) (Options, error) {
	o := Options{Isolation: os.Getenv(IsolateEnv), Database: database}
	if v := os.Getenv(TimeoutEnv); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return o, fmt.Errorf("%s=%q: expected a duration such as 90s or 10m", TimeoutEnv, v)
		}
		o.Timeout = d
	}
	if v := os.Getenv(MemoryEnv); v != "" {
		mb, err := strconv.ParseUint(v, 10, 64)
		if err != nil || mb < 1024 {
			return o, fmt.Errorf("%s=%q: expected a whole number of MiB, at least 1024", MemoryEnv, v)
		}
		o.Memory = mb << 20
	}
	return o, nil
}

// confine says whether the definition must, may or must not be confined.
func (o Options) confine() (required, wanted bool, err error) {
	switch o.Isolation {
	case "", "default":
		return o.Database, true, nil
	case "always":
		return true, true, nil
	case "never":
		return false, false, nil
	}
	return false, false, fmt.Errorf("Invalid value for %s: %q (expected default, always or never)", IsolateEnv, o.Isolation)
}

// Load reads the definition at path: a .json query model, a .go file or a
// directory holding a Go main package. params are the user parameters (what
// followed "--" on the command line).
func Load(ctx context.Context, path string, params []string, opts Options) (*model.Definition, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s does not exist", path)
	}
	switch {
	case info.IsDir():
		return loadGo(ctx, path, []string{"."}, path, params, opts)
	case strings.HasSuffix(path, ".json"):
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		dir, err := filepath.Abs(filepath.Dir(path))
		if err != nil {
			return nil, err
		}
		def, err := model.Decode(data, tables.Default(), model.DefinitionDir(dir))
		if err != nil {
			code := query.ExitDefinitionError
			var tfe *model.TableFileError
			if errors.As(err, &tfe) {
				code = ExitFileValidation
			}
			return nil, &Error{Path: path, Code: code, Msg: err.Error()}
		}
		return def, nil
	case strings.HasSuffix(path, ".go"):
		target, err := goTarget(path)
		if err != nil {
			return nil, err
		}
		return loadGo(ctx, filepath.Dir(path), target, path, params, opts)
	}
	return nil, fmt.Errorf("%s is not a definition: expected a .go file, a Go package directory or a .json query model", path)
}

// loadGo builds the definition program (target, in dir) and runs it.
func loadGo(ctx context.Context, dir string, target []string, shown string, params []string, opts Options) (*model.Definition, error) {
	required, wanted, err := opts.confine()
	if err != nil {
		return nil, err
	}
	if required {
		if err := sandboxSupported(); err != nil {
			return nil, fmt.Errorf("this system cannot confine the definition, which it must do before running it next to patient data (%s is %q and a database is given): %v.\n\n"+
				"If you are sure that does not matter here (for example, you are trying ehrql on your own machine), set %s=never. If you are not sure, it does.",
				IsolateEnv, opts.Isolation, err, IsolateEnv)
		}
	}
	out := opts.Output
	if out == nil {
		out = os.Stderr
	}
	b, err := newBuilder(dir, target, shown, out)
	if err != nil {
		return nil, err
	}
	defer b.cleanup()
	b.skipImportCheck = opts.skipImportCheck
	bin, err := b.program(ctx)
	if err != nil {
		return nil, err
	}
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	memory := opts.Memory
	if memory == 0 {
		memory = DefaultMemory
	}
	p := sandbox.Policy{
		Program: bin,
		Args:    params,
		Env:     []string{query.EnvModelFD + "=3", query.EnvDefinitionDir + "=" + b.defDir, codelists.StudyDirEnv + "=" + b.study.Root},
		Dir:     b.defDir,
		Read:    []string{b.study.Root},
		CPUTime: timeout,
		Memory:  memory,
	}
	if opts.Shows != nil {
		p.Env = append(p.Env, query.EnvShowFD+"=4")
	}
	return run(ctx, b, p, wanted && sandboxSupported() == nil, timeout, out, opts.Shows)
}

// sandboxSupported is sandbox.Supported, replaced in tests.
var sandboxSupported = sandbox.Supported

// maxModel bounds the query model a definition may write.
const maxModel = 1 << 30

// run runs the built definition under p (confined or not) and decodes the
// query model it writes on descriptor 3.
func run(parent context.Context, b *builder, p sandbox.Policy, confined bool, timeout time.Duration, out io.Writer, shows *bytes.Buffer) (*model.Definition, error) {
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	cmd := sandbox.Unconfined(ctx, p)
	if confined {
		var err error
		if cmd, err = sandbox.Command(ctx, p); err != nil {
			return nil, err
		}
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	cmd.ExtraFiles = []*os.File{w}
	showDone := make(chan error, 1)
	if shows != nil {
		sr, sw, err := os.Pipe()
		if err != nil {
			w.Close()
			return nil, err
		}
		defer sr.Close()
		cmd.ExtraFiles = append(cmd.ExtraFiles, sw)
		defer sw.Close()
		go func() {
			_, err := io.Copy(shows, io.LimitReader(sr, maxModel))
			showDone <- err
		}()
		defer func() {
			sw.Close()
			select {
			case <-showDone:
			case <-time.After(5 * time.Second):
				sr.Close()
			}
		}()
	}
	var stderr bytes.Buffer
	cmd.Stdout = out
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		w.Close()
		if !confined && errors.Is(err, syscall.EACCES) {
			return nil, cannotRun(b.cache, p.Program)
		}
		return nil, fmt.Errorf("starting the definition: %w", err)
	}
	w.Close()
	var data []byte
	readDone := make(chan error, 1)
	go func() {
		var err error
		data, err = io.ReadAll(io.LimitReader(r, maxModel+1))
		readDone <- err
	}()
	waitErr := cmd.Wait()
	select {
	case <-readDone:
	case <-time.After(5 * time.Second):
		// Something the program started still holds the pipe open.
		r.Close()
		<-readDone
	}
	msg := strings.TrimSpace(stderr.String())
	fail := func(code int, text string) error { return &Error{Path: b.shown, Code: code, Msg: text} }
	if waitErr != nil {
		switch {
		case parent.Err() != nil:
			return nil, parent.Err()
		case ctx.Err() != nil:
			return nil, fail(query.ExitDefinitionError, fmt.Sprintf("the definition did not finish within %s (%s sets the limit)", timeout, TimeoutEnv))
		case cmd.ProcessState == nil:
			return nil, fmt.Errorf("running the definition: %w", waitErr)
		}
		code := cmd.ProcessState.ExitCode()
		if code == sandbox.HelperFailed && sandbox.StartDenied(msg, p.Program) {
			return nil, cannotRun(b.cache, p.Program)
		}
		if code == sandbox.HelperFailed && strings.HasPrefix(msg, sandbox.HelperPrefix) {
			return nil, fmt.Errorf("could not confine the definition: %s", strings.TrimPrefix(msg, sandbox.HelperPrefix))
		}
		if why := sandbox.Killed(cmd.ProcessState, p); why != "" {
			return nil, fail(query.ExitDefinitionError, "the definition was stopped: "+why)
		}
		switch {
		case code == query.ExitParameterError:
			return nil, fail(2, msg)
		case code == query.ExitTableFileError:
			return nil, fail(ExitFileValidation, msg)
		case code == query.ExitDefinitionError && msg != "":
			return nil, fail(code, msg)
		case strings.Contains(msg, "runtime: out of memory") || strings.Contains(msg, "failed to reserve"):
			return nil, fail(query.ExitDefinitionError, fmt.Sprintf("the definition ran out of memory: it may use %d MiB (%s sets the limit)", p.Memory>>20, MemoryEnv))
		case strings.HasPrefix(msg, "panic: ") || strings.Contains(msg, "\npanic: "):
			return nil, fail(query.ExitDefinitionError, panicMessage(msg, b))
		case msg == "":
			return nil, fail(query.ExitDefinitionError, fmt.Sprintf("the definition exited with status %d without saying why", code))
		}
		return nil, fail(query.ExitDefinitionError, msg)
	}
	if msg != "" {
		fmt.Fprintln(out, msg)
	}
	switch {
	case len(data) > maxModel:
		return nil, fail(query.ExitDefinitionError, fmt.Sprintf("the definition's query model is larger than %d MiB", maxModel>>20))
	case len(bytes.TrimSpace(data)) == 0:
		e := fail(query.ExitDefinitionError, "the definition did not emit a query model: call query.Emit(dataset) at the end of main").(*Error)
		e.noModel = true
		return nil, e
	}
	def, err := model.Decode(data, tables.Default(), model.DefinitionDir(b.defDir))
	if err != nil {
		return nil, fail(query.ExitDefinitionError, "invalid query model: "+err.Error())
	}
	return def, nil
}

// panicMessage keeps, of a Go panic's report, the panic itself and the
// lines of the study's own code it went through.
func panicMessage(msg string, b *builder) string {
	lines := strings.Split(msg, "\n")
	var keep []string
	for _, l := range lines {
		if strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "\t") && strings.HasPrefix(strings.TrimSpace(l), b.study.Root+string(filepath.Separator)) {
			l = strings.TrimSpace(l)
			if rest, ok := strings.CutPrefix(l, b.study.Root+string(filepath.Separator)); ok {
				if i := strings.LastIndex(rest, " +0x"); i >= 0 {
					rest = rest[:i]
				}
				l = "  at " + relToCwd(filepath.Join(b.study.Root, rest))
			}
			keep = append(keep, l)
		}
	}
	if len(keep) == 0 {
		return msg
	}
	return "the definition panicked: " + strings.TrimPrefix(strings.Join(keep, "\n"), "panic: ")
}
