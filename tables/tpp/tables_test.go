package tpp_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"testing"

	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
	"github.com/ehrql-go/ehrql/tables/core"
	"github.com/ehrql-go/ehrql/tables/internal/gentyped/check"
	"github.com/ehrql-go/ehrql/tables/tpp"
)

func TestTablesMatchCatalogue(t *testing.T) {
	check.Module(t, tables.ModuleTPP, generatedTables)
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

func table(name string) *model.Node { return must(model.SelectTable(tables.TPP(name))) }

func col(frame *model.Node, name string) *model.Node { return must(model.SelectColumn(frame, name)) }

func fn(op model.Op, args ...*model.Node) *model.Node { return must(model.Function(op, args...)) }

func date(iso string) *model.Node { return model.MustValue(model.DateLit(model.MustParseDate(iso))) }

func integer(i int64) *model.Node { return model.MustValue(model.IntLit(i)) }

func str(s string) *model.Node { return model.MustValue(model.StrLit(s)) }

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
		return n.Table().Module + "." + n.Table().Name
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

const seedFile = "testdata/consultation_dataset_2019-04-01_to_2020-03-31.json"

// seedPopulation is the seed study's population and age, built with the
// helpers: practice_registrations.for_patient_on(start).exists_for_patient()
// & (patients.age_on(start) >= 18).
func seedPopulation() (pop query.BoolPatientSeries, age query.IntPatientSeries) {
	start := query.Date("2019-04-01")
	age = tpp.Patients.AgeOn(start)
	pop = tpp.PracticeRegistrations.ForPatientOn(start).ExistsForPatient().And(age.Ge(query.Int(18)))
	return pop, age
}

// TestSeedStudyNodes compares for_patient_on and age_on with the query
// model ehrQL wrote for the seed study: the population is the seed's node
// "2", age its node "18", and encoding them gives the seed's nodes "2" to
// "19", byte for byte once parsed.
func TestSeedStudyNodes(t *testing.T) {
	data, err := os.ReadFile(seedFile)
	if err != nil {
		t.Fatal(err)
	}
	seed, err := model.Decode(data, tables.Default())
	if err != nil {
		t.Fatal(err)
	}
	pop, age := seedPopulation()
	same(t, "population", node(t, pop), seed.Dataset.Population)
	var seedAge *model.Node
	for _, v := range seed.Dataset.Variables {
		if v.Name == "age" {
			seedAge = v.Series
		}
	}
	if seedAge == nil {
		t.Fatal("the seed has no variable age")
	}
	same(t, "age", node(t, age), seedAge)

	ds := query.NewDataset()
	ds.DefinePopulation(pop)
	ds.Add("age", age)
	m, err := ds.Model()
	if err != nil {
		t.Fatal(err)
	}
	mine, err := model.Encode(&model.Definition{Dataset: m})
	if err != nil {
		t.Fatal(err)
	}
	want, got := parseNodes(t, data), parseNodes(t, mine)
	for i := 2; i <= 19; i++ {
		id := strconv.Itoa(i)
		if !reflect.DeepEqual(got[id], want[id]) {
			g, _ := json.Marshal(got[id])
			w, _ := json.Marshal(want[id])
			t.Errorf("node %s:\n got: %s\nwant: %s", id, g, w)
		}
	}
	if len(got) != 20 { // "value", the dataset "1" and nodes "2".."19"
		t.Errorf("encoded %d entries, want 20", len(got))
	}
}

func parseNodes(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPatientsIsCorePatients: tpp.patients is core.patients in ehrQL, so
// both packages' Patients build the same nodes, of the core module.
func TestPatientsIsCorePatients(t *testing.T) {
	d := query.Date("2020-03-10")
	pairs := []struct {
		name     string
		tpp, cor query.Series
	}{
		{"date_of_birth", tpp.Patients.DateOfBirth, core.Patients.DateOfBirth},
		{"sex", tpp.Patients.Sex, core.Patients.Sex},
		{"date_of_death", tpp.Patients.DateOfDeath, core.Patients.DateOfDeath},
		{"age_on", tpp.Patients.AgeOn(d), core.Patients.AgeOn(d)},
		{"is_alive_on", tpp.Patients.IsAliveOn(d), core.Patients.IsAliveOn(d)},
		{"is_dead_on", tpp.Patients.IsDeadOn(d), core.Patients.IsDeadOn(d)},
		{"exists_for_patient", tpp.Patients.ExistsForPatient(), core.Patients.ExistsForPatient()},
	}
	for _, p := range pairs {
		same(t, p.name, node(t, p.tpp), node(t, p.cor))
	}
	if tbl := node(t, tpp.Patients.Sex).Arg(0).Table(); tbl != tables.Core("patients") || tbl.Module != tables.ModuleCore {
		t.Errorf("tpp.Patients is %s.%s, want the core table", tbl.Module, tbl.Name)
	}

	encode := func(sex query.StrPatientSeries, pop query.BoolPatientSeries) []byte {
		ds := query.NewDataset()
		ds.DefinePopulation(pop)
		ds.Add("sex", sex)
		def, err := ds.Definition()
		if err != nil {
			t.Fatal(err)
		}
		data, err := model.Encode(def)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	a := encode(tpp.Patients.Sex, tpp.Patients.ExistsForPatient().And(tpp.Patients.IsAliveOn(d)))
	b := encode(core.Patients.Sex, core.Patients.ExistsForPatient().And(core.Patients.IsAliveOn(d)))
	if !bytes.Equal(a, b) {
		t.Errorf("tpp and core patients encode differently:\n%s\n%s", a, b)
	}
	if !bytes.Contains(a, []byte(`{"external_ref": {"module": "ehrql.tables.core", "name": "patients"}}`)) {
		t.Errorf("patients is not written as ehrql.tables.core.patients:\n%s", a)
	}
}

// spanning is ehrQL's practice_registrations.spanning on frame regs.
func spanning(regs, start, end *model.Node) *model.Node {
	cond := fn(model.OpAnd,
		fn(model.OpLE, col(regs, "start_date"), start),
		fn(model.OpOr,
			fn(model.OpGE, col(regs, "end_date"), end),
			fn(model.OpIsNull, col(regs, "end_date"))))
	return must(model.Filter(regs, cond))
}

func TestPracticeRegistrationsHelpers(t *testing.T) {
	regs := table("practice_registrations")
	d, s, e := date("2020-03-10"), date("2019-04-01"), date("2020-03-31")

	same(t, "Spanning",
		node(t, tpp.PracticeRegistrations.Spanning(query.Date("2019-04-01"), query.Date("2020-03-31")).PracticeStp),
		col(spanning(regs, s, e), "practice_stp"))

	// spanning(start, end).where(practice_systmone_go_live_date <= start)
	want := must(model.Filter(spanning(regs, s, e), fn(model.OpLE, col(regs, "practice_systmone_go_live_date"), s)))
	same(t, "SpanningWithSystmone",
		node(t, tpp.PracticeRegistrations.SpanningWithSystmone(query.Date("2019-04-01"), query.Date("2020-03-31")).ExistsForPatient()),
		must(model.Aggregate(model.OpExists, want)))

	same(t, "ExistsForPatientOn",
		node(t, tpp.PracticeRegistrations.ExistsForPatientOn(query.Date("2020-03-10"))),
		must(model.Aggregate(model.OpExists, spanning(regs, d, d))))

	f := spanning(regs, d, d)
	for _, k := range []string{"practice_pseudo_id", "end_date", "start_date"} {
		f = must(model.Sort(f, col(regs, k)))
	}
	pick := must(model.PickOneRowPerPatient(f, model.Last))
	same(t, "ForPatientOn",
		node(t, tpp.PracticeRegistrations.ForPatientOn(query.Date("2020-03-10")).PracticeNuts1RegionName),
		col(pick, "practice_nuts1_region_name"))
}

// addressesOn is ehrQL's addresses.for_patient_on(d) on frame self.
func addressesOn(self, d *model.Node) *model.Node {
	f := must(model.Filter(self, fn(model.OpLE, col(self, "start_date"), d)))
	ended := fn(model.OpLT, col(self, "end_date"), d)
	f = must(model.Filter(f, fn(model.OpOr, fn(model.OpNot, ended), fn(model.OpIsNull, ended))))
	hasPostcode := must(model.Case([]*model.Node{col(self, "has_postcode")}, []*model.Node{integer(1)}, integer(0)))
	for _, k := range []*model.Node{col(self, "address_id"), col(self, "end_date"), col(self, "start_date"), hasPostcode} {
		f = must(model.Sort(f, k))
	}
	return must(model.PickOneRowPerPatient(f, model.Last))
}

func TestAddressesForPatientOn(t *testing.T) {
	addr := table("addresses")
	row := tpp.Addresses.ForPatientOn(query.Date("2020-03-10"))
	same(t, "ForPatientOn", node(t, row.MsoaCode), col(addressesOn(addr, date("2020-03-10")), "msoa_code"))

	// On a filtered view, the view's columns are used.
	view := tpp.Addresses.Where(tpp.Addresses.AddressType.Eq(query.Int(0)))
	filtered := must(model.Filter(addr, fn(model.OpEQ, col(addr, "address_type"), integer(0))))
	same(t, "Where(...).ForPatientOn", node(t, view.ForPatientOn(query.Date("2020-03-10")).ImdRounded),
		col(addressesOn(filtered, date("2020-03-10")), "imd_rounded"))
}

// imdCase is ehrQL's imd_quintile / imd_decile over imd, with the upper
// bounds and labels written out.
func imdCase(imd *model.Node, bounds []int64, labels []string) *model.Node {
	var conds, values []*model.Node
	for i, b := range bounds {
		c := fn(model.OpLE, imd, integer(b))
		if i == 0 {
			c = fn(model.OpAnd, fn(model.OpGE, imd, integer(0)), c)
		}
		conds = append(conds, c)
		values = append(values, str(labels[i]))
	}
	return must(model.Case(conds, values, str("unknown")))
}

func TestIMDQuintileAndDecile(t *testing.T) {
	row := tpp.Addresses.ForPatientOn(query.Date("2020-03-10"))
	imd := col(addressesOn(table("addresses"), date("2020-03-10")), "imd_rounded")

	same(t, "IMDQuintile", node(t, row.IMDQuintile()), imdCase(imd,
		[]int64{6568, 13137, 19706, 26275, 32844},
		[]string{"1 (most deprived)", "2", "3", "4", "5 (least deprived)"}))
	same(t, "IMDDecile", node(t, row.IMDDecile()), imdCase(imd,
		[]int64{3284, 6568, 9853, 13137, 16422, 19706, 22990, 26275, 29559, 32844},
		[]string{"1 (most deprived)", "2", "3", "4", "5", "6", "7", "8", "9", "10 (least deprived)"}))

	// On any picked row, too.
	last := tpp.Addresses.SortBy(tpp.Addresses.StartDate).LastForPatient()
	if _, err := query.Node(last.IMDQuintile()); err != nil {
		t.Error(err)
	}

	// On the event frame, and on a filtered view of it: one value per
	// address, the same case over the frame's own imd_rounded.
	addrs := table("addresses")
	same(t, "Addresses.IMDQuintile", node(t, tpp.Addresses.IMDQuintile()), imdCase(col(addrs, "imd_rounded"),
		[]int64{6568, 13137, 19706, 26275, 32844},
		[]string{"1 (most deprived)", "2", "3", "4", "5 (least deprived)"}))
	withPostcode := must(model.Filter(addrs, col(addrs, "has_postcode")))
	same(t, "filtered Addresses.IMDDecile",
		node(t, tpp.Addresses.Where(tpp.Addresses.HasPostcode).IMDDecile()),
		imdCase(col(withPostcode, "imd_rounded"),
			[]int64{3284, 6568, 9853, 13137, 16422, 19706, 22990, 26275, 29559, 32844},
			[]string{"1 (most deprived)", "2", "3", "4", "5", "6", "7", "8", "9", "10 (least deprived)"}))
	// And on a sorted view, over the sorted frame's column.
	sortedNode := must(model.Sort(addrs, col(addrs, "start_date")))
	same(t, "sorted Addresses.IMDQuintile", node(t, tpp.Addresses.SortBy(tpp.Addresses.StartDate).IMDQuintile()),
		imdCase(col(sortedNode, "imd_rounded"),
			[]int64{6568, 13137, 19706, 26275, 32844},
			[]string{"1 (most deprived)", "2", "3", "4", "5 (least deprived)"}))
	// An event-level quintile can filter the addresses it came from.
	mostDeprived := tpp.Addresses.Where(tpp.Addresses.IMDQuintile().Eq(query.Str("1 (most deprived)")))
	if _, err := query.Node(mostDeprived.ExistsForPatient()); err != nil {
		t.Error(err)
	}
}

func TestElectronicFrailtyIndex(t *testing.T) {
	dsv := table("decision_support_values")
	f := must(model.Filter(dsv, fn(model.OpEQ, col(dsv, "algorithm_description"), str("UK Electronic Frailty Index (eFI)"))))
	f = must(model.Filter(f, fn(model.OpEQ, col(dsv, "algorithm_version"), str("1.0"))))
	same(t, "ElectronicFrailtyIndex", node(t, tpp.DecisionSupportValues.ElectronicFrailtyIndex().NumericValue),
		col(f, "numeric_value"))
}

func TestCauseOfDeathIsIn(t *testing.T) {
	cl := codelists.New("U071", "U072")
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
	in := func(name string) *model.Node { return fn(model.OpIn, col(deaths, name), model.MustValue(set)) }
	want := in("underlying_cause_of_death")
	for i := 1; i <= 15; i++ {
		want = fn(model.OpOr, want, in(fmt.Sprintf("cause_of_death_%02d", i)))
	}
	got := node(t, tpp.ONSDeaths.CauseOfDeathIsIn(cl))
	same(t, "CauseOfDeathIsIn", got, want)
	if got.Arg(1).Arg(0).Arg(0).Table().Module != tables.ModuleTPP {
		t.Errorf("tpp.ONSDeaths is not the tpp table")
	}
}
