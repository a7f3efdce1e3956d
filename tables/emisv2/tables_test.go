package emisv2_test

import (
	"testing"

	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
	"github.com/ehrql-go/ehrql/tables/core"
	"github.com/ehrql-go/ehrql/tables/emisv2"
	. "github.com/ehrql-go/ehrql/tables/internal/gentyped/check"
)

func TestTablesMatchCatalogue(t *testing.T) {
	Module(t, tables.ModuleEMISv2, generatedTables)
}

func table(name string) *model.Node {
	return Must(model.SelectTable(tables.Lookup(tables.ModuleEMISv2, name)))
}

func TestPatientsIsCorePatients(t *testing.T) {
	Same(t, "AgeOn", emisv2.Patients.AgeOn(query.Date("2020-01-01")),
		Must(query.Node(core.Patients.AgeOn(query.Date("2020-01-01")))))
}

func TestAddressesForPatientOn(t *testing.T) {
	a := table("addresses")
	d := Date("2020-03-10")
	// where(start_date <= d).except_where(end_date < d).sort_by(start_date).last_for_patient()
	f := Must(model.Filter(a, Fn(model.OpLE, Col(a, "start_date"), d)))
	ended := Fn(model.OpLT, Col(a, "end_date"), d)
	f = Must(model.Filter(f, Fn(model.OpOr, Fn(model.OpNot, ended), Fn(model.OpIsNull, ended))))
	f = Must(model.Sort(f, Col(a, "start_date")))
	Same(t, "ForPatientOn", emisv2.Addresses.ForPatientOn(query.Date("2020-03-10")).MsoaCode,
		Col(Must(model.PickOneRowPerPatient(f, model.Last)), "msoa_code"))
}

func TestPracticeRegistrationsHelpers(t *testing.T) {
	regs := table("practice_registrations")
	s, e, d := Date("2019-04-01"), Date("2020-03-31"), Date("2020-03-10")
	Same(t, "Spanning",
		emisv2.PracticeRegistrations.Spanning(query.Date("2019-04-01"), query.Date("2020-03-31")).CountForPatient(),
		Must(model.Aggregate(model.OpCount, Spanning(regs, s, e))))
	Same(t, "ExistsForPatientOn", emisv2.PracticeRegistrations.ExistsForPatientOn(query.Date("2020-03-10")),
		Must(model.Aggregate(model.OpExists, Spanning(regs, d, d))))
	// Sorted by start_date alone, unlike core's.
	f := Must(model.Sort(Spanning(regs, d, d), Col(regs, "start_date")))
	Same(t, "ForPatientOn", emisv2.PracticeRegistrations.ForPatientOn(query.Date("2020-03-10")).EndDate,
		Col(Must(model.PickOneRowPerPatient(f, model.Last)), "end_date"))
}
