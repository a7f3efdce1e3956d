// Package core is ehrQL's ehrql.tables.raw.core written in Go: minimally
// transformed data for data development. Its one table, ons_deaths, holds
// every registered death (the ons_deaths of package tables/core holds each
// patient's earliest); its data is stored as ons_deaths_raw. Import it under
// a name of its own:
//
//	rawcore "github.com/ehrql-go/ehrql/tables/raw/core"
//	latest := rawcore.ONSDeaths.SortBy(rawcore.ONSDeaths.Date).LastForPatient()
//
// The table is generated from the catalogue of package tables
// (a <table>_gen.go file per table).
package core
