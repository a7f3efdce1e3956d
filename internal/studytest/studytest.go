// Package studytest gives tests the reference study of
// testdata/studies/consultations: its folder and its definitions in
// ehrQL's JSON, decoded, from any package of the module.
package studytest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
)

// The reference study's definitions in ehrQL's JSON, by file name.
const (
	Dataset  = "consultation_dataset_2020-04-01_to_2021-03-31.json"
	Measures = "consultation_measures.json"
)

// Dir is the reference study's folder (absolute).
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "studies", "consultations")
}

// JSON is the path of one of the study's JSON definitions.
func JSON(name string) string { return filepath.Join(Dir(), "ehrql-json", name) }

// Definition reads and decodes one of the study's JSON definitions
// against the default table catalogue, failing the test if it cannot.
func Definition(t testing.TB, name string) *model.Definition {
	t.Helper()
	data, err := os.ReadFile(JSON(name))
	if err != nil {
		t.Fatal(err)
	}
	def, err := model.Decode(data, tables.Default())
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return def
}
