package output

import (
	"bytes"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// csvCols and csvRows form the table of TestCSV; wantCSV is what Python's
// csv.writer produces for the same rows in ehrQL (checked with CPython).
var csvCols = []Column{
	{Name: "patient_id", Kind: Int},
	{Name: "flag", Kind: Bool, Nullable: true},
	{Name: "n", Kind: Int, Nullable: true, Min: i64(0), Max: i64(65535)},
	{Name: "x", Kind: Float, Nullable: true},
	{Name: "s", Kind: Str, Nullable: true},
	{Name: "cat", Kind: Str, Nullable: true, Categories: []string{"a", "b,c", `d"e`, ""}},
	{Name: "dt", Kind: Date, Nullable: true},
	{Name: "score", Kind: Int, Nullable: true, Min: i64(-100), Max: i64(100)},
}

func csvRows(t testing.TB) [][][]any {
	return [][][]any{{
		{1, true, 0, 0.5, "plain", "a", d(t, "2020-01-31"), -100},
		{2, false, 65535, -2.5, "has,comma", "b,c", d(t, "1999-12-31"), 100},
		{3, nil, nil, nil, nil, nil, nil, nil},
		{4, true, 7, 1e-05, `say "hi"`, `d"e`, d(t, "0001-01-01"), 0},
	}, {
		{5, false, 8, math.NaN(), "line\nbreak", nil, d(t, "9999-12-31"), 5},
		{6, true, 9, 1e16, "cr\rhere", "", d(t, "1970-01-01"), -1},
		{7, false, 10, math.Inf(-1), " lead space, ", nil, nil, nil},
	}}
}

const wantCSV = "patient_id,flag,n,x,s,cat,dt,score\r\n" +
	"1,T,0,0.5,plain,a,2020-01-31,-100\r\n" +
	"2,F,65535,-2.5,\"has,comma\",\"b,c\",1999-12-31,100\r\n" +
	"3,,,,,,,\r\n" +
	"4,T,7,1e-05,\"say \"\"hi\"\"\",\"d\"\"e\",0001-01-01,0\r\n" +
	"5,F,8,nan,\"line\nbreak\",,9999-12-31,5\r\n" +
	"6,T,9,1e+16,\"cr\rhere\",,1970-01-01,-1\r\n" +
	"7,F,10,-inf,\" lead space, \",,,\r\n"

func TestCSV(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name   string
		path   string // "" means standard output
		gzip   bool
		header string
	}{
		{name: "csv", path: filepath.Join(dir, "out.csv")},
		{name: "csv.gz", path: filepath.Join(dir, "sub", "dir", "out.csv.gz"), gzip: true},
		{name: "stdout empty path", path: ""},
		{name: "stdout dash", path: "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := checkedAlloc(t)
			var stdout bytes.Buffer
			w, err := create(tt.path, csvCols, &stdout, mem)
			if err != nil {
				t.Fatal(err)
			}
			for _, rows := range csvRows(t) {
				rec := makeBatch(t, mem, csvCols, rows)
				err := w.Write(rec)
				rec.Release()
				if err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			var got []byte
			switch {
			case tt.path == "" || tt.path == "-":
				got = stdout.Bytes()
			case tt.gzip:
				raw := readFile(t, tt.path)
				if !bytes.HasPrefix(raw, []byte{0x1f, 0x8b}) {
					t.Fatalf("%s is not gzip-compressed", tt.path)
				}
				got = gunzip(t, raw)
			default:
				got = readFile(t, tt.path)
			}
			if string(got) != wantCSV {
				t.Errorf("got\n%q\nwant\n%q", got, wantCSV)
			}
			if tt.path != "" && tt.path != "-" {
				if stdout.Len() != 0 {
					t.Errorf("file output also wrote %q to stdout", stdout.String())
				}
				if names := dirEntries(t, filepath.Dir(tt.path)); len(names) != 1 || names[0] != filepath.Base(tt.path) {
					t.Errorf("directory holds %q, want only %s", names, filepath.Base(tt.path))
				}
			}
		})
	}
}

func TestCSVEdgeCases(t *testing.T) {
	tests := []struct {
		name string
		cols []Column
		rows [][]any
		want string
	}{
		{
			name: "zero rows writes header",
			cols: csvCols,
			want: "patient_id,flag,n,x,s,cat,dt,score\r\n",
		},
		{
			name: "single empty field is quoted",
			cols: []Column{{Name: "x", Kind: Str, Nullable: true}},
			rows: [][]any{{nil}, {""}, {"a"}},
			want: "x\r\n\"\"\r\n\"\"\r\na\r\n",
		},
		{
			name: "header quoting",
			cols: []Column{{Name: "patient_id", Kind: Int}, {Name: `a,"b"`, Kind: Float, Nullable: true}},
			rows: [][]any{{1, 0.0}, {2, math.Copysign(0, -1)}, {3, 123456789012345.0}},
			want: "patient_id,\"a,\"\"b\"\"\"\r\n1,0.0\r\n2,-0.0\r\n3,123456789012345.0\r\n",
		},
		{
			// Like ehrQL, CSV does not check values against categories.
			name: "categories not enforced",
			cols: []Column{{Name: "c", Kind: Str, Nullable: true, Categories: []string{"a"}}},
			rows: [][]any{{"zzz"}},
			want: "c\r\nzzz\r\n",
		},
		{
			name: "extreme ints",
			cols: []Column{{Name: "i", Kind: Int}},
			rows: [][]any{{int64(math.MinInt64)}, {int64(math.MaxInt64)}},
			want: "i\r\n-9223372036854775808\r\n9223372036854775807\r\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := checkedAlloc(t)
			for _, path := range []string{"out.csv", "out.csv.gz"} {
				path = filepath.Join(t.TempDir(), path)
				rec := makeBatch(t, mem, tt.cols, tt.rows)
				writeAll(t, mem, path, tt.cols, nil, rec)
				rec.Release()
				got := readFile(t, path)
				if strings.HasSuffix(path, ".gz") {
					got = gunzip(t, got)
				}
				if string(got) != tt.want {
					t.Errorf("%s: got %q, want %q", filepath.Base(path), got, tt.want)
				}
			}
		})
	}
}

func TestCSVDateOutOfRange(t *testing.T) {
	mem := checkedAlloc(t)
	cols := []Column{{Name: "dt", Kind: Date, Nullable: true}}
	rec := makeBatch(t, mem, cols, [][]any{{arrowDate(2932897)}})
	defer rec.Release()
	var out bytes.Buffer
	w, err := create("-", cols, &out, mem)
	if err != nil {
		t.Fatal(err)
	}
	err = w.Write(rec)
	w.Abort()
	want := "output: writing <stdout>: column 'dt': date 2932897 days from 1970-01-01 (year 10000) is outside the supported range 0001-01-01..9999-12-31"
	if err == nil || err.Error() != want {
		t.Errorf("Write error = %v, want %q", err, want)
	}
	if out.Len() != 0 {
		t.Errorf("aborted stdout writer wrote %q", out.String())
	}
}
