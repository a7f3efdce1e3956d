package output

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

func TestColumnArrowType(t *testing.T) {
	cats := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = strings.Repeat("x", i+1)
		}
		return out
	}
	dict := func(idx arrow.DataType) arrow.DataType {
		return &arrow.DictionaryType{IndexType: idx, ValueType: arrow.BinaryTypes.String, Ordered: true}
	}
	tests := []struct {
		name string
		col  Column
		want arrow.DataType
	}{
		{"bool", Column{Kind: Bool}, arrow.FixedWidthTypes.Boolean},
		{"float", Column{Kind: Float}, arrow.PrimitiveTypes.Float64},
		{"date", Column{Kind: Date}, arrow.FixedWidthTypes.Date32},
		{"str", Column{Kind: Str}, arrow.BinaryTypes.String},
		{"int no bounds", Column{Kind: Int}, arrow.PrimitiveTypes.Int64},
		{"int min only", Column{Kind: Int, Min: i64(0)}, arrow.PrimitiveTypes.Int64},
		{"int max only", Column{Kind: Int, Max: i64(10)}, arrow.PrimitiveTypes.Int64},
		{"0..255", Column{Kind: Int, Min: i64(0), Max: i64(255)}, arrow.PrimitiveTypes.Uint8},
		{"0..256", Column{Kind: Int, Min: i64(0), Max: i64(256)}, arrow.PrimitiveTypes.Uint16},
		{"0..65535", Column{Kind: Int, Min: i64(0), Max: i64(65535)}, arrow.PrimitiveTypes.Uint16},
		{"0..65536", Column{Kind: Int, Min: i64(0), Max: i64(65536)}, arrow.PrimitiveTypes.Uint32},
		{"0..2^32-1", Column{Kind: Int, Min: i64(0), Max: i64(1<<32 - 1)}, arrow.PrimitiveTypes.Uint32},
		{"0..2^32", Column{Kind: Int, Min: i64(0), Max: i64(1 << 32)}, arrow.PrimitiveTypes.Uint64},
		{"5..5", Column{Kind: Int, Min: i64(5), Max: i64(5)}, arrow.PrimitiveTypes.Uint8},
		{"-100..100", Column{Kind: Int, Min: i64(-100), Max: i64(100)}, arrow.PrimitiveTypes.Int8},
		{"-128..0", Column{Kind: Int, Min: i64(-128), Max: i64(0)}, arrow.PrimitiveTypes.Int16},
		{"-1..127", Column{Kind: Int, Min: i64(-1), Max: i64(127)}, arrow.PrimitiveTypes.Int8},
		{"-1..128", Column{Kind: Int, Min: i64(-1), Max: i64(128)}, arrow.PrimitiveTypes.Int16},
		{"-1..32768", Column{Kind: Int, Min: i64(-1), Max: i64(32768)}, arrow.PrimitiveTypes.Int32},
		{"-1..2^31", Column{Kind: Int, Min: i64(-1), Max: i64(1 << 31)}, arrow.PrimitiveTypes.Int64},
		{"min int64", Column{Kind: Int, Min: i64(math.MinInt64), Max: i64(0)}, arrow.PrimitiveTypes.Int64},
		{"-10..-5", Column{Kind: Int, Min: i64(-10), Max: i64(-5)}, arrow.PrimitiveTypes.Int8},
		{"0 categories", Column{Kind: Str, Categories: []string{}}, dict(arrow.PrimitiveTypes.Int8)},
		{"2 categories", Column{Kind: Str, Categories: []string{"a", "b"}}, dict(arrow.PrimitiveTypes.Int8)},
		{"128 categories", Column{Kind: Str, Categories: cats(128)}, dict(arrow.PrimitiveTypes.Int8)},
		{"129 categories", Column{Kind: Str, Categories: cats(129)}, dict(arrow.PrimitiveTypes.Int16)},
		{"invalid kind", Column{}, nil},
	}
	for _, tt := range tests {
		got := tt.col.ArrowType()
		if (got == nil) != (tt.want == nil) || (got != nil && !arrow.TypeEqual(got, tt.want)) {
			t.Errorf("%s: ArrowType() = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestNaturalSchema(t *testing.T) {
	cols := []Column{
		{Name: "patient_id", Kind: Int},
		{Name: "b", Kind: Bool, Nullable: true},
		{Name: "n", Kind: Int, Nullable: true, Min: i64(0), Max: i64(9)},
		{Name: "f", Kind: Float, Nullable: true},
		{Name: "s", Kind: Str, Nullable: true, Categories: []string{"a"}},
		{Name: "d", Kind: Date, Nullable: true},
	}
	want := "schema:\n  fields: 6\n" +
		"    - patient_id: type=int64\n" +
		"    - b: type=bool, nullable\n" +
		"    - n: type=int64, nullable\n" +
		"    - f: type=float64, nullable\n" +
		"    - s: type=utf8, nullable\n" +
		"    - d: type=date32, nullable"
	if got := NaturalSchema(cols).String(); got != want {
		t.Errorf("NaturalSchema =\n%s\nwant\n%s", got, want)
	}
}

func TestValidateColumns(t *testing.T) {
	pid := Column{Name: "patient_id", Kind: Int}
	tests := []struct {
		name string
		cols []Column
		want string // "" for valid
	}{
		{"valid", []Column{pid, {Name: "s", Kind: Str, Nullable: true, Categories: []string{"a", "b"}}, {Name: "n", Kind: Int, Min: i64(1), Max: i64(1)}}, ""},
		{"no columns", nil, "output: no columns"},
		{"empty name", []Column{pid, {Kind: Bool}}, "output: column 1 has an empty name"},
		{"duplicate", []Column{pid, pid}, "output: duplicate column name 'patient_id'"},
		{"bad kind", []Column{{Name: "x", Kind: Kind(42)}}, "output: column 'x' has invalid kind Kind(42)"},
		{"zero kind", []Column{{Name: "x"}}, "output: column 'x' has invalid kind Kind(0)"},
		{"categories on int", []Column{{Name: "x", Kind: Int, Categories: []string{"1"}}}, "output: column 'x' of type int has categories; only str columns may"},
		{"duplicate category", []Column{{Name: "x", Kind: Str, Categories: []string{"a", "b", "a"}}}, "output: column 'x' has duplicate category 'a'"},
		{"bounds on float", []Column{{Name: "x", Kind: Float, Min: i64(0)}}, "output: column 'x' of type float has integer bounds; only int columns may"},
		{"min > max", []Column{{Name: "x", Kind: Int, Min: i64(2), Max: i64(1)}}, "output: column 'x' has minimum 2 greater than maximum 1"},
	}
	for _, tt := range tests {
		err := ValidateColumns(tt.cols)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%s: ValidateColumns() = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestKindString(t *testing.T) {
	tests := []struct {
		k    Kind
		want string
	}{{Bool, "bool"}, {Int, "int"}, {Float, "float"}, {Str, "str"}, {Date, "date"}, {Kind(0), "Kind(0)"}}
	for _, tt := range tests {
		if got := tt.k.String(); got != tt.want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(tt.k), got, tt.want)
		}
	}
}

func TestDaysCivil(t *testing.T) {
	tests := []struct {
		days    int64
		y       int64
		m, d    int
		isoDate string // "" when out of CSV range
	}{
		{0, 1970, 1, 1, "1970-01-01"},
		{-1, 1969, 12, 31, "1969-12-31"},
		{18292, 2020, 1, 31, "2020-01-31"},
		{11016, 2000, 2, 29, "2000-02-29"},
		{-719162, 1, 1, 1, "0001-01-01"},
		{2932896, 9999, 12, 31, "9999-12-31"},
		{-719163, 0, 12, 31, ""},
		{2932897, 10000, 1, 1, ""},
	}
	for _, tt := range tests {
		y, m, dd := civilFromDays(tt.days)
		if y != tt.y || m != tt.m || dd != tt.d {
			t.Errorf("civilFromDays(%d) = %d-%d-%d, want %d-%d-%d", tt.days, y, m, dd, tt.y, tt.m, tt.d)
		}
		if got := daysFromCivil(tt.y, tt.m, tt.d); got != tt.days {
			t.Errorf("daysFromCivil(%d-%d-%d) = %d, want %d", tt.y, tt.m, tt.d, got, tt.days)
		}
		got, err := appendISODate(nil, tt.days)
		if tt.isoDate == "" {
			if err == nil {
				t.Errorf("appendISODate(%d) = %q, want error", tt.days, got)
			}
		} else if err != nil || string(got) != tt.isoDate {
			t.Errorf("appendISODate(%d) = %q, %v, want %q", tt.days, got, err, tt.isoDate)
		}
	}
	// Cross-check against the time package over a wide range.
	start := time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 800*366; i += 7 {
		tm := start.AddDate(0, 0, i)
		days := floorDiv(tm.Unix(), 86400)
		y, m, dd := tm.Date()
		if got := daysFromCivil(int64(y), int(m), dd); got != days {
			t.Fatalf("daysFromCivil(%s) = %d, want %d", tm.Format(time.DateOnly), got, days)
		}
		if gy, gm, gd := civilFromDays(days); gy != int64(y) || gm != int(m) || gd != dd {
			t.Fatalf("civilFromDays(%d) = %d-%d-%d, want %s", days, gy, gm, gd, tm.Format(time.DateOnly))
		}
	}
}
