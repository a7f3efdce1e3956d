package report_test

import (
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/measures/report"
)

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if strings.HasSuffix(name, ".gz") {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		zw := gzip.NewWriter(f)
		zw.Write([]byte(text))
		zw.Close()
		f.Close()
		return path
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestDummyFileSDC: spec 3.6's supplied rows 0.3,6,20 and 0.7,14,20 are
// rounded and their ratios recomputed; columns may come in any order and
// extra ones are ignored.
func TestDummyFileSDC(t *testing.T) {
	ms := testMeasures(t)
	text := "extra,measure,interval_start,interval_end,ratio,numerator,denominator,sex,band,n,dob\r\n" +
		"x,births,2020-01-01,2020-12-31,0.3,6,20,male,old,,\r\n" +
		"y,births,20200101,2020-12-31,0.7, 1_4 ,+20,female,,,\r\n" +
		"z,events,2020-01-01,2020-12-31,,3,9,,young,5,1999-12-31\r\n"
	for _, name := range []string{"d.csv", "d.csv.gz"} {
		rows, err := report.ReadDummyFile(writeFile(t, name, text), ms)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 || rows[2].Groups["n"] != int64(5) || rows[2].Groups["sex"] != nil || rows[2].Groups["dob"] != d("1999-12-31") {
			t.Fatalf("rows %+v", rows)
		}
		if _, ok := rows[0].Groups["band"]; ok {
			t.Errorf("births row kept another measure's group column: %+v", rows[0].Groups)
		}
		got := writeCSV(t, ms, rows, true)
		want := "measure,interval_start,interval_end,ratio,numerator,denominator,sex,band,n,dob\n" +
			"births,2020-01-01,2020-12-31,0.75,15,20,female,,,\n" +
			"births,2020-01-01,2020-12-31,0.0,0,20,male,,,\n" +
			"events,2020-01-01,2020-12-31,0.0,0,10,,young,5,1999-12-31\n"
		if got != want {
			t.Errorf("%s: got\n%s\nwant\n%s", name, got, want)
		}
	}
}

func TestDummyFileErrors(t *testing.T) {
	ms := testMeasures(t)
	const head = "measure,interval_start,interval_end,ratio,numerator,denominator,sex,band,n,dob\n"
	for _, tc := range []struct {
		name, file, text string
		want             string // %s is the file's path
	}{
		{"missing columns", "d.csv", "measure,ratio,sex\n", "Missing columns: interval_start, interval_end, numerator, denominator, band, n, dob"},
		{"every mismatch", "d.csv", head +
			"nope,2020-01-01,2020-12-31,,1,2,,,,\n" +
			"births,2020-02-30,2020-12-31,x,1.5,2,male,,,\n" +
			"births,2020-01-01,2020-12-31,,,2,other,,,\n" +
			"births,2020-01-01\n" +
			",2020-01-01,2020-12-31,,1,2,,,-1,\n",
			"'%s', row 1: column 'measure': 'nope' not in valid categories: 'births', 'events'\n" +
				"'%s', row 2: column 'interval_start': Invalid isoformat string: '2020-02-30'\n" +
				"'%s', row 2: column 'ratio': could not convert string to float: 'x'\n" +
				"'%s', row 2: column 'numerator': invalid literal for int() with base 10: '1.5'\n" +
				"'%s', row 3: column 'numerator': NULL value in non-nullable column 'numerator'\n" +
				"'%s', row 3: column 'sex': 'other' not in valid categories: 'female', 'male', 'intersex', 'unknown'\n" +
				"'%s', row 4: expected 10 columns but got 2\n" +
				"'%s', row 5: column 'measure': NULL value in non-nullable column 'measure'"},
		{"bad bool-free types", "d.csv", head + "events,2020-01-01,2020-12-31,,1,2,,old,1__2,\n",
			"'%s', row 1: column 'n': invalid literal for int() with base 10: '1__2'"},
		{"not UTF-8", "d.csv", head + "events,2020-01-01,2020-12-31,,1,2,,caf\xe9,1,\n" + "ev\xffnts,2020-01-01,2020-12-31,,1,2,,old,1,\n",
			"'%s', row 1: column 'band': text is not valid UTF-8: byte 0xe9 at position 3\n" +
				"'%s', row 2: column 'measure': text is not valid UTF-8: byte 0xff at position 2"},
		{"unsupported", "d.parquet", head, "Unsupported file type: .parquet"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, tc.file, tc.text)
			_, err := report.ReadDummyFile(path, ms)
			want := strings.ReplaceAll(tc.want, "%s", path)
			if err == nil || err.Error() != want {
				t.Errorf("error\n%v\nwant\n%s", err, want)
			}
		})
	}
	_, err := report.ReadDummyFile(filepath.Join(t.TempDir(), "none.csv"), ms)
	if err == nil || !strings.HasPrefix(err.Error(), "Missing file: ") {
		t.Errorf("error %v, want Missing file", err)
	}
}
