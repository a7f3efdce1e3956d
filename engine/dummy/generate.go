package dummy

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"runtime"
	"sync"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/engine/sqlname"
	"github.com/ehrql-go/ehrql/query/model"
)

// DefaultToday is the generator's "today": the latest date records can
// have (moved later if the definition uses later dates). It is fixed, not
// the clock's date, so that a seed always gives the same data.
var DefaultToday = model.CivilDate{Year: 2025, Month: 12, Day: 31}

// DefaultBatchSize is the number of candidate patients made and tested at
// a time.
const DefaultBatchSize = 5000

// Options tune Generate beyond the definition's configuration.
type Options struct {
	Seed      int64
	Today     model.CivilDate // zero: DefaultToday
	BatchSize int             // zero: DefaultBatchSize
}

// Table is the generated rows of one source table.
type Table struct {
	Table *model.Table
	// Rows are patient_id (int64) followed by the schema's columns in
	// schema order; a cell is nil (NULL), bool, int64, float64, string or
	// model.CivilDate.
	Rows [][]any
}

// Data is generated dummy data: rows for every table a dataset reads, for
// patients who are all in its population.
type Data struct {
	// Tables holds one entry per table the dataset reads, sorted by name.
	Tables []Table
	// Requested is the population size asked for, Found the number of
	// patients generated (fewer if the timeout passed first).
	Requested, Found int64
	// Candidates is the number of patients generated and tested.
	Candidates int64
	Seed       int64
	Elapsed    time.Duration
}

// Complete reports whether the requested population size was reached.
func (d *Data) Complete() bool { return d.Found >= d.Requested }

// Warning is "" when the population is complete, else ehrQL's warning
// that fewer patients were found than asked for.
func (d *Data) Warning() string {
	if d.Complete() {
		return ""
	}
	return fmt.Sprintf("Failed to find %d matching patients within %.0f seconds — giving up (found %d). "+
		"Consider raising the timeout with configure_dummy_data(timeout=...).", d.Requested, d.Elapsed.Seconds(), d.Found)
}

// Summary is a one-line report, e.g. "Generated 5000 of 5000 patients
// (seed 0) in 2.1s".
func (d *Data) Summary() string {
	return fmt.Sprintf("Generated %d of %d patients (seed %d) in %.1fs", d.Found, d.Requested, d.Seed, d.Elapsed.Seconds())
}

// Generate makes dummy data for ds: patients whose records exercise what
// the definition tests (its codes, date windows, thresholds and
// categories), within the tables' constraints, all of whom are in the
// population (ANDed with cfg.AdditionalPopulationConstraint). It stops at
// cfg.PopulationSize patients or after cfg.Timeout seconds; falling short
// is not an error (see Data.Warning), but a population that needs a
// value no column allows is (*CannotGenerate, see checkSatisfiable). Patients are numbered 1..N (unless
// the definition has inline tables, whose patient ids are used first).
// The result depends only on ds, cfg and seed.
func Generate(ctx context.Context, ds *model.Dataset, cfg model.DummyDataConfig, seed int64) (*Data, error) {
	return GenerateWith(ctx, ds, cfg, Options{Seed: seed})
}

// GenerateWith is Generate with options.
func GenerateWith(ctx context.Context, ds *model.Dataset, cfg model.DummyDataConfig, opts Options) (*Data, error) {
	start := time.Now()
	if ds == nil || ds.Population == nil {
		return nil, fmt.Errorf("dummy data: the dataset has no population")
	}
	size := cfg.PopulationSize
	if size <= 0 {
		size = model.DefaultDummyDataConfig().PopulationSize
	}
	timeout := time.Duration(cfg.Timeout) * time.Second
	if cfg.Timeout <= 0 {
		timeout = time.Duration(model.DefaultDummyDataConfig().Timeout) * time.Second
	}
	if opts.Today == (model.CivilDate{}) {
		opts.Today = DefaultToday
	}
	batch := opts.BatchSize
	if batch <= 0 {
		batch = DefaultBatchSize
	}

	pop := ds.Population
	if c := cfg.AdditionalPopulationConstraint; c != nil {
		var err error
		if pop, err = model.Function(model.OpAnd, pop, c); err != nil {
			return nil, fmt.Errorf("dummy data: additional population constraint: %w", err)
		}
	}
	if err := checkSatisfiable(pop); err != nil {
		return nil, err
	}
	q, err := engine.CompileDataset(&model.Dataset{Population: pop})
	if err != nil {
		return nil, fmt.Errorf("dummy data: compiling the population: %w", err)
	}
	a := analyze(ds, cfg.AdditionalPopulationConstraint)
	g := newGenerator(a, opts.Seed, opts.Today)

	ev, err := newEvaluator(ctx, q, a)
	if err != nil {
		return nil, err
	}
	defer ev.close()

	d := &Data{Requested: size, Seed: opts.Seed}
	for _, t := range a.order {
		d.Tables = append(d.Tables, Table{Table: t.table})
	}
	ids := newIDs(a.inline)
	var k int64
	for d.Found < size {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n := min(int64(batch), max(100, 2*(size-d.Found)))
		cands := g.batch(k, n, ids)
		matched, err := ev.run(ctx, cands)
		if err != nil {
			return nil, err
		}
		for _, c := range cands {
			if !matched[c.id] || d.Found >= size {
				continue
			}
			d.Found++
			id := c.id
			if len(a.inline) == 0 {
				id = d.Found
			}
			for ti, rows := range c.rows {
				for _, row := range rows {
					row[0] = id
				}
				d.Tables[ti].Rows = append(d.Tables[ti].Rows, rows...)
			}
		}
		k += n
		if time.Since(start) >= timeout {
			break
		}
	}
	d.Candidates = k
	d.Elapsed = time.Since(start)
	return d, nil
}

