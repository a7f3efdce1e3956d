package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/ehrql-go/ehrql/assurance"
	"github.com/ehrql-go/ehrql/engine/duck"
	"github.com/ehrql-go/ehrql/internal/definition"
)

// exitAssurance is ehrQL's exit code for failed assurance tests.
const exitAssurance = 13

// assuranceError is a failed assurance test (ehrQL's AssuranceTestError):
// its report.
type assuranceError struct{ report string }

func (e *assuranceError) Error() string { return "\n" + e.report }

func init() {
	commands["assure"] = func(ctx context.Context, args, params []string, stdout, _ io.Writer) error {
		fs := commandFlags("assure")
		defPath, err := parse(fs, args, stdout)
		if err != nil {
			return err
		}
		return assure(ctx, defPath, params, stdout)
	}
}

// assure runs the assurance tests of the test file at path (a definition
// with test patients): ehrQL's report is written to w when they pass, and
// is the error when they do not.
func assure(ctx context.Context, path string, params []string, w io.Writer) error {
	def, err := loadDataset(ctx, path, params, "")
	if err != nil {
		return err
	}
	if def.TestData == nil {
		return &definition.Error{Path: path, Code: exitDefinition, Msg: "No 'test_data' variable defined"}
	}
	res, err := assurance.Validate(ctx, def.Dataset, def.TestData, assurance.DuckDB(duck.FromEnv()))
	var tde *assurance.TestDataError
	if errors.As(err, &tde) {
		return &definition.Error{Path: path, Code: exitDefinition, Msg: tde.Msg}
	}
	if err != nil {
		return err
	}
	report := assurance.Present(res)
	if !res.OK() {
		return &assuranceError{report}
	}
	_, err = fmt.Fprintln(w, report)
	return err
}
