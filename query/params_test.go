package query_test

import (
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/query"
)

// region is a custom parameter type.
type region string

var regionParam = query.ParamType[region]{Name: "region", Parse: func(s string) (region, error) {
	switch s {
	case "north", "south":
		return region(s), nil
	}
	return "", errors.New("no such region")
}}

func TestTypedParams(t *testing.T) {
	p := query.ParseParams([]string{
		"--ratio", " 1_000.5e-1 ", "--big", "inf",
		"--on", "True", "--off", "0",
		"--n", " -1_2 ",
		"--ages", "18", "65", "--ages", "80",
		"--where", "north",
		"--flags", "1", "false",
	})
	if got := query.Get(p, "ratio", query.FloatParam); got != 100.05 {
		t.Errorf("float = %v", got)
	}
	if got := query.Get(p, "big", query.FloatParam); !math.IsInf(got, 1) {
		t.Errorf("inf = %v", got)
	}
	if !query.Get(p, "on", query.BoolParam) || query.Get(p, "off", query.BoolParam) {
		t.Error("bools")
	}
	if got := query.Get(p, "n", query.IntParam); got != -12 {
		t.Errorf("int = %d", got)
	}
	if got := query.GetList(p, "ages", query.IntParam); !reflect.DeepEqual(got, []int{18, 65, 80}) {
		t.Errorf("int list = %v", got)
	}
	if got := query.GetList(p, "flags", query.BoolParam); !reflect.DeepEqual(got, []bool{true, false}) {
		t.Errorf("bool list = %v", got)
	}
	if got := query.Get(p, "where", regionParam); got != "north" {
		t.Errorf("custom = %q", got)
	}
	if got := query.GetOr(p, "missing", regionParam, "south"); got != "south" {
		t.Errorf("custom default = %q", got)
	}
	if got := query.GetOr(p, "missing", query.FloatParam, 0.5); got != 0.5 {
		t.Errorf("float default = %v", got)
	}
	if got := query.GetListOr(p, "missing", query.StrParam, []string{"a"}); !reflect.DeepEqual(got, []string{"a"}) {
		t.Errorf("list default = %v", got)
	}
	if got := query.GetList(p, "where", query.StrParam); !reflect.DeepEqual(got, []string{"north"}) {
		t.Errorf("one value as a list = %v", got)
	}
}

// paramsChild runs the failing call named by EHRQL_PARAMS_CASE in this test
// binary, whose exit code and standard error the test checks.
func TestMain(m *testing.M) {
	if c := os.Getenv("EHRQL_PARAMS_CASE"); c != "" {
		failingCases[c]()
		fmt.Println("did not stop")
		os.Exit(0)
	}
	os.Exit(m.Run())
}

var failingCases = map[string]func(){
	"missing":       func() { query.Get(query.ParseParams(nil), "max_age", query.IntParam) },
	"missing list":  func() { query.GetList(query.ParseParams([]string{"--sex"}), "sex", query.StrParam) },
	"bad int":       func() { query.Get(query.ParseParams([]string{"--n", "1.5"}), "n", query.IntParam) },
	"bad float":     func() { query.GetOr(query.ParseParams([]string{"--r=x"}), "r", query.FloatParam, 1) },
	"bad bool":      func() { query.Get(query.ParseParams([]string{"--b", "yes"}), "b", query.BoolParam) },
	"bad custom":    func() { query.GetList(query.ParseParams([]string{"--r", "north", "east"}), "r", regionParam) },
	"two values":    func() { query.Get(query.ParseParams([]string{"--n", "1", "2"}), "n", query.IntParam) },
	"int too large": func() { query.Get(query.ParseParams([]string{"--n", "99999999999999999999"}), "n", query.IntParam) },
	"bad date": func() {
		query.GetOr(query.ParseParams([]string{"--d", "2020-02-30"}), "d", query.DateParam, query.Date("2020-01-01"))
	},
}

func TestParamErrors(t *testing.T) {
	tests := []struct {
		name string
		code int
		want string
	}{
		{"missing", query.ExitDefinitionError, "parameter `max_age` defined but no values found. Pass parameters in the form `--max_age <value>` or provide a default value (GetOr)\n\nNote that custom parameters MUST be provided last, and must follow a double-dash `--`.\n"},
		{"missing list", query.ExitDefinitionError, "parameter `sex` defined but no values found."},
		{"bad int", query.ExitParameterError, "argument --n: invalid int value: '1.5'\n"},
		{"bad float", query.ExitParameterError, "argument --r: invalid float value: 'x'\n"},
		{"bad bool", query.ExitParameterError, "'yes' is an invalid value for `bool` type parameter\n\nValid values are 1/True/true or 0/False/false.\n"},
		{"bad custom", query.ExitParameterError, "argument --r: invalid region value: 'east'\n"},
		{"two values", query.ExitParameterError, "parameter `n` takes one value, got 2: 1 2\n"},
		{"int too large", query.ExitParameterError, "argument --n: int value out of range: '99999999999999999999'\n"},
		{"bad date", query.ExitParameterError, "argument --d: invalid date value: '2020-02-30'\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "EHRQL_PARAMS_CASE="+tt.name)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			err := cmd.Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != tt.code {
				t.Fatalf("exit %v, want %d; stderr:\n%s", err, tt.code, stderr.String())
			}
			if !strings.HasSuffix(stderr.String(), tt.want) && !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr:\n%q\nwant\n%q", stderr.String(), tt.want)
			}
		})
	}
}