// ids hands out candidate patient ids: inline tables' ids first, then 1,
// 2, 3, ... skipping those.
type ids struct {
	inline []int64
	taken  map[int64]bool
	cache  []int64
	next   int64
}

func newIDs(inline []int64) *ids {
	t := map[int64]bool{}
	for _, id := range inline {
		t[id] = true
	}
	return &ids{inline: inline, taken: t, next: 1}
}

func (s *ids) of(k int64) int64 {
	if k < int64(len(s.inline)) {
		return s.inline[k]
	}
	if len(s.inline) == 0 {
		return k + 1
	}
	j := k - int64(len(s.inline))
	for int64(len(s.cache)) <= j {
		for s.taken[s.next] {
			s.next++
		}
		s.cache = append(s.cache, s.next)
		s.next++
	}
	return s.cache[j]
}

type candidate struct {
	id   int64
	rows [][][]any
}

// batch generates candidates k0 .. k0+n-1, in parallel.
func (g *generator) batch(k0, n int64, ids *ids) []candidate {
	out := make([]candidate, n)
	for i := range out {
		out[i].id = ids.of(k0 + int64(i))
	}
	workers := int64(runtime.GOMAXPROCS(0))
	chunk := (n + workers - 1) / workers
	var wg sync.WaitGroup
	for lo := int64(0); lo < n; lo += chunk {
		hi := min(n, lo+chunk)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				out[i].rows = g.patient(k0+i, out[i].id)
			}
		}()
	}
	wg.Wait()
	return out
}

// evaluator runs the population query over candidate batches in an
// in-memory DuckDB database.
type evaluator struct {
	db     *sql.DB
	conn   *sql.Conn
	q      *engine.Query
	tables []int // indexes into the analysis order of the tables the population reads
	a      *analysis
}

func newEvaluator(ctx context.Context, q *engine.Query, a *analysis) (*evaluator, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	ev := &evaluator{db: db, conn: conn, q: q, a: a}
	need := map[string]bool{}
	for _, t := range q.Tables {
		need[t.Name] = true
	}
	stmts := append([]string{}, q.Setup...)
	for i, t := range a.order {
		if !need[t.table.Name] {
			continue
		}
		ev.tables = append(ev.tables, i)
		stmts = append(stmts, sqlname.CreateTable(t.table))
	}
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			ev.close()
			return nil, fmt.Errorf("dummy data: setting up DuckDB: %w", err)
		}
	}
	return ev, nil
}

func (ev *evaluator) close() {
	ev.conn.Close()
	ev.db.Close()
}

// run loads the candidates and returns the ids of those in the population.
func (ev *evaluator) run(ctx context.Context, cands []candidate) (map[int64]bool, error) {
	for _, ti := range ev.tables {
		t := ev.a.order[ti].table
		if _, err := ev.conn.ExecContext(ctx, "DELETE FROM "+sqlname.Ident(t.Name)); err != nil {
			return nil, err
		}
		err := ev.conn.Raw(func(dc any) error {
			drv, ok := dc.(driver.Conn)
			if !ok {
				return fmt.Errorf("not a driver connection")
			}
			app, err := duckdb.NewAppenderFromConn(drv, "", t.Name)
			if err != nil {
				return err
			}
			vals := make([]driver.Value, len(t.Columns)+1)
			for _, c := range cands {
				for _, row := range c.rows[ti] {
					for i, v := range row {
						if d, ok := v.(model.CivilDate); ok {
							vals[i] = d.Time()
						} else {
							vals[i] = v
						}
					}
					if err := app.AppendRow(vals...); err != nil {
						app.Close()
						return err
					}
				}
			}
			return app.Close()
		})
		if err != nil {
			return nil, fmt.Errorf("dummy data: loading %s: %w", t.Name, err)
		}
	}
	rows, err := ev.conn.QueryContext(ctx, ev.q.SQL)
	if err != nil {
		return nil, fmt.Errorf("dummy data: running the population query: %w", err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}
