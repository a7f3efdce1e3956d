package spec

import (
	"testing"

	"github.com/ehrql-go/ehrql/query"
)

// Chapter bool_series_ops: Kleene logic (digest 2.3) and as_int.
func TestBoolSeriesOps(t *testing.T) { runChapter(t, boolSeriesOpsCases) }

func boolSeriesOpsCases(testing.TB) []specCase {
	// Every combination of T, NULL and F.
	pairs := tables{p: `
          | b1 | b2
        --+----+----
        1 |  T |  T
        2 |  T |
        3 |  T |  F
        4 |    |  T
        5 |    |
        6 |    |  F
        7 |  F |  T
        8 |  F |
        9 |  F |  F
    `}
	single := tables{p: `
          | b1
        --+----
        1 |  T
        2 |
        3 |  F
    `}
	b1, b2 := pb1(), pb2()
	return []specCase{
		// bool_series_ops/test_logical_ops.py
		{
			name:   "test_not",
			data:   single,
			series: b1.Not(),
			want:   map[int64]any{1: false, 2: nil, 3: true},
		},
		{
			name:   "test_and",
			data:   pairs,
			series: b1.And(b2),
			want: map[int64]any{
				1: true, 2: nil, 3: false,
				4: nil, 5: nil, 6: false,
				7: false, 8: false, 9: false,
			},
		},
		{
			name:   "test_or",
			data:   pairs,
			series: b1.Or(b2),
			want: map[int64]any{
				1: true, 2: true, 3: true,
				4: true, 5: nil, 6: nil,
				7: true, 8: nil, 9: false,
			},
		},
		// bool_series_ops/test_conversion.py
		{
			name:   "test_bool_as_int",
			data:   single,
			series: b1.AsInt(),
			want:   map[int64]any{1: 1, 2: nil, 3: 0},
		},
		// Digest 2.3 (probed): Python bool literals as operands.
		{
			name:   "extra_and_with_true_literal",
			data:   single,
			series: b1.And(query.Bool(true)),
			want:   map[int64]any{1: true, 2: nil, 3: false},
		},
		{
			name:   "extra_and_with_false_literal",
			data:   single,
			series: b1.And(query.Bool(false)),
			want:   map[int64]any{1: false, 2: false, 3: false},
		},
		{
			name:   "extra_or_with_true_literal",
			data:   single,
			series: b1.Or(query.Bool(true)),
			want:   map[int64]any{1: true, 2: true, 3: true},
		},
		{
			name:   "extra_or_with_false_literal",
			data:   single,
			series: b1.Or(query.Bool(false)),
			want:   map[int64]any{1: true, 2: nil, 3: false},
		},
	}
}
