package output

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var formats = []string{"out.arrow", "out.csv", "out.csv.gz"}

func TestAbortLeavesNothing(t *testing.T) {
	for _, name := range formats {
		t.Run(name, func(t *testing.T) {
			mem := checkedAlloc(t)
			dir := filepath.Join(t.TempDir(), "made")
			path := filepath.Join(dir, name)
			w, err := create(path, csvCols, nil, mem)
			if err != nil {
				t.Fatal(err)
			}
			// While writing, only the hidden temporary file and the lock exist.
			names := dirEntries(t, dir)
			if len(names) != 2 || names[0] != "."+name+".lock" || !strings.HasPrefix(names[1], "."+name+".tmp-") {
				t.Errorf("while writing, directory holds %q, want .%s.lock and one .%s.tmp-* file", names, name, name)
			}
			rec := makeBatch(t, mem, csvCols, csvRows(t)[0])
			if err := w.Write(rec); err != nil {
				t.Fatal(err)
			}
			rec.Release()
			w.Abort()
			if names := dirEntries(t, dir); len(names) != 0 {
				t.Errorf("after Abort directory holds %q", names)
			}
			w.Abort() // a second Abort is harmless
			if err := w.Close(); !errors.Is(err, errClosed) {
				t.Errorf("Close after Abort = %v, want errClosed", err)
			}
			rec = makeBatch(t, mem, csvCols, nil)
			if err := w.Write(rec); !errors.Is(err, errClosed) {
				t.Errorf("Write after Abort = %v, want errClosed", err)
			}
			rec.Release()
		})
	}
}

func TestDestinationReplacedOnlyOnClose(t *testing.T) {
	for _, name := range formats {
		t.Run(name, func(t *testing.T) {
			mem := checkedAlloc(t)
			dir := t.TempDir()
			path := filepath.Join(dir, name)
			old := []byte("previous contents")
			if err := os.WriteFile(path, old, 0o644); err != nil {
				t.Fatal(err)
			}
			cols := []Column{{Name: "patient_id", Kind: Int}}

			// An aborted write leaves the old file untouched.
			w, err := create(path, cols, nil, mem)
			if err != nil {
				t.Fatal(err)
			}
			rec := makeBatch(t, mem, cols, [][]any{{1}, {2}})
			defer rec.Release()
			if err := w.Write(rec); err != nil {
				t.Fatal(err)
			}
			if got := readFile(t, path); !bytes.Equal(got, old) {
				t.Errorf("destination changed before Close: %q", got)
			}
			w.Abort()
			if got := readFile(t, path); !bytes.Equal(got, old) {
				t.Errorf("destination changed by Abort: %q", got)
			}

			// A closed write replaces it.
			w, err = create(path, cols, nil, mem)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Write(rec); err != nil {
				t.Fatal(err)
			}
			if got := readFile(t, path); !bytes.Equal(got, old) {
				t.Errorf("destination changed before Close: %q", got)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			w.Abort() // Abort after Close must not remove the result
			if names := dirEntries(t, dir); len(names) != 1 || names[0] != name {
				t.Errorf("after Close directory holds %q, want [%s]", names, name)
			}
			got := readFile(t, path)
			if bytes.Equal(got, old) {
				t.Fatalf("destination not replaced on Close")
			}
			switch name {
			case "out.csv":
				if string(got) != "patient_id\r\n1\r\n2\r\n" {
					t.Errorf("got %q", got)
				}
			case "out.csv.gz":
				if got := gunzip(t, got); string(got) != "patient_id\r\n1\r\n2\r\n" {
					t.Errorf("got %q", got)
				}
			default:
				_, batches := readArrow(t, mem, path)
				if len(batches) != 1 || len(batches[0]) != 2 {
					t.Errorf("got batches %v", batches)
				}
			}
			if err := w.Close(); !errors.Is(err, errClosed) {
				t.Errorf("second Close = %v, want errClosed", err)
			}
		})
	}
}

func TestFileMode(t *testing.T) {
	// The result gets the permissions of a directly created file, not the
	// 0600 of os.CreateTemp.
	dir := t.TempDir()
	direct := filepath.Join(dir, "direct")
	if err := os.WriteFile(direct, nil, 0o666); err != nil {
		t.Fatal(err)
	}
	want, err := os.Stat(direct)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "out.csv")
	writeAll(t, checkedAlloc(t), path, []Column{{Name: "patient_id", Kind: Int}}, nil)
	got, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Mode() != want.Mode() {
		t.Errorf("mode = %v, want %v", got.Mode(), want.Mode())
	}
}

func TestCreateErrors(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	pid := []Column{{Name: "patient_id", Kind: Int}}
	tests := []struct {
		name   string
		path   string
		cols   []Column
		stdout bool
		want   string // error prefix
	}{
		{"bad format", "x.badformat", pid, false,
			"output: x.badformat: '.badformat' is not a supported format, must be one of: `.arrow`, `.csv`, `.csv.gz`"},
		{"no format", "x", pid, false, "output: x: No file format specified\n"},
		{"bad columns", filepath.Join(dir, "x.csv"), nil, false, "output: writing " + filepath.Join(dir, "x.csv") + ": no columns"},
		{"no stdout", "-", pid, false, "output: writing to standard output: no stdout writer given"},
		{"parent is a file", filepath.Join(blocker, "x.arrow"), pid, false, "output: creating directory for " + filepath.Join(blocker, "x.arrow") + ": "},
	}
	for _, tt := range tests {
		_, err := Create(tt.path, tt.cols, nil)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%s: Create error = %v, want prefix %q", tt.name, err, tt.want)
		}
	}
	if names := dirEntries(t, dir); len(names) != 1 {
		t.Errorf("failed Creates left %q", names)
	}
}
