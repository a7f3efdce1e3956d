package synthcodes

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/ehrql-go/ehrql/codelists"
)

func TestCodelists(t *testing.T) {
	seen := map[string]string{}
	check := func(system codelists.System, lists []Codelist, wantLists int) {
		if len(lists) != wantLists {
			t.Errorf("%s: %d lists, want %d", system, len(lists), wantLists)
		}
		for _, c := range lists {
			if !sort.StringsAreSorted(c.Codes) {
				t.Errorf("%s: codes not in string order", c.Name)
			}
			for _, code := range c.Codes {
				if err := system.Validate(code); err != nil {
					t.Errorf("%s: %v", c.Name, err)
				}
				if other, ok := seen[code]; ok {
					t.Errorf("code %s in %s and %s", code, other, c.Name)
				}
				seen[code] = c.Name
			}
		}
	}
	check(codelists.SNOMEDCT, Conditions(), 16)
	check(codelists.DMD, Medicines(), 6)
	check(codelists.DMD, []Codelist{{Name: "other", Codes: OtherMedicines()}}, 1)
	if got := Conditions()[0].Codes[:2]; got[0] != "7010000008" || got[1] != "7010001008" {
		t.Errorf("asthma codes start %q", got)
	}
	if c, err := Lookup("learning_disability"); err != nil || len(c.Codes) != 2060 {
		t.Errorf("Lookup(learning_disability) = %d codes, %v", len(c.Codes), err)
	}
	if _, err := Lookup("nope"); err == nil || err.Error() != `no synthetic codelist "nope"` {
		t.Errorf("Lookup(nope) = %v", err)
	}
}

// TestBenchCodelists: the wide benchmark definition's codelist files are
// these lists (regenerate with go run ./bench/cmd/widecodelists).
func TestBenchCodelists(t *testing.T) {
	dir := filepath.Join("..", "..", "bench", "wide", "codelists")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	lists := append(Conditions(), Medicines()...)
	if len(entries) != len(lists) {
		t.Errorf("%s holds %d files, want %d", dir, len(entries), len(lists))
	}
	for _, c := range lists {
		got, err := os.ReadFile(filepath.Join(dir, c.Name+".csv"))
		if err != nil {
			t.Error(err)
			continue
		}
		if string(got) != c.CSV() {
			t.Errorf("%s.csv differs from the synthetic codelist", c.Name)
		}
	}
}
