package tables

import (
	"fmt"

	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/query/model"
)

// Column types with a coding system.
var (
	snomedctCode = model.CodeType(codelists.SNOMEDCT)
	dmdCode      = model.CodeType(codelists.DMD)
	ctv3Code     = model.CodeType(codelists.CTV3)
	icd10Code    = model.CodeType(codelists.ICD10)
	opcs4Code    = model.CodeType(codelists.OPCS4)

	icd10MultiCodeString = model.MultiCodeType(codelists.ICD10)
	opcs4MultiCodeString = model.MultiCodeType(codelists.OPCS4)
)

// column declares a column with no description and no dummy-data
// constraints.
func column(name string, typ model.Type, constraints ...model.Constraint) model.Column {
	return model.Column{Name: name, Type: typ, Constraints: constraints}
}

// numbered declares the columns prefix01 … prefixNN (two digits) of one type,
// such as cause_of_death_01 … cause_of_death_15.
func numbered(prefix string, n int, typ model.Type) []model.Column {
	return numberedAs(prefix+"%02d", n, typ)
}

// numberedAs declares n columns of one type named by format with 1 … n,
// such as ethnic___1 … ethnic___10 for "ethnic___%d".
func numberedAs(format string, n int, typ model.Type) []model.Column {
	cols := make([]model.Column, n)
	for i := range cols {
		cols[i] = column(fmt.Sprintf(format, i+1), typ)
	}
	return cols
}

// categoricalColumns declares str columns that each take the categories of
// values.
func categoricalColumns(values func() model.Categorical, names ...string) []model.Column {
	cols := make([]model.Column, len(names))
	for i, n := range names {
		cols[i] = column(n, model.Str, values())
	}
	return cols
}

// concat joins column lists, in order.
func concat(lists ...[]model.Column) []model.Column {
	var cols []model.Column
	for _, l := range lists {
		cols = append(cols, l...)
	}
	return cols
}

// constraints is shorthand for a constraint list.
func constraints(ks ...model.Constraint) []model.Constraint { return ks }

// imdRoundedRange is the constraint on imd_rounded: an IMD rank rounded
// to the nearest 100.
var imdRoundedRange = model.ClosedRange{Min: 0, Max: 32800, Step: 100}

// msoaCodePattern is the constraint on msoa_code: an English MSOA code.
var msoaCodePattern = model.Regex{Pattern: "E020[0-9]{5}"}

// strColumns declares str columns with no constraints.
func strColumns(names ...string) []model.Column {
	cols := make([]model.Column, len(names))
	for i, n := range names {
		cols[i] = column(n, model.Str)
	}
	return cols
}

// notNull is the NotNull constraint.
var notNull = model.NotNull{}

// categorical is a Categorical constraint on str values, in order.
func categorical(values ...string) model.Categorical {
	lits := make([]model.Literal, len(values))
	for i, v := range values {
		lits[i] = model.StrLit(v)
	}
	return model.Categorical{Values: lits}
}

// intCategorical is a Categorical constraint on int values, in order.
func intCategorical(values ...int64) model.Categorical {
	lits := make([]model.Literal, len(values))
	for i, v := range values {
		lits[i] = model.IntLit(v)
	}
	return model.Categorical{Values: lits}
}

// dateCategorical is a Categorical constraint on date values (ISO dates), in
// order.
func dateCategorical(values ...string) model.Categorical {
	lits := make([]model.Literal, len(values))
	for i, v := range values {
		lits[i] = model.DateLit(model.MustParseDate(v))
	}
	return model.Categorical{Values: lits}
}

// alwaysNull is ehrQL's Categorical([None]): the only category is NULL, so
// no non-NULL value is allowed. It is a Categorical with no values.
func alwaysNull() model.Categorical {
	return model.Categorical{Values: []model.Literal{}}
}

// onOrAfter is GeneralRange(minimum=date): dates on or after the ISO date,
// with no upper bound.
func onOrAfter(date string) model.GeneralRange {
	lo := model.DateLit(model.MustParseDate(date))
	return model.GeneralRange{Min: &lo, IncludesMinimum: true, IncludesMaximum: true}
}

// dateAfter is DateAfter(columns): the date is on or after each of the
// named columns, which must list every transitive predecessor in order.
func dateAfter(columns ...string) model.DateAfter {
	return model.DateAfter{Columns: columns}
}
