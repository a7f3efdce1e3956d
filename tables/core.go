package tables

import "github.com/ehrql-go/ehrql/query/model"

// The tables of ehrql.tables.core, the cross-backend subset of the schema.

// corePatients is core.patients, also exported by ehrql.tables.tpp as
// tpp.patients. Helpers: age_on, is_alive_on, is_dead_on.
var corePatients = &model.Table{
	Module:                ModuleCore,
	Name:                  "patients",
	PatientLevel:          true,
	Description:           "Patients in primary care.",
	ActivationFilterField: false,
	Columns: []model.Column{
		column("date_of_birth", model.Date, model.FirstOfMonth{}, notNull),
		column("sex", model.Str,
			categorical("female", "male", "intersex", "unknown"),
			notNull,
		),
		column("date_of_death", model.Date),
	},
}

// corePracticeRegistrations is core.practice_registrations. It is filtered
// at table level by the backend (activation filter field None). Helpers:
// exists_for_patient_on, for_patient_on, spanning.
var corePracticeRegistrations = &model.Table{
	Module:                ModuleCore,
	Name:                  "practice_registrations",
	Description:           "Each record corresponds to a patient's registration with a practice.",
	ActivationFilterField: nil,
	Columns:               practiceRegistrationsColumns(),
}

// practiceRegistrationsColumns returns the columns of
// core.practice_registrations, which tpp.practice_registrations inherits.
func practiceRegistrationsColumns() []model.Column {
	return []model.Column{
		column("start_date", model.Date, notNull),
		{
			Name:                 "end_date",
			Type:                 model.Date,
			DummyDataConstraints: constraints(alwaysNull()),
		},
		{
			Name:                 "practice_pseudo_id",
			Type:                 model.Int,
			Constraints:          constraints(notNull),
			DummyDataConstraints: constraints(model.ClosedRange{Min: 0, Max: 999, Step: 1}),
		},
	}
}

// coreClinicalEvents is core.clinical_events.
var coreClinicalEvents = &model.Table{
	Module:                ModuleCore,
	Name:                  "clinical_events",
	Description:           "Each record corresponds to a single clinical or consultation event for a patient.",
	ActivationFilterField: "date",
	Columns: []model.Column{
		column("date", model.Date),
		column("snomedct_code", snomedctCode),
		column("numeric_value", model.Float),
	},
}

// coreMedications is core.medications.
var coreMedications = &model.Table{
	Module:                ModuleCore,
	Name:                  "medications",
	Description:           "The medications table provides data about prescribed medications in primary care.",
	ActivationFilterField: "date",
	Columns:               medicationsColumns(),
}

// medicationsColumns returns the columns of core.medications, which
// tpp.medications inherits.
func medicationsColumns() []model.Column {
	return []model.Column{
		column("date", model.Date),
		column("dmd_code", dmdCode),
	}
}

// coreONSDeaths is core.ons_deaths: the earliest registered death of each
// patient. Helper: cause_of_death_is_in.
var coreONSDeaths = &model.Table{
	Module:                ModuleCore,
	Name:                  "ons_deaths",
	PatientLevel:          true,
	Description:           "Registered deaths",
	ActivationFilterField: false,
	Columns:               onsDeathsColumns(),
}

// onsDeathsColumns returns the columns of core.ons_deaths, which
// tpp.ons_deaths inherits: date, underlying_cause_of_death and
// cause_of_death_01 … cause_of_death_15.
func onsDeathsColumns() []model.Column {
	cols := []model.Column{
		{
			Name:                 "date",
			Type:                 model.Date,
			DummyDataConstraints: constraints(onOrAfter("2019-02-01")),
		},
		column("underlying_cause_of_death", icd10Code),
	}
	return append(cols, numbered("cause_of_death_", 15, icd10Code)...)
}
