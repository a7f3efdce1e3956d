package main

import (
	"context"
	"fmt"
	"html"
	"io"
	"os"
	"strings"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/engine/duck"
	"github.com/ehrql-go/ehrql/engine/memory"
	"github.com/ehrql-go/ehrql/engine/output"
	"github.com/ehrql-go/ehrql/internal/definition"
	"github.com/ehrql-go/ehrql/query/model"
)

func init() {
	commands["debug"] = debug
}

// debug runs a definition with show() switched on and prints, on stderr as
// ehrQL does, each show in definition order, computed on the dummy tables.
func debug(ctx context.Context, args, params []string, stdout, stderr io.Writer) error {
	fs := commandFlags("debug")
	dummyTables := fs.String("dummy-tables", "", "folder of dummy tables, one <table>.csv, .csv.gz or .arrow each")
	format := fs.String("display-format", "ascii", "Options: `ascii`, `html` (default `ascii`)")
	defPath, err := parse(fs, args, stdout)
	if err != nil {
		return err
	}
	render, ok := renderers[*format]
	if !ok {
		return &usageError{fmt.Sprintf("argument --display-format: invalid choice: '%s' (choose from 'ascii', 'html')", *format)}
	}
	if *dummyTables != "" {
		if st, err := os.Stat(*dummyTables); err != nil || !st.IsDir() {
			return &usageError{fmt.Sprintf("argument --dummy-tables: %s is not an existing directory", *dummyTables)}
		}
	}
	opts, err := definition.OptionsFromEnv(false)
	if err != nil {
		return &usageError{err.Error()}
	}
	shows, _, loadErr := definition.Debug(ctx, defPath, params, opts)
	for _, s := range shows {
		t, err := evaluateShow(ctx, s, *dummyTables)
		if err != nil {
			return fmt.Errorf("show() at %s: %w", s.Location, err)
		}
		label := ""
		if s.Label != "" {
			label = " " + s.Label
		}
		fmt.Fprintf(stderr, "Show line %s:%s\n%s\n", showLine(s.Location), label, render(t, int(s.Head), int(s.Tail)))
	}
	return loadErr
}

// showLine writes a show's file:line as "12 (dataset_definition.go)".
func showLine(loc string) string {
	i := strings.LastIndexByte(loc, ':')
	if i < 0 {
		return loc
	}
	return loc[i+1:] + " (" + loc[:i] + ")"
}

// evaluateShow computes what a show displays, on the tables it reads
// from the dummy tables folder, with the reference engine (ehrQL's
// debugger evaluates on its in-memory engine too).
func evaluateShow(ctx context.Context, s *model.Show, dir string) (memory.Table, error) {
	roots := append([]*model.Node{}, s.Elements...)
	if s.Population != nil {
		roots = append(roots, s.Population)
	}
	tables := engine.TablesOf(roots...)
	data := memory.Data{}
	if len(tables) > 0 {
		if dir == "" {
			return memory.Table{}, &usageError{"showing tables needs --dummy-tables DIR"}
		}
		sess, err := engine.OpenCSVTables(ctx, dir, tables, duck.FromEnv())
		if err != nil {
			return memory.Table{}, err
		}
		defer sess.Close()
		if data, err = sess.ReadRows(ctx, tables); err != nil {
			return memory.Table{}, err
		}
	}
	if s.Kind != model.ShowDataset {
		t, err := memory.Show(s.Elements, data)
		if err == nil && len(s.Days) > 0 {
			inDays(t, s.Days)
		}
		return t, err
	}
	if s.Population == nil && len(s.Elements) == 0 {
		// ehrQL shows a dataset with nothing in it as one empty row.
		return memory.Table{Columns: []string{"patient_id"}, Rows: [][]any{{nil}}}, nil
	}
	vars := make([]model.Variable, len(s.Elements))
	for i, n := range s.Elements {
		vars[i] = model.Variable{Name: s.Names[i], Series: n}
	}
	return memory.ShowDataset(s.Population, vars, data)
}

