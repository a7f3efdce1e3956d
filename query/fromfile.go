package query

import (
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
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
// the working directory, then in the definition's directory.
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

var notIdent = regexp.MustCompile(`[^A-Za-z0-9_]+`)

func readTableFile(path string, columns []model.Column) (*model.Table, [][]model.Literal, error) {
	f, err := os.Open(codelists.ResolvePath(path))
	if err != nil {
		return nil, nil, fmt.Errorf("Missing file: %s", path)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		r = zr
	}
	stem := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(path), ".gz"), ".csv")
	t := &model.Table{Name: "file_" + strings.Trim(notIdent.ReplaceAllString(stem, "_"), "_"), PatientLevel: true, Columns: columns}
	if err := t.Validate(); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: reading the header: %w", path, err)
	}
	pos := map[string]int{}
	for i, h := range header {
		pos[strings.TrimPrefix(h, "\ufeff")] = i
	}
	var missing []string
	for _, name := range append([]string{"patient_id"}, columnNames(columns)...) {
		if _, ok := pos[name]; !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, nil, fmt.Errorf("%s: Missing columns: %s", path, strings.Join(missing, ", "))
	}
	types := append([]model.Type{model.Int}, columnTypes(columns)...)
	names := append([]string{"patient_id"}, columnNames(columns)...)
	var rows [][]model.Literal
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		row := make([]model.Literal, len(names))
		for i, name := range names {
			cell := rec[pos[name]]
			if cell == "" {
				if i == 0 {
					return nil, nil, fmt.Errorf("%s, line %d, column 'patient_id': NULL value in non-nullable column", path, line)
				}
				continue
			}
			v, err := parseCell(cell, types[i])
			if err != nil {
				return nil, nil, fmt.Errorf("%s, line %d, column '%s': %w", path, line, name, err)
			}
			row[i] = v
		}
		rows = append(rows, row)
	}
	return t, rows, nil
}

func columnNames(cs []model.Column) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name
	}
	return out
}

func columnTypes(cs []model.Column) []model.Type {
	out := make([]model.Type, len(cs))
	for i, c := range cs {
		out[i] = c.Type
	}
	return out
}

// parseCell reads one CSV value of type t.
func parseCell(s string, t model.Type) (model.Literal, error) {
	switch t.Kind {
	case model.KindBool:
		switch s {
		case "T":
			return model.BoolLit(true), nil
		case "F":
			return model.BoolLit(false), nil
		}
		return model.Literal{}, fmt.Errorf("invalid boolean %q, must be 'T' or 'F'", s)
	case model.KindInt:
		i, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return model.Literal{}, fmt.Errorf("invalid int %q", s)
		}
		return model.IntLit(i), nil
	case model.KindFloat:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return model.Literal{}, fmt.Errorf("invalid float %q", s)
		}
		return model.FloatLit(f), nil
	case model.KindDate:
		d, err := model.ParseDate(s)
		if err != nil {
			return model.Literal{}, err
		}
		return model.DateLit(d), nil
	case model.KindCode:
		return model.CodeLit(t.System, s)
	case model.KindStr:
		return model.StrLit(s), nil
	}
	return model.Literal{}, fmt.Errorf("columns of type %s cannot be read from files", t.Name())
}
