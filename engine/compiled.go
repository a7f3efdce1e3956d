package engine

import (
	"github.com/ehrql-go/ehrql/engine/sqlgen"
	"github.com/ehrql-go/ehrql/query/model"
)

// Query is a compiled dataset definition (see sqlgen.Query), ready to run
// in a Session.
type Query struct{ *sqlgen.Query }

// MeasuresQuery is a compiled measures definition (see
// sqlgen.MeasuresQuery), ready to run in a Session.
type MeasuresQuery struct{ *sqlgen.MeasuresQuery }

// EventQuery is the compiled query of one event-level table.
type EventQuery = sqlgen.EventQuery

// UnsupportedError reports a query model the compiler cannot translate.
type UnsupportedError = sqlgen.UnsupportedError

// DataErrorMarker begins the message of every error the compiled SQL
// raises itself on values in the data.
const DataErrorMarker = sqlgen.DataErrorMarker

// CompileDataset compiles a dataset definition to DuckDB SQL.
func CompileDataset(ds *model.Dataset) (*Query, error) {
	q, err := sqlgen.CompileDataset(ds)
	if err != nil {
		return nil, err
	}
	return &Query{q}, nil
}

// CompileMeasures compiles measures to one DuckDB query.
func CompileMeasures(ms []model.Measure) (*MeasuresQuery, error) {
	q, err := sqlgen.CompileMeasures(ms)
	if err != nil {
		return nil, err
	}
	return &MeasuresQuery{q}, nil
}

// TablesOf lists the catalogue and user tables the nodes read, in name
// order (inline tables, which carry their rows, are left out).
func TablesOf(roots ...*model.Node) []*model.Table { return sqlgen.TablesOf(roots...) }
