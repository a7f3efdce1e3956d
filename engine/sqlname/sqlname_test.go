package sqlname

import (
	"testing"

	"github.com/ehrql-go/ehrql/query/model"
)

func TestNames(t *testing.T) {
	for _, c := range []struct{ in, want string }{{"date", `"date"`}, {`a"b`, `"a""b"`}, {"", `""`}} {
		if got := Ident(c.in); got != c.want {
			t.Errorf("Ident(%q) = %s, want %s", c.in, got, c.want)
		}
	}
	for _, c := range []struct {
		in   model.Type
		want string
	}{{model.Bool, "BOOLEAN"}, {model.Int, "BIGINT"}, {model.Float, "DOUBLE"}, {model.Date, "DATE"}, {model.Str, "VARCHAR"}} {
		if got := Type(c.in); got != c.want {
			t.Errorf("Type(%v) = %s, want %s", c.in, got, c.want)
		}
	}
	tbl := &model.Table{Name: `ev"x`, Columns: []model.Column{{Name: "date", Type: model.Date}, {Name: "n", Type: model.Float}}}
	if got, want := CreateTable(tbl), `CREATE TABLE "ev""x" (patient_id BIGINT NOT NULL, "date" DATE, "n" DOUBLE)`; got != want {
		t.Errorf("CreateTable = %s, want %s", got, want)
	}
}
