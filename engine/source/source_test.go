package source

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/engine/sqlname"
	"github.com/ehrql-go/ehrql/query/model"
)

// openDB opens a fresh in-memory DuckDB database.
func openDB(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// writeFiles writes name → content into dir; names ending .gz are gzipped.
func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		data := []byte(content)
		if strings.HasSuffix(name, ".gz") {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			if _, err := zw.Write(data); err != nil {
				t.Fatal(err)
			}
			if err := zw.Close(); err != nil {
				t.Fatal(err)
			}
			data = buf.Bytes()
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// dump returns every row of table in insertion order, each value formatted
// by fmtValue, fields joined by "|".
func dump(t testing.TB, db *sql.DB, table string) []string {
	t.Helper()
	rows, err := db.Query(fmt.Sprintf("SELECT * FROM %s ORDER BY rowid", sqlname.Ident(table)))
	if err != nil {
		t.Fatalf("query %s: %v", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = fmtValue(v)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func fmtValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case time.Time:
		return v.Format("2006-01-02")
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case bool:
		if v {
			return "T"
		}
		return "F"
	}
	return fmt.Sprint(v)
}

// columnTypes returns "name TYPE" for each column of table, in order.
func columnTypes(t testing.TB, db *sql.DB, table string) []string {
	t.Helper()
	rows, err := db.Query(`SELECT column_name, data_type, is_nullable FROM information_schema.columns
		WHERE table_name = ? ORDER BY ordinal_position`, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name, typ, nullable string
		if err := rows.Scan(&name, &typ, &nullable); err != nil {
			t.Fatal(err)
		}
		s := name + " " + typ
		if nullable == "NO" {
			s += " NOT NULL"
		}
		out = append(out, s)
	}
	return out
}

// tableNames lists the tables in db.
func tableNames(t testing.TB, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query("SELECT table_name FROM duckdb_tables() ORDER BY table_name")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func strCats(vals ...string) []model.Constraint {
	lits := make([]model.Literal, len(vals))
	for i, v := range vals {
		lits[i] = model.StrLit(v)
	}
	return []model.Constraint{model.Categorical{Values: lits}}
}

func intCats(vals ...int64) []model.Constraint {
	lits := make([]model.Literal, len(vals))
	for i, v := range vals {
		lits[i] = model.IntLit(v)
	}
	return []model.Constraint{model.Categorical{Values: lits}}
}

// Test tables.
var (
	allTypes = &model.Table{Name: "events", Columns: []model.Column{
		{Name: "b", Type: model.Bool},
		{Name: "i", Type: model.Int},
		{Name: "f", Type: model.Float},
		{Name: "s", Type: model.Str},
		{Name: "d", Type: model.Date},
		{Name: "code", Type: model.CodeType(codelists.SNOMEDCT)},
		{Name: "multi", Type: model.MultiCodeType(codelists.ICD10)},
	}}
	patientsT = &model.Table{Name: "patients", PatientLevel: true, Columns: []model.Column{
		{Name: "date_of_birth", Type: model.Date},
		{Name: "sex", Type: model.Str, Constraints: strCats("female", "male", "intersex", "unknown")},
	}}
	addressesT = &model.Table{Name: "addresses", Columns: []model.Column{
		{Name: "address_type", Type: model.Int, Constraints: intCats(0, 1, 3, 99)},
		{Name: "msoa_code", Type: model.Str},
	}}
	eventsLike = &model.Table{Name: "clinical_events", Columns: []model.Column{
		{Name: "date", Type: model.Date},
		{Name: "snomedct_code", Type: model.CodeType(codelists.SNOMEDCT)},
		{Name: "numeric_value", Type: model.Float},
	}}
)

func TestSQLType(t *testing.T) {
	tests := []struct {
		typ  model.Type
		want string
	}{
		{model.Bool, "BOOLEAN"},
		{model.Int, "BIGINT"},
		{model.Float, "DOUBLE"},
		{model.Str, "VARCHAR"},
		{model.Date, "DATE"},
		{model.CodeType(codelists.SNOMEDCT), "VARCHAR"},
		{model.CodeType(codelists.CTV3), "VARCHAR"},
		{model.MultiCodeType(codelists.ICD10), "VARCHAR"},
		{model.Any, ""},
		{model.SetOf(model.Int), ""},
	}
	for _, tt := range tests {
		if got := SQLType(tt.typ); got != tt.want {
			t.Errorf("SQLType(%s) = %q, want %q", tt.typ, got, tt.want)
		}
	}
}

func TestLoadCSVDir(t *testing.T) {
	tests := []struct {
		name   string
		tables []*model.Table
		files  map[string]string
		want   map[string][]string // table → rows
	}{
		{
			name:   "every type with NULLs",
			tables: []*model.Table{allTypes},
			files: map[string]string{"events.csv": "" +
				"patient_id,b,i,f,s,d,code,multi\n" +
				"1,T,42,1.5,hello,2020-02-29,22298006,J43.8\n" +
				"1,F,-7,-0.25,\"a, b\",1999-12-31,abc,A01X B02\n" +
				"2,,,,,,,\n" +
				"3,T, 1_000 ,1e3,  spaced  ,20240131,0,\n" +
				"4,F,+5,  inf ,\"quoted \"\"x\"\"\",2021-W01-1,,\n" +
				"5,T,007,-Infinity,x,2020W536,,\n" +
				"6,F,-0,1_0.5,y,2020-W01,,\n",
			},
			want: map[string][]string{"events": {
				"1|T|42|1.5|hello|2020-02-29|22298006|J43.8",
				"1|F|-7|-0.25|a, b|1999-12-31|abc|A01X B02",
				"2|NULL|NULL|NULL|NULL|NULL|NULL|NULL",
				"3|T|1000|1000|  spaced  |2024-01-31|0|NULL",
				"4|F|5|+Inf|quoted \"x\"|2021-01-04|NULL|NULL",
				"5|T|7|-Inf|x|2021-01-02|NULL|NULL",
				"6|F|0|10.5|y|2019-12-30|NULL|NULL",
			}},
		},
		{
			name:   "header order differs, extra column ignored, missing column NULL",
			tables: []*model.Table{allTypes},
			files: map[string]string{"events.csv": "" +
				"d,extra,s,patient_id,i\n" +
				"2021-06-01,ignored,x,10,3\n" +
				",,,11,\n",
			},
			want: map[string][]string{"events": {
				"10|NULL|3|NULL|x|2021-06-01|NULL|NULL",
				"11|NULL|NULL|NULL|NULL|NULL|NULL|NULL",
			}},
		},
		{
			name:   "only patient_id",
			tables: []*model.Table{patientsT},
			files:  map[string]string{"patients.csv": "patient_id\n3\n1\n2\n"},
			want:   map[string][]string{"patients": {"3|NULL|NULL", "1|NULL|NULL", "2|NULL|NULL"}},
		},
		{
			name:   "header only",
			tables: []*model.Table{patientsT},
			files:  map[string]string{"patients.csv": "patient_id,sex\n"},
			want:   map[string][]string{"patients": nil},
		},
		{
			name:   "categories",
			tables: []*model.Table{patientsT, addressesT},
			files: map[string]string{
				"patients.csv":  "patient_id,sex,date_of_birth\n1,female,1980-01-01\n2,,\n3,unknown,2000-02-01\n",
				"addresses.csv": "patient_id,address_type,msoa_code\n1,1,E02000001\n1, 3 ,\n2,,E02000002\n2,99,x\n",
			},
			want: map[string][]string{
				"patients":  {"1|1980-01-01|female", "2|NULL|NULL", "3|2000-02-01|unknown"},
				"addresses": {"1|1|E02000001", "1|3|NULL", "2|NULL|E02000002", "2|99|x"},
			},
		},
		{
			name:   "gzip",
			tables: []*model.Table{patientsT, eventsLike},
			files: map[string]string{
				"patients.csv.gz":        "patient_id,sex\n1,male\n",
				"clinical_events.csv.gz": "patient_id,date,snomedct_code,numeric_value\n1,2020-01-01,123456,\n1,2020-01-02,123456,37.5\n",
			},
			want: map[string][]string{
				"patients":        {"1|NULL|male"},
				"clinical_events": {"1|2020-01-01|123456|NULL", "1|2020-01-02|123456|37.5"},
			},
		},
		{
			name:   "CRLF, BOM, blank lines and multi-line fields",
			tables: []*model.Table{allTypes},
			files:  map[string]string{"events.csv": "\ufeffpatient_id,s\r\n1,\"two\r\nlines\"\r\n\r\n2,b\r\n"},
			want:   map[string][]string{"events": {"1|NULL|NULL|NULL|two\nlines|NULL|NULL|NULL", "2|NULL|NULL|NULL|b|NULL|NULL|NULL"}},
		},
		{
			name:   "same table twice, other files ignored",
			tables: []*model.Table{patientsT, patientsT},
			files:  map[string]string{"patients.csv": "patient_id\n1\n", "unused.csv": "junk\n", "README.md": "hi"},
			want:   map[string][]string{"patients": {"1|NULL|NULL"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tt.files)
			db := openDB(t)
			if err := LoadCSVDir(context.Background(), db, dir, tt.tables); err != nil {
				t.Fatalf("LoadCSVDir: %v", err)
			}
			for table, want := range tt.want {
				got := dump(t, db, table)
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("table %s:\ngot\n  %s\nwant\n  %s", table, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
				}
			}
		})
	}
}

func TestLoadCSVDirSchema(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"events.csv": "patient_id\n1\n"})
	db := openDB(t)
	if err := LoadCSVDir(context.Background(), db, dir, []*model.Table{allTypes}); err != nil {
		t.Fatal(err)
	}
	got := columnTypes(t, db, "events")
	want := []string{
		"patient_id BIGINT NOT NULL", "b BOOLEAN", "i BIGINT", "f DOUBLE",
		"s VARCHAR", "d DATE", "code VARCHAR", "multi VARCHAR",
	}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("columns = %v, want %v", got, want)
	}
}

func TestLoadCSVDirQuotedNames(t *testing.T) {
	// Names are quoted: SQL keywords work as table and column names.
	tbl := &model.Table{Name: "order", Columns: []model.Column{{Name: "select", Type: model.Int}}}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"order.csv": "patient_id,select\n1,2\n"})
	db := openDB(t)
	if err := LoadCSVDir(context.Background(), db, dir, []*model.Table{tbl}); err != nil {
		t.Fatal(err)
	}
	if got := dump(t, db, "order"); len(got) != 1 || got[0] != "1|2" {
		t.Errorf("rows = %v", got)
	}
}

