package dummy

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/query/model"
)

// Header returns the CSV header of a table: patient_id then every schema
// column, in schema order.
func Header(t *model.Table) []string {
	h := []string{"patient_id"}
	for _, c := range t.Columns {
		h = append(h, c.Name)
	}
	return h
}

// FormatValue renders a cell as ehrQL's CSV files do: "" for NULL, T/F,
// YYYY-MM-DD, decimal ints, floats with a decimal point or exponent.
func FormatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		if x {
			return "T"
		}
		return "F"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		format := byte('g')
		if a := math.Abs(x); a >= 1e-4 && a < 1e16 {
			format = 'f'
		}
		s := strconv.FormatFloat(x, format, -1, 64)
		if !strings.ContainsAny(s, ".eIN") {
			s += ".0"
		}
		return s
	case string:
		return x
	case model.CivilDate:
		return x.String()
	}
	return fmt.Sprint(v)
}

// writeTable writes one table as CSV (CRLF line ends, as Python's csv
// module does).
func writeTable(w io.Writer, t Table) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(Header(t.Table)); err != nil {
		return err
	}
	rec := make([]string, len(t.Table.Columns)+1)
	for _, row := range t.Rows {
		for i, v := range row {
			rec[i] = FormatValue(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteCSVDir writes one <table>.csv per table into dir (created if
// needed), in the format --dummy-tables reads. Each file is written to a
// temporary name and renamed into place only when every file is
// complete, so a failure leaves no partial table behind.
func (d *Data) WriteCSVDir(dir string) (err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var tmps []string
	defer func() {
		if err != nil {
			for _, p := range tmps {
				os.Remove(p)
			}
		}
	}()
	for _, t := range d.Tables {
		f, err := os.CreateTemp(dir, "."+t.Table.Name+".csv.tmp*")
		if err != nil {
			return err
		}
		tmps = append(tmps, f.Name())
		bw := bufio.NewWriterSize(f, 1<<16)
		werr := writeTable(bw, t)
		if werr == nil {
			werr = bw.Flush()
		}
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return fmt.Errorf("writing %s: %w", t.Table.Name, werr)
		}
	}
	for i, t := range d.Tables {
		if err := os.Rename(tmps[i], filepath.Join(dir, t.Table.Name+".csv")); err != nil {
			return err
		}
	}
	return nil
}

// WriteTo writes every table as CSV to w, as ehrQL prints several tables
// to the console: each preceded by its name on its own line, tables
// separated by a blank line.
func (d *Data) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	for i, t := range d.Tables {
		if i > 0 {
			io.WriteString(cw, "\n\n")
		}
		io.WriteString(cw, t.Table.Name+"\n")
		if err := writeTable(cw, t); err != nil {
			return cw.n, err
		}
	}
	return cw.n, cw.err
}

type countWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}

// TableList returns the tables the data has rows for.
func (d *Data) TableList() []*model.Table {
	out := make([]*model.Table, len(d.Tables))
	for i, t := range d.Tables {
		out[i] = t.Table
	}
	return out
}

// Open starts an engine session holding the data, so that the real
// dataset query can run over it (the data goes through the same CSV
// loader as --dummy-tables).
func (d *Data) Open(ctx context.Context, opts engine.Options) (*engine.Session, error) {
	dir, err := os.MkdirTemp("", "ehrql-dummy-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if err := d.WriteCSVDir(dir); err != nil {
		return nil, err
	}
	return engine.OpenCSVTables(ctx, dir, d.TableList(), opts)
}
