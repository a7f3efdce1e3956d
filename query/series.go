package query

import (
	"errors"
	"fmt"

	"github.com/ehrql-go/ehrql/internal/callsite"
	"github.com/ehrql-go/ehrql/query/model"
)

// DefinitionError is a mistake in a definition, with where it was made.
type DefinitionError struct {
	// Location is "file:line" of the call in the definition that failed.
	Location string
	Err      error
}

// Error implements the error interface.
func (e *DefinitionError) Error() string {
	if e.Location == "" {
		return e.Err.Error()
	}
	return e.Location + ": " + e.Err.Error()
}

// Unwrap returns the underlying mistake.
func (e *DefinitionError) Unwrap() error { return e.Err }

func fail(err error) error {
	var de *DefinitionError
	if errors.As(err, &de) {
		return err
	}
	return &DefinitionError{Location: callsite.Location(), Err: err}
}

// series is the shared representation of every series type: a query-model
// node, or the first error met while building it.
type series struct {
	n   *model.Node
	err error
}

func (s series) node() (*model.Node, error) {
	if s.err != nil {
		return nil, s.err
	}
	if s.n == nil {
		return nil, fail(errUninitialised)
	}
	return s.n, nil
}

// Node returns the query-model node of any series or frame, or the error
// met while building it.
func Node(x interface{ node() (*model.Node, error) }) (*model.Node, error) { return x.node() }

// build makes a node with f once every argument is error-free.
func build(f func(args []*model.Node) (*model.Node, error), args ...series) series {
	nodes := make([]*model.Node, len(args))
	for i, a := range args {
		n, err := a.node()
		if err != nil {
			return series{err: err}
		}
		nodes[i] = n
	}
	n, err := f(nodes)
	if err != nil {
		return series{err: fail(err)}
	}
	return series{n: n}
}

func fn(op model.Op, args ...series) series {
	return build(func(a []*model.Node) (*model.Node, error) { return model.Function(op, a...) }, args...)
}

func not(s series) series { return fn(model.OpNot, s) }

func agg(op model.Op, s series) series {
	return build(func(a []*model.Node) (*model.Node, error) { return model.Aggregate(op, a[0]) }, s)
}

func lit(l model.Literal, err error) series {
	if err != nil {
		return series{err: fail(err)}
	}
	n, err := model.Value(l)
	if err != nil {
		return series{err: fail(err)}
	}
	return series{n: n}
}

func errSeries(format string, a ...any) series {
	return series{err: fail(fmt.Errorf(format, a...))}
}

// Series is any series: its query-model node.
type Series interface {
	node() (*model.Node, error)
	wrap(series) Series
	// dimensions returns the zero patient-level and event-level series
	// of the same kind.
	dimensions() (patient, event Series)
}

// PatientSeries is any series with one value per patient: what a dataset
// column, a population or a measure can be built from.
type PatientSeries interface {
	Series
	patientSeries()
}

// EventSeries is any series with many values per patient.
type EventSeries interface {
	Series
	eventSeries()
}
