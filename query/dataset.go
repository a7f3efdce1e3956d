package query

import (
	"errors"
	"fmt"

	"github.com/ehrql-go/ehrql/internal/callsite"
	"github.com/ehrql-go/ehrql/internal/mistakes"
	"github.com/ehrql-go/ehrql/query/model"
)

// Dataset is a dataset definition under construction: a population and
// named patient-level columns, in the order they are added.
type Dataset struct {
	population *model.Node
	popSet     bool
	vars       []model.Variable
	names      map[string]bool
	dummy      *model.DummyDataConfig
	claimed    []string
	events     []*EventOutputTable
	errs       []error
}

// EventOutputTable is an event-level output table of a dataset (ehrQL's
// add_event_table): one row per row of the frame its columns come from, for
// patients in the population. Running it needs the event_level_data
// permission.
type EventOutputTable struct {
	d       *Dataset
	name    string
	names   []string
	members []*model.Node
	loc     string
}

// AddEventTable adds an event-level output table; give it columns with Add.
// Its name shares the dataset's namespace of column names.
func (d *Dataset) AddEventTable(name string) *EventOutputTable {
	t := &EventOutputTable{d: d, name: name, loc: callsite.Location()}
	if err := model.CheckVariableName(name); err != nil {
		d.errs = append(d.errs, fail(err))
		return t
	}
	if d.names[name] {
		d.errs = append(d.errs, fail(fmt.Errorf("'%s' is already set and cannot be reassigned", name)))
		return t
	}
	d.names[name] = true
	d.events = append(d.events, t)
	return t
}

// Add adds a column: an event series of the table's frame, or a patient
// series repeated on each row.
func (t *EventOutputTable) Add(name string, s Series) {
	if s == nil {
		t.d.errs = append(t.d.errs, fail(fmt.Errorf("event table %s: column %s: no series given", t.name, name)))
		return
	}
	n, err := s.node()
	if err != nil {
		t.d.errs = append(t.d.errs, err)
		return
	}
	t.names = append(t.names, name)
	t.members = append(t.members, n)
}

// ClaimPermissions declares that the definition may use tables that need
// these permissions when it runs on dummy data (ehrQL's claim_permissions).
// Claims never grant access to real data.
func (d *Dataset) ClaimPermissions(names ...string) { d.claimed = append(d.claimed, names...) }

// NewDataset starts an empty dataset (ehrQL's create_dataset).
func NewDataset() *Dataset { return &Dataset{names: map[string]bool{}} }

// DefinePopulation sets who is in the dataset: the patients for whom cond
// is true. It may be called once. A population that would be true for a
// patient with no data at all (such as "has no events") is refused.
func (d *Dataset) DefinePopulation(cond BoolPatientSeries) {
	if d.popSet {
		d.errs = append(d.errs, fail(errors.New("DefinePopulation should be called no more than once")))
		return
	}
	d.popSet = true
	n, err := cond.node()
	if err != nil {
		d.errs = append(d.errs, err)
		return
	}
	if err := model.CheckPopulation(n); err != nil {
		d.errs = append(d.errs, fail(err))
		return
	}
	d.population = n
}

// Add adds a column (ehrQL's dataset.name = series). Names must start with a
// letter and contain only letters, digits and underscores, and may not be
// reused.
func (d *Dataset) Add(name string, s PatientSeries) {
	if err := model.CheckVariableName(name); err != nil {
		d.errs = append(d.errs, fail(err))
		return
	}
	if d.names[name] {
		d.errs = append(d.errs, fail(fmt.Errorf("'%s' is already set and cannot be reassigned", name)))
		return
	}
	d.names[name] = true
	if s == nil {
		d.errs = append(d.errs, fail(fmt.Errorf("invalid variable '%s': no series given", name)))
		return
	}
	n, err := s.node()
	if err != nil {
		d.errs = append(d.errs, err)
		return
	}
	if err := model.CheckPatientSeries(n); err != nil {
		d.errs = append(d.errs, fail(fmt.Errorf("invalid variable '%s':\n%w", name, err)))
		return
	}
	d.vars = append(d.vars, model.Variable{Name: name, Series: n})
}

// DummyData configures dummy-data generation (ehrQL's configure_dummy_data).
// Zero fields take ehrQL's defaults: 10 patients, 60 seconds.
type DummyData struct {
	PopulationSize int
	TimeoutSeconds int
	Legacy         bool
	// AdditionalPopulationConstraint further restricts generated patients.
	AdditionalPopulationConstraint BoolPatientSeries
}

// ConfigureDummyData sets how dummy data is generated for this dataset.
func (d *Dataset) ConfigureDummyData(c DummyData) {
	cfg := model.DefaultDummyDataConfig()
	if c.PopulationSize > 0 {
		cfg.PopulationSize = int64(c.PopulationSize)
	}
	if c.TimeoutSeconds > 0 {
		cfg.Timeout = int64(c.TimeoutSeconds)
	}
	cfg.Legacy = c.Legacy
	if c.AdditionalPopulationConstraint.s.n != nil || c.AdditionalPopulationConstraint.s.err != nil {
		if c.Legacy {
			d.errs = append(d.errs, fail(errors.New("Cannot provide an additional population constraint in legacy mode.")))
			return
		}
		n, err := c.AdditionalPopulationConstraint.node()
		if err != nil {
			d.errs = append(d.errs, err)
			return
		}
		cfg.AdditionalPopulationConstraint = n
	}
	d.dummy = &cfg
}

// Err returns every mistake recorded while building the dataset, or nil.
func (d *Dataset) Err() error {
	errs := append([]error{}, d.errs...)
	if !d.popSet {
		errs = append(errs, errors.New("A population has not been defined; define one with DefinePopulation()"))
	}
	return mistakes.Join(errs...)
}

// Model returns the dataset's query model, or every mistake recorded.
func (d *Dataset) Model() (*model.Dataset, error) {
	if err := d.Err(); err != nil {
		return nil, err
	}
	ds := &model.Dataset{Population: d.population, Variables: d.vars}
	for _, t := range d.events {
		f, err := model.SeriesCollectionFrame(t.names, t.members)
		if err != nil {
			return nil, &DefinitionError{Location: t.loc, Err: fmt.Errorf("event table %s: %w", t.name, err)}
		}
		ds.Events = append(ds.Events, model.EventTable{Name: t.name, Frame: f})
	}
	if err := ds.Validate(); err != nil {
		return nil, err
	}
	return ds, nil
}

// Definition returns the full definition (dataset and its dummy-data
// configuration) as ehrQL's ModuleDetails.
func (d *Dataset) Definition() (*model.Definition, error) {
	ds, err := d.Model()
	if err != nil {
		return nil, err
	}
	def := &model.Definition{Dataset: ds, ClaimedPermissions: append([]string{}, d.claimed...)}
	if d.dummy != nil {
		def.DatasetDummyDataConfig = d.dummy
	} else {
		c := model.DefaultDummyDataConfig()
		def.DatasetDummyDataConfig = &c
	}
	return def, nil
}
