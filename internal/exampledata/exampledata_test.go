package exampledata_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/internal/exampledata"
	"github.com/ehrql-go/ehrql/tables"
)

// TestExampleData: the same tables every time, one per core table, that
// load as dummy tables and keep the schemas' promises.
func TestExampleData(t *testing.T) {
	a, b := exampledata.Tables(), exampledata.Tables()
	core := tables.Default().Tables(tables.ModuleCore)
	if len(a) != len(core) {
		t.Fatalf("%d tables, want one per core table (%d)", len(a), len(core))
	}
	for name := range a {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("table %s differs between runs", name)
		}
	}
	dir := t.TempDir()
	paths, err := exampledata.Write(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != len(core) {
		t.Errorf("wrote %v", paths)
	}
	ctx := context.Background()
	s, err := engine.OpenCSVTables(ctx, dir, core, engine.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, check := range []struct {
		what, sql string
		want      int64
	}{
		{"patients", "SELECT count(*) FROM patients", exampledata.Patients},
		{"patients with a registration", "SELECT count(DISTINCT patient_id) FROM practice_registrations", exampledata.Patients},
		{"dates of birth not on the 1st", "SELECT count(*) FROM patients WHERE day(date_of_birth) <> 1", 0},
		{"registrations ending before they start", "SELECT count(*) FROM practice_registrations WHERE end_date < start_date", 0},
		{"registrations starting before birth", "SELECT count(*) FROM practice_registrations r JOIN patients p USING (patient_id) WHERE r.start_date < p.date_of_birth", 0},
		{"events after death", "SELECT count(*) FROM clinical_events e JOIN patients p USING (patient_id) WHERE e.date > p.date_of_death", 0},
		{"deaths without an ONS record", "SELECT count(*) FROM patients p LEFT JOIN ons_deaths o USING (patient_id) WHERE p.date_of_death IS NOT NULL AND o.date IS DISTINCT FROM p.date_of_death", 0},
		{"patients who moved practice", "SELECT count(*) > 0 FROM (SELECT patient_id FROM practice_registrations GROUP BY patient_id HAVING count(*) > 1)", 1},
		{"deaths", "SELECT count(*) > 0 FROM ons_deaths", 1},
		{"measurements", "SELECT count(*) > 0 FROM clinical_events WHERE numeric_value IS NOT NULL", 1},
		{"asthma diagnoses", "SELECT count(*) > 0 FROM clinical_events WHERE snomedct_code = '195967001'", 1},
		{"prescriptions", "SELECT count(*) > 0 FROM medications", 1},
	} {
		rows, err := s.Query(ctx, check.sql)
		if err != nil {
			t.Fatal(err)
		}
		var got any
		rows.Next()
		if err := rows.Scan(&got); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		n, ok := got.(int64)
		if b, isBool := got.(bool); isBool {
			n, ok = 0, true
			if b {
				n = 1
			}
		}
		if !ok || n != check.want {
			t.Errorf("%s: %v, want %d", check.what, got, check.want)
		}
	}
	// Writing again replaces the files.
	if err := os.WriteFile(filepath.Join(dir, "patients.csv"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := exampledata.Write(dir); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "patients.csv")); !bytes.Equal(got, a["patients"]) {
		t.Error("patients.csv was not replaced")
	}
}
