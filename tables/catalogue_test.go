package tables

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/query/model"
)

// columnList renders a table's columns as "name type" lines.
func columnList(t *model.Table) []string {
	out := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = c.Name + " " + c.Type.Name()
	}
	return out
}

// exportNames lists the names tables are exported under.
func exportNames(ts []*model.Table) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Ref().Name
	}
	return out
}

func names(ts []*model.Table) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Name
	}
	return out
}

func mustColumn(t *testing.T, tbl *model.Table, name string) model.Column {
	t.Helper()
	c, ok := tbl.Column(name)
	if !ok {
		t.Fatalf("%s.%s: no such column", tbl.Module, tbl.Name)
	}
	return c
}

func TestModules(t *testing.T) {
	got := Default().Modules()
	want := []string{
		"ehrql.tables.core", "ehrql.tables.emis", "ehrql.tables.emisv2",
		"ehrql.tables.raw.core", "ehrql.tables.raw.emis", "ehrql.tables.raw.tpp",
		"ehrql.tables.smoketest", "ehrql.tables.tpp",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Modules() = %q, want %q", got, want)
	}
}

func TestTableNames(t *testing.T) {
	tests := []struct {
		module string
		want   []string
	}{
		{ModuleCore, []string{
			"clinical_events", "medications", "ons_deaths", "patients", "practice_registrations",
		}},
		{ModuleTPP, []string{
			"addresses", "apcs", "apcs_cost", "appointments", "clinical_events",
			"clinical_events_ranges", "covid_therapeutics", "decision_support_values", "ec", "ec_cost",
			"emergency_care_attendances", "ethnicity_from_sus", "household_memberships_2020", "medications",
			"occupation_on_covid_vaccine_record", "ons_deaths", "opa", "opa_cost", "opa_diag", "opa_proc",
			"open_prompt", "parents", "patients", "practice_registrations", "sgss_covid_all_tests", "ukrr",
			"vaccinations", "wl_clockstops", "wl_openpathways",
		}},
		{ModuleEMIS, []string{
			"clinical_events", "medications", "ons_deaths", "patients", "practice_registrations", "vaccinations",
		}},
		{ModuleEMISv2, []string{
			"addresses", "clinical_events", "medications", "patients", "practice_registrations",
		}},
		{ModuleSmoketest, []string{"patients"}},
		{ModuleRawCore, []string{"ons_deaths"}},
		{ModuleRawEMIS, []string{"ons_deaths"}},
		{ModuleRawTPP, []string{
			"apcs_cost_historical", "apcs_historical", "isaric", "medications", "ons_deaths",
			"repeat_medications", "wl_clockstops", "wl_openpathways",
		}},
		{"ehrql.tables.raw", nil},
		{"ehrql.tables.emis3", nil},
	}
	for _, tt := range tests {
		got := exportNames(Default().Tables(tt.module))
		if !slices.Equal(got, tt.want) {
			t.Errorf("Tables(%q) = %q, want %q", tt.module, got, tt.want)
		}
	}
	if n := len(Default().Tables(ModuleCore)); n != 5 {
		t.Errorf("core has %d tables, want 5", n)
	}
	if n := len(Default().Tables(ModuleTPP)); n != 29 {
		t.Errorf("tpp has %d tables, want 29", n)
	}
}

func TestTablesReturnsACopy(t *testing.T) {
	ts := Default().Tables(ModuleCore)
	ts[0] = nil
	if Default().Tables(ModuleCore)[0] == nil {
		t.Error("Tables exposes the catalogue's own slice")
	}
}

