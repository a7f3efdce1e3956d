// Package query is ehrQL written in Go: typed frames and series from which a
// dataset definition is built, compiled to ehrQL's query model.
//
// Series types say both what a value is (bool, int, float, str, date, code,
// multi-code string) and how many values a patient has: PatientSeries have
// one, EventSeries many. The compiler refuses what ehrQL would refuse where it
// can — no Year on an int series, no event series as a dataset column — and
// the rest is reported when the definition runs, with the file and line of
// the mistake.
package query
