package codelists

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeCSV writes content to name inside a fresh temporary directory and
// returns its path.
func writeCSV(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

type catPair struct{ code, cat string }

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		content string
		column  string
		want    []string
		wantErr string // with {path} for the file's path; "" for success
	}{
		{
			name:    "basic",
			content: "code,term\n123456,Foo\n234567,Bar\n",
			column:  "code",
			want:    []string{"123456", "234567"},
		},
		{
			name:    "other column, any position",
			content: "term,snomedcode\nFoo,123456\nBar,234567\n",
			column:  "snomedcode",
			want:    []string{"123456", "234567"},
		},
		{
			name:    "codes stripped",
			content: "code,term\n  123456  ,Foo\n\" 234567\t\",Bar\n\u00a0345678\x1f,Baz\n",
			column:  "code",
			want:    []string{"123456", "234567", "345678"},
		},
		{
			name:    "empty codes dropped",
			content: "code,term\n,Foo\n   ,Bar\n123456,Baz\n\"\",Qux\n,\n",
			column:  "code",
			want:    []string{"123456"},
		},
		{
			name:    "blank lines skipped",
			content: "code\n\n123456\n\n\n234567\n",
			column:  "code",
			want:    []string{"123456", "234567"},
		},
		{
			name:    "duplicates collapse keeping first position",
			content: "code\n3\n1\n 3 \n2\n1\n",
			column:  "code",
			want:    []string{"3", "1", "2"},
		},
		{
			name:    "BOM before header",
			content: "\ufeffcode,term\n123456,Foo\n",
			column:  "code",
			want:    []string{"123456"},
		},
		{
			name:    "CRLF line endings",
			content: "code,term\r\n123456,Foo\r\n234567,Bar\r\n",
			column:  "term",
			want:    []string{"Foo", "Bar"},
		},
		{
			name:    "CR line endings",
			content: "code,term\r123456,Foo\r234567,Bar\r",
			column:  "term",
			want:    []string{"Foo", "Bar"},
		},
		{
			name:    "no final newline",
			content: "code\n123456\n234567",
			column:  "code",
			want:    []string{"123456", "234567"},
		},
		{
			name:    "short rows have empty cells",
			content: "term,code\nFoo,123456\nBar\n\nBaz,234567\n",
			column:  "code",
			want:    []string{"123456", "234567"},
		},
		{
			name:    "long rows allowed",
			content: "code\n123456,extra,cells\n234567\n",
			column:  "code",
			want:    []string{"123456", "234567"},
		},
		{
			name:    "quoted fields with commas, newlines and quotes",
			content: "code,term\n123456,\"Foo, \"\"bar\"\"\nbaz\"\n234567,5\" tablet\n",
			column:  "term",
			want:    []string{"Foo, \"bar\"\nbaz", "5\" tablet"},
		},
		{
			name:    "duplicate header name uses the last column",
			content: "code,code\n1,2\n3,4\n",
			column:  "code",
			want:    []string{"2", "4"},
		},
		{
			name:    "header only",
			content: "code,term\n",
			column:  "code",
			want:    []string{},
		},
		{
			name:    "missing column",
			content: "code,term\n123456,Foo\n",
			column:  "snomedcode",
			wantErr: "codelist {path}: No column 'snomedcode' in CSV",
		},
		{
			name:    "header names are not stripped",
			content: " code ,term\n123456,Foo\n",
			column:  "code",
			wantErr: "codelist {path}: No column 'code' in CSV",
		},
		{
			name:    "header names are case-sensitive",
			content: "Code,term\n123456,Foo\n",
			column:  "code",
			wantErr: "codelist {path}: No column 'code' in CSV",
		},
		{
			name:    "empty file",
			content: "",
			column:  "code",
			wantErr: "codelist {path}: empty CSV: a header row is required",
		},
		{
			name:    "BOM only",
			content: "\ufeff",
			column:  "code",
			wantErr: "codelist {path}: empty CSV: a header row is required",
		},
		{
			name:    "not UTF-8",
			content: "code,term\n123456,Foo\n234567,Caf\xe9\n",
			column:  "code",
			wantErr: "codelist {path}: line 3: invalid UTF-8 (codelist files must be UTF-8 encoded)",
		},
		{
			name:    "not UTF-8 after CRLF",
			content: "code,term\r\n123456,Foo\r\n\r\n234567,Caf\xe9\r\n",
			column:  "code",
			wantErr: "codelist {path}: line 4: invalid UTF-8 (codelist files must be UTF-8 encoded)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeCSV(t, "codelist.csv", tt.content)
			c, err := Load(path, tt.column)
			if tt.wantErr != "" {
				want := strings.ReplaceAll(tt.wantErr, "{path}", path)
				if err == nil || err.Error() != want {
					t.Fatalf("Load error = %v, want %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if got := c.Codes(); !slices.Equal(got, tt.want) {
				t.Errorf("Codes() = %q, want %q", got, tt.want)
			}
			if c.Source() != path {
				t.Errorf("Source() = %q, want %q", c.Source(), path)
			}
			if c.HasCategories() {
				t.Errorf("HasCategories() = true, want false")
			}
		})
	}
}

