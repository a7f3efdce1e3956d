// Command genseries writes series_gen.go: the typed series of package query
// and their methods, one type per value type and dimension (patient, event).
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"log"
	"os"
	"regexp"
	"strings"
)

var receiver = regexp.MustCompile(`\bx\b`)

var kinds = []string{"Bool", "Int", "Float", "Str", "Date", "Code", "MultiCode"}

var kindDoc = map[string]string{
	"Bool":      "booleans",
	"Int":       "integers",
	"Float":     "floating-point numbers",
	"Str":       "strings",
	"Date":      "dates",
	"Code":      "clinical codes of one coding system",
	"MultiCode": "multi-code strings (several ICD-10 or OPCS-4 codes in one string)",
}

// method describes one generated method. In params and result, $Same is the
// receiver's own series type as an argument (a patient series for a patient
// receiver, either dimension for an event receiver), $Arg(K) the same for
// kind K, $R(K) a series of kind K with the receiver's dimension, and $P(K) a
// patient series of kind K. body is a Go expression of type series, where x
// is the receiver's series.
type method struct {
	name, doc, params, result, body string
	kinds                           []string
	eventOnly                       bool
}

var (
	all        = kinds
	notMulti   = []string{"Bool", "Int", "Float", "Str", "Date", "Code"}
	comparable = []string{"Int", "Float", "Str", "Date"}
	numeric    = []string{"Int", "Float"}
)

