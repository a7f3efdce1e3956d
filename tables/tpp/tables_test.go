package tpp_test

import (
	"bytes"
	"encoding/json"
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

func table(name string) *model.Node { return check.Must(model.SelectTable(tables.TPP(name))) }

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
	check.SameModel(t, "population", check.Node(t, pop), seed.Dataset.Population)
	var seedAge *model.Node
	for _, v := range seed.Dataset.Variables {
		if v.Name == "age" {
			seedAge = v.Series
		}
	}
	if seedAge == nil {
		t.Fatal("the seed has no variable age")
	}
	check.SameModel(t, "age", check.Node(t, age), seedAge)

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
		check.SameModel(t, p.name, check.Node(t, p.tpp), check.Node(t, p.cor))
	}
	if tbl := check.Node(t, tpp.Patients.Sex).Arg(0).Table(); tbl != tables.Core("patients") || tbl.Module != tables.ModuleCore {
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

func TestPracticeRegistrationsHelpers(t *testing.T) {
	regs := table("practice_registrations")
	d, s, e := check.Date("2020-03-10"), check.Date("2019-04-01"), check.Date("2020-03-31")

	check.SameModel(t, "Spanning",
		check.Node(t, tpp.PracticeRegistrations.Spanning(query.Date("2019-04-01"), query.Date("2020-03-31")).PracticeStp),
		check.Col(check.Spanning(regs, s, e), "practice_stp"))

	// check.Spanning(start, end).where(practice_systmone_go_live_date <= start)
	want := check.Must(model.Filter(check.Spanning(regs, s, e), check.Fn(model.OpLE, check.Col(regs, "practice_systmone_go_live_date"), s)))
	check.SameModel(t, "SpanningWithSystmone",
		check.Node(t, tpp.PracticeRegistrations.SpanningWithSystmone(query.Date("2019-04-01"), query.Date("2020-03-31")).ExistsForPatient()),
		check.Must(model.Aggregate(model.OpExists, want)))

	check.SameModel(t, "ExistsForPatientOn",
		check.Node(t, tpp.PracticeRegistrations.ExistsForPatientOn(query.Date("2020-03-10"))),
		check.Must(model.Aggregate(model.OpExists, check.Spanning(regs, d, d))))

	f := check.Spanning(regs, d, d)
	for _, k := range []string{"practice_pseudo_id", "end_date", "start_date"} {
		f = check.Must(model.Sort(f, check.Col(regs, k)))
	}
	pick := check.Must(model.PickOneRowPerPatient(f, model.Last))
	check.SameModel(t, "ForPatientOn",
		check.Node(t, tpp.PracticeRegistrations.ForPatientOn(query.Date("2020-03-10")).PracticeNuts1RegionName),
		check.Col(pick, "practice_nuts1_region_name"))
}

// addressesOn is ehrQL's addresses.for_patient_on(d) on frame self.
func addressesOn(self, d *model.Node) *model.Node {
	f := check.Must(model.Filter(self, check.Fn(model.OpLE, check.Col(self, "start_date"), d)))
	ended := check.Fn(model.OpLT, check.Col(self, "end_date"), d)
	f = check.Must(model.Filter(f, check.Fn(model.OpOr, check.Fn(model.OpNot, ended), check.Fn(model.OpIsNull, ended))))
	hasPostcode := check.Must(model.Case([]*model.Node{check.Col(self, "has_postcode")}, []*model.Node{check.Int(1)}, check.Int(0)))
	for _, k := range []*model.Node{check.Col(self, "address_id"), check.Col(self, "end_date"), check.Col(self, "start_date"), hasPostcode} {
		f = check.Must(model.Sort(f, k))
	}
	return check.Must(model.PickOneRowPerPatient(f, model.Last))
}

func TestAddressesForPatientOn(t *testing.T) {
	addr := table("addresses")
	row := tpp.Addresses.ForPatientOn(query.Date("2020-03-10"))
	check.SameModel(t, "ForPatientOn", check.Node(t, row.MsoaCode), check.Col(addressesOn(addr, check.Date("2020-03-10")), "msoa_code"))

	// On a filtered view, the view's columns are used.
	view := tpp.Addresses.Where(tpp.Addresses.AddressType.Eq(query.Int(0)))
	filtered := check.Must(model.Filter(addr, check.Fn(model.OpEQ, check.Col(addr, "address_type"), check.Int(0))))
	check.SameModel(t, "Where(...).ForPatientOn", check.Node(t, view.ForPatientOn(query.Date("2020-03-10")).ImdRounded),
		check.Col(addressesOn(filtered, check.Date("2020-03-10")), "imd_rounded"))
}

// imdCase is ehrQL's imd_quintile / imd_decile over imd, with the upper
// bounds and labels written out.
func imdCase(imd *model.Node, bounds []int64, labels []string) *model.Node {
	var conds, values []*model.Node
	for i, b := range bounds {
		c := check.Fn(model.OpLE, imd, check.Int(b))
		if i == 0 {
			c = check.Fn(model.OpAnd, check.Fn(model.OpGE, imd, check.Int(0)), c)
		}
		conds = append(conds, c)
		values = append(values, check.Str(labels[i]))
	}
	return check.Must(model.Case(conds, values, check.Str("unknown")))
}

func TestIMDQuintileAndDecile(t *testing.T) {
	row := tpp.Addresses.ForPatientOn(query.Date("2020-03-10"))
	imd := check.Col(addressesOn(table("addresses"), check.Date("2020-03-10")), "imd_rounded")

	check.SameModel(t, "IMDQuintile", check.Node(t, row.IMDQuintile()), imdCase(imd,
		[]int64{6568, 13137, 19706, 26275, 32844},
		[]string{"1 (most deprived)", "2", "3", "4", "5 (least deprived)"}))
	check.SameModel(t, "IMDDecile", check.Node(t, row.IMDDecile()), imdCase(imd,
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
	check.SameModel(t, "Addresses.IMDQuintile", check.Node(t, tpp.Addresses.IMDQuintile()), imdCase(check.Col(addrs, "imd_rounded"),
		[]int64{6568, 13137, 19706, 26275, 32844},
		[]string{"1 (most deprived)", "2", "3", "4", "5 (least deprived)"}))
	withPostcode := check.Must(model.Filter(addrs, check.Col(addrs, "has_postcode")))
	check.SameModel(t, "filtered Addresses.IMDDecile",
		check.Node(t, tpp.Addresses.Where(tpp.Addresses.HasPostcode).IMDDecile()),
		imdCase(check.Col(withPostcode, "imd_rounded"),
			[]int64{3284, 6568, 9853, 13137, 16422, 19706, 22990, 26275, 29559, 32844},
			[]string{"1 (most deprived)", "2", "3", "4", "5", "6", "7", "8", "9", "10 (least deprived)"}))
	// And on a sorted view, over the sorted frame's column.
	sortedNode := check.Must(model.Sort(addrs, check.Col(addrs, "start_date")))
	check.SameModel(t, "sorted Addresses.IMDQuintile", check.Node(t, tpp.Addresses.SortBy(tpp.Addresses.StartDate).IMDQuintile()),
		imdCase(check.Col(sortedNode, "imd_rounded"),
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
	f := check.Must(model.Filter(dsv, check.Fn(model.OpEQ, check.Col(dsv, "algorithm_description"), check.Str("UK Electronic Frailty Index (eFI)"))))
	f = check.Must(model.Filter(f, check.Fn(model.OpEQ, check.Col(dsv, "algorithm_version"), check.Str("1.0"))))
	check.SameModel(t, "ElectronicFrailtyIndex", check.Node(t, tpp.DecisionSupportValues.ElectronicFrailtyIndex().NumericValue),
		check.Col(f, "numeric_value"))
}

func TestCauseOfDeathIsIn(t *testing.T) {
	cl := codelists.New("U071", "U072")
	want := check.CauseOfDeathIsIn(table("ons_deaths"), cl)
	got := check.Node(t, tpp.ONSDeaths.CauseOfDeathIsIn(cl))
	check.SameModel(t, "CauseOfDeathIsIn", got, want)
	if got.Arg(1).Arg(0).Arg(0).Table().Module != tables.ModuleTPP {
		t.Errorf("tpp.ONSDeaths is not the tpp table")
	}
}
