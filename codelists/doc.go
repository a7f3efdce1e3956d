// Package codelists provides the clinical coding systems of ehrQL
// (SNOMED-CT, dm+d, CTV3, ICD-10, OPCS-4 and BNF) and codelists: ordered
// sets of codes, optionally with a category per code, written as literals or
// loaded from CSV files with the semantics of ehrQL's codelist_from_csv.
//
// A System checks the form of individual codes:
//
//	codelists.SNOMEDCT.Valid("22298006")        // true
//	codelists.ICD10.Validate("i21")             // Invalid ICD10Code: i21
//	codelists.ICD10.ValidPrefix("I2")           // true: usable with contains
//
// A Codelist is built with New or NewCategorised, or read from a CSV file
// with Load, LoadCategorised, FromCSV or FromCSVWithCategories. Codes are
// plain strings and are checked against a system only when the codelist is
// used, with Codelist.Validate, as in ehrQL. FromCSV and
// FromCSVWithCategories keep a loading failure inside the Codelist (see
// Codelist.Err) so that it is reported when the codelist is used.
//
// Relative CSV paths are resolved against the working directory first and
// then against the dataset definition's directory, given by the
// EHRQL_DEFINITION_DIR environment variable.
package codelists
