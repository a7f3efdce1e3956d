package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ehrql-go/ehrql/engine/output"
)

// TestMain lets a test run the command in a child process (for signals):
// with EHRQL_TEST_RUN_MAIN=1 the test binary is ehrql.
func TestMain(m *testing.M) {
	if os.Getenv("EHRQL_TEST_RUN_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// TestFaultExitCodes: bad input files, outputs and stores give a clear
// message and ehrQL's exit code, and leave nothing behind.
func TestFaultExitCodes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Go toolchain")
	}
	dir := t.TempDir()
	noPatients := t.TempDir()
	dirPatients := t.TempDir()
	os.Mkdir(filepath.Join(dirPatients, "patients.csv"), 0o755)
	badUTF8 := t.TempDir()
	os.WriteFile(filepath.Join(badUTF8, "patients.csv"), []byte("patient_id,date_of_birth,sex\n1,1980-01-01,female\n2,1980-01-01,f\xe9male\n"), 0o644)
	csvStore := filepath.Join(dir, "patients.csv")
	os.WriteFile(csvStore, []byte("patient_id,date_of_birth,sex\n1,1980-01-01,female\n"), 0o644)
	readOnly := filepath.Join(dir, "ro.csv")
	os.WriteFile(readOnly, []byte("keep"), 0o444)
	params := []string{"--", "--index-date", "2020-01-01"}
	cases := []struct {
		name     string
		args     []string
		code     int
		contains []string
		creates  string
	}{
		{"missing dummy table file", append([]string{"generate-dataset", "testdata/small", "--dummy-tables", noPatients}, params...), 11,
			[]string{"no dummy table for 'patients'", filepath.Join(noPatients, "patients.csv")}, ""},
		{"dummy table is a directory", append([]string{"generate-dataset", "testdata/small", "--dummy-tables", dirPatients}, params...), 11,
			[]string{"patients.csv is a directory"}, ""},
		{"non-UTF-8 dummy table", append([]string{"generate-dataset", "testdata/small", "--dummy-tables", badUTF8}, params...), 11,
			[]string{"patients.csv, line 3, column 'sex'", "not valid UTF-8"}, ""},
		{"CSV as --database", append([]string{"generate-dataset", "testdata/small", "--database", csvStore}, params...), 11,
			[]string{"is not a DuckDB database file", "--dummy-tables"}, ""},
		{"read-only output", append([]string{"generate-dataset", "testdata/small", "--dummy-tables", "testdata/tables_ok", "--output", readOnly}, params...), 12,
			[]string{"ro.csv exists and is read-only"}, ""},
		{"dataset into a missing folder", append([]string{"generate-dataset", "testdata/small", "--dummy-tables", "testdata/tables_ok", "--output", filepath.Join(dir, "a", "b", "x.csv")}, params...), 0,
			nil, filepath.Join(dir, "a", "b", "x.csv")},
		{"SQL into a missing folder", append([]string{"dump-dataset-sql", "testdata/small", "--output", filepath.Join(dir, "c", "d", "x.sql")}, params...), 0,
			nil, filepath.Join(dir, "c", "d", "x.sql")},
		{"JSON into a missing folder", append([]string{"serialize-definition", "testdata/small", "--output", filepath.Join(dir, "e", "f", "x.json")}, params...), 0,
			nil, filepath.Join(dir, "e", "f", "x.json")},
		{"store into a missing folder", []string{"store", "synthesize", "--patients", "20", "-q", "--output", filepath.Join(dir, "g", "h", "s.duckdb")}, 0,
			nil, filepath.Join(dir, "g", "h", "s.duckdb")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, stderr, code := ehrql(t, c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d\n%s", code, c.code, stderr)
			}
			for _, s := range c.contains {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
			if c.creates != "" {
				if _, err := os.Stat(c.creates); err != nil {
					t.Error(err)
				}
				entries, _ := os.ReadDir(filepath.Dir(c.creates))
				if len(entries) != 1 {
					t.Errorf("%d files beside the output, want only the output", len(entries))
				}
			}
		})
	}
	if data, _ := os.ReadFile(readOnly); string(data) != "keep" {
		t.Errorf("read-only output replaced: %q", data)
	}
}

