package store

import (
	"context"
	"database/sql"
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ehrql-go/ehrql/codelists"
	"github.com/ehrql-go/ehrql/engine/duck"
	"github.com/ehrql-go/ehrql/engine/sqlname"
	"github.com/ehrql-go/ehrql/internal/synthcodes"
	"github.com/ehrql-go/ehrql/tables"
)

// The reference study's three codelists, copied from
// testdata/studies/consultations/codelists.
//
//go:embed pools/*.csv
var pools embed.FS

// SynthOptions tune Synthesize.
type SynthOptions struct {
	// Patients is the number of patients (default 1,000).
	Patients int
	// Seed selects the data; the same seed and size give the same store.
	Seed int64
	// EventsPerPatient is the mean number of clinical events per patient
	// (default DefaultEventsPerPatient). Older patients and women have more.
	EventsPerPatient float64
	// AppointmentsPerPatient is the mean number of appointments per patient
	// (default DefaultAppointmentsPerPatient), skewed like the events.
	AppointmentsPerPatient float64
	// MedicationsPerPatient is the mean number of prescriptions per patient
	// (default DefaultMedicationsPerPatient), skewed like the events.
	MedicationsPerPatient float64
	// PatientsPerBlock is how many patients' rows are written at a time
	// (default DefaultPatientsPerBlock): each table's rows are grouped by
	// ranges of patient ids, in blocks of that many patients, as in a
	// store loaded a range of patients at a time, so that a query run in
	// batches of patients reads only the row groups of its batch. The
	// store's contents do not depend on it.
	PatientsPerBlock int
	// Force allows replacing an existing store.
	Force bool
	// DuckDB tunes the database that builds the store.
	DuckDB duck.Settings
	// Progress, if set, receives one line per step.
	Progress func(msg string)
}

// DefaultPatientsPerBlock is how many patients' rows a synthesized store
// writes at a time: a tenth of the patients of a batch under a 1GB memory
// limit.
const DefaultPatientsPerBlock = 100000

// The default densities: about what a primary-care record holds for six
// years of an average registered population.
const (
	DefaultEventsPerPatient       = 100
	DefaultAppointmentsPerPatient = 28
	DefaultMedicationsPerPatient  = 40
)

// SynthTables are the tables Synthesize fills, all of ehrql.tables.tpp.
var SynthTables = []string{"patients", "practice_registrations", "addresses", "clinical_events", "appointments", "medications"}

// Synthesize writes a store of n synthetic patients (see SynthesizeWith).
func Synthesize(ctx context.Context, storePath string, n int, seed int64) error {
	return SynthesizeWith(ctx, storePath, SynthOptions{Patients: n, Seed: seed})
}

