package spec

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/query"
)

// Chapter code_series_ops: containment and categorisation of codes. (ehrQL's
// spec uses made-up codes such as "abc"; here codes are valid SNOMED-CT
// codes because the Go model validates code literals, as ehrQL's language
// does.)
func TestCodeSeriesOps(t *testing.T) { runChapter(t, codeSeriesOpsCases) }

func codeSeriesOpsCases(t testing.TB) []specCase {
	data := tables{p: `
          |   c1
        --+--------
        1 | 123000
        2 | 456000
        3 | 789000
        4 |
    `}
	c1 := pc1()

	// codelist_from_csv: codes come through the codelist loader.
	dir := t.TempDir()
	path := filepath.Join(dir, "codelist.csv")
	if err := os.WriteFile(path, []byte("code,my_categorisation\n123000,cat1\n 789000 ,cat2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	plain, err := codelists.Load(path, "code")
	if err != nil {
		t.Fatal(err)
	}
	categorised, err := codelists.LoadCategorised(path, "code", "my_categorisation")
	if err != nil {
		t.Fatal(err)
	}
	// map_values over the categorised codelist, with a default.
	var mappings []query.Mapping[strP]
	for _, c := range categorised.Codes() {
		cat, _ := categorised.Category(c)
		mappings = append(mappings, query.Map(c, query.Str(cat)))
	}

	return []specCase{
		// code_series_ops/test_containment.py
		{
			name:   "test_is_in",
			data:   data,
			series: c1.IsIn(codelists.New("123000", "789000")),
			want:   map[int64]any{1: true, 2: false, 3: true, 4: nil},
		},
		{
			name:   "test_is_not_in",
			data:   data,
			series: c1.IsNotIn(codelists.New("123000", "789000")),
			want:   map[int64]any{1: false, 2: true, 3: false, 4: nil},
		},
		{
			name:   "test_is_in_codelist_csv",
			data:   data,
			series: c1.IsIn(plain),
			want:   map[int64]any{1: true, 2: false, 3: true, 4: nil},
		},
		// code_series_ops/test_map_codes_to_categories.py
		{
			name:   "test_map_codes_to_categories",
			data:   data,
			series: c1.ToCategory(categorised),
			want:   map[int64]any{1: "cat1", 2: nil, 3: "cat2", 4: nil},
		},
		// Digest 2.11: == with a string literal cast to a code.
		{
			name:   "extra_code_equals_string",
			data:   data,
			series: c1.Eq(query.Code(codelists.SNOMEDCT, "456000")),
			want:   map[int64]any{1: false, 2: true, 3: false, 4: nil},
		},
		{
			name:   "extra_map_codes_to_categories_with_default",
			data:   data,
			series: query.MapValues(c1, mappings, query.Str("other")),
			want:   map[int64]any{1: "cat1", 2: "other", 3: "cat2", 4: "other"},
		},
	}
}
