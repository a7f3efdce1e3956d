package engine

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/ehrql-go/ehrql/query/model"
)

// DataError is an error the query raised on values in the data, where
// ehrQL raises too (a date out of range, a float too large for an int, an
// int overflow); its message names the variable (or the population, the
// event table or the measure) and the operation:
//
//	variable 'total': Function.Add: arithmetic overflow: 9223372036854775807 + 1 is outside the range of an int (-9223372036854775808 to 9223372036854775807)
type DataError struct{ Msg string }

// Error implements the error interface.
func (e *DataError) Error() string { return e.Msg }

// asDataError turns DuckDB's report of an error the compiled SQL raised on
// the data into a DataError holding just its message.
func asDataError(err error) error {
	if msg, ok := markedMessage(err); ok {
		return &DataError{Msg: msg}
	}
	return err
}

// markedMessage is the message of an error the compiled SQL raised itself
// (after DataErrorMarker), without DuckDB's prefix or the SQL excerpt.
func markedMessage(err error) (string, bool) {
	msg := err.Error()
	i := strings.Index(msg, DataErrorMarker+": ")
	if i < 0 {
		return "", false
	}
	msg = msg[i+len(DataErrorMarker)+2:]
	if j := strings.IndexByte(msg, '\n'); j >= 0 {
		msg = msg[:j]
	}
	return msg, true
}

// diagnosisWhere is where the compiled SQL of a part of a dataset run on
// its own for diagnosis (a variable named "v") says its errors are.
const diagnosisWhere = "variable 'v': "

// dataError returns err, from computing where ("variable 'x'",
// "population", "event table 'x'", "measure 'x'") with roots, as a
// *DataError if it is an error on values in the data: one the compiled SQL
// raised itself, or DuckDB's int overflow. It returns nil for any other
// error.
func dataError(where string, err error, roots ...*model.Node) *DataError {
	if msg, ok := markedMessage(err); ok {
		return &DataError{Msg: where + ": " + strings.TrimPrefix(msg, diagnosisWhere)}
	}
	var de *duckdb.Error
	if !errors.As(err, &de) {
		return nil
	}
	if msg, ok := overflowMessage(de.Msg, roots); ok {
		return &DataError{Msg: where + ": " + msg}
	}
	return nil
}

// duckOverflows are DuckDB's messages for integer overflow, each with the
// operation of the query model that raises it (where the computation
// has one) and how to show its operands.
var duckOverflows = []struct {
	re     *regexp.Regexp
	op     model.Op
	detail func(m []string) string
}{
	{regexp.MustCompile(`Overflow in addition of (?P<type>\w+) \((.*)\)!`), model.OpAdd, func(m []string) string { return m[2] }},
	{regexp.MustCompile(`Overflow in subtraction of (?P<type>\w+) \((.*)\)!`), model.OpSubtract, func(m []string) string { return m[2] }},
	{regexp.MustCompile(`Overflow in multiplication of (?P<type>\w+) \((.*)\)!`), model.OpMultiply, func(m []string) string { return m[2] }},
	{regexp.MustCompile(`Overflow in division of (\S+) / (\S+)`), model.OpFloorDivide, func(m []string) string { return m[1] + " // " + m[2] }},
	{regexp.MustCompile(`Overflow on abs\((-?\d+)\)`), model.OpAbsolute, func(m []string) string { return "abs(" + m[1] + ")" }},
	{regexp.MustCompile(`Overflow in negation of`), model.OpNegate, func([]string) string { return fmt.Sprintf("-(%d)", int64(math.MinInt64)) }},
	// The compiled SQL sums ints as DuckDB does, into a 128-bit integer,
	// then casts the sum to an int.
	{regexp.MustCompile(`Type INT128 with value (-?\d+) can't be cast because the value is out of range for the destination type INT64`), model.OpSum, func(m []string) string { return "the sum " + m[1] }},
}

// overflowMessage words DuckDB's report of an int overflow (its message
// msg, without the SQL excerpt) as the reference engine's errors are:
// the operation, where the computation (roots) has one of its kind, the
// kind of error, and the values. It reports false for any other message.
func overflowMessage(msg string, roots []*model.Node) (string, bool) {
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	for _, o := range duckOverflows {
		m := o.re.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		if t := typeName(o.re, m); t != "" && t != "INT64" {
			// Not an int of ehrQL's: every source reads ints as BIGINT
			// (widenStore), so this names DuckDB's type rather than
			// misstate the range.
			return fmt.Sprintf("%s%s: %s is outside the range of DuckDB's %s",
				opPrefix(o.op, roots), model.ErrOverflow, o.detail(m), t), true
		}
		return intOverflow(o.op, o.detail(m), roots), true
	}
	return "", false
}

// intOverflow words an int overflow in an operation (its operands or
// result shown by detail) as the reference engine does.
func intOverflow(op model.Op, detail string, roots []*model.Node) string {
	return fmt.Sprintf("%s%s: %s is outside the range of an int (%d to %d)",
		opPrefix(op, roots), model.ErrOverflow, detail, int64(math.MinInt64), int64(math.MaxInt64))
}

// opPrefix names op ("AggregateByPatient.Sum: ") when the computation
// (roots) has a node of its kind.
func opPrefix(op model.Op, roots []*model.Node) string {
	if hasOp(op, roots) {
		return op.String() + ": "
	}
	return ""
}

// sumOverflow is the error of a measure whose numerator or denominator,
// added up over batches of patients, does not fit an int: worded as when
// DuckDB sums every patient at once and the measure is diagnosed.
func sumOverflow(ms []model.Measure, name string, sum *big.Int) error {
	var roots []*model.Node
	for _, m := range ms {
		if m.Name == name {
			roots = measureRoots(m)
		}
	}
	return &DataError{Msg: "measure '" + name + "': " + intOverflow(model.OpSum, "the sum "+sum.String(), roots)}
}

// hasOp reports whether a node of operation op is among roots or below
// them.
func hasOp(op model.Op, roots []*model.Node) bool {
	seen := map[*model.Node]bool{}
	stack := append([]*model.Node(nil), roots...)
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n == nil || seen[n] {
			continue
		}
		if n.Op() == op {
			return true
		}
		seen[n] = true
		stack = append(stack, n.Args()...)
	}
	return false
}

// typeName is the DuckDB type an overflow message names (its group
// "type"), or "".
func typeName(re *regexp.Regexp, m []string) string {
	if i := re.SubexpIndex("type"); i >= 0 {
		return m[i]
	}
	return ""
}
