//ehrql:definition dataset_definition.go

// Assurance tests of the consultation dataset: test patients covering every
// column and the edges of the population, for the year from 2020-04-01.
//
//	ehrql assure testdata/studies/consultations/test_dataset_definition.go \
//	    -- --start-date 2020-04-01 --end-date 2021-03-31
package main

import (
	q "github.com/ehrql-go/ehrql/query"

	"github.com/ehrql-go/ehrql/tables/tpp"
)

// registered is a registration spanning the whole study year.
var registered = q.Records(tpp.PracticeRegistrations, q.Values{"start_date": "2010-01-01", "practice_pseudo_id": 1})

// nothing is what an adult with no events, appointments or address has.
var nothing = q.Values{
	"has_virtual_consultation": false, "count_virtual_consultation": 0, "last_virtual_consultation_code": nil,
	"has_f2f_consultation": false, "count_f2f_consultation": 0, "last_f2f_consultation_code": nil,
	"last_appointment_status": nil, "count_appointment": 0, "has_appointment": false,
	"dod": nil, "imd_quintile": "Missing", "ethnicity": "missing",
}

// with is nothing with some values changed.
func with(changes q.Values) q.Values {
	v := q.Values{}
	for k, x := range nothing {
		v[k] = x
	}
	for k, x := range changes {
		v[k] = x
	}
	return v
}

