package model

import (
	"errors"
	"fmt"
)

// Variable is one named output column of a dataset or measure group.
type Variable struct {
	Name   string
	Series *Node
}

// EventTable is one named event-level output table of a dataset.
type EventTable struct {
	Name  string
	Frame *Node // a SeriesCollectionFrame
}

// Dataset is a dataset definition: who is in it and what is known of them.
type Dataset struct {
	Population *Node
	Variables  []Variable
	Events     []EventTable
}

// Roots are the nodes every output of the dataset is computed from: the
// population, each variable's series and each event table's columns. An
// engine reads a pick's tie-breaking columns across all of them (ehrQL's
// rewrite_sorts).
func (d *Dataset) Roots() []*Node {
	roots := []*Node{d.Population}
	for _, v := range d.Variables {
		roots = append(roots, v.Series)
	}
	for _, ev := range d.Events {
		roots = append(roots, ev.Frame.Args()...)
	}
	return roots
}

// reservedNames may not be used as variable names.
var reservedNames = map[string]string{
	"patient_id":        "'patient_id' is not an allowed variable name",
	"dummy_data_config": "'dummy_data_config' is not an allowed variable name",
	"population":        "Cannot set variable 'population'; use define_population() instead",
}

// CheckVariableName applies ehrQL's rules for variable and event-table names.
func CheckVariableName(name string) error {
	if msg, ok := reservedNames[name]; ok {
		return errors.New(msg)
	}
	if !ValidName(name) {
		return fmt.Errorf("variable names must start with a letter, and contain only alphanumeric characters and underscores (you defined a variable '%s')", name)
	}
	return nil
}

// Validate checks the dataset: a patient-level boolean population that is not
// true for a patient with no data, patient-level variables with valid,
// distinct names.
func (d *Dataset) Validate() error {
	if d.Population == nil {
		return errors.New("A population has not been defined; define one with define_population()")
	}
	if err := CheckPopulation(d.Population); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, v := range d.Variables {
		if err := CheckVariableName(v.Name); err != nil {
			return err
		}
		if seen[v.Name] {
			return fmt.Errorf("'%s' is already set and cannot be reassigned", v.Name)
		}
		seen[v.Name] = true
		if err := CheckPatientSeries(v.Series); err != nil {
			return fmt.Errorf("invalid variable '%s':\n%w", v.Name, err)
		}
	}
	for _, e := range d.Events {
		if err := CheckVariableName(e.Name); err != nil {
			return err
		}
		if seen[e.Name] {
			return fmt.Errorf("'%s' is already set and cannot be reassigned", e.Name)
		}
		seen[e.Name] = true
		if e.Frame == nil || e.Frame.op != OpSeriesCollectionFrame {
			return fmt.Errorf("event table '%s' must be a SeriesCollectionFrame", e.Name)
		}
	}
	return nil
}

// CheckPatientSeries checks that n is a series with one value per patient.
func CheckPatientSeries(n *Node) error {
	switch {
	case n == nil:
		return errors.New("Expecting an ehrQL series, got nothing")
	case n.IsFrame():
		return errors.New("Expecting an ehrQL series, got a frame: are you missing a column name?")
	case n.typ.Set:
		return fmt.Errorf("Expecting an ehrQL series, got %s", n.typ)
	case n.domain != "":
		return errors.New("Expecting a series with only one value per patient")
	}
	return nil
}

// CheckPopulation applies ehrQL's population rules: a patient-level boolean
// series that is not true for a patient who appears in no table.
func CheckPopulation(n *Node) error {
	if err := CheckPatientSeries(n); err != nil {
		return fmt.Errorf("invalid population: %w", err)
	}
	if n.typ != Bool {
		return fmt.Errorf("invalid population: Expecting a boolean series, got %s", n.typ)
	}
	if v, known := EvalNullPatient(n); known && v == true {
		return errors.New("population definition must not evaluate as True for NULL inputs")
	}
	return nil
}

// DummyDataConfig configures dummy-data generation.
type DummyDataConfig struct {
	PopulationSize                 int64
	Legacy                         bool
	Timeout                        int64 // seconds
	AdditionalPopulationConstraint *Node
}

// DefaultDummyDataConfig is ehrQL's default configuration.
func DefaultDummyDataConfig() DummyDataConfig {
	return DummyDataConfig{PopulationSize: 10, Timeout: 60}
}

// Measure is one measure: a ratio of two patient-level sums per group and
// interval.
type Measure struct {
	Name        string
	Numerator   *Node
	Denominator *Node
	GroupBy     []Variable
	Intervals   [][2]CivilDate
}

// DisclosureControlConfig says whether measures are released through
// statistical disclosure control.
type DisclosureControlConfig struct{ Enabled bool }

// Definition is everything a definition file yields: ehrQL's ModuleDetails.
type Definition struct {
	Dataset *Dataset
	// DatasetError is the error ehrQL recorded in place of the dataset
	// (a DefinitionError in ModuleDetails.dataset), to report when the
	// dataset is asked for; Dataset is then nil.
	DatasetError           *DefinitionError
	DatasetDummyDataConfig *DummyDataConfig
	// TestData are the test patients of an assurance test (ehrQL's
	// test_data); nil when the definition has none.
	TestData                  *TestData
	Measures                  []Measure
	MeasuresError             *DefinitionError // as DatasetError, for the measures
	MeasuresDummyDataConfig   *DummyDataConfig
	MeasuresDisclosureControl *DisclosureControlConfig
	ClaimedPermissions        []string
}
