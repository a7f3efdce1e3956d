package main

import (
	"context"
	"os"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/query/model"
)

// openDatabase opens the data source of --database (--dsn,
// $DATABASE_URL): a DuckDB patient store, or, as ehrQL accepts for local
// runs, a folder of table files read as --dummy-tables reads them. Either
// is a real run: permissions are checked as for a store.
func openDatabase(ctx context.Context, dsn string, tables []*model.Table, opts engine.Options) (*engine.Session, error) {
	if st, err := os.Stat(dsn); err == nil && st.IsDir() {
		return engine.OpenCSVTables(ctx, dsn, tables, opts)
	}
	return engine.OpenStore(ctx, dsn, tables, opts)
}
