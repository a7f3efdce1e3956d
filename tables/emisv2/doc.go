// Package emisv2 is ehrQL's ehrql.tables.emisv2 written in Go: the second
// schema of the OpenSAFELY-EMIS backend, which ehrQL does not yet document.
// patients, clinical_events and medications are the tables of package core,
// which emisv2 re-exports; addresses and practice_registrations, derived
// from the patient table, have at most one row per patient and their own
// helpers.
//
// The tables and their fields are generated from the catalogue of package
// tables (a <table>_gen.go file per table); the helpers are in helpers.go.
package emisv2
