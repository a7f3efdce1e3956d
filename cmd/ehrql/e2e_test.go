package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

const study = "../../testdata/studies/consultations"

var ranges = [][2]string{
	{"2019-04-01", "2020-03-31"},
	{"2020-04-01", "2021-03-31"},
	{"2021-04-01", "2022-03-31"},
}

func ehrql(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), code
}

// TestReferenceStudy runs the study's three dataset actions from the Go
// definition and from ehrQL's own JSON, and requires identical outputs.
func TestReferenceStudy(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Go toolchain")
	}
	dir := t.TempDir()
	for _, r := range ranges {
		for _, format := range []string{"csv", "arrow"} {
			goOut := filepath.Join(dir, "go_"+r[0]+"."+format)
			jsonOut := filepath.Join(dir, "json_"+r[0]+"."+format)
			_, stderr, code := ehrql(t, "generate-dataset", study+"/dataset_definition.go",
				"--dummy-tables", study+"/dummy_tables", "--output", goOut,
				"--", "--start-date", r[0], "--end-date", r[1])
			if code != 0 {
				t.Fatalf("Go definition %v: exit %d\n%s", r, code, stderr)
			}
			_, stderr, code = ehrql(t, "generate-dataset",
				study+"/ehrql-json/consultation_dataset_"+r[0]+"_to_"+r[1]+".json",
				"--dummy-tables", study+"/dummy_tables", "--output", jsonOut)
			if code != 0 {
				t.Fatalf("JSON definition %v: exit %d\n%s", r, code, stderr)
			}
			a, _ := os.ReadFile(goOut)
			b, _ := os.ReadFile(jsonOut)
			if format == "csv" && !bytes.Equal(a, b) {
				t.Errorf("%v: Go and JSON definitions give different CSVs", r)
			}
			if format == "arrow" {
				ga, gb := readArrowRows(t, goOut), readArrowRows(t, jsonOut)
				if ga != gb {
					t.Errorf("%v: Go and JSON definitions give different Arrow contents", r)
				}
			}
		}
	}
	// Rows checked against an independent implementation of the study's
	// definition over the dummy tables (2020-04-01 to 2021-03-31).
	csv, err := os.ReadFile(filepath.Join(dir, "go_2020-04-01.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(csv), "\r\n")
	if got := len(lines) - 2; got != 5000 {
		t.Errorf("got %d patients, want 5000", got)
	}
	want := []string{
		"patient_id,has_virtual_consultation,count_virtual_consultation,last_virtual_consultation_code,has_f2f_consultation,count_f2f_consultation,last_f2f_consultation_code,last_appointment_status,count_appointment,has_appointment,age,age_greater_equal_65,sex,dod,imd_quintile,ethnicity",
		"7,T,1,35491000000103,T,3,711420002,,0,F,82,T,intersex,1950-03-02,2,missing",
		"9,T,1,24671000000101,F,0,,,0,F,61,F,intersex,1966-11-06,Missing,missing",
		"73,T,2,325921000000107,T,1,300671000000104,Visit,1,T,50,F,intersex,,3,missing",
		// Two addresses start on the same day: the tie is broken by the
		// selected column, imd_rounded, so the larger (21800) wins.
		"186,F,0,,T,1,185464004,,0,F,87,T,intersex,1971-05-31,4,missing",
	}
	if lines[0] != want[0] {
		t.Errorf("header:\n got %s\nwant %s", lines[0], want[0])
	}
	for _, w := range want[1:] {
		id := strings.SplitN(w, ",", 2)[0] + ","
		found := ""
		for _, l := range lines {
			if strings.HasPrefix(l, id) {
				found = l
			}
		}
		if found != w {
			t.Errorf("patient %s:\n got %s\nwant %s", id, found, w)
		}
	}
	checkArrowSchema(t, filepath.Join(dir, "go_2020-04-01.arrow"))
}

// readArrowRows renders an Arrow file's contents as text for comparison.
func readArrowRows(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := ipc.NewFileReader(f, ipc.WithAllocator(memory.DefaultAllocator))
	if err != nil {
		t.Fatalf("%s is not an Arrow IPC file: %v", path, err)
	}
	defer r.Close()
	var b strings.Builder
	b.WriteString(r.Schema().String())
	for i := 0; i < r.NumRecords(); i++ {
		rec, err := r.RecordBatch(i)
		if err != nil {
			t.Fatal(err)
		}
		for _, col := range rec.Columns() {
			b.WriteString(col.String())
		}
	}
	return b.String()
}

func checkArrowSchema(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := ipc.NewFileReader(f)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	dict := func(index arrow.DataType) arrow.DataType {
		return &arrow.DictionaryType{IndexType: index, ValueType: arrow.BinaryTypes.String, Ordered: true}
	}
	want := map[string]arrow.DataType{
		"patient_id":                     arrow.PrimitiveTypes.Int64,
		"has_virtual_consultation":       arrow.FixedWidthTypes.Boolean,
		"count_virtual_consultation":     arrow.PrimitiveTypes.Uint16,
		"last_virtual_consultation_code": arrow.BinaryTypes.String,
		"last_appointment_status":        dict(arrow.PrimitiveTypes.Int8),
		"count_appointment":              arrow.PrimitiveTypes.Uint16,
		"age":                            arrow.PrimitiveTypes.Int64,
		"age_greater_equal_65":           arrow.FixedWidthTypes.Boolean,
		"sex":                            dict(arrow.PrimitiveTypes.Int8),
		"dod":                            arrow.FixedWidthTypes.Date32,
		"imd_quintile":                   dict(arrow.PrimitiveTypes.Int8),
		"ethnicity":                      dict(arrow.PrimitiveTypes.Int8),
	}
	schema := r.Schema()
	if len(schema.Fields()) != 16 {
		t.Errorf("got %d columns, want 16", len(schema.Fields()))
	}
	for name, typ := range want {
		fs, ok := schema.FieldsByName(name)
		if !ok {
			t.Errorf("no column %s", name)
			continue
		}
		if !arrow.TypeEqual(fs[0].Type, typ) {
			t.Errorf("column %s: type %s, want %s", name, fs[0].Type, typ)
		}
		if (name == "patient_id") == fs[0].Nullable {
			t.Errorf("column %s: nullable = %v", name, fs[0].Nullable)
		}
	}
	var rows int64
	for i := 0; i < r.NumRecords(); i++ {
		rec, err := r.RecordBatch(i)
		if err != nil {
			t.Fatal(err)
		}
		rows += rec.NumRows()
	}
	if rows != 5000 {
		t.Errorf("Arrow file has %d rows, want 5000", rows)
	}
}
