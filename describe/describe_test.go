package describe

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/internal/resultfile"
)

// dataset is a small hand-made dataset: ints with NULLs and more values
// than MaxBars, a date, a float, a bool and a string column.
func dataset() string {
	var b strings.Builder
	b.WriteString("patient_id,age,died_on,bmi,has_asthma,sex\n")
	for i := 1; i <= 40; i++ {
		age := strconv.Itoa(i * 2)
		if i%10 == 0 {
			age = ""
		}
		died := ""
		if i%4 == 0 {
			died = fmt.Sprintf("2020-%02d-%02d", i%12+1, i%28+1)
		}
		sex := []string{"female", "male", "unknown"}[i%3]
		fmt.Fprintf(&b, "%d,%s,%s,%.1f,%s,%s\n", i, age, died, 18+float64(i)/4, map[bool]string{true: "T", false: "F"}[i%5 == 0], sex)
	}
	return b.String()
}

// independent computes each column's NULLs, distinct values, min and max
// straight from the CSV text.
func independent(t *testing.T, text string) map[string][4]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][4]string{}
	for j, name := range rows[0] {
		nulls := 0
		distinct := map[string]bool{}
		var vals []string
		for _, r := range rows[1:] {
			if r[j] == "" {
				nulls++
				continue
			}
			distinct[r[j]] = true
			vals = append(vals, r[j])
		}
		min, max := "", ""
		switch name {
		case "patient_id", "age":
			sort.Slice(vals, func(a, b int) bool { x, _ := strconv.Atoi(vals[a]); y, _ := strconv.Atoi(vals[b]); return x < y })
			min, max = vals[0], vals[len(vals)-1]
		case "died_on", "bmi":
			sort.Slice(vals, func(a, b int) bool {
				x, _ := strconv.ParseFloat(vals[a], 64)
				y, _ := strconv.ParseFloat(vals[b], 64)
				return x < y || name == "died_on" && vals[a] < vals[b]
			})
			min, max = vals[0], vals[len(vals)-1]
		}
		out[name] = [4]string{strconv.Itoa(nulls), strconv.Itoa(len(distinct)), min, max}
	}
	return out
}

var rowPattern = regexp.MustCompile(`(?s)<tr data-column="([^"]+)">.*?<td class="n nulls">([^<]*)</td><td class="n distinct">([^<]*)</td><td class="min">([^<]*)</td><td class="max">([^<]*)</td>`)

func report(t *testing.T, text string, sdcOn bool) (string, Table) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "dataset.csv")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	tb, err := resultfile.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	s := Summarise("dataset", tb, sdcOn)
	var buf bytes.Buffer
	if err := (Report{Title: "t", DisclosureControl: sdcOn, Tables: []Table{s}}).WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.String(), s
}

// The report's numbers are those computed independently from the data.
func TestReportNumbers(t *testing.T) {
	text := dataset()
	html, s := report(t, text, false)
	want := independent(t, text)
	got := map[string][4]string{}
	for _, m := range rowPattern.FindAllStringSubmatch(html, -1) {
		got[m[1]] = [4]string{m[2], m[3], m[4], m[5]}
	}
	if len(got) != len(want) {
		t.Fatalf("the report has %d columns, want %d", len(got), len(want))
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: nulls, distinct, min, max = %v, want %v", name, got[name], w)
		}
	}
	if !strings.Contains(html, `<span class="rows">40</span> rows, 6 columns`) || !strings.Contains(html, "This report holds unrounded counts") {
		t.Error("the page does not say it holds 40 rows and unrounded counts")
	}
	types := map[string]string{}
	for _, c := range s.Columns {
		types[c.Name] = c.Type
	}
	if fmt.Sprint(types) != "map[age:int bmi:float died_on:date has_asthma:bool patient_id:int sex:str]" {
		t.Errorf("types %v", types)
	}
	// Every bar's count sums to the rows: values (or ranges) and missing.
	for _, c := range s.Columns[1:] { // patient_id is not charted
		var sum int64
		for _, b := range c.Bars {
			sum += b.Count
		}
		if sum != 40 {
			t.Errorf("%s: bars sum to %d, want 40", c.Name, sum)
		}
	}
	// age has 36 distinct values (> MaxBars): a histogram of 20 ranges and
	// the missing bar; has_asthma two values; sex's most common first.
	byName := map[string]Column{}
	for _, c := range s.Columns {
		byName[c.Name] = c
	}
	if c := byName["age"]; !c.Histogram || len(c.Bars) != MaxBars+1 || c.Bars[MaxBars] != (Bar{"(missing)", 4}) {
		t.Errorf("age: histogram %v, %d bars, last %v", c.Histogram, len(c.Bars), c.Bars[len(c.Bars)-1])
	}
	if c := byName["has_asthma"]; fmt.Sprint(c.Bars) != "[{F 32} {T 8}]" {
		t.Errorf("has_asthma bars %v", c.Bars)
	}
	if c := byName["sex"]; fmt.Sprint(c.Bars) != "[{male 14} {female 13} {unknown 13}]" {
		t.Errorf("sex bars %v", c.Bars)
	}
}

// With disclosure control every count is a multiple of 5 (7 or less is
// 0) and no range is shown.
func TestReportWithDisclosureControl(t *testing.T) {
	html, s := report(t, dataset(), true)
	if !strings.Contains(html, "Disclosure control is applied") || strings.Contains(html, "unrounded") {
		t.Error("the page does not say disclosure control is applied")
	}
	if s.Rows != 40 {
		t.Errorf("rows %d", s.Rows)
	}
	for _, c := range s.Columns {
		counts := []int64{c.Rows, c.Nulls, c.Distinct}
		for _, b := range c.Bars {
			counts = append(counts, b.Count)
		}
		for _, n := range counts {
			if n%5 != 0 {
				t.Errorf("%s: count %d is not rounded", c.Name, n)
			}
		}
		if c.Min != "" || c.Max != "" {
			t.Errorf("%s: range %s–%s shown", c.Name, c.Min, c.Max)
		}
	}
	// has_asthma T has 8 patients: rounded to 10; age's missing 4: 0.
	for _, c := range s.Columns {
		if c.Name == "has_asthma" && fmt.Sprint(c.Bars) != "[{F 30} {T 10}]" {
			t.Errorf("has_asthma bars %v", c.Bars)
		}
		if c.Name == "age" && c.Nulls != 0 {
			t.Errorf("age nulls %d, want 0 (4 suppressed)", c.Nulls)
		}
	}
}
