package assurance

import (
	"fmt"
	"strings"
)

// Present writes the results as ehrQL's report does: the test data's
// problems, then the results', each "All OK!" when there are none.
func Present(r *Results) string {
	var b strings.Builder
	if len(r.Constraints) == 0 {
		b.WriteString("Validate test data: All OK!")
	} else {
		fmt.Fprintf(&b, "Validate test data: Found errors with %d patient(s)", len(r.Constraints))
		for _, p := range r.Constraints {
			for _, prob := range p.Problems {
				switch prob.Kind {
				case UnexpectedTestValue:
					fmt.Fprintf(&b, "\n * Patient %d had %d test data value(s) in table '%s' that did not meet the constraint(s)", p.Patient, len(prob.Values), prob.Table)
					for _, v := range prob.Values {
						fmt.Fprintf(&b, "\n   * for column '%s' with '%s', got '%s'", v.Column, v.Constraint, v.Value)
					}
				case UnexpectedColumn:
					fmt.Fprintf(&b, "\n * Patient %d had invalid columns in the test data for table '%s'\n       invalid columns: %s\n     valid columns are: %s",
						p.Patient, prob.Table, reprList(prob.Invalid), reprList(prob.Valid))
				case UnexpectedRowCount:
					fmt.Fprintf(&b, "\n * Patient %d had %d rows of test data for table '%s' but this table accepts at most one row per patient", p.Patient, prob.Rows, prob.Table)
				}
			}
		}
	}
	b.WriteString("\n")
	if len(r.Outputs) == 0 {
		b.WriteString("Validate results: All OK!")
		return b.String()
	}
	fmt.Fprintf(&b, "Validate results: Found errors with %d patient(s)", len(r.Outputs))
	for _, p := range r.Outputs {
		switch p.Kind {
		case UnexpectedInPopulation:
			fmt.Fprintf(&b, "\n * Patient %d was unexpectedly in the population", p.Patient)
		case UnexpectedNotInPopulation:
			fmt.Fprintf(&b, "\n * Patient %d was unexpectedly not in the population", p.Patient)
		case UnexpectedKeyInExpectedColumns:
			cols := make([]string, len(p.DatasetColumns))
			for i, c := range p.DatasetColumns {
				cols[i] = "'" + c + "'"
			}
			fmt.Fprintf(&b, "\n * Patient %d results cannot be validated\n   * Columns in dataset: %s", p.Patient, strings.Join(cols, ", "))
			for _, k := range p.UnexpectedKeys {
				fmt.Fprintf(&b, "\n   * Column '%s' in expected_columns is not in the dataset", k)
			}
		case UnexpectedOutputValue:
			fmt.Fprintf(&b, "\n * Patient %d had unexpected output value(s)", p.Patient)
			for _, v := range p.Values {
				fmt.Fprintf(&b, "\n   * for column '%s', expected '%s', got '%s'", v.Column, v.Expected, v.Actual)
			}
		}
	}
	return b.String()
}

// reprList writes names as ehrQL's ', '.join(map(repr, names)).
func reprList(names []string) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = pyRepr(n)
	}
	return strings.Join(parts, ", ")
}