func TestLoadCSVDirNaN(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"clinical_events.csv": "patient_id,numeric_value\n1,nan\n2,-NaN\n3,1e400\n"})
	db := openDB(t)
	if err := LoadCSVDir(context.Background(), db, dir, []*model.Table{eventsLike}); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query("SELECT numeric_value FROM clinical_events ORDER BY rowid")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []float64
	for rows.Next() {
		var f float64
		if err := rows.Scan(&f); err != nil {
			t.Fatal(err)
		}
		got = append(got, f)
	}
	if len(got) != 3 || !math.IsNaN(got[0]) || !math.IsNaN(got[1]) || !math.IsInf(got[2], 1) {
		t.Errorf("values = %v, want [NaN NaN +Inf]", got)
	}
}

func TestLoadCSVDirErrors(t *testing.T) {
	tests := []struct {
		name   string
		tables []*model.Table
		files  map[string]string
		want   string // error text, with DIR for the directory
		cell   *CellError
	}{
		{
			name:   "bad int",
			tables: []*model.Table{allTypes},
			files:  map[string]string{"events.csv": "patient_id,i\n1,2\n1,1__0\n"},
			want:   "DIR/events.csv, line 3, column 'i': invalid int '1__0'",
			cell:   &CellError{Line: 3, Column: "i", Msg: "invalid int '1__0'"},
		},
		{
			name:   "float in int column",
			tables: []*model.Table{allTypes},
			files:  map[string]string{"events.csv": "patient_id,i\n1,2.0\n"},
			want:   "DIR/events.csv, line 2, column 'i': invalid int '2.0'",
		},
		{
			name:   "int out of range",
			tables: []*model.Table{allTypes},
			files:  map[string]string{"events.csv": "patient_id,i\n1,99999999999999999999\n"},
			want:   "DIR/events.csv, line 2, column 'i': int '99999999999999999999' out of range for a 64-bit integer",
		},
		{
			name:   "bad float",
			tables: []*model.Table{allTypes},
			files:  map[string]string{"events.csv": "patient_id,f\n1,0x10\n"},
			want:   "DIR/events.csv, line 2, column 'f': invalid float '0x10'",
		},
		{
			name:   "bad date",
			tables: []*model.Table{patientsT},
			files:  map[string]string{"patients.csv": "patient_id,date_of_birth\n1,2020-01-01\n2,2020-13-01\n"},
			want:   "DIR/patients.csv, line 3, column 'date_of_birth': invalid date '2020-13-01'",
			cell:   &CellError{Line: 3, Column: "date_of_birth", Msg: "invalid date '2020-13-01'"},
		},
		{
			name:   "non-existent day",
			tables: []*model.Table{patientsT},
			files:  map[string]string{"patients.csv": "patient_id,date_of_birth\n1,2021-02-29\n"},
			want:   "DIR/patients.csv, line 2, column 'date_of_birth': invalid date '2021-02-29'",
		},
		{
			name:   "date with whitespace",
			tables: []*model.Table{patientsT},
			files:  map[string]string{"patients.csv": "patient_id,date_of_birth\n1, 2021-02-01\n"},
			want:   "DIR/patients.csv, line 2, column 'date_of_birth': invalid date ' 2021-02-01'",
		},
		{
			name:   "bad bool",
			tables: []*model.Table{allTypes},
			files:  map[string]string{"events.csv": "patient_id,b\n1,T\n2,true\n"},
			want:   "DIR/events.csv, line 3, column 'b': invalid boolean, must be 'T' or 'F'",
		},
		{
			name:   "str category violation",
			tables: []*model.Table{patientsT},
			files:  map[string]string{"patients.csv": "patient_id,sex\n1,female\n2,Male\n"},
			want:   "DIR/patients.csv, line 3, column 'sex': 'Male' not in valid categories: 'female', 'male', 'intersex', 'unknown'",
			cell:   &CellError{Line: 3, Column: "sex", Msg: "'Male' not in valid categories: 'female', 'male', 'intersex', 'unknown'"},
		},
		{
			name:   "int category violation",
			tables: []*model.Table{addressesT},
			files:  map[string]string{"addresses.csv": "patient_id,address_type\n1,2\n"},
			want:   "DIR/addresses.csv, line 2, column 'address_type': '2' not in valid categories: 0, 1, 3, 99",
		},
		{
			name:   "too few fields",
			tables: []*model.Table{patientsT},
			files:  map[string]string{"patients.csv": "patient_id,sex,date_of_birth\n1,male,\n2,male\n"},
			want:   "DIR/patients.csv, line 3: expected 3 columns but got 2",
			cell:   &CellError{Line: 3, Msg: "expected 3 columns but got 2"},
		},
		{
			name:   "too many fields",
			tables: []*model.Table{patientsT},
			files:  map[string]string{"patients.csv": "patient_id,sex\n1,male,x\n"},
			want:   "DIR/patients.csv, line 2: expected 2 columns but got 3",
		},
		{
			name:   "line numbers count physical lines",
			tables: []*model.Table{allTypes},
			files:  map[string]string{"events.csv": "patient_id,s,i\n1,\"a\nb\nc\",1\n\n2,x,y\n"},
			want:   "DIR/events.csv, line 6, column 'i': invalid int 'y'",
		},
		{
			name:   "missing patient_id column",
			tables: []*model.Table{patientsT},
			files:  map[string]string{"patients.csv": "id,sex\n1,male\n"},
			want:   "DIR/patients.csv: Missing columns: patient_id",
			cell:   &CellError{Msg: "Missing columns: patient_id"},
		},
		{
			name:   "empty file",
			tables: []*model.Table{patientsT},
			files:  map[string]string{"patients.csv": ""},
			want:   "DIR/patients.csv: missing header row",
		},
		{
			name:   "NULL patient_id",
			tables: []*model.Table{allTypes},
			files:  map[string]string{"events.csv": "s,patient_id\nx,1\ny,\n"},
			want:   "DIR/events.csv, line 3, column 'patient_id': NULL value in non-nullable column 'patient_id'",
			cell:   &CellError{Line: 3, Column: "patient_id", Msg: "NULL value in non-nullable column 'patient_id'"},
		},
		{
			name:   "bad patient_id",
			tables: []*model.Table{allTypes},
			files:  map[string]string{"events.csv": "patient_id\nP1\n"},
			want:   "DIR/events.csv, line 2, column 'patient_id': invalid int 'P1'",
		},
		{
			name:   "duplicate patient in patient-level table",
			tables: []*model.Table{patientsT},
			files:  map[string]string{"patients.csv": "patient_id,sex\n1,male\n2,female\n+1,female\n"},
			want:   "DIR/patients.csv, line 4, column 'patient_id': duplicate patient_id 1 (first on line 2): table 'patients' has at most one row per patient",
			cell: &CellError{Line: 4, Column: "patient_id",
				Msg: "duplicate patient_id 1 (first on line 2): table 'patients' has at most one row per patient"},
		},
		{
			name:   "missing file",
			tables: []*model.Table{patientsT, eventsLike},
			files:  map[string]string{"patients.csv": "patient_id\n1\n", "clinical_events.txt": ""},
			want:   "no dummy table for 'clinical_events': expected DIR/clinical_events.csv",
		},
		{
			name:   "table file is a directory",
			tables: []*model.Table{patientsT},
			files:  map[string]string{"patients.csv/x": "patient_id\n1\n"},
			want:   "dummy table for 'patients': DIR/patients.csv is a directory",
		},
		{
			name:   "non-UTF-8 str",
			tables: []*model.Table{allTypes},
			files:  map[string]string{"events.csv": "patient_id,s\n1,ok\n2,caf\xe9\n"},
			want:   "DIR/events.csv, line 3, column 's': text is not valid UTF-8: byte 0xe9 at position 3 of 'caf\\xe9'",
			cell:   &CellError{Line: 3, Column: "s", Msg: "text is not valid UTF-8: byte 0xe9 at position 3 of 'caf\\xe9'"},
		},
		{
			name:   "non-UTF-8 code",
			tables: []*model.Table{allTypes},
			files:  map[string]string{"events.csv": "patient_id,code\n1,\xff\n"},
			want:   "DIR/events.csv, line 2, column 'code': text is not valid UTF-8: byte 0xff at position 0 of '\\xff'",
			cell:   &CellError{Line: 2, Column: "code", Msg: "text is not valid UTF-8: byte 0xff at position 0 of '\\xff'"},
		},
		{
			name:   "both csv and csv.gz",
			tables: []*model.Table{patientsT},
			files:  map[string]string{"patients.csv": "patient_id\n1\n", "patients.csv.gz": "patient_id\n1\n"},
			want:   "Found multiple file formats (.csv, .csv.gz) in: DIR",
		},
		{
			name:   "error in second table",
			tables: []*model.Table{patientsT, eventsLike},
			files: map[string]string{
				"patients.csv":        "patient_id,sex\n1,male\n",
				"clinical_events.csv": "patient_id,date\n1,2020-01-01\n1,yesterday\n",
			},
			want: "DIR/clinical_events.csv, line 3, column 'date': invalid date 'yesterday'",
		},
		{
			name:   "invalid table declaration",
			tables: []*model.Table{{Name: "bad", Columns: []model.Column{{Name: "patient_id", Type: model.Int}}}},
			files:  map[string]string{"bad.csv": "patient_id\n1\n"},
			want:   "loading dummy tables: table bad: patient_id is implicit and must not be declared",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tt.files)
			db := openDB(t)
			err := LoadCSVDir(context.Background(), db, dir, tt.tables)
			want := strings.ReplaceAll(tt.want, "DIR", dir)
			if err == nil || err.Error() != want {
				t.Fatalf("error = %v\nwant    %s", err, want)
			}
			// Every error about the files is a *CellError or *FileError
			// (bad input file, exit code 11).
			var fe *FileError
			var anyCell *CellError
			if !errors.As(err, &fe) && !errors.As(err, &anyCell) && !strings.Contains(tt.name, "declaration") {
				t.Errorf("error %T is neither a *CellError nor a *FileError", err)
			}
			if tt.cell != nil {
				var ce *CellError
				if !errors.As(err, &ce) {
					t.Fatalf("error %T is not a *CellError", err)
				}
				wantCell := *tt.cell
				wantCell.File = filepath.Join(dir, tt.tables[0].Name+".csv")
				if *ce != wantCell {
					t.Errorf("CellError = %+v, want %+v", *ce, wantCell)
				}
			}
			if names := tableNames(t, db); len(names) != 0 {
				t.Errorf("tables left after error: %v", names)
			}
		})
	}
}

