// Package spec runs ehrQL's spec tests (tests/spec in the ehrql repository,
// described in section 4 of the language digest) against the DuckDB engine.
//
// Each case gives table data as ehrQL's pipe tables, a series written in the
// Go language (package query) over the spec tables P and E, mirroring the
// ehrQL expression of the spec test (e.where(e.i1 > 1).sort_by(e.i2)
// .first_for_patient().i1 is query.Column[intP](E.Where(ei1().Gt(query.Int(1)))
// .SortBy(ei2()).FirstForPatient(), "i1")), and the exact value expected for
// every patient. The harness builds a query.Dataset whose population is
// every patient of every table given (unless the case says otherwise) and
// whose only variable is the series, and runs it twice: (a) the dataset's
// query model as the Go language built it, and (b) the same dataset through
// JSON (model.Encode, then model.Decode); (a) and (b) must have identical
// node IDs. Each run writes the tables as CSV dummy tables (or, for store
// cases, a DuckDB patient store file), compiles the dataset (ehrQL's
// "dump_sql" mode: the SQL must compile), runs it ("execute" mode), reads the
// CSV output back by the series' type and compares it with the expectation:
// the patient sets must match exactly, no patient may appear twice, and
// floats agree to a relative 1e-5. The same query is also run to an Arrow
// file, which must accept the results (its column types come from the
// column specs).
//
// Cases named test_* are ehrQL's own spec tests (same name, same data where
// the digest or ehrQL gives it); cases named extra_* pin further behaviour the
// digest states without a spec test. The few cases the Go language cannot
// express are built from query-model nodes and listed in modelBuilt.
// Every case also runs on the reference engine (engine/memory), which must
// give the same expected values, so a slip in a hand-written expectation
// shows up as a disagreement with it rather than as an engine bug.
// docs/language.md lists the chapters with their case counts, which
// TestLanguageDocCounts checks. The spec tables, their pipe-table format
// and the comparison of values live in internal/spectest, which the query
// model's own tests share.
package spec

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/engine/dummy"
	"github.com/ehrql-go/ehrql/engine/memory"
	"github.com/ehrql-go/ehrql/engine/sqlname"
	"github.com/ehrql-go/ehrql/internal/spectest"
	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/query/model"
)

// The spec tables' frames: p is ehrQL's p (patient-level), e its e
// (event-level).
var (
	p = must(model.SelectTable(spectest.PatientTable))
	e = must(model.SelectTable(spectest.EventTable))
)

// tables is a case's table data: pipe-table text keyed by the table frame
// (p or e).
type tables map[*model.Node]string

// specCase is one spec test.
type specCase struct {
	name string
	data tables
	// series is the variable under test, built with the Go language
	// (package query) over P and E.
	series query.PatientSeries
	// population, if nil, is every patient in any table of data; else a
	// query.BoolPatientSeries.
	population query.PatientSeries
	// modelSeries and modelPopulation replace series and population for
	// the few cases the Go language cannot express; such a case must be
	// listed in modelBuilt.
	modelSeries, modelPopulation *model.Node
	// want maps each patient in the population to the expected value: nil
	// (NULL), int64, float64, bool, string or model.CivilDate. Untyped
	// integer constants are accepted for int and float series.
	want map[int64]any
	// wantError, if set, replaces want: the run must fail on the data
	// with an error of this kind, naming the variable (ehrQL raises).
	wantError model.EvalErrorKind
	// store, if set, runs the case from a DuckDB patient store file
	// (engine.OpenStore) instead of CSV dummy tables.
	store bool
	// skip, if set, skips execution (the SQL must still compile): it
	// describes a known engine bug.
	skip string
}

// modelBuilt lists the cases built from query-model nodes because the Go
// language cannot express them, with what it lacks.
var modelBuilt = map[string]string{}

// buildError carries a query-model construction error out of the case
// builders (which panic with it) to runChapter.
type buildError struct{ err error }

func (b buildError) Error() string { return b.err.Error() }

// must returns n, panicking on a construction error.
func must(n *model.Node, err error) *model.Node {
	if err != nil {
		panic(buildError{err})
	}
	return n
}

