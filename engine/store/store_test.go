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

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/engine/duck"
	"github.com/ehrql-go/ehrql/engine/source"
	"github.com/ehrql-go/ehrql/engine/store"
	"github.com/ehrql-go/ehrql/internal/definition"
	"github.com/ehrql-go/ehrql/internal/studytest"
	"github.com/ehrql-go/ehrql/query/model"
)

const study = "../../testdata/studies/consultations"

// writeFiles makes a folder holding the given files.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func count(t *testing.T, path, query string) int64 {
	t.Helper()
	db, err := sql.Open("duckdb", path+"?access_mode=read_only")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// assertNothingLeft checks that a failed build left no file behind.
func assertNothingLeft(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		t.Errorf("left behind: %s", e.Name())
	}
}

func TestImportDummyTables(t *testing.T) {
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "study.duckdb")
	if err := store.Import(ctx, study+"/dummy_tables", out, ""); err != nil {
		t.Fatal(err)
	}
	if n := count(t, out, "SELECT count(*) FROM patients"); n != 5000 {
		t.Errorf("%d patients, want 5000", n)
	}
	// The columns the files lack are there, NULL.
	if n := count(t, out, "SELECT count(*) FROM clinical_events WHERE ctv3_code IS NULL"); n == 0 {
		t.Error("clinical_events.ctv3_code missing")
	}
	// A second import refuses to overwrite, unless forced.
	err := store.Import(ctx, study+"/dummy_tables", out, "")
	var ee *store.ExistsError
	if !errors.As(err, &ee) {
		t.Errorf("overwrite: %v", err)
	}
	if err := store.ImportWith(ctx, study+"/dummy_tables", out, store.ImportOptions{Force: true}); err != nil {
		t.Errorf("forced overwrite: %v", err)
	}
	if _, err := os.Stat(out + ".tmp"); !os.IsNotExist(err) {
		t.Error("temporary file left behind")
	}
}

// TestImportInPatientOrder: a table is stored in patient_id order, whatever
// the order of its file's rows, from CSV and from Parquet.
func TestImportInPatientOrder(t *testing.T) {
	ctx := context.Background()
	events := "patient_id,date,snomedct_code\n"
	for _, id := range []int{5, 2, 9, 2, 7, 1, 5, 3, 8, 4, 6, 1} {
		events += fmt.Sprintf("%d,2020-01-%02d,123456\n", id, id)
	}
	dir := writeFiles(t, map[string]string{
		"patients.csv":        "patient_id,date_of_birth,sex\n3,1980-01-01,female\n1,1990-01-01,male\n2,2000-01-01,female\n",
		"clinical_events.csv": events,
	})
	fromParquet := parquetDir(t, map[string]string{
		"patients":        "SELECT * FROM (VALUES (3, DATE '1980-01-01', 'female'), (1, DATE '1990-01-01', 'male'), (2, DATE '2000-01-01', 'female')) t(patient_id, date_of_birth, sex)",
		"clinical_events": "SELECT (range * 7919) % 1000 AS patient_id, DATE '2020-01-01' AS date, '123456' AS snomedct_code FROM range(3000)",
	})
	for _, c := range []struct {
		dir  string
		rows map[string]int64
	}{{dir, map[string]int64{"patients": 3, "clinical_events": 12}}, {fromParquet, map[string]int64{"patients": 3, "clinical_events": 3000}}} {
		out := filepath.Join(t.TempDir(), "s.duckdb")
		if err := store.Import(ctx, c.dir, out, ""); err != nil {
			t.Fatal(err)
		}
		for table, rows := range c.rows {
			if n := count(t, out, "SELECT count(*) FROM "+table); n != rows {
				t.Errorf("%s: %d rows, want %d", table, n, rows)
			}
			// rows stored after a row of a greater patient_id
			if n := count(t, out, `SELECT count(*) FROM (SELECT patient_id,
				max(patient_id) OVER (ORDER BY rowid ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before FROM `+table+`) WHERE patient_id < before`); n != 0 {
				t.Errorf("%s: %d rows stored out of patient order", table, n)
			}
		}
	}
}