func TestLoadCSVDirMissingFileIsNotExist(t *testing.T) {
	dir := t.TempDir()
	err := LoadCSVDir(context.Background(), openDB(t), dir, []*model.Table{patientsT})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %v does not match fs.ErrNotExist", err)
	}
	err = LoadCSVDir(context.Background(), openDB(t), filepath.Join(dir, "nope"), []*model.Table{patientsT})
	if err == nil || !errors.Is(err, fs.ErrNotExist) || !strings.HasPrefix(err.Error(), "dummy tables directory: ") {
		t.Errorf("missing directory: error = %v", err)
	}
}

func TestLoadCSVDirExistingTable(t *testing.T) {
	// A name clash fails the whole load, and leaves the existing table and
	// no other table behind.
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"clinical_events.csv": "patient_id\n1\n",
		"patients.csv":        "patient_id\n1\n",
	})
	db := openDB(t)
	if _, err := db.Exec("CREATE TABLE patients (x INTEGER); INSERT INTO patients VALUES (7)"); err != nil {
		t.Fatal(err)
	}
	err := LoadCSVDir(context.Background(), db, dir, []*model.Table{eventsLike, patientsT})
	if err == nil || !strings.HasPrefix(err.Error(), "creating table patients: ") {
		t.Fatalf("error = %v", err)
	}
	if names := tableNames(t, db); strings.Join(names, ",") != "patients" {
		t.Errorf("tables = %v, want [patients]", names)
	}
	if got := dump(t, db, "patients"); strings.Join(got, ",") != "7" {
		t.Errorf("patients = %v, want [7]", got)
	}
}

