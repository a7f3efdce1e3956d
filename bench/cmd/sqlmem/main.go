// Command sqlmem runs a SQL script, such as the output of
// `ehrql dump-dataset-sql`, on a patient store under a DuckDB memory limit,
// and reports whether its last statement completed, how long it took and
// the peak of DuckDB's memory by tag (duckdb_memory(), sampled every 20 ms
// from a second connection). The tags tell which operators hold the memory
// when a query fails with "Out of Memory Error": HASH_TABLE (hash joins and
// aggregations), ORDER_BY, BASE_TABLE (the store's blocks being read),
// COLUMN_DATA (materialized results), ALLOCATOR (aggregate states outside the
// hash tables, which DuckDB cannot write to disk). See bench/RESULTS.md,
// "Memory".
//
//	go run ./bench/cmd/sqlmem -db STORE -memory-limit 100MB [-threads 2] [-set 'SET x = y'] SCRIPT.sql
//
// The store is opened read-only as the engine opens it (engine/duck: a
// spill directory of its own, the threads and memory limit given). Every
// statement but the last is executed; the last one's rows are read and
// counted. Statements end with a semicolon at the end of a line; lines
// starting with "--" are comments. Exit status 1 if a statement fails.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ehrql-go/ehrql/engine/duck"
)

func main() {
	db := flag.String("db", "", "the patient store (.duckdb)")
	mem := flag.String("memory-limit", "", "DuckDB memory limit, e.g. 100MB")
	threads := flag.Int("threads", 0, "DuckDB threads (0: DuckDB's default)")
	set := flag.String("set", "", "statements to run first, separated by semicolons (e.g. 'SET preserve_insertion_order = false')")
	flag.Parse()
	if *db == "" || flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: sqlmem -db STORE [-memory-limit 100MB] [-threads N] [-set STMTS] SCRIPT.sql")
		os.Exit(2)
	}
	if err := run(*db, *mem, *threads, *set, flag.Arg(0)); err != nil {
		fmt.Println("failed:", err)
		os.Exit(1)
	}
}

func run(db, mem string, threads int, set, script string) error {
	text, err := os.ReadFile(script)
	if err != nil {
		return err
	}
	stmts := statements(string(text))
	if len(stmts) == 0 {
		return fmt.Errorf("%s: no statements", script)
	}
	if set != "" {
		stmts = append(statements(strings.ReplaceAll(set, ";", ";\n")), stmts...)
	}
	ctx := context.Background()
	d, err := duck.Open(ctx, db+"?access_mode=read_only", duck.Settings{Threads: threads, MemoryLimit: mem})
	if err != nil {
		return fmt.Errorf("opening %s: %w", db, err)
	}
	defer d.Close()
	for _, s := range stmts[:len(stmts)-1] {
		if _, err := d.Conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%.60s...: %w", s, err)
		}
	}
	m := startMonitor(ctx, d)
	start := time.Now()
	n, err := count(ctx, d, stmts[len(stmts)-1])
	elapsed := time.Since(start)
	peaks, total := m.stop()
	if err != nil {
		return fmt.Errorf("%s after %.2fs; peak %d MiB: %s", firstLine(err.Error()), elapsed.Seconds(), total>>20, formatPeaks(peaks))
	}
	fmt.Printf("completed: %d rows in %.2fs; peak %d MiB: %s\n", n, elapsed.Seconds(), total>>20, formatPeaks(peaks))
	return nil
}

// count runs query and counts its rows.
func count(ctx context.Context, d *duck.DB, query string) (int, error) {
	rows, err := d.Conn.QueryContext(ctx, query)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}

// monitor samples duckdb_memory() from a second connection.
type monitor struct {
	mu    sync.Mutex
	peaks map[string]int64
	total int64
	quit  chan struct{}
	done  chan struct{}
}

func startMonitor(ctx context.Context, d *duck.DB) *monitor {
	m := &monitor{peaks: map[string]int64{}, quit: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(m.done)
		conn, err := d.DB.Conn(ctx)
		if err != nil {
			return
		}
		defer conn.Close()
		for {
			select {
			case <-m.quit:
				return
			case <-time.After(20 * time.Millisecond):
			}
			rows, err := conn.QueryContext(ctx, "SELECT tag, memory_usage_bytes FROM duckdb_memory()")
			if err != nil {
				continue
			}
			var sum int64
			m.mu.Lock()
			for rows.Next() {
				var tag string
				var b int64
				if rows.Scan(&tag, &b) == nil {
					sum += b
					m.peaks[tag] = max(m.peaks[tag], b)
				}
			}
			m.total = max(m.total, sum)
			m.mu.Unlock()
			rows.Close()
		}
	}()
	return m
}

// stop ends the sampling and returns the peak of each tag and of their sum.
func (m *monitor) stop() (map[string]int64, int64) {
	close(m.quit)
	<-m.done
	return m.peaks, m.total
}

// statements splits a script into its statements: each ends with a
// semicolon at the end of a line; lines starting with "--" are dropped.
func statements(script string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, s)
		}
		cur.Reset()
	}
	for _, line := range strings.Split(script, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "--") {
			continue
		}
		t := strings.TrimRight(line, " \t\r")
		if strings.HasSuffix(t, ";") {
			cur.WriteString(strings.TrimSuffix(t, ";"))
			flush()
			continue
		}
		cur.WriteString(line + "\n")
	}
	flush()
	return out
}

// formatPeaks lists the tags that reached 1 MiB, largest first (by name on
// equal sizes), in MiB.
func formatPeaks(peaks map[string]int64) string {
	type tp struct {
		tag string
		mib int64
	}
	var l []tp
	for t, b := range peaks {
		if b >= 1<<20 {
			l = append(l, tp{t, b >> 20})
		}
	}
	sort.Slice(l, func(i, j int) bool {
		if l[i].mib != l[j].mib {
			return l[i].mib > l[j].mib
		}
		return l[i].tag < l[j].tag
	})
	var parts []string
	for _, p := range l {
		parts = append(parts, fmt.Sprintf("%s %d", p.tag, p.mib))
	}
	if len(parts) == 0 {
		return "no tag above 1 MiB"
	}
	return strings.Join(parts, ", ")
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
