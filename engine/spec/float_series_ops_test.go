package spec

import (
	"math"
	"testing"

	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/query/model"
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
	f1, f2 := pf1(), pf2()
	nan := tables{p: `
          |  f1 |  f2
        --+-----+-----
        1 | NaN | NaN
        2 | 1.5 | NaN
        3 |     | 1.5
    `}
	return []specCase{
		// float_series_ops/test_arithmetic_ops.py
		{name: "test_negate", data: arith, series: f2.Neg(), want: map[int64]any{1: -111.5, 2: nil}},
		{name: "test_absolute", data: arith, series: f1.Sub(query.Float(200)).Abs(), want: map[int64]any{1: 98.7, 2: 1.4}},
		{name: "test_add", data: arith, series: f1.Add(f2), want: map[int64]any{1: 101.3 + 111.5, 2: nil}},
		{name: "test_subtract_with_positive_result", data: arith, series: f2.Sub(f1), want: map[int64]any{1: 111.5 - 101.3, 2: nil}},
		{name: "test_subtract_with_negative_result", data: arith, series: f1.Sub(f2), want: map[int64]any{1: 101.3 - 111.5, 2: nil}},
		{name: "test_multiply", data: arith, series: f1.Mul(f2), want: map[int64]any{1: 101.3 * 111.5, 2: nil}},
		{
			// 10.0 * f2.
			name: "test_multiply_with_constant", data: arith, series: query.Float(10).Mul(f2),
			want: map[int64]any{1: 10.0 * 111.5, 2: nil},
		},
		// float_series_ops/test_comparison_ops.py
		{name: "test_less_than", data: cmp, series: f1.Lt(f2), want: map[int64]any{1: true, 2: false, 3: false, 4: nil}},
		{name: "test_less_than_or_equal_to", data: cmp, series: f1.Le(f2), want: map[int64]any{1: true, 2: true, 3: false, 4: nil}},
		{name: "test_greater_than", data: cmp, series: f1.Gt(f2), want: map[int64]any{1: false, 2: false, 3: true, 4: nil}},
		{name: "test_greater_than_or_equal_to", data: cmp, series: f1.Ge(f2), want: map[int64]any{1: false, 2: true, 3: true, 4: nil}},
		// float_series_ops/test_conversion.py
		{
			// Floats are truncated toward zero.
			name: "test_float_as_int", data: conv, series: f1.AsInt(),
			want: map[int64]any{1: 1, 2: 32, 3: 5, 4: -6, 5: -6, 6: nil},
		},
		{
			name: "test_float_as_float", data: conv, series: f1.AsFloat(),
			want: map[int64]any{1: 1.0, 2: 32.3, 3: 5.8, 4: -6.7, 5: -6.2, 6: nil},
		},
		{
			name: "test_add_float_to_int", data: conv, series: f1.Add(pi1().AsFloat()),
			want: map[int64]any{1: 2.0, 2: 74.3, 3: 8.8, 4: -10.7, 5: nil, 6: nil},
		},
		// float_series_ops/test_division_ops.py
		{
			name: "test_truedivide", data: div, series: f1.Div(f2),
			want: map[int64]any{1: 101.3 / 111.5, 2: -1.3 / 111.5, 3: -10.3 / 1.5, 4: -10.3 / -1.5, 5: nil, 6: nil},
		},
		{
			name: "test_truedivide_by_constant", data: div, series: f1.Div(query.Float(10)),
			want: map[int64]any{1: 101.3 / 10.0, 2: -1.3 / 10.0, 3: -10.3 / 10.0, 4: -10.3 / 10.0, 5: nil, 6: -10.3 / 10.0},
		},
		{
			name: "test_truedivide_constant_by_series", data: div, series: query.Float(10).Div(f1),
			want: map[int64]any{1: 10.0 / 101.3, 2: 10.0 / -1.3, 3: 10.0 / -10.3, 4: 10.0 / -10.3, 5: nil, 6: 10.0 / -10.3},
		},
		{
			// // floors toward minus infinity and gives an int.
			name: "test_floordivide", data: div, series: f1.FloorDiv(f2),
			want: map[int64]any{1: 0, 2: -1, 3: -7, 4: 6, 5: nil, 6: nil},
		},
		{
			name: "test_floordivide_by_constant", data: div, series: f1.FloorDiv(query.Float(10)),
			want: map[int64]any{1: 10, 2: -1, 3: -2, 4: -2, 5: nil, 6: -2},
		},
		{
			name: "test_floordivide_constant_by_series", data: div, series: query.Float(10).FloorDiv(f1),
			want: map[int64]any{1: 0, 2: -8, 3: -1, 4: -1, 5: nil, 6: -1},
		},
		// float_series_ops/test_exponentiation_ops.py
		{
			// Complex results (negative base, fractional exponent) and
			// 0 ** negative are NULL.
			name: "test_pow", data: power, series: f1.Pow(f2),
			want: map[int64]any{
				1: math.Pow(2.5, 111.5), 2: math.Pow(120.4, -2.5), 3: nil, 4: nil,
				5: nil, 6: nil, 7: nil, 8: 1.0,
			},
		},
		{
			name: "test_series_to_pow_constant", data: power, series: f1.Pow(query.Float(10)),
			want: map[int64]any{
				1: math.Pow(2.5, 10), 2: math.Pow(120.4, 10), 3: math.Pow(-101.3, 10), 4: math.Pow(-10.3, 10),
				5: math.Pow(-10.3, 10), 6: nil, 7: 0.0, 8: math.Pow(-20.3, 10),
			},
		},
		{
			name: "test_constant_to_pow_series", data: power, series: query.Float(10).Pow(f1),
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
			series: f1.AsInt(),
			want:   map[int64]any{1: 0, 2: 0, 3: 0, 4: 10000000000},
		},
		{
			name: "extra_floordivide_by_negative_constant", data: div, series: f1.FloorDiv(query.Float(-1.5)),
			want: map[int64]any{1: -68, 2: 0, 3: 6, 4: 6, 5: nil, 6: 6},
		},
		{
			name: "extra_divide_by_constant_zero", data: div, series: f1.Div(query.Float(0)),
			want: map[int64]any{1: nil, 2: nil, 3: nil, 4: nil, 5: nil, 6: nil},
		},
		{
			// ehrQL writes -0.0 as -0.0, from a literal or a picked row.
			name: "extra_negative_zero_literal", data: tables{p: `
                  | f1
                --+----
                1 | 1
            `},
			series: query.Float(math.Copysign(0, -1)),
			want:   map[int64]any{1: math.Copysign(0, -1)},
		},
		{
			name: "extra_negative_zero_picked", data: tables{e: `
                  | i1 |  f1
                --+----+------
                1 |  1 | -0.0
                1 |  2 |  0.0
                2 |  1 |  0.0
                2 |  2 | -0.0
            `},
			series: query.Column[floatP](E.SortBy(ei1()).FirstForPatient(), "f1"),
			want:   map[int64]any{1: math.Copysign(0, -1), 2: 0.0},
		},
		{
			name: "extra_negative_zero_patient_column", data: tables{p: `
                  |  f1
                --+------
                1 | -0.0
            `},
			series: f1,
			want:   map[int64]any{1: math.Copysign(0, -1)},
		},
		// A power too large for a float fails, as in ehrQL; an infinite
		// operand is not an overflow.
		{
			name: "extra_power_overflow_fails", data: tables{p: `
                  |  f1
                --+------
                1 | 10.0
                2 |
            `},
			series:    f1.Pow(query.Float(400)),
			wantError: model.ErrOverflow,
		},
		{
			name: "extra_float_as_int_too_large_fails", data: tables{p: `
                  |  f1
                --+------
                1 | 1e19
            `},
			series:    f1.AsInt(),
			wantError: model.ErrOverflow,
		},
		// NaN (from data) compares as Python's floats do: every comparison
		// is false, except != which is true.
		{name: "extra_nan_gt", data: nan, series: f1.Gt(query.Float(140)), want: map[int64]any{1: false, 2: false, 3: nil}},
		{name: "extra_nan_lt", data: nan, series: f1.Lt(query.Float(140)), want: map[int64]any{1: false, 2: true, 3: nil}},
		{name: "extra_nan_ge_self", data: nan, series: f1.Ge(f1), want: map[int64]any{1: false, 2: true, 3: nil}},
		{name: "extra_nan_le_self", data: nan, series: f1.Le(f1), want: map[int64]any{1: false, 2: true, 3: nil}},
		{name: "extra_nan_eq_self", data: nan, series: f1.Eq(f1), want: map[int64]any{1: false, 2: true, 3: nil}},
		{name: "extra_nan_ne_self", data: nan, series: f1.Ne(f1), want: map[int64]any{1: true, 2: false, 3: nil}},
		{name: "extra_nan_is_in", data: nan, series: f1.IsIn(math.NaN(), 1.5), want: map[int64]any{1: false, 2: true, 3: nil}},
		{name: "extra_nan_ne_other", data: nan, series: f1.Ne(f2), want: map[int64]any{1: true, 2: true, 3: nil}},
		{
			name: "extra_when_null_then_int_literal_is_cast", data: arith, series: f2.WhenNullThen(query.Float(0)),
			want: map[int64]any{1: 111.5, 2: 0.0},
		},
	}
}
