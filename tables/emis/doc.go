// Package emis is ehrQL's ehrql.tables.emis written in Go: typed frames for
// the tables of the OpenSAFELY-EMIS backend, with their helper methods.
// clinical_events, medications and ons_deaths are the tables of package
// core, which emis re-exports; patients carries the current practice
// registration (HasPracticeRegistrationSpanning), and vaccinations are by
// SNOMED CT procedure code.
//
//	ds.DefinePopulation(emis.Patients.HasPracticeRegistrationSpanning(start, end))
//	ds.Add("age", emis.Patients.AgeOn(start))
//
// The tables and their fields are generated from the catalogue of package
// tables (a <table>_gen.go file per table); the helpers are in helpers.go.
package emis
