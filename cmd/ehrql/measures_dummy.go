package main

import (
	"context"
	"io"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/query/model"
)

// dummyMeasuresSession makes the data for measures when no data source is
// given: generated dummy data, once the generator supports measures.
func dummyMeasuresSession(ctx context.Context, def *model.Definition, q *engine.MeasuresQuery, opts engine.Options, stderr io.Writer) (*engine.Session, error) {
	return nil, &usageError{"no data source: pass --dummy-tables DIR, --dummy-data-file FILE or --database STORE (or set DATABASE_URL)"}
}
