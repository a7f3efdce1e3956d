package spec

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ehrql-go/ehrql/codelists"
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
	c1 := col(p, "c1")

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
	var members []any
	for _, c := range plain.Codes() {
		members = append(members, c)
	}
	// to_category is map_values over the categorised codelist.
	var pairs []any
	for _, c := range categorised.Codes() {
		cat, _ := categorised.Category(c)
		pairs = append(pairs, c, cat)
	}

	return []specCase{
		// code_series_ops/test_containment.py
		{
			name:   "test_is_in",
			data:   data,
			series: isIn(c1, "123000", "789000"),
			want:   map[int64]any{1: true, 2: false, 3: true, 4: nil},
		},
		{
			name:   "test_is_not_in",
			data:   data,
			series: isNotIn(c1, "123000", "789000"),
			want:   map[int64]any{1: false, 2: true, 3: false, 4: nil},
		},
		{
			name:   "test_is_in_codelist_csv",
			data:   data,
			series: isIn(c1, members...),
			want:   map[int64]any{1: true, 2: false, 3: true, 4: nil},
		},
		// code_series_ops/test_map_codes_to_categories.py
		{
			name:   "test_map_codes_to_categories",
			data:   data,
			series: mapValues(c1, nil, pairs...),
			want:   map[int64]any{1: "cat1", 2: nil, 3: "cat2", 4: nil},
		},
		// Digest 2.11: == with a string literal cast to a code.
		{
			name:   "extra_code_equals_string",
			data:   data,
			series: eq(c1, "456000"),
			want:   map[int64]any{1: false, 2: true, 3: false, 4: nil},
		},
		{
			name:   "extra_map_codes_to_categories_with_default",
			data:   data,
			series: mapValues(c1, "other", pairs...),
			want:   map[int64]any{1: "cat1", 2: "other", 3: "cat2", 4: "other"},
		},
	}
}
