package query_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/query/model"
)

// TestTableFromFileTypes: TableFromFile reads .csv and .csv.gz files and
// refuses every other type, named by its extension as in ehrQL, saying
// which types it reads, before it opens the file.
func TestTableFromFileTypes(t *testing.T) {
	dir := t.TempDir()
	col := model.Column{Name: "n", Type: model.Int}
	csvFile := filepath.Join(dir, "t.csv")
	os.WriteFile(csvFile, []byte("patient_id,n\n1,2\n"), 0o644)
	const reads = ": a Go definition reads table files as CSV (.csv) or CSV.gz (.csv.gz)"
	for _, c := range []struct{ path, want string }{
		{csvFile, ""},
		{filepath.Join(dir, "t.tsv"), `TableFromFile("` + filepath.Join(dir, "t.tsv") + `"): unsupported file type .tsv` + reads},
		{filepath.Join(dir, "t.parquet"), `TableFromFile("` + filepath.Join(dir, "t.parquet") + `"): unsupported file type .parquet` + reads},
		{filepath.Join(dir, "t.tsv.gz"), `TableFromFile("` + filepath.Join(dir, "t.tsv.gz") + `"): unsupported file type .tsv.gz` + reads},
		{filepath.Join(dir, "t.gz"), `TableFromFile("` + filepath.Join(dir, "t.gz") + `"): unsupported file type .gz` + reads},
		{filepath.Join(dir, "t.CSV"), `TableFromFile("` + filepath.Join(dir, "t.CSV") + `"): unsupported file type .CSV` + reads},
		{filepath.Join(dir, "matched"), `TableFromFile("` + filepath.Join(dir, "matched") + `"): unsupported file type (none)` + reads},
		{"out/m.arrow", `TableFromFile("out/m.arrow"): a Go definition reads table files as CSV or CSV.gz, not Arrow: write the table as CSV (for example generate-dataset --output out/m.csv)`},
	} {
		frame, at := query.TableFromFile(c.path, col), here()
		err := seriesErr(frame.ExistsForPatient())
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.path, err)
			}
			continue
		}
		wantErrAt(t, err, at, c.want)
		if err != nil && err.Error() != at+": "+c.want {
			t.Errorf("%s:\n  got  %s\n  want %s", c.path, err, at+": "+c.want)
		}
	}
}
