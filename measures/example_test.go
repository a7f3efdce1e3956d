package measures_test

import (
	"fmt"

	"github.com/ehrql-go/ehrql/measures"
	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/tables/tpp"
)

// A measures definition: the proportion of registered patients with an
// event in each month, by sex. A definition program ends with
// query.Emit(c) instead of printing.
func Example() {
	events := tpp.ClinicalEvents
	registered := tpp.PracticeRegistrations.ExistsForPatientOn(measures.IntervalStart())

	c := measures.New()
	c.DefineDefaults(measures.Measure{
		Denominator: registered,
		Intervals:   measures.Months(3).StartingOn("2022-01-01"),
	})
	c.DefineMeasure("had_event", measures.Measure{
		Numerator: events.Where(events.Date.IsDuring(measures.CurrentInterval())).ExistsForPatient(),
		GroupBy:   []measures.Group{{Name: "sex", Series: tpp.Patients.Sex}},
	})
	def, err := c.Definition()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range def.Measures {
		fmt.Println(m.Name, m.Numerator.Type(), m.Denominator.Type(), m.GroupBy[0].Name)
		for _, iv := range m.Intervals {
			fmt.Println(iv[0], iv[1])
		}
	}
	fmt.Println("disclosure control:", def.MeasuresDisclosureControl.Enabled)
	// Output:
	// had_event Series[bool] Series[bool] sex
	// 2022-01-01 2022-01-31
	// 2022-02-01 2022-02-28
	// 2022-03-01 2022-03-31
	// disclosure control: true
}

// Intervals are counted from the base date, rolling a day that does not
// exist in the target month forward to the 1st of the next.
func ExampleDuration_StartingOn() {
	for _, iv := range measures.Months(3).StartingOn("2020-01-31") {
		fmt.Println(iv)
	}
	// Output:
	// (2020-01-31, 2020-02-29)
	// (2020-03-01, 2020-03-30)
	// (2020-03-31, 2020-04-30)
}

func ExampleDuration_EndingOn() {
	for _, iv := range measures.Months(3).EndingOn("2020-03-31") {
		fmt.Println(iv)
	}
	// Output:
	// (2020-01-01, 2020-01-31)
	// (2020-02-01, 2020-03-01)
	// (2020-03-02, 2020-03-31)
}

// Mistakes are reported with the definition's line.
func ExampleCollection_DefineMeasure_mistake() {
	c := measures.New()
	c.DefineMeasure("per cent", measures.Measure{
		Numerator:   query.Bool(true),
		Denominator: query.Bool(true),
		Intervals:   measures.Weeks(1).StartingOn("2020-01-01"),
	})
	_, err := c.Definition()
	fmt.Println(err)
	// Output:
	// example_test.go:72: Measure names must start with a letter and contain only alphanumeric characters and underscores, got: 'per cent'
}
