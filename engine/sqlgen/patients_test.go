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
// range's condition, and differ from the whole query in nothing else but
// the measures' sums, HUGEINTs added up over the ranges.
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
			if q.Partial != !r.All() {
				t.Errorf("%s: partial sums %v", r, q.Partial)
			}
			// a range's sums are HUGEINTs, added up before they must fit
			// an int
			sql := strings.Join(append(q.Prepare, q.SQL), ";\n")
			if q.Partial {
				sums := strings.Count(sql, "AS HUGEINT) AS numerator") + strings.Count(sql, "AS HUGEINT) AS denominator")
				if sums == 0 || strings.Contains(sql, "AS BIGINT) AS numerator") || strings.Contains(sql, "AS BIGINT) AS denominator") {
					t.Errorf("%s: %d sums as HUGEINT, or some as BIGINT", r, sums)
				}
				sql = strings.NewReplacer("AS HUGEINT) AS numerator", "AS BIGINT) AS numerator", "AS HUGEINT) AS denominator", "AS BIGINT) AS denominator").Replace(sql)
			}
			return sql
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
