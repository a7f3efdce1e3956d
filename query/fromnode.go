package query

import (
	"errors"
	"fmt"

	"github.com/ehrql-go/ehrql/query/model"
)

// FromNode wraps a query-model node as a series of type S, which must match
// the node's type and dimension (a DatePatientSeries for a patient-level
// date, and so on); a mismatch, or a nil node, is recorded in the series and
// reported, with the definition's line, when the series is used. It lets
// packages that extend the language, such as measures with its INTERVAL
// parameters, hand nodes they build to definitions as ordinary series.
func FromNode[S Series](n *model.Node) S {
	var zero S
	if n == nil {
		return zero.wrap(series{err: fail(errors.New("FromNode: no node given"))}).(S)
	}
	s := zero.wrap(series{n: n}).(S)
	if err := checkSeriesType(s, n); err != nil {
		return zero.wrap(series{err: fail(fmt.Errorf("FromNode: node %s %w", n, err))}).(S)
	}
	return s
}
