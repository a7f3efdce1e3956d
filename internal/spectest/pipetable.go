package spectest

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ehrql-go/ehrql/query/model"
)

// Row is one parsed row of a pipe table: patient_id and the values of the
// columns named in the header (absent columns are NULL).
type Row struct {
	PatientID int64
	Values    map[string]any
}

// ParseTable parses ehrQL's spec-test table format (tests/spec/conftest.py):
//
//	  | i1  | b1       header: the first cell labels patient_id (any text)
//	--+-----+----      separator line, ignored
//	1 | 101 | T        rows: patient_id, then values in header order
//	1 |     |          an empty cell is NULL; missing trailing cells are NULL
//
// Cells are split on a '|' that is not next to another '|', so multi-code
// strings such as "||E119 ,J849" survive, and are stripped of white space.
// Values parse by column type (see ParseValue).
func ParseTable(tbl *model.Table, s string) ([]Row, error) {
	lines := strings.Split(strings.ReplaceAll(strings.TrimSpace(s), "\r\n", "\n"), "\n")
	if len(lines) < 2 {
		return nil, errors.New("a table needs a header line and a separator line")
	}
	header := strings.Split(lines[0], "|")
	types := make([]model.Type, len(header))
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
		if i == 0 {
			header[i] = "patient_id"
			types[i] = model.Int
			continue
		}
		c, ok := tbl.Column(header[i])
		if !ok {
			return nil, fmt.Errorf("header names %q, which is not a column of %s", header[i], tbl.Name)
		}
		if slices.Contains(header[:i], header[i]) {
			return nil, fmt.Errorf("header names %q twice", header[i])
		}
		types[i] = c.Type
	}
	var rows []Row
	for n, line := range lines[2:] {
		cells := splitRow(line)
		if len(cells) > len(header) {
			return nil, fmt.Errorf("row %d has %d cells but the header has %d: %q", n+1, len(cells), len(header), line)
		}
		r := Row{Values: map[string]any{}}
		for i, cell := range cells {
			v, err := ParseValue(types[i], strings.TrimSpace(cell))
			if err != nil {
				return nil, fmt.Errorf("row %d, column %s: %w", n+1, header[i], err)
			}
			if i == 0 {
				if v == nil {
					return nil, fmt.Errorf("row %d has no patient_id: %q", n+1, line)
				}
				r.PatientID = v.(int64)
				continue
			}
			r.Values[header[i]] = v
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// splitRow splits a row on every '|' that has no '|' on either side.
func splitRow(line string) []string {
	var cells []string
	start := 0
	for i := 0; i < len(line); i++ {
		if line[i] != '|' {
			continue
		}
		if (i > 0 && line[i-1] == '|') || (i+1 < len(line) && line[i+1] == '|') {
			continue
		}
		cells = append(cells, line[start:i])
		start = i + 1
	}
	return append(cells, line[start:])
}

// ParseValue parses one cell (of a pipe table or an output CSV) by type:
// int, float, bool T/F, ISO date, and strings, codes and multi-code strings
// as written; "" is NULL.
func ParseValue(typ model.Type, s string) (any, error) {
	if s == "" {
		return nil, nil
	}
	switch typ.Kind {
	case model.KindBool:
		switch s {
		case "T":
			return true, nil
		case "F":
			return false, nil
		}
		return nil, fmt.Errorf("%q is not T or F", s)
	case model.KindInt:
		return strconv.ParseInt(s, 10, 64)
	case model.KindFloat:
		return strconv.ParseFloat(s, 64)
	case model.KindDate:
		return model.ParseDate(s)
	case model.KindStr, model.KindCode, model.KindMultiCode:
		return s, nil
	}
	return nil, fmt.Errorf("cannot parse values of type %s", typ.Name())
}
