package spec

import (
	"testing"

	"github.com/ehrql-go/ehrql/query"
)

// Chapter str_series_ops: contains is a case-sensitive substring test with
// no wildcards; NULL on either side gives NULL (digest 2.10).
func TestStrSeriesOps(t *testing.T) { runChapter(t, strSeriesOpsCases) }

func strSeriesOpsCases(testing.TB) []specCase {
	s1, s2 := ps1(), ps2()
	return []specCase{
		// str_series_ops/test_contains.py
		{
			name: "test_contains_fixed_value",
			data: tables{p: `
                  |   s1
                --+--------
                1 | ab
                2 | ab12
                3 | 12ab
                4 | 12ab45
                5 | a b
                6 | AB
                7 |
            `},
			series: s1.Contains(query.Str("ab")),
			want:   map[int64]any{1: true, 2: true, 3: true, 4: true, 5: false, 6: false, 7: nil},
		},
		{
			name: "test_contains_fixed_value_with_special_characters",
			data: tables{p: `
                  |   s1
                --+--------
                1 | a%b_c/d
                2 | axbxc/d
                3 | a%b_c
                4 | %_/
                5 | a%bxc/d
            `},
			series: s1.Contains(query.Str("%b_c/")),
			want:   map[int64]any{1: true, 2: false, 3: false, 4: false, 5: false},
		},
		{
			name: "test_contains_value_from_column",
			data: tables{p: `
                  |   s1   | s2
                --+--------+----
                1 | ab     | ab
                2 | cd12   | cd
                3 | 12ef   | ef
                4 | 12gh45 | gh
                5 | i j    | ij
                6 | KL     | kl
                7 | a_b    | %
                8 | a%b    | %
            `},
			series: s1.Contains(s2),
			want:   map[int64]any{1: true, 2: true, 3: true, 4: true, 5: false, 6: false, 7: false, 8: true},
		},
		{
			name: "test_contains_null",
			data: tables{p: `
                  |   s1   | s2
                --+--------+----
                1 |        | mn
                2 | ab     |
                3 |        |
            `},
			series: s1.Contains(s2),
			want:   map[int64]any{1: nil, 2: nil, 3: nil},
		},
		{
			// "" is contained in every non-NULL string.
			name: "extra_contains_empty_string",
			data: tables{p: `
                  |   s1
                --+--------
                1 | ab
                2 |
            `},
			series: s1.Contains(query.Str("")),
			want:   map[int64]any{1: true, 2: nil},
		},
		{
			// Quotes and commas survive the SQL literal and the CSV files.
			name: "extra_contains_quote_and_comma",
			data: tables{p: `
                  |   s1
                --+--------
                1 | it's
                2 | a,b
                3 | its
                4 |
            `},
			series: s1.Contains(query.Str("t's")).Or(s1.Contains(query.Str(",b"))),
			want:   map[int64]any{1: true, 2: true, 3: false, 4: nil},
		},
		{
			// Strings order by code point: "Z" < "z" < "é".
			name: "extra_string_ordering_is_by_code_point",
			data: tables{p: `
                  | s1 | s2
                --+----+----
                1 | Z  | z
                2 | é  | z
                3 | B  | a
            `},
			series: s1.Lt(s2),
			want:   map[int64]any{1: true, 2: false, 3: true},
		},
		{
			// A backslash is an ordinary character, in data and literal.
			name: "extra_contains_backslash",
			data: tables{p: `
                  |   s1
                --+--------
                1 | a\b
                2 | ab
            `},
			series: s1.Contains(query.Str(`a\`)),
			want:   map[int64]any{1: true, 2: false},
		},
	}
}
