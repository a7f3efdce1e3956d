package output_test

import (
	"bytes"
	"database/sql"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/ehrql-go/ehrql/engine/output"
)

func int64p(v int64) *int64 { return &v }

// Writing natural-typed record batches as CSV to standard output.
func ExampleCreate() {
	cols := []output.Column{
		{Name: "patient_id", Kind: output.Int},
		{Name: "has_asthma", Kind: output.Bool, Nullable: true},
		{Name: "bmi", Kind: output.Float, Nullable: true},
		{Name: "note", Kind: output.Str, Nullable: true},
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, output.NaturalSchema(cols))
	defer b.Release()
	b.Field(0).(*array.Int64Builder).AppendValues([]int64{1, 2}, nil)
	b.Field(1).(*array.BooleanBuilder).AppendValues([]bool{true, false}, []bool{true, false})
	b.Field(2).(*array.Float64Builder).AppendValues([]float64{22, 1e-5}, nil)
	b.Field(3).(*array.StringBuilder).AppendValues([]string{"plain", `a "quoted", text`}, nil)
	rec := b.NewRecordBatch()
	defer rec.Release()

	var stdout bytes.Buffer
	w, err := output.Create("-", cols, &stdout)
	if err != nil {
		log.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		w.Abort()
		log.Fatal(err)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	// Lines end in \r\n, as Python's csv module writes them.
	fmt.Print(strings.ReplaceAll(stdout.String(), "\r\n", "⏎\n"))
	// Output:
	// patient_id,has_asthma,bmi,note⏎
	// 1,T,22.0,plain⏎
	// 2,,1e-05,"a ""quoted"", text"⏎
}

// Streaming a DuckDB query into a zstd-compressed Arrow file.
func ExampleCopy() {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`
		SELECT range AS patient_id,
		       CASE WHEN range % 2 = 0 THEN 'female' ELSE 'male' END AS sex,
		       (range % 100)::BIGINT AS age
		FROM range(0, 150000)`)
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()

	cols := []output.Column{
		{Name: "patient_id", Kind: output.Int},
		{Name: "sex", Kind: output.Str, Nullable: true, Categories: []string{"female", "male", "unknown"}},
		{Name: "age", Kind: output.Int, Nullable: true, Min: int64p(0), Max: int64p(120)},
	}
	dir, err := os.MkdirTemp("", "output-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "results", "dataset.arrow")

	w, err := output.Create(path, cols, nil)
	if err != nil {
		log.Fatal(err)
	}
	n, err := output.Copy(w, output.NewRowBatcher(rows, cols, 0))
	if err != nil {
		log.Fatal(err) // Copy has already aborted w: no file was left behind
	}
	fmt.Println("rows:", n)

	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	r, err := ipc.NewFileReader(f)
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	fmt.Println("batches:", r.NumRecords())
	fmt.Println(r.Schema())
	// Output:
	// rows: 150000
	// batches: 3
	// schema:
	//   fields: 3
	//     - patient_id: type=int64
	//     - sex: type=dictionary<values=utf8, indices=int8, ordered=true>, nullable
	//     - age: type=uint8, nullable
}

// Reading query results batch by batch.
func ExampleRowBatcher_Next() {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT range AS patient_id, DATE '2020-01-01' + range::INTEGER AS d FROM range(0, 5)`)
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	cols := []output.Column{
		{Name: "patient_id", Kind: output.Int},
		{Name: "d", Kind: output.Date, Nullable: true},
	}
	b := output.NewRowBatcher(rows, cols, 2)
	for {
		rec, err := b.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(rec.NumRows(), rec.Column(0), rec.Column(1))
		rec.Release()
	}
	// Output:
	// 2 [0 1] [2020-01-01 2020-01-02]
	// 2 [2 3] [2020-01-03 2020-01-04]
	// 1 [4] [2020-01-05]
}

func ExampleColumn_ArrowType() {
	for _, c := range []output.Column{
		{Name: "patient_id", Kind: output.Int},
		{Name: "count", Kind: output.Int, Min: int64p(0), Max: int64p(65535)},
		{Name: "delta", Kind: output.Int, Min: int64p(-100), Max: int64p(100)},
		{Name: "sex", Kind: output.Str, Categories: []string{"female", "male"}},
		{Name: "name", Kind: output.Str},
		{Name: "dob", Kind: output.Date},
	} {
		fmt.Printf("%s: %v\n", c.Name, c.ArrowType())
	}
	// Output:
	// patient_id: int64
	// count: uint16
	// delta: int8
	// sex: dictionary<values=utf8, indices=int8, ordered=true>
	// name: utf8
	// dob: date32
}

func ExampleFormatFromPath() {
	for _, p := range []string{"out.arrow", "results/out.csv.gz", "dir.v2/out.csv", "-", "out.gz", "out"} {
		f, err := output.FormatFromPath(p)
		if err != nil {
			fmt.Printf("%s: error: %s\n", p, strings.SplitN(err.Error(), "\n", 2)[0])
			continue
		}
		fmt.Printf("%s: %v\n", p, f)
	}
	// Output:
	// out.arrow: .arrow
	// results/out.csv.gz: .csv.gz
	// dir.v2/out.csv: .csv
	// -: .csv
	// out.gz: error: '.gz' is not a supported format, must be one of: `.arrow`, `.csv`, `.csv.gz`
	// out: error: No file format specified
}