// chapter is one chapter of the suite: a file of cases.
type chapter struct {
	name  string // the file's name without _test.go, as in ehrQL's tests/spec
	build func(t testing.TB) []specCase
}

// chapters lists the suite's chapters, in the order of docs/language.md.
var chapters = []chapter{
	{"aggregate_frame", aggregateFrameCases},
	{"aggregate_series", aggregateSeriesCases},
	{"bool_series_ops", boolSeriesOpsCases},
	{"case_expressions", caseExpressionsCases},
	{"code_series_ops", codeSeriesOpsCases},
	{"combine_series", combineSeriesCases},
	{"date_series_ops", dateSeriesOpsCases},
	{"filter", filterCases},
	{"float_series_ops", floatSeriesOpsCases},
	{"int_series_ops", intSeriesOpsCases},
	{"multi_code_string_series_ops", multiCodeStringSeriesOpsCases},
	{"population", populationCases},
	{"series_ops", seriesOpsCases},
	{"sort_and_pick", sortAndPickCases},
	{"str_series_ops", strSeriesOpsCases},
	{"user_tables", userTablesCases},
}

// runChapter builds a chapter's cases and runs each as a parallel subtest.
func runChapter(t *testing.T, build func(t testing.TB) []specCase) {
	t.Helper()
	cases := buildCases(t, build)
	if len(cases) == 0 {
		t.Fatal("chapter has no cases")
	}
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.name] {
			t.Fatalf("two cases are named %s", c.name)
		}
		seen[c.name] = true
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			runCase(t, c)
		})
	}
}

func buildCases(t testing.TB, build func(t testing.TB) []specCase) (cases []specCase) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("building the chapter's cases: %v\n%s", r, debug.Stack())
		}
	}()
	return build(t)
}

// noTables resolves no catalogue table: the spec tables are user-defined,
// written inline in the JSON query model.
type noTables struct{}

func (noTables) LookupTable(module, name string) (*model.Table, bool) { return nil, false }
func (noTables) CataloguedName(string) bool                           { return false }

// definition builds the case's dataset: with the Go language (query.Dataset)
// or, for the cases of modelBuilt, from its model nodes.
func (c specCase) definition(frames []*model.Node) (*model.Definition, error) {
	if c.modelSeries != nil {
		if _, ok := modelBuilt[c.name]; !ok {
			return nil, fmt.Errorf("case %s is built from model nodes but is not listed in modelBuilt", c.name)
		}
		pop := c.modelPopulation
		if pop == nil {
			pop = defaultPopulation(frames)
		}
		cfg := model.DefaultDummyDataConfig()
		return &model.Definition{
			Dataset:                &model.Dataset{Population: pop, Variables: []model.Variable{{Name: "v", Series: c.modelSeries}}},
			DatasetDummyDataConfig: &cfg,
		}, nil
	}
	if _, ok := modelBuilt[c.name]; ok {
		return nil, fmt.Errorf("case %s is listed in modelBuilt but built with the Go language", c.name)
	}
	if c.series == nil {
		return nil, fmt.Errorf("case %s has no series", c.name)
	}
	ds := query.NewDataset()
	switch pop := c.population.(type) {
	case nil:
		ds.DefinePopulation(defaultPopulationLang(frames))
	case query.BoolPatientSeries:
		ds.DefinePopulation(pop)
	default:
		return nil, fmt.Errorf("population is a %T, not a query.BoolPatientSeries", pop)
	}
	ds.Add("v", c.series)
	return ds.Definition()
}

