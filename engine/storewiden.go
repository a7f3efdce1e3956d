package engine

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/ehrql-go/ehrql/engine/source"
	"github.com/ehrql-go/ehrql/engine/sqlname"
	"github.com/ehrql-go/ehrql/query/model"
)

// widenStore makes the tables the definition reads compute as ehrQL's
// types do where a patient store keeps a column in a narrower type than
// the engine's own (storeTypes: INTEGER, SMALLINT, ... for int; FLOAT for
// float). DuckDB does arithmetic in its operands' type, so an int column
// kept as INTEGER would overflow at 2^31 and a float kept as FLOAT would
// lose precision, where ehrQL's ints are 64-bit and its floats double. Such
// a table is shadowed by a temporary view of the same name, which the
// compiled SQL's main."t" finds first, casting those columns to the
// engine's types (BIGINT, DOUBLE); the view reads the store's table
// through its catalog. Call it after checkStore, before lockdown.
func widenStore(ctx context.Context, conn *sql.Conn, path string, tables []*model.Table) error {
	var catalog string
	if err := conn.QueryRowContext(ctx, "SELECT current_database()").Scan(&catalog); err != nil {
		return fmt.Errorf("patient store %s: %w", path, err)
	}
	types := map[[2]string]string{} // table, column -> DuckDB type
	rows, err := conn.QueryContext(ctx, "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_catalog = ? AND table_schema = 'main'", catalog)
	if err != nil {
		return fmt.Errorf("patient store %s: listing its columns: %w", path, err)
	}
	for rows.Next() {
		var t, c, typ string
		if err := rows.Scan(&t, &c, &typ); err != nil {
			rows.Close()
			return fmt.Errorf("patient store %s: listing its columns: %w", path, err)
		}
		types[[2]string{t, c}] = typ
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("patient store %s: listing its columns: %w", path, err)
	}
	for _, t := range tables {
		var casts []string
		for _, c := range t.Columns {
			if c.Type.Kind != model.KindInt && c.Type.Kind != model.KindFloat {
				continue
			}
			if want := source.SQLType(c.Type); types[[2]string{t.Name, c.Name}] != want {
				casts = append(casts, fmt.Sprintf("CAST(%s AS %s) AS %s", sqlname.Ident(c.Name), want, sqlname.Ident(c.Name)))
			}
		}
		if len(casts) == 0 {
			continue
		}
		view := fmt.Sprintf("CREATE TEMP VIEW %s AS SELECT * REPLACE (%s) FROM %s.main.%s",
			sqlname.Ident(t.Name), strings.Join(casts, ", "), sqlname.Ident(catalog), sqlname.Ident(t.Name))
		if _, err := conn.ExecContext(ctx, view); err != nil {
			return fmt.Errorf("patient store %s: table %s: reading its narrower columns as the engine's types: %w", path, t.Name, err)
		}
	}
	return nil
}