func TestLoadCSVDirCancelled(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"patients.csv": "patient_id\n1\n"})
	db := openDB(t)
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := LoadCSVDirConn(ctx, conn, dir, []*model.Table{patientsT}); !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
	if names := tableNames(t, db); len(names) != 0 {
		t.Errorf("tables left after cancellation: %v", names)
	}
	// The connection is still usable.
	if err := LoadCSVDirConn(context.Background(), conn, dir, []*model.Table{patientsT}); err != nil {
		t.Fatal(err)
	}
	if got := dump(t, db, "patients"); len(got) != 1 {
		t.Errorf("patients = %v", got)
	}
}

func TestLoadCSVDirConnAfterError(t *testing.T) {
	// After a failed load the same connection loads again: the failed
	// transaction was rolled back.
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"patients.csv": "patient_id,sex\n1,male\n2,x\n"})
	db := openDB(t)
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := LoadCSVDirConn(context.Background(), conn, dir, []*model.Table{patientsT}); err == nil {
		t.Fatal("no error")
	}
	writeFiles(t, dir, map[string]string{"patients.csv": "patient_id,sex\n1,male\n2,female\n"})
	if err := LoadCSVDirConn(context.Background(), conn, dir, []*model.Table{patientsT}); err != nil {
		t.Fatal(err)
	}
	if got := dump(t, db, "patients"); strings.Join(got, ",") != "1|NULL|male,2|NULL|female" {
		t.Errorf("patients = %v", got)
	}
}

