package tables

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/query/model"
)

// columnSpecs renders a table's columns as "name type" lines with their
// constraints, then their dummy-data constraints, as the spec listing
// words them.
func columnSpecs(t *model.Table) []string {
	out := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		s := c.Name + " " + c.Type.Name()
		if d := describe(c); d != "" {
			s += " | " + d
		}
		for _, k := range c.DummyDataConstraints {
			s += fmt.Sprintf(" | dummy %s%v", k.ConstraintName(), k)
		}
		out[i] = s
	}
	return out
}

// yesNo is the column spec of an ISARIC yes/no answer.
func yesNo(name string) string {
	return name + " str | Possible values: `YES`, `NO`, `Unknown`"
}

func TestModuleTables(t *testing.T) {
	causes := make([]string, 15)
	for i := range causes {
		causes[i] = fmt.Sprintf("cause_of_death_%02d ICD10Code", i+1)
	}
	ethnic := make([]string, 10)
	for i := range ethnic {
		ethnic[i] = fmt.Sprintf("ethnic___%d str", i+1)
	}
	flatten := func(parts ...[]string) []string { return slices.Concat(parts...) }
	waiting := func(cols ...string) []string {
		out := make([]string, len(cols))
		for i, c := range cols {
			out[i] = c + " str"
		}
		return out
	}
	tests := []struct {
		module, export, stored string
		want                   []string
	}{
		{ModuleEMIS, "patients", "patients", []string{
			"date_of_birth date | Always the first day of a month; Never `NULL`",
			"sex str | Possible values: `female`, `male`, `unknown`; Never `NULL`",
			"date_of_death date",
			"registration_start_date date | Never `NULL`",
			"registration_end_date date",
			"practice_pseudo_id str | Never `NULL`",
			"rural_urban_classification int | Always `>= 1` and `<= 8`",
			"imd_rounded int | Always `>= 0`, `<= 32800`, and a multiple of `100`",
		}},
		{ModuleEMIS, "practice_registrations", "practice_registrations", []string{
			"start_date date | Never `NULL`",
			"end_date date | dummy Categorical{[]}",
			"practice_pseudo_id int | Never `NULL` | dummy ClosedRange{0 999 1}",
		}},
		{ModuleEMIS, "vaccinations", "vaccinations", []string{"date date", "procedure_code SNOMEDCTCode"}},
		{ModuleEMISv2, "addresses", "addresses", []string{
			"start_date date",
			"end_date date | dummy DateAfter{[start_date]}",
			"imd_rounded int | Always `>= 0`, `<= 32800`, and a multiple of `100`",
			"msoa_code str | Matches regular expression: `E020[0-9]{5}`",
		}},
		{ModuleEMISv2, "practice_registrations", "practice_registrations", []string{
			"start_date date | Never `NULL`",
			"end_date date | dummy Categorical{[]}",
		}},
		{ModuleSmoketest, "patients", "patients", []string{
			"date_of_birth date | Always the first day of a month; Never `NULL`",
		}},
		{ModuleRawCore, "ons_deaths", "ons_deaths_raw", flatten(
			[]string{"date date", "underlying_cause_of_death ICD10Code"}, causes)},
		{ModuleRawEMIS, "ons_deaths", "ons_deaths_raw", flatten(
			[]string{"date date", "underlying_cause_of_death ICD10Code"}, causes)},
		{ModuleRawTPP, "ons_deaths", "ons_deaths_raw", flatten([]string{
			"date date",
			"place str | Possible values: `Care Home`, `Elsewhere`, `Home`, `Hospice`, `Hospital`, `Other communal establishment`",
			"underlying_cause_of_death ICD10Code",
		}, causes)},
		{ModuleRawTPP, "medications", "medications_raw", []string{
			"date date", "dmd_code DMDCode", "consultation_id int",
			"medication_status int | Always `>= 0` and `<= 28`",
			"quantity str", "repeat_medication_id int",
		}},
		{ModuleRawTPP, "repeat_medications", "repeat_medications_raw", []string{
			"date date", "dmd_code DMDCode", "consultation_id int", "repeat_medication_id int",
			"medication_status int | Always `>= 0` and `<= 28`",
			"quantity str", "start_date date", "end_date date",
		}},
		{ModuleRawTPP, "isaric", "isaric_raw", flatten(
			[]string{"age str", "age_factor str", "calc_age str", "sex str"},
			ethnic,
			[]string{
				"covid19_vaccine str", "covid19_vaccined date", "covid19_vaccine2d date",
				"covid19_vaccined_nk str", "corona_ieorres str", "coriona_ieorres2 str",
				"coriona_ieorres3 str", "inflammatory_mss str", "cestdat date",
				yesNo("chrincard"), yesNo("hypertension_mhyn"), yesNo("chronicpul_mhyn"),
				yesNo("asthma_mhyn"), yesNo("renal_mhyn"), yesNo("mildliver"), yesNo("modliv"),
				yesNo("chronicneu_mhyn"), yesNo("malignantneo_mhyn"), yesNo("chronichaemo_mhyn"),
				yesNo("aidshiv_mhyn"), yesNo("obesity_mhyn"),
				"diabetes_type_mhyn str | Possible values: `NO`, `1`, `2`, `N/K`",
				yesNo("diabetescom_mhyn"), yesNo("diabetes_mhyn"), yesNo("rheumatologic_mhyn"),
				yesNo("dementia_mhyn"), yesNo("malnutrition_mhyn"),
				"smoking_mhyn str | Possible values: `Yes`, `Never Smoked`, `Former Smoker`, `N/K`",
				"hostdat date", "hooccur str", "hostdat_transfer date", "hostdat_transfernk str",
				"readm_cov19 str", "dsstdat date", "dsstdtc date",
			})},
		{ModuleRawTPP, "wl_clockstops", "wl_clockstops_raw", waiting(
			"activity_treatment_function_code", "priority_type_code",
			"pseudo_organisation_code_patient_pathway_identifier_issuer",
			"pseudo_patient_pathway_identifier", "pseudo_referral_identifier",
			"referral_request_received_date", "referral_to_treatment_period_end_date",
			"referral_to_treatment_period_start_date", "source_of_referral_for_outpatients",
			"waiting_list_type", "week_ending_date")},
		{ModuleRawTPP, "wl_openpathways", "wl_openpathways_raw", waiting(
			"activity_treatment_function_code", "current_pathway_period_start_date",
			"priority_type_code", "pseudo_organisation_code_patient_pathway_identifier_issuer",
			"pseudo_patient_pathway_identifier", "pseudo_referral_identifier",
			"referral_request_received_date", "referral_to_treatment_period_end_date",
			"referral_to_treatment_period_start_date", "source_of_referral",
			"waiting_list_type", "week_ending_date")},
		{ModuleRawTPP, "apcs_historical", "apcs_historical", []string{
			"apcs_ident int | Never `NULL`", "admission_date date", "discharge_date date", "spell_core_hrg_sus str",
		}},
		{ModuleRawTPP, "apcs_cost_historical", "apcs_cost_historical", []string{
			"apcs_ident int | Never `NULL`", "grand_total_payment_mff float", "tariff_initial_amount float",
			"tariff_total_payment float", "admission_date date", "discharge_date date",
		}},
	}
	for _, tt := range tests {
		tbl, ok := Default().LookupTable(tt.module, tt.export)
		if !ok {
			t.Errorf("%s.%s: not catalogued", tt.module, tt.export)
			continue
		}
		if tbl.Name != tt.stored {
			t.Errorf("%s.%s: stored as %q, want %q", tt.module, tt.export, tbl.Name, tt.stored)
		}
		if got := columnSpecs(tbl); !slices.Equal(got, tt.want) {
			t.Errorf("%s.%s columns:\n got %q\nwant %q", tt.module, tt.export, got, tt.want)
		}
	}
}

