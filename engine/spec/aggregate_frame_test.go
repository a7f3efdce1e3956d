package spec

import (
	"testing"

	"github.com/ehrql-go/ehrql/query"
)

// Chapter aggregate_frame: exists_for_patient and count_for_patient.
func TestAggregateFrame(t *testing.T) { runChapter(t, aggregateFrameCases) }

func aggregateFrameCases(testing.TB) []specCase {
	countData := tables{
		p: `
              | i1
            --+----
            1 | 101
            2 | 201
            3 | 301
        `,
		e: `
              | b1
            --+----
            1 |  T
            1 |  F
            2 |
        `,
	}
	existsData := tables{
		p: `
              | b1
            --+----
            1 |
            2 |
            3 |
        `,
		e: `
              | b1
            --+----
            1 |
            1 |
            2 |
        `,
	}
	// Patients with no rows in a filtered frame get no picked row.
	pickData := tables{
		p: `
              | i1
            --+----
            1 | 101
            2 | 201
            3 | 301
        `,
		e: `
              | i1  | b1
            --+-----+----
            1 | 101 | T
            1 | 102 | T
            2 | 201 | F
        `,
	}
	picked := E.Where(eb1()).SortBy(ei1()).FirstForPatient()
	return []specCase{
		// aggregate_frame/test_count_for_patient.py
		{
			name:   "test_count_for_patient_on_event_frame",
			data:   countData,
			series: E.CountForPatient(),
			want:   map[int64]any{1: 2, 2: 1, 3: 0},
		},
		{
			name:   "test_count_for_patient_on_patient_frame",
			data:   countData,
			series: P.CountForPatient(),
			want:   map[int64]any{1: 1, 2: 1, 3: 1},
		},
		// aggregate_frame/test_exists_for_patient.py
		{
			name:   "test_exists_for_patient_on_event_frame",
			data:   existsData,
			series: E.ExistsForPatient(),
			want:   map[int64]any{1: true, 2: true, 3: false},
		},
		{
			name:   "test_exists_for_patient_on_patient_frame",
			data:   existsData,
			series: P.ExistsForPatient(),
			want:   map[int64]any{1: true, 2: true, 3: true},
		},
		// Digest 2.16 (probed): no rows in the filtered frame → exists False,
		// count 0, every picked column NULL.
		{
			name:   "extra_exists_for_patient_on_picked_frame",
			data:   pickData,
			series: picked.ExistsForPatient(),
			want:   map[int64]any{1: true, 2: false, 3: false},
		},
		{
			name:   "extra_count_for_patient_on_picked_frame",
			data:   pickData,
			series: picked.CountForPatient(),
			want:   map[int64]any{1: 1, 2: 0, 3: 0},
		},
		{
			name:   "extra_count_for_patient_on_filtered_frame",
			data:   pickData,
			series: E.Where(eb1()).CountForPatient(),
			want:   map[int64]any{1: 2, 2: 0, 3: 0},
		},
		{
			name:   "extra_picked_column_is_null_without_rows",
			data:   pickData,
			series: query.Column[intP](picked, "i1"),
			want:   map[int64]any{1: 101, 2: nil, 3: nil},
		},
		// Tables not given are empty (ehrQL's harness).
		{
			name:   "extra_count_for_patient_on_empty_event_table",
			data:   tables{p: countData[p]},
			series: E.CountForPatient(),
			want:   map[int64]any{1: 0, 2: 0, 3: 0},
		},
		{
			name:   "extra_exists_for_patient_on_empty_event_table",
			data:   tables{p: countData[p]},
			series: E.ExistsForPatient(),
			want:   map[int64]any{1: false, 2: false, 3: false},
		},
	}
}
