package spec

import (
	"math"
	"testing"

	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/query/model"
)

// Chapter int_series_ops: arithmetic, comparison, conversion, division and
// exponentiation of ints (digest 2.5).
func TestIntSeriesOps(t *testing.T) { runChapter(t, intSeriesOpsCases) }

func intSeriesOpsCases(testing.TB) []specCase {
	overflow := tables{p: `
          |                  i1 |                   i2
        --+---------------------+---------------------
        1 |                   1 |                    2
        2 | 9223372036854775807 |                    1
        3 |                     |                    1
        4 | 9223372036854775807 |                   -2
    `}
	arith := tables{p: `
          |  i1 |  i2
        --+-----+-----
        1 | 101 | 111
        2 | 201 |
    `}
	cmp := tables{p: `
          |  i1 |  i2
        --+-----+-----
        1 | 101 | 201
        2 | 201 | 201
        3 | 301 | 201
        4 |     | 201
    `}
	conv := tables{p: `
          |   i1
        --+--------
        1 | 1
        2 | 32
        3 | 5
        4 |
    `}
	div := tables{p: `
          |  i1 |  i2
        --+-----+------
        1 | 101 | 111
        2 |  -1 |   2
        3 |  -4 |   3
        4 |     | 201
        5 |   5 |   0
        6 |  10 |  -4
    `}
	// ehrQL's int exponentiation spec uses the float columns holding
	// integral values.
	power := tables{p: `
          |  f1   |  f2
        --+-------+--------
        1 |   2   |  111
        2 | 120   |   -2
        3 |-101   |   10
        4 | -10   |   -1
        5 | -10   |
        6 |       |  -10
        7 |   0   |  -20
        8 | -20   |    0
    `}
	i1, i2 := pi1(), pi2()
	f1, f2 := pf1(), pf2()
	return []specCase{
		// int_series_ops/test_arithmetic_ops.py
		{name: "test_negate", data: arith, series: i2.Neg(), want: map[int64]any{1: -111, 2: nil}},
		{name: "test_absolute", data: arith, series: i1.Sub(query.Int(200)).Abs(), want: map[int64]any{1: 99, 2: 1}},
		{name: "test_add", data: arith, series: i1.Add(i2), want: map[int64]any{1: 101 + 111, 2: nil}},
		{name: "test_subtract", data: arith, series: i1.Sub(i2), want: map[int64]any{1: 101 - 111, 2: nil}},
		{name: "test_multiply", data: arith, series: i1.Mul(i2), want: map[int64]any{1: 101 * 111, 2: nil}},
		{name: "test_multiply_with_constant", data: arith, series: i2.Mul(query.Int(10)), want: map[int64]any{1: 10 * 111, 2: nil}},
		// int_series_ops/test_comparison_ops.py
		{name: "test_lt", data: cmp, series: i1.Lt(i2), want: map[int64]any{1: true, 2: false, 3: false, 4: nil}},
		{name: "test_le", data: cmp, series: i1.Le(i2), want: map[int64]any{1: true, 2: true, 3: false, 4: nil}},
		{name: "test_gt", data: cmp, series: i1.Gt(i2), want: map[int64]any{1: false, 2: false, 3: true, 4: nil}},
		{name: "test_ge", data: cmp, series: i1.Ge(i2), want: map[int64]any{1: false, 2: true, 3: true, 4: nil}},
		// int_series_ops/test_conversion.py
		{name: "test_integer_as_float", data: conv, series: i1.AsFloat(), want: map[int64]any{1: 1.0, 2: 32.0, 3: 5.0, 4: nil}},
		{name: "test_integer_as_int", data: conv, series: i1.AsInt(), want: map[int64]any{1: 1, 2: 32, 3: 5, 4: nil}},
		{
			name: "test_add_int_to_float_as_int",
			data: tables{p: `
                  | i1 |  f1
                --+----+------
                1 |  1 | 12.4
                2 |  2 | -3.2
                3 |  3 |
                4 |    |  1.0
            `},
			series: i1.Add(f1.AsInt()),
			want:   map[int64]any{1: 13, 2: -1, 3: nil, 4: nil},
		},
		// int_series_ops/test_division_ops.py
		{
			name: "test_truedivide", data: div, series: i1.Div(i2),
			want: map[int64]any{1: 101.0 / 111, 2: -0.5, 3: -4.0 / 3, 4: nil, 5: nil, 6: -2.5},
		},
		{
			name: "test_truedivide_by_constant", data: div, series: i1.Div(query.Int(10)),
			want: map[int64]any{1: 10.1, 2: -0.1, 3: -0.4, 4: nil, 5: 0.5, 6: 1.0},
		},
		{
			name: "test_truedivide_constant_by_series", data: div, series: query.Int(10).Div(i1),
			want: map[int64]any{1: 10.0 / 101, 2: -10.0, 3: -2.5, 4: nil, 5: 2.0, 6: 1.0},
		},
		{
			name: "test_floordivide", data: div, series: i1.FloorDiv(i2),
			want: map[int64]any{1: 0, 2: -1, 3: -2, 4: nil, 5: nil, 6: -3},
		},
		{
			name: "test_floordivide_by_constant", data: div, series: i1.FloorDiv(query.Int(10)),
			want: map[int64]any{1: 10, 2: -1, 3: -1, 4: nil, 5: 0, 6: 1},
		},
		{
			name: "test_floordivide_constant_by_series", data: div, series: query.Int(10).FloorDiv(i1),
			want: map[int64]any{1: 0, 2: -10, 3: -3, 4: nil, 5: 2, 6: 1},
		},
		// int_series_ops/test_exponentiation_ops.py
		{
			name: "test_pow", data: power, series: f1.Pow(f2),
			want: map[int64]any{
				1: math.Pow(2, 111), 2: math.Pow(120, -2), 3: math.Pow(-101, 10), 4: -0.1,
				5: nil, 6: nil, 7: nil, 8: 1.0,
			},
		},
		{
			name: "test_series_to_pow_constant", data: power, series: f1.Pow(query.Float(10)),
			want: map[int64]any{
				1: 1024.0, 2: math.Pow(120, 10), 3: math.Pow(101, 10), 4: 1e10,
				5: 1e10, 6: nil, 7: 0.0, 8: math.Pow(20, 10),
			},
		},
		{
			name: "test_constant_to_pow_series", data: power, series: query.Float(10).Pow(f1),
			want: map[int64]any{
				1: 100.0, 2: 1e120, 3: 1e-101, 4: 1e-10,
				5: 1e-10, 6: nil, 7: 1.0, 8: 1e-20,
			},
		},
		// Digest 2.5: int ** int is float; "10 - x" is Add(Negate(x), 10);
		// a zero divisor constant gives NULL.
		{
			name: "extra_int_pow_int_is_float",
			data: tables{p: `
                  | i1 | i2
                --+----+----
                1 |  7 |  2
                2 |  2 | -1
                3 |  0 | -1
                4 | -8 |  3
                5 |  0 |  0
            `},
			series: i1.Pow(i2),
			want:   map[int64]any{1: 49.0, 2: 0.5, 3: nil, 4: -512.0, 5: 1.0},
		},
		{name: "extra_constant_minus_series", data: arith, series: query.Int(10).Sub(i1), want: map[int64]any{1: -91, 2: -191}},
		{name: "extra_floordivide_by_constant_zero", data: div, series: i1.FloorDiv(query.Int(0)), want: map[int64]any{1: nil, 2: nil, 3: nil, 4: nil, 5: nil, 6: nil}},
		{name: "extra_truedivide_constant_by_zero_series", data: div, series: query.Int(10).Div(i2), want: map[int64]any{1: 10.0 / 111, 2: 5.0, 3: 10.0 / 3, 4: 10.0 / 201, 5: nil, 6: -2.5}},
		// An int result beyond 64 bits fails (ehrQL's databases raise
		// their own overflow errors; digest 2.5).
		{name: "extra_add_overflow_fails", data: overflow, series: i1.Add(i2), wantError: model.ErrOverflow},
		{name: "extra_subtract_overflow_fails", data: overflow, series: i2.Sub(i1), wantError: model.ErrOverflow},
		{name: "extra_multiply_overflow_fails", data: overflow, series: i1.Mul(query.Int(2)), wantError: model.ErrOverflow},
	}
}