func TestColumns(t *testing.T) {
	causes := func() []string {
		out := []string{"date date", "underlying_cause_of_death ICD10Code"}
		for i := 1; i <= 15; i++ {
			out = append(out, fmt.Sprintf("cause_of_death_%02d ICD10Code", i))
		}
		return out
	}
	tests := []struct {
		module, name string
		want         []string
	}{
		{ModuleCore, "patients", []string{
			"date_of_birth date", "sex str", "date_of_death date",
		}},
		{ModuleCore, "practice_registrations", []string{
			"start_date date", "end_date date", "practice_pseudo_id int",
		}},
		{ModuleTPP, "practice_registrations", []string{
			"start_date date", "end_date date", "practice_pseudo_id int",
			"practice_stp str", "practice_nuts1_region_name str", "practice_systmone_go_live_date date",
		}},
		{ModuleCore, "clinical_events", []string{
			"date date", "snomedct_code SNOMEDCTCode", "numeric_value float",
		}},
		{ModuleTPP, "clinical_events", []string{
			"date date", "snomedct_code SNOMEDCTCode", "ctv3_code CTV3Code",
			"numeric_value float", "consultation_id int",
		}},
		{ModuleCore, "medications", []string{"date date", "dmd_code DMDCode"}},
		{ModuleTPP, "medications", []string{"date date", "dmd_code DMDCode", "consultation_id int"}},
		{ModuleTPP, "addresses", []string{
			"address_id int", "start_date date", "end_date date", "address_type int",
			"rural_urban_classification int", "imd_rounded int", "msoa_code str", "has_postcode bool",
			"care_home_is_potential_match bool", "care_home_requires_nursing bool",
			"care_home_does_not_require_nursing bool",
		}},
		{ModuleTPP, "appointments", []string{
			"booked_date date", "start_date date", "seen_date date", "status str",
		}},
		{ModuleCore, "ons_deaths", causes()},
		{ModuleTPP, "ons_deaths", append(causes(), "place str")},
		{ModuleTPP, "apcs", []string{
			"apcs_ident int", "admission_date date", "discharge_date date", "discharge_destination str",
			"discharge_method str", "spell_core_hrg_sus str", "admission_method str",
			"primary_diagnosis ICD10Code", "secondary_diagnosis ICD10Code",
			"all_diagnoses ICD10MultiCodeString", "all_procedures OPCS4MultiCodeString",
			"days_in_critical_care int", "patient_classification str",
		}},
		{ModuleTPP, "clinical_events_ranges", []string{
			"date date", "snomedct_code SNOMEDCTCode", "ctv3_code CTV3Code", "numeric_value float",
			"lower_bound float", "upper_bound float", "comparator str", "consultation_id int",
		}},
		{ModuleTPP, "opa_proc", []string{
			"opa_ident int", "primary_procedure_code OPCS4Code", "primary_procedure_code_read CTV3Code",
			"procedure_code_2 OPCS4Code", "procedure_code_2_read CTV3Code", "appointment_date date",
			"referral_request_received_date date",
		}},
	}
	for _, tt := range tests {
		tbl, ok := Default().LookupTable(tt.module, tt.name)
		if !ok {
			t.Errorf("%s.%s: not found", tt.module, tt.name)
			continue
		}
		if got := columnList(tbl); !slices.Equal(got, tt.want) {
			t.Errorf("%s.%s columns:\n got %q\nwant %q", tt.module, tt.name, got, tt.want)
		}
	}
}

func TestMultiCodeTypes(t *testing.T) {
	apcs := TPP("apcs")
	if got, want := mustColumn(t, apcs, "all_diagnoses").Type, model.MultiCodeType(codelists.ICD10); got != want {
		t.Errorf("apcs.all_diagnoses type = %v, want %v", got, want)
	}
	if got, want := mustColumn(t, apcs, "all_procedures").Type, model.MultiCodeType(codelists.OPCS4); got != want {
		t.Errorf("apcs.all_procedures type = %v, want %v", got, want)
	}
	if got, want := mustColumn(t, apcs, "primary_diagnosis").Type, model.CodeType(codelists.ICD10); got != want {
		t.Errorf("apcs.primary_diagnosis type = %v, want %v", got, want)
	}
}

func TestEmergencyCareDiagnoses(t *testing.T) {
	eca := TPP("emergency_care_attendances")
	if n := len(eca.Columns); n != 27 {
		t.Fatalf("emergency_care_attendances has %d columns, want 27", n)
	}
	last := eca.Columns[26]
	if last.Name != "diagnosis_24" || last.Type != model.CodeType(codelists.SNOMEDCT) {
		t.Errorf("last column = %s %s, want diagnosis_24 SNOMEDCTCode", last.Name, last.Type.Name())
	}
}

