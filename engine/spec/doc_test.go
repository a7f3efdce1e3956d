package spec

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// languageDoc is the language's chapter table, with the number of spec
// cases behind each chapter.
const languageDoc = "../../docs/language.md"

// chapterRow matches a row of the doc's chapter table:
// | [`name`](…) | … | count |, and its total row.
var (
	chapterRow = regexp.MustCompile("^\\|\\s*\\[?`([a-z_]+)`\\]?(?:\\([^)]*\\))?\\s*\\|.*\\|\\s*(\\d+)\\s*\\|\\s*$")
	totalRow   = regexp.MustCompile(`^\|\s*\*\*Total\*\*\s*\|.*\|\s*\*\*(\d+)\*\*\s*\|\s*$`)
)

// TestLanguageDocCounts keeps docs/language.md true: its chapter table must
// list every chapter of the suite, in order, with its number of cases, and
// the total; every chapter file must be in chapters.
func TestLanguageDocCounts(t *testing.T) {
	data, err := os.ReadFile(languageDoc)
	if err != nil {
		t.Fatal(err)
	}
	var docNames []string
	docCounts := map[string]int{}
	docTotal := -1
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if m := chapterRow.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[2])
			docNames = append(docNames, m[1])
			docCounts[m[1]] = n
		} else if m := totalRow.FindStringSubmatch(line); m != nil {
			docTotal, _ = strconv.Atoi(m[1])
		}
	}
	var names []string
	total := 0
	for _, ch := range chapters {
		names = append(names, ch.name)
		n := len(buildCases(t, ch.build))
		total += n
		if docCounts[ch.name] != n {
			t.Errorf("%s: chapter %s has %d cases, the doc says %d", languageDoc, ch.name, n, docCounts[ch.name])
		}
	}
	if !slices.Equal(names, docNames) {
		t.Errorf("%s lists the chapters %v, want %v", languageDoc, docNames, names)
	}
	if docTotal != total {
		t.Errorf("%s: the suite has %d cases, the doc's total says %d", languageDoc, total, docTotal)
	}

	// Every chapter file is a chapter.
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	notChapters := []string{"harness", "lang", "benchmark", "doc"}
	for _, f := range files {
		name := strings.TrimSuffix(f, "_test.go")
		if !slices.Contains(notChapters, name) && !slices.Contains(names, name) {
			t.Errorf("%s is not listed in chapters", f)
		}
	}
}

// TestModelBuiltCasesExist checks that every case listed in modelBuilt is a
// case of the suite (runCase checks the converse).
func TestModelBuiltCasesExist(t *testing.T) {
	found := map[string]bool{}
	for _, ch := range chapters {
		for _, c := range buildCases(t, ch.build) {
			if c.modelSeries != nil {
				found[c.name] = true
			}
		}
	}
	for name := range modelBuilt {
		if !found[name] {
			t.Errorf("modelBuilt lists %s, which is not a model-built case", name)
		}
	}
}

// TestPrintChapterCounts prints the chapter table's counts (go test -run
// PrintChapterCounts -v).
func TestPrintChapterCounts(t *testing.T) {
	total := 0
	for _, ch := range chapters {
		n := len(buildCases(t, ch.build))
		total += n
		t.Logf("%-30s %d", ch.name, n)
	}
	t.Logf("%-30s %d", "total", total)
}
