// Command bench times the ehrql engine on synthetic stores of the reference
// study's data (see bench/README.md):
//
//	go run ./bench/cmd/bench [-sizes 100000,1000000] [-memory-limit 1GB] [-repeat 2]
//
// For each size it builds (or reuses, from bench/.cache) a synthetic store
// with "ehrql store synthesize", then times, as subprocesses with their
// peak RSS:
//
//	(a) ehrql generate-dataset of the reference study's JSON definition
//	    (2020-04-01 to 2021-03-31) to Arrow;
//	(b) bench/handwritten.sql, the same dataset written by hand, run on the
//	    same store with the same DuckDB settings and written to Arrow by the
//	    same writer (engine.Query.Run);
//	(c) ehrql generate-measures of the study's measures definition, if the
//	    command exists (otherwise reported as skipped);
//
// checks that (a) and (b) give the same rows, and prints a table with the
// times, the ratios (a)/(b) and (c)/(a), and peak RSS. The steps run in
// turn, -repeat rounds of all of them, and the fastest run of each counts.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/engine/sqlgen"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
)

const (
	datasetDef  = "testdata/studies/consultations/ehrql-json/consultation_dataset_2020-04-01_to_2021-03-31.json"
	measuresDef = "testdata/studies/consultations/ehrql-json/consultation_measures.json"
	// wideDef is the wide definition (55 variables, 22 codelists), run
	// from its JSON, serialized once into the cache.
	wideDef = "bench/wide/dataset_definition.go"
)

// handwrittenSQL is the hand-written query, read from the module root.
const handwrittenSQL = "bench/handwritten.sql"