func strs(values ...string) []model.Literal {
	out := make([]model.Literal, len(values))
	for i, v := range values {
		out[i] = model.StrLit(v)
	}
	return out
}

func dateLit(s string) *model.Literal {
	l := model.DateLit(model.MustParseDate(s))
	return &l
}

func TestConstraints(t *testing.T) {
	tests := []struct {
		table       *model.Table
		column      string
		constraints []model.Constraint
		dummy       []model.Constraint
	}{
		{Core("patients"), "date_of_birth",
			[]model.Constraint{model.FirstOfMonth{}, model.NotNull{}}, nil},
		{Core("patients"), "sex",
			[]model.Constraint{model.Categorical{Values: strs("female", "male", "intersex", "unknown")}, model.NotNull{}}, nil},
		{Core("patients"), "date_of_death", nil, nil},
		{Core("practice_registrations"), "start_date", []model.Constraint{model.NotNull{}}, nil},
		{Core("practice_registrations"), "end_date",
			nil, []model.Constraint{model.Categorical{Values: []model.Literal{}}}},
		{Core("practice_registrations"), "practice_pseudo_id",
			[]model.Constraint{model.NotNull{}}, []model.Constraint{model.ClosedRange{Min: 0, Max: 999, Step: 1}}},
		{TPP("practice_registrations"), "end_date",
			nil, []model.Constraint{model.Categorical{Values: []model.Literal{}}}},
		{TPP("practice_registrations"), "practice_stp",
			[]model.Constraint{model.Regex{Pattern: "E540000[0-9]{2}"}}, nil},
		{Core("ons_deaths"), "date",
			nil, []model.Constraint{model.GeneralRange{Min: dateLit("2019-02-01"), IncludesMinimum: true, IncludesMaximum: true}}},
		{TPP("ons_deaths"), "date",
			nil, []model.Constraint{model.GeneralRange{Min: dateLit("2019-02-01"), IncludesMinimum: true, IncludesMaximum: true}}},
		{TPP("ons_deaths"), "place",
			[]model.Constraint{model.Categorical{Values: strs("Care Home", "Elsewhere", "Home", "Hospice", "Hospital", "Other communal establishment")}}, nil},
		{TPP("addresses"), "end_date", nil, []model.Constraint{model.DateAfter{Columns: []string{"start_date"}}}},
		{TPP("addresses"), "address_type",
			[]model.Constraint{model.Categorical{Values: []model.Literal{model.IntLit(0), model.IntLit(1), model.IntLit(3)}}}, nil},
		{TPP("addresses"), "rural_urban_classification", []model.Constraint{model.ClosedRange{Min: 1, Max: 8, Step: 1}}, nil},
		{TPP("addresses"), "imd_rounded", []model.Constraint{model.ClosedRange{Min: 0, Max: 32800, Step: 100}}, nil},
		{TPP("addresses"), "msoa_code", []model.Constraint{model.Regex{Pattern: "E020[0-9]{5}"}}, nil},
		{TPP("appointments"), "booked_date", nil, nil},
		{TPP("appointments"), "start_date", nil, []model.Constraint{model.DateAfter{Columns: []string{"booked_date"}}}},
		{TPP("appointments"), "seen_date", nil, []model.Constraint{model.DateAfter{Columns: []string{"booked_date", "start_date"}}}},
		{TPP("appointments"), "status", []model.Constraint{model.Categorical{Values: strs(
			"Booked", "Arrived", "Did Not Attend", "In Progress", "Finished", "Requested", "Blocked",
			"Visit", "Waiting", "Cancelled by Patient", "Cancelled by Unit", "Cancelled by Other Service",
			"No Access Visit", "Cancelled Due To Death", "Patient Walked Out",
		)}}, nil},
		{TPP("sgss_covid_all_tests"), "sgtf_status", []model.Constraint{model.ClosedRange{Min: 0, Max: 9, Step: 1}}, nil},
		{TPP("decision_support_values"), "calculation_date",
			nil, []model.Constraint{model.Categorical{Values: []model.Literal{*dateLit("2020-12-08")}}}},
		{TPP("ec_cost"), "ec_decision_to_admit_date",
			nil, []model.Constraint{model.DateAfter{Columns: []string{"ec_injury_date", "arrival_date"}}}},
	}
	for _, tt := range tests {
		c := mustColumn(t, tt.table, tt.column)
		if !reflect.DeepEqual(c.Constraints, tt.constraints) {
			t.Errorf("%s.%s.%s constraints = %v, want %v", tt.table.Module, tt.table.Name, tt.column, c.Constraints, tt.constraints)
		}
		if !reflect.DeepEqual(c.DummyDataConstraints, tt.dummy) {
			t.Errorf("%s.%s.%s dummy constraints = %v, want %v", tt.table.Module, tt.table.Name, tt.column, c.DummyDataConstraints, tt.dummy)
		}
	}
}

