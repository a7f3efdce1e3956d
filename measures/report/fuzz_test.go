package report_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ehrql-go/ehrql/measures/report"
)

// FuzzReadDummyFile feeds arbitrary bytes to the measures
// --dummy-data-file reader: it must never panic. Run it for a few seconds
// with
//
//	go test ./measures/report -run '^$' -fuzz '^FuzzReadDummyFile$' -fuzztime 10s
func FuzzReadDummyFile(f *testing.F) {
	for _, seed := range []string{
		"measure,interval_start,interval_end,ratio,numerator,denominator,sex,band,n,dob\nbirths,2020-01-01,2020-12-31,0.3,6,20,male,old,,\n",
		"measure,interval_start,interval_end,ratio,numerator,denominator\nbirths,2020-01-01,2020-12-31,1e999,6,20\n",
		"measure,interval_start,interval_end,ratio,numerator,denominator\nbir\xffths,2020-01-01,2020-12-31,0.3,6,20\n",
		"measure,interval_start,interval_end,ratio,numerator,denominator\nbirths,2020-01-01,2020-12-31,0.3,99999999999999999999,20\n",
		"measure,interval_start\n\"unterminated\n",
		"measure\nbirths\x00\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	ms := testMeasures(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "d.csv")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		report.ReadDummyFile(path, ms)
	})
}
