package main

import (
	"context"
	"os"
	runtimedebug "runtime/debug"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/query/model"
)

// openDatabase opens the data source of --database (--dsn,
// $DATABASE_URL): a DuckDB patient store, or, as ehrQL accepts for local
// runs, a folder of table files read as --dummy-tables reads them. Either
// is a real run: permissions are checked as for a store.
func openDatabase(ctx context.Context, dsn string, tables []*model.Table, opts engine.Options) (*engine.Session, error) {
	limitGoHeap()
	if st, err := os.Stat(dsn); err == nil && st.IsDir() {
		return engine.OpenCSVTables(ctx, dsn, tables, opts)
	}
	return engine.OpenStore(ctx, dsn, tables, opts)
}

// goHeapLimit is the soft limit of the Go heap in a run on a database.
// Results pass through the heap a batch at a time, so it needs little; left
// alone, the collector lets it grow to twice what it holds, on top of
// DuckDB's --memory-limit (about 100 MiB more peak RSS for 2.8M rows).
// GOMEMLIMIT overrides it.
const goHeapLimit = 128 << 20

func limitGoHeap() {
	if os.Getenv("GOMEMLIMIT") == "" {
		runtimedebug.SetMemoryLimit(goHeapLimit)
	}
}