// runCase runs one case twice, each in both of ehrQL's modes (dump_sql: the
// dataset compiles to non-empty SQL; execute: the results match): (a) the
// dataset as the Go language builds it, and (b) the same dataset through
// JSON (model.Encode, then model.Decode). Both runs must give the expected
// values, and (a) and (b) must have identical node IDs.
func runCase(t *testing.T, c specCase) {
	frames := tableFrames(c.data)
	data := map[string][]spectest.Row{}
	for _, f := range frames {
		rows, err := spectest.ParseTable(f.Table(), c.data[f])
		if err != nil {
			t.Fatalf("table %s: %v", f.Table().Name, err)
		}
		data[f.Table().Name] = rows
	}
	def, err := c.definition(frames)
	if err != nil {
		t.Fatalf("building the dataset: %v", err)
	}
	js, err := model.Encode(def)
	if err != nil {
		t.Fatalf("encoding the dataset: %v", err)
	}
	decoded, err := model.Decode(js, noTables{})
	if err != nil {
		t.Fatalf("decoding the dataset: %v\nJSON: %s", err, js)
	}
	a, b := def.Dataset, decoded.Dataset
	if len(b.Variables) != 1 || b.Variables[0].Name != "v" {
		t.Fatalf("the decoded dataset's variables are %v, want just v", b.Variables)
	}
	if a.Variables[0].Series.ID() != b.Variables[0].Series.ID() {
		t.Fatalf("the variable's node ID changed through JSON:\n  Go:   %v\n  JSON: %v", a.Variables[0].Series, b.Variables[0].Series)
	}
	if a.Population.ID() != b.Population.ID() {
		t.Fatalf("the population's node ID changed through JSON:\n  Go:   %v\n  JSON: %v", a.Population, b.Population)
	}

	typ := a.Variables[0].Series.Type()
	if (c.wantError != "") == (c.want != nil) {
		t.Fatalf("a case gives exactly one of want and wantError")
	}
	want, err := spectest.Normalise(c.want, typ)
	if err != nil {
		t.Fatalf("bad expectation: %v", err)
	}
	// The reference engine must give the expected values too.
	ref, err := referenceResults(data, a)
	if c.wantError != "" {
		var me *memory.Error
		if !errors.As(err, &me) || me.Err.Kind != c.wantError || me.Where != "variable 'v'" {
			t.Fatalf("reference engine: got %v, want a %q error in variable 'v'", err, c.wantError)
		}
	} else if err != nil {
		t.Fatalf("reference engine: %v", err)
	}
	if diffs := spectest.Compare(ref, want, typ); len(diffs) > 0 {
		t.Fatalf("reference engine: wrong results:\n  %s", strings.Join(diffs, "\n  "))
	}
	for _, run := range []struct {
		label string
		ds    *model.Dataset
	}{{"Go language", a}, {"through JSON", b}} {
		runDataset(t, c, run.label, run.ds, data, want)
	}
}

// runDataset compiles and (unless the case is skipped) runs one dataset and
// compares its results with want.
func runDataset(t *testing.T, c specCase, label string, ds *model.Dataset, data map[string][]spectest.Row, want map[int64]any) {
	t.Helper()
	ctx := context.Background()
	// dump_sql.
	q, err := engine.CompileDataset(ds)
	if err != nil {
		t.Fatalf("%s: compiling: %v", label, err)
	}
	if strings.TrimSpace(q.Script()) == "" || strings.TrimSpace(q.SQL) == "" {
		t.Fatalf("%s: compiling gave no SQL", label)
	}
	if c.skip != "" {
		t.Skip(c.skip)
	}
	// execute.
	typ := ds.Variables[0].Series.Type()
	dir := t.TempDir()
	var sess *engine.Session
	if c.store {
		path := filepath.Join(dir, "store.duckdb")
		if err := writeStore(ctx, path, q.Tables, data); err != nil {
			t.Fatalf("%s: writing the store: %v", label, err)
		}
		sess, err = engine.OpenStore(ctx, path, q.Tables, engine.Options{Threads: 1})
	} else {
		for _, tbl := range q.Tables {
			if err := writeCSV(filepath.Join(dir, tbl.Name+".csv"), tbl, data[tbl.Name]); err != nil {
				t.Fatal(err)
			}
		}
		sess, err = engine.OpenCSVTables(ctx, dir, q.Tables, engine.Options{Threads: 1})
	}
	if err != nil {
		t.Fatalf("%s: loading tables: %v", label, err)
	}
	defer sess.Close()
	got, dups, err := execute(ctx, sess, dir, q, typ)
	if c.wantError != "" {
		var de *engine.DataError
		if !errors.As(err, &de) || !strings.HasPrefix(de.Msg, "variable 'v': ") || !strings.Contains(de.Msg, string(c.wantError)) {
			t.Fatalf("%s: the run gave %v, want an *engine.DataError in variable 'v' saying %q", label, err, c.wantError)
		}
		return
	}
	if err != nil {
		t.Fatalf("%s: %v\nSQL:\n%s", label, err, q.SQL)
	}
	if diffs := spectest.Compare(got, want, typ); len(diffs) > 0 {
		t.Fatalf("%s: wrong results:\n  %s\nSQL:\n%s", label, strings.Join(diffs, "\n  "), q.SQL)
	}
	if len(dups) > 0 {
		// ehrQL's harness rejects duplicate patient ids.
		t.Fatalf("%s: duplicate patient ids %v in the output\nSQL:\n%s", label, dups, q.SQL)
	}
}