func TestImportErrors(t *testing.T) {
	ctx := context.Background()
	pats := "patient_id,date_of_birth,sex\n1,1980-01-01,female\n"
	cases := []struct {
		name   string
		module string
		files  map[string]string
		want   []string
		cell   *source.CellError
	}{
		{"unknown table", "", map[string]string{"patients.csv": pats, "frobs.csv": "patient_id\n1\n"},
			[]string{`"frobs" is not a table of ehrql.tables.tpp`, "clinical_events", "practice_registrations"}, nil},
		{"unknown table in core", "ehrql.tables.core", map[string]string{"appointments.csv": "patient_id\n1\n"},
			[]string{`"appointments" is not a table of ehrql.tables.core`}, nil},
		{"unknown module", "ehrql.tables.nope", map[string]string{"patients.csv": pats}, []string{"unknown module", "ehrql.tables.tpp"}, nil},
		{"not a table file", "", map[string]string{"patients.txt": pats}, []string{"patients.txt: not a table file"}, nil},
		{"unknown column", "", map[string]string{"patients.csv": "patient_id,date_of_birth,sex,colour\n1,1980-01-01,female,red\n"},
			nil, &source.CellError{Line: 1, Column: "colour"}},
		{"bad date", "", map[string]string{"patients.csv": pats + "2,1980-13-01,male\n"},
			[]string{"invalid date (the value is not shown"}, &source.CellError{Line: 3, Column: "date_of_birth"}},
		{"bad category", "", map[string]string{"patients.csv": pats + "2,1980-01-01,mail\n"},
			[]string{"value not in the column's categories"}, &source.CellError{Line: 3, Column: "sex"}},
		{"null in not-null column", "", map[string]string{"patients.csv": pats + "2,,male\n"},
			[]string{"NULL value in non-nullable column 'date_of_birth'"}, &source.CellError{Line: 3, Column: "date_of_birth"}},
		{"missing not-null column", "", map[string]string{"patients.csv": "patient_id,sex\n1,male\n"},
			[]string{"missing column 'date_of_birth'"}, &source.CellError{}},
		{"bad code", "", map[string]string{"patients.csv": pats, "clinical_events.csv": "patient_id,date,snomedct_code\n1,2020-01-01,73007006\n1,2020-01-02,0123\n"},
			[]string{"invalid SNOMEDCTCode (the value is not shown"}, &source.CellError{Line: 3, Column: "snomedct_code"}},
		{"bad int in second file", "", map[string]string{"patients.csv": pats, "addresses.csv": "patient_id,imd_rounded\n1,x\n"},
			[]string{"invalid int (the value is not shown"}, &source.CellError{Line: 2, Column: "imd_rounded"}},
		{"duplicate patient", "", map[string]string{"patients.csv": pats + "1,1981-01-01,male\n"},
			[]string{"duplicate patient_id: the table has at most one row per patient"}, &source.CellError{Line: 3, Column: "patient_id"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeFiles(t, c.files)
			outDir := t.TempDir()
			err := store.Import(ctx, dir, filepath.Join(outDir, "s.duckdb"), c.module)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q: %v", w, err)
				}
			}
			// Store import never echoes a file's content. The temporary
			// directories' names are random digits, so they are taken out
			// before looking for the content.
			msg := strings.NewReplacer(dir, "<dir>", outDir, "<out>").Replace(err.Error())
			for _, secret := range []string{"1980-13-01", "mail", "0123", "'x'", "patient_id 1"} {
				if strings.Contains(msg, secret) {
					t.Errorf("error shows the file's content %q: %v", secret, err)
				}
			}
			if c.cell != nil {
				var ce *source.CellError
				if !errors.As(err, &ce) {
					t.Fatalf("not a CellError: %v", err)
				}
				if !strings.HasSuffix(ce.File, ".csv") || ce.Line != c.cell.Line || ce.Column != c.cell.Column {
					t.Errorf("got file %s line %d column %q, want line %d column %q (%v)", ce.File, ce.Line, ce.Column, c.cell.Line, c.cell.Column, err)
				}
			}
			assertNothingLeft(t, outDir)
		})
	}
}

