package query

import (
	"errors"
	"fmt"
	"os"

	"github.com/ehrql-go/ehrql/internal/callsite"
	"github.com/ehrql-go/ehrql/query/model"
)

// Show displays series, a frame or a dataset, computed on the dummy tables,
// when the definition runs under `ehrql debug DEF --dummy-tables DIR`
// (ehrQL's show()). Elsewhere it does nothing. Give it
//
//   - one series, frame (a table, or a filtered, sorted or picked one) or
//     *Dataset; or
//   - several series with one value per patient, or several series of one
//     event frame, to show side by side;
//
// and, anywhere among them, Label, Head and Tail:
//
//	q.Show(core.Patients.Sex, core.Patients.DateOfBirth, q.Label("demographics"), q.Head(5))
//
// Each call is shown in order, with its file and line. A call that breaks
// these rules stops the definition under `ehrql debug` with ehrQL's
// explanation.
func Show(items ...any) {
	f := showFile()
	if f == nil {
		return
	}
	s := &model.Show{Location: callsite.Location()}
	err := buildShow(s, items)
	if err == nil {
		err = writeShow(f, s)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "Error in definition:\n%v\n", &DefinitionError{Location: s.Location, Err: err})
		os.Exit(ExitDefinitionError)
	}
}

// ShowOption is a Label, Head or Tail for Show.
type ShowOption struct {
	label      *string
	head, tail *int
}

// Label names what Show displays.
func Label(s string) ShowOption { return ShowOption{label: &s} }

// Head keeps only the first n rows Show displays (with Tail, the first
// and last).
func Head(n int) ShowOption { return ShowOption{head: &n} }

// Tail keeps only the last n rows Show displays.
func Tail(n int) ShowOption { return ShowOption{tail: &n} }

// showOut is the descriptor shows are written to, opened once.
var showOut struct {
	opened bool
	f      *os.File
}

func showFile() *os.File {
	if !showOut.opened {
		showOut.opened = true
		showOut.f = protocolFile(EnvShowFD, "shows")
	}
	return showOut.f
}

func writeShow(f *os.File, s *model.Show) error {
	data, err := model.EncodeShows([]*model.Show{s})
	if err != nil {
		return err
	}
	_, err = f.Write(append(data, '\n'))
	return err
}

// buildShow fills s from Show's arguments.
func buildShow(s *model.Show, items []any) error {
	var elements []any
	for _, it := range items {
		o, ok := it.(ShowOption)
		if !ok {
			elements = append(elements, it)
			continue
		}
		switch {
		case o.label != nil:
			s.Label = *o.label
		case o.head != nil:
			if *o.head < 0 {
				return errors.New("show(): head must not be negative")
			}
			s.Head = int64(*o.head)
		case o.tail != nil:
			if *o.tail < 0 {
				return errors.New("show(): tail must not be negative")
			}
			s.Tail = int64(*o.tail)
		}
	}
	if len(elements) == 0 {
		return errors.New("show() needs something to show" + model.ShowUsage)
	}
	if len(elements) == 1 {
		switch x := elements[0].(type) {
		case *Dataset:
			s.Kind = model.ShowDataset
			s.Population = x.population
			for _, v := range x.vars {
				s.Elements = append(s.Elements, v.Series)
				s.Names = append(s.Names, v.Name)
			}
			return nil
		case Frame:
			if _, isSeries := x.(Series); !isSeries {
				n, err := x.frameNode()
				if err != nil {
					return err
				}
				s.Kind = model.ShowFrame
				s.Elements = []*model.Node{n}
				return nil
			}
		}
	}
	s.Kind = model.ShowSeries
	days := false
	for _, el := range elements {
		var n *model.Node
		var err error
		isDays := true
		switch x := el.(type) {
		case Series:
			n, err = x.node()
			isDays = false
		case DatePatientDifference:
			n, err = x.Days().node()
		case DateEventDifference:
			n, err = x.Days().node()
		default:
			return fmt.Errorf("TypeError: %s", model.ShowUsage)
		}
		if err != nil {
			return err
		}
		s.Elements = append(s.Elements, n)
		s.Days = append(s.Days, isDays)
		days = days || isDays
	}
	if !days {
		s.Days = nil
	}
	return model.CheckShowSeries(s.Elements)
}