// tableFrames lists the frames of the tables given, p before e.
func tableFrames(data tables) []*model.Node {
	var out []*model.Node
	for _, f := range []*model.Node{p, e} {
		if _, ok := data[f]; ok {
			out = append(out, f)
		}
	}
	if len(out) != len(data) {
		panic("table data may only be given for p and e")
	}
	return out
}

// defaultPopulation is ehrQL's harness default: False | t1.exists_for_patient()
// | t2.exists_for_patient() …, built as the harness builds it
// (population = table.exists_for_patient() | population).
func defaultPopulation(frames []*model.Node) *model.Node {
	pop := val(false)
	for _, f := range frames {
		pop = or(exists(f), pop)
	}
	return pop
}

// defaultPopulationLang is defaultPopulation in the Go language.
func defaultPopulationLang(frames []*model.Node) query.BoolPatientSeries {
	pop := query.Bool(false)
	for _, f := range frames {
		if f == p {
			pop = P.ExistsForPatient().Or(pop)
		} else {
			pop = E.ExistsForPatient().Or(pop)
		}
	}
	return pop
}

// execute runs the query on the session to a CSV file in dir and reads the
// results back (see readResults).
func execute(ctx context.Context, sess *engine.Session, dir string, q *engine.Query, typ model.Type) (map[int64]any, []int64, error) {
	out := filepath.Join(dir, "output", "dataset.csv")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return nil, nil, err
	}
	if _, err := q.Run(ctx, sess, out, io.Discard); err != nil {
		return nil, nil, fmt.Errorf("running: %w", err)
	}
	// The Arrow output narrows ints and dictionary-encodes categories
	// from the column spec: it must accept every result too.
	arrowOut := filepath.Join(dir, "output", "dataset.arrow")
	if _, err := q.Run(ctx, sess, arrowOut, io.Discard); err != nil {
		return nil, nil, fmt.Errorf("running to Arrow: %w", err)
	}
	return readResults(out, typ)
}

// writeStore writes the tables into a new DuckDB patient store file, one
// typed table each (patient_id, then every column), as a store built by a
// data pipeline would hold them.
func writeStore(ctx context.Context, path string, tbls []*model.Table, data map[string][]spectest.Row) error {
	db, err := sql.Open("duckdb", path)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, tbl := range tbls {
		defs := []string{"patient_id BIGINT NOT NULL"}
		marks := []string{"?"}
		for _, c := range tbl.Columns {
			defs = append(defs, fmt.Sprintf("%q %s", c.Name, sqlname.Type(c.Type)))
			marks = append(marks, "?")
		}
		if _, err := db.ExecContext(ctx, fmt.Sprintf("CREATE TABLE %q (%s)", tbl.Name, strings.Join(defs, ", "))); err != nil {
			return err
		}
		stmt, err := db.PrepareContext(ctx, fmt.Sprintf("INSERT INTO %q VALUES (%s)", tbl.Name, strings.Join(marks, ", ")))
		if err != nil {
			return err
		}
		for _, r := range data[tbl.Name] {
			args := []any{r.PatientID}
			for _, c := range tbl.Columns {
				v := r.Values[c.Name]
				if d, ok := v.(model.CivilDate); ok {
					v = d.String()
				}
				args = append(args, v)
			}
			if _, err := stmt.ExecContext(ctx, args...); err != nil {
				stmt.Close()
				return fmt.Errorf("table %s: %w", tbl.Name, err)
			}
		}
		stmt.Close()
	}
	return db.Close()
}

