package tables

import "github.com/ehrql-go/ehrql/query/model"

// The tables of ehrql.tables.tpp, in alphabetical order. tpp.patients is
// corePatients (core.go).

// tppAddresses is tpp.addresses: one row per address registration period.
// Helpers: for_patient_on, and the properties imd_quintile and imd_decile.
var tppAddresses = &model.Table{
	Module: ModuleTPP,
	Name:   "addresses",
	Description: "Geographic characteristics of the home address a patient registers with a practice. " +
		"Each row in this table is one registration period per patient. " +
		"Occasionally, a patient has multiple active registrations on a given date. " +
		"The postcode from the address is mapped to an Output Area, " +
		"from which other larger geographic representations can be derived " +
		"(see various [ONS publications][addresses_ukgeographies] for more detail).",
	ActivationFilterField: false,
	Columns: []model.Column{
		column("address_id", model.Int),
		column("start_date", model.Date),
		{
			Name:                 "end_date",
			Type:                 model.Date,
			DummyDataConstraints: constraints(dateAfter("start_date")),
		},
		column("address_type", model.Int, intCategorical(0, 1, 3)),
		column("rural_urban_classification", model.Int, model.ClosedRange{Min: 1, Max: 8, Step: 1}),
		column("imd_rounded", model.Int, imdRoundedRange),
		column("msoa_code", model.Str, msoaCodePattern),
		column("has_postcode", model.Bool),
		column("care_home_is_potential_match", model.Bool),
		column("care_home_requires_nursing", model.Bool),
		column("care_home_does_not_require_nursing", model.Bool),
	},
}

// tppAPCS is tpp.apcs: one row per admitted patient care spell (SUS).
var tppAPCS = &model.Table{
	Module:                ModuleTPP,
	Name:                  "apcs",
	Description:           "Admitted Patient Care Spells (APCS) data is provided via the NHS Secondary Uses Service.",
	ActivationFilterField: false,
	Columns: []model.Column{
		column("apcs_ident", model.Int, notNull),
		{
			Name:                 "admission_date",
			Type:                 model.Date,
			DummyDataConstraints: constraints(onOrAfter("2016-04-01")),
		},
		{
			Name:                 "discharge_date",
			Type:                 model.Date,
			DummyDataConstraints: constraints(onOrAfter("2016-04-01"), dateAfter("admission_date")),
		},
		column("discharge_destination", model.Str),
		column("discharge_method", model.Str),
		column("spell_core_hrg_sus", model.Str),
		column("admission_method", model.Str),
		column("primary_diagnosis", icd10Code),
		column("secondary_diagnosis", icd10Code),
		column("all_diagnoses", icd10MultiCodeString),
		column("all_procedures", opcs4MultiCodeString),
		column("days_in_critical_care", model.Int),
		column("patient_classification", model.Str),
	},
}

// tppAPCSCost is tpp.apcs_cost: the cost of each APCS spell.
var tppAPCSCost = &model.Table{
	Module:                ModuleTPP,
	Name:                  "apcs_cost",
	Description:           "Admitted Patient Care Spells (APCS) data is provided via the NHS Secondary Uses Service.",
	ActivationFilterField: false,
	Columns:               apcsCostColumns(),
}

// apcsCostColumns returns the columns of tpp.apcs_cost, which
// raw.tpp.apcs_cost_historical shares.
func apcsCostColumns() []model.Column {
	return []model.Column{
		column("apcs_ident", model.Int, notNull),
		column("grand_total_payment_mff", model.Float),
		column("tariff_initial_amount", model.Float),
		column("tariff_total_payment", model.Float),
		column("admission_date", model.Date),
		column("discharge_date", model.Date),
	}
}

