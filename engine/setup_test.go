package engine_test

import (
	"context"
	"testing"

	"github.com/ehrql-go/ehrql/engine"
)

// TestSessionSetup: a session has the settings the compiled SQL is written
// for (sqlgen.Settings): joins build on the side the SQL puts on their
// right.
func TestSessionSetup(t *testing.T) {
	ctx := context.Background()
	s, err := engine.OpenEmpty(ctx, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows, err := s.Query(ctx, "SELECT current_setting('disabled_optimizers')::VARCHAR")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got string
	for rows.Next() {
		if err := rows.Scan(&got); err != nil {
			t.Fatal(err)
		}
	}
	if got != "build_side_probe_side" {
		t.Errorf("disabled_optimizers = %q", got)
	}
}
