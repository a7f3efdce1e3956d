package generative

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/engine/memory"
	"github.com/ehrql-go/ehrql/query/model"
)

// Runner runs cases on DuckDB, in one session whose tables each case
// replaces.
type Runner struct {
	sess *engine.Session
	// batches: the session runs cases in batches of patients (NewRunner).
	batches bool
	// Overflowed counts the cases Check could not compare: the reference
	// engine overflowed an int where DuckDB, rearranging the arithmetic,
	// did not (ehrQL's ints do not overflow, and its generative tests skip
	// overflows too).
	Overflowed int
	// Outcomes counts the cases by how they were compared.
	Outcomes map[string]int
	// MeasureRows counts the measures rows compared.
	MeasureRows int
	// MeasuresTime is the time spent checking measures.
	MeasuresTime time.Duration
}

// NewRunner opens the DuckDB session. With perBatch > 0, DuckDB runs
// each case in batches of at most perBatch patients (engine.Options'
// PatientsPerBatch), cut by a patients table of some of the case's
// patients (those of p0 and e0): the others fall in the open first and
// last batches.
func NewRunner(ctx context.Context, perBatch int64) (*Runner, error) {
	s, err := engine.OpenEmpty(ctx, engine.Options{Threads: 1, PatientsPerBatch: perBatch})
	if err != nil {
		return nil, err
	}
	return &Runner{sess: s, Outcomes: map[string]int{}, batches: perBatch > 0}, nil
}

// load loads a case's data into the session, and the patients table that
// cuts it into batches when the runner runs in batches.
func (r *Runner) load(ctx context.Context, data memory.Data) error {
	if err := r.sess.LoadRows(ctx, tables, data); err != nil {
		return err
	}
	if !r.batches {
		return nil
	}
	return r.sess.Exec(ctx, "CREATE OR REPLACE TABLE main.patients AS SELECT DISTINCT patient_id FROM (FROM p0 UNION ALL FROM e0)")
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
	if err := r.load(ctx, data); err != nil {
		return nil, err
	}
	return q.Results(ctx, r.sess)
}

// RunMeasuresDuckDB compiles measures and runs them on the data with the
// DuckDB engine, returning their raw sums as the reference engine does.
func (r *Runner) RunMeasuresDuckDB(ctx context.Context, ms []model.Measure, data memory.Data) ([]memory.MeasureRow, error) {
	q, err := engine.CompileMeasures(ms)
	if err != nil {
		return nil, err
	}
	if err := r.load(ctx, data); err != nil {
		return nil, err
	}
	rows, err := q.RunMeasures(ctx, r.sess)
	if err != nil {
		return nil, err
	}
	groups := map[string][]string{}
	for _, m := range ms {
		for _, g := range m.GroupBy {
			groups[m.Name] = append(groups[m.Name], g.Name)
		}
	}
	out := make([]memory.MeasureRow, len(rows))
	for i, row := range rows {
		out[i] = memory.MeasureRow{Measure: row.Measure, Start: row.Start, End: row.End, Numerator: row.Numerator, Denominator: row.Denominator}
		for _, name := range groups[row.Measure] {
			out[i].Groups = append(out[i].Groups, row.Groups[name])
		}
	}
	return out, nil
}