// tppAppointments is tpp.appointments: primary-care appointments.
var tppAppointments = &model.Table{
	Module:                ModuleTPP,
	Name:                  "appointments",
	Description:           "Appointments in primary care.",
	RequiredPermission:    "appointments",
	ActivationFilterField: "booked_date",
	Columns: []model.Column{
		column("booked_date", model.Date),
		{
			Name:                 "start_date",
			Type:                 model.Date,
			DummyDataConstraints: constraints(dateAfter("booked_date")),
		},
		{
			Name:                 "seen_date",
			Type:                 model.Date,
			DummyDataConstraints: constraints(dateAfter("booked_date", "start_date")),
		},
		column("status", model.Str, categorical(
			"Booked",
			"Arrived",
			"Did Not Attend",
			"In Progress",
			"Finished",
			"Requested",
			"Blocked",
			"Visit",
			"Waiting",
			"Cancelled by Patient",
			"Cancelled by Unit",
			"Cancelled by Other Service",
			"No Access Visit",
			"Cancelled Due To Death",
			"Patient Walked Out",
		)),
	},
}

// tppClinicalEvents is tpp.clinical_events. It is declared afresh in
// ehrQL, not derived from core.clinical_events: ctv3_code comes before
// numeric_value.
var tppClinicalEvents = &model.Table{
	Module:                ModuleTPP,
	Name:                  "clinical_events",
	Description:           "Each record corresponds to a single clinical or consultation event for a patient.",
	ActivationFilterField: "date",
	Columns: []model.Column{
		column("date", model.Date),
		column("snomedct_code", snomedctCode),
		column("ctv3_code", ctv3Code),
		column("numeric_value", model.Float),
		column("consultation_id", model.Int),
	},
}

// tppClinicalEventsRanges is tpp.clinical_events_ranges: clinical_events
// with reference ranges and comparators.
var tppClinicalEventsRanges = &model.Table{
	Module: ModuleTPP,
	Name:   "clinical_events_ranges",
	Description: "Each record corresponds to a single clinical or consultation event for a patient, " +
		"as presented in `clinical_events`, " +
		"but with additional fields regarding the event's `numeric_value`.",
	ActivationFilterField: "date",
	Columns: []model.Column{
		column("date", model.Date),
		column("snomedct_code", snomedctCode),
		column("ctv3_code", ctv3Code),
		column("numeric_value", model.Float),
		column("lower_bound", model.Float),
		column("upper_bound", model.Float),
		column("comparator", model.Str, categorical("~", "=", ">=", ">", "<", "<=")),
		column("consultation_id", model.Int),
	},
}

// tppCovidTherapeutics is tpp.covid_therapeutics: one row per Blueteq form.
var tppCovidTherapeutics = &model.Table{
	Module:                ModuleTPP,
	Name:                  "covid_therapeutics",
	Description:           "!!! warning \"Access to this table requires the `covid_therapeutics` permission\"",
	RequiredPermission:    "covid_therapeutics",
	ActivationFilterField: false,
	Columns: []model.Column{
		column("covid_indication", model.Str,
			categorical("non_hospitalised", "hospitalised_with", "hospital_onset"),
		),
		column("current_status", model.Str,
			categorical("Approved", "Treatment Complete", "Treatment Not Started", "Treatment Stopped"),
		),
		column("intervention", model.Str),
		column("received", model.Date),
		column("region", model.Str),
		column("risk_cohort", model.Str),
		column("treatment_start_date", model.Date),
	},
}

// tppDecisionSupportValues is tpp.decision_support_values. Helper:
// electronic_frailty_index.
var tppDecisionSupportValues = &model.Table{
	Module: ModuleTPP,
	Name:   "decision_support_values",
	Description: "Returns values computed by decision support algorithms, " +
		"for example the [Electronic Frailty Index (EFI)][efi_ref].",
	ActivationFilterField: false,
	Columns: []model.Column{
		{
			Name:                 "calculation_date",
			Type:                 model.Date,
			DummyDataConstraints: constraints(dateCategorical("2020-12-08")),
		},
		column("numeric_value", model.Float),
		column("algorithm_description", model.Str),
		column("algorithm_version", model.Str),
	},
}

