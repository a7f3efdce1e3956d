package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/ehrql-go/ehrql/engine/sqlname"
)

// ManifestTable is the table in which a store built by Import or
// Synthesize records how it was built. Its name starts with an underscore,
// which no ehrQL table name can.
const ManifestTable = "_ehrql_store"

// manifestFormat is the version of the manifest's layout.
const manifestFormat = "1"

// Manifest records how a store was built and which of its tables were
// checked while building it: for those, every guarantee of the schema
// holds (column types, at most one row per patient in patient-level
// tables, values within their categories), so opening the store need not
// check them again.
type Manifest struct {
	// BuiltBy names the command that built the store, e.g. "ehrql store import".
	BuiltBy string
	// Module is the ehrQL module whose schemas the checked tables follow.
	Module string
	// Checked lists the tables checked at build time.
	Checked []string
}

// writeManifest creates the manifest table and records m in it, one
// (key, value) row per fact, a row per checked table.
func writeManifest(ctx context.Context, conn *sql.Conn, m Manifest) error {
	rows := []string{
		fmt.Sprintf("('format', %s)", quoteString(manifestFormat)),
		fmt.Sprintf("('built_by', %s)", quoteString(m.BuiltBy)),
		fmt.Sprintf("('module', %s)", quoteString(m.Module)),
	}
	for _, t := range m.Checked {
		rows = append(rows, fmt.Sprintf("('checked', %s)", quoteString(t)))
	}
	stmt := "CREATE TABLE " + sqlname.Ident(ManifestTable) + " AS SELECT * FROM (VALUES " + strings.Join(rows, ", ") + ") AS t(key, value)"
	if _, err := conn.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("recording the store's manifest: %w", err)
	}
	return nil
}

// ReadManifest reads the manifest of the store open on conn. ok is false
// for a store that has none (one not built by Import or Synthesize) or one
// of a format this version does not know.
func ReadManifest(ctx context.Context, conn *sql.Conn) (m Manifest, ok bool, err error) {
	var n int
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' AND table_name = ?", ManifestTable).Scan(&n); err != nil {
		return m, false, fmt.Errorf("reading the store's manifest: %w", err)
	}
	if n == 0 {
		return m, false, nil
	}
	rows, err := conn.QueryContext(ctx, "SELECT CAST(key AS VARCHAR), CAST(value AS VARCHAR) FROM "+sqlname.Ident(ManifestTable))
	if err != nil {
		return m, false, fmt.Errorf("reading the store's manifest: %w", err)
	}
	defer rows.Close()
	format := ""
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return m, false, fmt.Errorf("reading the store's manifest: %w", err)
		}
		switch k {
		case "format":
			format = v
		case "built_by":
			m.BuiltBy = v
		case "module":
			m.Module = v
		case "checked":
			m.Checked = append(m.Checked, v)
		}
	}
	if err := rows.Err(); err != nil {
		return m, false, fmt.Errorf("reading the store's manifest: %w", err)
	}
	return m, format == manifestFormat, nil
}
