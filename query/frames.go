package query

import (
	"errors"
	"fmt"

	"github.com/ehrql-go/ehrql/query/model"
)

// Frame is any frame: its query-model node.
type Frame interface {
	frameNode() (*model.Node, error)
}

type frame struct {
	n   *model.Node
	err error
}

func (f frame) frameNode() (*model.Node, error) {
	if f.err != nil {
		return nil, f.err
	}
	if f.n == nil {
		return nil, fail(errors.New("use of an uninitialised frame (the zero value)"))
	}
	return f.n, nil
}

func (f frame) node() (*model.Node, error) { return f.frameNode() }

// Sortable is a series that can order a frame: int, float, str, date, code
// or multi-code values (not bool: use AsInt).
type Sortable interface {
	Series
	sortable()
}

// Column selects a column of a frame as a series of type S, which must
// match the column's type and the frame's dimension. Typed tables use it to
// expose their columns; it can also reach columns of user-defined tables.
func Column[S Series](f Frame, name string) S {
	var zero S
	n, err := f.frameNode()
	if err != nil {
		return zero.wrap(series{err: err}).(S)
	}
	col, err := model.SelectColumn(n, name)
	if err != nil {
		return zero.wrap(series{err: fail(err)}).(S)
	}
	s := zero.wrap(series{n: col}).(S)
	if err := checkSeriesType(s, col); err != nil {
		return zero.wrap(series{err: fail(fmt.Errorf("column %s: %w", name, err))}).(S)
	}
	return s
}

// checkSeriesType checks that the Go type of s fits the node's type and
// dimension.
func checkSeriesType(s Series, n *model.Node) error {
	var kind model.Kind
	switch s.(type) {
	case BoolSeries:
		kind = model.KindBool
	case IntSeries:
		kind = model.KindInt
	case FloatSeries:
		kind = model.KindFloat
	case StrSeries:
		kind = model.KindStr
	case DateSeries:
		kind = model.KindDate
	case CodeSeries:
		kind = model.KindCode
	case MultiCodeSeries:
		kind = model.KindMultiCode
	}
	if n.Type().Kind != kind {
		return fmt.Errorf("is %s, not %T", n.Type(), s)
	}
	_, patient := s.(PatientSeries)
	if patient != n.PatientDomain() {
		if patient {
			return fmt.Errorf("has many values per patient, not one (%T)", s)
		}
		return fmt.Errorf("has one value per patient (%T)", s)
	}
	return nil
}

// PatientFrame is a frame with at most one row per patient: a patient-level
// table, or the row picked by FirstForPatient or LastForPatient.
type PatientFrame struct{ f frame }

func (p PatientFrame) frameNode() (*model.Node, error) { return p.f.frameNode() }

// ExistsForPatient is true for patients who have a row.
func (p PatientFrame) ExistsForPatient() BoolPatientSeries {
	return BoolPatientSeries{aggFrame(model.OpExists, p.f)}
}

// CountForPatient is 1 for patients who have a row, else 0.
func (p PatientFrame) CountForPatient() IntPatientSeries {
	return IntPatientSeries{aggFrame(model.OpCount, p.f)}
}

func aggFrame(op model.Op, f frame) series {
	n, err := f.frameNode()
	if err != nil {
		return series{err: err}
	}
	a, err := model.Aggregate(op, n)
	if err != nil {
		return series{err: fail(err)}
	}
	return series{n: a}
}

// FrameKinds holds the constructors that let a generic event frame return
// its table's own typed frames: F for filtered frames, S for sorted ones and
// P for the picked row.
type FrameKinds[F, S, P any] struct {
	Events  func(EventFrame[F, S, P]) F
	Sorted  func(SortedEventFrame[F, S, P]) S
	Patient func(PatientFrame) P
}

// EventFrame is a frame with many rows per patient. Table types embed it
// and gain Where, ExceptWhere, SortBy and the frame aggregations, each
// returning the table's own types.
type EventFrame[F, S, P any] struct {
	f     frame
	kinds *FrameKinds[F, S, P]
}

// NewEventFrame wraps the frame of an event-level table.
func NewEventFrame[F, S, P any](t *model.Table, kinds *FrameKinds[F, S, P]) EventFrame[F, S, P] {
	n, err := model.SelectTable(t)
	if err != nil {
		return EventFrame[F, S, P]{f: frame{err: fail(err)}, kinds: kinds}
	}
	return EventFrame[F, S, P]{f: frame{n: n}, kinds: kinds}
}

// NewPatientFrame wraps the frame of a patient-level table.
func NewPatientFrame(t *model.Table) PatientFrame {
	n, err := model.SelectTable(t)
	if err != nil {
		return PatientFrame{frame{err: fail(err)}}
	}
	return PatientFrame{frame{n: n}}
}

func (e EventFrame[F, S, P]) frameNode() (*model.Node, error) { return e.f.frameNode() }

// Where keeps the rows where cond is true (dropping false and NULL).
func (e EventFrame[F, S, P]) Where(cond BoolSeries) F {
	return e.kinds.Events(EventFrame[F, S, P]{filter(e.f, cond, false), e.kinds})
}

