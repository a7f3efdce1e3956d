package query_test

import (
	"testing"

	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/query/model"
)

var mixedEvents = &model.Table{Name: "mixed_events", Columns: []model.Column{{Name: "i", Type: model.Int}, {Name: "s", Type: model.Str}}}

// Case, MaximumOf/MinimumOf and MapValues over a kind's interface mix
// patient-level and event-level values; the result has the event-level Go
// type when any value is event-level, else the patient-level one.
func TestKindInterfacesMixDimensions(t *testing.T) {
	e := query.EventTable(mixedEvents)
	ei := query.Column[query.IntEventSeries](e, "i")

	checkEvent := func(name string, s query.Series) {
		t.Helper()
		if _, ok := s.(query.EventSeries); !ok {
			t.Errorf("%s: got %T, want an event series", name, s)
		}
		if n, err := query.Node(s); err != nil || n.PatientDomain() {
			t.Errorf("%s: node %v, error %v", name, n, err)
		}
	}
	checkEvent("Case", query.Case(
		query.When[query.IntSeries](ei.Gt(query.Int(1)), query.Int(1)),
		query.When[query.IntSeries](ei.IsNull(), query.Null[query.IntSeries]()),
		query.Otherwise[query.IntSeries](ei),
	))
	// The patient-level literal first: the result is still event-level.
	checkEvent("MaximumOf", query.MaximumOf[query.IntSeries](query.Int(150), ei))
	checkEvent("MinimumOf", query.MinimumOf[query.IntSeries](ei, query.Int(150)))
	checkEvent("MapValues", query.MapValues[query.StrSeries](ei,
		[]query.Mapping[query.StrSeries]{query.Map[query.StrSeries](1, query.Str("a"))}, query.Str("b")))

	m := query.MaximumOf[query.IntSeries](query.Int(1), query.Int(2))
	if _, ok := m.(query.IntPatientSeries); !ok {
		t.Errorf("MaximumOf of patient values: got %T, want IntPatientSeries", m)
	}
	if _, ok := query.Null[query.StrSeries]().(query.StrPatientSeries); !ok {
		t.Errorf("Null[StrSeries]: got %T", query.Null[query.StrSeries]())
	}
	// The interface result works where its concrete type is needed.
	ds := query.NewDataset()
	ds.DefinePopulation(e.ExistsForPatient())
	ds.Add("v", query.MaximumOf[query.IntSeries](query.Int(150), ei).(query.IntEventSeries).MaximumForPatient())
	if _, err := ds.Model(); err != nil {
		t.Fatal(err)
	}
}
