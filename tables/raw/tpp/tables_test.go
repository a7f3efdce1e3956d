package tpp_test

import (
	"testing"

	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/tables"
	"github.com/ehrql-go/ehrql/tables/internal/gentyped/check"
	rawtpp "github.com/ehrql-go/ehrql/tables/raw/tpp"
)

func TestTablesMatchCatalogue(t *testing.T) {
	check.Module(t, tables.ModuleRawTPP, generatedTables)
}

// Each typed table reads the data stored under ehrQL's table_name.
func TestStoredNames(t *testing.T) {
	tests := []struct {
		series query.Series
		want   string
	}{
		{rawtpp.Medications.DmdCode, "medications_raw"},
		{rawtpp.RepeatMedications.Quantity, "repeat_medications_raw"},
		{rawtpp.ISARIC.Hostdat, "isaric_raw"},
		{rawtpp.ONSDeaths.Place, "ons_deaths_raw"},
		{rawtpp.WLClockstops.WeekEndingDate, "wl_clockstops_raw"},
		{rawtpp.WLOpenpathways.SourceOfReferral, "wl_openpathways_raw"},
		{rawtpp.APCSHistorical.SpellCoreHrgSus, "apcs_historical"},
		{rawtpp.APCSCostHistorical.TariffTotalPayment, "apcs_cost_historical"},
	}
	for _, tt := range tests {
		n, err := query.Node(tt.series)
		if err != nil {
			t.Fatal(err)
		}
		if got := n.Arg(0).Table().Name; got != tt.want {
			t.Errorf("%v reads table %q, want %q", n, got, tt.want)
		}
	}
}
