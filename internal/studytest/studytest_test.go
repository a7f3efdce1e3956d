package studytest

import "testing"

// TestDefinitions: both definitions are found and decoded, from this
// package's folder as from any other.
func TestDefinitions(t *testing.T) {
	if def := Definition(t, Dataset); def.Dataset == nil || len(def.Dataset.Variables) == 0 {
		t.Errorf("%s: no dataset", Dataset)
	}
	if def := Definition(t, Measures); len(def.Measures) == 0 {
		t.Errorf("%s: no measures", Measures)
	}
}