// SynthesizeWith writes a new store of synthetic patients at storePath, with
// the tables listed in SynthTables in the column types of the tpp
// catalogue (columns it does not model are NULL). The data are generated
// inside DuckDB from hashes of (seed, patient, row, purpose), so they are
// the same for the same seed and size whatever the thread count:
//
//   - patients: dates of birth on the first of a month (ages 0–105, few
//     over 85), sex female/male with a few intersex and unknown, deaths
//     (more often in the old) between 2018 and 2023;
//   - practice_registrations: most patients are registered from before
//     2019 to now, some move practice, some register or leave during
//     2018–2023;
//   - addresses: one to three per patient with successive start dates,
//     imd_rounded on multiples of 100 in 0..32800 (2% NULL);
//   - clinical_events: EventsPerPatient on average (default 100) between
//     2018 and 2023, within life; a patient's share rises steeply with age
//     and is a quarter higher for women, with a long tail; drawn from the
//     reference study's virtual- and generic-consultation codelists
//     (virtual ones mostly from 2020), a pool of common SNOMED CT codes,
//     measurements (with a numeric_value) and the synthetic condition
//     codelists of package synthcodes (a quarter of events), plus the
//     ethnicity codelist (about 80% of patients have one ethnicity record);
//   - appointments: AppointmentsPerPatient on average (default 28), skewed
//     alike, start_date on or after booked_date, seen_date on or after
//     start_date for the statuses of attended appointments, NULL otherwise;
//   - medications: MedicationsPerPatient on average (default 40), skewed
//     alike, four in ten from the synthetic medicine codelists.
//
// The store is written to storePath+".tmp" and renamed when complete.
func SynthesizeWith(ctx context.Context, storePath string, o SynthOptions) error {
	if o.Patients == 0 {
		o.Patients = 1000
	}
	if o.Patients < 0 {
		return fmt.Errorf("synthesize: number of patients must be positive, got %d", o.Patients)
	}
	switch {
	case o.PatientsPerBlock == 0:
		o.PatientsPerBlock = DefaultPatientsPerBlock
	case o.PatientsPerBlock < 0:
		return fmt.Errorf("synthesize: patients per block must be positive, got %d", o.PatientsPerBlock)
	}
	for _, d := range []struct {
		name string
		v    *float64
		def  float64
	}{
		{"events per patient", &o.EventsPerPatient, DefaultEventsPerPatient},
		{"appointments per patient", &o.AppointmentsPerPatient, DefaultAppointmentsPerPatient},
		{"medications per patient", &o.MedicationsPerPatient, DefaultMedicationsPerPatient},
	} {
		switch {
		case *d.v == 0:
			*d.v = d.def
		case *d.v < 0 || *d.v > 100000 || *d.v != *d.v:
			return fmt.Errorf("synthesize: %s must be between 0 and 100000, got %v", d.name, *d.v)
		}
	}
	progress := o.Progress
	if progress == nil {
		progress = func(string) {}
	}
	poolSQL, err := poolValues()
	if err != nil {
		return err
	}
	m := Manifest{BuiltBy: "ehrql store synthesize", Module: tables.ModuleTPP, Checked: SynthTables}
	return build(ctx, storePath, o.Force, o.DuckDB, m, func(conn *sql.Conn) error {
		seed := fmt.Sprintf("%d", o.Seed)
		stmts := []struct{ step, sql string }{
			{"", fmt.Sprintf(`CREATE TEMP MACRO u(a, b, salt) AS
				(hash(a, b, salt, CAST(%s AS BIGINT)) >> 11)::DOUBLE / 9007199254740992.0`, seed)},
			{"", `CREATE TEMP MACRO ui(a, b, salt, n) AS CAST(floor(u(a, b, salt) * n) AS BIGINT)`},
			// nrows: a patient's number of rows, with mean m * w / wmean over
			// patients: 2.5 * u^1.5 has mean 1 and a long tail; the second
			// draw rounds stochastically.
			{"", `CREATE TEMP MACRO nrows(pid, salt, m, w, wmean) AS
				CAST(floor(m * w / wmean * 2.5 * pow(u(pid, 0, salt), 1.5) + u(pid, 0, salt + 1)) AS INTEGER)`},
			{"", `CREATE TEMP TABLE pool AS SELECT * FROM (VALUES ` + poolSQL + `) t(kind, idx, code, grp)`},
			{"", `CREATE TEMP TABLE pool_size AS SELECT kind, count(*) AS n FROM pool GROUP BY kind`},
		}
		for _, t := range SynthTables {
			tbl, _ := tables.Default().LookupTable(tables.ModuleTPP, t)
			stmts = append(stmts, struct{ step, sql string }{"", sqlname.CreateTable(tbl)})
		}
		stmts = append(stmts, synthSteps(o)...)
		for _, s := range stmts {
			start := time.Now()
			if s.step == "" {
				if _, err := conn.ExecContext(ctx, s.sql); err != nil {
					return fmt.Errorf("synthesize: %w", err)
				}
				continue
			}
			// a table's rows, a block of patients at a time: pt is the
			// block's patients
			for lo := 0; lo < o.Patients; lo += o.PatientsPerBlock {
				block := fmt.Sprintf("CREATE OR REPLACE TEMP VIEW pt AS SELECT * FROM pt_all WHERE pid > %d AND pid <= %d", lo, lo+o.PatientsPerBlock)
				if _, err := conn.ExecContext(ctx, block); err != nil {
					return fmt.Errorf("synthesize %s: %w", s.step, err)
				}
				if _, err := conn.ExecContext(ctx, s.sql); err != nil {
					return fmt.Errorf("synthesize %s: %w", s.step, err)
				}
			}
			var rows int64
			if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM "+sqlname.Ident(s.step)).Scan(&rows); err == nil {
				progress(fmt.Sprintf("%s: %d rows in %.1fs", s.step, rows, time.Since(start).Seconds()))
			}
		}
		return nil
	})
}

