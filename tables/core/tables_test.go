package core_test

import (
	"testing"

	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
	"github.com/ehrql-go/ehrql/tables/core"
	"github.com/ehrql-go/ehrql/tables/internal/gentyped/check"
)

func TestTablesMatchCatalogue(t *testing.T) {
	check.Module(t, tables.ModuleCore, generatedTables)
}

// The expected query models below are built directly with the model
// package, node by node, as ehrQL builds them.

func table(name string) *model.Node { return check.Must(model.SelectTable(tables.Core(name))) }

func TestAgeOn(t *testing.T) {
	got := check.Node(t, core.Patients.AgeOn(query.Date("2020-03-10")))
	// (date - patients.date_of_birth).years
	want := check.Fn(model.OpDateDifferenceInYears, check.Date("2020-03-10"), check.Col(table("patients"), "date_of_birth"))
	check.SameModel(t, "AgeOn", got, want)

	// A per-patient date works too.
	idx := core.ONSDeaths.Date
	got = check.Node(t, core.Patients.AgeOn(idx))
	want = check.Fn(model.OpDateDifferenceInYears, check.Col(table("ons_deaths"), "date"), check.Col(table("patients"), "date_of_birth"))
	check.SameModel(t, "AgeOn(ons_deaths.date)", got, want)
}

func TestIsAliveOnIsDeadOn(t *testing.T) {
	d := check.Date("2020-03-10")
	dod := check.Col(table("patients"), "date_of_death")
	// date_of_death.is_after(date) | date_of_death.is_null()
	check.SameModel(t, "IsAliveOn", check.Node(t, core.Patients.IsAliveOn(query.Date("2020-03-10"))),
		check.Fn(model.OpOr, check.Fn(model.OpGT, dod, d), check.Fn(model.OpIsNull, dod)))
	// date_of_death.is_not_null() & date_of_death.is_before(date)
	check.SameModel(t, "IsDeadOn", check.Node(t, core.Patients.IsDeadOn(query.Date("2020-03-10"))),
		check.Fn(model.OpAnd, check.Fn(model.OpNot, check.Fn(model.OpIsNull, dod)), check.Fn(model.OpLT, dod, d)))
}

// spanning is ehrQL's practice_registrations.spanning on frame regs,
// selecting the condition's columns from self.
func spanning(regs, self *model.Node, start, end *model.Node) *model.Node {
	cond := check.Fn(model.OpAnd,
		check.Fn(model.OpLE, check.Col(self, "start_date"), start),
		check.Fn(model.OpOr,
			check.Fn(model.OpGE, check.Col(self, "end_date"), end),
			check.Fn(model.OpIsNull, check.Col(self, "end_date"))))
	return check.Must(model.Filter(regs, cond))
}

func TestSpanning(t *testing.T) {
	regs := table("practice_registrations")
	got := check.Node(t, core.PracticeRegistrations.Spanning(query.Date("2019-04-01"), query.Date("2020-03-31")).StartDate)
	want := check.Col(spanning(regs, regs, check.Date("2019-04-01"), check.Date("2020-03-31")), "start_date")
	check.SameModel(t, "Spanning", got, want)
}

// forPatientOn is ehrQL's practice_registrations.for_patient_on on self.
func forPatientOn(self, d *model.Node) *model.Node {
	f := spanning(self, self, d, d)
	for _, k := range []string{"practice_pseudo_id", "end_date", "start_date"} {
		f = check.Must(model.Sort(f, check.Col(self, k)))
	}
	return check.Must(model.PickOneRowPerPatient(f, model.Last))
}

