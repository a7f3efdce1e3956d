package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestReferenceMeasures runs the study's measures action from Go and from
// ehrQL's JSON: identical outputs, with disclosure control applied.
func TestReferenceMeasures(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Go toolchain")
	}
	dir := t.TempDir()
	goOut, jsonOut := filepath.Join(dir, "go.csv"), filepath.Join(dir, "json.csv")
	for _, c := range [][2]string{{study + "/measures_definition.go", goOut}, {study + "/ehrql-json/consultation_measures.json", jsonOut}} {
		if _, stderr, code := ehrql(t, "generate-measures", c[0], "--dummy-tables", study+"/dummy_tables", "--output", c[1]); code != 0 {
			t.Fatalf("%s: exit %d\n%s", c[0], code, stderr)
		}
	}
	a, _ := os.ReadFile(goOut)
	b, _ := os.ReadFile(jsonOut)
	if string(a) != string(b) {
		t.Error("Go and JSON measures definitions give different results")
	}
	lines := strings.Split(strings.TrimSuffix(string(a), "\r\n"), "\r\n")
	if lines[0] != "measure,interval_start,interval_end,ratio,numerator,denominator,age_band,sex,ethnicity,imd_quintile" {
		t.Errorf("header %q", lines[0])
	}
	if len(lines)-1 != 873 {
		t.Errorf("%d rows, want 873", len(lines)-1)
	}
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		for _, v := range f[4:6] {
			n, err := strconv.Atoi(v)
			if err != nil || n%5 != 0 || (n > 0 && n <= 7) {
				t.Fatalf("released count %q in %s is not disclosure-controlled", v, l)
			}
		}
	}
	if _, stderr, code := ehrql(t, "generate-measures", study+"/measures_definition.go", "--dummy-tables", study+"/dummy_tables", "--output", filepath.Join(dir, "m.arrow")); code != 0 {
		t.Fatalf("arrow: exit %d\n%s", code, stderr)
	}
}

// TestSmallMeasuresWithoutDisclosureControl checks exact sums for two
// hand-made patients (disclosure control switched off in the definition).
func TestSmallMeasuresWithoutDisclosureControl(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Go toolchain")
	}
	stdout, stderr, code := ehrql(t, "generate-measures", "testdata/measures_small", "--dummy-tables", "testdata/tables_ok")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	// Patient 1 (female) is alive throughout; patient 2 (male) died on
	// 2020-01-01, so is alive on 2019-01-01 but not on 2020-01-01.
	want := "measure,interval_start,interval_end,ratio,numerator,denominator,sex\r\n" +
		"alive_by_sex,2019-01-01,2019-12-31,1.0,1,1,female\r\n" +
		"alive_by_sex,2019-01-01,2019-12-31,1.0,1,1,male\r\n" +
		"alive_by_sex,2020-01-01,2020-12-31,1.0,1,1,female\r\n" +
		"alive_by_sex,2020-01-01,2020-12-31,0.0,0,1,male\r\n"
	if stdout != want {
		t.Errorf("got\n%s\nwant\n%s", stdout, want)
	}
}

// TestDummyMeasures generates dummy data for the study's measures when no
// data source is given, and releases it through disclosure control.
func TestDummyMeasures(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Go toolchain")
	}
	stdout, stderr, code := ehrql(t, "generate-measures", study+"/measures_definition.go")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "Generated 5000 of 5000 patients") {
		t.Errorf("stderr: %s", stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\r\n"), "\r\n")
	if len(lines) < 100 {
		t.Fatalf("only %d lines of dummy measures", len(lines))
	}
	nonZero := 0
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		for _, v := range f[4:6] {
			n, err := strconv.Atoi(v)
			if err != nil || n%5 != 0 || (n > 0 && n <= 7) {
				t.Fatalf("released count %q in %s is not disclosure-controlled", v, l)
			}
			if n > 0 {
				nonZero++
			}
		}
	}
	if nonZero == 0 {
		t.Error("every dummy count is 0")
	}
}

// TestMeasuresDirectoryOutput writes one file per measure.
func TestMeasuresDirectoryOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Go toolchain")
	}
	dir := filepath.Join(t.TempDir(), "measures")
	if _, stderr, code := ehrql(t, "generate-measures", "testdata/measures_small", "--dummy-tables", "testdata/tables_ok", "--output", dir+"/:csv"); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	got, err := os.ReadFile(filepath.Join(dir, "alive_by_sex.csv"))
	if err != nil {
		t.Fatal(err)
	}
	want := "interval_start,interval_end,ratio,numerator,denominator,sex\r\n" +
		"2019-01-01,2019-12-31,1.0,1,1,female\r\n" +
		"2019-01-01,2019-12-31,1.0,1,1,male\r\n" +
		"2020-01-01,2020-12-31,1.0,1,1,female\r\n" +
		"2020-01-01,2020-12-31,0.0,0,1,male\r\n"
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
