package model

import (
	"fmt"
	"regexp"
)

// Constraint is a claim about a column's values. Constraints feed documentation,
// dummy data and output typing; they never change query results.
type Constraint interface {
	// ConstraintName is the constraint's class name in ehrQL.
	ConstraintName() string
}

// Categorical: every value is one of Values (strings, ints or bools).
type Categorical struct{ Values []Literal }

// NotNull: the column is never NULL.
type NotNull struct{}

// Unique: no two rows share a value.
type Unique struct{}

// FirstOfMonth: every date is the first of its month.
type FirstOfMonth struct{}

// Regex: every value matches the pattern.
type Regex struct{ Pattern string }

// ClosedRange: every integer lies in [Min, Max], on multiples of Step.
type ClosedRange struct{ Min, Max, Step int64 }

// GeneralRange bounds values with open or closed ends; nil bounds are open.
type GeneralRange struct {
	Min, Max                         *Literal
	IncludesMinimum, IncludesMaximum bool
}

// DateAfter: the date is on or after each of the named date columns.
type DateAfter struct{ Columns []string }

// ConstraintName implements Constraint.
func (Categorical) ConstraintName() string { return "Categorical" }

// ConstraintName implements Constraint.
func (NotNull) ConstraintName() string { return "NotNull" }

// ConstraintName implements Constraint.
func (Unique) ConstraintName() string { return "Unique" }

// ConstraintName implements Constraint.
func (FirstOfMonth) ConstraintName() string { return "FirstOfMonth" }

// ConstraintName implements Constraint.
func (Regex) ConstraintName() string { return "Regex" }

// ConstraintName implements Constraint.
func (ClosedRange) ConstraintName() string { return "ClosedRange" }

// ConstraintName implements Constraint.
func (GeneralRange) ConstraintName() string { return "GeneralRange" }

// ConstraintName implements Constraint.
func (DateAfter) ConstraintName() string { return "DateAfter" }

// Column is one declared column of a table schema.
type Column struct {
	Name                 string
	Type                 Type
	Description          string
	Constraints          []Constraint
	DummyDataConstraints []Constraint
}

// Categories returns the values of the column's Categorical constraint, if any.
func (c Column) Categories() ([]Literal, bool) {
	for _, k := range c.Constraints {
		if cat, ok := k.(Categorical); ok {
			return cat.Values, true
		}
	}
	return nil, false
}

// Range returns the bounds of the column's ClosedRange constraint, if any.
func (c Column) Range() (ClosedRange, bool) {
	for _, k := range c.Constraints {
		if r, ok := k.(ClosedRange); ok {
			return r, true
		}
	}
	return ClosedRange{}, false
}

// HasConstraint reports whether the column declares a constraint of the
// named class, among its constraints or its dummy-data constraints.
func (c Column) HasConstraint(name string) bool {
	for _, k := range c.Constraints {
		if k.ConstraintName() == name {
			return true
		}
	}
	for _, k := range c.DummyDataConstraints {
		if k.ConstraintName() == name {
			return true
		}
	}
	return false
}

// Table describes a table: its name, whether it has at most one row per
// patient, its columns and the permission it requires. patient_id is
// implicit and never declared.
type Table struct {
	// Module is the ehrQL module of a catalogue table, e.g. "ehrql.tables.tpp";
	// empty for a user-defined table, which is written inline in JSON.
	Module string
	// Name is the table's name in the query model, which names its data:
	// the dummy table file, the database table. It is ehrQL's
	// _meta.table_name where the module sets one.
	Name string
	// Export is the name under which Module exports a catalogue table, when
	// it is not Name: ehrql.tables.raw.tpp exports the table medications_raw
	// as medications. JSON refers to the table by its export name.
	Export string
	// PatientLevel tables have at most one row per patient.
	PatientLevel bool
	Columns      []Column
	Description  string
	// RequiredPermission names the permission needed to use the table, if any.
	RequiredPermission string
	// ActivationFilterField is ehrQL's activation_filter_field: nil (GP data
	// filtered at table level), false (not filtered) or a date column name.
	ActivationFilterField any
}

var identifier = regexp.MustCompile(`^[A-Za-z]+[A-Za-z0-9_]*$`)

// ValidName reports whether s is a valid ehrQL variable, table or column name.
func ValidName(s string) bool { return identifier.MatchString(s) }

// Column returns the named column.
func (t *Table) Column(name string) (Column, bool) {
	for _, c := range t.Columns {
		if c.Name == name {
			return c, true
		}
	}
	return Column{}, false
}

// Validate checks the table's declaration: names, no patient_id, no
// duplicates.
func (t *Table) Validate() error {
	if !ValidName(t.Name) {
		return fmt.Errorf("invalid table name %q: names must start with a letter and contain only alphanumeric characters and underscores", t.Name)
	}
	seen := map[string]bool{}
	for _, c := range t.Columns {
		switch {
		case c.Name == "patient_id":
			return fmt.Errorf("table %s: patient_id is implicit and must not be declared", t.Name)
		case !ValidName(c.Name):
			return fmt.Errorf("table %s: invalid column name %q", t.Name, c.Name)
		case seen[c.Name]:
			return fmt.Errorf("table %s: column %q declared twice", t.Name, c.Name)
		case c.Type.Set || c.Type.Kind == KindAny:
			return fmt.Errorf("table %s: column %q has invalid type %s", t.Name, c.Name, c.Type.Name())
		}
		seen[c.Name] = true
	}
	return nil
}

// Ref is the key of a catalogue table: module and name.
type Ref struct{ Module, Name string }

// Ref is the table's key in the catalogue and in JSON: its module and the
// name the module exports it under.
func (t *Table) Ref() Ref {
	if t.Export != "" {
		return Ref{Module: t.Module, Name: t.Export}
	}
	return Ref{Module: t.Module, Name: t.Name}
}

// Resolver finds catalogue tables by module and name, for decoding JSON.
type Resolver interface {
	LookupTable(module, name string) (*Table, bool)
	// CataloguedName reports whether any module of the catalogue has a
	// table of this name, in any case: such a name may not be declared in
	// a query model.
	CataloguedName(name string) bool
}
