package emis_test

import (
	"testing"

	"github.com/ehrql-go/ehrql/tables"
	"github.com/ehrql-go/ehrql/tables/internal/gentyped/check"
	rawcore "github.com/ehrql-go/ehrql/tables/raw/core"
	rawemis "github.com/ehrql-go/ehrql/tables/raw/emis"
)

func TestTablesMatchCatalogue(t *testing.T) {
	check.Module(t, tables.ModuleRawEMIS, generatedTables)
	if rawemis.ONSDeaths.Date != rawcore.ONSDeaths.Date {
		t.Error("raw.emis.ons_deaths is not raw.core.ons_deaths")
	}
}