func init() {
	q.TestPatients(
		// Consultations of both kinds, some outside the year; appointments
		// seen and not; an address and an ethnicity.
		q.Patient(1,
			q.Record(tpp.Patients, q.Values{"date_of_birth": "1980-06-01", "sex": "female"}),
			registered,
			q.Records(tpp.ClinicalEvents,
				q.Values{"date": "2019-01-01", "snomedct_code": "1068881000000101"},
				q.Values{"date": "2020-05-01", "snomedct_code": "1068881000000101"},
				q.Values{"date": "2020-09-01", "snomedct_code": "11797002"},
				q.Values{"date": "2020-06-15", "snomedct_code": "11429006"},
				q.Values{"date": "2015-03-01", "snomedct_code": "10117001"},
			),
			q.Records(tpp.Appointments,
				q.Values{"seen_date": "2020-07-01", "status": "Finished"},
				q.Values{"seen_date": "2020-08-01", "status": "Cancelled by Patient"},
				q.Values{"seen_date": "2020-10-01", "status": "Arrived"},
			),
			q.Records(tpp.Addresses, q.Values{"start_date": "2015-01-01", "imd_rounded": 3000}),
			q.ExpectInPopulation(q.Values{
				"has_virtual_consultation": true, "count_virtual_consultation": 2, "last_virtual_consultation_code": "11797002",
				"has_f2f_consultation": true, "count_f2f_consultation": 1, "last_f2f_consultation_code": "11429006",
				"last_appointment_status": "Arrived", "count_appointment": 2, "has_appointment": true,
				"age": 39, "age_greater_equal_65": false, "sex": "female", "dod": nil,
				"imd_quintile": "1", "ethnicity": "White",
			}),
		),
		// Eighteen on the start date: in, with nothing recorded.
		q.Patient(2,
			q.Record(tpp.Patients, q.Values{"date_of_birth": "2002-04-01", "sex": "male"}),
			registered,
			q.ExpectInPopulation(with(q.Values{"age": 18, "age_greater_equal_65": false, "sex": "male"})),
		),
		// Seventeen on the start date: out.
		q.Patient(3,
			q.Record(tpp.Patients, q.Values{"date_of_birth": "2002-05-01", "sex": "female"}),
			registered,
			q.ExpectNotInPopulation(),
		),
		// A registration ending on the start date still spans it: in.
		q.Patient(4,
			q.Record(tpp.Patients, q.Values{"date_of_birth": "1990-01-01", "sex": "unknown"}),
			q.Records(tpp.PracticeRegistrations, q.Values{"start_date": "2010-01-01", "end_date": "2020-04-01"}),
			q.ExpectInPopulation(with(q.Values{"age": 30, "age_greater_equal_65": false, "sex": "unknown"})),
		),
		// A registration ending the day before the start date: out.
		q.Patient(5,
			q.Record(tpp.Patients, q.Values{"date_of_birth": "1990-01-01", "sex": "male"}),
			q.Records(tpp.PracticeRegistrations, q.Values{"start_date": "2010-01-01", "end_date": "2020-03-31"}),
			q.ExpectNotInPopulation(),
		),
		// Died during the year; the top IMD quintile; an ethnicity recorded
		// after the end date is not used.
		q.Patient(6,
			q.Record(tpp.Patients, q.Values{"date_of_birth": "1950-01-01", "sex": "female", "date_of_death": "2020-06-01"}),
			registered,
			q.Records(tpp.ClinicalEvents,
				q.Values{"date": "2012-01-01", "snomedct_code": "10432001"},
				q.Values{"date": "2021-06-01", "snomedct_code": "110791000000100"},
			),
			q.Records(tpp.Addresses, q.Values{"start_date": "2000-01-01", "imd_rounded": 32800}),
			q.ExpectInPopulation(with(q.Values{
				"age": 70, "age_greater_equal_65": true, "sex": "female", "dod": "2020-06-01",
				"imd_quintile": "5", "ethnicity": "Asian or Asian British",
			})),
		),
		// Sixty-five on the start date; consultations on the first and last
		// days of the year count, the day after does not; an address
		// without an IMD.
		q.Patient(7,
			q.Record(tpp.Patients, q.Values{"date_of_birth": "1955-04-01", "sex": "intersex"}),
			registered,
			q.Records(tpp.ClinicalEvents,
				q.Values{"date": "2020-04-01", "snomedct_code": "11429006"},
				q.Values{"date": "2021-03-31", "snomedct_code": "113011000000100"},
				q.Values{"date": "2021-04-01", "snomedct_code": "11429006"},
				q.Values{"date": "2020-12-01", "snomedct_code": "110771000000104"},
			),
			q.Records(tpp.Appointments, q.Values{"seen_date": "2021-03-31", "status": "Patient Walked Out"}),
			q.Records(tpp.Addresses, q.Values{"start_date": "2010-01-01", "imd_rounded": nil}),
			q.ExpectInPopulation(with(q.Values{
				"has_f2f_consultation": true, "count_f2f_consultation": 2, "last_f2f_consultation_code": "113011000000100",
				"last_appointment_status": "Patient Walked Out", "count_appointment": 1, "has_appointment": true,
				"age": 65, "age_greater_equal_65": true, "sex": "intersex", "ethnicity": "Mixed",
			})),
		),
		// Never registered: out.
		q.Patient(8,
			q.Record(tpp.Patients, q.Values{"date_of_birth": "1970-01-01", "sex": "male"}),
			q.Records(tpp.ClinicalEvents, q.Values{"date": "2020-05-01", "snomedct_code": "11797002"}),
			q.ExpectNotInPopulation(),
		),
		// Only a missed appointment; the latest of two addresses; the
		// fifth ethnicity group.
		q.Patient(9,
			q.Record(tpp.Patients, q.Values{"date_of_birth": "2000-01-01", "sex": "female"}),
			registered,
			q.Records(tpp.ClinicalEvents, q.Values{"date": "2019-01-01", "snomedct_code": "10292001"}),
			q.Records(tpp.Appointments, q.Values{"seen_date": "2020-06-01", "status": "Did Not Attend"}),
			q.Records(tpp.Addresses,
				q.Values{"start_date": "2018-01-01", "imd_rounded": 13100},
				q.Values{"start_date": "2010-01-01", "imd_rounded": 20000},
			),
			q.ExpectInPopulation(with(q.Values{
				"age": 20, "age_greater_equal_65": false, "sex": "female", "imd_quintile": "2", "ethnicity": "Chinese or Other Ethnic Groups",
			})),
		),
		// Black or Black British; an address in the fourth quintile.
		q.Patient(10,
			q.Record(tpp.Patients, q.Values{"date_of_birth": "1960-03-01", "sex": "male"}),
			registered,
			q.Records(tpp.ClinicalEvents, q.Values{"date": "2005-01-01", "snomedct_code": "110791000000100"}),
			q.Records(tpp.Addresses, q.Values{"start_date": "2001-01-01", "imd_rounded": 20000}),
			q.ExpectInPopulation(with(q.Values{
				"age": 60, "age_greater_equal_65": false, "sex": "male", "imd_quintile": "4", "ethnicity": "Black or Black British",
			})),
		),
	)
}