var methods = []method{
	{name: "IsNull", doc: "is true where the value is NULL (never NULL itself).", result: "$R(Bool)", body: "fn(model.OpIsNull, x)", kinds: all},
	{name: "IsNotNull", doc: "is true where the value is not NULL (never NULL itself).", result: "$R(Bool)", body: "not(fn(model.OpIsNull, x))", kinds: all},
	{name: "Eq", doc: "compares for equality; NULL if either side is NULL.", params: "other $Same", result: "$R(Bool)", body: "fn(model.OpEQ, x, other.ser())", kinds: notMulti},
	{name: "Ne", doc: "compares for inequality; NULL if either side is NULL.", params: "other $Same", result: "$R(Bool)", body: "fn(model.OpNE, x, other.ser())", kinds: notMulti},
	{name: "WhenNullThen", doc: "replaces NULL values with other.", params: "other $Same", result: "$R($K)", body: "whenNullThen(x, other.ser())", kinds: notMulti},
	{name: "IsInSeries", doc: "is true where the value is among the patient's non-NULL values of other; false if the patient has none, else NULL for a NULL value.", params: "other $KEventSeries", result: "$R(Bool)", body: "inSeries(x, other.ser())", kinds: notMulti},
	{name: "IsNotInSeries", doc: "negates IsInSeries (NULL stays NULL).", params: "other $KEventSeries", result: "$R(Bool)", body: "not(inSeries(x, other.ser()))", kinds: notMulti},
	{name: "IsIn", doc: "is true where the value is one of values; false for every row (even NULL) if values is empty, else NULL for a NULL value.", params: "values ...bool", result: "$R(Bool)", body: "inLiterals(x, boolLits(values))", kinds: []string{"Bool"}},
	{name: "IsIn", doc: "is true where the value is one of values; false for every row (even NULL) if values is empty, else NULL for a NULL value.", params: "values ...int", result: "$R(Bool)", body: "inLiterals(x, intLits(values))", kinds: []string{"Int"}},
	{name: "IsIn", doc: "is true where the value is one of values; false for every row (even NULL) if values is empty, else NULL for a NULL value.", params: "values ...float64", result: "$R(Bool)", body: "inLiterals(x, floatLits(values))", kinds: []string{"Float"}},
	{name: "IsIn", doc: "is true where the value is one of values; false for every row (even NULL) if values is empty, else NULL for a NULL value.", params: "values ...string", result: "$R(Bool)", body: "inLiterals(x, strLits(values))", kinds: []string{"Str"}},
	{name: "IsIn", doc: "is true where the date is one of dates (YYYY-MM-DD); false for every row (even NULL) if dates is empty, else NULL for a NULL value.", params: "dates ...string", result: "$R(Bool)", body: "inLiterals(x, dateLits(dates))", kinds: []string{"Date"}},
	{name: "IsIn", doc: "is true where the code is in the codelist; false for every row (even NULL) if the codelist is empty, else NULL for a NULL code. Every code must be valid for the series' coding system.", params: "cl codelists.Codelist", result: "$R(Bool)", body: "inCodelist(x, cl)", kinds: []string{"Code"}},
	{name: "IsNotIn", doc: "negates IsIn (NULL stays NULL; true for every row if values is empty).", params: "values ...bool", result: "$R(Bool)", body: "not(inLiterals(x, boolLits(values)))", kinds: []string{"Bool"}},
	{name: "IsNotIn", doc: "negates IsIn (NULL stays NULL; true for every row if values is empty).", params: "values ...int", result: "$R(Bool)", body: "not(inLiterals(x, intLits(values)))", kinds: []string{"Int"}},
	{name: "IsNotIn", doc: "negates IsIn (NULL stays NULL; true for every row if values is empty).", params: "values ...float64", result: "$R(Bool)", body: "not(inLiterals(x, floatLits(values)))", kinds: []string{"Float"}},
	{name: "IsNotIn", doc: "negates IsIn (NULL stays NULL; true for every row if values is empty).", params: "values ...string", result: "$R(Bool)", body: "not(inLiterals(x, strLits(values)))", kinds: []string{"Str"}},
	{name: "IsNotIn", doc: "negates IsIn (NULL stays NULL; true for every row if dates is empty).", params: "dates ...string", result: "$R(Bool)", body: "not(inLiterals(x, dateLits(dates)))", kinds: []string{"Date"}},
	{name: "IsNotIn", doc: "negates IsIn (NULL stays NULL; true for every row if the codelist is empty).", params: "cl codelists.Codelist", result: "$R(Bool)", body: "not(inCodelist(x, cl))", kinds: []string{"Code"}},
	{name: "Lt", doc: "is true where the value is less than other.", params: "other $Same", result: "$R(Bool)", body: "fn(model.OpLT, x, other.ser())", kinds: comparable},
	{name: "Le", doc: "is true where the value is less than or equal to other.", params: "other $Same", result: "$R(Bool)", body: "fn(model.OpLE, x, other.ser())", kinds: comparable},
	{name: "Gt", doc: "is true where the value is greater than other.", params: "other $Same", result: "$R(Bool)", body: "fn(model.OpGT, x, other.ser())", kinds: comparable},
	{name: "Ge", doc: "is true where the value is greater than or equal to other.", params: "other $Same", result: "$R(Bool)", body: "fn(model.OpGE, x, other.ser())", kinds: comparable},
	{name: "Add", doc: "adds other.", params: "other $Same", result: "$R($K)", body: "fn(model.OpAdd, x, other.ser())", kinds: numeric},
	{name: "Sub", doc: "subtracts other.", params: "other $Same", result: "$R($K)", body: "fn(model.OpSubtract, x, other.ser())", kinds: numeric},
	{name: "Mul", doc: "multiplies by other.", params: "other $Same", result: "$R($K)", body: "fn(model.OpMultiply, x, other.ser())", kinds: numeric},
	{name: "Div", doc: "divides by other, giving a float; NULL where other is zero.", params: "other $Same", result: "$R(Float)", body: "fn(model.OpTrueDivide, x, other.ser())", kinds: numeric},
	{name: "FloorDiv", doc: "divides by other, rounding toward minus infinity, giving an int; NULL where other is zero.", params: "other $Same", result: "$R(Int)", body: "fn(model.OpFloorDivide, x, other.ser())", kinds: numeric},
	{name: "Pow", doc: "raises to the power other, giving a float; NULL where the result is not a real number (0 to a negative power, a negative number to a fractional power).", params: "other $Same", result: "$R(Float)", body: "fn(model.OpPower, x, other.ser())", kinds: numeric},
	{name: "Neg", doc: "negates the value.", result: "$R($K)", body: "fn(model.OpNegate, x)", kinds: numeric},
	{name: "Abs", doc: "returns the absolute value.", result: "$R($K)", body: "fn(model.OpAbsolute, x)", kinds: numeric},
	{name: "AsFloat", doc: "converts to float.", result: "$R(Float)", body: "fn(model.OpCastToFloat, x)", kinds: numeric},
	{name: "AsInt", doc: "converts to int, truncating toward zero (true is 1, false 0).", result: "$R(Int)", body: "fn(model.OpCastToInt, x)", kinds: []string{"Bool", "Int", "Float"}},
	{name: "And", doc: "is the three-valued AND: false if either side is false, else NULL if either is NULL.", params: "other $Same", result: "$R(Bool)", body: "fn(model.OpAnd, x, other.ser())", kinds: []string{"Bool"}},
	{name: "Or", doc: "is the three-valued OR: true if either side is true, else NULL if either is NULL.", params: "other $Same", result: "$R(Bool)", body: "fn(model.OpOr, x, other.ser())", kinds: []string{"Bool"}},
	{name: "Not", doc: "negates the value (NULL stays NULL).", result: "$R(Bool)", body: "not(x)", kinds: []string{"Bool"}},
	{name: "Contains", doc: "is true where other is a substring of the value (case-sensitive, no wildcards).", params: "other $Same", result: "$R(Bool)", body: "fn(model.OpStringContains, x, other.ser())", kinds: []string{"Str"}},
	{name: "Contains", doc: "is true where the string contains code, a code or code prefix of the series' system (a plain substring test).", params: "code string", result: "$R(Bool)", body: "multiContains(x, code)", kinds: []string{"MultiCode"}},
	{name: "ContainsAnyOf", doc: "is true where the string contains any code of the codelist.", params: "cl codelists.Codelist", result: "$R(Bool)", body: "multiContainsAny(x, cl)", kinds: []string{"MultiCode"}},
	{name: "ToCategory", doc: "maps each code to its category in a categorised codelist; codes not in it, and NULL, give NULL.", params: "cl codelists.Codelist", result: "$R(Str)", body: "toCategory(x, cl)", kinds: []string{"Code"}},
	{name: "Year", doc: "returns the year.", result: "$R(Int)", body: "fn(model.OpYearFromDate, x)", kinds: []string{"Date"}},
	{name: "Month", doc: "returns the month, 1 to 12.", result: "$R(Int)", body: "fn(model.OpMonthFromDate, x)", kinds: []string{"Date"}},
	{name: "Day", doc: "returns the day of the month.", result: "$R(Int)", body: "fn(model.OpDayFromDate, x)", kinds: []string{"Date"}},
	{name: "ToFirstOfYear", doc: "returns 1 January of the date's year.", result: "$R(Date)", body: "fn(model.OpToFirstOfYear, x)", kinds: []string{"Date"}},
	{name: "ToFirstOfMonth", doc: "returns the first day of the date's month.", result: "$R(Date)", body: "fn(model.OpToFirstOfMonth, x)", kinds: []string{"Date"}},
	{name: "IsBefore", doc: "is true where the date is before other.", params: "other $Same", result: "$R(Bool)", body: "fn(model.OpLT, x, other.ser())", kinds: []string{"Date"}},
	{name: "IsOnOrBefore", doc: "is true where the date is on or before other.", params: "other $Same", result: "$R(Bool)", body: "fn(model.OpLE, x, other.ser())", kinds: []string{"Date"}},
	{name: "IsAfter", doc: "is true where the date is after other.", params: "other $Same", result: "$R(Bool)", body: "fn(model.OpGT, x, other.ser())", kinds: []string{"Date"}},
	{name: "IsOnOrAfter", doc: "is true where the date is on or after other.", params: "other $Same", result: "$R(Bool)", body: "fn(model.OpGE, x, other.ser())", kinds: []string{"Date"}},
	{name: "IsOnOrBetween", doc: "is true where start <= date <= end (three-valued AND of the two comparisons).", params: "start, end $Same", result: "$R(Bool)", body: "fn(model.OpAnd, fn(model.OpGE, x, start.ser()), fn(model.OpLE, x, end.ser()))", kinds: []string{"Date"}},
	{name: "IsBetweenButNotOn", doc: "is true where start < date < end (three-valued AND of the two comparisons).", params: "start, end $Same", result: "$R(Bool)", body: "fn(model.OpAnd, fn(model.OpGT, x, start.ser()), fn(model.OpLT, x, end.ser()))", kinds: []string{"Date"}},
	{name: "IsDuring", doc: "is true where the date lies in the interval, both ends included.", params: "iv Interval", result: "$R(Bool)", body: "fn(model.OpAnd, fn(model.OpGE, x, iv.Start.ser()), fn(model.OpLE, x, iv.End.ser()))", kinds: []string{"Date"}},
	{name: "Add", doc: "adds a duration (days, weeks, months or years; months and years roll a missing day forward to the 1st of the next month).", params: "d Duration", result: "$R(Date)", body: "addDuration(x, d, false)", kinds: []string{"Date"}},
	{name: "Sub", doc: "subtracts a duration.", params: "d Duration", result: "$R(Date)", body: "addDuration(x, d, true)", kinds: []string{"Date"}},
	// aggregations
	{name: "CountDistinctForPatient", doc: "counts each patient's distinct non-NULL values (0 if none).", result: "$P(Int)", body: "agg(model.OpCountDistinct, x)", kinds: all, eventOnly: true},
	{name: "MinimumForPatient", doc: "returns each patient's smallest non-NULL value (NULL if none).", result: "$P($K)", body: "agg(model.OpMin, x)", kinds: comparable, eventOnly: true},
	{name: "MaximumForPatient", doc: "returns each patient's largest non-NULL value (NULL if none).", result: "$P($K)", body: "agg(model.OpMax, x)", kinds: comparable, eventOnly: true},
	{name: "SumForPatient", doc: "sums each patient's non-NULL values (NULL if none, not 0).", result: "$P($K)", body: "agg(model.OpSum, x)", kinds: numeric, eventOnly: true},
	{name: "MeanForPatient", doc: "averages each patient's non-NULL values as a float (NULL if none).", result: "$P(Float)", body: "agg(model.OpMean, x)", kinds: numeric, eventOnly: true},
	{name: "CountEpisodesForPatient", doc: "counts each patient's episodes: runs of dates each at most maximumGap (days or weeks) after the previous one (0 if none).", params: "maximumGap Duration", result: "$P(Int)", body: "countEpisodes(x, maximumGap)", kinds: []string{"Date"}, eventOnly: true},
}

