package tables

import "github.com/ehrql-go/ehrql/query/model"

// The tables of ehrql.tables.emis and ehrql.tables.emisv2, the OpenSAFELY-EMIS
// backend. Both re-export core.clinical_events and core.medications; emis
// also re-exports core.ons_deaths, and emisv2 core.patients.

// emisPatients is emis.patients: core's patients with the patient's current
// practice registration and address characteristics. Helpers: age_on,
// has_practice_registration_spanning.
var emisPatients = &model.Table{
	Module:                ModuleEMIS,
	Name:                  "patients",
	PatientLevel:          true,
	Description:           "Patients in primary care, with their current practice registration.",
	ActivationFilterField: false,
	Columns: []model.Column{
		column("date_of_birth", model.Date, model.FirstOfMonth{}, notNull),
		column("sex", model.Str, categorical("female", "male", "unknown"), notNull),
		column("date_of_death", model.Date),
		column("registration_start_date", model.Date, notNull),
		column("registration_end_date", model.Date),
		column("practice_pseudo_id", model.Str, notNull),
		column("rural_urban_classification", model.Int, model.ClosedRange{Min: 1, Max: 8, Step: 1}),
		column("imd_rounded", model.Int, imdRoundedRange),
	},
}

// emisPracticeRegistrations is emis.practice_registrations: core's table
// declared again by the EMIS module, with the same columns and helpers.
var emisPracticeRegistrations = &model.Table{
	Module:                ModuleEMIS,
	Name:                  "practice_registrations",
	Description:           "Each record corresponds to a patient's registration with a practice (the current registration only).",
	ActivationFilterField: nil,
	Columns:               practiceRegistrationsColumns(),
}

// emisVaccinations is emis.vaccinations: vaccinations by SNOMED CT
// procedure code.
var emisVaccinations = &model.Table{
	Module:                ModuleEMIS,
	Name:                  "vaccinations",
	Description:           "Administered vaccinations, by SNOMED CT procedure code.",
	ActivationFilterField: false,
	Columns: []model.Column{
		column("date", model.Date),
		column("procedure_code", snomedctCode),
	},
}

// emisv2Addresses is emisv2.addresses: one row per practice registration
// period, derived from the patient table. Helper: for_patient_on.
var emisv2Addresses = &model.Table{
	Module:                ModuleEMISv2,
	Name:                  "addresses",
	Description:           "Geographic characteristics of the home address of each practice registration period.",
	ActivationFilterField: false,
	Columns: []model.Column{
		column("start_date", model.Date),
		{
			Name:                 "end_date",
			Type:                 model.Date,
			DummyDataConstraints: constraints(dateAfter("start_date")),
		},
		column("imd_rounded", model.Int, imdRoundedRange),
		column("msoa_code", model.Str, msoaCodePattern),
	},
}

// emisv2PracticeRegistrations is emisv2.practice_registrations: at most one
// registration per patient, derived from the patient table. Helpers:
// for_patient_on, exists_for_patient_on, spanning.
var emisv2PracticeRegistrations = &model.Table{
	Module:                ModuleEMISv2,
	Name:                  "practice_registrations",
	Description:           "Each record corresponds to a patient's registration with a practice.",
	ActivationFilterField: false,
	Columns: []model.Column{
		column("start_date", model.Date, notNull),
		{
			Name:                 "end_date",
			Type:                 model.Date,
			DummyDataConstraints: constraints(alwaysNull()),
		},
	},
}

// smoketestPatients is smoketest.patients: the one column of the schema
// for end-to-end tests of every backend.
var smoketestPatients = &model.Table{
	Module:                ModuleSmoketest,
	Name:                  "patients",
	PatientLevel:          true,
	Description:           "Patients' month of birth, for end-to-end tests of a backend.",
	ActivationFilterField: false,
	Columns: []model.Column{
		column("date_of_birth", model.Date, model.FirstOfMonth{}, notNull),
	},
}
