// Package sqlname is the one home of the DuckDB names of ehrQL things:
// quoted identifiers, the column type of an ehrQL type, and the CREATE
// TABLE statement of a table in the layout every data source uses
// (patient_id BIGINT NOT NULL, then the schema's columns). It does not
// import DuckDB.
package sqlname

import (
	"strings"

	"github.com/ehrql-go/ehrql/query/model"
)

// Ident quotes a DuckDB identifier.
func Ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// Type is the DuckDB type of a value of ehrQL type t (a set's elements
// have the type of its element kind).
func Type(t model.Type) string {
	switch t.Kind {
	case model.KindBool:
		return "BOOLEAN"
	case model.KindInt:
		return "BIGINT"
	case model.KindFloat:
		return "DOUBLE"
	case model.KindDate:
		return "DATE"
	}
	return "VARCHAR"
}

// CreateTable is the CREATE TABLE statement for t: patient_id BIGINT NOT
// NULL, then t's columns in schema order.
func CreateTable(t *model.Table) string {
	var b strings.Builder
	b.WriteString("CREATE TABLE ")
	b.WriteString(Ident(t.Name))
	b.WriteString(" (patient_id BIGINT NOT NULL")
	for _, c := range t.Columns {
		b.WriteString(", ")
		b.WriteString(Ident(c.Name))
		b.WriteByte(' ')
		b.WriteString(Type(c.Type))
	}
	b.WriteString(")")
	return b.String()
}
