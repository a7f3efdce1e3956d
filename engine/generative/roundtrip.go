package generative

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/ehrql-go/ehrql/query/model"
)

// RoundTrip encodes a definition in the JSON wire format (ehrQL's
// serialize-definition) and decodes it again; the decoded definition must
// be the same model (the same nodes, by their structural identity, under
// the same names) and encode to the same JSON.
func RoundTrip(def *model.Definition) (*model.Definition, error) {
	js, err := model.Encode(def)
	if err != nil {
		return nil, fmt.Errorf("encoding: %w", err)
	}
	back, err := model.Decode(js, nil)
	if err != nil {
		return nil, fmt.Errorf("decoding: %w\n%s", err, js)
	}
	if err := sameDefinition(def, back); err != nil {
		return nil, fmt.Errorf("the decoded definition differs: %w", err)
	}
	again, err := model.Encode(back)
	if err != nil {
		return nil, fmt.Errorf("encoding the decoded definition: %w", err)
	}
	if !bytes.Equal(js, again) {
		i := 0
		for i < len(js) && i < len(again) && js[i] == again[i] {
			i++
		}
		return nil, fmt.Errorf("the decoded definition encodes differently from byte %d:\n  first:  %s\n  second: %s", i, excerpt(js, i), excerpt(again, i))
	}
	return back, nil
}

// excerpt is the text of b around offset i.
func excerpt(b []byte, i int) string {
	lo, hi := max(0, i-80), min(len(b), i+80)
	return string(b[lo:hi])
}

// sameDefinition describes the first difference between the datasets and
// measures of two definitions.
func sameDefinition(a, b *model.Definition) error {
	if (a.Dataset == nil) != (b.Dataset == nil) {
		return fmt.Errorf("dataset present: %v, then %v", a.Dataset != nil, b.Dataset != nil)
	}
	if a.Dataset != nil {
		x, y := a.Dataset, b.Dataset
		if err := sameNode("population", x.Population, y.Population); err != nil {
			return err
		}
		if err := sameVariables("variables", x.Variables, y.Variables); err != nil {
			return err
		}
		if len(x.Events) != len(y.Events) {
			return fmt.Errorf("%d event tables, then %d", len(x.Events), len(y.Events))
		}
		for i := range x.Events {
			if x.Events[i].Name != y.Events[i].Name {
				return fmt.Errorf("event table %d: %q, then %q", i, x.Events[i].Name, y.Events[i].Name)
			}
			if err := sameNode("event table "+x.Events[i].Name, x.Events[i].Frame, y.Events[i].Frame); err != nil {
				return err
			}
		}
	}
	if len(a.Measures) != len(b.Measures) {
		return fmt.Errorf("%d measures, then %d", len(a.Measures), len(b.Measures))
	}
	for i, m := range a.Measures {
		n := b.Measures[i]
		where := "measure " + m.Name
		switch {
		case m.Name != n.Name:
			return fmt.Errorf("measure %d: %q, then %q", i, m.Name, n.Name)
		case !slices.Equal(m.Intervals, n.Intervals):
			return fmt.Errorf("%s: intervals %v, then %v", where, m.Intervals, n.Intervals)
		}
		if err := sameNode(where+" numerator", m.Numerator, n.Numerator); err != nil {
			return err
		}
		if err := sameNode(where+" denominator", m.Denominator, n.Denominator); err != nil {
			return err
		}
		if err := sameVariables(where+" group_by", m.GroupBy, n.GroupBy); err != nil {
			return err
		}
	}
	return nil
}

func sameVariables(where string, a, b []model.Variable) error {
	if len(a) != len(b) {
		return fmt.Errorf("%s: %d, then %d", where, len(a), len(b))
	}
	for i := range a {
		if a[i].Name != b[i].Name {
			return fmt.Errorf("%s %d: %q, then %q", where, i, a[i].Name, b[i].Name)
		}
		if err := sameNode(where+" "+a[i].Name, a[i].Series, b[i].Series); err != nil {
			return err
		}
	}
	return nil
}

func sameNode(where string, a, b *model.Node) error {
	if (a == nil) != (b == nil) || a != nil && a.ID() != b.ID() {
		return fmt.Errorf("%s: another node", where)
	}
	return nil
}
