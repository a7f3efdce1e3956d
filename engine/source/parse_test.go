package source

import (
	"math"
	"testing"
)

func TestParseInt(t *testing.T) {
	tests := []struct {
		in       string
		want     int64
		ok       bool
		rangeErr bool
	}{
		{"0", 0, true, false},
		{"42", 42, true, false},
		{"-42", -42, true, false},
		{"+42", 42, true, false},
		{"007", 7, true, false},
		{" 12\t", 12, true, false},
		{"1_000_000", 1000000, true, false},
		{"-1_0", -10, true, false},
		{"9223372036854775807", math.MaxInt64, true, false},
		{"-9223372036854775808", math.MinInt64, true, false},
		{"9223372036854775808", 0, false, true},
		{"9_223_372_036_854_775_808", 0, false, true},
		{"", 0, false, false},
		{" ", 0, false, false},
		{"+", 0, false, false},
		{"1__0", 0, false, false},
		{"_1", 0, false, false},
		{"1_", 0, false, false},
		{"+_1", 0, false, false},
		{"1.0", 0, false, false},
		{"1e3", 0, false, false},
		{"0x10", 0, false, false},
		{"1 2", 0, false, false},
		{"--1", 0, false, false},
	}
	for _, tt := range tests {
		got, ok, rangeErr := parseInt(tt.in)
		if got != tt.want || ok != tt.ok || rangeErr != tt.rangeErr {
			t.Errorf("parseInt(%q) = %d, %v, %v; want %d, %v, %v", tt.in, got, ok, rangeErr, tt.want, tt.ok, tt.rangeErr)
		}
	}
}

func TestParseFloat(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1.5", 1.5, true},
		{"-0.25", -0.25, true},
		{"+3", 3, true},
		{"1e3", 1000, true},
		{"1E-2", 0.01, true},
		{"1.", 1, true},
		{".5", 0.5, true},
		{" 2.5 ", 2.5, true},
		{"1_000.000_1", 1000.0001, true},
		{"1e1_0", 1e10, true},
		{"inf", math.Inf(1), true},
		{"-Infinity", math.Inf(-1), true},
		{"+INF", math.Inf(1), true},
		{"1e400", math.Inf(1), true},
		{"1e-400", 0, true},
		{"", 0, false},
		{".", 0, false},
		{"e3", 0, false},
		{"1e", 0, false},
		{"1_e3", 0, false},
		{"1._5", 0, false},
		{"0x10", 0, false},
		{"0x1p3", 0, false},
		{"infinit", 0, false},
		{"1,5", 0, false},
		{"++1", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseFloat(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseFloat(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	for _, s := range []string{"nan", "NaN", "-nan", " +NAN "} {
		if got, ok := parseFloat(s); !ok || !math.IsNaN(got) {
			t.Errorf("parseFloat(%q) = %v, %v; want NaN", s, got, ok)
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" for invalid
	}{
		{"2020-01-31", "2020-01-31"},
		{"2020-02-29", "2020-02-29"},
		{"2000-02-29", "2000-02-29"},
		{"0001-01-01", "0001-01-01"},
		{"9999-12-31", "9999-12-31"},
		{"20200131", "2020-01-31"},
		{"2020-W01-1", "2019-12-30"},
		{"2020W011", "2019-12-30"},
		{"2020-W01", "2019-12-30"},
		{"2020W01", "2019-12-30"},
		{"2020-W53-7", "2021-01-03"},
		{"2015-W53-1", "2015-12-28"},
		{"2021-W52-7", "2022-01-02"},
		{"1900-02-29", ""},
		{"2021-02-29", ""},
		{"2020-13-01", ""},
		{"2020-00-10", ""},
		{"2020-01-00", ""},
		{"2020-04-31", ""},
		{"0000-01-01", ""},
		{"2020-1-1", ""},
		{"2020/01/01", ""},
		{"2020-0101", ""},
		{"202001-01", ""},
		{" 2020-01-01", ""},
		{"2020-01-01 ", ""},
		{"2020-01-01T00:00", ""},
		{"2021-W53-1", ""},
		{"2020-W00-1", ""},
		{"2020-W01-0", ""},
		{"2020-W01-8", ""},
		{"2020W01-1", ""},
		{"2020-W011", ""},
		{"2020-W1", ""},
		{"２０２０-01-01", ""},
		{"", ""},
		{"yesterday", ""},
	}
	for _, tt := range tests {
		d, ok := parseDate(tt.in)
		got := ""
		if ok {
			got = d.Format("2006-01-02")
			if d.Location().String() != "UTC" || d.Hour() != 0 {
				t.Errorf("parseDate(%q) = %v, want midnight UTC", tt.in, d)
			}
		}
		if got != tt.want {
			t.Errorf("parseDate(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPyRepr(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc", `'abc'`},
		{"", `''`},
		{"it's", `"it's"`},
		{`say "hi"`, `'say "hi"'`},
		{`both ' and "`, `'both \' and "'`},
		{`back\slash`, `'back\\slash'`},
		{"tab\there\n", `'tab\there\n'`},
		{"\x00\x7f", `'\x00\x7f'`},
		{"café ✓", `'café ✓'`},
		{"\u00a0", `'\xa0'`},
		{"\u200b", `'\u200b'`},
		{"\xff", `'\xff'`},
	}
	for _, tt := range tests {
		if got := pyRepr(tt.in); got != tt.want {
			t.Errorf("pyRepr(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestCellErrorFormat(t *testing.T) {
	tests := []struct {
		e    CellError
		want string
	}{
		{CellError{File: "dummy_tables/patients.csv", Line: 3, Column: "date_of_birth", Msg: "invalid date '2020-13-01'"},
			"dummy_tables/patients.csv, line 3, column 'date_of_birth': invalid date '2020-13-01'"},
		{CellError{File: "d/p.csv", Line: 3, Msg: "expected 3 columns but got 2"}, "d/p.csv, line 3: expected 3 columns but got 2"},
		{CellError{File: "d/p.csv", Msg: "Missing columns: patient_id"}, "d/p.csv: Missing columns: patient_id"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}
