package query_test

import (
	"reflect"
	"testing"

	"github.com/ehrql-go/ehrql/query"
)

func TestParams(t *testing.T) {
	p := query.ParseParams([]string{
		"ignored-positional",
		"--start-date", "2020-01-01",
		"--x=1",
		"--code", "a", "--code", "b",
		"--codes", "c1", "c2", "c3",
		"--n", "-3",
		"--eq=k=v",
		"--flag",
	})

	if got := p.Strings("start-date"); !reflect.DeepEqual(got, []string{"2020-01-01"}) {
		t.Errorf("start-date = %q", got)
	}
	if d := sx(mustNode(t, p.Date("start-date"))); d != "Value(2020-01-01)" {
		t.Errorf("Date(start-date) = %s", d)
	}
	if d := sx(mustNode(t, p.DateOr("start-date", "1999-01-01"))); d != "Value(2020-01-01)" {
		t.Errorf("DateOr(start-date) = %s", d)
	}
	if d := sx(mustNode(t, p.DateOr("end-date", "2021-03-31"))); d != "Value(2021-03-31)" {
		t.Errorf("DateOr default = %s", d)
	}
	if got := p.Int("x"); got != 1 {
		t.Errorf("Int(x) = %d", got)
	}
	if got := p.IntOr("x", 5); got != 1 {
		t.Errorf("IntOr(x) = %d", got)
	}
	if got := p.IntOr("missing", 5); got != 5 {
		t.Errorf("IntOr default = %d", got)
	}
	if got := p.IntOr("n", 0); got != -3 {
		t.Errorf("IntOr(n) = %d, want -3 (a negative number is a value, not a flag)", got)
	}
	if got := p.String("x"); got != "1" {
		t.Errorf("String(x) = %q", got)
	}
	if got := p.StringOr("eq", ""); got != "k=v" {
		t.Errorf("--eq=k=v: StringOr = %q, want %q (split at the first '=')", got, "k=v")
	}
	if got := p.StringOr("missing", "def"); got != "def" {
		t.Errorf("StringOr default = %q", got)
	}
	if got := p.Strings("code"); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("repeated --code = %q", got)
	}
	if got := p.Strings("codes"); !reflect.DeepEqual(got, []string{"c1", "c2", "c3"}) {
		t.Errorf("several values --codes = %q", got)
	}
	if got := p.Strings("missing"); len(got) != 0 {
		t.Errorf("Strings(missing) = %q", got)
	}
	if got := p.Strings("ignored-positional"); len(got) != 0 {
		t.Errorf("a positional argument before any name should be ignored, got %q", got)
	}

	// Strings returns a copy.
	s := p.Strings("code")
	s[0] = "changed"
	if got := p.Strings("code"); got[0] != "a" {
		t.Errorf("Strings should return a copy; now %q", got)
	}

	for _, name := range []string{"start-date", "x", "code", "codes", "n", "eq", "flag"} {
		if !p.Has(name) {
			t.Errorf("Has(%q) = false", name)
		}
	}
	for _, name := range []string{"missing", "ignored-positional", "-x", "1"} {
		if p.Has(name) {
			t.Errorf("Has(%q) = true", name)
		}
	}
	if got := p.Strings("flag"); len(got) != 0 {
		t.Errorf("a bare --flag has no values, got %q", got)
	}

	empty := query.ParseParams(nil)
	if empty.Has("x") || empty.StringOr("x", "d") != "d" || empty.IntOr("x", 7) != 7 {
		t.Error("empty params should give defaults")
	}
}
