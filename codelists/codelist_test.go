package codelists

import (
	"errors"
	"slices"
	"testing"
)

func TestNew(t *testing.T) {
	tests := []struct {
		name  string
		codes []string
		want  []string
	}{
		{"none", nil, []string{}},
		{"plain", []string{"123456", "234567"}, []string{"123456", "234567"}},
		{"stripped", []string{"  123456 ", "\t234567\r\n"}, []string{"123456", "234567"}},
		{"python whitespace", []string{"\u00a0123456\u3000", "\x1c234567\x1f"}, []string{"123456", "234567"}},
		{"empties dropped", []string{"", "123456", "   ", "\t"}, []string{"123456"}},
		{"duplicates keep first position", []string{"b", "a", " b", "c", "a "}, []string{"b", "a", "c"}},
		{"inner space kept", []string{"12 34"}, []string{"12 34"}},
		{"not validated", []string{"not a code"}, []string{"not a code"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(tt.codes...)
			if got := c.Codes(); !slices.Equal(got, tt.want) {
				t.Errorf("Codes() = %q, want %q", got, tt.want)
			}
			if c.Len() != len(tt.want) {
				t.Errorf("Len() = %d, want %d", c.Len(), len(tt.want))
			}
			if c.HasCategories() {
				t.Errorf("HasCategories() = true, want false")
			}
			if c.Source() != "" {
				t.Errorf("Source() = %q, want \"\"", c.Source())
			}
			if c.Err() != nil {
				t.Errorf("Err() = %v, want nil", c.Err())
			}
			for _, code := range tt.want {
				if !c.Contains(code) {
					t.Errorf("Contains(%q) = false, want true", code)
				}
				if cat, ok := c.Category(code); ok || cat != "" {
					t.Errorf("Category(%q) = %q, %v; want \"\", false", code, cat, ok)
				}
			}
		})
	}
}

func TestCodelistZeroValue(t *testing.T) {
	var c Codelist
	if c.Len() != 0 || len(c.Codes()) != 0 || c.HasCategories() || c.Err() != nil || c.Source() != "" || c.Contains("x") {
		t.Fatalf("zero Codelist is not an empty literal codelist: %+v", c)
	}
	if err := c.Validate(SNOMEDCT); err != nil {
		t.Fatalf("zero Codelist Validate = %v, want nil", err)
	}
}

func TestCodesIsACopy(t *testing.T) {
	c := New("123456", "234567")
	got := c.Codes()
	got[0] = "changed"
	if c.Codes()[0] != "123456" {
		t.Fatalf("modifying Codes() result changed the codelist: %q", c.Codes())
	}
}

func TestContainsIsExact(t *testing.T) {
	c := New(" 123456 ")
	if !c.Contains("123456") {
		t.Errorf("Contains(%q) = false, want true", "123456")
	}
	if c.Contains(" 123456 ") {
		t.Errorf("Contains(%q) = true, want false (codes are compared exactly)", " 123456 ")
	}
}

func TestNewCategorised(t *testing.T) {
	c, err := NewCategorised(
		[]string{" a", "b", "", "a", "c", "b ", "d"},
		[]string{"1 ", "2", "x", "3", " ", "4", "5"},
	)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Codes(), []string{"a", "b", "c", "d"}; !slices.Equal(got, want) {
		t.Errorf("Codes() = %q, want %q", got, want)
	}
	if !c.HasCategories() {
		t.Errorf("HasCategories() = false, want true")
	}
	wantCats := []struct {
		code, cat string
		ok        bool
	}{
		{"a", "3", true}, // last category wins
		{"b", "4", true},
		{"c", "", true}, // empty category after stripping
		{"d", "5", true},
		{"e", "", false},
		{"", "", false}, // the empty code was dropped
	}
	for _, w := range wantCats {
		if cat, ok := c.Category(w.code); cat != w.cat || ok != w.ok {
			t.Errorf("Category(%q) = %q, %v; want %q, %v", w.code, cat, ok, w.cat, w.ok)
		}
	}

	empty, err := NewCategorised(nil, nil)
	if err != nil || empty.Len() != 0 || !empty.HasCategories() {
		t.Errorf("NewCategorised(nil, nil) = %+v, %v; want empty categorised codelist", empty, err)
	}
}