func TestAppointmentStatusCategories(t *testing.T) {
	cats, ok := mustColumn(t, TPP("appointments"), "status").Categories()
	if !ok || len(cats) != 15 {
		t.Fatalf("appointments.status categories = %v, %v; want 15", cats, ok)
	}
	if cats[0] != model.StrLit("Booked") || cats[14] != model.StrLit("Patient Walked Out") {
		t.Errorf("appointments.status categories out of order: %v", cats)
	}
	r, ok := mustColumn(t, TPP("addresses"), "imd_rounded").Range()
	if !ok || r != (model.ClosedRange{Min: 0, Max: 32800, Step: 100}) {
		t.Errorf("addresses.imd_rounded range = %v, %v", r, ok)
	}
}

func TestTableAttributes(t *testing.T) {
	type attrs struct {
		patientLevel bool
		permission   string
		filter       any
	}
	want := map[string]attrs{
		"core/patients":               {true, "", false},
		"core/practice_registrations": {false, "", nil},
		"core/clinical_events":        {false, "", "date"},
		"core/medications":            {false, "", "date"},
		"core/ons_deaths":             {true, "", false},

		"tpp/addresses":                          {false, "", false},
		"tpp/apcs":                               {false, "", false},
		"tpp/apcs_cost":                          {false, "", false},
		"tpp/appointments":                       {false, "appointments", "booked_date"},
		"tpp/clinical_events":                    {false, "", "date"},
		"tpp/clinical_events_ranges":             {false, "", "date"},
		"tpp/covid_therapeutics":                 {false, "covid_therapeutics", false},
		"tpp/decision_support_values":            {false, "", false},
		"tpp/ec":                                 {false, "", false},
		"tpp/ec_cost":                            {false, "", false},
		"tpp/emergency_care_attendances":         {false, "", false},
		"tpp/ethnicity_from_sus":                 {true, "", false},
		"tpp/household_memberships_2020":         {true, "", false},
		"tpp/medications":                        {false, "", "date"},
		"tpp/occupation_on_covid_vaccine_record": {false, "occupation_on_covid_vaccine_record", false},
		"tpp/ons_deaths":                         {true, "", false},
		"tpp/opa":                                {false, "", false},
		"tpp/opa_cost":                           {false, "", false},
		"tpp/opa_diag":                           {false, "", false},
		"tpp/opa_proc":                           {false, "", false},
		"tpp/open_prompt":                        {false, "open_prompt", false},
		"tpp/parents":                            {true, "", false},
		"tpp/patients":                           {true, "", false},
		"tpp/practice_registrations":             {false, "", nil},
		"tpp/sgss_covid_all_tests":               {false, "sgss_covid_all_tests", false},
		"tpp/ukrr":                               {false, "ukrr", false},
		"tpp/vaccinations":                       {false, "", "date"},
		"tpp/wl_clockstops":                      {false, "waiting_list", false},
		"tpp/wl_openpathways":                    {false, "waiting_list", false},

		"emis/clinical_events":          {false, "", "date"},
		"emis/medications":              {false, "", "date"},
		"emis/ons_deaths":               {true, "", false},
		"emis/patients":                 {true, "", false},
		"emis/practice_registrations":   {false, "", nil},
		"emis/vaccinations":             {false, "", false},
		"emisv2/addresses":              {false, "", false},
		"emisv2/clinical_events":        {false, "", "date"},
		"emisv2/medications":            {false, "", "date"},
		"emisv2/patients":               {true, "", false},
		"emisv2/practice_registrations": {false, "", false},
		"smoketest/patients":            {true, "", false},
		"raw.core/ons_deaths":           {false, "", false},
		"raw.emis/ons_deaths":           {false, "", false},
		"raw.tpp/apcs_cost_historical":  {false, "", false},
		"raw.tpp/apcs_historical":       {false, "", false},
		"raw.tpp/isaric":                {false, "isaric", false},
		"raw.tpp/medications":           {false, "", "date"},
		"raw.tpp/ons_deaths":            {false, "", false},
		"raw.tpp/repeat_medications":    {false, "", "date"},
		"raw.tpp/wl_clockstops":         {false, "waiting_list", false},
		"raw.tpp/wl_openpathways":       {false, "waiting_list", false},
	}
	seen := 0
	for _, module := range Default().Modules() {
		short := strings.TrimPrefix(module, "ehrql.tables.")
		for _, tbl := range Default().Tables(module) {
			key := short + "/" + tbl.Ref().Name
			w, ok := want[key]
			if !ok {
				t.Errorf("%s: unexpected table", key)
				continue
			}
			seen++
			got := attrs{tbl.PatientLevel, tbl.RequiredPermission, tbl.ActivationFilterField}
			if got != w {
				t.Errorf("%s: (patient level, permission, activation filter) = %#v, want %#v", key, got, w)
			}
		}
	}
	if seen != len(want) {
		t.Errorf("saw %d tables, want %d", seen, len(want))
	}
}