// Seed-study tables, as declared in ehrql.tables.tpp (only the types matter).
var seedTables = []*model.Table{
	{Name: "patients", PatientLevel: true, Columns: []model.Column{
		{Name: "date_of_birth", Type: model.Date},
		{Name: "sex", Type: model.Str, Constraints: strCats("female", "male", "intersex", "unknown")},
		{Name: "date_of_death", Type: model.Date},
	}},
	{Name: "practice_registrations", Columns: []model.Column{
		{Name: "start_date", Type: model.Date},
		{Name: "end_date", Type: model.Date},
		{Name: "practice_pseudo_id", Type: model.Int},
	}},
	{Name: "addresses", Columns: []model.Column{
		{Name: "address_id", Type: model.Int},
		{Name: "start_date", Type: model.Date},
		{Name: "end_date", Type: model.Date},
		{Name: "address_type", Type: model.Int},
		{Name: "rural_urban_classification", Type: model.Int},
		{Name: "imd_rounded", Type: model.Int},
		{Name: "msoa_code", Type: model.Str},
		{Name: "has_postcode", Type: model.Bool},
		{Name: "care_home_is_potential_match", Type: model.Bool},
		{Name: "care_home_requires_nursing", Type: model.Bool},
		{Name: "care_home_does_not_require_nursing", Type: model.Bool},
	}},
	{Name: "clinical_events", Columns: []model.Column{
		{Name: "date", Type: model.Date},
		{Name: "snomedct_code", Type: model.CodeType(codelists.SNOMEDCT)},
		{Name: "ctv3_code", Type: model.CodeType(codelists.CTV3)},
		{Name: "numeric_value", Type: model.Float},
		{Name: "consultation_id", Type: model.Int},
	}},
	{Name: "appointments", Columns: []model.Column{
		{Name: "booked_date", Type: model.Date},
		{Name: "start_date", Type: model.Date},
		{Name: "seen_date", Type: model.Date},
		{Name: "status", Type: model.Str},
	}},
}

