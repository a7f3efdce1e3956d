package spec

import (
	"testing"

	"github.com/ehrql-go/ehrql/codelists"
)

// Chapter multi_code_string_series_ops: contains is a plain, case-sensitive
// substring test over the whole string (digest 1.3).
func TestMultiCodeStringSeriesOps(t *testing.T) { runChapter(t, multiCodeStringSeriesOpsCases) }

func multiCodeStringSeriesOpsCases(testing.TB) []specCase {
	data := tables{p: `
          |   m1                             | m2
        --+----------------------------------+-----------------
        1 | ||E119 ,J849 ,M069 ||I801 ,I802  | ||W191 ,Y032
        2 | ||T202 ,A429 ||A429 ,A420, J170  |
        3 | ||M139 ,E220 ,M145, M060         | ||W19 ||X011
        4 |                                  | ||Y03
    `}
	m1, m2 := pm1(), pm2()
	return []specCase{
		// multi_code_string_series_ops/test_containment.py
		{
			name:   "test_contains_code_prefix",
			data:   data,
			series: m1.Contains("M06"),
			want:   map[int64]any{1: true, 2: false, 3: true, 4: nil},
		},
		{
			name:   "test_contains_code",
			data:   data,
			series: m1.Contains("M069"),
			want:   map[int64]any{1: true, 2: false, 3: false, 4: nil},
		},
		{
			name:   "test_contains_any_of_codelist",
			data:   data,
			series: m1.ContainsAnyOf(codelists.New("M069", "A429")),
			want:   map[int64]any{1: true, 2: true, 3: false, 4: nil},
		},
		// OPCS-4 strings, and null tests, which do work on multi-code
		// strings.
		{
			name:   "extra_opcs4_contains_prefix",
			data:   data,
			series: m2.Contains("W19"),
			want:   map[int64]any{1: true, 2: nil, 3: true, 4: false},
		},
		{
			name:   "extra_opcs4_contains_any_of",
			data:   data,
			series: m2.ContainsAnyOf(codelists.New("Y032", "X01")),
			want:   map[int64]any{1: true, 2: nil, 3: true, 4: false},
		},
		{
			name:   "extra_multi_code_is_null",
			data:   data,
			series: m1.IsNull(),
			want:   map[int64]any{1: false, 2: false, 3: false, 4: true},
		},
	}
}
