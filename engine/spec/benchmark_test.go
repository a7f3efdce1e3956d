package spec

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/internal/spectest"
	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/query/model"
)

// benchPatients is the size of the generated population.
const benchPatients = 4000

// BenchmarkMidSizeCase runs one mid-size spec-style case end to end
// (compile, load the CSV tables, run, write the outputs) on generated data:
// 4000 patients and about 16000 events. The series combines a sorted,
// filtered pick with a count of episodes:
//
//	e.where(e.b1).sort_by(e.d1, e.i1).last_for_patient().i1
//	    + e.d1.count_episodes_for_patient(days(30))
//
// The first run's results are checked against a computation in Go.
func BenchmarkMidSizeCase(b *testing.B) {
	mc := newMidSizeCase(b)
	checked := false
	for b.Loop() {
		mc.run(b, !checked)
		checked = true
	}
	b.ReportMetric(float64(benchPatients), "patients/op")
	b.ReportMetric(float64(mc.events), "events/op")
}

// TestMidSizeCase runs the benchmark's case once and checks its results.
func TestMidSizeCase(t *testing.T) {
	if testing.Short() {
		t.Skip("mid-size case skipped in short mode")
	}
	newMidSizeCase(t).run(t, true)
}

type midSizeCase struct {
	dir    string
	ds     *model.Dataset
	want   map[int64]any
	events int
}

func newMidSizeCase(tb testing.TB) *midSizeCase {
	dir := tb.TempDir()
	pRows, eRows := benchData()
	if err := writeCSV(filepath.Join(dir, spectest.PatientTable.Name+".csv"), spectest.PatientTable, pRows); err != nil {
		tb.Fatal(err)
	}
	if err := writeCSV(filepath.Join(dir, spectest.EventTable.Name+".csv"), spectest.EventTable, eRows); err != nil {
		tb.Fatal(err)
	}
	qds := query.NewDataset()
	qds.DefinePopulation(defaultPopulationLang([]*model.Node{p, e}))
	qds.Add("v", query.Column[intP](E.Where(eb1()).SortBy(ed1(), ei1()).LastForPatient(), "i1").
		Add(ed1().CountEpisodesForPatient(query.Days(30))))
	ds, err := qds.Model()
	if err != nil {
		tb.Fatal(err)
	}
	return &midSizeCase{
		dir:    dir,
		ds:     ds,
		want:   benchExpected(pRows, eRows),
		events: len(eRows),
	}
}

func (mc *midSizeCase) run(tb testing.TB, check bool) {
	q, err := engine.CompileDataset(mc.ds)
	if err != nil {
		tb.Fatal(err)
	}
	typ := mc.ds.Variables[0].Series.Type()
	ctx := context.Background()
	sess, err := engine.OpenCSVTables(ctx, mc.dir, q.Tables, engine.Options{Threads: 1})
	if err != nil {
		tb.Fatal(err)
	}
	defer sess.Close()
	got, dups, err := execute(ctx, sess, mc.dir, q, typ)
	if err != nil {
		tb.Fatal(err)
	}
	if !check {
		return
	}
	if len(dups) > 0 {
		tb.Fatalf("duplicate patient ids in the output: %v", dups[:min(5, len(dups))])
	}
	if diffs := spectest.Compare(got, mc.want, typ); len(diffs) > 0 {
		tb.Fatalf("wrong results (%d differences), first: %s", len(diffs), diffs[0])
	}
}

// benchData generates the tables: every patient has a patient row (a few
// with NULLs) and 0 to 8 events with occasional NULLs; patient ids above
// benchPatients*9/10 have events only.
func benchData() (pRows, eRows []spectest.Row) {
	r := rand.New(rand.NewPCG(1, 2))
	base := date("2000-01-01")
	maybe := func(v any) any {
		if r.IntN(20) == 0 {
			return nil
		}
		return v
	}
	for pid := int64(1); pid <= benchPatients; pid++ {
		if pid <= benchPatients*9/10 {
			pRows = append(pRows, spectest.Row{PatientID: pid, Values: map[string]any{
				"i1": maybe(int64(r.IntN(100))),
				"d1": maybe(base.AddDays(r.IntN(3650))),
			}})
		}
		for range r.IntN(9) {
			eRows = append(eRows, spectest.Row{PatientID: pid, Values: map[string]any{
				"i1": maybe(int64(r.IntN(50))),
				"b1": maybe(r.IntN(3) > 0),
				"d1": maybe(base.AddDays(r.IntN(365))),
				"s1": maybe(string(rune('a' + r.IntN(26)))),
			}})
		}
	}
	return pRows, eRows
}

// benchExpected computes the benchmark series for every patient in p or e.
func benchExpected(pRows, eRows []spectest.Row) map[int64]any {
	type event struct {
		d  *model.CivilDate
		i1 *int64
	}
	picked := map[int64][]event{}
	dates := map[int64][]model.CivilDate{}
	want := map[int64]any{}
	for _, r := range pRows {
		want[r.PatientID] = nil
	}
	for _, r := range eRows {
		want[r.PatientID] = nil
		var ev event
		if d, ok := r.Values["d1"].(model.CivilDate); ok {
			ev.d = &d
			dates[r.PatientID] = append(dates[r.PatientID], d)
		}
		if i, ok := r.Values["i1"].(int64); ok {
			ev.i1 = &i
		}
		if r.Values["b1"] == true {
			picked[r.PatientID] = append(picked[r.PatientID], ev)
		}
	}
	cmpDate := func(a, b *model.CivilDate) int {
		switch {
		case a == nil && b == nil:
			return 0
		case a == nil:
			return -1
		case b == nil:
			return 1
		case a.Before(*b):
			return -1
		case b.Before(*a):
			return 1
		}
		return 0
	}
	cmpInt := func(a, b *int64) int {
		switch {
		case a == nil && b == nil:
			return 0
		case a == nil:
			return -1
		case b == nil:
			return 1
		}
		return int(*a - *b)
	}
	for pid := range want {
		evs := picked[pid]
		if len(evs) == 0 {
			continue
		}
		slices.SortFunc(evs, func(a, b event) int {
			if c := cmpDate(a.d, b.d); c != 0 {
				return c
			}
			return cmpInt(a.i1, b.i1)
		})
		lastI1 := evs[len(evs)-1].i1
		if lastI1 == nil {
			continue
		}
		ds := dates[pid]
		slices.SortFunc(ds, func(a, b model.CivilDate) int { return a.DaysSince(b) })
		episodes := int64(0)
		for i, d := range ds {
			if i == 0 || d.DaysSince(ds[i-1]) > 30 {
				episodes++
			}
		}
		want[pid] = *lastI1 + episodes
	}
	return want
}