func TestNewCategorisedLengthMismatch(t *testing.T) {
	_, err := NewCategorised([]string{"a", "b", "c"}, []string{"1", "2"})
	want := "codelist: 3 codes but 2 categories; each code needs exactly one category"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
}

func TestCodelistValidate(t *testing.T) {
	tests := []struct {
		name   string
		c      Codelist
		system System
		want   string // "" for no error
	}{
		{"all valid", New("22298006", "123456"), SNOMEDCT, ""},
		{"empty", New(), ICD10, ""},
		{"one bad", New("22298006", "abc"), SNOMEDCT, "codelist: Invalid SNOMEDCTCode: abc"},
		{"two bad", New("a01", "A01", "b02"), ICD10, "codelist: Invalid ICD10Code: a01 (and 1 more invalid: b02)"},
		{
			"many bad",
			New("1", "2", "3", "4", "5", "6", "7", "8", "123456"),
			SNOMEDCT,
			"codelist: Invalid SNOMEDCTCode: 1 (and 7 more invalid: 2, 3, 4, 5, 6, ...)",
		},
		{
			"exactly five more",
			New("1", "2", "3", "4", "5", "6"),
			DMD,
			"codelist: Invalid DMDCode: 1 (and 5 more invalid: 2, 3, 4, 5, 6)",
		},
		{"wrong system", New("22298006"), CTV3, "codelist: Invalid CTV3Code: 22298006"},
		{"unknown system", New("22298006"), System("Bogus"), `codelist: cannot validate against unknown code system "Bogus"`},
		{"sourced", Codelist{codes: []string{"abc"}, source: "codelists/x.csv"}, SNOMEDCT, "codelist codelists/x.csv: Invalid SNOMEDCTCode: abc"},
		{"carries error", Codelist{source: "x.csv", err: errors.New("No CSV file at x.csv")}, SNOMEDCT, "No CSV file at x.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.c.Validate(tt.system)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate(%s) = %v, want nil", tt.system, err)
				}
				return
			}
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Validate(%s) = %v, want %q", tt.system, err, tt.want)
			}
		})
	}

	var ice *InvalidCodeError
	err := New("A01", "a01").Validate(ICD10)
	if !errors.As(err, &ice) || ice.Code != "a01" || ice.System != ICD10 {
		t.Errorf("Validate error %v does not wrap *InvalidCodeError for a01", err)
	}
}

func TestUnion(t *testing.T) {
	a, b := New("1", "2"), New(" 2 ", "3")
	if got := Union(a, b).Codes(); !slices.Equal(got, []string{"1", "2", "3"}) {
		t.Errorf("Union codes = %q", got)
	}
	if Union(a, b).HasCategories() {
		t.Error("a union of plain lists has categories")
	}
	x, _ := NewCategorised([]string{"1", "2"}, []string{"a", "b"})
	y, _ := NewCategorised([]string{"2", "3"}, []string{"B", "c"})
	u := Union(x, y)
	if got := u.Codes(); !slices.Equal(got, []string{"1", "2", "3"}) {
		t.Errorf("categorised union codes = %q", got)
	}
	for code, want := range map[string]string{"1": "a", "2": "B", "3": "c"} {
		if got, _ := u.Category(code); got != want {
			t.Errorf("category of %s = %q, want %q (the last given wins)", code, got, want)
		}
	}
	if err := Union(x, a).Err(); err == nil || err.Error() != "codelist union: list 2 is not categorised but list 1 is categorised: combine categorised codelists only with categorised ones" {
		t.Errorf("mixed union: %v", err)
	}
	failed := FromCSV("no/such/file.csv", "code")
	if err := Union(a, failed).Err(); err == nil || !errors.Is(err, failed.Err()) {
		t.Errorf("union with a failed list: %v", err)
	}
	if got := Union().Len(); got != 0 {
		t.Errorf("empty union has %d codes", got)
	}
}