// tppEC is tpp.ec: emergency care attendances (ECDS, via SUS).
var tppEC = &model.Table{
	Module: ModuleTPP,
	Name:   "ec",
	Description: "Emergency care attendances data — the Emergency Care Data Set (ECDS) — " +
		"is provided via the NHS Secondary Uses Service.",
	ActivationFilterField: false,
	Columns: []model.Column{
		column("ec_ident", model.Int, notNull),
		{
			Name:                 "arrival_date",
			Type:                 model.Date,
			DummyDataConstraints: constraints(onOrAfter("2017-10-01")),
		},
		column("sus_hrg_code", model.Str, model.Regex{Pattern: "[a-zA-Z]{2}[0-9]{2}[a-zA-Z]"}),
	},
}

// tppECCost is tpp.ec_cost: the cost of each emergency care attendance.
var tppECCost = &model.Table{
	Module:                ModuleTPP,
	Name:                  "ec_cost",
	Description:           "Emergency care attendances data is provided via the NHS Secondary Uses Service.",
	ActivationFilterField: false,
	Columns: []model.Column{
		column("ec_ident", model.Int, notNull),
		column("grand_total_payment_mff", model.Float),
		column("tariff_total_payment", model.Float),
		{
			Name:                 "arrival_date",
			Type:                 model.Date,
			DummyDataConstraints: constraints(dateAfter("ec_injury_date")),
		},
		{
			Name:                 "ec_decision_to_admit_date",
			Type:                 model.Date,
			DummyDataConstraints: constraints(dateAfter("ec_injury_date", "arrival_date")),
		},
		column("ec_injury_date", model.Date),
	},
}

// tppEmergencyCareAttendances is tpp.emergency_care_attendances, with
// diagnosis_01 … diagnosis_24.
var tppEmergencyCareAttendances = &model.Table{
	Module:                ModuleTPP,
	Name:                  "emergency_care_attendances",
	Description:           "Emergency care attendances data is provided via the NHS Secondary Uses Service.",
	ActivationFilterField: false,
	Columns: append([]model.Column{
		column("id", model.Int, notNull),
		column("arrival_date", model.Date),
		column("discharge_destination", snomedctCode),
	}, numbered("diagnosis_", 24, snomedctCode)...),
}

// tppEthnicityFromSUS is tpp.ethnicity_from_sus.
var tppEthnicityFromSUS = &model.Table{
	Module:       ModuleTPP,
	Name:         "ethnicity_from_sus",
	PatientLevel: true,
	Description: "This finds the most frequently used national ethnicity code for each patient " +
		"from the various SUS (Secondary Uses Service) tables.",
	ActivationFilterField: false,
	Columns: []model.Column{
		column("code", model.Str, categorical(
			"A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S",
		)),
	},
}

// tppHouseholdMemberships2020 is tpp.household_memberships_2020.
var tppHouseholdMemberships2020 = &model.Table{
	Module:       ModuleTPP,
	Name:         "household_memberships_2020",
	PatientLevel: true,
	Description: "Inferred household membership as of 2020-02-01, " +
		"as determined by TPP using an as yet undocumented algorithm.",
	ActivationFilterField: false,
	Columns: []model.Column{
		column("household_pseudo_id", model.Int),
		column("household_size", model.Int),
	},
}

// tppMedications is tpp.medications: core.medications plus consultation_id.
var tppMedications = &model.Table{
	Module:                ModuleTPP,
	Name:                  "medications",
	Description:           "The medications table provides data about prescribed medications in primary care.",
	ActivationFilterField: "date",
	Columns: append(medicationsColumns(),
		column("consultation_id", model.Int),
	),
}

