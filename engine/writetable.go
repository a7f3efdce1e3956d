package engine

import (
	"context"
	"io"
	"strings"

	"github.com/ehrql-go/ehrql/engine/sqlname"
	"github.com/ehrql-go/ehrql/query/model"
)

// WriteTable writes a table the session holds, in the order its rows were
// loaded, to path in any output format (".arrow", ".csv", ".csv.gz"; "" or
// "-" for CSV on stdout): patient_id, then its columns, typed as the table
// declares them (categories dictionary-encoded in Arrow). It returns the
// number of rows.
func (s *Session) WriteTable(ctx context.Context, t *model.Table, path string, stdout io.Writer) (int64, error) {
	specs := []model.ColumnSpec{model.PatientIDSpec}
	cols := []string{"patient_id"}
	for _, c := range t.Columns {
		spec := model.ColumnSpec{Name: c.Name, Type: c.Type, Nullable: true}
		if cats, ok := c.Categories(); ok {
			spec.Categories = cats
		}
		specs = append(specs, spec)
		cols = append(cols, sqlname.Ident(c.Name))
	}
	query := "SELECT " + strings.Join(cols, ", ") + " FROM " + sqlname.TableRef(t) + " ORDER BY rowid"
	return runTable(ctx, s, []string{query}, specs, path, stdout)
}
