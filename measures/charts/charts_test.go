package charts

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gonum.org/v1/plot/plotutil"

	"github.com/ehrql-go/ehrql/internal/resultfile"
)

func readCSV(t *testing.T, content string) *resultfile.Table {
	t.Helper()
	path := filepath.Join(t.TempDir(), "measures.csv")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	tb, err := resultfile.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

const header = "measure,interval_start,interval_end,ratio,numerator,denominator,sex,region\n"

// Two measures in one file: one by sex with a value withheld in March,
// one with no groups.
const twoMeasures = header +
	"by_sex,2023-01-01,2023-01-31,0.5,10,20,female,\n" +
	"by_sex,2023-02-01,2023-02-28,0.5,10,20,female,\n" +
	"by_sex,2023-03-01,2023-03-31,,0,20,female,\n" +
	"by_sex,2023-04-01,2023-04-30,0.25,10,40,female,\n" +
	"by_sex,2023-01-01,2023-01-31,0.2,10,50,male,\n" +
	"by_sex,2023-02-01,2023-02-28,0.2,10,50,male,\n" +
	"by_sex,2023-03-01,2023-03-31,0.2,10,50,male,\n" +
	"by_sex,2023-04-01,2023-04-30,0.4,20,50,male,\n" +
	"overall,2023-01-01,2023-01-31,0.25,20,80,,\n" +
	"overall,2023-02-01,2023-02-28,0,0,80,,\n"

func values(l Line) []string {
	var out []string
	for _, p := range l.Points {
		out = append(out, fmt.Sprint(p.Value))
	}
	return out
}

func TestBuild(t *testing.T) {
	charts, err := Build(readCSV(t, twoMeasures), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(charts) != 2 || charts[0].Measure != "by_sex" || charts[1].Measure != "overall" {
		t.Fatalf("charts %+v", charts)
	}
	bySex, overall := charts[0], charts[1]
	if fmt.Sprint(bySex.GroupBy) != "[sex]" || bySex.Groups != 2 || len(bySex.Intervals) != 4 || bySex.Deciles {
		t.Errorf("by_sex: %+v", bySex)
	}
	for _, tc := range []struct {
		line Line
		want string
	}{
		{bySex.Ratio[0], "female [0.5 0.5 NaN 0.25]"},
		{bySex.Ratio[1], "male [0.2 0.2 0.2 0.4]"},
		// Counts summed over groups; March's numerator is male's alone.
		{bySex.Counts[0], "numerator [20 20 10 30]"},
		{bySex.Counts[1], "denominator [70 70 70 90]"},
		// A withheld count (0) is a gap, even where ehrQL wrote a ratio of 0.
		{overall.Ratio[0], "all [0.25 NaN]"},
	} {
		if got := tc.line.Label + " " + fmt.Sprint(values(tc.line)); got != tc.want {
			t.Errorf("got %s, want %s", got, tc.want)
		}
	}
	// Without disclosure control, zero is a value.
	charts, err = Build(readCSV(t, twoMeasures), Options{ZeroIsValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(values(charts[1].Ratio[0])); got != "[0.25 0]" {
		t.Errorf("ZeroIsValue: overall %s, want [0.25 0]", got)
	}
}

// groupsCSV has n groups (region r00…) over two intervals; group i has a
// ratio of i/100 and a denominator of 100+i.
func groupsCSV(n int) string {
	var b strings.Builder
	b.WriteString(header)
	for i := 0; i < n; i++ {
		for _, d := range []string{"2023-01-01", "2023-02-01"} {
			fmt.Fprintf(&b, "m,%s,%s,%v,%d,%d,,r%02d\n", d, d, float64(i*10)/float64(1000), i*10, 1000, i)
		}
	}
	return b.String()
}

func TestManyGroupsAreSummarised(t *testing.T) {
	// Ten groups: seven drawn, three summed into "other".
	charts, err := Build(readCSV(t, groupsCSV(10)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := charts[0]
	if c.Deciles || len(c.Ratio) != MaxLines || c.Groups != 10 {
		t.Fatalf("%d lines, deciles %v, %d groups", len(c.Ratio), c.Deciles, c.Groups)
	}
	// All denominators are equal, so the first seven groups (stable order)
	// are drawn; r00's numerator is 0, withheld.
	var labels []string
	for _, l := range c.Ratio {
		labels = append(labels, l.Label)
	}
	if got := strings.Join(labels, ","); got != "r00,r01,r02,r03,r04,r05,r06,other (3 groups)" {
		t.Errorf("lines %s", got)
	}
	// other = (70+80+90) / 3000.
	if got := values(c.Ratio[7]); fmt.Sprint(got) != fmt.Sprint([]string{"0.08", "0.08"}) {
		t.Errorf("other = %v, want 0.08", got)
	}

	// 41 groups: deciles of the ratios 0.01…0.40 (r00 withheld).
	charts, err = Build(readCSV(t, groupsCSV(41)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	c = charts[0]
	if !c.Deciles || len(c.Ratio) != 9 {
		t.Fatalf("want 9 decile lines, got %d (deciles %v)", len(c.Ratio), c.Deciles)
	}
	for d, l := range c.Ratio {
		// Linear interpolation over 40 values 0.01…0.40: position q*39.
		q := float64(d+1) / 10
		want := 0.01 + q*39*0.01
		if got := l.Points[0].Value; math.Abs(got-want) > 1e-12 {
			t.Errorf("%s = %v, want %v", l.Label, got, want)
		}
		if l.Dashed != (d != 4) {
			t.Errorf("%s dashed = %v", l.Label, l.Dashed)
		}
	}
	if c.Ratio[4].Label != "median" {
		t.Errorf("the fifth decile is %q, want median", c.Ratio[4].Label)
	}
}

func TestNotAMeasuresTable(t *testing.T) {
	_, err := Build(readCSV(t, "patient_id,age\n1,30\n"), Options{})
	if err == nil || !strings.Contains(err.Error(), `is not a measures table: it has no "measure" column`) {
		t.Errorf("got %v", err)
	}
	_, err = Build(readCSV(t, header+"m,March,2023-01-31,1,10,10,,\n"), Options{})
	if err == nil || !strings.Contains(err.Error(), `row 2: interval_start "March" is not a date`) {
		t.Errorf("got %v", err)
	}
}

func svgColor(c color.Color) string {
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("stroke:#%02X%02X%02X;stroke-width:1.5", r>>8, g>>8, b>>8)
}

// The SVG draws one path per group (its legend sample aside), split where
// a value is withheld, with the interval dates on the time axis.
func TestSVGContent(t *testing.T) {
	charts, err := Build(readCSV(t, twoMeasures), Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files, err := Write(dir, charts)
	if err != nil {
		t.Fatal(err)
	}
	svg, err := os.ReadFile(filepath.Join(dir, files[0].RatioSVG))
	if err != nil {
		t.Fatal(err)
	}
	s := string(svg)
	paths := func(style string) int { return strings.Count(s, style+`" />`) }
	// female: two runs (Jan–Feb, Apr alone is a point) plus the legend
	// sample; male: one run plus the legend sample.
	if got := paths(svgColor(plotutil.Color(0))); got != 2 {
		t.Errorf("female: %d paths, want 2 (Jan–Feb, legend)", got)
	}
	if got := paths(svgColor(plotutil.Color(1))); got != 2 {
		t.Errorf("male: %d paths, want 2 (one run, legend)", got)
	}
	for _, date := range []string{"2023-01-01", "2023-02-01", "2023-03-01", "2023-04-01"} {
		if !strings.Contains(s, ">"+date+"</text>") {
			t.Errorf("the time axis has no label %s", date)
		}
	}
	for _, label := range []string{">by_sex</text>", ">female</text>", ">male</text>", ">interval start</text>", ">ratio</text>"} {
		if !strings.Contains(s, label) {
			t.Errorf("the chart has no %s", label)
		}
	}
	// April's lone female value is drawn as a point (a filled glyph).
	fill := regexp.MustCompile(`style="fill:` + strings.TrimPrefix(strings.Split(svgColor(plotutil.Color(0)), ";")[0], "stroke:") + `"`)
	if got := len(fill.FindAllString(s, -1)); got != 1 {
		t.Errorf("female's lone April value: %d filled glyphs, want 1", got)
	}
	for _, f := range []string{files[0].RatioPNG, files[0].CountsSVG, files[0].CountsPNG, files[1].RatioSVG, "index.html"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	index, _ := os.ReadFile(filepath.Join(dir, "index.html"))
	for _, want := range []string{`<h2>by_sex</h2>`, `<img src="by_sex.svg"`, `<img src="by_sex_counts.svg"`, `<h2>overall</h2>`, "By sex: 2 groups.", "No groups."} {
		if !strings.Contains(string(index), want) {
			t.Errorf("index.html lacks %s", want)
		}
	}
}

func TestFileNames(t *testing.T) {
	taken := map[string]bool{}
	for _, tc := range [][2]string{{"a b/../c", "a_b_c"}, {"a_b_c", "a_b_c_2"}, {"", "measure"}} {
		if got := fileName(tc[0], taken); got != tc[1] {
			t.Errorf("fileName(%q) = %q, want %q", tc[0], got, tc[1])
		}
	}
}
