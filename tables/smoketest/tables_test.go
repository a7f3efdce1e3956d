package smoketest_test

import (
	"testing"

	"github.com/ehrql-go/ehrql/tables"
	"github.com/ehrql-go/ehrql/tables/internal/gentyped/check"
)

func TestTablesMatchCatalogue(t *testing.T) {
	check.Module(t, tables.ModuleSmoketest, generatedTables)
}
