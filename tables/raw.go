package tables

import "github.com/ehrql-go/ehrql/query/model"

// The tables of the raw schemas ehrql.tables.raw.core, ehrql.tables.raw.tpp
// and ehrql.tables.raw.emis: minimally transformed data for data
// development. Most are stored under a name of their own (ehrQL's
// _meta.table_name), which names their dummy table files: raw.tpp exports
// the table medications_raw as medications. ehrql.tables.raw.emis
// re-exports raw.core.ons_deaths.

// rawCoreONSDeaths is raw.core.ons_deaths: every registered death, several
// for some patients.
var rawCoreONSDeaths = &model.Table{
	Module:                ModuleRawCore,
	Name:                  "ons_deaths_raw",
	Export:                "ons_deaths",
	Description:           "Registered deaths, all of them: a few patients have more than one.",
	ActivationFilterField: false,
	Columns:               rawONSDeathsColumns(),
}

// rawONSDeathsColumns returns the columns of raw.core.ons_deaths: date,
// underlying_cause_of_death and cause_of_death_01 … cause_of_death_15.
func rawONSDeathsColumns() []model.Column {
	cols := []model.Column{
		column("date", model.Date),
		column("underlying_cause_of_death", icd10Code),
	}
	return append(cols, numbered("cause_of_death_", 15, icd10Code)...)
}

// rawTPPONSDeaths is raw.tpp.ons_deaths: raw.core's columns with the place
// of death after the date.
var rawTPPONSDeaths = &model.Table{
	Module:                ModuleRawTPP,
	Name:                  "ons_deaths_raw",
	Export:                "ons_deaths",
	Description:           "Registered deaths, all of them, with the place of death: a few patients have more than one.",
	ActivationFilterField: false,
	Columns:               append([]model.Column{column("date", model.Date), deathPlaceColumn()}, rawONSDeathsColumns()[1:]...),
}

// yesNoUnknown is the Categorical constraint of ISARIC's yes/no answers.
func yesNoUnknown() model.Categorical { return categorical("YES", "NO", "Unknown") }

// rawTPPISARIC is raw.tpp.isaric: ISARIC COVID-19 hospital admissions,
// mostly as strings.
var rawTPPISARIC = &model.Table{
	Module:                ModuleRawTPP,
	Name:                  "isaric_raw",
	Export:                "isaric",
	Description:           "COVID-19 hospital admissions from the ISARIC COVID-19 Clinical Database.",
	RequiredPermission:    "isaric",
	ActivationFilterField: false,
	Columns: concat(
		strColumns("age", "age_factor", "calc_age", "sex"),
		numberedAs("ethnic___%d", 10, model.Str),
		strColumns("covid19_vaccine"),
		[]model.Column{
			column("covid19_vaccined", model.Date),
			column("covid19_vaccine2d", model.Date),
		},
		strColumns("covid19_vaccined_nk", "corona_ieorres", "coriona_ieorres2", "coriona_ieorres3", "inflammatory_mss"),
		[]model.Column{column("cestdat", model.Date)},
		categoricalColumns(yesNoUnknown,
			"chrincard", "hypertension_mhyn", "chronicpul_mhyn", "asthma_mhyn", "renal_mhyn",
			"mildliver", "modliv", "chronicneu_mhyn", "malignantneo_mhyn", "chronichaemo_mhyn",
			"aidshiv_mhyn", "obesity_mhyn"),
		[]model.Column{column("diabetes_type_mhyn", model.Str, categorical("NO", "1", "2", "N/K"))},
		categoricalColumns(yesNoUnknown,
			"diabetescom_mhyn", "diabetes_mhyn", "rheumatologic_mhyn", "dementia_mhyn", "malnutrition_mhyn"),
		[]model.Column{
			column("smoking_mhyn", model.Str, categorical("Yes", "Never Smoked", "Former Smoker", "N/K")),
			column("hostdat", model.Date),
			column("hooccur", model.Str),
			column("hostdat_transfer", model.Date),
			column("hostdat_transfernk", model.Str),
			column("readm_cov19", model.Str),
			column("dsstdat", model.Date),
			column("dsstdtc", model.Date),
		},
	),
}

