package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const appointmentsColumns = `"status": {"Column": {"type_": {"type": "str"}, "constraints": {"tuple": []}, "dummy_data_constraints": {"tuple": []}}}`

// appointmentsModel counts each patient's appointments, the table given by
// source.
func appointmentsModel(source string) string {
	return `{"value": {"ModuleDetails": {"dataset": {"ref": "1"}, "dataset_dummy_data_config": null, "test_data": null,
		"measures": null, "measures_dummy_data_config": null, "measures_disclosure_control_config": null,
		"claimed_permissions": {"tuple": []}}},
	"2": {"AggregateByPatient.Exists": {"source": {"external_ref": {"module": "ehrql.tables.core", "name": "patients"}}}},
	"3": {"AggregateByPatient.Count": {"source": ` + source + `}},
	"1": {"Dataset": {"population": {"ref": "2"}, "variables": {"dict": [["n", {"ref": "3"}]]}, "events": {"dict": []}, "measures": null}}}`
}

// A query model that redeclares appointments inline, with no permission,
// must not read the store's appointments: in either spelling of its
// schema, it is refused as a definition error. Referred to properly, the
// table needs its permission.
func TestInlineAppointmentsRefused(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store.duckdb")
	if _, stderr, code := ehrql(t, "store", "synthesize", "--patients", "20", "-q", "--output", store); code != 0 {
		t.Fatalf("synthesize: %s", stderr)
	}
	t.Setenv("EHRQL_PERMISSIONS", "")
	t.Setenv("DATABASE_URL", "")
	for _, tc := range []struct {
		name   string
		source string
		code   int
		want   string
	}{
		{"old schema form", `{"SelectTable": {"name": "appointments", "schema": {"TableSchema": {"schema": {"dict": [["status", {"Column": {"type_": {"type": "str"}, "constraints": {"tuple": []}, "dummy_data_constraints": {"tuple": []}}}]]}}}, "required_permission": null, "activation_filter_field": null}}`,
			exitDefinition, "table appointments: a catalogue table cannot be declared in the query model"},
		{"ehrQL's schema form", `{"SelectTable": {"name": "appointments", "schema": {"TableSchema": {` + appointmentsColumns + `}}, "required_permission": null, "activation_filter_field": null}}`,
			exitDefinition, "table appointments: a catalogue table cannot be declared in the query model"},
		{"catalogue reference", `{"external_ref": {"module": "ehrql.tables.tpp", "name": "appointments"}}`,
			exitPermission, "does not have the permissions needed to access: appointments"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			def := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".json")
			if err := os.WriteFile(def, []byte(appointmentsModel(tc.source)), 0o644); err != nil {
				t.Fatal(err)
			}
			stdout, stderr, code := ehrql(t, "generate-dataset", def, "--database", store)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			if stdout != "" {
				t.Errorf("rows were written: %s", stdout)
			}
		})
	}
}

// ehrQL writes a measures file's unfinished module-level dataset as a
// DefinitionError: the measures run, and asking for the dataset reports
// the error as a definition error.
func TestRecordedDefinitionError(t *testing.T) {
	data, err := os.ReadFile(study + "/ehrql-json/consultation_measures.json")
	if err != nil {
		t.Fatal(err)
	}
	msg := "A population has not been defined; define one with define_population()"
	data = []byte(strings.Replace(string(data), `"dataset": null`, `"dataset": {"DefinitionError": {"message": "`+msg+`", "exit_code": null}}`, 1))
	def := filepath.Join(t.TempDir(), "measures.json")
	if err := os.WriteFile(def, data, 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := ehrql(t, "generate-dataset", def, "--dummy-tables", study+"/dummy_tables")
	if code != exitDefinition || !strings.Contains(stderr, msg) {
		t.Errorf("generate-dataset: exit %d, want %d; stderr:\n%s", code, exitDefinition, stderr)
	}
	stdout, stderr, code := ehrql(t, "generate-measures", def, "--dummy-tables", study+"/dummy_tables")
	if code != 0 || !strings.HasPrefix(stdout, "measure,interval_start,interval_end,ratio,numerator,denominator") {
		t.Errorf("generate-measures: exit %d; stderr:\n%s\nstdout: %.200s", code, stderr, stdout)
	}
}

// A deeply nested query model is refused as a definition error naming the
// variable, never a crash or a database parser error.
func TestDeepQueryModelRefused(t *testing.T) {
	for _, depth := range []int{1000, 10000, 100000} {
		var b strings.Builder
		b.WriteString(`{"value": {"ModuleDetails": {"dataset": {"ref": "1"}, "dataset_dummy_data_config": null, "test_data": null, "measures": null, "measures_dummy_data_config": null, "measures_disclosure_control_config": null, "claimed_permissions": {"tuple": []}}}`)
		b.WriteString(`, "2": {"AggregateByPatient.Exists": {"source": {"external_ref": {"module": "ehrql.tables.core", "name": "patients"}}}}`)
		for i := 0; i < depth; i++ {
			next := fmt.Sprintf(`{"ref": "%d"}`, i+11)
			if i == depth-1 {
				next = `{"ref": "2"}`
			}
			fmt.Fprintf(&b, `, "%d": {"Function.Not": {"source": %s}}`, i+10, next)
		}
		b.WriteString(`, "1": {"Dataset": {"population": {"ref": "2"}, "variables": {"dict": [["deep", {"ref": "10"}]]}, "events": {"dict": []}, "measures": null}}}`)
		def := filepath.Join(t.TempDir(), "deep.json")
		if err := os.WriteFile(def, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		_, stderr, code := ehrql(t, "generate-dataset", def, "--dummy-tables", study+"/dummy_tables")
		if code != exitDefinition || !strings.Contains(stderr, "nests nodes more than 400 deep in variable 'deep'") || len(stderr) > 2000 {
			t.Errorf("depth %d: exit %d, want %d; stderr:\n%.2000s", depth, code, exitDefinition, stderr)
		}
	}
}

// Disclosure control is switched off only by false: any other value of
// "enabled" is a definition error, never a silent opt-out.
func TestDisclosureControlEnabledMustBeBoolean(t *testing.T) {
	data, err := os.ReadFile(study + "/ehrql-json/consultation_measures.json")
	if err != nil {
		t.Fatal(err)
	}
	compact := strings.Join(strings.Fields(string(data)), " ")
	if !strings.Contains(compact, `{ "enabled": true }`) {
		t.Fatal("the measures file has no disclosure control config")
	}
	for _, v := range []string{`"true"`, `1`, `"false"`} {
		def := filepath.Join(t.TempDir(), "measures.json")
		if err := os.WriteFile(def, []byte(strings.Replace(compact, `{ "enabled": true }`, `{ "enabled": `+v+` }`, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		stdout, stderr, code := ehrql(t, "generate-measures", def, "--dummy-tables", study+"/dummy_tables")
		if code != exitDefinition || !strings.Contains(stderr, "(DisclosureControlConfig).enabled: expected a boolean (true or false)") || stdout != "" {
			t.Errorf("enabled %s: exit %d, want %d; stderr:\n%s", v, code, exitDefinition, stderr)
		}
	}
}