// TestStoreBusy: a store another run is writing is refused.
func TestStoreBusy(t *testing.T) {
	out := filepath.Join(t.TempDir(), "s.duckdb")
	unlock, err := output.Prepare(out)
	if err != nil {
		t.Fatal(err)
	}
	_, stderr, code := ehrql(t, "store", "synthesize", "--patients", "20", "-q", "--output", out)
	unlock()
	if code != 1 || !strings.Contains(stderr, "is being written by another run") {
		t.Errorf("exit %d, stderr %s", code, stderr)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("store written while busy: %v", err)
	}
}

// TestSignals: SIGINT and SIGTERM stop a long store synthesis with exit
// codes 130 and 143, leaving no temporary file, partial store or spill
// directory.
func TestSignals(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a long synthesis")
	}
	for _, c := range []struct {
		sig  syscall.Signal
		name string
		code int
	}{{syscall.SIGINT, "SIGINT", 130}, {syscall.SIGTERM, "SIGTERM", 143}} {
		t.Run(c.sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			spill := t.TempDir()
			out := filepath.Join(dir, "s.duckdb")
			cmd := exec.Command(os.Args[0], "store", "synthesize", "--patients", "20000000", "--output", out, "--temp-dir", spill, "--threads", "1")
			cmd.Env = append(os.Environ(), "EHRQL_TEST_RUN_MAIN=1")
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Wait until it is writing: its temporary store exists.
			deadline := time.Now().Add(30 * time.Second)
			for {
				matches, _ := filepath.Glob(filepath.Join(dir, ".s.duckdb.tmp-*"))
				if len(matches) > 0 || time.Now().After(deadline) {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			time.Sleep(300 * time.Millisecond)
			if err := cmd.Process.Signal(c.sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(60 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("still running 60s after %v", c.sig)
			}
			if got := cmd.ProcessState.ExitCode(); got != c.code {
				t.Errorf("exit %d, want %d\n%s", got, c.code, stderr.String())
			}
			if want := "stopped by " + c.name; !strings.Contains(stderr.String(), want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
			}
			if strings.Contains(stderr.String(), "context canceled") {
				t.Errorf("stderr reports the cancellation as an error:\n%s", stderr.String())
			}
			for _, d := range []string{dir, spill} {
				entries, _ := os.ReadDir(d)
				for _, e := range entries {
					t.Errorf("left behind in %s: %s", d, e.Name())
				}
			}
		})
	}
}

// TestConcurrentSynthesize: while one run writes a store, a second run into
// the same output is refused and leaves the first run's temporary file
// alone.
func TestConcurrentSynthesize(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a long synthesis")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "s.duckdb")
	first := exec.Command(os.Args[0], "store", "synthesize", "--patients", "20000000", "-q", "--output", out, "--threads", "1")
	first.Env = append(os.Environ(), "EHRQL_TEST_RUN_MAIN=1")
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		first.Process.Signal(syscall.SIGTERM)
		first.Wait()
	}()
	var tmp []string
	for deadline := time.Now().Add(30 * time.Second); len(tmp) == 0 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		tmp, _ = filepath.Glob(filepath.Join(dir, ".s.duckdb.tmp-*"))
	}
	if len(tmp) == 0 {
		t.Fatal("the first run never started writing")
	}
	_, stderr, code := ehrql(t, "store", "synthesize", "--patients", "20", "-q", "--output", out, "--force")
	if code != 1 || !strings.Contains(stderr, "is being written by another run") {
		t.Errorf("second run: exit %d, stderr %s", code, stderr)
	}
	if _, err := os.Stat(tmp[0]); err != nil {
		t.Errorf("the second run touched the first run's temporary file: %v", err)
	}
}