// poolValues renders the code pools as SQL VALUES rows (kind, idx, code,
// grp): kinds 'v' (virtual consultation), 'f' (generic consultation),
// 'e1'..'e5' (ethnicity by Grouping_6), 'o' (other codes), 'm'
// (measurements), 'c' (the synthetic condition codelists), 'd' (the
// synthetic medicine codelists) and 'x' (other medicines).
func poolValues() (string, error) {
	var rows []string
	idx := map[string]int{}
	add := func(kind, code, grp string) {
		rows = append(rows, fmt.Sprintf("('%s', %d, '%s', %s)", kind, idx[kind], code, grp))
		idx[kind]++
	}
	read := func(file, col, grpCol string, f func(code, grp string)) error {
		fh, err := pools.Open("pools/" + file)
		if err != nil {
			return err
		}
		defer fh.Close()
		r := csv.NewReader(fh)
		header, err := r.Read()
		if err != nil {
			return fmt.Errorf("code pool %s: %w", file, err)
		}
		ci, gi := -1, -1
		for i, h := range header {
			switch h {
			case col:
				ci = i
			case grpCol:
				gi = i
			}
		}
		if ci < 0 {
			return fmt.Errorf("code pool %s: no column %s", file, col)
		}
		for {
			rec, err := r.Read()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("code pool %s: %w", file, err)
			}
			code := strings.TrimSpace(rec[ci])
			if !codelists.SNOMEDCT.Valid(code) {
				continue
			}
			g := ""
			if gi >= 0 {
				g = strings.TrimSpace(rec[gi])
			}
			f(code, g)
		}
	}
	if err := read("user-KatieDavies_1234-virtual-consultation.csv", "code", "", func(c, _ string) { add("v", c, "NULL") }); err != nil {
		return "", err
	}
	if err := read("user-KatieDavies_1234-generic-consultation.csv", "code", "", func(c, _ string) { add("f", c, "NULL") }); err != nil {
		return "", err
	}
	if err := read("opensafely-ethnicity-snomed-0removed.csv", "snomedcode", "Grouping_6", func(c, g string) {
		if len(g) == 1 && g >= "1" && g <= "5" {
			add("e"+g, c, "'"+g+"'")
		}
	}); err != nil {
		return "", err
	}
	for _, c := range otherCodes {
		add("o", c, "NULL")
	}
	for _, c := range measurementCodes {
		add("m", c, "NULL")
	}
	for _, l := range synthcodes.Conditions() {
		for _, c := range l.Codes {
			add("c", c, "NULL")
		}
	}
	for _, l := range synthcodes.Medicines() {
		for _, c := range l.Codes {
			add("d", c, "NULL")
		}
	}
	for _, c := range synthcodes.OtherMedicines() {
		add("x", c, "NULL")
	}
	return strings.Join(rows, ", "), nil
}

// otherCodes are common primary-care SNOMED CT codes: diagnoses, findings,
// procedures and administrative codes.
var otherCodes = []string{
	"38341003", "44054006", "195967001", "13645005", "35489007", "197480006", "49436004", "84114007",
	"22298006", "230690007", "709044004", "396275006", "69896004", "414916001", "46635009", "73211009",
	"363346000", "840539006", "1240581000000104", "77176002", "8517006", "266919005", "160603005",
	"228273003", "10743008", "195662009", "36971009", "68566005", "271737000", "162864005", "267036007",
	"21522001", "25064002", "271807003", "161891005", "82423001", "409622000", "233604007", "399211009",
	"40055000", "1201005", "1023001", "6142004", "302866003", "386661006", "55822004", "432371000124100",
	"719865001", "390906007", "1156257007", "170596007", "185349003", "270427003", "313232004",
	"16584000", "171207006", "408289007", "1064331000000103", "1362551000000103", "473191000000105",
}

// measurementCodes are SNOMED CT codes of numeric observations.
var measurementCodes = []string{
	"271649006", "271650006", "27113001", "50373000", "60621009", "999791000000106", "1022191000000100",
	"1000731000000107", "1107481000000106", "365981007",
}

