package sqlname

import (
	"math"
	"strconv"
	"strings"

	"github.com/ehrql-go/ehrql/query/model"
)

// TableRef is how SQL names a table of the data source: qualified by its
// schema, main. The compiler's own relations are CTEs, which can never be
// qualified, so a user table is read as itself even when its name is that
// of one of them (aggs_1, population, ...).
func TableRef(t *model.Table) string { return "main." + Ident(t.Name) }

// String renders a string as a SQL expression of its exact value.
// DuckDB's parser ends a query at a NUL byte, so NULs are spliced in with
// chr(0) rather than written inside the quotes.
func String(v string) string {
	parts := strings.Split(v, "\x00")
	for i, p := range parts {
		parts[i] = "'" + strings.ReplaceAll(p, "'", "''") + "'"
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, " || chr(0) || ") + ")"
}

// Literal renders a scalar literal as typed SQL.
func Literal(l model.Literal) string {
	switch v := l.Go().(type) {
	case bool:
		if v {
			return "TRUE"
		}
		return "FALSE"
	case int64:
		return "CAST(" + strconv.FormatInt(v, 10) + " AS BIGINT)"
	case float64:
		switch {
		case math.IsInf(v, 1):
			return "CAST('inf' AS DOUBLE)"
		case math.IsInf(v, -1):
			return "CAST('-inf' AS DOUBLE)"
		case math.IsNaN(v):
			return "CAST('nan' AS DOUBLE)"
		case v == 0 && math.Signbit(v):
			return "CAST('-0.0' AS DOUBLE)" // a numeric -0.0 would parse as 0
		}
		return "CAST(" + strconv.FormatFloat(v, 'g', -1, 64) + " AS DOUBLE)"
	case string:
		return String(v)
	case model.CivilDate:
		return "DATE '" + v.String() + "'"
	}
	return "NULL"
}
