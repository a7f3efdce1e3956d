// Package measures is ehrQL's measures language in Go: a collection of
// named ratios (numerator / denominator), each broken down by groups and
// evaluated over a list of date intervals.
//
// A measures definition is a Go program, like a dataset definition, that
// builds a Collection and ends with query.Emit:
//
//	c := measures.New()
//	c.DefineDefaults(measures.Measure{
//		Denominator: registered,
//		Intervals:   measures.Months(12).StartingOn("2020-01-01"),
//	})
//	c.DefineMeasure("adult_proportion", measures.Measure{
//		Numerator: tpp.Patients.AgeOn(measures.IntervalStart()).Ge(query.Int(18)),
//		GroupBy:   []measures.Group{{Name: "sex", Series: tpp.Patients.Sex}},
//	})
//	query.Emit(c)
//
// IntervalStart and IntervalEnd (and CurrentInterval, for IsDuring) are
// ehrQL's INTERVAL placeholder: date parameters that the engine replaces by
// each interval's dates in turn.
//
// Every rule ehrQL applies to define_measure and define_defaults is applied
// here, with ehrQL's messages; mistakes are reported with the file and line
// of the call that made them when the definition is emitted.
//
// The package is pure Go: definition programs import it, so it must not
// import the engine.
package measures
