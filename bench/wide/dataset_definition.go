// The wide benchmark definition: a dataset shaped like a real cohort study,
// 55 variables over clinical_events and medications with the 22 synthetic
// codelists that "ehrql store synthesize" draws from (codelists/, written
// from package internal/synthcodes by go run ./bench/cmd/widecodelists),
// plus measurements and demographics, for adults registered on the index
// date.
//
//	ehrql generate-dataset bench/wide/dataset_definition.go --database STORE \
//	    --output wide.arrow -- --index-date 2020-04-01
package main

import (
	"github.com/ehrql-go/ehrql/codelists"
	q "github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/tables/tpp"
)

// codelist is the synthetic codelist called name.
func codelist(name string) codelists.Codelist {
	return codelists.FromCSV("codelists/"+name+".csv", "code")
}

// The synthetic codelists.
var (
	conditions = []string{"asthma", "copd", "diabetes_type1", "diabetes_type2", "hypertension",
		"chronic_heart_disease", "chronic_kidney_disease", "chronic_liver_disease", "stroke", "dementia",
		"learning_disability", "severe_mental_illness", "cancer", "smoking_current", "pregnancy", "flu_vaccination"}
	medicines = []string{"statins", "antihypertensives", "inhaled_corticosteroids", "oral_steroids",
		"anticoagulants", "antidepressants"}
)

func main() {
	params := q.FromArgs()
	index := params.DateOr("index-date", "2020-04-01")
	yearBefore := index.Sub(q.Years(1))

	ds := q.NewDataset()
	events := tpp.ClinicalEvents
	before := events.Where(events.Date.IsBefore(index))

	// Every condition: ever recorded before the index date.
	for _, name := range conditions {
		ds.Add("has_"+name, before.Where(events.SnomedctCode.IsIn(codelist(name))).ExistsForPatient())
	}
	// First recorded dates.
	for _, name := range []string{"asthma", "copd", "diabetes_type1", "diabetes_type2", "hypertension",
		"chronic_heart_disease", "stroke", "dementia"} {
		ds.Add(name+"_first_date", before.Where(events.SnomedctCode.IsIn(codelist(name))).
			SortBy(events.Date).FirstForPatient().Date)
	}
	// Latest recorded dates.
	for _, name := range []string{"chronic_kidney_disease", "chronic_liver_disease", "severe_mental_illness",
		"cancer", "pregnancy", "flu_vaccination"} {
		ds.Add(name+"_last_date", before.Where(events.SnomedctCode.IsIn(codelist(name))).
			SortBy(events.Date).LastForPatient().Date)
	}
	// Counts in the year before the index date.
	lastYear := events.Where(events.Date.IsOnOrBetween(yearBefore, index))
	for _, name := range []string{"asthma", "copd", "learning_disability", "smoking_current"} {
		ds.Add(name+"_count_last_year", lastYear.Where(events.SnomedctCode.IsIn(codelist(name))).CountForPatient())
	}
	// Latest measurements and their dates.
	latest := func(code string) tpp.ClinicalEventsRow {
		return before.Where(events.SnomedctCode.IsIn(codelists.New(code))).SortBy(events.Date).LastForPatient()
	}
	bmi := latest("60621009")
	ds.Add("bmi", bmi.NumericValue)
	ds.Add("bmi_date", bmi.Date)
	sbp := latest("271649006")
	ds.Add("systolic_bp", sbp.NumericValue)
	ds.Add("systolic_bp_date", sbp.Date)
	ds.Add("diastolic_bp", latest("271650006").NumericValue)
	ds.Add("weight", latest("27113001").NumericValue)
	ds.Add("height", latest("50373000").NumericValue)
	ds.Add("bmi_category", q.Case(
		q.When(bmi.NumericValue.Lt(q.Float(18.5)), q.Str("underweight")),
		q.When(bmi.NumericValue.Lt(q.Float(25)), q.Str("healthy")),
		q.When(bmi.NumericValue.Lt(q.Float(30)), q.Str("overweight")),
		q.When(bmi.NumericValue.Ge(q.Float(30)), q.Str("obese")),
		q.Otherwise(q.Str("missing")),
	))

	// Medications: any in the year before, counts and latest dates.
	meds := tpp.Medications
	medsLastYear := meds.Where(meds.Date.IsOnOrBetween(yearBefore, index))
	for _, name := range medicines {
		ds.Add("has_"+name+"_last_year", medsLastYear.Where(meds.DmdCode.IsIn(codelist(name))).ExistsForPatient())
	}
	for _, name := range []string{"statins", "antihypertensives", "antidepressants"} {
		ds.Add(name+"_count_last_year", medsLastYear.Where(meds.DmdCode.IsIn(codelist(name))).CountForPatient())
	}
	for _, name := range []string{"inhaled_corticosteroids", "anticoagulants"} {
		ds.Add(name+"_last_date", meds.Where(meds.Date.IsBefore(index)).Where(meds.DmdCode.IsIn(codelist(name))).
			SortBy(meds.Date).LastForPatient().Date)
	}

	// Demographics.
	age := tpp.Patients.AgeOn(index)
	ds.Add("age", age)
	ds.Add("age_band", q.Case(
		q.When(age.Lt(q.Int(40)), q.Str("18-39")),
		q.When(age.Lt(q.Int(65)), q.Str("40-64")),
		q.When(age.Lt(q.Int(80)), q.Str("65-79")),
		q.Otherwise(q.Str("80+")),
	))
	ds.Add("sex", tpp.Patients.Sex)
	ds.Add("date_of_death", tpp.Patients.DateOfDeath)

	registered := tpp.PracticeRegistrations.ForPatientOn(index).ExistsForPatient()
	ds.DefinePopulation(registered.And(age.Ge(q.Int(18))))

	q.Emit(ds)
}
