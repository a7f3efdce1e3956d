package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/engine/source"
	"github.com/ehrql-go/ehrql/engine/store"
)

// leaveWAL opens the store read-write, changes it, and closes it without a
// checkpoint, so that its change stays in STORE.wal, as a crash would
// leave it.
func leaveWAL(t *testing.T, path, change string) {
	t.Helper()
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{"PRAGMA disable_checkpoint_on_shutdown", "SET wal_autocheckpoint = '1TB'", change} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	if _, err := os.Stat(path + ".wal"); err != nil {
		t.Fatalf("test set-up: no WAL left: %v", err)
	}
}

// TestForceIgnoresStaleWAL: a store rebuilt with --force reads exactly what
// was imported, never the previous store's write-ahead log.
func TestForceIgnoresStaleWAL(t *testing.T) {
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "s.duckdb")
	first := writeFiles(t, map[string]string{"patients.csv": "patient_id,date_of_birth,sex\n1,1980-01-01,female\n"})
	second := writeFiles(t, map[string]string{"patients.csv": "patient_id,date_of_birth,sex\n1,1980-01-01,male\n"})
	if err := store.Import(ctx, first, out, ""); err != nil {
		t.Fatal(err)
	}
	leaveWAL(t, out, "INSERT INTO patients (patient_id, date_of_birth, sex) VALUES (99, DATE '1990-01-01', 'unknown')")
	if err := store.ImportWith(ctx, second, out, store.ImportOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, out, "SELECT count(*) FROM patients WHERE patient_id = 1 AND sex = 'male'"); n != 1 {
		t.Errorf("re-imported patient 1 read %d times as male, want 1", n)
	}
	if n := count(t, out, "SELECT count(*) FROM patients"); n != 1 {
		t.Errorf("%d patients after the forced import, want 1", n)
	}

	leaveWAL(t, out, "DELETE FROM patients")
	if err := store.SynthesizeWith(ctx, out, store.SynthOptions{Patients: 20, Seed: 1, Force: true}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, out, "SELECT count(*) FROM patients"); n != 20 {
		t.Errorf("%d patients after the forced synthesis, want 20", n)
	}
}

// TestImportLeavesOtherFilesAlone: an unrelated STORE.tmp is neither
// deleted nor used; the store lands in a folder that did not exist.
func TestImportLeavesOtherFilesAlone(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	out := filepath.Join(dir, "new", "folder", "s.duckdb")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out+".tmp", []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	in := writeFiles(t, map[string]string{"patients.csv": "patient_id,date_of_birth,sex\n1,1980-01-01,female\n"})
	if err := store.Import(ctx, in, out, ""); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(out + ".tmp"); err != nil || string(data) != "mine" {
		t.Errorf("unrelated %s.tmp: %q, %v", out, data, err)
	}
	out2 := filepath.Join(dir, "missing", "dir", "s.duckdb")
	if err := store.Import(ctx, in, out2, ""); err != nil {
		t.Fatalf("store in a missing folder: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(out2))
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries, want only the store", len(entries))
	}
}

// TestImportGlobCharacters: a folder named imp[12] is that folder, not
// imp1 and imp2.
func TestImportGlobCharacters(t *testing.T) {
	ctx := context.Background()
	base := t.TempDir()
	for i, sub := range []string{"imp1", "imp2", "imp[12]"} {
		dir := parquetDir(t, map[string]string{"patients": fmt.Sprintf("SELECT %d::BIGINT AS patient_id, DATE '1980-01-01' AS date_of_birth, 'male' AS sex", i+1)})
		if err := os.Rename(dir, filepath.Join(base, sub)); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(base, "s.duckdb")
	if err := store.Import(ctx, filepath.Join(base, "imp[12]"), out, ""); err != nil {
		t.Fatal(err)
	}
	if n := count(t, out, "SELECT count(*) FROM patients"); n != 1 {
		t.Errorf("%d patients, want the 1 of imp[12]", n)
	}
	if n := count(t, out, "SELECT count(*) FROM patients WHERE patient_id = 3"); n != 1 {
		t.Errorf("imp[12]'s patient read %d times", n)
	}
}

// TestImportNonUTF8 refuses text that is not UTF-8, naming file, line and
// column.
func TestImportNonUTF8(t *testing.T) {
	in := writeFiles(t, map[string]string{"apcs.csv": "patient_id,apcs_ident,discharge_method\n1,1,home\n2,2,ho\xffme\n"})
	err := store.Import(context.Background(), in, filepath.Join(t.TempDir(), "s.duckdb"), "")
	var ce *source.CellError
	if !errors.As(err, &ce) || ce.Line != 3 || ce.Column != "discharge_method" || !strings.Contains(ce.Msg, "UTF-8") {
		t.Fatalf("got %v, want a UTF-8 error on line 3, column discharge_method", err)
	}
}
