package main

import (
	"strings"
	"testing"
)

// TestIntOverflowExitCode: an int overflow in + - * or a sum, on the
// values of CSV dummy tables, ends generate-dataset with a message naming
// the variable, the operation and the values, and exit code 1 (exitData:
// ehrQL's database errors go unhandled, exit 1).
func TestIntOverflowExitCode(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Go toolchain")
	}
	const outside = " is outside the range of an int (-9223372036854775808 to 9223372036854775807)"
	cases := []struct{ op, want string }{
		{"add", "ehrql: variable 'total': Function.Add: arithmetic overflow: 9223372036854775807 + 1" + outside},
		{"sub", "ehrql: variable 'total': Function.Subtract: arithmetic overflow: -9223372036854775808 - 1" + outside},
		{"mul", "ehrql: variable 'total': Function.Multiply: arithmetic overflow: 4611686018427387904 * 4" + outside},
		{"sum", "ehrql: variable 'total': AggregateByPatient.Sum: arithmetic overflow: the sum 9223372036854775808" + outside},
	}
	for _, c := range cases {
		t.Run(c.op, func(t *testing.T) {
			stdout, stderr, code := ehrql(t, "generate-dataset", "testdata/overflow", "--dummy-tables", "testdata/tables_overflow", "--", "--op", c.op)
			if code != exitData || exitData != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			var msgs []string
			for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
				if !strings.HasPrefix(line, "[") { // progress lines
					msgs = append(msgs, line)
				}
			}
			if got := strings.Join(msgs, "\n"); got != c.want {
				t.Errorf("stderr\n  %s\nwant\n  %s", got, c.want)
			}
			if stdout != "" {
				t.Errorf("a failed run wrote %q", stdout)
			}
		})
	}
}
