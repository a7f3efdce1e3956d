package engine

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2/mapping"

	"github.com/ehrql-go/ehrql/engine/output"
)

// collect is an output.Writer that keeps every batch's rows as Go values.
type collect struct {
	batches []int64
	rows    [][]any
}

func (c *collect) Write(rec arrow.RecordBatch) error {
	c.batches = append(c.batches, rec.NumRows())
	for r := 0; r < int(rec.NumRows()); r++ {
		var row []any
		for _, col := range rec.Columns() {
			if col.IsNull(r) {
				row = append(row, nil)
				continue
			}
			switch a := col.(type) {
			case *array.Int64:
				row = append(row, a.Value(r))
			case *array.Boolean:
				row = append(row, a.Value(r))
			case *array.Float64:
				row = append(row, a.Value(r))
			case *array.String:
				row = append(row, a.Value(r))
			case *array.Date32:
				row = append(row, a.Value(r).FormattedString())
			}
		}
		c.rows = append(c.rows, row)
	}
	return nil
}
func (c *collect) Close() error { return nil }
func (c *collect) Abort()       {}

var streamCols = []output.Column{
	{Name: "patient_id", Kind: output.Int},
	{Name: "b", Kind: output.Bool, Nullable: true},
	{Name: "i", Kind: output.Int, Nullable: true},
	{Name: "f", Kind: output.Float, Nullable: true},
	{Name: "s", Kind: output.Str, Nullable: true},
	{Name: "d", Kind: output.Date, Nullable: true},
}

// TestStreamValues: every kind of value, NULLs, strings stored inline
// (up to 12 bytes) and out of line, and the extreme dates, come out of
// DuckDB exactly.
func TestStreamValues(t *testing.T) {
	ctx := context.Background()
	s := emptySession(t)
	long := strings.Repeat("é", 40)
	q := `SELECT * FROM (VALUES
	(1::BIGINT, TRUE,  -5::BIGINT, 0.5::DOUBLE, 'a'::VARCHAR, DATE '2020-01-31'),
	(2::BIGINT, NULL,  NULL, NULL, NULL, NULL),
	(3::BIGINT, FALSE, 9223372036854775807::BIGINT, 'nan'::DOUBLE, 'twelve bytes', DATE '0001-01-01'),
	(4::BIGINT, TRUE,  '-9223372036854775808'::BIGINT, '-inf'::DOUBLE, 'thirteen byte', DATE '1969-12-31'),
	(5::BIGINT, FALSE, 0::BIGINT, -0.0::DOUBLE, '` + long + `', DATE '9999-12-31'),
	(6::BIGINT, NULL, 7::BIGINT, 1e300::DOUBLE, '', DATE '1970-01-01')
) AS t(patient_id, b, i, f, s, d) ORDER BY patient_id`
	var got collect
	n, err := s.stream(ctx, q, streamCols, &got)
	if err != nil || n != 6 {
		t.Fatalf("stream: %d rows, %v", n, err)
	}
	want := [][]any{
		{int64(1), true, int64(-5), 0.5, "a", "2020-01-31"},
		{int64(2), nil, nil, nil, nil, nil},
		{int64(3), false, int64(math.MaxInt64), math.NaN(), "twelve bytes", "0001-01-01"},
		{int64(4), true, int64(math.MinInt64), math.Inf(-1), "thirteen byte", "1969-12-31"},
		{int64(5), false, int64(0), math.Copysign(0, -1), long, "9999-12-31"},
		{int64(6), nil, int64(7), 1e300, "", "1970-01-01"},
	}
	for r, row := range want {
		for c, w := range row {
			g := got.rows[r][c]
			if wf, ok := w.(float64); ok {
				gf, _ := g.(float64)
				if !(math.IsNaN(wf) && math.IsNaN(gf)) && (gf != wf || math.Signbit(gf) != math.Signbit(wf)) {
					t.Errorf("row %d column %s = %v, want %v", r, streamCols[c].Name, g, w)
				}
				continue
			}
			if g != w {
				t.Errorf("row %d column %s = %#v, want %#v", r, streamCols[c].Name, g, w)
			}
		}
	}
}

