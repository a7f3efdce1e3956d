package model_test

import (
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
)

// sampleShows are one show of each kind: two patient series side by side,
// an event frame, and a dataset.
func sampleShows(t *testing.T) []*model.Show {
	events := must(model.SelectTable(tables.Core("clinical_events")))
	patients := must(model.SelectTable(tables.Core("patients")))
	count := must(model.Aggregate(model.OpCount, events))
	dob := must(model.SelectColumn(patients, "date_of_birth"))
	exists := must(model.Aggregate(model.OpExists, events))
	return []*model.Show{
		{Location: "d.go:3", Label: "counts", Kind: model.ShowSeries, Elements: []*model.Node{count, dob}},
		{Location: "d.go:4", Head: 2, Tail: 1, Kind: model.ShowFrame, Elements: []*model.Node{events}},
		{Location: "d.go:5", Kind: model.ShowDataset, Population: exists, Elements: []*model.Node{count}, Names: []string{"n"}},
		{Location: "d.go:6", Kind: model.ShowDataset},
	}
}

func showsDoc(t *testing.T) []byte {
	data, err := model.EncodeShows(sampleShows(t))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestShowsRoundTrip(t *testing.T) {
	data := showsDoc(t)
	shows, err := model.DecodeShows(data, tables.Default())
	if err != nil {
		t.Fatal(err)
	}
	want := sampleShows(t)
	if len(shows) != len(want) {
		t.Fatalf("%d shows, want %d", len(shows), len(want))
	}
	for i, s := range shows {
		w := want[i]
		if s.Location != w.Location || s.Label != w.Label || s.Head != w.Head || s.Tail != w.Tail || s.Kind != w.Kind ||
			len(s.Elements) != len(w.Elements) || strings.Join(s.Names, ",") != strings.Join(w.Names, ",") || (s.Population == nil) != (w.Population == nil) {
			t.Errorf("show %d = %+v, want %+v", i, s, w)
		}
		for j := range s.Elements {
			if s.Elements[j].Op() != w.Elements[j].Op() {
				t.Errorf("show %d element %d = %s, want %s", i, j, s.Elements[j].Op(), w.Elements[j].Op())
			}
		}
	}
	// A query model is not a list of shows, nor the reverse.
	if _, err := model.DecodeShows(withTestData("null"), tables.Default()); err == nil {
		t.Error("a query model decoded as shows")
	}
	if _, err := model.Decode(data, tables.Default()); err == nil {
		t.Error("shows decoded as a query model")
	}
}

func TestShowRules(t *testing.T) {
	events := must(model.SelectTable(tables.Core("clinical_events")))
	meds := must(model.SelectTable(tables.Core("medications")))
	date := must(model.SelectColumn(events, "date"))
	value := must(model.SelectColumn(events, "numeric_value"))
	medDate := must(model.SelectColumn(meds, "date"))
	count := must(model.Aggregate(model.OpCount, events))
	for _, tt := range []struct {
		name     string
		elements []*model.Node
		ok       bool
	}{
		{"one table's columns", []*model.Node{date, value}, true},
		{"patient series", []*model.Node{count, count}, true},
		{"two tables", []*model.Node{date, medDate}, false},
		{"event and patient", []*model.Node{date, count}, false},
		{"frame among series", []*model.Node{events, date}, false},
	} {
		err := model.CheckShowSeries(tt.elements)
		if (err == nil) != tt.ok {
			t.Errorf("%s: %v", tt.name, err)
		}
		if err != nil && !strings.Contains(err.Error(), "show() can be used in two ways") {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}