// tppOccupationOnCovidVaccineRecord is tpp.occupation_on_covid_vaccine_record.
var tppOccupationOnCovidVaccineRecord = &model.Table{
	Module:                ModuleTPP,
	Name:                  "occupation_on_covid_vaccine_record",
	Description:           "!!! warning \"Access to this table requires the `occupation_on_covid_vaccine_record` permission\"",
	RequiredPermission:    "occupation_on_covid_vaccine_record",
	ActivationFilterField: false,
	Columns: []model.Column{
		column("is_healthcare_worker", model.Bool),
	},
}

// tppONSDeaths is tpp.ons_deaths: core.ons_deaths plus place. Helper:
// cause_of_death_is_in.
var tppONSDeaths = &model.Table{
	Module:                ModuleTPP,
	Name:                  "ons_deaths",
	PatientLevel:          true,
	Description:           "Registered deaths",
	ActivationFilterField: false,
	Columns:               append(onsDeathsColumns(), deathPlaceColumn()),
}

// deathPlaceColumn is the place column of tpp.ons_deaths and
// raw.tpp.ons_deaths.
func deathPlaceColumn() model.Column {
	return column("place", model.Str, categorical(
		"Care Home",
		"Elsewhere",
		"Home",
		"Hospice",
		"Hospital",
		"Other communal establishment",
	))
}

// tppOPA is tpp.opa: outpatient appointments (SUS).
var tppOPA = &model.Table{
	Module:                ModuleTPP,
	Name:                  "opa",
	Description:           "Outpatient appointments data (OPA) is provided via the NHS Secondary Uses Service.",
	ActivationFilterField: false,
	Columns: []model.Column{
		column("opa_ident", model.Int, notNull),
		{
			Name:                 "appointment_date",
			Type:                 model.Date,
			DummyDataConstraints: constraints(onOrAfter("2019-04-01")),
		},
		// This non-ascending order follows the NHS Data Model and Dictionary.
		column("attendance_status", model.Str, categorical("5", "6", "7", "2", "3", "4", "0")),
		column("consultation_medium_used", model.Str,
			categorical("01", "02", "03", "04", "05", "09", "10", "11", "98"),
		),
		column("first_attendance", model.Str, categorical("1", "2", "3", "4", "5", "9")),
		column("hrg_code", model.Str, model.Regex{Pattern: "[a-zA-Z]{2}[0-9]{2}[a-zA-Z]"}),
		column("outcome_of_attendance", model.Str, categorical("1", "2", "3", "4", "5")),
		{
			Name:                 "referral_request_received_date",
			Type:                 model.Date,
			DummyDataConstraints: constraints(onOrAfter("2019-04-01")),
		},
		column("treatment_function_code", model.Str),
	},
}

// tppOPACost is tpp.opa_cost: the cost of each outpatient appointment.
var tppOPACost = &model.Table{
	Module:                ModuleTPP,
	Name:                  "opa_cost",
	Description:           "Outpatient appointments data is provided via the NHS Secondary Uses Service.",
	ActivationFilterField: false,
	Columns: []model.Column{
		column("opa_ident", model.Int, notNull),
		column("tariff_opp", model.Float),
		column("grand_total_payment_mff", model.Float),
		column("tariff_total_payment", model.Float),
		column("appointment_date", model.Date),
		column("referral_request_received_date", model.Date),
	},
}

// tppOPADiag is tpp.opa_diag: outpatient diagnoses.
var tppOPADiag = &model.Table{
	Module:                ModuleTPP,
	Name:                  "opa_diag",
	Description:           "Outpatient appointments data is provided via the NHS Secondary Uses Service.",
	ActivationFilterField: false,
	Columns: []model.Column{
		column("opa_ident", model.Int, notNull),
		column("primary_diagnosis_code", icd10Code),
		column("primary_diagnosis_code_read", ctv3Code),
		column("secondary_diagnosis_code_1", icd10Code),
		column("secondary_diagnosis_code_1_read", ctv3Code),
		column("appointment_date", model.Date),
		column("referral_request_received_date", model.Date),
	},
}