func TestLoadSeedStudy(t *testing.T) {
	db := openDB(t)
	if err := LoadCSVDir(context.Background(), db, "testdata/seed", seedTables); err != nil {
		t.Fatal(err)
	}
	// Expected figures computed from the CSV files with awk and Python's csv
	// module.
	checks := []struct {
		query string
		want  string
	}{
		{"SELECT count(*) FROM patients", "5000"},
		{"SELECT count(*) FROM practice_registrations", "5000"},
		{"SELECT count(*) FROM addresses", "40175"},
		{"SELECT count(*) FROM clinical_events", "39677"},
		{"SELECT count(*) FROM appointments", "39874"},
		{"SELECT count(DISTINCT patient_id) FROM addresses", "4714"},
		{"SELECT count(date_of_death) FROM patients", "3374"},
		{"SELECT string_agg(sex || '=' || n, ',' ORDER BY sex) FROM (SELECT sex, count(*) AS n FROM patients GROUP BY sex)",
			"female=1207,intersex=1294,male=1239,unknown=1260"},
		{"SELECT min(date_of_birth)::VARCHAR || ' ' || max(date_of_birth)::VARCHAR FROM patients", "1904-02-01 2000-04-01"},
		{"SELECT sum(imd_rounded)::VARCHAR FROM addresses", "660916200"},
		{"SELECT count(*) FROM addresses WHERE address_id IS NULL AND msoa_code IS NULL AND has_postcode IS NULL", "40175"},
		{"SELECT sum(practice_pseudo_id)::VARCHAR FROM practice_registrations", "247503"},
		{"SELECT count(end_date) FROM practice_registrations", "0"},
		{"SELECT count(DISTINCT status) FROM appointments", "15"},
		{"SELECT count(seen_date) FROM appointments", "39874"},
		{"SELECT count(DISTINCT snomedct_code) FROM clinical_events", "191"},
		{"SELECT max(date)::VARCHAR FROM clinical_events", "2020-04-18"},
		{"SELECT patient_id || ' ' || date::VARCHAR || ' ' || snomedct_code FROM clinical_events ORDER BY rowid LIMIT 1",
			"1 2020-03-31 73007006"},
	}
	for _, c := range checks {
		var got string
		if err := db.QueryRow(c.query).Scan(&got); err != nil {
			t.Errorf("%s: %v", c.query, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s = %s, want %s", c.query, got, c.want)
		}
	}
}

// BenchmarkLoadCSV loads a 200,000-row clinical_events file.
func BenchmarkLoadCSV(b *testing.B) {
	const rows = 200_000
	dir := b.TempDir()
	var sb strings.Builder
	sb.WriteString("patient_id,date,snomedct_code,numeric_value\n")
	codes := []string{"22298006", "73007006", "956781000000107", "1240751000000100"}
	day := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < rows; i++ {
		fmt.Fprintf(&sb, "%d,%s,%s,", i/8+1, day.AddDate(0, 0, i%3000).Format("2006-01-02"), codes[i%len(codes)])
		if i%3 != 0 {
			sb.WriteString(strconv.FormatFloat(float64(i%997)/10, 'f', -1, 64))
		}
		sb.WriteByte('\n')
	}
	writeFiles(b, dir, map[string]string{"clinical_events.csv": sb.String()})
	b.SetBytes(int64(sb.Len()))
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := openDB(b)
		b.StartTimer()
		if err := LoadCSVDir(ctx, db, dir, []*model.Table{eventsLike}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func TestLoadCSVDirCorruptGzip(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "patients.csv.gz"), []byte("patient_id\n1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	db := openDB(t)
	err := LoadCSVDir(context.Background(), db, dir, []*model.Table{patientsT})
	want := filepath.Join(dir, "patients.csv.gz") + ": gzip: invalid header"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
	if names := tableNames(t, db); len(names) != 0 {
		t.Errorf("tables left after error: %v", names)
	}
}

// TestLoadCSVDirGlobCharacters: a folder named with glob characters is that
// folder, whatever its siblings.
func TestLoadCSVDirGlobCharacters(t *testing.T) {
	base := t.TempDir()
	for sub, pid := range map[string]string{"t1": "1", "t2": "2", "t[12]": "3", "t*": "4"} {
		dir := filepath.Join(base, sub)
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		writeFiles(t, dir, map[string]string{"patients.csv": "patient_id\n" + pid + "\n"})
	}
	for sub, want := range map[string]string{"t[12]": "3|NULL|NULL", "t*": "4|NULL|NULL"} {
		db := openDB(t)
		if err := LoadCSVDir(context.Background(), db, filepath.Join(base, sub), []*model.Table{patientsT}); err != nil {
			t.Fatal(err)
		}
		if got := dump(t, db, "patients"); len(got) != 1 || got[0] != want {
			t.Errorf("%s: read %q, want %q", sub, got, want)
		}
	}
}
