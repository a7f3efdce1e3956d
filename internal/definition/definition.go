// Package definition loads dataset and measures definitions for the ehrql
// command: Go programs written against package query, run with the Go
// toolchain under the protocol package query defines, or query models in
// ehrQL's JSON wire format.
package definition

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"

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
}

// Error implements the error interface.
func (e *Error) Error() string { return fmt.Sprintf("Error loading file '%s':\n\n%s", e.Path, e.Msg) }

// Load reads the definition at path: a .json query model, a .go file or a
// directory holding a Go main package. params are the user parameters (what
// followed "--" on the command line).
func Load(ctx context.Context, path string, params []string) (*model.Definition, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s does not exist", path)
	}
	switch {
	case info.IsDir():
		return runGo(ctx, path, ".", params)
	case strings.HasSuffix(path, ".json"):
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		def, err := model.Decode(data, tables.Default())
		if err != nil {
			return nil, &Error{Path: path, Code: query.ExitDefinitionError, Msg: err.Error()}
		}
		return def, nil
	case strings.HasSuffix(path, ".go"):
		return runGo(ctx, filepath.Dir(path), filepath.Base(path), params)
	}
	return nil, fmt.Errorf("%s is not a definition: expected a .go file, a Go package directory or a .json query model", path)
}

var exitStatus = regexp.MustCompile(`(?m)^exit status (\d+)\s*$`)

// goTool finds the go command.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

// runGo runs the definition program in dir (target is the file or "." for
// the package) and reads the query model it emits.
func runGo(ctx context.Context, dir, target string, params []string) (*model.Definition, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	out, err := os.CreateTemp("", "ehrql-model-*.json")
	if err != nil {
		return nil, err
	}
	out.Close()
	defer os.Remove(out.Name())

	cmd := exec.CommandContext(ctx, goTool(), append([]string{"run", target}, params...)...)
	cmd.Dir = abs
	cmd.Env = append(os.Environ(), query.EnvModelOut+"="+out.Name(), query.EnvDefinitionDir+"="+abs)
	var stderr bytes.Buffer
	cmd.Stdout = os.Stderr // what a definition prints is shown, never mixed with results
	cmd.Stderr = &stderr
	shown := filepath.Join(dir, target)
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		msg := strings.TrimSpace(stderr.String())
		if errors.As(err, &exit) {
			// go run exits 1 whether the build failed or the program did; a
			// program's own exit code is on go run's last line of stderr.
			code := query.ExitDefinitionError
			if m := exitStatus.FindStringSubmatch(msg); m != nil {
				if n, _ := strconv.Atoi(m[1]); n == query.ExitParameterError {
					code = n
				}
				msg = strings.TrimSpace(strings.TrimSuffix(msg, m[0]))
			}
			return nil, &Error{Path: shown, Code: code, Msg: msg}
		}
		return nil, fmt.Errorf("running %s: %w", shown, err)
	}
	os.Stderr.Write(stderr.Bytes())
	data, err := os.ReadFile(out.Name())
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, &Error{Path: shown, Code: query.ExitDefinitionError, Msg: "the definition did not emit a query model: call query.Emit(dataset) at the end of main"}
	}
	def, err := model.Decode(data, tables.Default())
	if err != nil {
		return nil, &Error{Path: shown, Code: query.ExitDefinitionError, Msg: "invalid query model: " + err.Error()}
	}
	return def, nil
}
