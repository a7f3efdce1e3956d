// Package tpp is ehrQL's ehrql.tables.raw.tpp written in Go: minimally
// transformed TPP data for data development (isaric, medications,
// repeat_medications, ons_deaths, the waiting lists as stored, historical
// APCS). Each table's data is stored under ehrQL's name for it, which is
// also the name of its dummy table file: medications is medications_raw.
// Import it under a name of its own:
//
//	rawtpp "github.com/ehrql-go/ehrql/tables/raw/tpp"
//	meds := rawtpp.Medications.Where(rawtpp.Medications.MedicationStatus.Eq(query.Int(4)))
//
// The tables are generated from the catalogue of package tables
// (a <table>_gen.go file per table).
package tpp
