package sqlgen_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/engine/sqlgen"
	"github.com/ehrql-go/ehrql/internal/studytest"
)

// TestPatientRangeRestrictsEveryRead: compiled for a range of patients, the
// reference study's dataset and measures read every table through the
// range's condition, and differ from the whole query in nothing else.
func TestPatientRangeRestrictsEveryRead(t *testing.T) {
	after, through := int64(-5), int64(20)
	cases := []struct {
		r    sqlgen.PatientRange
		cond string
	}{
		{sqlgen.PatientRange{After: &after, Through: &through}, "patient_id > -5 AND patient_id <= 20"},
		{sqlgen.PatientRange{Through: &through}, "patient_id <= 20"},
		{sqlgen.PatientRange{After: &after}, "patient_id > -5"},
	}
	table := regexp.MustCompile(`main\."[a-z_]+"`)
	for _, def := range []string{studytest.Dataset, studytest.Measures} {
		d := studytest.Definition(t, def)
		compile := func(r sqlgen.PatientRange) string {
			t.Helper()
			if d.Dataset != nil {
				q, err := sqlgen.CompileDatasetFor(d.Dataset, r)
				if err != nil {
					t.Fatal(err)
				}
				return q.SQL
			}
			q, err := sqlgen.CompileMeasuresFor(d.Measures, r)
			if err != nil {
				t.Fatal(err)
			}
			return strings.Join(append(q.Prepare, q.SQL), ";\n")
		}
		whole := compile(sqlgen.PatientRange{})
		reads := len(table.FindAllString(whole, -1))
		if reads == 0 {
			t.Fatalf("%s: the whole query reads no table", def)
		}
		for _, c := range cases {
			if got := c.r.String(); got != c.cond {
				t.Errorf("range %s, want %s", got, c.cond)
			}
			part := compile(c.r)
			restricted := regexp.MustCompile(`\(SELECT \* FROM (main\."[a-z_]+") WHERE ` + regexp.QuoteMeta(c.cond) + `\)`)
			if n := len(restricted.FindAllString(part, -1)); n != reads {
				t.Errorf("%s, %s: %d of %d table reads restricted", def, c.cond, n, reads)
			}
			if back := restricted.ReplaceAllString(part, "$1"); back != whole {
				t.Errorf("%s, %s: the restricted query differs from the whole one in more than its table reads", def, c.cond)
			}
		}
	}
	if got := (sqlgen.PatientRange{}).String(); got != "every patient" {
		t.Errorf("the zero range is %q", got)
	}
}
