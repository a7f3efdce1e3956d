package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/ehrql-go/ehrql/engine/sqlgen"
)

// How much of DuckDB's memory limit one patient of a batch is given when
// the batch size is not set (Options.PatientsPerBatch): minBytesPerPatient,
// and for a dataset, whose patients hold its columns in the final join of
// its aggregations, bytesPerColumn per column if that is more. Under a 1GB
// limit, on the bench's stores of about 100 clinical events per patient
// (bench/RESULTS.md), that is 1M patients a batch for the reference study
// (16 columns), its measures and the wide definition (56 columns, which
// ran out of memory in batches of 2M); a dataset of 100 columns gets
// batches of 670k. The reference study at 4M ran in one batch on one
// layout of the store and out of memory on another, so narrow datasets
// get no larger batches.
const (
	bytesPerColumn     = 15
	minBytesPerPatient = 1000
)

// datasetBytesPerPatient is the memory a batch gives each patient of a
// dataset of the given number of columns.
func datasetBytesPerPatient(columns int) int64 {
	return max(int64(columns)*bytesPerColumn, minBytesPerPatient)
}

// PatientBatches returns the ranges of patient ids a query runs in on the
// session: one range of every patient, unless the session's patients
// table holds more patients than a batch (Options.PatientsPerBatch, or
// one per bytesPerPatient bytes of the memory limit, which the query's
// own PatientBatches gives). Then the ids are cut at quantiles
// of the patients table into ranges of about equal counts; the first and
// the last range are open, so patients that only other tables hold are in
// one range too. Each query of a batch reads its patients' rows only
// (sqlgen.PatientRange).
func (s *Session) PatientBatches(ctx context.Context, bytesPerPatient int64) ([]sqlgen.PatientRange, error) {
	perBatch := s.duck.Settings().PatientsPerBatch
	if perBatch <= 0 {
		limit, err := s.duck.MemoryLimit(ctx)
		if err != nil {
			return nil, err
		}
		perBatch = max(limit/max(bytesPerPatient, 1), 1)
	}
	// The CLI asks for the ranges to say how many batches there are,
	// then the query for them to run: the patients are counted and cut
	// once (Exec forgets the ranges, as it may change the tables).
	if ranges, ok := s.batches[perBatch]; ok {
		return ranges, nil
	}
	ranges, err := s.cutPatients(ctx, perBatch)
	if err != nil {
		return nil, err
	}
	if s.batches == nil {
		s.batches = map[int64][]sqlgen.PatientRange{}
	}
	s.batches[perBatch] = ranges
	return ranges, nil
}

// cutPatients cuts the ids of the patients table into ranges of at most
// perBatch patients (PatientBatches).
func (s *Session) cutPatients(ctx context.Context, perBatch int64) ([]sqlgen.PatientRange, error) {
	all := []sqlgen.PatientRange{{}}
	var n int64
	err := s.conn.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables()
		WHERE database_name = current_database() AND schema_name = 'main' AND table_name = 'patients'`).Scan(&n)
	if err != nil {
		return nil, fmt.Errorf("finding the patients table: %w", err)
	}
	if n > 0 {
		if err := s.conn.QueryRowContext(ctx, "SELECT count(*) FROM main.patients").Scan(&n); err != nil {
			return nil, fmt.Errorf("counting patients: %w", err)
		}
	}
	if n <= perBatch {
		return all, nil
	}
	k := (n + perBatch - 1) / perBatch
	qs := make([]string, k-1)
	for i := range qs {
		qs[i] = fmt.Sprintf("%d/%d", i+1, k)
	}
	rows, err := s.conn.QueryContext(ctx, "SELECT unnest(quantile_disc(patient_id, ["+strings.Join(qs, ", ")+"])) FROM main.patients")
	if err != nil {
		return nil, fmt.Errorf("cutting the patients into batches: %w", err)
	}
	defer rows.Close()
	var cuts []int64
	for rows.Next() {
		var c int64
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("cutting the patients into batches: %w", err)
		}
		if len(cuts) == 0 || c > cuts[len(cuts)-1] {
			cuts = append(cuts, c)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cutting the patients into batches: %w", err)
	}
	return rangesBetween(cuts), nil
}

// rangesBetween returns the ranges that ascending cuts make of the ids:
// up to the first cut, then from each cut (exclusive) to the next
// (inclusive), then above the last.
func rangesBetween(cuts []int64) []sqlgen.PatientRange {
	ranges := make([]sqlgen.PatientRange, 0, len(cuts)+1)
	var after *int64
	for i := range cuts {
		ranges = append(ranges, sqlgen.PatientRange{After: after, Through: &cuts[i]})
		after = &cuts[i]
	}
	return append(ranges, sqlgen.PatientRange{After: after})
}

// compileBatches returns a query compiled by compile for each range of a
// query's PatientBatches: whole itself when there is one range of every
// patient.
func compileBatches[Q any](ranges []sqlgen.PatientRange, whole Q, compile func(sqlgen.PatientRange) (Q, error)) ([]Q, error) {
	if len(ranges) == 1 && ranges[0].All() {
		return []Q{whole}, nil
	}
	qs := make([]Q, len(ranges))
	for i, r := range ranges {
		var err error
		if qs[i], err = compile(r); err != nil {
			return nil, fmt.Errorf("compiling the batch of %s: %w", r, err)
		}
	}
	return qs, nil
}
