package query

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/query/model"
)

// TableFromFile reads a patient-level table from a CSV (or CSV.gz) file
// when the definition runs (ehrQL's table_from_file): a patient_id column
// and the given columns, matched by header name; an empty cell is NULL,
// booleans are T or F, dates YYYY-MM-DD. Its rows travel inside the query
// model, so a saved definition replays without the file. Columns are read
// with Column, as for user-defined tables. A relative path is looked up in
// the working directory, then in the definition's directory. A file of any
// other type, named by its extension as in ehrQL, is refused with a message
// saying which types are read: an Arrow file too, as the language reads no
// Arrow (a JSON definition's table_from_file of an Arrow file is read by the
// ehrql command).
func TableFromFile(path string, columns ...model.Column) PatientFrame {
	t, rows, err := readTableFile(path, columns)
	if err != nil {
		return PatientFrame{frame{err: fail(err)}}
	}
	n, err := model.InlinePatientTable(t, rows)
	if err != nil {
		return PatientFrame{frame{err: fail(fmt.Errorf("%s: %w", path, err))}}
	}
	return PatientFrame{frame{n: n}}
}

func readTableFile(path string, columns []model.Column) (*model.Table, [][]model.Literal, error) {
	switch ext := fileType(path); ext {
	case ".csv", ".csv.gz":
	case ".arrow":
		return nil, nil, fmt.Errorf("TableFromFile(%q): a Go definition reads table files as CSV or CSV.gz, not Arrow: write the table as CSV (for example generate-dataset --output %s.csv)", path, strings.TrimSuffix(path, ".arrow"))
	default:
		if ext == "" {
			ext = "(none)"
		}
		return nil, nil, fmt.Errorf("TableFromFile(%q): unsupported file type %s: a Go definition reads table files as CSV (.csv) or CSV.gz (.csv.gz)", path, ext)
	}
	resolved := codelists.ResolvePath(path)
	stem := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(path), ".gz"), ".csv")
	t := &model.Table{Name: model.TableFileName(stem), PatientLevel: true, Columns: columns}
	if err := t.Validate(); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	fcs := make([]model.FileColumn, len(columns))
	for i, c := range columns {
		fcs[i] = model.FileColumn{Column: c, Nullable: true}
	}
	rows, err := model.ReadTableFile(resolved, path, fcs, false)
	if err != nil {
		return nil, nil, err
	}
	return t, rows, nil
}

// fileType is a table file's type as ehrQL reads it from the name: its
// extension, or its last two for a gzipped file (".csv.gz").
func fileType(path string) string {
	base := filepath.Base(path)
	ext := filepath.Ext(base)
	if ext == ".gz" {
		ext = filepath.Ext(strings.TrimSuffix(base, ext)) + ext
	}
	return ext
}
