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
	cols := make([]model.Column, n)
	for i := range cols {
		cols[i] = column(fmt.Sprintf("%s%02d", prefix, i+1), typ)
	}
	return cols
}

// constraints is shorthand for a constraint list.
func constraints(ks ...model.Constraint) []model.Constraint { return ks }

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
