package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStoreCommands(t *testing.T) {
	dir := t.TempDir()
	synth := filepath.Join(dir, "synth.duckdb")
	imported := filepath.Join(dir, "imported.duckdb")
	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, "patients.csv"), []byte("patient_id,date_of_birth,sex\n1,1980-01-01,female\n2,1980-02-30,male\n"), 0o644)
	cases := []struct {
		name     string
		args     []string
		code     int
		stdout   []string
		stderr   []string
		creates  string
		notExist string
	}{
		{"synthesize", []string{"store", "synthesize", "--patients", "200", "--seed", "3", "--output", synth}, 0,
			nil, []string{"clinical_events:", "Wrote 200 synthetic patients"}, synth, ""},
		{"synthesize refuses to overwrite", []string{"store", "synthesize", "--patients", "200", "--output", synth}, 1,
			nil, []string{"already exists", "--force"}, "", ""},
		{"synthesize --force", []string{"store", "synthesize", "--patients", "100", "-q", "--output", synth, "--force"}, 0,
			nil, nil, synth, ""},
		{"synthesize with no events", []string{"store", "synthesize", "--events-per-patient", "0", "--output", filepath.Join(dir, "none.duckdb")}, 2,
			nil, []string{"--events-per-patient must be greater than 0 and at most 100000, got 0"}, "", filepath.Join(dir, "none.duckdb")},
		{"synthesize with NaN medications", []string{"store", "synthesize", "--medications-per-patient", "NaN", "--output", filepath.Join(dir, "none.duckdb")}, 2,
			nil, []string{"--medications-per-patient must be greater than 0 and at most 100000, got NaN"}, "", filepath.Join(dir, "none.duckdb")},
		{"describe", []string{"store", "describe", synth}, 0,
			[]string{"6 tables", "patients", "100", "clinical_events.date", "medications"}, nil, "", ""},
		{"import", []string{"store", "import", "../../testdata/studies/consultations/dummy_tables", "--output", imported}, 0,
			nil, []string{"Imported"}, imported, ""},
		{"import bad cell", []string{"store", "import", bad, "--output", filepath.Join(dir, "bad.duckdb")}, 11,
			nil, []string{"FileValidationError", "patients.csv, line 3, column 'date_of_birth'"}, "", filepath.Join(dir, "bad.duckdb")},
		{"import unknown module", []string{"store", "import", bad, "--output", filepath.Join(dir, "bad.duckdb"), "--module", "x"}, 1,
			nil, []string{"unknown module"}, "", filepath.Join(dir, "bad.duckdb")},
		{"import without output", []string{"store", "import", bad}, 2, nil, []string{"--output STORE is required"}, "", ""},
		{"no subcommand", []string{"store"}, 2, nil, []string{"missing subcommand"}, "", ""},
		{"unknown subcommand", []string{"store", "frob"}, 2, nil, []string{"unknown subcommand"}, "", ""},
		{"describe missing", []string{"store", "describe", filepath.Join(dir, "none.duckdb")}, 1, nil, []string{"none.duckdb"}, "", ""},
		{"help", []string{"store", "--help"}, 0, []string{"synthesize --output STORE"}, nil, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stdout, stderr, code := ehrql(t, c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d\n%s", code, c.code, stderr)
			}
			for _, s := range c.stdout {
				if !strings.Contains(stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout)
				}
			}
			for _, s := range c.stderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
			if c.creates != "" {
				if _, err := os.Stat(c.creates); err != nil {
					t.Error(err)
				}
			}
			if c.notExist != "" {
				if _, err := os.Stat(c.notExist); !os.IsNotExist(err) {
					t.Errorf("%s exists", c.notExist)
				}
			}
		})
	}
}
