package generative

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/engine/memory"
	"github.com/ehrql-go/ehrql/query/model"
)

// Runner runs cases on DuckDB, in one session whose tables each case
// replaces.
type Runner struct {
	sess *engine.Session
	// Overflowed counts the cases Check could not compare: the reference
	// engine overflowed an int where DuckDB, rearranging the arithmetic,
	// did not (ehrQL's ints do not overflow, and its generative tests skip
	// overflows too).
	Overflowed int
	// Outcomes counts the cases by how they were compared.
	Outcomes map[string]int
}

// NewRunner opens the DuckDB session.
func NewRunner(ctx context.Context) (*Runner, error) {
	s, err := engine.OpenEmpty(ctx, engine.Options{Threads: 1})
	if err != nil {
		return nil, err
	}
	return &Runner{sess: s, Outcomes: map[string]int{}}, nil
}

// Close ends the session.
func (r *Runner) Close() error { return r.sess.Close() }

// RunDuckDB compiles the dataset and runs it on the data with the DuckDB
// engine, returning its outputs as the reference engine does.
func (r *Runner) RunDuckDB(ctx context.Context, ds *model.Dataset, data memory.Data) (*memory.Results, error) {
	q, err := engine.CompileDataset(ds)
	if err != nil {
		return nil, err
	}
	if err := r.sess.LoadRows(ctx, tables, data); err != nil {
		return nil, err
	}
	return q.Results(ctx, r.sess)
}

// Check runs a case on both engines and describes any disagreement.
//
// Runs that succeed must give the same outputs. The reference engine's
// eager run (ehrQL's semantics) and its lazy run bound DuckDB's errors: if
// the eager run succeeds DuckDB must; if the lazy run fails DuckDB must fail
// with an error in the data; in between DuckDB may do either, and when it
// succeeds it must agree with the lazy run. A model the reference engine
// refuses must be refused by DuckDB with an error that says the same.
func (r *Runner) Check(ctx context.Context, c Case) error {
	eager, errE := memory.Run(c.Dataset, c.Data, memory.Options{})
	duck, errD := r.RunDuckDB(ctx, c.Dataset, c.Data)
	var dataErr *memory.Error
	switch {
	case errE != nil && !errors.As(errE, &dataErr):
		r.Outcomes["refused"]++
		if errD == nil || !strings.Contains(errD.Error(), errE.Error()) {
			return fmt.Errorf("the reference engine refuses the model (%v) but DuckDB gives %v", errE, errOrOK(errD))
		}
		return nil
	case errE == nil:
		r.Outcomes["results"]++
		if errD != nil {
			return fmt.Errorf("DuckDB fails: %v", errD)
		}
		return compareResults(eager, duck)
	}
	r.Outcomes["error in the data"]++
	lazy, errL := memory.Run(c.Dataset, c.Data, memory.Options{Lazy: true})
	if errD != nil {
		if !IsDataError(errD) {
			return fmt.Errorf("DuckDB fails (%v) where the reference engine fails with %v", errD, errE)
		}
		return nil
	}
	if errors.As(errL, &dataErr) && dataErr.Err.Kind == model.ErrOverflow {
		r.Overflowed++
		return nil
	}
	if errL != nil {
		return fmt.Errorf("the reference engine fails even lazily (%v) but DuckDB succeeds", errL)
	}
	return compareResults(lazy, duck)
}

func errOrOK(err error) string {
	if err == nil {
		return "results"
	}
	return err.Error()
}

// IsDataError reports whether a DuckDB error is one raised by values in the
// data (an overflow, a date out of range), not by the query.
func IsDataError(err error) bool {
	var de *engine.DataError
	if errors.As(err, &de) {
		return true
	}
	msg := err.Error()
	for _, s := range []string{engine.DataErrorMarker, "Overflow", "out of range", "Conversion Error"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// compareResults describes the first difference between two runs' outputs.
func compareResults(want, got *memory.Results) error {
	if err := compareTables(want.Dataset, got.Dataset); err != nil {
		return err
	}
	if len(want.Events) != len(got.Events) {
		return fmt.Errorf("%d event tables, want %d", len(got.Events), len(want.Events))
	}
	for i := range want.Events {
		if err := compareTables(want.Events[i], got.Events[i]); err != nil {
			return err
		}
	}
	return nil
}

func compareTables(want, got memory.Table) error {
	if strings.Join(want.Columns, ",") != strings.Join(got.Columns, ",") {
		return fmt.Errorf("%s: columns %v, want %v", want.Name, got.Columns, want.Columns)
	}
	for i := 0; i < len(want.Rows) || i < len(got.Rows); i++ {
		if i >= len(got.Rows) {
			return fmt.Errorf("%s: row %d missing: want %s", want.Name, i, show(want.Rows[i]))
		}
		if i >= len(want.Rows) {
			return fmt.Errorf("%s: unexpected row %d: %s", want.Name, i, show(got.Rows[i]))
		}
		for j := range want.Rows[i] {
			if !sameValue(want.Rows[i][j], got.Rows[i][j]) {
				return fmt.Errorf("%s: row %d, column %s: DuckDB gives %s, the reference engine %s\n  DuckDB:    %s\n  reference: %s",
					want.Name, i, want.Columns[j], show1(got.Rows[i][j]), show1(want.Rows[i][j]), show(got.Rows[i]), show(want.Rows[i]))
			}
		}
	}
	return nil
}

// sameValue compares output values; floats as memory.FloatsEqual, so the
// sign of a zero is not compared (ties between -0.0 and 0.0 are unordered).
func sameValue(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if x, ok := a.(float64); ok {
		y, ok := b.(float64)
		return ok && memory.FloatsEqual(x, y)
	}
	return a == b
}

func show(row []any) string {
	parts := make([]string, len(row))
	for i, v := range row {
		parts[i] = show1(v)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func show1(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return fmt.Sprintf("%q", x)
	case float64:
		if x == 0 && math.Signbit(x) {
			return "-0.0"
		}
	}
	return fmt.Sprint(v)
}