func TestLoadCategorised(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    []catPair
		wantErr string
	}{
		{
			name:    "basic",
			content: "code,term,cat\n123456,Foo,A\n234567,Bar,B\n",
			want:    []catPair{{"123456", "A"}, {"234567", "B"}},
		},
		{
			name:    "categories stripped",
			content: "code,term,cat\n123456,Foo,  A \n234567,Bar,\"\tB\"\n",
			want:    []catPair{{"123456", "A"}, {"234567", "B"}},
		},
		{
			name:    "duplicates: first position, last category",
			content: "code,term,cat\n3,x,first\n1,x,one\n 3,x,second\n2,x,two\n3 ,x,third\n",
			want:    []catPair{{"3", "third"}, {"1", "one"}, {"2", "two"}},
		},
		{
			name:    "rows with an empty code are dropped with their category",
			content: "code,term,cat\n,x,A\n123456,x,B\n",
			want:    []catPair{{"123456", "B"}},
		},
		{
			name:    "empty category kept",
			content: "code,term,cat\n123456,x,\n234567,x,   \n",
			want:    []catPair{{"123456", ""}, {"234567", ""}},
		},
		{
			name:    "short row: missing category is empty",
			content: "code,term,cat\n123456,x\n234567\n345678,x,C\n",
			want:    []catPair{{"123456", ""}, {"234567", ""}, {"345678", "C"}},
		},
		{
			name:    "category column before code column",
			content: "cat,code\nA,123456\n",
			want:    []catPair{{"123456", "A"}},
		},
		{
			name:    "BOM",
			content: "\ufeffcode,cat\n123456,A\n",
			want:    []catPair{{"123456", "A"}},
		},
		{
			name:    "missing category column",
			content: "code,term\n123456,Foo\n",
			wantErr: "codelist {path}: No column 'cat' in CSV",
		},
		{
			name:    "missing code column reported first",
			content: "snomedcode,term\n123456,Foo\n",
			wantErr: "codelist {path}: No column 'code' in CSV",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeCSV(t, "codelist.csv", tt.content)
			c, err := LoadCategorised(path, "code", "cat")
			if tt.wantErr != "" {
				want := strings.ReplaceAll(tt.wantErr, "{path}", path)
				if err == nil || err.Error() != want {
					t.Fatalf("LoadCategorised error = %v, want %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadCategorised: %v", err)
			}
			if !c.HasCategories() {
				t.Errorf("HasCategories() = false, want true")
			}
			var got []catPair
			for _, code := range c.Codes() {
				cat, ok := c.Category(code)
				if !ok {
					t.Errorf("Category(%q) not found", code)
				}
				got = append(got, catPair{code, cat})
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("codes and categories = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLoadSameColumnForCodeAndCategory(t *testing.T) {
	path := writeCSV(t, "c.csv", "code\n 123456 \n")
	c, err := LoadCategorised(path, "code", "code")
	if err != nil {
		t.Fatal(err)
	}
	if cat, ok := c.Category("123456"); !ok || cat != "123456" {
		t.Fatalf("Category = %q, %v; want \"123456\", true", cat, ok)
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.csv")
	for name, load := range map[string]func() error{
		"Load": func() error { _, err := Load(path, "code"); return err },
		"LoadCategorised": func() error {
			_, err := LoadCategorised(path, "code", "cat")
			return err
		},
	} {
		err := load()
		want := "No CSV file at " + path
		if err == nil || err.Error() != want {
			t.Errorf("%s error = %v, want %q", name, err, want)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s error %v does not wrap fs.ErrNotExist", name, err)
		}
	}
}

// A path written with backslashes gets ehrQL's hint.
func TestLoadMissingFileBackslashHint(t *testing.T) {
	_, err := Load(`codelists\nope.csv`, "code")
	want := `No CSV file at codelists\nope.csv` + "\n\nHINT: Use forward slash (/) instead of backslash (\\) in file paths"
	if err == nil || err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
}

func TestLoadDirectory(t *testing.T) {
	dir := t.TempDir()
	_, err := Load(dir, "code")
	if err == nil {
		t.Fatal("Load(directory) succeeded, want error")
	}
	if !strings.HasPrefix(err.Error(), "codelist "+dir+": ") {
		t.Fatalf("Load(directory) error %q does not name the path", err)
	}
}

func TestFromCSV(t *testing.T) {
	path := writeCSV(t, "c.csv", "code,cat\n123456,A\nabc,B\n")

	c := FromCSV(path, "code")
	if c.Err() != nil {
		t.Fatalf("Err() = %v", c.Err())
	}
	if got, want := c.Codes(), []string{"123456", "abc"}; !slices.Equal(got, want) {
		t.Errorf("Codes() = %q, want %q", got, want)
	}
	if c.Source() != path {
		t.Errorf("Source() = %q, want %q", c.Source(), path)
	}
	want := "codelist " + path + ": Invalid SNOMEDCTCode: abc"
	if err := c.Validate(SNOMEDCT); err == nil || err.Error() != want {
		t.Errorf("Validate = %v, want %q", err, want)
	}
	want = "codelist " + path + ": Invalid CTV3Code: 123456 (and 1 more invalid: abc)"
	if err := c.Validate(CTV3); err == nil || err.Error() != want {
		t.Errorf("Validate(CTV3) = %v, want %q", err, want)
	}

	cc := FromCSVWithCategories(path, "code", "cat")
	if cc.Err() != nil || !cc.HasCategories() {
		t.Fatalf("FromCSVWithCategories = %+v", cc)
	}
	if cat, ok := cc.Category("abc"); !ok || cat != "B" {
		t.Errorf("Category(abc) = %q, %v; want B, true", cat, ok)
	}
}

func TestFromCSVKeepsError(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.csv")
	present := writeCSV(t, "c.csv", "code\n123456\n")
	tests := []struct {
		name     string
		c        Codelist
		wantErr  string
		wantCats bool
		source   string
	}{
		{"FromCSV missing file", FromCSV(missing, "code"), "No CSV file at " + missing, false, missing},
		{"FromCSV missing column", FromCSV(present, "snomedcode"), "codelist " + present + ": No column 'snomedcode' in CSV", false, present},
		{"FromCSVWithCategories missing file", FromCSVWithCategories(missing, "code", "cat"), "No CSV file at " + missing, true, missing},
		{"FromCSVWithCategories missing category", FromCSVWithCategories(present, "code", "cat"), "codelist " + present + ": No column 'cat' in CSV", true, present},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.c.Err(); err == nil || err.Error() != tt.wantErr {
				t.Fatalf("Err() = %v, want %q", err, tt.wantErr)
			}
			if err := tt.c.Validate(SNOMEDCT); err != tt.c.Err() {
				t.Errorf("Validate = %v, want the load error", err)
			}
			if tt.c.Len() != 0 {
				t.Errorf("Len() = %d, want 0", tt.c.Len())
			}
			if tt.c.HasCategories() != tt.wantCats {
				t.Errorf("HasCategories() = %v, want %v", tt.c.HasCategories(), tt.wantCats)
			}
			if tt.c.Source() != tt.source {
				t.Errorf("Source() = %q, want %q", tt.c.Source(), tt.source)
			}
		})
	}
}

func TestDefinitionDirFallback(t *testing.T) {
	work := t.TempDir()
	defDir := t.TempDir()
	rel := filepath.Join("codelists", "x.csv")
	write := func(dir, content string) {
		t.Helper()
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(work)

	// Not found anywhere, variable unset.
	t.Setenv(DefinitionDirEnv, "")
	if _, err := Load(rel, "code"); err == nil || err.Error() != "No CSV file at "+rel {
		t.Fatalf("Load without file = %v, want %q", err, "No CSV file at "+rel)
	}

	// Found only under the definition directory, but the variable is unset.
	write(defDir, "code\n222222\n")
	if _, err := Load(rel, "code"); err == nil || err.Error() != "No CSV file at "+rel {
		t.Fatalf("Load with variable unset = %v, want %q", err, "No CSV file at "+rel)
	}

	// Only the study root has it (an OpenSAFELY layout: analysis/ beside
	// codelists/): found there, last.
	studyDir := t.TempDir()
	t.Setenv(DefinitionDirEnv, defDir+"-missing")
	t.Setenv(StudyDirEnv, studyDir)
	write(studyDir, "code\n333333\n")
	if c, err := Load(rel, "code"); err != nil || !slices.Equal(c.Codes(), []string{"333333"}) {
		t.Fatalf("Load via %s = %v, %v; want [333333]", StudyDirEnv, c.Codes(), err)
	}

	// Variable set: falls back to the definition directory, before the study.
	t.Setenv(DefinitionDirEnv, defDir)
	c, err := Load(rel, "code")
	if err != nil {
		t.Fatalf("Load via %s: %v", DefinitionDirEnv, err)
	}
	if got := c.Codes(); !slices.Equal(got, []string{"222222"}) {
		t.Errorf("Codes() = %q, want [222222]", got)
	}
	if want := filepath.Join(defDir, rel); c.Source() != want {
		t.Errorf("Source() = %q, want %q", c.Source(), want)
	}
	if fc := FromCSVWithCategories(rel, "code", "code"); fc.Err() != nil || fc.Len() != 1 {
		t.Errorf("FromCSVWithCategories via %s = %+v", DefinitionDirEnv, fc)
	}

	// The working directory takes precedence when the file exists there.
	write(work, "code\n111111\n")
	c, err = Load(rel, "code")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Codes(); !slices.Equal(got, []string{"111111"}) {
		t.Errorf("Codes() = %q, want [111111] from the working directory", got)
	}
	if c.Source() != rel {
		t.Errorf("Source() = %q, want %q", c.Source(), rel)
	}

	// Missing in both places: the error names the path as given.
	if _, err := Load("other.csv", "code"); err == nil || err.Error() != "No CSV file at other.csv" {
		t.Errorf("Load(other.csv) = %v, want %q", err, "No CSV file at other.csv")
	}

	// Absolute paths are never redirected.
	abs := filepath.Join(t.TempDir(), rel)
	if _, err := Load(abs, "code"); err == nil || err.Error() != "No CSV file at "+abs {
		t.Errorf("Load(absolute) = %v, want %q", err, "No CSV file at "+abs)
	}
}

// The study codelists in testdata are copies of the seed study's files.
func TestStudyCodelists(t *testing.T) {
	tests := []struct {
		file        string
		column      string
		n           int
		first, last string
	}{
		{"user-KatieDavies_1234-virtual-consultation.csv", "code", 68, "1068881000000101", "978881000000102"},
		{"user-KatieDavies_1234-generic-consultation.csv", "code", 124, "1052371000000100", "956931000000106"},
		{"opensafely-ethnicity-snomed-0removed.csv", "snomedcode", 599, "10292001", "494141000000101"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", tt.file)
			c, err := Load(path, tt.column)
			if err != nil {
				t.Fatal(err)
			}
			codes := c.Codes()
			if len(codes) != tt.n || c.Len() != tt.n {
				t.Fatalf("got %d codes (Len %d), want %d", len(codes), c.Len(), tt.n)
			}
			if codes[0] != tt.first || codes[len(codes)-1] != tt.last {
				t.Errorf("first, last = %q, %q; want %q, %q", codes[0], codes[len(codes)-1], tt.first, tt.last)
			}
			if err := c.Validate(SNOMEDCT); err != nil {
				t.Errorf("Validate(SNOMEDCT) = %v", err)
			}
			if c.Source() != path {
				t.Errorf("Source() = %q, want %q", c.Source(), path)
			}
		})
	}
}

func TestStudyEthnicityCategories(t *testing.T) {
	c, err := LoadCategorised(filepath.Join("testdata", "opensafely-ethnicity-snomed-0removed.csv"), "snomedcode", "Grouping_6")
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() != 599 {
		t.Fatalf("Len() = %d, want 599", c.Len())
	}
	counts := map[string]int{}
	for _, code := range c.Codes() {
		cat, ok := c.Category(code)
		if !ok {
			t.Fatalf("Category(%q) missing", code)
		}
		counts[cat]++
	}
	want := map[string]int{"1": 160, "2": 55, "3": 112, "4": 114, "5": 158}
	if len(counts) != len(want) {
		t.Errorf("category counts = %v, want %v", counts, want)
	}
	for cat, n := range want {
		if counts[cat] != n {
			t.Errorf("category %q: %d codes, want %d (all counts %v)", cat, counts[cat], n, counts)
		}
	}
	for _, tt := range []catPair{{"10292001", "5"}, {"494141000000101", "1"}} {
		if cat, _ := c.Category(tt.code); cat != tt.cat {
			t.Errorf("Category(%q) = %q, want %q", tt.code, cat, tt.cat)
		}
	}
	if err := c.Validate(SNOMEDCT); err != nil {
		t.Errorf("Validate(SNOMEDCT) = %v", err)
	}
}
