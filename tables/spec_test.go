package tables

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/query/model"
)

// specColumns is the project's copy of ehrQL's generated schema listing. It
// lives outside the module, so the cross-check is skipped where it is absent.
const specColumns = "/work/shared/spec/ehrql-tables-columns.md"

type specTable struct {
	module, name string
	patientLevel bool
	permission   string
	description  string
	columns      []string // "name | type | constraints", as in the listing
}

var specHeading = regexp.MustCompile(`^### (\w+) \((patient-level|event-level)(?:, requires permission (\w+))?\)$`)

// parseSpec reads the tables of the listing, in its order.
func parseSpec(path string) ([]specTable, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var (
		tables []specTable
		module string
		cur    *specTable
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "## "):
			module = strings.TrimPrefix(line, "## ")
			cur = nil
		case strings.HasPrefix(line, "### "):
			m := specHeading.FindStringSubmatch(line)
			if m == nil {
				return nil, fmt.Errorf("unexpected heading %q", line)
			}
			tables = append(tables, specTable{
				module: module, name: m[1], patientLevel: m[2] == "patient-level", permission: m[3],
			})
			cur = &tables[len(tables)-1]
		case cur == nil || line == "" || strings.HasPrefix(line, "Helpers:"):
		case strings.HasPrefix(line, "| column |"), strings.HasPrefix(line, "|---"):
		case strings.HasPrefix(line, "| "):
			cells := strings.Split(strings.Trim(line, "|"), "|")
			for i := range cells {
				cells[i] = strings.TrimSpace(cells[i])
			}
			cur.columns = append(cur.columns, strings.TrimSpace(strings.Join(cells, " | ")))
		case cur.description == "":
			cur.description = line
		default:
			return nil, fmt.Errorf("%s.%s: unexpected line %q", module, cur.name, line)
		}
	}
	return tables, sc.Err()
}

// describe renders a column's constraints as the listing does, with ehrQL's
// constraint descriptions.
func describe(c model.Column) string {
	parts := make([]string, len(c.Constraints))
	for i, k := range c.Constraints {
		switch k := k.(type) {
		case model.Categorical:
			vals := make([]string, len(k.Values))
			for j, v := range k.Values {
				vals[j] = fmt.Sprintf("`%v`", v.Go())
			}
			parts[i] = "Possible values: " + strings.Join(vals, ", ")
		case model.NotNull:
			parts[i] = "Never `NULL`"
		case model.FirstOfMonth:
			parts[i] = "Always the first day of a month"
		case model.Unique:
			parts[i] = "Always unique"
		case model.Regex:
			parts[i] = fmt.Sprintf("Matches regular expression: `%s`", k.Pattern)
		case model.ClosedRange:
			if k.Step == 1 {
				parts[i] = fmt.Sprintf("Always `>= %d` and `<= %d`", k.Min, k.Max)
			} else {
				parts[i] = fmt.Sprintf("Always `>= %d`, `<= %d`, and a multiple of `%d`", k.Min, k.Max, k.Step)
			}
		default:
			parts[i] = k.ConstraintName()
		}
	}
	return strings.Join(parts, "; ")
}

// TestMatchesSpecListing checks every table, column, type, constraint,
// description, permission and patient-levelness against the listing, and
// that the catalogue has no table the listing lacks.
func TestMatchesSpecListing(t *testing.T) {
	spec, err := parseSpec(specColumns)
	if os.IsNotExist(err) {
		t.Skipf("%s not present", specColumns)
	}
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{}
	for _, st := range spec {
		want[st.module] = append(want[st.module], st.name)
		tbl, ok := Default().LookupTable(st.module, st.name)
		if !ok {
			t.Errorf("%s.%s: missing from the catalogue", st.module, st.name)
			continue
		}
		if tbl.PatientLevel != st.patientLevel {
			t.Errorf("%s.%s: PatientLevel = %t, want %t", st.module, st.name, tbl.PatientLevel, st.patientLevel)
		}
		if tbl.RequiredPermission != st.permission {
			t.Errorf("%s.%s: RequiredPermission = %q, want %q", st.module, st.name, tbl.RequiredPermission, st.permission)
		}
		if tbl.Description != st.description {
			t.Errorf("%s.%s: Description =\n%q, want\n%q", st.module, st.name, tbl.Description, st.description)
		}
		got := make([]string, len(tbl.Columns))
		for i, c := range tbl.Columns {
			got[i] = strings.TrimSpace(c.Name + " | " + c.Type.Name() + " | " + describe(c))
			if c.Description != "" {
				t.Errorf("%s.%s.%s: unexpected description", st.module, st.name, c.Name)
			}
		}
		if !slices.Equal(got, st.columns) {
			t.Errorf("%s.%s columns:\n got %q\nwant %q", st.module, st.name, got, st.columns)
		}
	}
	// The listing covers core and tpp; the other modules are checked in
	// modules_test.go.
	for _, module := range []string{ModuleCore, ModuleTPP} {
		if got := names(Default().Tables(module)); !slices.Equal(got, want[module]) {
			t.Errorf("module %s: catalogue has %q, listing has %q", module, got, want[module])
		}
	}
}