// inDays writes the values of date differences as ehrQL shows them:
// "N days" (NULL stays empty). The series follow patient_id (and row_id).
func inDays(t memory.Table, days []bool) {
	first := len(t.Columns) - len(days)
	for _, row := range t.Rows {
		for i, d := range days {
			if v := row[first+i]; d && v != nil {
				row[first+i] = fmt.Sprintf("%v days", v)
			}
		}
	}
}

// renderers draw a shown table as ehrQL's --display-format does.
var renderers = map[string]func(t memory.Table, head, tail int) string{
	"ascii": asciiTable,
	"html":  htmlTable,
}

// headTail keeps the first head and last tail rows, and says whether rows
// were left out between them (ehrQL's headtail).
func headTail(rows [][]any, head, tail int) (first [][]any, ellipsis bool, last [][]any) {
	if head == 0 && tail == 0 || len(rows) <= head+tail {
		return rows, false, nil
	}
	return rows[:head], true, rows[len(rows)-tail:]
}

// headerless drops the column names of a table with no rows: ehrQL takes
// them from the first row.
func headerless(t memory.Table) memory.Table {
	if len(t.Rows) == 0 {
		t.Columns = nil
	}
	return t
}

// showValue writes a value as ehrQL's debugger does: NULL as nothing.
func showValue(v any) string {
	if v == nil {
		return ""
	}
	return output.PyStr(v)
}

// asciiTable is ehrQL's records_to_ascii_table: columns 17 wide, lines
// trimmed.
func asciiTable(t memory.Table, head, tail int) string {
	const width = 17
	t = headerless(t)
	cells := func(vals []string) string {
		for i, v := range vals {
			vals[i] = v + strings.Repeat(" ", max(0, width-len([]rune(v))))
		}
		return strings.TrimSpace(strings.Join(vals, " | "))
	}
	row := func(r []any) string {
		vals := make([]string, len(r))
		for i, v := range r {
			vals[i] = showValue(v)
		}
		return cells(vals)
	}
	dashes := make([]string, len(t.Columns))
	dots := make([]string, len(t.Columns))
	for i := range t.Columns {
		dashes[i] = strings.Repeat("-", width)
		dots[i] = "..."
	}
	lines := []string{cells(append([]string{}, t.Columns...)), strings.TrimSpace(strings.Join(dashes, "-+-"))}
	first, ellipsis, last := headTail(t.Rows, head, tail)
	for _, r := range first {
		lines = append(lines, row(r))
	}
	if ellipsis {
		lines = append(lines, cells(dots))
	}
	for _, r := range last {
		lines = append(lines, row(r))
	}
	return strings.Join(lines, "\n")
}

// htmlTable is ehrQL's records_to_html_table, between the markers its
// editor extension looks for; values are escaped.
func htmlTable(t memory.Table, head, tail int) string {
	t = headerless(t)
	var b strings.Builder
	b.WriteString("<!-- start debug output --><table><thead><tr>")
	for _, c := range t.Columns {
		fmt.Fprintf(&b, "<th>%s</th>", html.EscapeString(c))
	}
	b.WriteString("</tr></thead><tbody>")
	row := func(r []any) {
		b.WriteString("<tr>")
		for _, v := range r {
			fmt.Fprintf(&b, "<td>%s</td>", html.EscapeString(showValue(v)))
		}
		b.WriteString("</tr>")
	}
	first, ellipsis, last := headTail(t.Rows, head, tail)
	for _, r := range first {
		row(r)
	}
	if ellipsis {
		b.WriteString("<tr>" + strings.Repeat("<td>&hellip;</td>", len(t.Columns)) + "</tr>")
	}
	for _, r := range last {
		row(r)
	}
	b.WriteString("</tbody></table><!-- end debug output -->")
	return b.String()
}
