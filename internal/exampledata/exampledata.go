// Package exampledata makes the example dataset of `ehrql
// dump-example-data`: a few dozen made-up patients in every table of
// ehrql.tables.core, with diagnoses, measurements, prescriptions, moves
// between practices and deaths, for trying definitions with
// --dummy-tables. It is generated, the same every time, from a fixed seed.
package exampledata

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/ehrql-go/ehrql/engine/output"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
)

// Patients is the number of patients in the example dataset.
const Patients = 40

// DefaultDir is where dump-example-data writes when given no folder.
const DefaultDir = "example-data"

// codes are the clinical events the example patients have, with the range
// of a measurement's numeric value (none when min == max == 0).
var codes = []struct {
	code     string
	min, max float64
	weight   int
}{
	{"195967001", 0, 0, 3},    // asthma
	{"389145006", 0, 0, 1},    // allergic asthma
	{"44054006", 0, 0, 2},     // type 2 diabetes
	{"38341003", 0, 0, 3},     // hypertension
	{"60621009", 16, 42, 4},   // body mass index
	{"271649006", 95, 175, 4}, // systolic blood pressure
	{"185317003", 0, 0, 5},    // telephone encounter
	{"11429006", 0, 0, 5},     // consultation
}

// medicines are dm+d codes of the example prescriptions.
var medicines = []string{
	"39113311000001107", // salbutamol inhaler
	"39113611000001102", // salbutamol inhaler
	"42206511000001102", // metformin tablets
	"39695711000001102", // amlodipine tablets
}

// causes are ICD-10 causes of death.
var causes = []string{"I21", "J45", "C34", "I64", "J18", "E11"}

// Tables returns the example tables as CSV files, by table name.
func Tables() map[string][]byte {
	r := rand.New(rand.NewPCG(2024, 13))
	date := func(from, to model.CivilDate) model.CivilDate {
		return from.AddDays(r.IntN(to.DaysSince(from) + 1))
	}
	d := model.MustParseDate
	rows := map[string][][]string{}
	add := func(table string, id int, vals ...string) {
		rows[table] = append(rows[table], append([]string{strconv.Itoa(id)}, vals...))
	}
	end := d("2024-06-30")
	for id := 1; id <= Patients; id++ {
		born := d("1935-01-01").AddMonths(r.IntN(80 * 12))
		sex := []string{"female", "male"}[r.IntN(2)]
		if id%17 == 0 {
			sex = "unknown"
		}
		var death model.CivilDate
		dead := r.IntN(8) == 0
		if dead {
			death = date(d("2019-01-01"), end)
		}
		last := end
		deathCell := ""
		if dead {
			last, deathCell = death, death.String()
		}
		add("patients", id, born.String(), sex, deathCell)
		if dead {
			add("ons_deaths", id, death.String(), causes[r.IntN(len(causes))])
		}

		// One registration, or two when the patient moved practice; none
		// starts before birth or after death.
		regStart := born.AddYears(r.IntN(3))
		if s := d("2005-01-01").AddMonths(r.IntN(18 * 12)); !s.Before(regStart) {
			regStart = s
		}
		if !regStart.Before(last) {
			regStart = last.AddYears(-2)
			if regStart.Before(born) {
				regStart = born
			}
		}
		practice := 1 + r.IntN(5)
		if latest := d("2023-06-30"); id%6 == 0 && regStart.AddYears(1).Before(latest) && regStart.AddYears(1).Before(last) {
			if last.Before(latest) {
				latest = last
			}
			moved := date(regStart.AddYears(1), latest)
			add("practice_registrations", id, regStart.String(), moved.AddDays(-1).String(), strconv.Itoa(practice))
			regStart, practice = moved, 1+(practice%5)
		}
		regEnd := ""
		if dead {
			regEnd = death.String()
		} else if id%11 == 0 {
			regEnd = date(regStart.AddYears(1), end).String()
		}
		add("practice_registrations", id, regStart.String(), regEnd, strconv.Itoa(practice))

		from := regStart
		if from.Before(d("2015-01-01")) {
			from = d("2015-01-01")
		}
		if !from.Before(last) {
			continue
		}
		for range r.IntN(9) {
			c := codes[weighted(r)]
			value := ""
			if c.max > 0 {
				value = strconv.FormatFloat(float64(int((c.min+r.Float64()*(c.max-c.min))*10))/10, 'f', -1, 64)
			}
			add("clinical_events", id, date(from, last).String(), c.code, value)
		}
		for range r.IntN(5) {
			add("medications", id, date(from, last).String(), medicines[r.IntN(len(medicines))])
		}
	}
	out := map[string][]byte{}
	for _, t := range tables.Default().Tables(tables.ModuleCore) {
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		header := []string{"patient_id"}
		for _, c := range t.Columns {
			header = append(header, c.Name)
		}
		w.Write(header)
		body := rows[t.Name]
		slices.SortStableFunc(body, func(a, b []string) int {
			x, _ := strconv.Atoi(a[0])
			y, _ := strconv.Atoi(b[0])
			return x - y
		})
		for _, row := range body {
			w.Write(append(row, make([]string, len(header)-len(row))...))
		}
		w.Flush()
		out[t.Name] = b.Bytes()
	}
	return out
}

// weighted picks a clinical code by its weight.
func weighted(r *rand.Rand) int {
	total := 0
	for _, c := range codes {
		total += c.weight
	}
	n := r.IntN(total)
	for i, c := range codes {
		if n < c.weight {
			return i
		}
		n -= c.weight
	}
	return len(codes) - 1
}

// Write writes the example tables into dir (created if needed), one
// <table>.csv each, replacing files of those names, and returns their paths.
func Write(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	tbls := Tables()
	names := make([]string, 0, len(tbls))
	for name := range tbls {
		names = append(names, name)
	}
	slices.Sort(names)
	var paths []string
	for _, name := range names {
		p := filepath.Join(dir, name+".csv")
		if err := output.WriteFile(p, tbls[name]); err != nil {
			return paths, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}
