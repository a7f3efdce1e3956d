package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDummyDataFile passes a ready dataset through generate-dataset: CSV and
// Arrow in, any format out; mismatches are listed.
func TestDummyDataFile(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Go toolchain")
	}
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.csv", "sex,extra,patient_id,age\nmale,x,2,30\nfemale,y,1,40\n")
	args := []string{"generate-dataset", "testdata/small", "--dummy-data-file"}
	params := []string{"--", "--index-date", "2020-06-01"}
	stdout, stderr, code := ehrql(t, append(append(args, good), params...)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if want := "patient_id,age,sex\r\n1,40,female\r\n2,30,male\r\n"; stdout != want {
		t.Errorf("got %q, want %q", stdout, want)
	}
	// Arrow in: write the dataset as Arrow, then pass it back.
	arrowFile := filepath.Join(dir, "d.arrow")
	if _, stderr, code := ehrql(t, append(append(args, good, "--output", arrowFile), params...)...); code != 0 {
		t.Fatalf("arrow out: exit %d\n%s", code, stderr)
	}
	stdout, stderr, code = ehrql(t, append(append(args, arrowFile), params...)...)
	if code != 0 || stdout != "patient_id,age,sex\r\n1,40,female\r\n2,30,male\r\n" {
		t.Errorf("arrow in: exit %d, %q\n%s", code, stdout, stderr)
	}
	for _, c := range []struct{ name, text, want string }{
		{"missing.csv", "patient_id\n1\n", "missing column 'age'"},
		{"badint.csv", "patient_id,age,sex\n1,forty,female\n", "line 2, column 'age'"},
		{"badcat.csv", "patient_id,age,sex\n1,40,woman\n", "'woman' not in valid categories"},
	} {
		_, stderr, code := ehrql(t, append(append(args, write(c.name, c.text)), params...)...)
		if code != 11 || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: exit %d, stderr lacks %q:\n%s", c.name, code, c.want, stderr)
		}
	}
}
