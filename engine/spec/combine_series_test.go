package spec

import (
	"testing"

	"github.com/ehrql-go/ehrql/query"
)

// Chapter combine_series: element-wise operations between event series,
// patient series and values (digest 1.7: patient values and literals
// broadcast; views of one frame combine by row identity).
func TestCombineSeries(t *testing.T) { runChapter(t, combineSeriesCases) }

func combineSeriesCases(testing.TB) []specCase {
	eventPair := tables{e: `
          |  i1 |  i2 | s1
        --+-----+-----+---
        1 | 101 | 111 | b
        1 | 102 | 112 | a
        2 | 201 | 211 | b
        2 | 202 | 212 | a
    `}
	eventAndPatient := tables{
		p: `
              |  i1
            --+-----
            1 | 101
            2 | 201
        `,
		e: `
              |  i1
            --+-----
            1 | 111
            1 | 112
            2 | 211
            2 | 212
        `,
	}
	eventOnly := tables{e: `
          |  i1
        --+-----
        1 | 101
        1 | 102
        2 | 201
        2 | 202
    `}
	patientOnly := tables{p: `
          |  i1 |  i2
        --+-----+-----
        1 | 101 | 102
        2 | 201 | 202
    `}
	ei1, pi1 := ei1(), pi1()
	return []specCase{
		// combine_series/test_event_series_and_event_series.py
		{
			name:   "test_event_series_and_event_series",
			data:   eventPair,
			series: ei1.Add(ei2()).SumForPatient(),
			want:   map[int64]any{1: (101 + 111) + (102 + 112), 2: (201 + 211) + (202 + 212)},
		},
		{
			// The sort order of a view does not affect the combination.
			name:   "test_event_series_and_sorted_event_series",
			data:   eventPair,
			series: ei1.Add(query.Column[intE](E.SortBy(es1()), "i2")).MinimumForPatient(),
			want:   map[int64]any{1: 101 + 111, 2: 201 + 211},
		},
		// combine_series/test_event_series_and_patient_series.py
		{
			name:   "test_event_series_and_patient_series",
			data:   eventAndPatient,
			series: ei1.Add(pi1).SumForPatient(),
			want:   map[int64]any{1: (111 + 101) + (112 + 101), 2: (211 + 201) + (212 + 201)},
		},
		{
			name:   "test_patient_series_and_event_series",
			data:   eventAndPatient,
			series: pi1.Broadcast().Add(ei1).SumForPatient(),
			want:   map[int64]any{1: (101 + 111) + (101 + 112), 2: (201 + 211) + (201 + 212)},
		},
		// combine_series/test_event_series_and_value.py
		{
			name:   "test_event_series_and_value",
			data:   eventOnly,
			series: ei1.Add(query.Int(1)).SumForPatient(),
			want:   map[int64]any{1: (101 + 1) + (102 + 1), 2: (201 + 1) + (202 + 1)},
		},
		{
			// 1 + e.i1 builds Add(e.i1, Value(1)), as ehrQL's __radd__ does.
			name:   "test_value_and_event_series",
			data:   eventOnly,
			series: ei1.Add(query.Int(1)).SumForPatient(),
			want:   map[int64]any{1: (1 + 101) + (1 + 102), 2: (1 + 201) + (1 + 202)},
		},
		// combine_series/test_patient_series_and_patient_series.py
		{
			name:   "test_patient_series_and_patient_series",
			data:   patientOnly,
			series: pi1.Add(pi2()),
			want:   map[int64]any{1: 101 + 102, 2: 201 + 202},
		},
		// combine_series/test_patient_series_and_value.py
		{
			name:   "test_patient_series_and_value",
			data:   patientOnly,
			series: pi1.Add(query.Int(1)),
			want:   map[int64]any{1: 101 + 1, 2: 201 + 1},
		},
		{
			name:   "test_value_and_patient_series",
			data:   patientOnly,
			series: query.Int(1).Add(pi1),
			want:   map[int64]any{1: 1 + 101, 2: 1 + 201},
		},
		// Digest 1.7: a filtered view combines with an ancestor-domain
		// condition; an aggregate broadcasts back onto the events.
		{
			name:   "extra_event_series_and_own_aggregate",
			data:   eventOnly,
			series: ei1.Sub(ei1.MinimumForPatient()).SumForPatient(),
			want:   map[int64]any{1: 0 + 1, 2: 0 + 1},
		},
		{
			name: "extra_event_series_and_same_filtered_view",
			data: eventPair,
			series: query.Column[intE](E.Where(ei2().Gt(query.Int(111))), "i1").
				Add(query.Column[intE](E.Where(ei2().Gt(query.Int(111))), "i2")).
				SumForPatient(),
			want: map[int64]any{1: 102 + 112, 2: (201 + 211) + (202 + 212)},
		},
	}
}
