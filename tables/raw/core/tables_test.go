package core_test

import (
	"testing"

	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/tables"
	"github.com/ehrql-go/ehrql/tables/internal/gentyped/check"
	rawcore "github.com/ehrql-go/ehrql/tables/raw/core"
)

func TestTablesMatchCatalogue(t *testing.T) {
	check.Module(t, tables.ModuleRawCore, generatedTables)
}

// Every registered death is a row: the table is event-level and is stored
// as ons_deaths_raw.
func TestONSDeathsIsEventLevel(t *testing.T) {
	n, err := query.Node(rawcore.ONSDeaths.SortBy(rawcore.ONSDeaths.Date).LastForPatient().UnderlyingCauseOfDeath)
	if err != nil {
		t.Fatal(err)
	}
	if got := n.Arg(0).Arg(0).Arg(0).Table().Name; got != "ons_deaths_raw" {
		t.Errorf("latest death reads table %q, want ons_deaths_raw", got)
	}
}
