package engine_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
)

// fuzzDataset is a dataset of every output kind the --dummy-data-file
// checks: a categorical str, a date, an int and a float.
func fuzzDataset(tb testing.TB) *engine.Query {
	tb.Helper()
	patients, _ := model.SelectTable(tables.Core("patients"))
	dob, _ := model.SelectColumn(patients, "date_of_birth")
	sex, _ := model.SelectColumn(patients, "sex")
	index := model.MustValue(model.DateLit(model.MustParseDate("2020-06-01")))
	age, _ := model.Function(model.OpDateDifferenceInYears, index, dob)
	half, _ := model.Function(model.OpTrueDivide, age, model.MustValue(model.IntLit(2)))
	pop, _ := model.Aggregate(model.OpExists, patients)
	q, err := engine.CompileDataset(&model.Dataset{Population: pop, Variables: []model.Variable{
		{Name: "sex", Series: sex}, {Name: "dob", Series: dob}, {Name: "age", Series: age}, {Name: "half", Series: half},
	}})
	if err != nil {
		tb.Fatal(err)
	}
	return q
}

// FuzzDummyDataFile feeds arbitrary bytes to --dummy-data-file as CSV and
// as Arrow: it must never panic, and a refused file leaves no output. Run
// it for a few seconds with
//
//	go test ./engine -run '^$' -fuzz '^FuzzDummyDataFile$' -fuzztime 10s
func FuzzDummyDataFile(f *testing.F) {
	q := fuzzDataset(f)
	ctx := context.Background()
	good := "patient_id,sex,dob,age,half\n1,female,1980-01-01,40,20.0\n2,,,,\n"
	for _, seed := range []string{
		good,
		"patient_id,sex,dob,age,half\n1,f\xe9male,1980-01-01,40,20.0\n", // not UTF-8
		"patient_id,sex,dob,age,half\n1,other,1980-01-01,40,20.0\n",     // not a category
		"patient_id,sex,dob,age,half\n1,female,1980-01-01,40,1e999\n",   // float out of range
		"patient_id,sex,dob,age\n1,female,1980-01-01,40\n",              // missing column
		"patient_id,sex,dob,age,half\n1,\x00,1980-01-01,40,1\n",         // NUL
		"patient_id,sex,dob,age,half\n1,female,1980-01-01,40,1\n1,male,1980-01-01,40,1\n",
		"",
	} {
		f.Add([]byte(seed), false)
	}
	// A valid Arrow file, and a truncated one.
	dir := f.TempDir()
	in := filepath.Join(dir, "in.csv")
	arrow := filepath.Join(dir, "seed.arrow")
	if err := os.WriteFile(in, []byte(good), 0o644); err != nil {
		f.Fatal(err)
	}
	if _, err := q.WriteDummyDataFile(ctx, in, arrow, nil); err != nil {
		f.Fatal(err)
	}
	data, err := os.ReadFile(arrow)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data, true)
	f.Add(data[:len(data)/2], true)
	f.Add([]byte("ARROW1"), true)
	f.Fuzz(func(t *testing.T, data []byte, isArrow bool) {
		dir := t.TempDir()
		in := filepath.Join(dir, "in.csv")
		if isArrow {
			in = filepath.Join(dir, "in.arrow")
		}
		if err := os.WriteFile(in, data, 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "out", "dataset.csv")
		_, err := q.WriteDummyDataFile(ctx, in, out, nil)
		if _, serr := os.Stat(out); err != nil && !errors.Is(serr, os.ErrNotExist) {
			t.Fatalf("refused file (%v) left an output", err)
		}
	})
}
