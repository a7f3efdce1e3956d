package callsite_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/ehrql-go/ehrql/internal/callsite"
	"github.com/ehrql-go/ehrql/measures"
	"github.com/ehrql-go/ehrql/query"
)

// here returns "file:line" of its caller.
func here() string {
	_, file, line, _ := runtime.Caller(1)
	return fmt.Sprintf("%s:%d", filepath.Base(file), line)
}

func TestLocationIsTheCallersLine(t *testing.T) {
	got, want := callsite.Location(), here()
	if got != want {
		t.Errorf("Location() = %q, want %q", got, want)
	}
	// From a closure of the caller: the closure's line.
	got, want = func() string { return callsite.Location() }(), here()
	if got != want {
		t.Errorf("Location() in a closure = %q, want %q", got, want)
	}
}

// A mistake found deep inside the language packages is located at the
// definition's line: the frames of query and measures are skipped.
func TestLocationSkipsTheLanguagesFrames(t *testing.T) {
	d, at := query.Date("2020-13-01"), here()
	_, err := query.Node(d)
	var de *query.DefinitionError
	if !errors.As(err, &de) || de.Location != at {
		t.Errorf("query.Date: error %v located at %q, want %q", err, location(de), at)
	}

	ivs, at2 := measures.Days(-1).StartingOn("2020-01-01"), here()
	if len(ivs) != 1 || !errors.As(ivs[0].Err(), &de) || de.Location != at2 {
		t.Errorf("measures.Days(-1): intervals %v located at %q, want %q", ivs, location(de), at2)
	}
}

func location(de *query.DefinitionError) string {
	if de == nil {
		return ""
	}
	return de.Location
}

func TestLanguage(t *testing.T) {
	for _, tc := range []struct {
		fn   string
		want bool
	}{
		{"github.com/ehrql-go/ehrql/query.fail", true},
		{"github.com/ehrql-go/ehrql/query.(*Dataset).Add", true},
		{"github.com/ehrql-go/ehrql/query.Column[...]", true},
		{"github.com/ehrql-go/ehrql/query/model.Function", true},
		{"github.com/ehrql-go/ehrql/measures.(*Measures).DefineMeasure.func1", true},
		{"github.com/ehrql-go/ehrql/measures/report.Write", true},
		{"github.com/ehrql-go/ehrql/tables.Default", true},
		{"github.com/ehrql-go/ehrql/tables/tpp.ClinicalEventsFrame.Where", true},
		{"github.com/ehrql-go/ehrql/codelists.New", true},
		{"github.com/ehrql-go/ehrql/internal/callsite.Location", true},
		// Definitions and tests are not the language.
		{"main.main", false},
		{"github.com/ehrql-go/ehrql/query_test.TestErrors", false},
		{"github.com/ehrql-go/ehrql/internal/callsite_test.TestLanguage", false},
		{"github.com/ehrql-go/ehrql/queryx.F", false},
		{"github.com/ehrql-go/ehrql/engine.CompileDataset", false},
		{"github.com/ehrql-go/ehrql/internal/definition.Load", false},
		{"example.com/study/analysis.Dataset", false},
		{"github.com/other/ehrql-go/ehrql/query.F", false},
		{"", false},
	} {
		if got := callsite.Language(tc.fn); got != tc.want {
			t.Errorf("Language(%q) = %v, want %v", tc.fn, got, tc.want)
		}
	}
}
