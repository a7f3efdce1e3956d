// Package core is ehrQL's ehrql.tables.core written in Go: typed frames for
// the tables every backend provides (patients, practice_registrations,
// clinical_events, medications and ons_deaths), with their helper methods.
//
// Each table is a package-level var whose fields are its columns:
//
//	events := core.ClinicalEvents.Where(core.ClinicalEvents.Date.IsOnOrBefore(index))
//	last := events.SortBy(events.Date).LastForPatient()
//	ds.Add("code", last.SnomedctCode)
//	ds.Add("age", core.Patients.AgeOn(index))
//
// The vars are immutable query values: Where, SortBy and the helpers return
// new frames and never change the table they start from. The tables and
// their fields are generated from the catalogue of package tables
// (a <table>_gen.go file per table); the helpers are in helpers.go.
package core
