package spec

import (
	"math"
	"testing"
)

// Chapter float_series_ops: arithmetic, comparison, conversion, division
// and exponentiation of floats (digest 2.5).
func TestFloatSeriesOps(t *testing.T) { runChapter(t, floatSeriesOpsCases) }

func floatSeriesOpsCases(testing.TB) []specCase {
	arith := tables{p: `
          |  f1   |  f2
        --+-------+-------
        1 | 101.3 | 111.5
        2 | 201.4 |
    `}
	cmp := tables{p: `
          |  f1   |  f2
        --+-------+-------
        1 | 101.1 | 201.2
        2 | 201.2 | 201.2
        3 | 301.3 | 201.2
        4 |       | 201.2
    `}
	conv := tables{p: `
          | i1 | f1
        --+----+----
        1 | 1  | 1.0
        2 | 42 | 32.3
        3 | 3  | 5.8
        4 | -4 | -6.7
        5 |    | -6.2
        6 |    |
    `}
	div := tables{p: `
          |  f1   |   f2
        --+-------+--------
        1 | 101.3 |  111.5
        2 |  -1.3 |  111.5
        3 | -10.3 |    1.5
        4 | -10.3 |   -1.5
        5 |       |   -1.5
        6 | -10.3 |    0.0
    `}
	power := tables{p: `
          |  f1   |  f2
        --+-------+--------
        1 |   2.5 |  111.5
        2 | 120.4 |   -2.5
        3 |-101.3 |   10.3
        4 | -10.3 |   -1.5
        5 | -10.3 |
        6 |       |  -10.3
        7 |   0.0 |  -20.3
        8 | -20.3 |    0.0
    `}
	f1, f2 := col(p, "f1"), col(p, "f2")
	return []specCase{
		// float_series_ops/test_arithmetic_ops.py
		{name: "test_negate", data: arith, series: neg(f2), want: map[int64]any{1: -111.5, 2: nil}},
		{name: "test_absolute", data: arith, series: absolute(sub(f1, 200.0)), want: map[int64]any{1: 98.7, 2: 1.4}},
		{name: "test_add", data: arith, series: add(f1, f2), want: map[int64]any{1: 101.3 + 111.5, 2: nil}},
		{name: "test_subtract_with_positive_result", data: arith, series: sub(f2, f1), want: map[int64]any{1: 111.5 - 101.3, 2: nil}},
		{name: "test_subtract_with_negative_result", data: arith, series: sub(f1, f2), want: map[int64]any{1: 101.3 - 111.5, 2: nil}},
		{name: "test_multiply", data: arith, series: mul(f1, f2), want: map[int64]any{1: 101.3 * 111.5, 2: nil}},
		{
			// 10.0 * f2 builds Multiply(f2, Value(10.0)).
			name: "test_multiply_with_constant", data: arith, series: mul(f2, 10.0),
			want: map[int64]any{1: 10.0 * 111.5, 2: nil},
		},
		// float_series_ops/test_comparison_ops.py
		{name: "test_less_than", data: cmp, series: lt(f1, f2), want: map[int64]any{1: true, 2: false, 3: false, 4: nil}},
		{name: "test_less_than_or_equal_to", data: cmp, series: le(f1, f2), want: map[int64]any{1: true, 2: true, 3: false, 4: nil}},
		{name: "test_greater_than", data: cmp, series: gt(f1, f2), want: map[int64]any{1: false, 2: false, 3: true, 4: nil}},
		{name: "test_greater_than_or_equal_to", data: cmp, series: ge(f1, f2), want: map[int64]any{1: false, 2: true, 3: true, 4: nil}},
		// float_series_ops/test_conversion.py
		{
			// Floats are truncated toward zero.
			name: "test_float_as_int", data: conv, series: asInt(f1),
			want: map[int64]any{1: 1, 2: 32, 3: 5, 4: -6, 5: -6, 6: nil},
		},
		{
			name: "test_float_as_float", data: conv, series: asFloat(f1),
			want: map[int64]any{1: 1.0, 2: 32.3, 3: 5.8, 4: -6.7, 5: -6.2, 6: nil},
		},
		{
			name: "test_add_float_to_int", data: conv, series: add(f1, asFloat(col(p, "i1"))),
			want: map[int64]any{1: 2.0, 2: 74.3, 3: 8.8, 4: -10.7, 5: nil, 6: nil},
		},
		// float_series_ops/test_division_ops.py
		{
			name: "test_truedivide", data: div, series: truediv(f1, f2),
			want: map[int64]any{1: 101.3 / 111.5, 2: -1.3 / 111.5, 3: -10.3 / 1.5, 4: -10.3 / -1.5, 5: nil, 6: nil},
		},
		{
			name: "test_truedivide_by_constant", data: div, series: truediv(f1, 10.0),
			want: map[int64]any{1: 101.3 / 10.0, 2: -1.3 / 10.0, 3: -10.3 / 10.0, 4: -10.3 / 10.0, 5: nil, 6: -10.3 / 10.0},
		},
		{
			name: "test_truedivide_constant_by_series", data: div, series: truediv(10.0, f1),
			want: map[int64]any{1: 10.0 / 101.3, 2: 10.0 / -1.3, 3: 10.0 / -10.3, 4: 10.0 / -10.3, 5: nil, 6: 10.0 / -10.3},
		},
		{
			// // floors toward minus infinity and gives an int.
			name: "test_floordivide", data: div, series: floordiv(f1, f2),
			want: map[int64]any{1: 0, 2: -1, 3: -7, 4: 6, 5: nil, 6: nil},
		},
		{
			name: "test_floordivide_by_constant", data: div, series: floordiv(f1, 10.0),
			want: map[int64]any{1: 10, 2: -1, 3: -2, 4: -2, 5: nil, 6: -2},
		},
		{
			name: "test_floordivide_constant_by_series", data: div, series: floordiv(10.0, f1),
			want: map[int64]any{1: 0, 2: -8, 3: -1, 4: -1, 5: nil, 6: -1},
		},
		// float_series_ops/test_exponentiation_ops.py
		{
			// Complex results (negative base, fractional exponent) and
			// 0 ** negative are NULL.
			name: "test_pow", data: power, series: pow(f1, f2),
			want: map[int64]any{
				1: math.Pow(2.5, 111.5), 2: math.Pow(120.4, -2.5), 3: nil, 4: nil,
				5: nil, 6: nil, 7: nil, 8: 1.0,
			},
		},
		{
			name: "test_series_to_pow_constant", data: power, series: pow(f1, 10.0),
			want: map[int64]any{
				1: math.Pow(2.5, 10), 2: math.Pow(120.4, 10), 3: math.Pow(-101.3, 10), 4: math.Pow(-10.3, 10),
				5: math.Pow(-10.3, 10), 6: nil, 7: 0.0, 8: math.Pow(-20.3, 10),
			},
		},
		{
			name: "test_constant_to_pow_series", data: power, series: pow(10.0, f1),
			want: map[int64]any{
				1: math.Pow(10, 2.5), 2: math.Pow(10, 120.4), 3: math.Pow(10, -101.3), 4: math.Pow(10, -10.3),
				5: math.Pow(10, -10.3), 6: nil, 7: 1.0, 8: math.Pow(10, -20.3),
			},
		},
		// Digest 2.5: more truncation, floor division by a negative
		// constant, and a constant 0.0 divisor.
		{
			name: "extra_float_as_int_small_values",
			data: tables{p: `
                  |  f1
                --+------
                1 |  0.5
                2 | -0.5
                3 | -0.0
                4 | 1e10
            `},
			series: asInt(f1),
			want:   map[int64]any{1: 0, 2: 0, 3: 0, 4: 10000000000},
		},
		{
			name: "extra_floordivide_by_negative_constant", data: div, series: floordiv(f1, -1.5),
			want: map[int64]any{1: -68, 2: 0, 3: 6, 4: 6, 5: nil, 6: 6},
		},
		{
			name: "extra_divide_by_constant_zero", data: div, series: truediv(f1, 0.0),
			want: map[int64]any{1: nil, 2: nil, 3: nil, 4: nil, 5: nil, 6: nil},
		},
		{
			name: "extra_when_null_then_int_literal_is_cast", data: arith, series: whenNullThen(f2, 0),
			want: map[int64]any{1: 111.5, 2: 0.0},
		},
	}
}
