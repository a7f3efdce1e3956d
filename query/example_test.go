package query_test

import (
	"fmt"

	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/tables/core"
)

// A small dataset built from the core tables: patients registered on the
// index date, with their age, sex and their latest recorded value of a
// clinical code in the year before.
func Example() {
	index := query.Date("2020-04-01")
	codes := codelists.New("271649006", "72313002")

	ds := query.NewDataset()
	ds.DefinePopulation(core.PracticeRegistrations.ExistsForPatientOn(index))

	events := core.ClinicalEvents.
		Where(core.ClinicalEvents.SnomedctCode.IsIn(codes)).
		Where(core.ClinicalEvents.Date.IsOnOrBetween(index.Sub(query.Years(1)), index))
	latest := events.SortBy(events.Date).LastForPatient()

	ds.Add("age", core.Patients.AgeOn(index))
	ds.Add("sex", core.Patients.Sex)
	ds.Add("latest_value", latest.NumericValue)
	ds.Add("latest_date", latest.Date)
	ds.Add("n_events", events.CountForPatient())

	m, err := ds.Model()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range m.Variables {
		fmt.Printf("%s: %s\n", v.Name, v.Series.Type())
	}
	// Output:
	// age: Series[int]
	// sex: Series[str]
	// latest_value: Series[float]
	// latest_date: Series[date]
	// n_events: Series[int]
}

// Case picks the value of the first true condition, else the Otherwise
// value; it becomes a Case node of condition/value pairs and a default.
func ExampleCase() {
	age := core.Patients.AgeOn(query.Date("2020-01-01"))
	band := query.Case(
		query.When(age.Lt(query.Int(18)), query.Str("child")),
		query.When(age.Lt(query.Int(65)), query.Str("adult")),
		query.Otherwise(query.Str("older")),
	)
	n, err := query.Node(band)
	if err != nil {
		fmt.Println(err)
		return
	}
	conds, values, def := n.CaseBranches()
	fmt.Println(n.Op(), n.Type())
	for i := range conds {
		fmt.Println(" ", conds[i].Op(), conds[i].Arg(1).Literal(), "->", values[i].Literal())
	}
	fmt.Println("  otherwise ->", def.Literal())
	// Output:
	// Case Series[str]
	//   Function.LT 18 -> "child"
	//   Function.LT 65 -> "adult"
	//   otherwise -> "older"
}

// A literal date with a fixed duration is computed at once, with ehrQL's
// calendar rules: a day that does not exist rolls forward to the 1st of the
// next month.
func ExampleDuration() {
	for _, d := range []query.DatePatientSeries{
		query.Date("2020-01-31").Add(query.Months(1)),
		query.Date("2020-02-29").Add(query.Years(1)),
		query.Date("2020-03-01").Sub(query.Days(1)),
		query.Date("2020-01-01").Add(query.Weeks(2)),
	} {
		n, err := query.Node(d)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(n.Op(), n.Literal())
	}
	// A date series is not folded.
	n, _ := query.Node(core.Patients.DateOfBirth.Add(query.Months(1)))
	fmt.Println(n.Op(), n.Arg(1).Literal())
	// Output:
	// Value 2020-03-01
	// Value 2021-03-01
	// Value 2020-02-29
	// Value 2020-01-15
	// Function.DateAddMonths 1
}

// Parameters come after "--" on the ehrql command line.
func ExampleParseParams() {
	p := query.ParseParams([]string{"--start-date", "2020-01-01", "--region=London", "--codes", "a", "b"})
	start, _ := query.Node(p.DateOr("start-date", "2019-01-01"))
	fmt.Println(start.Literal())
	fmt.Println(p.StringOr("region", "all"))
	fmt.Println(p.Strings("codes"))
	fmt.Println(p.IntOr("years", 5), p.Has("years"))
	// Output:
	// 2020-01-01
	// London
	// [a b]
	// 5 false
}
