package gen

import (
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/query/model"
)

func TestTableName(t *testing.T) {
	for name, want := range map[string]string{
		"clinical_events":                    "ClinicalEvents",
		"patients":                           "Patients",
		"practice_registrations":             "PracticeRegistrations",
		"ons_deaths":                         "ONSDeaths",
		"apcs_cost":                          "APCSCost",
		"ec":                                 "EC",
		"ethnicity_from_sus":                 "EthnicityFromSUS",
		"household_memberships_2020":         "HouseholdMemberships2020",
		"sgss_covid_all_tests":               "SGSSCovidAllTests",
		"wl_openpathways":                    "WLOpenpathways",
		"occupation_on_covid_vaccine_record": "OccupationOnCovidVaccineRecord",
	} {
		if got := TableName(name); got != want {
			t.Errorf("TableName(%q) = %q, want %q", name, got, want)
		}
	}
	for name, want := range map[string]string{
		"clinical_events": "clinicalEvents",
		"ons_deaths":      "onsDeaths",
		"apcs":            "apcs",
		"ec_cost":         "ecCost",
		"wl_clockstops":   "wlClockstops",
	} {
		if got := unexportedTableName(name); got != want {
			t.Errorf("unexportedTableName(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestColumnName(t *testing.T) {
	for name, want := range map[string]string{
		"snomedct_code":                   "SnomedctCode",
		"imd_rounded":                     "ImdRounded",
		"practice_pseudo_id":              "PracticePseudoID",
		"id":                              "ID",
		"address_id":                      "AddressID",
		"cause_of_death_01":               "CauseOfDeath01",
		"secondary_diagnosis_code_1_read": "SecondaryDiagnosisCode1Read",
		"practice_nuts1_region_name":      "PracticeNuts1RegionName",
		"ec_ident":                        "EcIdent",
	} {
		if got := ColumnName(name); got != want {
			t.Errorf("ColumnName(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestConstraintDoc(t *testing.T) {
	lo := model.DateLit(model.MustParseDate("2019-02-01"))
	for _, c := range []struct {
		cs   []model.Constraint
		want string
	}{
		{nil, ""},
		{[]model.Constraint{
			model.Categorical{Values: []model.Literal{model.StrLit("female"), model.StrLit("male"), model.StrLit("intersex"), model.StrLit("unknown")}},
			model.NotNull{},
		}, "Possible values: female, male, intersex, unknown; never NULL."},
		{[]model.Constraint{model.FirstOfMonth{}, model.NotNull{}}, "Always the first of a month; never NULL."},
		{[]model.Constraint{model.ClosedRange{Min: 0, Max: 32800, Step: 100}}, "Ranges from 0 to 32800 in steps of 100."},
		{[]model.Constraint{model.ClosedRange{Min: 1, Max: 8, Step: 1}}, "Ranges from 1 to 8."},
		{[]model.Constraint{model.Regex{Pattern: "E020[0-9]{5}"}}, "Matches the pattern E020[0-9]{5}."},
		{[]model.Constraint{model.Categorical{Values: []model.Literal{model.IntLit(0), model.IntLit(1), model.IntLit(3)}}}, "Possible values: 0, 1, 3."},
		{[]model.Constraint{model.GeneralRange{Min: &lo, IncludesMinimum: true, IncludesMaximum: true}}, "On or after 2019-02-01."},
	} {
		if got := ConstraintDoc(c.cs); got != c.want {
			t.Errorf("ConstraintDoc(%v) = %q, want %q", c.cs, got, c.want)
		}
	}
}

func TestDescription(t *testing.T) {
	for desc, want := range map[string]string{
		"Registered deaths": "Registered deaths.",
		`!!! warning "Access to this table requires the ` + "`ukrr`" + ` permission"`: "Access to this table requires the `ukrr` permission.",
		"Values, for example the [Electronic Frailty Index (EFI)][efi_ref].":          "Values, for example the Electronic Frailty Index (EFI).",
		"(see various [ONS publications][addresses_ukgeographies] for more detail).":  "(see various ONS publications for more detail).",
	} {
		if got := description(&model.Table{Description: desc}); got != want {
			t.Errorf("description(%q) = %q, want %q", desc, got, want)
		}
	}
}

// tablesDir is the directory of package tables, from this package's.
var tablesDir = filepath.Join("..", "..", "..")

// TestGeneratedFilesUpToDate checks that the committed generated files of
// each package, a <table>_gen.go per table and tables_gen_test.go, are what
// the generator writes now, and that there are no others: a changed
// catalogue or generator needs go generate ./tables/...
func TestGeneratedFilesUpToDate(t *testing.T) {
	for _, m := range Modules {
		files, err := Render(m, tablesDir)
		if err != nil {
			t.Fatalf("%s: %v", m.Path, err)
		}
		again, err := Render(m, tablesDir)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(files, again) {
			t.Errorf("%s: rendering twice gives different output", m.Path)
		}
		dir := filepath.Join(tablesDir, filepath.FromSlash(m.Path))
		got, err := Generated(m, dir)
		if err != nil {
			t.Fatal(err)
		}
		if want := slices.Sorted(maps.Keys(files.Sources)); !slices.Equal(got, want) {
			t.Errorf("tables/%s has the generated files %v, want %v: run go generate ./tables/...", m.Path, got, want)
		}
		want := maps.Clone(files.Sources)
		want[TestFile] = files.Test
		for name, src := range want {
			got, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Errorf("tables/%s: %v: run go generate ./tables/...", m.Path, err)
				continue
			}
			if !bytes.Equal(got, src) {
				t.Errorf("tables/%s/%s is stale: run go generate ./tables/...", m.Path, name)
			}
		}
	}
}

// TestWrite checks that Write writes a package's files and removes the
// files an earlier run generated for tables it no longer has, leaving
// other files alone.
func TestWrite(t *testing.T) {
	m, _ := ModuleByPath("core")
	dir := t.TempDir()
	header := "// Code generated by go run ../internal/gentyped -module core; DO NOT EDIT.\n\npackage core\n"
	for name, src := range map[string]string{
		"dropped_table_gen.go": header,
		"tables_gen.go":        header,
		"helpers.go":           "package core\n",
		"handwritten_gen.go":   "package core\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := Write(m, dir, tablesDir); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{
		"clinical_events_gen.go",
		"handwritten_gen.go",
		"helpers.go",
		"medications_gen.go",
		"ons_deaths_gen.go",
		"patients_gen.go",
		"practice_registrations_gen.go",
		"tables_gen_test.go",
	}
	if !slices.Equal(names, want) {
		t.Errorf("after Write: %v, want %v", names, want)
	}
	files, err := Render(m, tablesDir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "patients_gen.go"))
	if err != nil || !bytes.Equal(got, files.Sources["patients_gen.go"]) {
		t.Errorf("patients_gen.go is not what Render gives (%v)", err)
	}
}

// TestInherit checks that a table extending another gets the helpers the
// other's package declares on its types, with the imports they use, and
// no others.
func TestInherit(t *testing.T) {
	for _, c := range []struct {
		module, file string
		want         []string
	}{
		{"tpp", "practice_registrations_gen.go", []string{
			"func (r PracticeRegistrationsFrame) Spanning(start, end query.DatePatientSeries) PracticeRegistrationsFrame {",
			"func (r PracticeRegistrationsFrame) ForPatientOn(date query.DatePatientSeries) PracticeRegistrationsRow {",
			"func (r PracticeRegistrationsFrame) ExistsForPatientOn(date query.DatePatientSeries) query.BoolPatientSeries {",
		}},
		{"emis", "practice_registrations_gen.go", []string{
			"func (r PracticeRegistrationsFrame) Spanning(start, end query.DatePatientSeries) PracticeRegistrationsFrame {",
			"func (r PracticeRegistrationsFrame) ForPatientOn(date query.DatePatientSeries) PracticeRegistrationsRow {",
			"func (r PracticeRegistrationsFrame) ExistsForPatientOn(date query.DatePatientSeries) query.BoolPatientSeries {",
		}},
		{"tpp", "ons_deaths_gen.go", []string{
			"func (d ONSDeathsFrame) CauseOfDeathIsIn(cl codelists.Codelist) query.BoolPatientSeries {",
		}},
		{"tpp", "medications_gen.go", nil},
		{"core", "practice_registrations_gen.go", nil},
		{"emisv2", "practice_registrations_gen.go", nil},
	} {
		m, _ := ModuleByPath(c.module)
		files, err := Render(m, tablesDir)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, line := range strings.Split(string(files.Sources[c.file]), "\n") {
			if strings.HasPrefix(line, "func (") {
				got = append(got, line)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s/%s: methods\n%s\nwant\n%s", c.module, c.file, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
		}
	}
	m, _ := ModuleByPath("tpp")
	files, err := Render(m, tablesDir)
	if err != nil {
		t.Fatal(err)
	}
	if src := string(files.Sources["ons_deaths_gen.go"]); !strings.Contains(src, `"github.com/ehrql-go/ehrql/codelists"`) {
		t.Errorf("tpp/ons_deaths_gen.go does not import codelists, which CauseOfDeathIsIn uses:\n%s", src)
	}
	if _, err := Render(m, t.TempDir()); err == nil {
		t.Error("Render found core's helpers in an empty directory")
	}
}

func TestRenderRefusesReservedNames(t *testing.T) {
	tbl := &model.Table{Name: "x", Columns: []model.Column{{Name: "where", Type: model.Int}}}
	if err := checkColumns(tbl); err == nil {
		t.Error("a column named where was accepted")
	}
	tbl = &model.Table{Name: "x", Columns: []model.Column{{Name: "x_columns", Type: model.Int}}}
	if err := checkColumns(tbl); err == nil {
		t.Error("a column named as the table's columns struct was accepted")
	}
	tbl = &model.Table{Name: "x", Columns: []model.Column{{Name: "a_id", Type: model.Int}, {Name: "a_ID", Type: model.Int}}}
	if err := checkColumns(tbl); err == nil {
		t.Error("two columns with one Go name were accepted")
	}
}
