package engine_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/engine/memory"
	"github.com/ehrql-go/ehrql/engine/sqlgen"
	"github.com/ehrql-go/ehrql/internal/studytest"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
)

// TestPatientBatches: the patients table cuts the ids into ranges of at
// most a batch's patients, as set or as the memory limit gives; a session
// without a patients table, or with few patients, runs in one batch.
func TestPatientBatches(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		opts     engine.Options
		patients string // ids of the patients table, or a range() of them; "" for none
		want     []string
	}{
		{engine.Options{PatientsPerBatch: 3}, "", []string{"every patient"}},
		{engine.Options{PatientsPerBatch: 3}, "5, 1, 2", []string{"every patient"}},
		{engine.Options{PatientsPerBatch: 3}, "10, 9, 8, 7, 6, 5, 4, 3, 2, 1", []string{
			"patient_id <= 3", "patient_id > 3 AND patient_id <= 5", "patient_id > 5 AND patient_id <= 8", "patient_id > 8"}},
		{engine.Options{PatientsPerBatch: 2}, "-7, 100, 3, 1000000000000", []string{"patient_id <= 3", "patient_id > 3"}},
		// 1,000 bytes a patient (given): 10MB, 10,000 patients a batch
		{engine.Options{MemoryLimit: "10MB"}, "range(1, 10001)", []string{"every patient"}},
		{engine.Options{MemoryLimit: "10MB"}, "range(1, 25001)", []string{"patient_id <= 8334", "patient_id > 8334 AND patient_id <= 16667", "patient_id > 16667"}},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%+v %s", c.opts, c.patients), func(t *testing.T) {
			s, err := engine.OpenEmpty(ctx, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if strings.HasPrefix(c.patients, "range(") {
				if err := s.Exec(ctx, "CREATE TABLE patients AS SELECT range AS patient_id FROM "+c.patients); err != nil {
					t.Fatal(err)
				}
			} else if c.patients != "" {
				var rows []string
				for _, id := range strings.Split(c.patients, ", ") {
					rows = append(rows, "("+id+")")
				}
				if err := s.Exec(ctx, "CREATE TABLE patients AS SELECT * FROM (VALUES "+strings.Join(rows, ", ")+") AS v(patient_id)"); err != nil {
					t.Fatal(err)
				}
			}
			ranges, err := s.PatientBatches(ctx, 1000)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range ranges {
				got = append(got, r.String())
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("batches %q, want %q", got, c.want)
			}
		})
	}
}