// ExceptWhere drops the rows where cond is true (keeping false and NULL).
func (e EventFrame[F, S, P]) ExceptWhere(cond BoolSeries) F {
	return e.kinds.Events(EventFrame[F, S, P]{filter(e.f, cond, true), e.kinds})
}

// SortBy orders rows by the keys, ascending with NULLs first; the first key
// has the highest priority, and a later SortBy outranks an earlier one.
func (e EventFrame[F, S, P]) SortBy(keys ...Sortable) S {
	return e.kinds.Sorted(SortedEventFrame[F, S, P]{sortBy(e.f, keys), e.kinds})
}

// ExistsForPatient is true for patients with at least one row.
func (e EventFrame[F, S, P]) ExistsForPatient() BoolPatientSeries {
	return BoolPatientSeries{aggFrame(model.OpExists, e.f)}
}

// CountForPatient counts each patient's rows (0 if none).
func (e EventFrame[F, S, P]) CountForPatient() IntPatientSeries {
	return IntPatientSeries{aggFrame(model.OpCount, e.f)}
}

// SortedEventFrame is an event frame that has been sorted, from which one
// row per patient can be picked.
type SortedEventFrame[F, S, P any] struct {
	f     frame
	kinds *FrameKinds[F, S, P]
}

func (e SortedEventFrame[F, S, P]) frameNode() (*model.Node, error) { return e.f.frameNode() }

// Where keeps the rows where cond is true; the frame stays sorted.
func (e SortedEventFrame[F, S, P]) Where(cond BoolSeries) S {
	return e.kinds.Sorted(SortedEventFrame[F, S, P]{filter(e.f, cond, false), e.kinds})
}

// ExceptWhere drops the rows where cond is true; the frame stays sorted.
func (e SortedEventFrame[F, S, P]) ExceptWhere(cond BoolSeries) S {
	return e.kinds.Sorted(SortedEventFrame[F, S, P]{filter(e.f, cond, true), e.kinds})
}

// SortBy sorts again; these keys outrank the earlier ones.
func (e SortedEventFrame[F, S, P]) SortBy(keys ...Sortable) S {
	return e.kinds.Sorted(SortedEventFrame[F, S, P]{sortBy(e.f, keys), e.kinds})
}

// FirstForPatient picks each patient's first row. Ties are broken by the
// columns selected from the result, in alphabetical order.
func (e SortedEventFrame[F, S, P]) FirstForPatient() P {
	return e.kinds.Patient(pick(e.f, model.First))
}

// LastForPatient picks each patient's last row.
func (e SortedEventFrame[F, S, P]) LastForPatient() P { return e.kinds.Patient(pick(e.f, model.Last)) }

// ExistsForPatient is true for patients with at least one row.
func (e SortedEventFrame[F, S, P]) ExistsForPatient() BoolPatientSeries {
	return BoolPatientSeries{aggFrame(model.OpExists, e.f)}
}

// CountForPatient counts each patient's rows (0 if none).
func (e SortedEventFrame[F, S, P]) CountForPatient() IntPatientSeries {
	return IntPatientSeries{aggFrame(model.OpCount, e.f)}
}

func filter(f frame, cond BoolSeries, except bool) frame {
	n, err := f.frameNode()
	if err != nil {
		return frame{err: err}
	}
	if cond == nil {
		return frame{err: fail(errors.New("Where: missing condition"))}
	}
	c := cond.ser()
	if except {
		// except_where(c) keeps rows where c is false or NULL.
		c = fn(model.OpOr, not(c), fn(model.OpIsNull, c))
	}
	cn, err := c.node()
	if err != nil {
		return frame{err: err}
	}
	out, err := model.Filter(n, cn)
	if err != nil {
		return frame{err: fail(err)}
	}
	return frame{n: out}
}

func sortBy(f frame, keys []Sortable) frame {
	n, err := f.frameNode()
	if err != nil {
		return frame{err: err}
	}
	if len(keys) == 0 {
		return frame{err: fail(errors.New("SortBy needs at least one key"))}
	}
	// sort_by(k1, …, kn) = Sort(…Sort(Sort(frame, kn), kn−1)…, k1).
	for i := len(keys) - 1; i >= 0; i-- {
		k, err := keys[i].node()
		if err != nil {
			return frame{err: err}
		}
		if n, err = model.Sort(n, k); err != nil {
			if errors.Is(err, model.ErrSortByPatientSeries) {
				err = errors.New("Cannot sort by a constant value") // as ehrQL's language says
			}
			return frame{err: fail(err)}
		}
	}
	return frame{n: n}
}

func pick(f frame, pos model.Position) PatientFrame {
	n, err := f.frameNode()
	if err != nil {
		return PatientFrame{frame{err: err}}
	}
	p, err := model.PickOneRowPerPatient(n, pos)
	if err != nil {
		return PatientFrame{frame{err: fail(err)}}
	}
	return PatientFrame{frame{n: p}}
}
