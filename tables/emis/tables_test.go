package emis_test

import (
	"testing"

	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
	"github.com/ehrql-go/ehrql/tables/core"
	"github.com/ehrql-go/ehrql/tables/emis"
	. "github.com/ehrql-go/ehrql/tables/internal/gentyped/check"
)

func TestTablesMatchCatalogue(t *testing.T) {
	Module(t, tables.ModuleEMIS, generatedTables)
}

func table(name string) *model.Node {
	return Must(model.SelectTable(tables.Lookup(tables.ModuleEMIS, name)))
}

// The re-exported tables are core's: the same vars, with core's helpers.
func TestReExportsAreCore(t *testing.T) {
	if emis.ClinicalEvents.SnomedctCode != core.ClinicalEvents.SnomedctCode ||
		emis.Medications.DmdCode != core.Medications.DmdCode ||
		emis.ONSDeaths.Date != core.ONSDeaths.Date {
		t.Error("emis re-exports are not core's tables")
	}
	var _ core.ONSDeathsFrame = emis.ONSDeaths // an alias, not a copy
}

func TestPatientsHelpers(t *testing.T) {
	p := table("patients")
	s, e := Date("2020-01-01"), Date("2020-12-31")
	Same(t, "AgeOn", emis.Patients.AgeOn(query.Date("2020-01-01")),
		Fn(model.OpDateDifferenceInYears, s, Col(p, "date_of_birth")))
	// registration_start_date <= start & (registration_end_date > end | registration_end_date is NULL)
	Same(t, "HasPracticeRegistrationSpanning",
		emis.Patients.HasPracticeRegistrationSpanning(query.Date("2020-01-01"), query.Date("2020-12-31")),
		Fn(model.OpAnd,
			Fn(model.OpLE, Col(p, "registration_start_date"), s),
			Fn(model.OpOr,
				Fn(model.OpGT, Col(p, "registration_end_date"), e),
				Fn(model.OpIsNull, Col(p, "registration_end_date")))))
}

func TestPracticeRegistrationsHelpers(t *testing.T) {
	regs := table("practice_registrations")
	d := Date("2020-03-10")
	Same(t, "ExistsForPatientOn", emis.PracticeRegistrations.ExistsForPatientOn(query.Date("2020-03-10")),
		Must(model.Aggregate(model.OpExists, Spanning(regs, d, d))))
	f := Spanning(regs, d, d)
	for _, k := range []string{"practice_pseudo_id", "end_date", "start_date"} {
		f = Must(model.Sort(f, Col(regs, k)))
	}
	Same(t, "ForPatientOn", emis.PracticeRegistrations.ForPatientOn(query.Date("2020-03-10")).PracticePseudoID,
		Col(Must(model.PickOneRowPerPatient(f, model.Last)), "practice_pseudo_id"))
}