func TestForPatientOn(t *testing.T) {
	row := core.PracticeRegistrations.ForPatientOn(query.Date("2020-03-10"))
	got := check.Node(t, row.PracticePseudoID)
	regs := table("practice_registrations")
	d := check.Date("2020-03-10")
	check.SameModel(t, "ForPatientOn", got, check.Col(forPatientOn(regs, d), "practice_pseudo_id"))

	// The same, read off the nodes: a last-row pick of three Sorts, keyed
	// outermost first on start_date, end_date, practice_pseudo_id, of a
	// Filter on And(LE(start_date, d), Or(GE(end_date, d), IsNull(end_date))).
	pick := got.Arg(0)
	if pick.Op() != model.OpPickOneRowPerPatient || pick.Position() != model.Last {
		t.Fatalf("picked from %s, want the last row", check.Dump(pick))
	}
	f := pick.Arg(0)
	for _, key := range []string{"start_date", "end_date", "practice_pseudo_id"} {
		if f.Op() != model.OpSort {
			t.Fatalf("want Sort by %s, got %s", key, check.Dump(f))
		}
		k := f.Arg(1)
		if k.Op() != model.OpSelectColumn || k.Name() != key || k.Arg(0).Op() != model.OpSelectTable {
			t.Errorf("sort key %s, want practice_registrations.%s", check.Dump(k), key)
		}
		f = f.Arg(0)
	}
	if f.Op() != model.OpFilter {
		t.Fatalf("want a Filter under the sorts, got %s", check.Dump(f))
	}
	cond := f.Arg(1)
	if cond.Op() != model.OpAnd || cond.Arg(0).Op() != model.OpLE || cond.Arg(1).Op() != model.OpOr ||
		cond.Arg(1).Arg(0).Op() != model.OpGE || cond.Arg(1).Arg(1).Op() != model.OpIsNull {
		t.Errorf("filter condition %s", check.Dump(cond))
	}
	if cond.Arg(0).Arg(0).Name() != "start_date" || cond.Arg(1).Arg(0).Arg(0).Name() != "end_date" ||
		cond.Arg(1).Arg(1).Arg(0).Name() != "end_date" || cond.Arg(0).Arg(1).ID() != d.ID() {
		t.Errorf("filter condition %s", check.Dump(cond))
	}
}

func TestExistsForPatientOn(t *testing.T) {
	regs := table("practice_registrations")
	d := check.Date("2020-03-10")
	got := check.Node(t, core.PracticeRegistrations.ExistsForPatientOn(query.Date("2020-03-10")))
	want := check.Must(model.Aggregate(model.OpExists, spanning(regs, regs, d, d)))
	check.SameModel(t, "ExistsForPatientOn", got, want)
}

// TestHelpersOnFilteredView: as in ehrQL, a helper called on a filtered
// view uses that view's columns.
func TestHelpersOnFilteredView(t *testing.T) {
	regs := core.PracticeRegistrations
	view := regs.Where(regs.PracticePseudoID.Ne(query.Int(7)))
	got := check.Node(t, view.ForPatientOn(query.Date("2020-03-10")).StartDate)

	base := table("practice_registrations")
	filtered := check.Must(model.Filter(base, check.Fn(model.OpNE, check.Col(base, "practice_pseudo_id"), model.MustValue(model.IntLit(7)))))
	check.SameModel(t, "Where(...).ForPatientOn", got, check.Col(forPatientOn(filtered, check.Date("2020-03-10")), "start_date"))

	// Helpers never change the table var they start from.
	if n := check.Node(t, regs.StartDate); n.Arg(0).Op() != model.OpSelectTable {
		t.Errorf("PracticeRegistrations changed: %s", check.Dump(n))
	}
}

func TestCauseOfDeathIsIn(t *testing.T) {
	cl := codelists.New("I21", "I22")
	got := check.Node(t, core.ONSDeaths.CauseOfDeathIsIn(cl))

	// functools.reduce(operator.or_, [underlying.is_in(cl), cod_01.is_in(cl), …])
	want := check.CauseOfDeathIsIn(table("ons_deaths"), cl)
	check.SameModel(t, "CauseOfDeathIsIn", got, want)

	// A codelist with a code of another system is refused.
	if _, err := query.Node(core.ONSDeaths.CauseOfDeathIsIn(codelists.New("22298006"))); err == nil {
		t.Error("CauseOfDeathIsIn accepted a SNOMED-CT code")
	}
}

func TestDatasetFromCoreTables(t *testing.T) {
	start := query.Date("2020-03-10")
	events := core.ClinicalEvents.Where(core.ClinicalEvents.Date.IsOnOrBefore(start))
	ds := query.NewDataset()
	ds.DefinePopulation(core.PracticeRegistrations.ExistsForPatientOn(start).And(core.Patients.IsAliveOn(start)))
	ds.Add("age", core.Patients.AgeOn(start))
	ds.Add("sex", core.Patients.Sex)
	ds.Add("last_code", events.SortBy(events.Date).LastForPatient().SnomedctCode)
	ds.Add("meds", core.Medications.CountForPatient())
	def, err := ds.Definition()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := model.Encode(def); err != nil {
		t.Fatal(err)
	}
}
