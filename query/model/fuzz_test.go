package model_test

import (
	"testing"

	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
)

// FuzzDecode feeds the JSON query-model decoder arbitrary documents: it
// must return a definition or an error, never panic or hang. The seeds
// are the malformed documents of the tests, small enough to mutate
// quickly.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"value": {"ModuleDetails": {"dataset": {"DefinitionError": {"message": "A population has not been defined", "exit_code": null}}, "dataset_dummy_data_config": null, "test_data": null, "measures": null, "measures_dummy_data_config": null, "measures_disclosure_control_config": null, "claimed_permissions": {"tuple": []}}}}`))
	f.Add(tableFileDoc("../outside.csv"))
	f.Add(chainDoc(model.MaxDepth + 5))
	f.Add(datasetDoc(`{"AggregateByPatient.Count": {"source": {"SelectTable": {"name": "appointments", "schema": {"TableSchema": {"status": `+column("str")+`}}, "required_permission": null, "activation_filter_field": null}}}}`, nil))
	f.Add(datasetDoc(`{"AggregateByPatient.Count": {"source": {"SelectTable": {"name": "appointments", "schema": {"TableSchema": {"schema": {"dict": [["status", `+column("str")+`]]}}}, "required_permission": null, "activation_filter_field": null}}}}`, nil))
	f.Add(doc(moduleDetailsRoot, map[string]string{
		"1": `{"Dataset": {"population": {"ref": "2"}, "variables": {"tuple": []}, "events": {"dict": []}, "measures": null}}`,
		"2": `{"AggregateByPatient.Exists": {"source": ` + eventsRef + `}}`}))
	for _, v := range []string{`"true"`, `1`, `"false"`} {
		f.Add([]byte(`{"value": {"ModuleDetails": {"dataset": null, "dataset_dummy_data_config": null, "test_data": null, "measures": null, "measures_dummy_data_config": null, "measures_disclosure_control_config": {"DisclosureControlConfig": {"enabled": ` + v + `}}, "claimed_permissions": {"tuple": []}}}}`))
	}
	for _, s := range []string{``, `{`, `[]`, `{"value": NaN}`, `{"value": {"ref": "value"}}`, `{"value": {"ref": "1"}, "1": {"ref": "1"}}`,
		`{"value": {"Dataset": {"population": {"Value": -Infinity}}}}`, `{"a": 1, "a": 2}`, `{"value": 1} x`} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		def, err := model.Decode(data, tables.Default(), model.DefinitionDir(dir))
		if err == nil && def == nil {
			t.Fatal("no definition and no error")
		}
		if err == nil {
			if _, err := model.Encode(def); err != nil {
				t.Fatalf("a decoded definition does not encode: %v", err)
			}
		}
	})
}