// medicationStatus is the medication_status column of the raw medication
// tables: a status code from 0 to 28.
func medicationStatus() model.Column {
	return column("medication_status", model.Int, model.ClosedRange{Min: 0, Max: 28, Step: 1})
}

// rawTPPMedications is raw.tpp.medications: tpp.medications with columns
// not yet well understood.
var rawTPPMedications = &model.Table{
	Module:                ModuleRawTPP,
	Name:                  "medications_raw",
	Export:                "medications",
	Description:           "Prescribed medications in primary care, with columns not yet well understood.",
	ActivationFilterField: "date",
	Columns: append(medicationsColumns(),
		column("consultation_id", model.Int),
		medicationStatus(),
		column("quantity", model.Str),
		column("repeat_medication_id", model.Int),
	),
}

// rawTPPRepeatMedications is raw.tpp.repeat_medications.
var rawTPPRepeatMedications = &model.Table{
	Module:                ModuleRawTPP,
	Name:                  "repeat_medications_raw",
	Export:                "repeat_medications",
	Description:           "Repeat medications in primary care, for data development only.",
	ActivationFilterField: "date",
	Columns: append(medicationsColumns(),
		column("consultation_id", model.Int),
		column("repeat_medication_id", model.Int),
		medicationStatus(),
		column("quantity", model.Str),
		column("start_date", model.Date),
		column("end_date", model.Date),
	),
}

// rawTPPWLClockstops is raw.tpp.wl_clockstops: tpp.wl_clockstops with
// every column a string, as stored.
var rawTPPWLClockstops = &model.Table{
	Module:                ModuleRawTPP,
	Name:                  "wl_clockstops_raw",
	Export:                "wl_clockstops",
	Description:           "National Waiting List Clock Stops, as stored.",
	RequiredPermission:    "waiting_list",
	ActivationFilterField: false,
	Columns:               asText(tppWLClockstops.Columns),
}

// rawTPPWLOpenpathways is raw.tpp.wl_openpathways: tpp.wl_openpathways with
// every column a string, as stored.
var rawTPPWLOpenpathways = &model.Table{
	Module:                ModuleRawTPP,
	Name:                  "wl_openpathways_raw",
	Export:                "wl_openpathways",
	Description:           "National Waiting List Open Pathways, as stored.",
	RequiredPermission:    "waiting_list",
	ActivationFilterField: false,
	Columns:               asText(tppWLOpenpathways.Columns),
}

// asText is columns as their database tables store them in the raw
// waiting lists: the same names, every one a str with no constraints.
func asText(cols []model.Column) []model.Column {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return strColumns(names...)
}

// rawTPPAPCSHistorical is raw.tpp.apcs_historical: historical APCS spells.
var rawTPPAPCSHistorical = &model.Table{
	Module:                ModuleRawTPP,
	Name:                  "apcs_historical",
	Description:           "Historical Admitted Patient Care Spells, for data exploration.",
	ActivationFilterField: false,
	Columns: []model.Column{
		column("apcs_ident", model.Int, notNull),
		column("admission_date", model.Date),
		column("discharge_date", model.Date),
		column("spell_core_hrg_sus", model.Str),
	},
}

// rawTPPAPCSCostHistorical is raw.tpp.apcs_cost_historical: the columns of
// tpp.apcs_cost for historical spells.
var rawTPPAPCSCostHistorical = &model.Table{
	Module:                ModuleRawTPP,
	Name:                  "apcs_cost_historical",
	Description:           "Historical costs of Admitted Patient Care Spells, for data exploration.",
	ActivationFilterField: false,
	Columns:               apcsCostColumns(),
}