// parquetDir writes the given tables, built by DuckDB statements, as
// Parquet files.
func parquetDir(t *testing.T, selects map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for name, sel := range selects {
		if _, err := db.Exec("COPY (" + sel + ") TO '" + filepath.Join(dir, name+".parquet") + "' (FORMAT parquet)"); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestImportParquet(t *testing.T) {
	ctx := context.Background()
	pats := "SELECT 1 AS patient_id, DATE '1980-01-01' AS date_of_birth, 'female' AS sex UNION ALL SELECT 2, DATE '1990-05-01', 'male'"
	dir := parquetDir(t, map[string]string{
		"patients":        pats,
		"clinical_events": "SELECT 1::INTEGER AS patient_id, DATE '2020-01-01' AS date, '73007006' AS snomedct_code, 1.5::FLOAT AS numeric_value",
	})
	out := filepath.Join(t.TempDir(), "p.duckdb")
	if err := store.Import(ctx, dir, out, ""); err != nil {
		t.Fatal(err)
	}
	if n := count(t, out, "SELECT count(*) FROM patients WHERE sex = 'male'"); n != 1 {
		t.Errorf("%d male patients, want 1", n)
	}
	cases := []struct {
		name   string
		tables map[string]string
		want   string
		line   int
		column string
	}{
		{"wrong type", map[string]string{"patients": "SELECT 1 AS patient_id, '1980-01-01' AS date_of_birth, 'female' AS sex"},
			"Parquet type VARCHAR does not fit", 0, "date_of_birth"},
		{"unknown column", map[string]string{"patients": "SELECT 1 AS patient_id, DATE '1980-01-01' AS date_of_birth, 'female' AS sex, 2 AS shoe_size"},
			"unknown column for table 'patients'", 1, "shoe_size"},
		{"null", map[string]string{"patients": pats + " UNION ALL SELECT 3, NULL, 'male'"},
			"NULL value in non-nullable column", 3, "date_of_birth"},
		{"category", map[string]string{"patients": pats + " UNION ALL SELECT 3, DATE '1990-01-01', 'mail'"},
			"value not in the column's categories", 3, "sex"},
		{"bad code", map[string]string{"clinical_events": "SELECT * FROM (VALUES (1, DATE '2020-01-01', '73007006'), (1, DATE '2020-01-01', 'X1')) t(patient_id, date, snomedct_code)"},
			"invalid SNOMEDCTCode (the value is not shown", 2, "snomedct_code"},
		{"duplicate patient", map[string]string{"patients": pats + " UNION ALL SELECT 2, DATE '1990-01-01', 'male'"},
			"duplicate patient_id", 2, "patient_id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := parquetDir(t, c.tables)
			outDir := t.TempDir()
			err := store.Import(ctx, dir, filepath.Join(outDir, "s.duckdb"), "")
			var ce *source.CellError
			if !errors.As(err, &ce) {
				t.Fatalf("not a CellError: %v", err)
			}
			if !strings.Contains(err.Error(), c.want) || ce.Line != c.line || ce.Column != c.column || !strings.HasSuffix(ce.File, ".parquet") {
				t.Errorf("got %v (line %d, column %q), want %q at line %d column %q", err, ce.Line, ce.Column, c.want, c.line, c.column)
			}
			assertNothingLeft(t, outDir)
		})
	}
}

// checksum is an order-independent checksum of a table's rows.
func checksum(t *testing.T, path, table string) int64 {
	return count(t, path, "SELECT CAST(sum(hash(t) % 1000000007) AS BIGINT) FROM "+table+" AS t")
}

func TestSynthesizeDeterministic(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a.duckdb"), filepath.Join(dir, "b.duckdb"), filepath.Join(dir, "c.duckdb")
	if err := store.Synthesize(ctx, a, 300, 7); err != nil {
		t.Fatal(err)
	}
	if err := store.SynthesizeWith(ctx, b, store.SynthOptions{Patients: 300, Seed: 7, DuckDB: duck.Settings{Threads: 1}}); err != nil {
		t.Fatal(err)
	}
	if err := store.Synthesize(ctx, c, 300, 8); err != nil {
		t.Fatal(err)
	}
	for _, table := range store.SynthTables {
		q := "SELECT count(*) FROM " + table
		if na, nb := count(t, a, q), count(t, b, q); na != nb {
			t.Errorf("%s: %d rows and %d rows for the same seed", table, na, nb)
		}
		if ca, cb := checksum(t, a, table), checksum(t, b, table); ca != cb {
			t.Errorf("%s: different checksums for the same seed", table)
		}
	}
	if checksum(t, a, "clinical_events") == checksum(t, c, "clinical_events") {
		t.Error("seeds 7 and 8 give the same clinical_events")
	}
	if err := store.Synthesize(ctx, a, 300, 7); err == nil {
		t.Error("synthesize overwrote an existing store")
	}
	// Plausibility.
	checks := map[string]int64{
		"SELECT count(*) FROM patients": 300,
		"SELECT count(*) FROM patients WHERE day(date_of_birth) <> 1 OR sex NOT IN ('female', 'male', 'intersex', 'unknown')": 0,
		"SELECT count(*) FROM addresses WHERE imd_rounded % 100 <> 0 OR imd_rounded NOT BETWEEN 0 AND 32800":                  0,
		"SELECT count(*) FROM appointments WHERE start_date < booked_date OR seen_date < start_date":                          0,
		"SELECT count(*) FROM clinical_events WHERE NOT regexp_full_match(snomedct_code, '[1-9][0-9]{5,17}')":                 0,
		"SELECT count(*) FROM clinical_events WHERE date < DATE '2018-01-01' OR date > DATE '2023-12-31'":                     0,
		"SELECT CAST(count(*) BETWEEN 300 * 80 AND 300 * 120 AS BIGINT) FROM clinical_events":                                 1,
		"SELECT CAST(count(*) BETWEEN 300 * 30 AND 300 * 50 AS BIGINT) FROM medications":                                      1,
		"SELECT count(*) FROM medications WHERE NOT regexp_full_match(dmd_code, '[1-9][0-9]{5,17}')":                          0,
		// older patients have more events
		`SELECT CAST(avg(n) FILTER (WHERE p.date_of_birth < DATE '1950-01-01') > 2 * avg(n) FILTER (WHERE p.date_of_birth > DATE '1990-01-01') AS BIGINT)
			FROM patients p JOIN (SELECT patient_id, count(*) AS n FROM clinical_events GROUP BY 1) e USING (patient_id)`: 1,
		"SELECT CAST(count(DISTINCT patient_id) > 200 AS BIGINT) FROM practice_registrations WHERE start_date < DATE '2019-01-01'": 1,
	}
	for q, want := range checks {
		if got := count(t, a, q); got != want {
			t.Errorf("%s: %d, want %d", q, got, want)
		}
	}
	// The densities are parameters.
	d := filepath.Join(dir, "d.duckdb")
	if err := store.SynthesizeWith(ctx, d, store.SynthOptions{Patients: 300, Seed: 7,
		EventsPerPatient: 10, AppointmentsPerPatient: 2, MedicationsPerPatient: 5}); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]int64{
		// 10 per patient plus about one ethnicity record each
		"SELECT CAST(count(*) BETWEEN 300 * 8 AND 300 * 14 AS BIGINT) FROM clinical_events": 1,
		"SELECT CAST(count(*) BETWEEN 300 * 1 AND 300 * 3 AS BIGINT) FROM appointments":     1,
		"SELECT CAST(count(*) BETWEEN 300 * 3 AND 300 * 7 AS BIGINT) FROM medications":      1,
	} {
		if got := count(t, d, q); got != want {
			t.Errorf("%s: %d, want %d", q, got, want)
		}
	}
	if err := store.SynthesizeWith(ctx, filepath.Join(dir, "e.duckdb"), store.SynthOptions{Patients: 3, EventsPerPatient: -1}); err == nil ||
		err.Error() != "synthesize: events per patient must be between 0 and 100000, got -1" {
		t.Errorf("negative density: %v", err)
	}
}

