package main

import (
	"go/parser"
	"go/token"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// commandNames are the registered commands, sorted.
func commandNames() []string { return slices.Sorted(maps.Keys(commands)) }

// The package comment lists exactly the commands main dispatches: the
// names after the colon of each of its "- group: a, b, c" items.
func TestPackageDocListsEveryCommand(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "main.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	got := docCommands(f.Doc.Text())
	if want := commandNames(); !slices.Equal(got, want) {
		t.Errorf("the package comment lists the commands %v; main dispatches %v", got, want)
	}
}

// docCommands returns the sorted command names in a doc comment's list
// items ("- group: a, b,\n  c;").
func docCommands(doc string) []string {
	var names []string
	for _, item := range strings.Split(doc, "\n  - ")[1:] {
		item, _, _ = strings.Cut(item, "\n\n")
		_, list, ok := strings.Cut(item, ": ")
		if !ok {
			continue
		}
		for _, n := range strings.Split(strings.TrimRight(strings.TrimSpace(list), ";."), ",") {
			names = append(names, strings.TrimSpace(n))
		}
	}
	slices.Sort(names)
	return names
}

func TestDocCommands(t *testing.T) {
	doc := "Intro.\n\n  - a: x, y-z,\n    w;\n  - b: v.\n\nMore text: not, a, list.\n"
	if got, want := docCommands(doc), []string{"v", "w", "x", "y-z"}; !slices.Equal(got, want) {
		t.Errorf("docCommands = %q, want %q", got, want)
	}
}

var usageCommand = regexp.MustCompile(`(?m)^  ([a-z][a-z-]*)\b`)

// "ehrql --help" lists exactly the commands main dispatches.
func TestUsageListsEveryCommand(t *testing.T) {
	var got []string
	for _, m := range usageCommand.FindAllStringSubmatch(usage, -1) {
		got = append(got, m[1])
	}
	slices.Sort(got)
	if want := commandNames(); !slices.Equal(got, want) {
		t.Errorf("the usage lists the commands %v; main dispatches %v", got, want)
	}
}
