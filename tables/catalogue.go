package tables

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ehrql-go/ehrql/query/model"
)

// The ehrQL modules held by the default catalogue.
const (
	ModuleCore      = "ehrql.tables.core"
	ModuleTPP       = "ehrql.tables.tpp"
	ModuleEMIS      = "ehrql.tables.emis"
	ModuleEMISv2    = "ehrql.tables.emisv2"
	ModuleSmoketest = "ehrql.tables.smoketest"
	ModuleRawCore   = "ehrql.tables.raw.core"
	ModuleRawTPP    = "ehrql.tables.raw.tpp"
	ModuleRawEMIS   = "ehrql.tables.raw.emis"
)

// Catalogue is a read-only registry of tables keyed by (module, name). It
// implements model.Resolver. A module may re-export a table of another
// module, as ehrql.tables.tpp re-exports ehrql.tables.core.patients; the
// re-exported entry is the same *model.Table.
type Catalogue struct {
	byRef    map[model.Ref]*model.Table
	byModule map[string][]*model.Table // sorted by table name
}

var _ model.Resolver = (*Catalogue)(nil)

// defaultCatalogue is built once, at package initialisation.
var defaultCatalogue = newDefault()

// Default returns the catalogue of every ehrQL table module: core, tpp,
// emis, emisv2, smoketest, raw.core, raw.tpp and raw.emis.
// It is the same *Catalogue on every call.
func Default() *Catalogue { return defaultCatalogue }

// LookupTable returns the table exported by module under name, and whether
// there is one.
func (c *Catalogue) LookupTable(module, name string) (*model.Table, bool) {
	t, ok := c.byRef[model.Ref{Module: module, Name: name}]
	return t, ok
}

// CataloguedName reports whether any module exports a table of this name,
// or has a table stored under it (raw.tpp's medications_raw), in any case:
// the database does not tell "Appointments" from "appointments".
func (c *Catalogue) CataloguedName(name string) bool {
	for ref, t := range c.byRef {
		if strings.EqualFold(ref.Name, name) || strings.EqualFold(t.Name, name) {
			return true
		}
	}
	return false
}

// Tables returns the tables exported by module, sorted by export name; nil for an
// unknown module. The slice is the caller's; the tables are shared and must
// not be modified.
func (c *Catalogue) Tables(module string) []*model.Table {
	return slices.Clone(c.byModule[module])
}

// Modules returns the names of the catalogue's modules, sorted.
func (c *Catalogue) Modules() []string {
	mods := make([]string, 0, len(c.byModule))
	for m := range c.byModule {
		mods = append(mods, m)
	}
	slices.Sort(mods)
	return mods
}

// Core returns the table name of ehrql.tables.core in the default
// catalogue. It panics if there is no such table: it is meant for code that
// names built-in tables literally, where an unknown name is a programming
// error. Use Default().LookupTable for names that come from input.
func Core(name string) *model.Table { return mustLookup(ModuleCore, name) }

// TPP returns the table name of ehrql.tables.tpp in the default catalogue;
// TPP("patients") is Core("patients"). It panics if there is no such table,
// as Core does.
func TPP(name string) *model.Table { return mustLookup(ModuleTPP, name) }

// Lookup returns the table module exports under name in the default
// catalogue, as Core does for any module; raw tables are looked up by their
// export name (Lookup(ModuleRawTPP, "medications")). It panics if there is
// no such table.
func Lookup(module, name string) *model.Table { return mustLookup(module, name) }

func mustLookup(module, name string) *model.Table {
	t, ok := defaultCatalogue.LookupTable(module, name)
	if !ok {
		panic(fmt.Sprintf("tables: module %s has no table %q", module, name))
	}
	return t
}

// extensions maps each table that extends another to the table it
// extends, as ehrQL's TPP and EMIS tables subclass core's
// (class medications(ehrql.tables.core.medications.__class__)): its columns
// start with the base table's, in order, and it has the base table's
// helpers.
var extensions = map[*model.Table]*model.Table{
	tppMedications:            coreMedications,
	tppONSDeaths:              coreONSDeaths,
	tppPracticeRegistrations:  corePracticeRegistrations,
	emisPracticeRegistrations: corePracticeRegistrations,
}

// Extends returns the table t extends, as tpp.practice_registrations
// extends core.practice_registrations, and whether it extends one. A
// re-exported table (tpp.patients, which is core.patients) extends none: it
// is the other table.
func Extends(t *model.Table) (*model.Table, bool) {
	base, ok := extensions[t]
	return base, ok
}

// newDefault builds the default catalogue. It panics if a table is invalid,
// which the package's tests rule out.
func newDefault() *Catalogue {
	c := &Catalogue{
		byRef:    map[model.Ref]*model.Table{},
		byModule: map[string][]*model.Table{},
	}
	c.add(ModuleCore,
		corePatients,
		corePracticeRegistrations,
		coreClinicalEvents,
		coreMedications,
		coreONSDeaths,
	)
	c.add(ModuleTPP,
		tppAddresses,
		tppAPCS,
		tppAPCSCost,
		tppAppointments,
		tppClinicalEvents,
		tppClinicalEventsRanges,
		tppCovidTherapeutics,
		tppDecisionSupportValues,
		tppEC,
		tppECCost,
		tppEmergencyCareAttendances,
		tppEthnicityFromSUS,
		tppHouseholdMemberships2020,
		tppMedications,
		tppOccupationOnCovidVaccineRecord,
		tppONSDeaths,
		tppOPA,
		tppOPACost,
		tppOPADiag,
		tppOPAProc,
		tppOpenPrompt,
		tppParents,
		corePatients, // tpp.patients is core.patients
		tppPracticeRegistrations,
		tppSGSSCovidAllTests,
		tppUKRR,
		tppVaccinations,
		tppWLClockstops,
		tppWLOpenpathways,
	)
	c.add(ModuleEMIS,
		coreClinicalEvents,
		coreMedications,
		coreONSDeaths,
		emisPatients,
		emisPracticeRegistrations,
		emisVaccinations,
	)
	c.add(ModuleEMISv2,
		emisv2Addresses,
		coreClinicalEvents,
		coreMedications,
		corePatients,
		emisv2PracticeRegistrations,
	)
	c.add(ModuleSmoketest, smoketestPatients)
	c.add(ModuleRawCore, rawCoreONSDeaths)
	c.add(ModuleRawTPP,
		rawTPPAPCSCostHistorical,
		rawTPPAPCSHistorical,
		rawTPPISARIC,
		rawTPPMedications,
		rawTPPONSDeaths,
		rawTPPRepeatMedications,
		rawTPPWLClockstops,
		rawTPPWLOpenpathways,
	)
	c.add(ModuleRawEMIS, rawCoreONSDeaths)
	return c
}

// add registers tables under module, keeping the module's list sorted.
func (c *Catalogue) add(module string, tables ...*model.Table) {
	for _, t := range tables {
		if err := t.Validate(); err != nil {
			panic(fmt.Sprintf("tables: %s.%s: %v", module, t.Name, err))
		}
		ref := model.Ref{Module: module, Name: t.Ref().Name}
		if _, dup := c.byRef[ref]; dup {
			panic(fmt.Sprintf("tables: %s.%s registered twice", module, t.Name))
		}
		c.byRef[ref] = t
		c.byModule[module] = append(c.byModule[module], t)
	}
	slices.SortFunc(c.byModule[module], func(a, b *model.Table) int {
		return strings.Compare(a.Ref().Name, b.Ref().Name)
	})
}
