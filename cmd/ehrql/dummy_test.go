package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/internal/studytest"
	"github.com/ehrql-go/ehrql/query/model"
)

const studyJSON2020 = study + "/ehrql-json/consultation_dataset_2020-04-01_to_2021-03-31.json"

func loadStudyDef(t *testing.T) *model.Definition { return studytest.Definition(t, studytest.Dataset) }

// TestCreateDummyTablesRoundTrip: create-dummy-tables writes the tables,
// and generate-dataset over them gives the same dataset as running on
// freshly generated dummy data.
func TestCreateDummyTablesRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dummy")
	_, stderr, code := ehrql(t, "create-dummy-tables", studyJSON2020, dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "Generated 5000 of 5000 patients (seed 0)") {
		t.Errorf("stderr: %s", stderr)
	}
	t.Log(strings.TrimSpace(stderr))
	for _, name := range []string{"addresses", "appointments", "clinical_events", "patients", "practice_registrations"} {
		if _, err := os.Stat(filepath.Join(dir, name+".csv")); err != nil {
			t.Errorf("missing table: %v", err)
		}
	}
	fromTables, stderr, code := ehrql(t, "generate-dataset", studyJSON2020, "--dummy-tables", dir)
	if code != 0 {
		t.Fatalf("generate-dataset: exit %d: %s", code, stderr)
	}
	if n := strings.Count(fromTables, "\n"); n != 5001 {
		t.Errorf("%d lines, want header + 5000", n)
	}
	var direct, errb bytes.Buffer
	if err := runDummyDataset(context.Background(), loadStudyDef(t), "", &direct, &errb); err != nil {
		t.Fatal(err)
	}
	if direct.String() != fromTables {
		t.Errorf("runDummyDataset and generate-dataset over create-dummy-tables output differ")
	}
}

func TestRunDummyDatasetSeed(t *testing.T) {
	def := loadStudyDef(t)
	cfg := model.DummyDataConfig{PopulationSize: 50, Timeout: 10}
	def.DatasetDummyDataConfig = &cfg
	out := filepath.Join(t.TempDir(), "out.csv")
	gen := func(seed string) string {
		t.Setenv("EHRQL_DUMMY_SEED", seed)
		var stdout, stderr bytes.Buffer
		if err := runDummyDataset(context.Background(), def, out, &stdout, &stderr); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stderr.String(), "Generated 50 of 50 patients (seed "+seed+")") {
			t.Errorf("stderr %q", stderr.String())
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	a, b, c := gen("5"), gen("5"), gen("6")
	if a != b {
		t.Errorf("same seed, different output")
	}
	if a == c {
		t.Errorf("different seeds, same output")
	}
	if !strings.HasPrefix(a, "patient_id,has_virtual_consultation,") || strings.Count(a, "\n") != 51 {
		t.Errorf("unexpected output:\n%.300s", a)
	}
	t.Setenv("EHRQL_DUMMY_SEED", "x")
	if err := runDummyDataset(context.Background(), def, out, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
		t.Errorf("a bad seed was accepted")
	}
}

func TestCreateDummyTablesStdout(t *testing.T) {
	stdout, stderr, code := ehrql(t, "create-dummy-tables", studyJSON2020, "--seed", "3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "(seed 3)") {
		t.Errorf("stderr: %s", stderr)
	}
	for _, s := range []string{"addresses\npatient_id,", "\r\n\n\nappointments\npatient_id,", "\n\npatients\npatient_id,date_of_birth,sex,date_of_death\r\n1,"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("stdout lacks %q", s)
		}
	}
}

func TestCreateDummyTablesErrors(t *testing.T) {
	cases := []struct {
		args     []string
		code     int
		contains string
	}{
		{[]string{"create-dummy-tables"}, 2, "required: DEFINITION_FILE"},
		{[]string{"create-dummy-tables", "nope.json"}, 2, "nope.json does not exist"},
		{[]string{"create-dummy-tables", studyJSON2020, "a", "b"}, 2, "unknown arguments: b"},
		{[]string{"create-dummy-tables", studyJSON2020, "out:parquet"}, 2, "':parquet' is not a supported format"},
		{[]string{"create-dummy-tables", studyJSON2020, "--seed", "x"}, 2, "--seed"},
		{[]string{"create-dummy-tables", studyJSON2020, "--frob"}, 2, "unknown flag"},
	}
	for _, c := range cases {
		_, stderr, code := ehrql(t, c.args...)
		if code != c.code || !strings.Contains(stderr, c.contains) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, stderr, c.code, c.contains)
		}
	}
}
