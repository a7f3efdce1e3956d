package query_test

import (
	"testing"

	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/tables/core"
	"github.com/ehrql-go/ehrql/tables/tpp"
)

// TestLanguageToQueryModel checks, method by method, the nodes the language
// builds against section 3.6 of the spec.
func TestLanguageToQueryModel(t *testing.T) {
	p := core.Patients
	ce := core.ClinicalEvents
	dob := p.DateOfBirth
	start, end := query.Date("2020-01-01"), query.Date("2020-12-31")
	year := dob.Year()
	cond := ce.NumericValue.Gt(query.Float(1.5))
	sexMale := p.Sex.Eq(query.Str("male"))
	cats, err := codelists.NewCategorised([]string{"234567", "123456", "345678"}, []string{"b", "a", "b"})
	if err != nil {
		t.Fatal(err)
	}

	const (
		D   = "patients.date_of_birth"
		Y   = "YearFromDate(patients.date_of_birth)"
		CE  = "clinical_events"
		NV  = "clinical_events.numeric_value"
		CD  = "clinical_events.date"
		SC  = "clinical_events.snomedct_code"
		GT  = "GT(" + NV + ", Value(1.5))"
		SEX = "EQ(patients.sex, Value(\"male\"))"
	)

	tests := []struct {
		name string
		got  query.Series
		want string
	}{
		// Comparisons.
		{"Eq", year.Eq(query.Int(2000)), "EQ(" + Y + ", Value(2000))"},
		{"Ne", year.Ne(query.Int(2000)), "NE(" + Y + ", Value(2000))"},
		{"Lt", year.Lt(query.Int(2000)), "LT(" + Y + ", Value(2000))"},
		{"Le", year.Le(query.Int(2000)), "LE(" + Y + ", Value(2000))"},
		{"Gt", year.Gt(query.Int(2000)), "GT(" + Y + ", Value(2000))"},
		{"Ge", year.Ge(query.Int(2000)), "GE(" + Y + ", Value(2000))"},
		{"IsBefore", dob.IsBefore(start), "LT(" + D + ", Value(2020-01-01))"},
		{"IsOnOrBefore", dob.IsOnOrBefore(start), "LE(" + D + ", Value(2020-01-01))"},
		{"IsAfter", dob.IsAfter(start), "GT(" + D + ", Value(2020-01-01))"},
		{"IsOnOrAfter", dob.IsOnOrAfter(start), "GE(" + D + ", Value(2020-01-01))"},
		{"IsOnOrBetween", dob.IsOnOrBetween(start, end),
			"And(GE(" + D + ", Value(2020-01-01)), LE(" + D + ", Value(2020-12-31)))"},
		{"IsDuring", dob.IsDuring(query.Interval{Start: start, End: end}),
			"And(GE(" + D + ", Value(2020-01-01)), LE(" + D + ", Value(2020-12-31)))"},
		{"IsBetweenButNotOn", dob.IsBetweenButNotOn(start, end),
			"And(GT(" + D + ", Value(2020-01-01)), LT(" + D + ", Value(2020-12-31)))"},
		{"event IsOnOrBetween", ce.Date.IsOnOrBetween(start, end),
			"And(GE(" + CD + ", Value(2020-01-01)), LE(" + CD + ", Value(2020-12-31)))"},

		// Logic and nulls.
		{"And", sexMale.And(dob.IsNull()), "And(" + SEX + ", IsNull(" + D + "))"},
		{"Or", sexMale.Or(dob.IsNull()), "Or(" + SEX + ", IsNull(" + D + "))"},
		{"Not", sexMale.Not(), "Not(" + SEX + ")"},
		{"IsNull", dob.IsNull(), "IsNull(" + D + ")"},
		{"IsNotNull", dob.IsNotNull(), "Not(IsNull(" + D + "))"},
		{"WhenNullThen", year.WhenNullThen(query.Int(0)),
			"Case(Not(IsNull(" + Y + ")), " + Y + ", Value(0))"},
		{"event WhenNullThen", ce.NumericValue.WhenNullThen(query.Float(0)),
			"Case(Not(IsNull(" + NV + ")), " + NV + ", Value(0))"},

		// Containment.
		{"IsIn", p.Sex.IsIn("male", "female"), "In(patients.sex, Value({\"female\", \"male\"}))"},
		{"IsIn duplicates", year.IsIn(3, 1, 3), "In(" + Y + ", Value({1, 3}))"},
		{"IsIn empty", year.IsIn(), "In(" + Y + ", Value({}))"},
		{"IsNotIn", p.Sex.IsNotIn("male"), "Not(In(patients.sex, Value({\"male\"})))"},
		{"IsNotIn empty", p.Sex.IsNotIn(), "Not(In(patients.sex, Value({})))"},
		{"date IsIn", dob.IsIn("2020-02-01"), "In(" + D + ", Value({2020-02-01}))"},
		{"IsInSeries", dob.IsInSeries(ce.Date), "In(" + D + ", CombineAsSet(" + CD + "))"},
		{"IsNotInSeries", dob.IsNotInSeries(ce.Date), "Not(In(" + D + ", CombineAsSet(" + CD + ")))"},
		{"codelist IsIn", ce.SnomedctCode.IsIn(codelists.New("234567", " 123456 ")),
			"In(" + SC + ", Value({\"123456\", \"234567\"}))"},
		{"codelist IsNotIn", ce.SnomedctCode.IsNotIn(codelists.New("123456")),
			"Not(In(" + SC + ", Value({\"123456\"})))"},
		{"ToCategory", ce.SnomedctCode.ToCategory(cats),
			"Case(EQ(" + SC + ", Value(\"234567\")), Value(\"b\"), EQ(" + SC + ", Value(\"123456\")), Value(\"a\"), EQ(" + SC + ", Value(\"345678\")), Value(\"b\"), NULL)"},

		// Arithmetic.
		{"Add", year.Add(query.Int(1)), "Add(" + Y + ", Value(1))"},
		{"Sub", year.Sub(query.Int(1)), "Subtract(" + Y + ", Value(1))"},
		{"Mul", year.Mul(query.Int(2)), "Multiply(" + Y + ", Value(2))"},
		{"Div", year.Div(query.Int(2)), "TrueDivide(" + Y + ", Value(2))"},
		{"literal Div", query.Int(2).Div(year), "TrueDivide(Value(2), " + Y + ")"},
		{"FloorDiv", year.FloorDiv(query.Int(2)), "FloorDivide(" + Y + ", Value(2))"},
		{"float FloorDiv", ce.NumericValue.FloorDiv(query.Float(2)), "FloorDivide(" + NV + ", Value(2))"},
		{"Pow", year.Pow(query.Int(2)), "Power(" + Y + ", Value(2))"},
		{"Neg", year.Neg(), "Negate(" + Y + ")"},
		{"Abs", year.Abs(), "Absolute(" + Y + ")"},
		{"int AsFloat", year.AsFloat(), "CastToFloat(" + Y + ")"},
		{"int AsInt", year.AsInt(), "CastToInt(" + Y + ")"},
		{"float AsInt", ce.NumericValue.AsInt(), "CastToInt(" + NV + ")"},
		{"float AsFloat", ce.NumericValue.AsFloat(), "CastToFloat(" + NV + ")"},
		{"bool AsInt", sexMale.AsInt(), "CastToInt(" + SEX + ")"},
		{"MaximumOf", query.MaximumOf(year, query.Int(2000), dob.Month()),
			"MaximumOf(" + Y + ", Value(2000), MonthFromDate(" + D + "))"},
		{"MinimumOf", query.MinimumOf(dob, start), "MinimumOf(" + D + ", Value(2020-01-01))"},
		{"MaximumOf event", query.MaximumOf[query.DateSeries](ce.Date, dob), "MaximumOf(" + CD + ", " + D + ")"},

		// Strings and multi-code strings.
		{"Contains", p.Sex.Contains(query.Str("al")), "StringContains(patients.sex, Value(\"al\"))"},
		{"multi Contains", tpp.APCS.AllDiagnoses.Contains("M06"),
			"StringContains(apcs.all_diagnoses, Value(\"M06\"))"},
		{"ContainsAnyOf", tpp.APCS.AllDiagnoses.ContainsAnyOf(codelists.New("M06", "M069", "J45")),
			"Or(Or(StringContains(apcs.all_diagnoses, Value(\"M06\")), StringContains(apcs.all_diagnoses, Value(\"M069\"))), StringContains(apcs.all_diagnoses, Value(\"J45\")))"},
		{"ContainsAnyOf one", tpp.APCS.AllDiagnoses.ContainsAnyOf(codelists.New("M06")),
			"StringContains(apcs.all_diagnoses, Value(\"M06\"))"},

		// Dates.
		{"Year", dob.Year(), Y},
		{"Month", dob.Month(), "MonthFromDate(" + D + ")"},
		{"Day", dob.Day(), "DayFromDate(" + D + ")"},
		{"ToFirstOfYear", dob.ToFirstOfYear(), "ToFirstOfYear(" + D + ")"},
		{"ToFirstOfMonth", dob.ToFirstOfMonth(), "ToFirstOfMonth(" + D + ")"},
		{"Add Days", dob.Add(query.Days(3)), "DateAddDays(" + D + ", Value(3))"},
		{"Add Weeks", dob.Add(query.Weeks(2)), "DateAddDays(" + D + ", Multiply(Value(2), Value(7)))"},
		{"Add Months", dob.Add(query.Months(1)), "DateAddMonths(" + D + ", Value(1))"},
		{"Add Years", dob.Add(query.Years(5)), "DateAddYears(" + D + ", Value(5))"},
		{"Sub Days", dob.Sub(query.Days(3)), "DateAddDays(" + D + ", Value(-3))"},
		{"Sub Weeks", dob.Sub(query.Weeks(2)), "DateAddDays(" + D + ", Multiply(Value(-2), Value(7)))"},
		{"Sub Months", dob.Sub(query.Months(1)), "DateAddMonths(" + D + ", Value(-1))"},
		{"Sub Years", dob.Sub(query.Years(1)), "DateAddYears(" + D + ", Value(-1))"},
		{"Add DaysOf", dob.Add(query.DaysOf(year)), "DateAddDays(" + D + ", " + Y + ")"},
		{"Sub MonthsOf", dob.Sub(query.MonthsOf(year)), "DateAddMonths(" + D + ", Negate(" + Y + "))"},
		{"Add WeeksOf", dob.Add(query.WeeksOf(year)), "DateAddDays(" + D + ", Multiply(" + Y + ", Value(7)))"},
		{"literal date + YearsOf", start.Add(query.YearsOf(year)), "DateAddYears(Value(2020-01-01), " + Y + ")"},
		{"event Add Days", ce.Date.Add(query.Days(1)), "DateAddDays(" + CD + ", Value(1))"},
		{"fold Months", query.Date("2020-01-31").Add(query.Months(1)), "Value(2020-03-01)"},
		{"fold Years leap", query.Date("2020-02-29").Add(query.Years(1)), "Value(2021-03-01)"},
		{"fold Sub Days", query.Date("2020-03-01").Sub(query.Days(1)), "Value(2020-02-29)"},
		{"fold Weeks", query.Date("2020-01-01").Add(query.Weeks(2)), "Value(2020-01-15)"},
		{"fold Sub Months rolls forward", query.Date("2020-03-31").Sub(query.Months(1)), "Value(2020-03-01)"},
		{"Minus Days", start.Minus(dob).Days(), "DateDifferenceInDays(Value(2020-01-01), " + D + ")"},
		{"Minus Weeks", start.Minus(dob).Weeks(),
			"FloorDivide(DateDifferenceInDays(Value(2020-01-01), " + D + "), Value(7))"},
		{"Minus Months", start.Minus(dob).Months(), "DateDifferenceInMonths(Value(2020-01-01), " + D + ")"},
		{"Minus Years", start.Minus(dob).Years(), "DateDifferenceInYears(Value(2020-01-01), " + D + ")"},
		{"event Minus Weeks", ce.Date.Minus(dob).Weeks(),
			"FloorDivide(DateDifferenceInDays(" + CD + ", " + D + "), Value(7))"},

		// Frames.
		{"Where", ce.Where(cond).Date, "Filter(" + CE + ", " + GT + ").date"},
		{"ExceptWhere", ce.ExceptWhere(cond).Date,
			"Filter(" + CE + ", Or(Not(" + GT + "), IsNull(" + GT + "))).date"},
		{"Where patient-level condition", ce.Where(sexMale).Date, "Filter(" + CE + ", " + SEX + ").date"},
		{"SortBy one", ce.SortBy(ce.Date).FirstForPatient().Date,
			"Pickfirst(Sort(" + CE + ", " + CD + ")).date"},
		{"SortBy two", ce.SortBy(ce.Date, ce.NumericValue).LastForPatient().SnomedctCode,
			"Picklast(Sort(Sort(" + CE + ", " + NV + "), " + CD + ")).snomedct_code"},
		{"SortBy then SortBy", ce.SortBy(ce.Date).SortBy(ce.NumericValue).FirstForPatient().Date,
			"Pickfirst(Sort(Sort(" + CE + ", " + CD + "), " + NV + ")).date"},
		{"sorted Where", ce.SortBy(ce.Date).Where(cond).LastForPatient().Date,
			"Picklast(Filter(Sort(" + CE + ", " + CD + "), " + GT + ")).date"},
		{"ExistsForPatient", ce.ExistsForPatient(), "Exists(" + CE + ")"},
		{"CountForPatient", ce.CountForPatient(), "Count(" + CE + ")"},
		{"patient frame Exists", p.ExistsForPatient(), "Exists(patients)"},
		{"filtered Count", ce.Where(cond).CountForPatient(), "Count(Filter(" + CE + ", " + GT + "))"},
		{"CountDistinct", ce.SnomedctCode.CountDistinctForPatient(), "CountDistinct(" + SC + ")"},
		{"Minimum", ce.Date.MinimumForPatient(), "Min(" + CD + ")"},
		{"Maximum", ce.NumericValue.MaximumForPatient(), "Max(" + NV + ")"},
		{"Sum", ce.NumericValue.SumForPatient(), "Sum(" + NV + ")"},
		{"Mean", ce.NumericValue.MeanForPatient(), "Mean(" + NV + ")"},
		{"CountEpisodes days", ce.Date.CountEpisodesForPatient(query.Days(3)), "CountEpisodes(" + CD + ", 3)"},
		{"CountEpisodes weeks", ce.Date.CountEpisodesForPatient(query.Weeks(2)), "CountEpisodes(" + CD + ", 14)"},

		// Case.
		{"Case", query.Case(
			query.When(sexMale, query.Int(1)),
			query.When(dob.IsNull(), query.Int(2)),
			query.Otherwise(query.Int(0))),
			"Case(" + SEX + ", Value(1), IsNull(" + D + "), Value(2), Value(0))"},
		{"Case no default", query.Case(query.When(sexMale, query.Str("m"))),
			"Case(" + SEX + ", Value(\"m\"), NULL)"},
		{"Case Null value", query.Case(
			query.When(sexMale, query.Null[query.IntPatientSeries]()),
			query.Otherwise(year)),
			"Case(" + SEX + ", NULL, " + Y + ")"},
		{"event Case", query.Case(query.When[query.FloatEventSeries](cond, ce.NumericValue)),
			"Case(" + GT + ", " + NV + ", NULL)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := sx(mustNode(t, tc.got)); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// Equal expressions built twice have equal node IDs; different ones differ.
func TestStructuralIdentity(t *testing.T) {
	a := mustNode(t, core.Patients.DateOfBirth.IsOnOrBetween(query.Date("2020-01-01"), query.Date("2020-12-31")))
	b := mustNode(t, core.Patients.DateOfBirth.IsDuring(query.Interval{Start: query.Date("2020-01-01"), End: query.Date("2020-12-31")}))
	c := mustNode(t, core.Patients.DateOfBirth.IsBetweenButNotOn(query.Date("2020-01-01"), query.Date("2020-12-31")))
	if a.ID() != b.ID() {
		t.Error("IsOnOrBetween and IsDuring of the same bounds should be the same node")
	}
	if a.ID() == c.ID() {
		t.Error("IsOnOrBetween and IsBetweenButNotOn should differ")
	}
	// Sorting keeps the domain: a sorted column combines with the unsorted one.
	ce := core.ClinicalEvents
	sorted := ce.SortBy(ce.Date)
	if _, err := query.Node(sorted.NumericValue.Add(ce.NumericValue)); err != nil {
		t.Errorf("a sorted view should combine with its source: %v", err)
	}
}