// Check runs a case on both engines and describes any disagreement.
//
// Runs that succeed must give the same outputs. The reference engine's
// eager run (ehrQL's semantics) and its lazy run bound DuckDB's errors: if
// the eager run succeeds DuckDB must; if the lazy run fails DuckDB must fail
// with an error in the data; in between DuckDB may do either, and when it
// succeeds it must agree with the lazy run. A model the reference engine
// refuses must be refused by DuckDB with an error that says the same.
//
// DuckDB runs the case's definition after a round trip through the JSON
// wire format (RoundTrip), which must give back the same JSON; the
// reference engine runs the definition as generated, and the decoded one
// too, which must give the same results. A model the reference engine
// refuses may instead be refused by the decoder, with the same error.
//
// Measures are compared the same way (checkMeasures).
func (r *Runner) Check(ctx context.Context, c Case) error {
	eager, errE := memory.Run(c.Dataset, c.Data, memory.Options{})
	var dataErr *memory.Error
	refused := errE != nil && !errors.As(errE, &dataErr)
	back, errRT := RoundTrip(&model.Definition{Dataset: c.Dataset, Measures: c.Measures})
	if errRT != nil {
		// A variable named twice cannot be written in JSON (a dict): the
		// decoder says so in its own words.
		sameRefusal := refused && (strings.Contains(errRT.Error(), errE.Error()) ||
			strings.Contains(errE.Error(), "already set") && strings.Contains(errRT.Error(), "appears twice"))
		if !sameRefusal {
			return fmt.Errorf("JSON round trip: %w", errRT)
		}
		// The decoder refuses the dataset as the reference engine does:
		// the measures make the trip alone.
		if c.Measures != nil {
			if back, errRT = RoundTrip(&model.Definition{Measures: c.Measures}); errRT != nil {
				return fmt.Errorf("JSON round trip of the measures: %w", errRT)
			}
		}
	}
	if c.Measures != nil {
		start := time.Now()
		err := r.checkMeasures(ctx, c.Measures, back.Measures, c.Data)
		r.MeasuresTime += time.Since(start)
		if err != nil {
			return fmt.Errorf("measures: %w", err)
		}
	}
	ds := c.Dataset
	if back != nil && back.Dataset != nil {
		ds = back.Dataset
	}
	duck, errD := r.RunDuckDB(ctx, ds, c.Data)
	switch {
	case refused:
		r.Outcomes["refused"]++
		if errD == nil || !strings.Contains(errD.Error(), errE.Error()) {
			return fmt.Errorf("the reference engine refuses the model (%v) but DuckDB gives %v", errE, errOrOK(errD))
		}
		return nil
	case errE == nil:
		r.Outcomes["results"]++
		decoded, err := memory.Run(ds, c.Data, memory.Options{})
		if err != nil {
			return fmt.Errorf("the reference engine fails on the decoded model: %v", err)
		}
		if err := compareResults(eager, decoded); err != nil {
			return fmt.Errorf("the reference engine on the decoded model: %w", err)
		}
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

// checkMeasures compares measures on both engines: the reference engine
// runs them as generated, DuckDB after the JSON round trip (decoded). The
// raw sums must agree; errors in the data are bounded as Check says.
func (r *Runner) checkMeasures(ctx context.Context, ms, decoded []model.Measure, data memory.Data) error {
	eager, errE := memory.RunMeasures(ms, data, memory.Options{})
	duck, errD := r.RunMeasuresDuckDB(ctx, decoded, data)
	var dataErr *memory.Error
	switch {
	case errE != nil && !errors.As(errE, &dataErr):
		r.Outcomes["measures: refused"]++
		if errD == nil || !strings.Contains(errD.Error(), errE.Error()) {
			return fmt.Errorf("the reference engine refuses the measures (%v) but DuckDB gives %v", errE, errOrOK(errD))
		}
		return nil
	case errE == nil:
		r.Outcomes["measures: results"]++
		if errD != nil {
			if IsDataError(errD) && failsOnEveryInterval(ms, data) {
				// Known: the compiled query evaluates every numerator and
				// group on the intervals of every measure (ehrQL on the
				// measure's own), and fails on a value ehrQL never computes.
				r.Outcomes["measures: DuckDB fails on another measure's interval"]++
				return nil
			}
			return fmt.Errorf("DuckDB fails: %v", errD)
		}
		return r.compareMeasures(eager, duck)
	}
	r.Outcomes["measures: error in the data"]++
	if errD != nil {
		if !IsDataError(errD) {
			return fmt.Errorf("DuckDB fails (%v) where the reference engine fails with %v", errD, errE)
		}
		return nil
	}
	lazy, errL := memory.RunMeasures(ms, data, memory.Options{Lazy: true})
	if errors.As(errL, &dataErr) && dataErr.Err.Kind == model.ErrOverflow {
		r.Overflowed++
		return nil
	}
	if errL != nil {
		return fmt.Errorf("the reference engine fails even lazily (%v) but DuckDB succeeds", errL)
	}
	return r.compareMeasures(lazy, duck)
}

// failsOnEveryInterval reports whether the reference engine fails on an
// error in the data when every measure is evaluated on the intervals of
// all measures, as the compiled query evaluates them.
func failsOnEveryInterval(ms []model.Measure, data memory.Data) bool {
	var all [][2]model.CivilDate
	for _, m := range ms {
		for _, iv := range m.Intervals {
			if !slices.Contains(all, iv) {
				all = append(all, iv)
			}
		}
	}
	wide := slices.Clone(ms)
	for i := range wide {
		wide[i].Intervals = all
	}
	_, err := memory.RunMeasures(wide, data, memory.Options{})
	var dataErr *memory.Error
	return errors.As(err, &dataErr)
}

// compareMeasures compares measures rows and counts them.
func (r *Runner) compareMeasures(want, got []memory.MeasureRow) error {
	r.MeasureRows += len(want)
	return compareMeasures(want, got)
}

// compareMeasures describes the first difference between two runs'
// measures rows, taken in order of measure, interval and groups.
func compareMeasures(want, got []memory.MeasureRow) error {
	want, got = slices.Clone(want), slices.Clone(got)
	slices.SortStableFunc(want, compareMeasureRows)
	slices.SortStableFunc(got, compareMeasureRows)
	for i := 0; i < len(want) || i < len(got); i++ {
		switch {
		case i >= len(got):
			return fmt.Errorf("row %d missing: want %s", i, showMeasureRow(want[i]))
		case i >= len(want):
			return fmt.Errorf("unexpected row %d: %s", i, showMeasureRow(got[i]))
		}
		w, g := want[i], got[i]
		same := w.Measure == g.Measure && w.Start == g.Start && w.End == g.End &&
			w.Numerator == g.Numerator && w.Denominator == g.Denominator && len(w.Groups) == len(g.Groups)
		for j := 0; same && j < len(w.Groups); j++ {
			same = sameValue(w.Groups[j], g.Groups[j])
		}
		if !same {
			return fmt.Errorf("row %d: DuckDB gives %s, the reference engine %s", i, showMeasureRow(g), showMeasureRow(w))
		}
	}
	return nil
}

func compareMeasureRows(a, b memory.MeasureRow) int {
	if c := strings.Compare(a.Measure, b.Measure); c != 0 {
		return c
	}
	if c := a.Start.DaysSince(b.Start); c != 0 {
		return c
	}
	if c := a.End.DaysSince(b.End); c != 0 {
		return c
	}
	for i := 0; i < len(a.Groups) && i < len(b.Groups); i++ {
		if c := compareGroupValues(a.Groups[i], b.Groups[i]); c != 0 {
			return c
		}
	}
	return len(a.Groups) - len(b.Groups)
}

// compareGroupValues orders group values: NULL first, NaN after every
// other float, -0.0 with 0.0.
func compareGroupValues(x, y any) int {
	if x == nil || y == nil {
		switch {
		case x == nil && y == nil:
			return 0
		case x == nil:
			return -1
		}
		return 1
	}
	if tx, ty := fmt.Sprintf("%T", x), fmt.Sprintf("%T", y); tx != ty {
		return strings.Compare(tx, ty)
	}
	switch x.(type) {
	case bool, int64, float64, string, model.CivilDate:
		return model.Compare(x, y)
	}
	return strings.Compare(fmt.Sprint(x), fmt.Sprint(y))
}

func showMeasureRow(r memory.MeasureRow) string {
	return fmt.Sprintf("%s %s..%s %d/%d %s", r.Measure, r.Start, r.End, r.Numerator, r.Denominator, show(r.Groups))
}
