//ehrql:definition dataset_definition.go

// Deliberately wrong assurance tests of the consultation dataset, whose
// report is checked word for word: test data that breaks the tables'
// constraints, and expectations that the dataset does not meet.
//
//	ehrql assure testdata/studies/consultations/test_dataset_definition_wrong.go \
//	    -- --start-date 2020-04-01 --end-date 2021-03-31
package main

import (
	q "github.com/ehrql-go/ehrql/query"

	"github.com/ehrql-go/ehrql/tables/tpp"
)

func init() {
	q.TestPatients(
		// Age off by one, a code that is not the last, and a sex outside
		// the categories.
		q.Patient(1,
			q.Record(tpp.Patients, q.Values{"date_of_birth": "1980-06-01", "sex": "F"}),
			q.Records(tpp.PracticeRegistrations, q.Values{"start_date": "2010-01-01"}),
			q.Records(tpp.ClinicalEvents,
				q.Values{"date": "2020-05-01", "snomedct_code": "1068881000000101"},
				q.Values{"date": "2020-09-01", "snomedct_code": "11797002"},
			),
			q.ExpectInPopulation(q.Values{"age": 40, "last_virtual_consultation_code": "1068881000000101", "sex": "F"}),
		),
		// Seventeen, expected in; a date of birth not on the first of a
		// month.
		q.Patient(2,
			q.Record(tpp.Patients, q.Values{"date_of_birth": "2002-05-15", "sex": "male"}),
			q.Records(tpp.PracticeRegistrations, q.Values{"start_date": "2010-01-01"}),
			q.ExpectInPopulation(q.Values{"age": 17}),
		),
		// Registered, expected out; a registration without a start date
		// beside the one that counts.
		q.Patient(3,
			q.Record(tpp.Patients, q.Values{"date_of_birth": "1950-01-01", "sex": "female"}),
			q.Records(tpp.PracticeRegistrations,
				q.Values{"start_date": "2010-01-01"},
				q.Values{"start_date": nil, "end_date": "2009-01-01"},
			),
			q.ExpectNotInPopulation(),
		),
		// A column the dataset does not have.
		q.Patient(4,
			q.Record(tpp.Patients, q.Values{"date_of_birth": "1950-01-01", "sex": "female"}),
			q.Records(tpp.PracticeRegistrations, q.Values{"start_date": "2010-01-01"}),
			q.ExpectInPopulation(q.Values{"age": 70, "region": "London"}),
		),
	)
}
