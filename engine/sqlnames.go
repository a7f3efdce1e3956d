package engine

import (
	"strings"

	"github.com/ehrql-go/ehrql/query/model"
)

// tableRef is how SQL names a table of the data source: qualified by its
// schema, main. The compiler's own relations are CTEs, which can never be
// qualified, so a user table is read as itself even when its name is that
// of one of them (aggs_1, population, ...).
func tableRef(t *model.Table) string { return "main." + ident(t.Name) }

// stringLiteral renders a string as a SQL expression of its exact value.
// DuckDB's parser ends a query at a NUL byte, so NULs are spliced in with
// chr(0) rather than written inside the quotes.
func stringLiteral(v string) string {
	parts := strings.Split(v, "\x00")
	for i, p := range parts {
		parts[i] = "'" + strings.ReplaceAll(p, "'", "''") + "'"
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, " || chr(0) || ") + ")"
}