func main() {
	sizes := flag.String("sizes", "100000,1000000", "comma-separated numbers of patients")
	seed := flag.Int64("seed", 1, "seed of the synthetic stores")
	cache := flag.String("cache", "bench/.cache", "folder for the stores, the ehrql binary and the outputs")
	memLimit := flag.String("memory-limit", "1GB", "DuckDB memory limit for (a), (b) and (c)")
	threads := flag.Int("threads", 0, "DuckDB threads for (a), (b) and (c) (0: all cores)")
	repeat := flag.Int("repeat", 2, "runs of each step; the fastest counts")
	events := flag.Float64("events-per-patient", 100, "mean clinical events per patient of the synthetic stores")
	// Internal: run (b) in this process.
	runHW := flag.Bool("run-handwritten", false, "internal: run bench/handwritten.sql")
	store := flag.String("store", "", "internal: the store for -run-handwritten")
	out := flag.String("out", "", "internal: the output for -run-handwritten")
	flag.Parse()

	if *runHW {
		if err := runHandwritten(*store, *out, engine.Options{Threads: *threads, MemoryLimit: *memLimit}); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if err := bench(*sizes, *seed, *events, *cache, *memLimit, *threads, *repeat); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// run is one timed subprocess.
type run struct {
	wall   time.Duration
	rssKiB int64
	stderr string
	code   int
}

func timed(env []string, name string, args ...string) (run, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Stdout = &stderr
	start := time.Now()
	err := cmd.Run()
	r := run{wall: time.Since(start), stderr: stderr.String()}
	if cmd.ProcessState != nil {
		r.code = cmd.ProcessState.ExitCode()
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.rssKiB = ru.Maxrss
		}
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		err = nil // the caller looks at the exit code
	}
	return r, err
}

func bench(sizeList string, seed int64, events float64, cache, memLimit string, threads, repeat int) error {
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return err
	}
	if _, err := os.Stat(datasetDef); err != nil {
		return fmt.Errorf("run from the module root: %w", err)
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	ehrql := filepath.Join(cache, "ehrql")
	fmt.Fprintf(os.Stderr, "building %s\n", ehrql)
	if b, err := exec.Command("go", "build", "-o", ehrql, "./cmd/ehrql").CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, b)
	}
	wideJSON := filepath.Join(cache, "wide.json")
	if b, err := exec.Command(ehrql, "serialize-definition", wideDef, "--output", wideJSON).CombinedOutput(); err != nil {
		return fmt.Errorf("serialize %s: %v\n%s", wideDef, err, b)
	}
	env := []string{`EHRQL_PERMISSIONS=["appointments"]`}
	common := []string{"--memory-limit", memLimit}
	if threads > 0 {
		common = append(common, "--threads", strconv.Itoa(threads))
	}
	var report strings.Builder
	fmt.Fprintf(&report, "machine: %s/%s, %d cores; DuckDB memory limit %s; threads %s; best of %d; %v clinical events per patient\n\n",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), memLimit, threadsText(threads), repeat, events)
	fmt.Fprintln(&report, "| patients | synthesize | store size | rows | (a) generate-dataset | (a) peak RSS | (b) hand-written SQL | (b) peak RSS | (a)/(b) | (c) generate-measures | (c) peak RSS | (c)/(a) | (w) wide dataset | (w) peak RSS | (w)/(a) | (a) = (b) |")
	fmt.Fprintln(&report, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|")
	for _, s := range strings.Split(sizeList, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			return fmt.Errorf("bad size %q", s)
		}
		storePath := filepath.Join(cache, fmt.Sprintf("synth-%d-seed%d-ev%v.duckdb", n, seed, events))
		synth := "cached"
		if _, err := os.Stat(storePath); err != nil {
			fmt.Fprintf(os.Stderr, "synthesizing %d patients\n", n)
			r, err := timed(nil, ehrql, "store", "synthesize", "--patients", strconv.Itoa(n), "--seed", strconv.FormatInt(seed, 10),
				"--events-per-patient", strconv.FormatFloat(events, 'g', -1, 64), "--output", storePath)
			if err != nil || r.code != 0 {
				return fmt.Errorf("synthesize: %v %s", err, r.stderr)
			}
			fmt.Fprint(os.Stderr, r.stderr)
			synth = fmt.Sprintf("%.1f s", r.wall.Seconds())
		}
		st, err := os.Stat(storePath)
		if err != nil {
			return err
		}
		aOut := filepath.Join(cache, fmt.Sprintf("a-%d.arrow", n))
		bOut := filepath.Join(cache, fmt.Sprintf("b-%d.arrow", n))
		cOut := filepath.Join(cache, fmt.Sprintf("c-%d.csv", n))
		bArgs := []string{"-run-handwritten", "-store", storePath, "-out", bOut, "-memory-limit", memLimit, "-threads", strconv.Itoa(threads)}
		wOut := filepath.Join(cache, fmt.Sprintf("w-%d.arrow", n))
		// The steps run in turn, round after round, so that a slow
		// spell of a shared machine falls on all of them alike.
		onStore := func(command, def, out string) func() (run, error) {
			return func() (run, error) {
				return timed(env, ehrql, append([]string{command, def, "--database", storePath, "--output", out}, common...)...)
			}
		}
		cells, err := interleaved(repeat, []namedStep{
			{fmt.Sprintf("%d: (a) generate-dataset", n), onStore("generate-dataset", datasetDef, aOut)},
			{fmt.Sprintf("%d: (b) hand-written SQL", n), func() (run, error) { return timed(nil, self, bArgs...) }},
			{fmt.Sprintf("%d: (c) generate-measures", n), onStore("generate-measures", measuresDef, cOut)},
			{fmt.Sprintf("%d: (w) wide generate-dataset", n), onStore("generate-dataset", wideJSON, wOut)},
		})
		if err != nil {
			return err
		}
		a, b, c, w := cells[0], cells[1], cells[2], cells[3]
		rowsText, sameText := "-", "-"
		if a.ok && b.ok {
			rows, same, err := compareArrow(aOut, bOut)
			if err != nil {
				return err
			}
			rowsText, sameText = strconv.FormatInt(rows, 10), "yes"
			if !same {
				sameText = "**NO**"
				fmt.Fprintln(os.Stderr, "(a) and (b) differ")
			}
		}
		fmt.Fprintf(&report, "| %d | %s | %.0f MiB | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			n, synth, float64(st.Size())/(1<<20), rowsText, a.time, a.rss, b.time, b.rss, ratio(a, b),
			c.time, c.rss, ratio(c, a), w.time, w.rss, ratio(w, a), sameText)
	}
	fmt.Print(report.String())
	return nil
}

// cell is a step's result as the table shows it.
type cell struct {
	ok        bool
	wall      float64 // seconds
	time, rss string
}

// namedStep is a step of the bench: a command timed as a subprocess.
type namedStep struct {
	name string
	run  func() (run, error)
}