// synthSteps returns the statements that fill the tables. Each step's
// random numbers use u(entity, row, salt) with a distinct salt.
func synthSteps(o SynthOptions) []struct{ step, sql string } {
	n := o.Patients
	practices := n/4000 + 10
	return []struct{ step, sql string }{
		{"", fmt.Sprintf(`CREATE TEMP TABLE pt_all AS
			WITH base AS (
				SELECT range + 1 AS pid FROM range(%d)
			), a AS (
				SELECT pid,
					CASE WHEN u(pid, 0, 1) < 0.93 THEN u(pid, 0, 2) * 85 ELSE 85 + u(pid, 0, 2) * 20 END AS age,
					u(pid, 0, 3) AS r_sex, u(pid, 0, 4) AS r_death, u(pid, 0, 5) AS r_dod
				FROM base
			), b AS (
				SELECT pid, age, r_sex,
					CAST(date_trunc('month', DATE '2023-12-01' - CAST(floor(age * 365.25) AS INTEGER)) AS DATE) AS dob,
					r_death < 0.005 + 0.35 * pow(age / 105.0, 4) AS dies, r_dod
				FROM a
			)
			SELECT pid, dob, r_sex,
				CASE WHEN dies THEN CAST(greatest(dob, DATE '2018-01-01') +
					CAST(floor(r_dod * (DATE '2023-12-31' - greatest(dob, DATE '2018-01-01'))) AS INTEGER) AS DATE) END AS dod,
				greatest(dob, DATE '2018-01-01') AS life_start,
				-- how much of a record a patient has: rising steeply with
				-- age, a quarter more for women
				(0.3 + pow(age / 50.0, 2)) * CASE WHEN r_sex < 0.493 THEN 1.25 ELSE 1.0 END AS w,
				CASE WHEN dies THEN greatest(dob, DATE '2018-01-01') +
					CAST(floor(r_dod * (DATE '2023-12-31' - greatest(dob, DATE '2018-01-01'))) AS INTEGER)
					ELSE DATE '2023-12-31' END AS life_end,
				age
			FROM b`, n)},
		{"patients", `INSERT INTO patients (patient_id, date_of_birth, sex, date_of_death)
			SELECT pid, dob,
				CASE WHEN r_sex < 0.493 THEN 'female' WHEN r_sex < 0.988 THEN 'male'
					WHEN r_sex < 0.989 THEN 'intersex' ELSE 'unknown' END,
				dod
			FROM pt ORDER BY pid`},
		{"practice_registrations", fmt.Sprintf(`INSERT INTO practice_registrations
			(patient_id, start_date, end_date, practice_pseudo_id, practice_stp, practice_nuts1_region_name, practice_systmone_go_live_date)
			WITH k AS (
				-- kind 0: registered throughout (82%%); 1: moved practice in 2018-2023 (10%%);
				-- 2: registered during 2018-2023 (6%%); 3: left during 2018-2023 (2%%)
				SELECT pid, dob, dod, life_start, life_end,
					CASE WHEN u(pid, 0, 10) < 0.82 THEN 0 WHEN u(pid, 0, 10) < 0.92 THEN 1
						WHEN u(pid, 0, 10) < 0.98 THEN 2 ELSE 3 END AS kind,
					CAST(greatest(dob, DATE '2018-01-01' - CAST(floor(u(pid, 0, 11) * 9000) AS INTEGER)) AS DATE) AS early,
					CAST(life_start + CAST(floor(u(pid, 0, 12) * greatest(life_end - life_start, 1)) AS INTEGER) AS DATE) AS mid,
					ui(pid, 0, 13, %[1]d) AS pr1, ui(pid, 0, 14, %[1]d) AS pr2
				FROM pt
			), regs AS (
				SELECT pid, 1 AS seq, CASE WHEN kind = 2 THEN mid ELSE early END AS s,
					CASE WHEN kind IN (1, 3) THEN mid ELSE dod END AS e, pr1 AS pr FROM k
				UNION ALL
				SELECT pid, 2, CAST(mid + 1 AS DATE), dod, pr2 FROM k WHERE kind = 1
			)
			SELECT pid, s, e, pr,
				'E540000' || lpad(CAST(pr %% 42 + 1 AS VARCHAR), 2, '0'),
				['North East', 'North West', 'Yorkshire and The Humber', 'East Midlands', 'West Midlands',
				 'East', 'London', 'South East', 'South West'][pr %% 9 + 1],
				CAST(DATE '2005-01-01' + CAST(ui(pr, 0, 15, 3650) AS INTEGER) AS DATE)
			FROM regs ORDER BY pid, seq`, practices)},
		{"addresses", `INSERT INTO addresses (patient_id, address_id, start_date, end_date, address_type,
				rural_urban_classification, imd_rounded, msoa_code, has_postcode, care_home_is_potential_match,
				care_home_requires_nursing, care_home_does_not_require_nursing)
			WITH k AS (
				SELECT pid, dob, life_end, 1 + ui(pid, 0, 20, 3) AS n FROM pt
			), a AS (
				SELECT pid, dob, life_end, n, unnest(range(n)) AS j FROM k
			), d AS (
				-- the last address starts in 2015-2023, earlier ones before it
				SELECT pid, j, n,
					CAST(greatest(dob, DATE '2015-01-01' + CAST(floor(u(pid, j, 21) * 3200) AS INTEGER)
						- CAST(1200 * (n - 1 - j) AS INTEGER)) AS DATE) AS s
				FROM a
			), e AS (
				SELECT pid, j, s, lead(s) OVER (PARTITION BY pid ORDER BY j) AS next FROM d
			)
			SELECT pid, pid * 4 + j, s, CAST(next - 1 AS DATE),
				[0, 1, 3][1 + ui(pid, j, 22, 3)],
				1 + ui(pid, j, 23, 8),
				CASE WHEN u(pid, j, 24) < 0.02 THEN NULL ELSE 100 * ui(pid, j, 25, 329) END,
				'E020' || lpad(CAST(ui(pid, j, 26, 7201) AS VARCHAR), 5, '0'),
				u(pid, j, 27) < 0.98,
				u(pid, j, 28) < 0.01, u(pid, j, 29) < 0.004, u(pid, j, 30) < 0.006
			FROM e ORDER BY pid, j`},
		{"", `CREATE TEMP TABLE wmean AS SELECT avg(w) AS w FROM pt_all WHERE life_end >= life_start`},
		{"clinical_events", fmt.Sprintf(`INSERT INTO clinical_events (patient_id, date, snomedct_code, ctv3_code, numeric_value, consultation_id)
			WITH k AS (
				SELECT pid, life_start, life_end - life_start AS span,
					nrows(pid, 40, %v, pt.w, wmean.w) AS n
				FROM pt, wmean WHERE life_end >= life_start
			), ev AS (
				SELECT pid, j, CAST(life_start + CAST(floor(u(pid, j, 41) * (span + 1)) AS INTEGER) AS DATE) AS date,
					u(pid, j, 42) AS r
				FROM (SELECT pid, life_start, span, unnest(range(n)) AS j FROM k)
			), e AS (
				SELECT pid, j, date,
					CASE WHEN r < CASE WHEN date >= DATE '2020-03-23' THEN 0.12 ELSE 0.02 END THEN 'v'
						WHEN r < 0.30 THEN 'f' WHEN r < 0.45 THEN 'm' WHEN r < 0.70 THEN 'c' ELSE 'o' END AS kind
				FROM ev
			), ethn AS (
				-- about 80%% of patients have an ethnicity record, some two
				SELECT pid, j, life_start, life_end,
					CASE WHEN g < 0.80 THEN 'e1' WHEN g < 0.89 THEN 'e3' WHEN g < 0.93 THEN 'e4'
						WHEN g < 0.96 THEN 'e2' ELSE 'e5' END AS kind
				FROM (SELECT pid, life_start, life_end, u(pid, 0, 50) AS g,
						unnest(range(CASE WHEN u(pid, 0, 51) < 0.2 THEN 0 WHEN u(pid, 0, 51) < 0.28 THEN 2 ELSE 1 END)) AS j
					FROM pt WHERE life_end >= life_start)
			), all_ev AS (
				SELECT pid, j, date, kind FROM e
				UNION ALL
				SELECT pid, 100000 + j, CAST(life_start + CAST(floor(u(pid, j, 52) * (life_end - life_start + 1)) AS INTEGER) AS DATE), kind
				FROM ethn
			)
			, picked AS (
				SELECT a.pid, a.j, a.date, a.kind, ui(a.pid, a.j, 43, s.n) AS idx
				FROM all_ev a JOIN pool_size s ON s.kind = a.kind
			)
			SELECT a.pid, a.date, p.code, NULL,
				CASE WHEN a.kind = 'm' THEN round(20 + u(a.pid, a.j, 44) * 140, 1) END,
				CAST(a.pid * 100000 + a.j AS BIGINT)
			FROM picked a
			JOIN pool p ON p.kind = a.kind AND p.idx = a.idx`, o.EventsPerPatient)},
		{"appointments", fmt.Sprintf(`INSERT INTO appointments (patient_id, booked_date, start_date, seen_date, status)
			WITH k AS (
				SELECT pid, life_start, life_end - life_start AS span,
					nrows(pid, 60, %v, pt.w, wmean.w) AS n
				FROM pt, wmean WHERE life_end >= life_start
			), a AS (
				SELECT pid, life_start, span, unnest(range(n)) AS j FROM k
			), b AS (
				SELECT pid, j,
					CAST(life_start + CAST(floor(u(pid, j, 61) * (span + 1)) AS INTEGER) AS DATE) AS booked,
					CAST(floor(pow(u(pid, j, 62), 3) * 28) AS INTEGER) AS wait,
					u(pid, j, 63) AS r, u(pid, j, 64) AS r2
				FROM a
			), c AS (
				SELECT pid, j, booked, CAST(booked + wait AS DATE) AS start,
					CASE WHEN r < 0.55 THEN 'Finished' WHEN r < 0.60 THEN 'Arrived' WHEN r < 0.61 THEN 'In Progress'
						WHEN r < 0.63 THEN 'Visit' WHEN r < 0.64 THEN 'Waiting' WHEN r < 0.645 THEN 'Patient Walked Out'
						WHEN r < 0.70 THEN 'Did Not Attend' WHEN r < 0.78 THEN 'Cancelled by Patient'
						WHEN r < 0.82 THEN 'Cancelled by Unit' WHEN r < 0.83 THEN 'Cancelled by Other Service'
						WHEN r < 0.835 THEN 'No Access Visit' WHEN r < 0.836 THEN 'Cancelled Due To Death'
						WHEN r < 0.92 THEN 'Booked' WHEN r < 0.97 THEN 'Requested' ELSE 'Blocked' END AS status,
					r2
				FROM b
			)
			SELECT pid, booked, start,
				CASE WHEN status IN ('Finished', 'Arrived', 'In Progress', 'Visit', 'Waiting', 'Patient Walked Out')
					THEN CAST(start + CASE WHEN r2 < 0.9 THEN 0 ELSE 1 END AS DATE) END,
				status
			FROM c`, o.AppointmentsPerPatient)},
		{"medications", fmt.Sprintf(`INSERT INTO medications (patient_id, date, dmd_code, consultation_id)
			WITH k AS (
				SELECT pid, life_start, life_end - life_start AS span,
					nrows(pid, 70, %v, pt.w, wmean.w) AS n
				FROM pt, wmean WHERE life_end >= life_start
			), a AS (
				-- repeat prescriptions: four in ten from the codelists
				SELECT pid, j, CAST(life_start + CAST(floor(u(pid, j, 72) * (span + 1)) AS INTEGER) AS DATE) AS date,
					CASE WHEN u(pid, j, 73) < 0.4 THEN 'd' ELSE 'x' END AS kind
				FROM (SELECT pid, life_start, span, unnest(range(n)) AS j FROM k)
			), picked AS (
				SELECT a.pid, a.j, a.date, a.kind, ui(a.pid, a.j, 74, s.n) AS idx
				FROM a JOIN pool_size s ON s.kind = a.kind
			)
			SELECT a.pid, a.date, p.code, CAST(a.pid * 100000 + 50000 + a.j AS BIGINT)
			FROM picked a
			JOIN pool p ON p.kind = a.kind AND p.idx = a.idx`, o.MedicationsPerPatient)},
	}
}
