package query

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/internal/callsite"
	"github.com/ehrql-go/ehrql/query/model"
)

// The protocol between the ehrql command and a definition program, defined
// here once. The command runs the program with the user's parameters (what
// follows "--") as its arguments and only these environment variables set;
// the program builds its definition and calls Emit, which writes the JSON
// query model to the open descriptor named by EnvModelFD (standard output
// when unset, so a definition run by hand prints its query model). A
// definition that cannot be built exits with ExitDefinitionError, or
// ExitParameterError for a malformed parameter, after printing its
// mistakes, with their lines, to standard error.
const (
	// EnvModelFD names the file descriptor the query model is written to.
	EnvModelFD = "EHRQL_QUERY_MODEL_FD"
	// EnvShowFD names the file descriptor that show() writes to, set only
	// by `ehrql debug`: each call writes one line, a document of one Show
	// (model.EncodeShows). Unset, show() does nothing.
	EnvShowFD = "EHRQL_SHOW_FD"
	// EnvDefinitionDir is the definition's directory, against which
	// relative codelist paths are also resolved.
	EnvDefinitionDir = codelists.DefinitionDirEnv
	// ExitDefinitionError is the exit code for a definition with mistakes.
	ExitDefinitionError = 10
	// ExitParameterError is the exit code for a malformed parameter (the
	// ehrql command then exits with ehrQL's usage code, 2; a Go program's
	// own crashes exit 2, so the protocol needs a code of its own).
	ExitParameterError = 64
	// ExitTableFileError is the exit code for a table file that cannot be
	// read (TableFromFile); the ehrql command then exits with ehrQL's code
	// for it, 11.
	ExitTableFileError = 65
)

// Definable is anything Emit can write: a *Dataset or measures.
type Definable interface {
	Definition() (*model.Definition, error)
}

// Emit writes the definition's query model as the protocol above says, or
// reports its mistakes and exits. Call it last in a definition's main.
func Emit(d Definable) {
	def, err := d.Definition()
	if err == nil {
		def.TestData, err = declaredTestData(def.Dataset)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "Error in definition:\n%v\n", err)
		var tfe *model.TableFileError
		if errors.As(err, &tfe) {
			os.Exit(ExitTableFileError)
		}
		os.Exit(ExitDefinitionError)
	}
	data, err := model.Encode(def)
	if err != nil {
		fmt.Fprintf(os.Stderr, "Error encoding the query model: %v\n", err)
		os.Exit(ExitDefinitionError)
	}
	out := os.Stdout
	if f := protocolFile(EnvModelFD, "query model"); f != nil {
		out = f
	}
	if _, err := out.Write(append(data, '\n')); err != nil {
		fmt.Fprintf(os.Stderr, "Error writing the query model: %v\n", err)
		os.Exit(ExitDefinitionError)
	}
}

// protocolFile opens the descriptor the environment variable env names,
// or returns nil when it is unset; a malformed value stops the definition.
func protocolFile(env, what string) *os.File {
	fd := os.Getenv(env)
	if fd == "" {
		return nil
	}
	n, err := strconv.Atoi(fd)
	if err != nil || n < 3 {
		fmt.Fprintf(os.Stderr, "Error writing the %s: %s=%q is not a file descriptor\n", what, env, fd)
		os.Exit(ExitDefinitionError)
	}
	return os.NewFile(uintptr(n), what)
}

// Params are the user parameters given after "--" on the ehrql command
// line, in the form --name value or --name=value (a name may repeat or take
// several values).
type Params struct {
	values map[string][]string
	args   []string
}

// ParseParams reads parameters from args (a definition passes os.Args[1:]).
func ParseParams(args []string) *Params {
	p := &Params{values: map[string][]string{}, args: args}
	current := ""
	for _, a := range args {
		if strings.HasPrefix(a, "--") && len(a) > 2 {
			name, value, hasValue := strings.Cut(a[2:], "=")
			current = name
			if _, ok := p.values[name]; !ok {
				p.values[name] = nil
			}
			if hasValue {
				p.values[name] = append(p.values[name], value)
			}
			continue
		}
		if current != "" {
			p.values[current] = append(p.values[current], a)
		}
	}
	return p
}

// FromArgs is ParseParams(os.Args[1:]).
func FromArgs() *Params { return ParseParams(os.Args[1:]) }

func (p *Params) one(name string) (string, bool) {
	v := p.values[name]
	switch len(v) {
	case 0:
		return "", false
	case 1:
		return v[0], true
	}
	paramFail(ExitParameterError, "parameter `%s` takes one value, got %d: %s", name, len(v), strings.Join(v, " "))
	return "", false
}

func (p *Params) required(name string) string {
	v, ok := p.one(name)
	if !ok {
		paramFail(ExitDefinitionError, "parameter `%s` defined but no values found. Pass parameters in the form `--%s <value>` or provide a default value (GetOr)\n\nNote that custom parameters MUST be provided last, and must follow a double-dash `--`.", name, name)
	}
	return v
}

func paramFail(code int, format string, a ...any) {
	loc := callsite.Location()
	if loc != "" {
		loc += ": "
	}
	fmt.Fprintf(os.Stderr, "%s"+format+"\n", append([]any{loc}, a...)...)
	os.Exit(code)
}

// Has reports whether the parameter was given.
func (p *Params) Has(name string) bool { _, ok := p.values[name]; return ok }

// Date returns a required date parameter (YYYY-MM-DD) as a constant series:
// Get(p, name, DateParam). A missing or malformed value stops the
// definition with a clear message.
func (p *Params) Date(name string) DatePatientSeries { return Get(p, name, DateParam) }

// DateOr returns a date parameter, or def (YYYY-MM-DD) when it is absent.
func (p *Params) DateOr(name, def string) DatePatientSeries {
	return GetOr(p, name, DateParam, Date(def))
}

// String returns a required string parameter: Get(p, name, StrParam).
func (p *Params) String(name string) string { return Get(p, name, StrParam) }

// StringOr returns a string parameter, or def when it is absent.
func (p *Params) StringOr(name, def string) string { return GetOr(p, name, StrParam, def) }

// Strings returns every value of a parameter (none if absent).
func (p *Params) Strings(name string) []string { return append([]string{}, p.values[name]...) }

// Int returns a required integer parameter, read as Python's int() reads
// it: Get(p, name, IntParam).
func (p *Params) Int(name string) int { return Get(p, name, IntParam) }

// IntOr returns an integer parameter, or def when it is absent.
func (p *Params) IntOr(name string, def int) int { return GetOr(p, name, IntParam, def) }