// interleaved runs each step once per round, for repeat rounds, and gives
// each step's cell: its fastest run and its largest peak RSS. A step that
// fails (the command's exit status; an Out of Memory error, say) is not
// run again, and its cell reports the failure, on stderr with its
// message, rather than an error.
func interleaved(repeat int, steps []namedStep) ([]cell, error) {
	bests := make([]run, len(steps))
	failed := make([]bool, len(steps))
	for i := 0; i < repeat; i++ {
		for j, st := range steps {
			if failed[j] {
				continue
			}
			fmt.Fprintf(os.Stderr, "%s (round %d of %d)\n", st.name, i+1, repeat)
			r, err := st.run()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", st.name, err)
			}
			if r.code != 0 {
				fmt.Fprintf(os.Stderr, "%s failed:\n%s", st.name, r.stderr)
				failed[j], bests[j] = true, r
				continue
			}
			b := &bests[j]
			if i == 0 || r.wall < b.wall {
				b.wall, b.stderr = r.wall, r.stderr
			}
			b.rssKiB = max(b.rssKiB, r.rssKiB)
		}
	}
	cells := make([]cell, len(steps))
	for j, r := range bests {
		if failed[j] {
			cells[j] = cell{time: fmt.Sprintf("failed (exit %d)", r.code), rss: mib(r.rssKiB)}
			continue
		}
		cells[j] = cell{ok: true, wall: r.wall.Seconds(), time: fmt.Sprintf("%.2f s", r.wall.Seconds()), rss: mib(r.rssKiB)}
	}
	return cells, nil
}

// ratio is x's time over y's, or "-" if either failed.
func ratio(x, y cell) string {
	if !x.ok || !y.ok {
		return "-"
	}
	return fmt.Sprintf("%.2f", x.wall/y.wall)
}

func threadsText(n int) string {
	if n <= 0 {
		return "DuckDB default (all cores)"
	}
	return strconv.Itoa(n)
}

func mib(kib int64) string { return fmt.Sprintf("%.0f MiB", float64(kib)/1024) }

// runHandwritten runs bench/handwritten.sql on the store and writes its rows
// with the engine's writer, typed by the compiled definition's columns.
func runHandwritten(store, out string, opts engine.Options) error {
	ctx := context.Background()
	data, err := os.ReadFile(datasetDef)
	if err != nil {
		return err
	}
	def, err := model.Decode(data, tables.Default())
	if err != nil {
		return err
	}
	compiled, err := engine.CompileDataset(def.Dataset)
	if err != nil {
		return err
	}
	handwritten, err := os.ReadFile(handwrittenSQL)
	if err != nil {
		return err
	}
	q := &engine.Query{Query: &sqlgen.Query{SQL: strings.TrimRight(strings.TrimSpace(string(handwritten)), ";"), Columns: compiled.Columns, Tables: compiled.Tables}}
	s, err := engine.OpenStore(ctx, store, q.Tables, opts)
	if err != nil {
		return err
	}
	defer s.Close()
	_, err = q.Run(ctx, s, out, nil)
	return err
}

// compareArrow reads two Arrow files and reports their row count and
// whether they hold the same columns and values, row by row.
func compareArrow(pathA, pathB string) (int64, bool, error) {
	ra, err := readRows(pathA)
	if err != nil {
		return 0, false, err
	}
	rb, err := readRows(pathB)
	if err != nil {
		return 0, false, err
	}
	same := len(ra) == len(rb)
	if !same {
		fmt.Fprintf(os.Stderr, "%s has %d rows, %s %d\n", pathA, len(ra), pathB, len(rb))
	}
	shown := 0
	for i := 0; i < len(ra) && i < len(rb); i++ {
		if ra[i] != rb[i] {
			same = false
			if shown < 5 {
				fmt.Fprintf(os.Stderr, "row %d differs:\n  (a) %s\n  (b) %s\n", i, ra[i], rb[i])
				shown++
			}
		}
	}
	return int64(len(ra)), same, nil
}

// readRows renders an Arrow file's header and rows as text lines.
func readRows(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := ipc.NewFileReader(f, ipc.WithAllocator(memory.NewGoAllocator()))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer r.Close()
	var names []string
	for _, fld := range r.Schema().Fields() {
		names = append(names, fld.Name+":"+fld.Type.String())
	}
	lines := []string{strings.Join(names, ",")}
	for i := 0; i < r.NumRecords(); i++ {
		rec, err := r.RecordBatchAt(i)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		defer rec.Release()
		cols := make([]arrow.Array, rec.NumCols())
		for j := range cols {
			cols[j] = rec.Column(j)
		}
		var b strings.Builder
		for row := 0; row < int(rec.NumRows()); row++ {
			b.Reset()
			for j, c := range cols {
				if j > 0 {
					b.WriteByte(',')
				}
				if c.IsNull(row) {
					b.WriteString("NULL")
				} else {
					b.WriteString(c.ValueStr(row))
				}
			}
			lines = append(lines, b.String())
		}
	}
	return lines, nil
}