// readResults parses the dataset CSV (patient_id, v), v by the series type.
// It also returns the patient ids that appear more than once; rows of one
// patient that disagree are an error.
func readResults(path string, typ model.Type) (map[int64]any, []int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(records) == 0 || !slices.Equal(records[0], []string{"patient_id", "v"}) {
		return nil, nil, fmt.Errorf("output header is %q, want [patient_id v]", records[:min(1, len(records))])
	}
	got := map[int64]any{}
	var dups []int64
	for _, r := range records[1:] {
		if len(r) != 2 {
			return nil, nil, fmt.Errorf("output row %q does not have two fields", r)
		}
		pid, err := strconv.ParseInt(r[0], 10, 64)
		if err != nil {
			return nil, nil, fmt.Errorf("output patient_id %q: %w", r[0], err)
		}
		v, err := spectest.ParseValue(typ, r[1])
		if err != nil {
			// ehrQL's harness checks that every value is an instance of
			// the series' declared type; here it must parse as one.
			return nil, nil, fmt.Errorf("patient %d: value %q is not a %s: %w", pid, r[1], typ.Name(), err)
		}
		if prev, dup := got[pid]; dup {
			if !slices.Contains(dups, pid) {
				dups = append(dups, pid)
			}
			if !spectest.SameValue(prev, v, typ) {
				return nil, nil, fmt.Errorf("patient %d appears twice in the output, with %s and %s", pid, spectest.Show(prev), spectest.Show(v))
			}
			continue
		}
		got[pid] = v
	}
	return got, dups, nil
}

// writeCSV writes a dummy table as the dummy-data generator writes one: a
// header of patient_id and every column of tbl, then the rows (columns
// absent from a row are empty, i.e. NULL).
func writeCSV(path string, tbl *model.Table, rows []spectest.Row) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	rec := dummy.Header(tbl)
	w.Write(rec)
	for _, r := range rows {
		rec = rec[:0]
		rec = append(rec, strconv.FormatInt(r.PatientID, 10))
		for _, c := range tbl.Columns {
			rec = append(rec, dummy.FormatValue(r.Values[c.Name]))
		}
		w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// referenceResults runs the dataset on the reference engine
// (engine/memory) and returns the variable's value for each patient in the
// population.
func referenceResults(data map[string][]spectest.Row, ds *model.Dataset) (map[int64]any, error) {
	md := memory.Data{}
	for name, rows := range data {
		for _, r := range rows {
			md[name] = append(md[name], memory.Row{PatientID: r.PatientID, Values: r.Values})
		}
	}
	res, err := memory.Run(ds, md, memory.Options{})
	if err != nil {
		return nil, err
	}
	out := map[int64]any{}
	for _, r := range res.Dataset.Rows {
		out[r[0].(int64)] = r[1]
	}
	return out, nil
}

// ---------------------------------------------------------------------------
// Query-model helpers, for the default population (as ehrQL's harness builds
// it), the cases of modelBuilt and tests that need datasets the Go language
// does not make (event-level output tables).

// val makes a Value node of a bool, int64 or string.
func val(v any) *model.Node {
	switch x := v.(type) {
	case bool:
		return model.MustValue(model.BoolLit(x))
	case int64:
		return model.MustValue(model.IntLit(x))
	case string:
		return model.MustValue(model.StrLit(x))
	}
	panic(fmt.Sprintf("no literal for %T", v))
}

func fn(op model.Op, args ...*model.Node) *model.Node { return must(model.Function(op, args...)) }

func col(frame *model.Node, name string) *model.Node { return must(model.SelectColumn(frame, name)) }

func or(a, b *model.Node) *model.Node  { return fn(model.OpOr, a, b) }
func add(a, b *model.Node) *model.Node { return fn(model.OpAdd, a, b) }

func exists(frame *model.Node) *model.Node { return must(model.Aggregate(model.OpExists, frame)) }
func count(frame *model.Node) *model.Node  { return must(model.Aggregate(model.OpCount, frame)) }
func sumFor(s *model.Node) *model.Node     { return must(model.Aggregate(model.OpSum, s)) }

// date parses an ISO date for expectations.
func date(s string) model.CivilDate { return model.MustParseDate(s) }
