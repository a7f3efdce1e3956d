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

// must returns n, or panics with err: the expected models are built from
// known-good parts.
func must(n *model.Node, err error) *model.Node {
	if err != nil {
		panic(err)
	}
	return n
}

func table(name string) *model.Node {
	return must(model.SelectTable(tables.Core(name)))
}

func col(frame *model.Node, name string) *model.Node {
	return must(model.SelectColumn(frame, name))
}

func fn(op model.Op, args ...*model.Node) *model.Node {
	return must(model.Function(op, args...))
}

func date(iso string) *model.Node { return model.MustValue(model.DateLit(model.MustParseDate(iso))) }

func node(t *testing.T, s query.Series) *model.Node {
	t.Helper()
	n, err := query.Node(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func same(t *testing.T, what string, got, want *model.Node) {
	t.Helper()
	if got.ID() != want.ID() {
		t.Errorf("%s: query model differs from ehrQL's\n got: %s\nwant: %s", what, dump(got), dump(want))
	}
}

// dump renders a node tree for failure messages.
func dump(n *model.Node) string {
	if n == nil {
		return "NULL"
	}
	switch n.Op() {
	case model.OpValue:
		return n.Literal().String()
	case model.OpSelectTable, model.OpSelectPatientTable:
		return n.Table().Name
	}
	s := n.Op().String() + "("
	if n.Op() == model.OpSelectColumn {
		s += n.Name() + ", "
	}
	for i, a := range n.Args() {
		if i > 0 {
			s += ", "
		}
		s += dump(a)
	}
	return s + ")"
}

func TestAgeOn(t *testing.T) {
	got := node(t, core.Patients.AgeOn(query.Date("2020-03-10")))
	// (date - patients.date_of_birth).years
	want := fn(model.OpDateDifferenceInYears, date("2020-03-10"), col(table("patients"), "date_of_birth"))
	same(t, "AgeOn", got, want)

	// A per-patient date works too.
	idx := core.ONSDeaths.Date
	got = node(t, core.Patients.AgeOn(idx))
	want = fn(model.OpDateDifferenceInYears, col(table("ons_deaths"), "date"), col(table("patients"), "date_of_birth"))
	same(t, "AgeOn(ons_deaths.date)", got, want)
}

func TestIsAliveOnIsDeadOn(t *testing.T) {
	d := date("2020-03-10")
	dod := col(table("patients"), "date_of_death")
	// date_of_death.is_after(date) | date_of_death.is_null()
	same(t, "IsAliveOn", node(t, core.Patients.IsAliveOn(query.Date("2020-03-10"))),
		fn(model.OpOr, fn(model.OpGT, dod, d), fn(model.OpIsNull, dod)))
	// date_of_death.is_not_null() & date_of_death.is_before(date)
	same(t, "IsDeadOn", node(t, core.Patients.IsDeadOn(query.Date("2020-03-10"))),
		fn(model.OpAnd, fn(model.OpNot, fn(model.OpIsNull, dod)), fn(model.OpLT, dod, d)))
}

// spanning is ehrQL's practice_registrations.spanning on frame regs,
// selecting the condition's columns from self.
func spanning(regs, self *model.Node, start, end *model.Node) *model.Node {
	cond := fn(model.OpAnd,
		fn(model.OpLE, col(self, "start_date"), start),
		fn(model.OpOr,
			fn(model.OpGE, col(self, "end_date"), end),
			fn(model.OpIsNull, col(self, "end_date"))))
	return must(model.Filter(regs, cond))
}

func TestSpanning(t *testing.T) {
	regs := table("practice_registrations")
	got := node(t, core.PracticeRegistrations.Spanning(query.Date("2019-04-01"), query.Date("2020-03-31")).StartDate)
	want := col(spanning(regs, regs, date("2019-04-01"), date("2020-03-31")), "start_date")
	same(t, "Spanning", got, want)
}

// forPatientOn is ehrQL's practice_registrations.for_patient_on on self.
func forPatientOn(self, d *model.Node) *model.Node {
	f := spanning(self, self, d, d)
	for _, k := range []string{"practice_pseudo_id", "end_date", "start_date"} {
		f = must(model.Sort(f, col(self, k)))
	}
	return must(model.PickOneRowPerPatient(f, model.Last))
}

func TestForPatientOn(t *testing.T) {
	row := core.PracticeRegistrations.ForPatientOn(query.Date("2020-03-10"))
	got := node(t, row.PracticePseudoID)
	regs := table("practice_registrations")
	d := date("2020-03-10")
	same(t, "ForPatientOn", got, col(forPatientOn(regs, d), "practice_pseudo_id"))

	// The same, read off the nodes: a last-row pick of three Sorts, keyed
	// outermost first on start_date, end_date, practice_pseudo_id, of a
	// Filter on And(LE(start_date, d), Or(GE(end_date, d), IsNull(end_date))).
	pick := got.Arg(0)
	if pick.Op() != model.OpPickOneRowPerPatient || pick.Position() != model.Last {
		t.Fatalf("picked from %s, want the last row", dump(pick))
	}
	f := pick.Arg(0)
	for _, key := range []string{"start_date", "end_date", "practice_pseudo_id"} {
		if f.Op() != model.OpSort {
			t.Fatalf("want Sort by %s, got %s", key, dump(f))
		}
		k := f.Arg(1)
		if k.Op() != model.OpSelectColumn || k.Name() != key || k.Arg(0).Op() != model.OpSelectTable {
			t.Errorf("sort key %s, want practice_registrations.%s", dump(k), key)
		}
		f = f.Arg(0)
	}
	if f.Op() != model.OpFilter {
		t.Fatalf("want a Filter under the sorts, got %s", dump(f))
	}
	cond := f.Arg(1)
	if cond.Op() != model.OpAnd || cond.Arg(0).Op() != model.OpLE || cond.Arg(1).Op() != model.OpOr ||
		cond.Arg(1).Arg(0).Op() != model.OpGE || cond.Arg(1).Arg(1).Op() != model.OpIsNull {
		t.Errorf("filter condition %s", dump(cond))
	}
	if cond.Arg(0).Arg(0).Name() != "start_date" || cond.Arg(1).Arg(0).Arg(0).Name() != "end_date" ||
		cond.Arg(1).Arg(1).Arg(0).Name() != "end_date" || cond.Arg(0).Arg(1).ID() != d.ID() {
		t.Errorf("filter condition %s", dump(cond))
	}
}

func TestExistsForPatientOn(t *testing.T) {
	regs := table("practice_registrations")
	d := date("2020-03-10")
	got := node(t, core.PracticeRegistrations.ExistsForPatientOn(query.Date("2020-03-10")))
	want := must(model.Aggregate(model.OpExists, spanning(regs, regs, d, d)))
	same(t, "ExistsForPatientOn", got, want)
}

// TestHelpersOnFilteredView: as in ehrQL, a helper called on a filtered
// view uses that view's columns.
func TestHelpersOnFilteredView(t *testing.T) {
	regs := core.PracticeRegistrations
	view := regs.Where(regs.PracticePseudoID.Ne(query.Int(7)))
	got := node(t, view.ForPatientOn(query.Date("2020-03-10")).StartDate)

	base := table("practice_registrations")
	filtered := must(model.Filter(base, fn(model.OpNE, col(base, "practice_pseudo_id"), model.MustValue(model.IntLit(7)))))
	same(t, "Where(...).ForPatientOn", got, col(forPatientOn(filtered, date("2020-03-10")), "start_date"))

	// Helpers never change the table var they start from.
	if n := node(t, regs.StartDate); n.Arg(0).Op() != model.OpSelectTable {
		t.Errorf("PracticeRegistrations changed: %s", dump(n))
	}
}

func TestCauseOfDeathIsIn(t *testing.T) {
	cl := codelists.New("I21", "I22")
	got := node(t, core.ONSDeaths.CauseOfDeathIsIn(cl))

	deaths := table("ons_deaths")
	var members []model.Literal
	for _, c := range cl.Codes() {
		l, err := model.CodeLit(codelists.ICD10, c)
		if err != nil {
			t.Fatal(err)
		}
		members = append(members, l)
	}
	set, err := model.SetLit(model.CodeType(codelists.ICD10), members)
	if err != nil {
		t.Fatal(err)
	}
	in := func(name string) *model.Node {
		return fn(model.OpIn, col(deaths, name), model.MustValue(set))
	}
	// functools.reduce(operator.or_, [underlying.is_in(cl), cod_01.is_in(cl), …])
	want := in("underlying_cause_of_death")
	for i := 1; i <= 15; i++ {
		want = fn(model.OpOr, want, in(causeColumn(i)))
	}
	same(t, "CauseOfDeathIsIn", got, want)

	// A codelist with a code of another system is refused.
	if _, err := query.Node(core.ONSDeaths.CauseOfDeathIsIn(codelists.New("22298006"))); err == nil {
		t.Error("CauseOfDeathIsIn accepted a SNOMED-CT code")
	}
}

func causeColumn(i int) string {
	return "cause_of_death_" + string(rune('0'+i/10)) + string(rune('0'+i%10))
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