// reExports are the tables a module exports from another module, which is
// the table's Module and how ehrQL serializes it.
var reExports = map[string]string{
	"tpp/patients":           ModuleCore,
	"emis/clinical_events":   ModuleCore,
	"emis/medications":       ModuleCore,
	"emis/ons_deaths":        ModuleCore,
	"emisv2/clinical_events": ModuleCore,
	"emisv2/medications":     ModuleCore,
	"emisv2/patients":        ModuleCore,
	"raw.emis/ons_deaths":    ModuleRawCore,
}

func TestModuleField(t *testing.T) {
	seen := 0
	for _, module := range Default().Modules() {
		for _, tbl := range Default().Tables(module) {
			want := module
			if from, ok := reExports[strings.TrimPrefix(module, "ehrql.tables.")+"/"+tbl.Ref().Name]; ok {
				want = from
				seen++
				if again := Lookup(from, tbl.Ref().Name); again != tbl {
					t.Errorf("%s.%s is not the table of %s", module, tbl.Ref().Name, from)
				}
			}
			if tbl.Module != want {
				t.Errorf("%s.%s: Module = %q, want %q", module, tbl.Name, tbl.Module, want)
			}
		}
	}
	if seen != len(reExports) {
		t.Errorf("saw %d re-exported tables, want %d", seen, len(reExports))
	}
}

func TestTPPPatientsIsCorePatients(t *testing.T) {
	core, ok1 := Default().LookupTable(ModuleCore, "patients")
	tpp, ok2 := Default().LookupTable(ModuleTPP, "patients")
	if !ok1 || !ok2 {
		t.Fatal("patients not found")
	}
	if core != tpp || TPP("patients") != core || Core("patients") != core {
		t.Error("tpp.patients is not the same *model.Table as core.patients")
	}
	if tpp.Module != ModuleCore {
		t.Errorf("tpp.patients Module = %q, want %q", tpp.Module, ModuleCore)
	}
}

func TestExtendedTablesAreDistinct(t *testing.T) {
	for _, name := range []string{"clinical_events", "medications", "ons_deaths", "practice_registrations"} {
		core, tpp := Core(name), TPP(name)
		if core == tpp {
			t.Errorf("%s: tpp and core share a table", name)
		}
		if tpp.Module != ModuleTPP {
			t.Errorf("tpp.%s Module = %q", name, tpp.Module)
		}
		// The TPP table's columns must not alias the core table's.
		if &core.Columns[0] == &tpp.Columns[0] {
			t.Errorf("%s: tpp and core share column storage", name)
		}
	}
}

