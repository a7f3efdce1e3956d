package ehrql

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The embedded packages are exactly the module's packages that the public
// language (query, measures, codelists and the typed tables) depends on:
// nothing a definition needs is missing, nothing else is carried.
func TestLanguagePackagesAreTheLanguageDependencies(t *testing.T) {
	roots := []string{
		"./query", "./measures", "./codelists",
		"./tables/core", "./tables/tpp", "./tables/emis", "./tables/emisv2", "./tables/smoketest",
		"./tables/raw/core", "./tables/raw/tpp", "./tables/raw/emis",
	}
	out, err := exec.Command("go", append([]string{"list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}"}, roots...)...).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var got []string
	for _, line := range strings.Fields(string(out)) {
		got = append(got, strings.TrimPrefix(strings.TrimPrefix(line, ModulePath), "/"))
	}
	slices.Sort(got)
	want := slices.Clone(LanguagePackages)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("language packages: the code depends on %v, LanguagePackages lists %v", got, want)
	}
}

func TestLanguageSource(t *testing.T) {
	src := Language()
	for _, want := range []string{"go.mod", "query/protocol.go", "tables/tpp/practice_registrations_gen.go", "query/model/decode.go"} {
		if _, ok := src.Files[want]; !ok {
			t.Errorf("%s is not in the embedded language", want)
		}
	}
	for name := range src.Files {
		if strings.HasSuffix(name, "_test.go") || strings.Contains(name, "testdata/") || strings.Contains(name, "internal/gen") {
			t.Errorf("%s should not be carried: only the language packages' own source is", name)
		}
	}
	if got := string(src.Files["go.mod"]); got != "module "+ModulePath+"\n\ngo "+GoVersion()+"\n" {
		t.Errorf("language go.mod = %q", got)
	}
	if len(src.Hash) != 64 || Language().Hash != src.Hash {
		t.Errorf("hash %q is not a stable sha256", src.Hash)
	}
}
