package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// browse loads a page in headless Chromium, lets it settle, and returns
// its DOM and the console messages it logged.
func browse(t *testing.T, page string) (dom, console string) {
	t.Helper()
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI must have chromium to check the pages in a browser")
		}
		t.Skip("no chromium")
	}
	abs, err := filepath.Abs(page)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu",
		"--user-data-dir="+t.TempDir(), "--enable-logging=stderr", "--v=0",
		"--virtual-time-budget=10000", "--dump-dom", "file://"+abs)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	var messages []string
	for _, l := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(l, ":CONSOLE") {
			messages = append(messages, l)
		}
	}
	return string(out), strings.Join(messages, "\n")
}

// The reference study's measures, charted: every measure has its charts,
// and the page loads every image with nothing logged.
func TestPlotMeasuresInABrowser(t *testing.T) {
	dir := t.TempDir()
	measuresCSV := filepath.Join(dir, "measures.csv")
	if _, stderr, code := ehrql(t, "generate-measures", study+"/ehrql-json/consultation_measures.json", "--dummy-tables", study+"/dummy_tables", "--output", measuresCSV); code != 0 {
		t.Fatalf("generate-measures: exit %d\n%s", code, stderr)
	}
	charts := filepath.Join(dir, "charts")
	if _, stderr, code := ehrql(t, "plot-measures", measuresCSV, "--output", charts); code != 0 {
		t.Fatalf("plot-measures: exit %d\n%s", code, stderr)
	}
	for _, m := range []string{"count_virtual_pre2019_monthly_age", "count_virtual_during2020_monthly_age", "count_virtual_during2021_monthly_age"} {
		for _, suffix := range []string{".svg", ".png", "_counts.svg", "_counts.png"} {
			if st, err := os.Stat(filepath.Join(charts, m+suffix)); err != nil || st.Size() < 1000 {
				t.Errorf("%s%s: %v", m, suffix, err)
			}
		}
	}
	dom, console := browse(t, filepath.Join(charts, "index.html"))
	if !strings.Contains(dom, `data-images="ok"`) {
		t.Errorf("some images did not load:\n%s", dom)
	}
	if n := strings.Count(dom, "<img "); n != 6 {
		t.Errorf("index.html shows %d images, want 6", n)
	}
	if console != "" {
		t.Errorf("the page logged:\n%s", console)
	}

	// A broken chart is seen by the same check.
	if err := os.Remove(filepath.Join(charts, "count_virtual_pre2019_monthly_age.svg")); err != nil {
		t.Fatal(err)
	}
	if dom, _ := browse(t, filepath.Join(charts, "index.html")); !strings.Contains(dom, `data-images="failed"`) {
		t.Error("a missing chart was not noticed")
	}
}

// The reference study's dataset, described: one row per column with its
// numbers, and a page that renders without errors.
func TestDescribeInABrowser(t *testing.T) {
	dir := t.TempDir()
	arrow := filepath.Join(dir, "dataset.arrow")
	if _, stderr, code := ehrql(t, "generate-dataset", study+"/ehrql-json/consultation_dataset_2020-04-01_to_2021-03-31.json", "--dummy-tables", study+"/dummy_tables", "--output", arrow); code != 0 {
		t.Fatalf("generate-dataset: exit %d\n%s", code, stderr)
	}
	for _, tc := range []struct {
		flags []string
		want  []string
	}{
		{nil, []string{`<span class="rows">5000</span> rows, 16 columns`, "This report holds unrounded counts", `<tr data-column="ethnicity">`, "<td>imd_quintile</td><td>category</td>", "<td>age</td><td>int</td>"}},
		{[]string{"--disclosure-control"}, []string{`<span class="rows">5000</span> rows`, "Disclosure control is applied"}},
	} {
		report := filepath.Join(dir, "report.html")
		if _, stderr, code := ehrql(t, append([]string{"describe", arrow, "--output", report}, tc.flags...)...); code != 0 {
			t.Fatalf("describe: exit %d\n%s", code, stderr)
		}
		dom, console := browse(t, report)
		for _, w := range tc.want {
			if !strings.Contains(dom, w) {
				t.Errorf("%v: the report lacks %s", tc.flags, w)
			}
		}
		if n := len(regexp.MustCompile(`<svg `).FindAllString(dom, -1)); n != 15 {
			t.Errorf("%v: %d charts, want one per column but patient_id (15)", tc.flags, n)
		}
		if console != "" {
			t.Errorf("the page logged:\n%s", console)
		}
	}
	if _, stderr, code := ehrql(t, "describe", filepath.Join(dir, "nope.arrow"), "--output", filepath.Join(dir, "r.html")); code != 2 || !strings.Contains(stderr, "does not exist") {
		t.Errorf("a missing dataset: exit %d, %s", code, stderr)
	}
	bad := filepath.Join(dir, "bad.arrow")
	if err := os.WriteFile(bad, []byte("not arrow"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := ehrql(t, "describe", bad, "--output", filepath.Join(dir, "r.html")); code != 11 || !strings.Contains(stderr, "not an Arrow IPC file") {
		t.Errorf("a bad dataset: exit %d, %s", code, stderr)
	}
}
