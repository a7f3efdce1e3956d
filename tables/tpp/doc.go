// Package tpp is ehrQL's ehrql.tables.tpp written in Go: typed frames for
// every table of the OpenSAFELY-TPP backend, with their helper methods.
//
// Each table is a package-level var whose fields are its columns:
//
//	events := tpp.ClinicalEvents.Where(tpp.ClinicalEvents.Date.IsOnOrBetween(start, end))
//	last := events.SortBy(events.Date).LastForPatient()
//	ds.Add("code", last.SnomedctCode)
//	ds.Add("age", tpp.Patients.AgeOn(start))
//
// As in ehrQL, tpp.Patients is the table ehrql.tables.core.patients, and
// builds the same query as core.Patients. The other tables that share a
// name with a core table (clinical_events, medications, ons_deaths,
// practice_registrations) are TPP's own, with extra columns; those ehrQL
// declares as extensions of core's (medications, ons_deaths,
// practice_registrations) have core's helpers too.
//
// The vars are immutable query values: Where, SortBy and the helpers return
// new frames and never change the table they start from. The tables and
// their fields are generated from the catalogue of package tables
// (a <table>_gen.go file per table); the helpers are in helpers.go.
package tpp
