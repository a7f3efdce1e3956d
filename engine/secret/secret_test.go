package secret_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/engine/secret"
	"github.com/ehrql-go/ehrql/engine/store"
)

func TestMaskDSN(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"duckdb:///data/x.duckdb?password=hunter2", "duckdb:///data/x.duckdb?password=****"},
		{"duckdb:///x?threads=2&PASSWORD=hunter2&a=b", "duckdb:///x?threads=2&PASSWORD=****&a=b"},
		{"mssql://user:hunter2@host:1433/db", "mssql://user:****@host:1433/db"},
		{"Server=h;Uid=u;Pwd=hunter2;Database=d", "Server=h;Uid=u;Pwd=****;Database=d"},
		{"/data/store.duckdb", "/data/store.duckdb"},
		{"mssql://user@host/db", "mssql://user@host/db"},
	} {
		if got := secret.MaskDSN(tc.in); got != tc.want {
			t.Errorf("MaskDSN(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// No error of OpenStore or store.Describe shows a password of its store's
// name.
func TestOpenStoreHidesPasswords(t *testing.T) {
	for _, dsn := range []string{
		"duckdb:///no/such/dir/x.duckdb?password=hunter2",
		"mssql://user:hunter2@host/db",
		t.TempDir() + "?password=hunter2",
	} {
		_, err := engine.OpenStore(context.Background(), dsn, nil, engine.Options{})
		_, err2 := store.Describe(context.Background(), dsn)
		for _, err := range []error{err, err2} {
			if err == nil {
				t.Errorf("%s: opened", secret.MaskDSN(dsn))
				continue
			}
			if strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "****") {
				t.Errorf("error shows the password or hides the store's name: %v", err)
			}
		}
	}
}
