// Package gen renders the typed table packages under tables, one per ehrQL
// table module (tables/core, tables/tpp, tables/raw/tpp …), from the
// catalogue of package tables. Command gentyped writes its output; the
// packages' tests use its naming rules.
package gen

import (
	"strings"
	"unicode"
)

// tableInitialisms are the words of table names written in capitals in Go
// names (ons_deaths is ONSDeaths), following the catalogue's own
// identifiers.
var tableInitialisms = map[string]string{
	"apcs":   "APCS",
	"ec":     "EC",
	"id":     "ID",
	"isaric": "ISARIC",
	"ons":    "ONS",
	"opa":    "OPA",
	"sgss":   "SGSS",
	"sus":    "SUS",
	"ukrr":   "UKRR",
	"wl":     "WL",
}

// columnInitialisms are the words of column names written in capitals:
// only "id" (practice_pseudo_id is PracticePseudoID, imd_rounded is
// ImdRounded).
var columnInitialisms = map[string]string{
	"id": "ID",
}

// TableName is the exported Go name of a table: clinical_events is
// ClinicalEvents, ons_deaths is ONSDeaths.
func TableName(name string) string { return camel(name, tableInitialisms) }

// ColumnName is the Go field name of a column: snomedct_code is
// SnomedctCode, practice_pseudo_id is PracticePseudoID, cause_of_death_01
// is CauseOfDeath01.
func ColumnName(name string) string { return camel(name, columnInitialisms) }

// unexportedTableName is TableName with its first word in lower case, for
// unexported identifiers: ons_deaths is onsDeaths.
func unexportedTableName(name string) string {
	first, rest, _ := strings.Cut(name, "_")
	if rest == "" {
		return first
	}
	return first + camel(rest, tableInitialisms)
}

func camel(name string, initialisms map[string]string) string {
	var b strings.Builder
	for _, w := range strings.Split(name, "_") {
		if w == "" {
			continue
		}
		if up, ok := initialisms[w]; ok {
			b.WriteString(up)
			continue
		}
		r := []rune(w)
		r[0] = unicode.ToUpper(r[0])
		b.WriteString(string(r))
	}
	return b.String()
}
