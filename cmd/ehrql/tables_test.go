package main

import (
	"os"
	"path/filepath"
	"testing"
)

// A JSON query model from ehrQL that reads ehrql.tables.raw.tpp.medications
// runs on dummy tables, reading the table's data from medications_raw.csv,
// ehrQL's name for its file.
func TestRawTableOnDummyTables(t *testing.T) {
	dir := t.TempDir()
	tablesDir := filepath.Join(dir, "dummy_tables")
	if err := os.Mkdir(tablesDir, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"patients.csv": "patient_id,date_of_birth,sex,date_of_death\n1,1980-01-01,female,\n2,1990-06-01,male,\n",
		"medications_raw.csv": "patient_id,date,dmd_code,consultation_id,medication_status,quantity,repeat_medication_id\n" +
			"1,2020-01-01,39113311000001107,10,0,28 tablet,\n" +
			"1,2020-02-01,39113311000001107,11,4,,5\n" +
			"2,2020-03-01,39113311000001107,12,,,\n",
		// tpp.medications' own file, which must not be read for raw.tpp.
		"medications.csv": "patient_id,date,dmd_code,consultation_id\n2,2020-01-01,39113311000001107,1\n2,2020-01-02,39113311000001107,2\n",
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(tablesDir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	def := filepath.Join(dir, "dataset.json")
	model := appointmentsModel(`{"external_ref": {"module": "ehrql.tables.raw.tpp", "name": "medications"}}`)
	if err := os.WriteFile(def, []byte(model), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := ehrql(t, "generate-dataset", def, "--dummy-tables", tablesDir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if want := "patient_id,n\r\n1,2\r\n2,1\r\n"; stdout != want {
		t.Errorf("output %q, want %q", stdout, want)
	}
}