// tppOPAProc is tpp.opa_proc: outpatient procedures.
var tppOPAProc = &model.Table{
	Module:                ModuleTPP,
	Name:                  "opa_proc",
	Description:           "Outpatient appointments data is provided via the NHS Secondary Uses Service.",
	ActivationFilterField: false,
	Columns: []model.Column{
		column("opa_ident", model.Int, notNull),
		column("primary_procedure_code", opcs4Code),
		column("primary_procedure_code_read", ctv3Code),
		column("procedure_code_2", opcs4Code),
		column("procedure_code_2_read", ctv3Code),
		column("appointment_date", model.Date),
		column("referral_request_received_date", model.Date),
	},
}

// tppOpenPrompt is tpp.open_prompt: OpenPROMPT survey answers.
var tppOpenPrompt = &model.Table{
	Module:                ModuleTPP,
	Name:                  "open_prompt",
	Description:           "This table contains responses to questions from the OpenPROMPT project.",
	RequiredPermission:    "open_prompt",
	ActivationFilterField: false,
	Columns: []model.Column{
		column("ctv3_code", ctv3Code, notNull),
		column("snomedct_code", snomedctCode),
		column("creation_date", model.Date, notNull),
		column("consultation_date", model.Date, notNull),
		column("consultation_id", model.Int, notNull),
		column("numeric_value", model.Float),
	},
}

// tppParents is tpp.parents.
var tppParents = &model.Table{
	Module:       ModuleTPP,
	Name:         "parents",
	PatientLevel: true,
	Description: "Provides the internal pseudonymous ID of the patient's mother, " +
		"if this is recorded in the SystmOne database.",
	ActivationFilterField: false,
	Columns: []model.Column{
		column("mother_id", model.Int),
	},
}

// tppPracticeRegistrations is tpp.practice_registrations:
// core.practice_registrations plus practice details. Helpers:
// exists_for_patient_on, for_patient_on, spanning, spanning_with_systmone.
var tppPracticeRegistrations = &model.Table{
	Module:                ModuleTPP,
	Name:                  "practice_registrations",
	Description:           "Each record corresponds to a patient's registration with a practice.",
	ActivationFilterField: nil,
	Columns: append(practiceRegistrationsColumns(),
		column("practice_stp", model.Str, model.Regex{Pattern: "E540000[0-9]{2}"}),
		column("practice_nuts1_region_name", model.Str, categorical(
			"North East",
			"North West",
			"Yorkshire and The Humber",
			"East Midlands",
			"West Midlands",
			"East",
			"London",
			"South East",
			"South West",
		)),
		column("practice_systmone_go_live_date", model.Date),
	),
}

// tppSGSSCovidAllTests is tpp.sgss_covid_all_tests: positive and negative
// SARS-CoV-2 tests.
var tppSGSSCovidAllTests = &model.Table{
	Module:                ModuleTPP,
	Name:                  "sgss_covid_all_tests",
	Description:           "!!! warning \"Access to this table requires the `sgss_covid_all_tests` permission\"",
	RequiredPermission:    "sgss_covid_all_tests",
	ActivationFilterField: false,
	Columns: []model.Column{
		column("specimen_taken_date", model.Date, notNull),
		column("is_positive", model.Bool, notNull),
		column("lab_report_date", model.Date, notNull),
		column("was_symptomatic", model.Bool),
		column("sgtf_status", model.Int, model.ClosedRange{Min: 0, Max: 9, Step: 1}),
		column("variant", model.Str),
		column("variant_detection_method", model.Str,
			categorical("Private Lab Sequencing", "Reflex Assay", "Sanger Provisional Result"),
		),
	},
}

