package output

import (
	"math"
	"testing"
)

func TestPyFloat(t *testing.T) {
	// Expected values are Python 3's repr() of the same floats.
	tests := []struct {
		in   float64
		want string
	}{
		{0.0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{1.0, "1.0"},
		{-2.5, "-2.5"},
		{0.75, "0.75"},
		{1.0 / 3, "0.3333333333333333"},
		{2.0 / 3, "0.6666666666666666"},
		{add(0.1, 0.2), "0.30000000000000004"}, // not constant-folded
		{1e-05, "1e-05"},
		{0.00001, "1e-05"},
		{0.0001, "0.0001"},
		{0.001234, "0.001234"},
		{3e-05, "3e-05"},
		{1.2345e-05, "1.2345e-05"},
		{1e-07, "1e-07"},
		{1e16, "1e+16"},
		{1e15, "1000000000000000.0"},
		{123456789012345.0, "123456789012345.0"},
		{1234567890123456.0, "1234567890123456.0"},
		{9999999999999998.0, "9999999999999998.0"},
		{12345678901234567.0, "1.2345678901234568e+16"},
		{1e22, "1e+22"},
		{1e100, "1e+100"},
		{1.5e300, "1.5e+300"},
		{-1e-300, "-1e-300"},
		{5e-324, "5e-324"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{2.2250738585072014e-308, "2.2250738585072014e-308"},
		{100.0, "100.0"},
		{12.0, "12.0"},
		{0.5, "0.5"},
		{123.456, "123.456"},
		{-123456.789, "-123456.789"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
		{math.NaN(), "nan"},
	}
	for _, tt := range tests {
		if got := pyFloat(tt.in); got != tt.want {
			t.Errorf("pyFloat(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPyRepr(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"a", `'a'`},
		{"", `''`},
		{"it's", `"it's"`},
		{`a"b`, `'a"b'`},
		{`both'"`, `'both\'"'`},
		{`back\slash`, `'back\\slash'`},
		{"tab\tnl\n\x01\x7f\u00e9\u200b", `'tab\tnl\n\x01\x7fé\u200b'`},
		{"\r", `'\r'`},
		{"\xff", `'\xff'`},
	}
	for _, tt := range tests {
		if got := pyRepr(tt.in); got != tt.want {
			t.Errorf("pyRepr(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// add stops the compiler from folding 0.1+0.2 into the exact constant 0.3.
func add(a, b float64) float64 { return a + b }
