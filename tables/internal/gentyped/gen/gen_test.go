package gen

import (
	"bytes"
	"os"
	"path/filepath"
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

// TestGeneratedFilesUpToDate checks that the committed tables_gen.go and
// tables_gen_test.go of each package are what the generator writes now: a
// changed catalogue or generator needs go generate ./tables/...
func TestGeneratedFilesUpToDate(t *testing.T) {
	for _, m := range Modules {
		files, err := Render(m)
		if err != nil {
			t.Fatalf("%s: %v", m.Path, err)
		}
		again, err := Render(m)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(files.Source, again.Source) || !bytes.Equal(files.Test, again.Test) {
			t.Errorf("%s: rendering twice gives different output", m.Path)
		}
		dir := filepath.Join("..", "..", "..", filepath.FromSlash(m.Path))
		for name, want := range map[string][]byte{SourceFile: files.Source, TestFile: files.Test} {
			got, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("tables/%s/%s is stale: run go generate ./tables/...", m.Path, name)
			}
		}
	}
}

func TestRenderRefusesReservedNames(t *testing.T) {
	tbl := &model.Table{Name: "x", Columns: []model.Column{{Name: "where", Type: model.Int}}}
	if err := checkColumns(tbl); err == nil {
		t.Error("a column named where was accepted")
	}
	tbl = &model.Table{Name: "x", Columns: []model.Column{{Name: "a_id", Type: model.Int}, {Name: "a_ID", Type: model.Int}}}
	if err := checkColumns(tbl); err == nil {
		t.Error("two columns with one Go name were accepted")
	}
}