func TestExtends(t *testing.T) {
	want := map[string]string{
		"ehrql.tables.tpp.medications":             "ehrql.tables.core.medications",
		"ehrql.tables.tpp.ons_deaths":              "ehrql.tables.core.ons_deaths",
		"ehrql.tables.tpp.practice_registrations":  "ehrql.tables.core.practice_registrations",
		"ehrql.tables.emis.practice_registrations": "ehrql.tables.core.practice_registrations",
	}
	got := map[string]string{}
	for _, module := range Default().Modules() {
		for _, tbl := range Default().Tables(module) {
			base, ok := Extends(tbl)
			if !ok {
				continue
			}
			name := tbl.Module + "." + tbl.Name
			got[name] = base.Module + "." + base.Name
			if tbl.PatientLevel != base.PatientLevel {
				t.Errorf("%s: patient level %v, its base %v", name, tbl.PatientLevel, base.PatientLevel)
			}
			if len(tbl.Columns) < len(base.Columns) || !reflect.DeepEqual(tbl.Columns[:len(base.Columns)], base.Columns) {
				t.Errorf("%s: columns %v do not start with those of %s.%s, %v", name, columnList(tbl), base.Module, base.Name, columnList(base))
			}
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("extensions %v, want %v", got, want)
	}
	if _, ok := Extends(Core("patients")); ok {
		t.Error("core.patients extends a table")
	}
}

func TestLookupIsStable(t *testing.T) {
	for _, module := range Default().Modules() {
		for _, tbl := range Default().Tables(module) {
			again, ok := Default().LookupTable(module, tbl.Ref().Name)
			if !ok || again != tbl {
				t.Errorf("%s.%s: LookupTable does not return the listed pointer", module, tbl.Name)
			}
		}
	}
	if Default() != Default() {
		t.Error("Default() is not a single catalogue")
	}
}

func TestLookupUnknown(t *testing.T) {
	tests := []struct{ module, name string }{
		{ModuleCore, "addresses"}, // TPP only
		{ModuleCore, "Patients"},
		{ModuleTPP, "no_such_table"},
		{ModuleEMIS, "addresses"},
		{ModuleRawTPP, "medications_raw"}, // the stored name is not the export name
		{ModuleRawTPP, "clinical_events"},
		{"ehrql.tables.raw", "ons_deaths"},
		{"", "patients"},
		{ModuleCore, ""},
	}
	for _, tt := range tests {
		if tbl, ok := Default().LookupTable(tt.module, tt.name); ok || tbl != nil {
			t.Errorf("LookupTable(%q, %q) = %v, %v; want nil, false", tt.module, tt.name, tbl, ok)
		}
	}
}

func TestAccessorsPanicOnUnknownNames(t *testing.T) {
	for _, f := range []func(string) *model.Table{Core, TPP} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("accessor did not panic on an unknown table")
				}
			}()
			f("no_such_table")
		}()
	}
}

func TestEveryTableValidates(t *testing.T) {
	for _, module := range Default().Modules() {
		for _, tbl := range Default().Tables(module) {
			if err := tbl.Validate(); err != nil {
				t.Errorf("%s.%s: %v", module, tbl.Name, err)
			}
		}
	}
}

func TestResolver(t *testing.T) {
	var r model.Resolver = Default()
	if tbl, ok := r.LookupTable(ModuleTPP, "appointments"); !ok || tbl != TPP("appointments") {
		t.Error("catalogue does not resolve tpp.appointments")
	}
}

func TestCataloguedName(t *testing.T) {
	c := Default()
	for name, want := range map[string]bool{
		"appointments": true, // tpp only
		"patients":     true, // core and tpp
		"Appointments": true,
		"ONS_DEATHS":   true,
		"my_table":     false,
		"":             false,
	} {
		if got := c.CataloguedName(name); got != want {
			t.Errorf("CataloguedName(%q) = %v, want %v", name, got, want)
		}
	}
}