func main() {
	var b bytes.Buffer
	b.WriteString("// Code generated by go run ./internal/genseries; DO NOT EDIT.\n\npackage query\n\nimport (\n\t\"github.com/ehrql-go/ehrql/codelists\"\n\t\"github.com/ehrql-go/ehrql/query/model\"\n)\n\n")
	b.WriteString("var _ codelists.Codelist\n\n")
	for _, k := range kinds {
		fmt.Fprintf(&b, "// %sSeries is a series of %s of either dimension.\ntype %sSeries interface {\n\tSeries\n\tis%s()\n\tser() series\n}\n\n", k, kindDoc[k], k, k)
		for _, dim := range []string{"Patient", "Event"} {
			t := k + dim + "Series"
			per := "one value per patient"
			if dim == "Event" {
				per = "many values per patient"
			}
			fmt.Fprintf(&b, "// %s is a series of %s with %s.\ntype %s struct{ s series }\n\n", t, kindDoc[k], per, t)
			fmt.Fprintf(&b, "func (x %s) node() (*model.Node, error) { return x.s.node() }\n", t)
			fmt.Fprintf(&b, "func (x %s) ser() series { return x.s }\n", t)
			fmt.Fprintf(&b, "func (x %s) wrap(s series) Series { return %s{s} }\n", t, t)
			fmt.Fprintf(&b, "func (%s) is%s() {}\n", t, k)
			fmt.Fprintf(&b, "func (%s) %sSeries() {}\n", t, strings.ToLower(dim))
			fmt.Fprintf(&b, "func (%s) dimensions() (patient, event Series) { return %sPatientSeries{}, %sEventSeries{} }\n", t, k, k)
			if k != "Bool" {
				fmt.Fprintf(&b, "func (%s) sortable() {}\n", t)
			}
			if dim == "Patient" {
				fmt.Fprintf(&b, "\n// Broadcast returns the series as an event series, its one value repeated on\n"+
					"// each of the patient's rows, so that it can take event series as operands:\n"+
					"// ehrQL's p.x + e.y is p.X.Broadcast().Add(e.Y). The query model is the same.\n"+
					"func (x %s) Broadcast() %sEventSeries { return %sEventSeries{x.s} }\n", t, k, k)
			}
			b.WriteString("\n")
			for _, m := range methods {
				if !contains(m.kinds, k) || (m.eventOnly && dim != "Event") {
					continue
				}
				sub := func(s string) string {
					s = strings.ReplaceAll(s, "$K", k)
					s = strings.ReplaceAll(s, "$Same", argType(k, dim))
					for _, k2 := range kinds {
						s = strings.ReplaceAll(s, "$R("+k2+")", k2+dim+"Series")
						s = strings.ReplaceAll(s, "$P("+k2+")", k2+"PatientSeries")
					}
					return s
				}
				result := sub(m.result)
				fmt.Fprintf(&b, "// %s %s\nfunc (x %s) %s(%s) %s {\n\treturn %s{%s}\n}\n\n",
					m.name, m.doc, t, m.name, sub(m.params), result, result,
					receiver.ReplaceAllString(sub(m.body), "x.s"))
			}
		}
	}
	src, err := format.Source(b.Bytes())
	if err != nil {
		os.WriteFile("series_gen.go", b.Bytes(), 0o644)
		log.Fatal(err)
	}
	if err := os.WriteFile("series_gen.go", src, 0o644); err != nil {
		log.Fatal(err)
	}
}

func argType(k, dim string) string {
	if dim == "Patient" {
		return k + "PatientSeries"
	}
	return k + "Series"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
