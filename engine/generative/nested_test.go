package generative

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ehrql-go/ehrql/engine/memory"
	"github.com/ehrql-go/ehrql/query/model"
)

// nestedDateArithmetic adds months (then years, then days, by turns) depth
// times to a patient's date, with month offsets that roll the day forward.
func nestedDateArithmetic(depth int) *model.Dataset {
	p := must(model.SelectTable(tableP0))
	d := must(model.SelectColumn(p, "d1"))
	ops := []model.Op{model.OpDateAddMonths, model.OpDateAddYears, model.OpDateAddDays}
	for i := 0; i < depth; i++ {
		d = must(model.Function(ops[i%len(ops)], d, model.MustValue(model.IntLit(int64(1+i%5)))))
	}
	// Both operands of a macro nested: the months between the result and
	// the date plus a year, each compared as floats would be.
	later := must(model.Function(model.OpDateAddYears, d, model.MustValue(model.IntLit(1))))
	months := must(model.Function(model.OpDateDifferenceInMonths, later, d))
	return &model.Dataset{
		Population: must(model.Aggregate(model.OpExists, p)),
		Variables: []model.Variable{
			{Name: "v", Series: d},
			{Name: "months", Series: months},
			// A column read inside the lambda binding the nested operand.
			{Name: "by_column", Series: must(model.Function(model.OpDateAddMonths, d, must(model.SelectColumn(p, "i1"))))},
			{Name: "ratio_gt", Series: must(model.Function(model.OpGT,
				must(model.Function(model.OpTrueDivide, months, months)),
				must(model.Function(model.OpTrueDivide, months, months))))},
		},
	}
}

// TestNestedDateArithmetic: date arithmetic nested ten deep compiles and
// runs promptly in DuckDB, with the reference engine's results. (Macros
// expand textually: an operand used several times by a macro must not be
// repeated in the SQL at every level.)
func TestNestedDateArithmetic(t *testing.T) {
	for _, depth := range []int{1, 2, 10} {
		t.Run(fmt.Sprint(depth), func(t *testing.T) {
			ds := nestedDateArithmetic(depth)
			d := func(s string) any { return model.MustParseDate(s) }
			data := memory.Data{"p0": {
				{PatientID: 1, Values: map[string]any{"d1": d("2020-01-31"), "i1": int64(13)}},
				{PatientID: 2, Values: map[string]any{"d1": d("2019-02-28"), "i1": int64(-1)}},
				{PatientID: 3, Values: map[string]any{"d1": nil}},
			}}
			ref, err := memory.Run(ds, data, memory.Options{})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			r := testRunner(t, ctx, 0)
			type result struct {
				res *memory.Results
				err error
			}
			done := make(chan result, 1)
			start := time.Now()
			go func() {
				res, err := r.RunDuckDB(ctx, ds, data)
				done <- result{res, err}
			}()
			select {
			case got := <-done:
				if got.err != nil {
					t.Fatal(got.err)
				}
				if !reflect.DeepEqual(got.res.Dataset.Rows, ref.Dataset.Rows) {
					t.Errorf("DuckDB: %v\nreference: %v", got.res.Dataset.Rows, ref.Dataset.Rows)
				}
				t.Logf("depth %d: %v, %v", depth, time.Since(start), ref.Dataset.Rows)
			case <-time.After(30 * time.Second):
				t.Fatalf("depth %d: DuckDB has not finished after 30s", depth)
			}
		})
	}
}

// TestNestedDateArithmeticError: an error raised inside a bound operand is
// reported as the reference engine reports it.
func TestNestedDateArithmeticError(t *testing.T) {
	p := must(model.SelectTable(tableP0))
	d := must(model.SelectColumn(p, "d1"))
	for i := 0; i < 3; i++ {
		d = must(model.Function(model.OpDateAddYears, d, model.MustValue(model.IntLit(4000))))
	}
	d = must(model.Function(model.OpDateAddMonths, d, model.MustValue(model.IntLit(1))))
	ds := &model.Dataset{
		Population: must(model.Aggregate(model.OpExists, p)),
		Variables:  []model.Variable{{Name: "v", Series: d}},
	}
	data := memory.Data{"p0": {{PatientID: 1, Values: map[string]any{"d1": model.MustParseDate("2020-01-31")}}}}
	_, refErr := memory.Run(ds, data, memory.Options{})
	if refErr == nil {
		t.Fatal("reference engine: no error")
	}
	ctx := context.Background()
	r := testRunner(t, ctx, 0)
	_, err := r.RunDuckDB(ctx, ds, data)
	want := "variable 'v': Function.DateAddYears: date out of range"
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(refErr.Error(), want) {
		t.Errorf("DuckDB: %v\nreference: %v\nwant both to say %q", err, refErr, want)
	}
}