// TestStreamBatches: results of many DuckDB chunks are regrouped into
// batches of output.DefaultBatchSize rows, in order, with NULLs where
// they fall (the validity masks of chunks after the first).
func TestStreamBatches(t *testing.T) {
	ctx := context.Background()
	s := emptySession(t)
	const rows = 150001
	q := `SELECT range AS patient_id, CASE WHEN range % 7 = 0 THEN NULL ELSE range % 2 = 0 END AS b,
  CASE WHEN range % 3 = 0 THEN NULL ELSE range END AS i, CAST(range AS DOUBLE) / 4 AS f,
  CASE WHEN range % 5 = 0 THEN NULL ELSE 'value number ' || range END AS s,
  DATE '2000-01-01' + CAST(range % 10000 AS INTEGER) AS d
FROM range(0, 150001) ORDER BY range`
	var got collect
	n, err := s.stream(ctx, q, streamCols, &got)
	if err != nil || n != rows {
		t.Fatalf("stream: %d rows, %v", n, err)
	}
	if want := []int64{64000, 64000, 22001}; len(got.batches) != 3 || got.batches[0] != want[0] || got.batches[2] != want[2] {
		t.Errorf("batches of %v rows, want %v", got.batches, want)
	}
	for r, row := range got.rows {
		x := int64(r)
		if row[0] != x {
			t.Fatalf("row %d: patient_id %v", r, row[0])
		}
		wantB := any(x%2 == 0)
		if x%7 == 0 {
			wantB = nil
		}
		wantI := any(x)
		if x%3 == 0 {
			wantI = nil
		}
		wantS := any("value number " + itoa(x))
		if x%5 == 0 {
			wantS = nil
		}
		if row[1] != wantB || row[2] != wantI || row[3] != float64(x)/4 || row[4] != wantS {
			t.Fatalf("row %d = %v", r, row)
		}
	}
}

func itoa(x int64) string { return strconv.FormatInt(x, 10) }

// TestStreamRefusesWrongTypes: a query whose column is not of the type its
// kind requires fails, naming the column, without showing a value.
func TestStreamRefusesWrongTypes(t *testing.T) {
	ctx := context.Background()
	s := emptySession(t)
	cols := []output.Column{{Name: "patient_id", Kind: output.Int}, {Name: "x", Kind: output.Int, Nullable: true}}
	_, err := s.stream(ctx, "SELECT 1::BIGINT, 'secret'", cols, &collect{})
	if err == nil || !strings.Contains(err.Error(), "reading column 'x'") || strings.Contains(err.Error(), "secret") {
		t.Errorf("error = %v", err)
	}
	_, err = s.stream(ctx, "SELECT 1::BIGINT", cols, &collect{})
	if err == nil || !strings.Contains(err.Error(), "query returns 1 columns, want 2") {
		t.Errorf("error = %v", err)
	}
}

// TestRawConnection: the C connection is found behind the driver's
// connection (a driver upgrade that moves it fails here first), and
// anything else is refused rather than guessed at.
func TestRawConnection(t *testing.T) {
	s := emptySession(t)
	err := s.conn.Raw(func(dc any) error {
		_, err := rawConnection(dc)
		return err
	})
	if err != nil {
		t.Errorf("driver connection: %v", err)
	}
	type conn struct{ conn int }
	for _, dc := range []any{nil, 3, &struct{}{}, &conn{}} {
		if _, err := rawConnection(dc); err == nil {
			t.Errorf("rawConnection(%#v) found a connection", dc)
		}
	}
}

// TestStreamCancelled: a cancelled context stops the query with the
// context's error.
func TestStreamCancelled(t *testing.T) {
	s := emptySession(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.stream(ctx, "SELECT range FROM range(0, 10)", []output.Column{{Name: "patient_id", Kind: output.Int}}, &collect{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
}

// TestStreamCancelNeverLeaksAnInterrupt: a context cancelled while a query
// finishes never interrupts the connection's next query (nor touches a
// connection closed after it): the interrupt is only ever sent while the
// query runs.
func TestStreamCancelNeverLeaksAnInterrupt(t *testing.T) {
	s := emptySession(t)
	// The interrupt is slowed down, so that one sent late would land on
	// the next query.
	defer func(f func(mapping.Connection)) { interruptQuery = f }(interruptQuery)
	interruptQuery = func(c mapping.Connection) {
		time.Sleep(3 * time.Millisecond)
		mapping.Interrupt(c)
	}
	cols := []output.Column{{Name: "patient_id", Kind: output.Int}}
	const short = "SELECT range FROM range(0, 20000)"
	const long = "SELECT count(*) FROM range(0, 20000000)" // runs while a late interrupt would land
	for i := range 40 {
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			time.Sleep(time.Duration(i%20) * 50 * time.Microsecond)
			cancel()
		}()
		s.stream(ctx, short, cols, &collect{}) // may or may not be cancelled
		if n, err := s.stream(context.Background(), long, cols, &collect{}); err != nil || n != 1 {
			t.Fatalf("round %d: the next query got %d rows, %v", i, n, err)
		}
		cancel()
	}
}

// emptySession opens a DuckDB session with no tables, closed when the test
// ends.
func emptySession(t testing.TB) *Session {
	t.Helper()
	s, err := OpenEmpty(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