// TestPatientBatchesAfterExec: the ranges found once are found again only
// after Exec, which may change the patients table.
func TestPatientBatchesAfterExec(t *testing.T) {
	ctx := context.Background()
	s, err := engine.OpenEmpty(ctx, engine.Options{PatientsPerBatch: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	count := func() int {
		t.Helper()
		ranges, err := s.PatientBatches(ctx, 1000)
		if err != nil {
			t.Fatal(err)
		}
		return len(ranges)
	}
	if err := s.Exec(ctx, "CREATE TABLE patients AS SELECT range AS patient_id FROM range(1, 11)"); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 4 {
		t.Fatalf("10 patients: %d batches, want 4", n)
	}
	if n := count(); n != 4 {
		t.Fatalf("10 patients, asked again: %d batches, want 4", n)
	}
	if err := s.Exec(ctx, "INSERT INTO patients SELECT range FROM range(11, 21)"); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 7 {
		t.Errorf("20 patients: %d batches, want 7", n)
	}
}

// TestPatientBatchesBySize: without a batch size, a dataset gives each
// patient 15 bytes of the memory limit per column (its event tables'
// included), at least 1,000; measures give 1,000. 50,000 patients under
// 10MB (10,000,000 bytes).
func TestPatientBatchesBySize(t *testing.T) {
	ctx := context.Background()
	pt := must(model.SelectTable(tables.Core("patients")))
	ce := must(model.SelectTable(tables.Core("clinical_events")))
	dataset := func(variables, eventColumns int) *model.Dataset {
		ds := &model.Dataset{Population: must(model.Aggregate(model.OpExists, pt))}
		for i := range variables {
			ds.Variables = append(ds.Variables, model.Variable{Name: fmt.Sprintf("v%d", i), Series: must(model.SelectColumn(pt, "date_of_birth"))})
		}
		if eventColumns > 0 {
			var names []string
			var series []*model.Node
			for i := range eventColumns {
				names = append(names, fmt.Sprintf("c%d", i))
				series = append(series, must(model.SelectColumn(ce, "date")))
			}
			ds.Events = []model.EventTable{{Name: "events", Frame: must(model.SeriesCollectionFrame(names, series))}}
		}
		return ds
	}
	measures := []model.Measure{{Name: "m", Numerator: must(model.Aggregate(model.OpExists, ce)), Denominator: must(model.Aggregate(model.OpExists, pt)),
		Intervals: [][2]model.CivilDate{{model.MustParseDate("2020-01-01"), model.MustParseDate("2020-12-31")}}}}
	s, err := engine.OpenEmpty(ctx, engine.Options{MemoryLimit: "10MB"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Exec(ctx, "CREATE TABLE patients AS SELECT range AS patient_id FROM range(1, 50001)"); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		batches func() ([]sqlgen.PatientRange, error)
		want    int
	}{
		// 4 columns: 1,000 bytes, 10,000 patients a batch
		{"3 variables", func() ([]sqlgen.PatientRange, error) { return mustCompile(t, dataset(3, 0)).PatientBatches(ctx, s) }, 5},
		// 71 columns: 1,065 bytes, 9,389 patients a batch
		{"70 variables", func() ([]sqlgen.PatientRange, error) { return mustCompile(t, dataset(70, 0)).PatientBatches(ctx, s) }, 6},
		// 136 columns: 2,040 bytes, 4,901 patients a batch
		{"70 variables and 65 event columns", func() ([]sqlgen.PatientRange, error) { return mustCompile(t, dataset(70, 65)).PatientBatches(ctx, s) }, 11},
		// 1,000 bytes, 10,000 patients a batch
		{"measures", func() ([]sqlgen.PatientRange, error) {
			q, err := engine.CompileMeasures(measures)
			if err != nil {
				t.Fatal(err)
			}
			return q.PatientBatches(ctx, s)
		}, 5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ranges, err := c.batches()
			if err != nil {
				t.Fatal(err)
			}
			if len(ranges) != c.want {
				t.Errorf("%d batches, want %d: %v", len(ranges), c.want, ranges)
			}
		})
	}
}

func mustCompile(t *testing.T, ds *model.Dataset) *engine.Query {
	t.Helper()
	q, err := engine.CompileDataset(ds)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// TestBatchedRunsMatchWholeRuns: the reference study's dataset (with an
// event table) and measures, run on its dummy tables in batches of 1,500
// of its 5,000 patients, write the same bytes (Arrow, CSV) and the same
// sums as in one batch.
func TestBatchedRunsMatchWholeRuns(t *testing.T) {
	ctx := context.Background()
	dataset := studytest.Definition(t, studytest.Dataset).Dataset
	ds := *dataset
	ce := must(model.SelectTable(tables.TPP("clinical_events")))
	frame := must(model.SeriesCollectionFrame([]string{"date", "code"}, []*model.Node{
		must(model.SelectColumn(ce, "date")), must(model.SelectColumn(ce, "snomedct_code"))}))
	ds.Events = []model.EventTable{{Name: "events", Frame: frame}}
	measures := studytest.Definition(t, studytest.Measures).Measures
	run := func(perBatch int64) (files map[string][]byte, sums []string) {
		q, err := engine.CompileDataset(&ds)
		if err != nil {
			t.Fatal(err)
		}
		mq, err := engine.CompileMeasures(measures)
		if err != nil {
			t.Fatal(err)
		}
		s, err := engine.OpenCSVTables(ctx, filepath.Join(studytest.Dir(), "dummy_tables"), engine.TablesOf(append(ds.Roots(), measureRoots(measures)...)...), engine.Options{PatientsPerBatch: perBatch})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		ranges, err := q.PatientBatches(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[int64]int{0: 1, 1500: 4}[perBatch]; len(ranges) != want {
			t.Fatalf("%d patients a batch: %d batches, want %d", perBatch, len(ranges), want)
		}
		files = map[string][]byte{}
		for _, ext := range []string{"arrow", "csv"} {
			dir := t.TempDir()
			if _, err := q.Run(ctx, s, dir+"/:"+ext, nil); err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{"dataset", "events"} {
				b, err := os.ReadFile(filepath.Join(dir, name+"."+ext))
				if err != nil {
					t.Fatal(err)
				}
				files[name+"."+ext] = b
			}
		}
		return files, rowsText(t, mq, s)
	}
	wholeFiles, wholeSums := run(0)
	files, sums := run(1500)
	for name, want := range wholeFiles {
		if len(want) < 1000 {
			t.Errorf("%s: only %d bytes in one batch", name, len(want))
		}
		if !slices.Equal(files[name], want) {
			t.Errorf("%s: batches write other bytes than one batch (%d against %d)", name, len(files[name]), len(want))
		}
	}
	if len(wholeSums) == 0 || !slices.Equal(sums, wholeSums) {
		t.Errorf("measures: %d rows in batches, %d in one, or they differ", len(sums), len(wholeSums))
	}
}

// measureRoots are the series measures read.
func measureRoots(ms []model.Measure) []*model.Node {
	var roots []*model.Node
	for _, m := range ms {
		roots = append(roots, m.Numerator, m.Denominator)
		for _, g := range m.GroupBy {
			roots = append(roots, g.Series)
		}
	}
	return roots
}

// TestBatchedMeasureSums: a batch's sum may overflow an int where the
// whole sum does not, and the whole sum may overflow where no batch's
// does; batches give the whole run's sums and its error.
func TestBatchedMeasureSums(t *testing.T) {
	ctx := context.Background()
	pt := &model.Table{Name: "p", PatientLevel: true, Columns: []model.Column{{Name: "n", Type: model.Int}}}
	p := must(model.SelectTable(pt))
	iv := [2]model.CivilDate{model.MustParseDate("2020-01-01"), model.MustParseDate("2020-12-31")}
	ms := []model.Measure{{Name: "m", Numerator: must(model.SelectColumn(p, "n")), Denominator: must(model.Aggregate(model.OpExists, p)),
		Intervals: [][2]model.CivilDate{iv}}}
	q, err := engine.CompileMeasures(ms)
	if err != nil {
		t.Fatal(err)
	}
	run := func(perBatch int64, ns ...int64) (string, error) {
		s, err := engine.OpenEmpty(ctx, engine.Options{PatientsPerBatch: perBatch})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		data := memory.Data{}
		for i, n := range ns {
			data["p"] = append(data["p"], memory.Row{PatientID: int64(i + 1), Values: map[string]any{"n": n}})
		}
		if err := s.LoadRows(ctx, []*model.Table{pt}, data); err != nil {
			t.Fatal(err)
		}
		if err := s.Exec(ctx, "CREATE TABLE patients AS SELECT patient_id FROM p"); err != nil {
			t.Fatal(err)
		}
		rows, err := q.RunMeasures(ctx, s)
		if err != nil {
			return "", err
		}
		var out []string
		for _, r := range rows {
			out = append(out, fmt.Sprintf("%s %d/%d", r.Measure, r.Numerator, r.Denominator))
		}
		return strings.Join(out, "; "), nil
	}
	// patients 1 and 2 make the first of two batches
	fits := []int64{math.MaxInt64, 5, -10}
	for _, perBatch := range []int64{0, 2} {
		if got, err := run(perBatch, fits...); err != nil || got != fmt.Sprintf("m %d/3", int64(math.MaxInt64-5)) {
			t.Errorf("%d patients a batch: %q, %v", perBatch, got, err)
		}
	}
	overflows := []int64{math.MaxInt64, 5, 10}
	_, whole := run(0, overflows...)
	_, batched := run(2, overflows...)
	var de *engine.DataError
	const want = "measure 'm': arithmetic overflow: the sum 9223372036854775822 is outside the range of an int (-9223372036854775808 to 9223372036854775807)"
	if !errors.As(batched, &de) || whole == nil || batched.Error() != whole.Error() || batched.Error() != want {
		t.Errorf("overflow in batches: %v\nin one run: %v\nwant: %s", batched, whole, want)
	}
}

// TestBatchFailsWholly: an error in the data of a later batch fails the
// run as it fails in one batch, with the same message, and leaves no
// output behind, though earlier batches were written.
func TestBatchFailsWholly(t *testing.T) {
	ctx := context.Background()
	pt := &model.Table{Name: "p", PatientLevel: true, Columns: []model.Column{{Name: "n", Type: model.Int}}}
	p := must(model.SelectTable(pt))
	n := must(model.SelectColumn(p, "n"))
	ds := &model.Dataset{Population: must(model.Aggregate(model.OpExists, p)), Variables: []model.Variable{
		{Name: "next", Series: must(model.Function(model.OpAdd, n, must(model.Value(model.IntLit(1)))))}}}
	q, err := engine.CompileDataset(ds)
	if err != nil {
		t.Fatal(err)
	}
	run := func(perBatch int64) error {
		s, err := engine.OpenEmpty(ctx, engine.Options{PatientsPerBatch: perBatch})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		data := memory.Data{}
		for i := range 9 {
			v := int64(i)
			if i == 8 {
				v = math.MaxInt64 // overflows, in the last batch
			}
			data["p"] = append(data["p"], memory.Row{PatientID: int64(i + 1), Values: map[string]any{"n": v}})
		}
		if err := s.LoadRows(ctx, []*model.Table{pt}, data); err != nil {
			t.Fatal(err)
		}
		if err := s.Exec(ctx, "CREATE TABLE patients AS SELECT patient_id FROM p"); err != nil {
			t.Fatal(err)
		}
		if ranges, err := q.PatientBatches(ctx, s); err != nil || (perBatch > 0) != (len(ranges) == 3) {
			t.Fatalf("%d a batch: %d batches, %v", perBatch, len(ranges), err)
		}
		out := filepath.Join(t.TempDir(), "out.csv")
		_, err = q.Run(ctx, s, out, nil)
		if _, serr := os.Stat(out); serr == nil {
			t.Errorf("%d a batch: %s written", perBatch, out)
		}
		return err
	}
	whole, batched := run(0), run(3)
	var de *engine.DataError
	if !errors.As(batched, &de) || whole == nil || batched.Error() != whole.Error() || !strings.Contains(batched.Error(), "variable 'next'") {
		t.Errorf("in batches: %v\nin one: %v", batched, whole)
	}
}