// TestEveryColumnRoundTrips writes, for every table of every module, a
// dataset reading each of its columns, to JSON and back: the JSON names the
// table as ehrQL does (external_ref with the exporting table's module and
// export name), and decoding gives the same catalogue table and columns.
func TestEveryColumnRoundTrips(t *testing.T) {
	must := func(n *model.Node, err error) *model.Node {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	tablesSeen, columnsSeen := 0, 0
	for _, module := range Default().Modules() {
		for _, tbl := range Default().Tables(module) {
			name := module + "." + tbl.Ref().Name
			frame := must(model.SelectTable(tbl))
			ds := &model.Dataset{Population: must(model.Aggregate(model.OpExists, frame))}
			for i, c := range tbl.Columns {
				v := must(model.SelectColumn(frame, c.Name))
				if !tbl.PatientLevel {
					v = must(model.Aggregate(model.OpCountDistinct, v))
				}
				ds.Variables = append(ds.Variables, model.Variable{Name: fmt.Sprintf("v%d", i), Series: v})
			}
			data, err := model.Encode(&model.Definition{Dataset: ds})
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			ref := fmt.Sprintf(`{"external_ref": {"module": %q, "name": %q}}`, tbl.Ref().Module, tbl.Ref().Name)
			if n := bytes.Count(data, []byte(ref)); n == 0 || n != bytes.Count(data, []byte(`"external_ref"`)) {
				t.Errorf("%s: JSON does not always refer to the table as %s", name, ref)
			}
			def, err := model.Decode(data, Default())
			if err != nil {
				t.Errorf("%s: decoding: %v", name, err)
				continue
			}
			if len(def.Dataset.Variables) != len(tbl.Columns) {
				t.Fatalf("%s: decoded %d variables, want %d", name, len(def.Dataset.Variables), len(tbl.Columns))
			}
			for i, v := range def.Dataset.Variables {
				sel := v.Series
				if !tbl.PatientLevel {
					sel = sel.Arg(0)
				}
				if sel.Op() != model.OpSelectColumn || sel.Name() != tbl.Columns[i].Name || sel.Arg(0).Table() != tbl {
					t.Errorf("%s: variable %s decodes as %v, want column %s of the catalogue table", name, v.Name, sel, tbl.Columns[i].Name)
				}
				if sel.Type() != tbl.Columns[i].Type {
					t.Errorf("%s.%s: type %s, want %s", name, tbl.Columns[i].Name, sel.Type(), tbl.Columns[i].Type)
				}
				columnsSeen++
			}
			again, err := model.Encode(def)
			if err != nil || !bytes.Equal(again, data) {
				t.Errorf("%s: re-encoding differs (%v):\n%s\n%s", name, err, data, again)
			}
			tablesSeen++
		}
	}
	// 5 core, 29 tpp, 6 emis, 5 emisv2, 1 smoketest, 1 raw.core, 8 raw.tpp,
	// 1 raw.emis.
	if tablesSeen != 56 {
		t.Errorf("round-tripped %d tables, want 56", tablesSeen)
	}
	if columnsSeen == 0 {
		t.Error("no columns round-tripped")
	}
}

// TestStoredNamesAreNotExportNames: a user table may not take a raw table's
// stored name, and JSON may not refer to a raw table by it.
func TestStoredNamesAreNotExportNames(t *testing.T) {
	if !Default().CataloguedName("medications_raw") || !Default().CataloguedName("isaric") {
		t.Error("stored and export names of raw tables are not both catalogued names")
	}
	if Default().CataloguedName("no_such_table") {
		t.Error("an unknown name is catalogued")
	}
	frame, err := model.SelectTable(Lookup(ModuleRawTPP, "medications"))
	if err != nil {
		t.Fatal(err)
	}
	pop, err := model.Aggregate(model.OpExists, frame)
	if err != nil {
		t.Fatal(err)
	}
	data, err := model.Encode(&model.Definition{Dataset: &model.Dataset{Population: pop}})
	if err != nil {
		t.Fatal(err)
	}
	stored := bytes.ReplaceAll(data, []byte(`"name": "medications"`), []byte(`"name": "medications_raw"`))
	if bytes.Equal(stored, data) {
		t.Fatalf("no reference to raw.tpp.medications in %s", data)
	}
	_, err = model.Decode(stored, Default())
	if err == nil || !strings.Contains(err.Error(), "unknown table ehrql.tables.raw.tpp.medications_raw") {
		t.Errorf("decoding a stored name: %v", err)
	}
}
