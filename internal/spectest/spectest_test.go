package spectest

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"testing"

	"github.com/ehrql-go/ehrql/query/model"
)

func TestTables(t *testing.T) {
	names := func(tbl *model.Table) (out []string) {
		for _, c := range tbl.Columns {
			out = append(out, c.Name+":"+c.Type.Name())
		}
		return out
	}
	p := []string{"i1:int", "i2:int", "b1:bool", "b2:bool", "c1:SNOMEDCTCode",
		"m1:ICD10MultiCodeString", "m2:OPCS4MultiCodeString", "d1:date", "d2:date",
		"s1:str", "s2:str", "f1:float", "f2:float"}
	if got := names(PatientTable); !slices.Equal(got, p) || !PatientTable.PatientLevel || PatientTable.Name != "patient_level_table" {
		t.Errorf("PatientTable %s (patient-level %v): columns %q, want %q", PatientTable.Name, PatientTable.PatientLevel, got, p)
	}
	e := append(slices.Clone(p), "i3:int")
	if got := names(EventTable); !slices.Equal(got, e) || EventTable.PatientLevel || EventTable.Name != "event_level_table" {
		t.Errorf("EventTable %s (patient-level %v): columns %q, want %q", EventTable.Name, EventTable.PatientLevel, got, e)
	}
}

func TestParseTable(t *testing.T) {
	rows, err := ParseTable(EventTable, `
          |  i1 |  b1 | m1                               | d1
        --+-----+-----+----------------------------------+------------
        1 | 101 |  T  | ||E119 ,J849 ,M069 ||I801 ,I802  | 2020-01-02
        1 |     |     |                                  |
        2 | -3  |  F
        3
    `)
	if err != nil {
		t.Fatal(err)
	}
	want := []Row{
		{1, map[string]any{"i1": int64(101), "b1": true, "m1": "||E119 ,J849 ,M069 ||I801 ,I802", "d1": model.MustParseDate("2020-01-02")}},
		{1, map[string]any{"i1": nil, "b1": nil, "m1": nil, "d1": nil}},
		{2, map[string]any{"i1": int64(-3), "b1": false}},
		{3, map[string]any{}},
	}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows, want %d: %v", len(rows), len(want), rows)
	}
	for i := range want {
		if rows[i].PatientID != want[i].PatientID || fmt.Sprint(sortedValues(rows[i].Values)) != fmt.Sprint(sortedValues(want[i].Values)) {
			t.Errorf("row %d: got %v, want %v", i, rows[i], want[i])
		}
	}

	for _, tc := range []struct{ in, err string }{
		{"  | i9\n--+--\n1 | 1", `header names "i9", which is not a column of event_level_table`},
		{"  | i1 | i1\n--+--\n1 | 1", `header names "i1" twice`},
		{"  | i1\n--+--\n1 | x", `row 1, column i1: strconv.ParseInt: parsing "x": invalid syntax`},
		{"  | b1\n--+--\n1 | True", `row 1, column b1: "True" is not T or F`},
		{"  | d1\n--+--\n1 | 20200101", "row 1, column d1: "},
		{"  | i1\n--+--\n  | 1", `row 1 has no patient_id: "  | 1"`},
		{"  | i1\n--+--\n1 | 1 | 2", `row 1 has 3 cells but the header has 2: "1 | 1 | 2"`},
		{"  | i1", "a table needs a header line and a separator line"},
	} {
		_, err := ParseTable(EventTable, tc.in)
		if err == nil || len(err.Error()) < len(tc.err) || err.Error()[:len(tc.err)] != tc.err {
			t.Errorf("ParseTable(%q): error %v, want one starting %q", tc.in, err, tc.err)
		}
	}
}

func sortedValues(m map[string]any) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+Show(v))
	}
	sort.Strings(out)
	return out
}

func TestSplitRow(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"1 | 2 | 3", []string{"1 ", " 2 ", " 3"}},
		{"1 | ||E119 ,J849 ||I801 | x", []string{"1 ", " ||E119 ,J849 ||I801 ", " x"}},
		{"1 |", []string{"1 ", ""}},
		{"1", []string{"1"}},
	} {
		if got := splitRow(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("splitRow(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNormalise(t *testing.T) {
	got, err := Normalise(map[int64]any{1: 3, 2: nil, 3: int64(4)}, model.Int)
	if err != nil || fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", map[int64]any{1: int64(3), 2: nil, 3: int64(4)}) {
		t.Errorf("Normalise ints = %#v, %v", got, err)
	}
	got, err = Normalise(map[int64]any{1: 3, 2: 0.5}, model.Float)
	if err != nil || got[1] != float64(3) || got[2] != 0.5 {
		t.Errorf("Normalise floats = %#v, %v", got, err)
	}
	for _, tc := range []struct {
		v   any
		typ model.Type
	}{{"1", model.Int}, {1.5, model.Int}, {int64(1), model.Float}, {1, model.Bool}, {"2020-01-01", model.Date}, {1, model.Str}} {
		if _, err := Normalise(map[int64]any{7: tc.v}, tc.typ); err == nil {
			t.Errorf("Normalise(%#v as %s) succeeded, want an error", tc.v, tc.typ.Name())
		}
	}
}

func TestCompare(t *testing.T) {
	for _, tc := range []struct {
		got, want map[int64]any
		typ       model.Type
		diffs     []string
	}{
		{map[int64]any{1: 1.000001}, map[int64]any{1: 1.0}, model.Float, nil},
		{map[int64]any{1: 1.001}, map[int64]any{1: 1.0}, model.Float, []string{"patient 1: got 1.001, want 1"}},
		{map[int64]any{1: 0.0}, map[int64]any{1: math.Copysign(0, -1)}, model.Float, []string{"patient 1: got 0, want -0.0"}},
		{map[int64]any{1: math.NaN()}, map[int64]any{1: math.NaN()}, model.Float, nil},
		{map[int64]any{1: nil}, map[int64]any{1: int64(0)}, model.Int, []string{"patient 1: got NULL, want 0"}},
		{map[int64]any{1: true, 3: "x"}, map[int64]any{1: true, 2: false}, model.Bool,
			[]string{"patient 2: missing from the results (want false)", `patient 3: unexpected in the results (got "x")`}},
	} {
		if got := Compare(tc.got, tc.want, tc.typ); !slices.Equal(got, tc.diffs) {
			t.Errorf("Compare(%v, %v) = %q, want %q", tc.got, tc.want, got, tc.diffs)
		}
	}
}
