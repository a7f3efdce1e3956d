package model

import (
	"fmt"
)

// Show is one call of show() in a definition: what to display and where
// the call is. A definition run by `ehrql debug` records its shows and
// writes them (EncodeShows) beside its query model; the command evaluates
// them on the dummy tables.
type Show struct {
	// Location is the call's file:line.
	Location string
	Label    string
	// Head and Tail, when not 0, keep only the first and last rows.
	Head, Tail int64
	// Kind is what is shown: ShowSeries (one or more series of one
	// domain, side by side), ShowFrame (one frame) or ShowDataset.
	Kind string
	// Elements are the series or the frame; for a dataset, its variables.
	Elements []*Node
	// Days marks the series that are date differences in days, shown as
	// "N days" (nil: none).
	Days []bool
	// Population is a dataset's population (nil when it has none yet);
	// Names are its variables' names.
	Population *Node
	Names      []string
}

// The kinds of Show.
const (
	ShowSeries  = "series"
	ShowFrame   = "frame"
	ShowDataset = "dataset"
)

var kindShows = listOf(objectOf("Show"))

// showDecl declares the wire form of a Show.
var showDecl = &objectDecl{name: "Show", fields: []field{
	{name: "location", kind: kindStr},
	{name: "label", kind: kindStr},
	{name: "head", kind: kindInt},
	{name: "tail", kind: kindInt},
	{name: "kind", kind: kindStr},
	{name: "elements", kind: listOf(kindNode)},
	{name: "population", kind: nullable(kindNode)},
	{name: "names", kind: listOf(kindStr)},
	{name: "days", kind: listOf(kindBool)},
}, build: func(_ *decoder, v []any) (any, error) {
	s := &Show{Location: v[0].(string), Label: v[1].(string), Head: v[2].(int64), Tail: v[3].(int64), Kind: v[4].(string)}
	s.Elements = fromAny[*Node](v[5])
	if v[6] != nil {
		s.Population = v[6].(*Node)
	}
	s.Names = fromAny[string](v[7])
	s.Days = fromAny[bool](v[8])
	if err := s.check(); err != nil {
		return nil, err
	}
	return s, nil
}, parts: func(v any) ([]any, error) {
	s := v.(*Show)
	if err := s.check(); err != nil {
		return nil, err
	}
	return []any{s.Location, s.Label, s.Head, s.Tail, s.Kind, toAny(s.Elements), s.Population, toAny(s.Names), toAny(s.Days)}, nil
}}

// check applies show()'s rules on what may be shown together.
func (s *Show) check() error {
	if s.Head < 0 || s.Tail < 0 {
		return fmt.Errorf("show: head and tail must not be negative")
	}
	if len(s.Days) > 0 && (s.Kind != ShowSeries || len(s.Days) != len(s.Elements)) {
		return fmt.Errorf("show: %d days flags for %d %s elements", len(s.Days), len(s.Elements), s.Kind)
	}
	switch s.Kind {
	case ShowDataset:
		if len(s.Names) != len(s.Elements) {
			return fmt.Errorf("show: a dataset has %d names for %d variables", len(s.Names), len(s.Elements))
		}
		return nil
	case ShowFrame:
		if len(s.Elements) != 1 || !s.Elements[0].IsFrame() {
			return fmt.Errorf("show: a frame is shown alone")
		}
		return nil
	case ShowSeries:
		return CheckShowSeries(s.Elements)
	}
	return fmt.Errorf("show: unknown kind %q", s.Kind)
}

// ShowUsage is ehrQL's explanation of how show() may be called, given when
// it is called wrongly.
const ShowUsage = "\n\nshow() can be used in two ways. Either:\n" +
	" - call it with a single argument such as:\n" +
	"     show(dataset)\n" +
	"     show(patients)\n" +
	"     show(clinical_events.date.is_after(\"2024-01-01\"))\n" +
	" - or call it with multiple columns/series:\n" +
	"     show(patients.sex, patients.date_of_birth)\n" +
	"     show(patients.sex == \"male\", patients.date_of_birth.is_before(\"2006-01-01\"))\n\n" +
	"If passing in multiple arguments, they must either have:\n" +
	" - one row per patient (e.g. patients.sex, clinical_events.count_for_patient()), or\n" +
	" - multiple rows per patient AND be from the same table (e.g. clinical_events.date, clinical_events.numeric_values)"

// CheckShowSeries checks that series may be shown side by side: all
// series (not frames or sets), all of one domain.
func CheckShowSeries(elements []*Node) error {
	if len(elements) == 0 {
		return fmt.Errorf("show: nothing to show%s", ShowUsage)
	}
	for _, n := range elements {
		if n == nil || n.IsFrame() || n.typ.Set || !n.SameDomain(elements[0]) {
			return fmt.Errorf("TypeError: %s", ShowUsage)
		}
	}
	return nil
}

// EncodeShows writes the shows in the wire format: a document whose value
// is the list of Show objects, their nodes stored as Encode stores them.
func EncodeShows(shows []*Show) ([]byte, error) {
	return encodeDocument(kindShows, toAny(shows))
}

// DecodeShows reads what EncodeShows writes, checking it as Decode does.
func DecodeShows(data []byte, r Resolver, opts ...DecodeOption) ([]*Show, error) {
	v, err := decodeDocument(data, kindShows, r, opts...)
	if err != nil {
		return nil, err
	}
	return fromAny[*Show](v), nil
}
