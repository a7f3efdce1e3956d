package engine_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ehrql-go/ehrql/engine"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
)

// Example compiles a small dataset (patients' sex and age on a date, for
// patients born before it) and runs it on a folder of CSV dummy tables.
func Example() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "patients.csv"),
		[]byte("patient_id,date_of_birth,sex\n1,1980-05-01,female\n2,2021-01-01,male\n"), 0o644)

	patients, _ := model.SelectTable(tables.Core("patients"))
	dob, _ := model.SelectColumn(patients, "date_of_birth")
	sex, _ := model.SelectColumn(patients, "sex")
	index := model.MustValue(model.DateLit(model.MustParseDate("2020-06-01")))
	age, _ := model.Function(model.OpDateDifferenceInYears, index, dob)
	born, _ := model.Function(model.OpLT, dob, index)

	q, err := engine.CompileDataset(&model.Dataset{
		Population: born,
		Variables:  []model.Variable{{Name: "sex", Series: sex}, {Name: "age", Series: age}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	s, err := engine.OpenCSVTables(ctx, dir, q.Tables, engine.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	var out strings.Builder
	if _, err := q.Run(ctx, s, "", &out); err != nil {
		fmt.Println(err)
	}
	fmt.Print(strings.ReplaceAll(out.String(), "\r\n", "\n")) // CSV lines end in \r\n

	// Output:
	// patient_id,sex,age
	// 1,female,40
}
