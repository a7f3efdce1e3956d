package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ehrql-go/ehrql/engine/duck"
	"github.com/ehrql-go/ehrql/engine/secret"
	"github.com/ehrql-go/ehrql/engine/sqlname"
)

// Description summarises a store.
type Description struct {
	// Path is the store's file and Size its size in bytes.
	Path string
	Size int64
	// Tables are the store's tables, sorted by name.
	Tables []TableDescription
}

// TableDescription summarises one table of a store.
type TableDescription struct {
	Name    string
	Rows    int64
	Columns int
	// Patients is the number of distinct patient_id values (-1 if the
	// table has no patient_id column).
	Patients int64
	// Dates are the ranges of the table's DATE columns, in column order.
	Dates []DateRange
}

// DateRange is the range of one DATE column; Min and Max are zero when the
// column holds only NULLs.
type DateRange struct {
	Column   string
	Min, Max time.Time
	Nulls    int64
}

// Describe opens the store read-only and summarises it: its tables, their
// row and patient counts, the range of every date column, and the file size.
//
// No error shows a secret of the store's name (secret.MaskDSN).
func Describe(ctx context.Context, dsn string) (d Description, err error) {
	defer func() { err = secret.MaskError(err, dsn, strings.TrimPrefix(dsn, "duckdb://")) }()
	storePath := strings.TrimPrefix(dsn, "duckdb://")
	d = Description{Path: storePath}
	st, err := os.Stat(storePath)
	if err != nil {
		return d, fmt.Errorf("patient store: %w", err)
	}
	if st.IsDir() {
		return d, fmt.Errorf("patient store %s is a directory", storePath)
	}
	d.Size = st.Size()
	// DuckDB's default spill directory would be STORE.tmp beside the store:
	// use a directory of the run's own, removed at the end.
	db, err := duck.Open(ctx, storePath+"?access_mode=read_only", duck.FromEnv())
	if err != nil {
		return d, fmt.Errorf("patient store %s: %w", storePath, err)
	}
	defer db.Close()
	conn := db.Conn
	type col struct{ table, name, typ string }
	rows, err := conn.QueryContext(ctx, `SELECT table_name, column_name, data_type FROM information_schema.columns
		WHERE table_schema = 'main' AND table_name <> ? ORDER BY table_name, ordinal_position`, ManifestTable)
	if err != nil {
		return d, fmt.Errorf("patient store %s: %w", storePath, err)
	}
	var cols []col
	for rows.Next() {
		var c col
		if err := rows.Scan(&c.table, &c.name, &c.typ); err != nil {
			rows.Close()
			return d, err
		}
		cols = append(cols, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, err
	}
	for i := 0; i < len(cols); {
		j := i
		for j < len(cols) && cols[j].table == cols[i].table {
			j++
		}
		td := TableDescription{Name: cols[i].table, Columns: j - i, Patients: -1}
		sel := []string{"count(*)"}
		hasPID := false
		var dates []string
		for _, c := range cols[i:j] {
			if c.name == "patient_id" {
				hasPID = true
			}
			if c.typ == "DATE" {
				q := sqlname.Ident(c.name)
				sel = append(sel, "min("+q+")", "max("+q+")", "count(*) - count("+q+")")
				dates = append(dates, c.name)
			}
		}
		if hasPID {
			sel = append(sel, "count(DISTINCT patient_id)")
		}
		vals := make([]any, 0, len(sel))
		vals = append(vals, &td.Rows)
		mins := make([]sql.NullTime, len(dates))
		maxs := make([]sql.NullTime, len(dates))
		nulls := make([]int64, len(dates))
		for k := range dates {
			vals = append(vals, &mins[k], &maxs[k], &nulls[k])
		}
		if hasPID {
			vals = append(vals, &td.Patients)
		}
		q := "SELECT " + strings.Join(sel, ", ") + " FROM " + sqlname.Ident(cols[i].table)
		if err := conn.QueryRowContext(ctx, q).Scan(vals...); err != nil {
			return d, fmt.Errorf("describing table %s: %w", cols[i].table, err)
		}
		for k, name := range dates {
			td.Dates = append(td.Dates, DateRange{Column: name, Min: mins[k].Time, Max: maxs[k].Time, Nulls: nulls[k]})
		}
		d.Tables = append(d.Tables, td)
		i = j
	}
	return d, nil
}

// String renders the description as text: a line for the store, a table
// of the tables' rows, patients and columns, and the date columns' ranges.
func (d Description) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d tables, %s\n\n", d.Path, len(d.Tables), humanBytes(d.Size))
	w := tabwriter.NewWriter(&b, 2, 8, 2, ' ', 0)
	fmt.Fprintln(w, "table\trows\tpatients\tcolumns")
	for _, t := range d.Tables {
		patients := "-"
		if t.Patients >= 0 {
			patients = fmt.Sprint(t.Patients)
		}
		fmt.Fprintf(w, "%s\t%d\t%s\t%d\n", t.Name, t.Rows, patients, t.Columns)
	}
	w.Flush()
	b.WriteString("\n")
	w = tabwriter.NewWriter(&b, 2, 8, 2, ' ', 0)
	fmt.Fprintln(w, "date column\tfirst\tlast\tNULLs")
	for _, t := range d.Tables {
		for _, r := range t.Dates {
			first, last := "-", "-"
			if !r.Min.IsZero() {
				first, last = r.Min.Format(time.DateOnly), r.Max.Format(time.DateOnly)
			}
			fmt.Fprintf(w, "%s.%s\t%s\t%s\t%d\n", t.Name, r.Column, first, last, r.Nulls)
		}
	}
	w.Flush()
	return b.String()
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
