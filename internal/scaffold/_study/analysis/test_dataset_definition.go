//ehrql:definition dataset_definition.go

// Assurance tests of the dataset: hand-made patients and what the dataset
// must say of them. Run them on their own, or before every dataset run:
//
//	ehrql assure analysis/test_dataset_definition.go
//	ehrql generate-dataset analysis/dataset_definition.go --test-data-file analysis/test_dataset_definition.go
package main

import (
	q "github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/tables/core"
)

// registered is a registration spanning the study year.
var registered = q.Records(core.PracticeRegistrations, q.Values{"start_date": "2010-01-01"})

func init() {
	q.TestPatients(
		// An adult with two asthma diagnoses in the year and one before it.
		q.Patient(1,
			q.Record(core.Patients, q.Values{"date_of_birth": "1980-06-01", "sex": "female"}),
			registered,
			q.Records(core.ClinicalEvents,
				q.Values{"date": "2022-05-01", "snomedct_code": "195967001"},
				q.Values{"date": "2023-02-01", "snomedct_code": "389145006"},
				q.Values{"date": "2023-07-01", "snomedct_code": "195967001"},
			),
			q.ExpectInPopulation(q.Values{
				"age": 42, "sex": "female", "has_asthma": true, "asthma_count": 2, "first_asthma_date": "2023-02-01",
			}),
		),
		// Eighteen on the start date, nothing recorded.
		q.Patient(2,
			q.Record(core.Patients, q.Values{"date_of_birth": "2005-01-01", "sex": "male"}),
			registered,
			q.ExpectInPopulation(q.Values{
				"age": 18, "sex": "male", "has_asthma": false, "asthma_count": 0, "first_asthma_date": nil,
			}),
		),
		// Seventeen on the start date: not in the population.
		q.Patient(3,
			q.Record(core.Patients, q.Values{"date_of_birth": "2005-02-01", "sex": "male"}),
			registered,
			q.ExpectNotInPopulation(),
		),
	)
}