// tppUKRR is tpp.ukrr: the UK Renal Registry.
var tppUKRR = &model.Table{
	Module:                ModuleTPP,
	Name:                  "ukrr",
	Description:           "!!! warning \"Access to this table requires the `ukrr` permission\"",
	RequiredPermission:    "ukrr",
	ActivationFilterField: false,
	Columns: []model.Column{
		column("dataset", model.Str, categorical(
			"2019_prevalence",
			"2020_prevalence",
			"2021_prevalence",
			"2020_incidence",
			"2020_ckd",
		)),
		column("renal_centre", model.Str),
		column("rrt_start_date", model.Date),
		column("latest_creatinine", model.Float),
		column("latest_egfr", model.Float),
		column("treatment_modality_start", model.Str),
		column("treatment_modality_prevalence", model.Str),
	},
}

// tppVaccinations is tpp.vaccinations: one row per vaccination and target
// disease.
var tppVaccinations = &model.Table{
	Module: ModuleTPP,
	Name:   "vaccinations",
	Description: "This table contains information on administered vaccinations, " +
		"identified using either the target disease (e.g. Influenza), " +
		"or the vaccine product name (e.g. Optaflu).",
	ActivationFilterField: "date",
	Columns: []model.Column{
		column("vaccination_id", model.Int),
		column("date", model.Date),
		column("target_disease", model.Str),
		column("product_name", model.Str),
	},
}

// tppWLClockstops is tpp.wl_clockstops: completed waiting-list pathways.
var tppWLClockstops = &model.Table{
	Module:                ModuleTPP,
	Name:                  "wl_clockstops",
	Description:           "Waiting List Minimum Data Set Clock Stops",
	RequiredPermission:    "waiting_list",
	ActivationFilterField: false,
	Columns: []model.Column{
		column("activity_treatment_function_code", model.Str, model.Regex{Pattern: "[a-zA-Z0-9]{3}"}),
		column("priority_type_code", model.Str, categorical("routine", "urgent", "two week wait")),
		column("pseudo_organisation_code_patient_pathway_identifier_issuer", model.Str),
		column("pseudo_patient_pathway_identifier", model.Str),
		column("pseudo_referral_identifier", model.Str),
		column("referral_request_received_date", model.Date),
		column("referral_to_treatment_period_end_date", model.Date),
		column("referral_to_treatment_period_start_date", model.Date),
		column("source_of_referral_for_outpatients", model.Str),
		column("waiting_list_type", model.Str,
			categorical("ORTT", "IRTT", "PTLO", "PTLI", "RTTO", "RTTI"),
		),
		column("week_ending_date", model.Date),
	},
}

// tppWLOpenpathways is tpp.wl_openpathways: weekly snapshots of open
// waiting-list pathways.
var tppWLOpenpathways = &model.Table{
	Module:                ModuleTPP,
	Name:                  "wl_openpathways",
	Description:           "Waiting List Minimum Data Set Open Pathways",
	RequiredPermission:    "waiting_list",
	ActivationFilterField: false,
	Columns: []model.Column{
		column("activity_treatment_function_code", model.Str, model.Regex{Pattern: "[a-zA-Z0-9]{3}"}),
		column("current_pathway_period_start_date", model.Date),
		column("priority_type_code", model.Str, categorical("routine", "urgent", "two week wait")),
		column("pseudo_organisation_code_patient_pathway_identifier_issuer", model.Str),
		column("pseudo_patient_pathway_identifier", model.Str),
		column("pseudo_referral_identifier", model.Str),
		column("referral_request_received_date", model.Date),
		column("referral_to_treatment_period_end_date", model.Date),
		column("referral_to_treatment_period_start_date", model.Date),
		column("source_of_referral", model.Str, model.Regex{Pattern: "[a-zA-Z0-9]{2}"}),
		column("waiting_list_type", model.Str,
			categorical("ORTT", "IRTT", "ONON", "INON", "PTLO", "PTLI", "RTTO", "RTTI"),
		),
		column("week_ending_date", model.Date),
	},
}