// TestSynthesizeInBlocks: a store synthesized 100 patients at a time holds
// the same rows as one written at once, each table's rows grouped by the
// blocks of patient ids in storage order (rowid).
func TestSynthesizeInBlocks(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	blocks, whole := filepath.Join(dir, "blocks.duckdb"), filepath.Join(dir, "whole.duckdb")
	if err := store.SynthesizeWith(ctx, blocks, store.SynthOptions{Patients: 300, Seed: 7, PatientsPerBlock: 100}); err != nil {
		t.Fatal(err)
	}
	if err := store.SynthesizeWith(ctx, whole, store.SynthOptions{Patients: 300, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	// rows placed (by pos) after a row of a later block
	outOfBlock := func(path, rows string) int64 {
		return count(t, path, `SELECT count(*) FROM (SELECT (patient_id - 1) // 100 AS b,
			max((patient_id - 1) // 100) OVER (ORDER BY pos ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before FROM `+rows+`) WHERE b < before`)
	}
	for _, table := range store.SynthTables {
		if cb, cw := checksum(t, blocks, table), checksum(t, whole, table); cb != cw {
			t.Errorf("%s: the rows differ when written in blocks", table)
		}
		if n := outOfBlock(blocks, "(SELECT patient_id, rowid AS pos FROM "+table+")"); n != 0 {
			t.Errorf("%s: %d rows stored after a later block's", table, n)
		}
	}
	if outOfBlock(blocks, "(SELECT patient_id, hash(rowid) AS pos FROM clinical_events)") == 0 {
		t.Error("clinical_events in another order are grouped by blocks too: the check proves nothing")
	}
	if err := store.SynthesizeWith(ctx, filepath.Join(dir, "e.duckdb"), store.SynthOptions{Patients: 3, PatientsPerBlock: -1}); err == nil ||
		err.Error() != "synthesize: patients per block must be positive, got -1" {
		t.Errorf("negative block: %v", err)
	}
}

func TestDescribe(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "d.duckdb")
	if err := store.Import(ctx, study+"/dummy_tables", path, ""); err != nil {
		t.Fatal(err)
	}
	d, err := store.Describe(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Tables) != 5 || d.Tables[3].Name != "patients" || d.Tables[3].Rows != 5000 || d.Size <= 0 {
		t.Errorf("description: %+v", d)
	}
	text := d.String()
	for _, want := range []string{"5 tables", "patients", "5000", "clinical_events.date", "patients.date_of_birth"} {
		if !strings.Contains(text, want) {
			t.Errorf("description lacks %q:\n%s", want, text)
		}
	}
	if _, err := store.Describe(ctx, filepath.Join(t.TempDir(), "none.duckdb")); err == nil {
		t.Error("describing a missing store succeeded")
	}
}

// TestStudyOnSynthesizedStore runs the reference study, from its Go and its
// JSON definition, on a synthesized store: both give the same, non-empty
// population with plausible values.
func TestStudyOnSynthesizedStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "s.duckdb")
	if err := store.SynthesizeWith(ctx, path, store.SynthOptions{Patients: 2000, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	jsonDef := studytest.Definition(t, studytest.Dataset)
	var outs []string
	defs := []*model.Definition{jsonDef}
	if !testing.Short() {
		goDef, err := definition.Load(ctx, study+"/dataset_definition.go", []string{"--start-date", "2020-04-01", "--end-date", "2021-03-31"}, definition.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defs = append(defs, goDef)
	}
	for i, def := range defs {
		q, err := engine.CompileDataset(def.Dataset)
		if err != nil {
			t.Fatal(err)
		}
		s, err := engine.OpenStore(ctx, path, q.Tables, engine.Options{Threads: 2, MemoryLimit: "1GB"})
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "out"+string(rune('0'+i))+".csv")
		n, err := q.Run(ctx, s, out, nil)
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		if n < 1000 || n > 2000 {
			t.Errorf("population of %d out of 2000 patients", n)
		}
		text, _ := os.ReadFile(out)
		outs = append(outs, string(text))
		for _, want := range []string{",T,", ",White", "Finished", ",male,"} {
			if !strings.Contains(string(text), want) {
				t.Errorf("output has no %q", want)
			}
		}
	}
	if len(outs) == 2 && outs[0] != outs[1] {
		t.Error("the Go and JSON definitions give different datasets")
	}
}

// A value DuckDB cannot convert is not shown either.
func TestImportParquetOverflowNotShown(t *testing.T) {
	dir := parquetDir(t, map[string]string{
		"patients":  "SELECT 1::BIGINT AS patient_id, DATE '1980-01-01' AS date_of_birth, 'male' AS sex",
		"addresses": "SELECT 1::BIGINT AS patient_id, 18446744073709551615::UBIGINT AS imd_rounded",
	})
	err := store.Import(context.Background(), dir, filepath.Join(t.TempDir(), "s.duckdb"), "")
	if err == nil {
		t.Fatal("no error")
	}
	if strings.Contains(err.Error(), "18446744073709551615") || !strings.Contains(err.Error(), "addresses.parquet") {
		t.Errorf("the error shows the value or hides the file: %v", err)
	}
}
