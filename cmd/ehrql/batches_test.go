package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestPatientsPerBatch: --patients-per-batch (or its environment variable)
// runs the study's dataset and measures in batches of patients, from its
// dummy tables and from a store of them, says so, and writes the same
// bytes as one batch.
func TestPatientsPerBatch(t *testing.T) {
	t.Setenv("EHRQL_PERMISSIONS", `["appointments"]`)
	dir := t.TempDir()
	store := filepath.Join(dir, "study.duckdb")
	if _, stderr, code := ehrql(t, "store", "import", study+"/dummy_tables", "--output", store); code != 0 {
		t.Fatalf("store import: exit %d\n%s", code, stderr)
	}
	jobs := []struct{ command, def, out string }{
		{"generate-dataset", study + "/ehrql-json/consultation_dataset_2020-04-01_to_2021-03-31.json", "dataset.arrow"},
		{"generate-measures", study + "/ehrql-json/consultation_measures.json", "measures.csv"},
	}
	for _, j := range jobs {
		read := func(name string, extra ...string) []byte {
			t.Helper()
			out := filepath.Join(dir, name+"-"+j.out)
			args := append([]string{j.command, j.def, "--output", out}, extra...)
			if !slices.Contains(extra, "--database") {
				args = append(args, "--dummy-tables", study+"/dummy_tables")
			}
			_, stderr, code := ehrql(t, args...)
			if code != 0 {
				t.Fatalf("%s %v: exit %d\n%s", j.command, extra, code, stderr)
			}
			if batched := strings.Contains(stderr, "in 4 batches of patients"); batched != (name != "whole") {
				t.Errorf("%s, %s: batches reported %v\n%s", j.command, name, batched, stderr)
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		whole := read("whole")
		flag := read("flag", "--patients-per-batch", "1500")
		t.Setenv("EHRQL_PATIENTS_PER_BATCH", "1500")
		env := read("env")
		fromStore := read("store", "--database", store)
		t.Setenv("EHRQL_PATIENTS_PER_BATCH", "")
		if len(whole) < 1000 || !bytes.Equal(flag, whole) || !bytes.Equal(env, whole) || !bytes.Equal(fromStore, whole) {
			t.Errorf("%s: batches write other bytes than one run (%d, %d, %d, %d bytes)", j.command, len(whole), len(flag), len(env), len(fromStore))
		}
	}
}

// TestPatientsPerBatchRefused: a negative batch size is a usage error.
func TestPatientsPerBatchRefused(t *testing.T) {
	for _, command := range []string{"generate-dataset", "generate-measures"} {
		def := study + "/ehrql-json/consultation_measures.json"
		if command == "generate-dataset" {
			def = study + "/ehrql-json/consultation_dataset_2020-04-01_to_2021-03-31.json"
		}
		_, stderr, code := ehrql(t, command, def, "--dummy-tables", study+"/dummy_tables", "--patients-per-batch", "-5")
		if code != 2 || !strings.Contains(stderr, "argument --patients-per-batch: -5 is not a number of patients") {
			t.Errorf("%s: exit %d\n%s", command, code, stderr)
		}
	}
}

// TestPatientsPerBatchOnlyWhereQueried: the store commands, which run no
// query, do not offer --patients-per-batch.
func TestPatientsPerBatchOnlyWhereQueried(t *testing.T) {
	for _, args := range [][]string{{"store", "import", "--help"}, {"store", "synthesize", "--help"}, {"generate-dataset", "--help"}} {
		stdout, stderr, _ := ehrql(t, args...)
		offers := strings.Contains(stdout+stderr, "--patients-per-batch")
		if want := args[0] != "store"; offers != want {
			t.Errorf("%s: offers --patients-per-batch %v, want %v", strings.Join(args, " "), offers, want)
		}
	}
}
