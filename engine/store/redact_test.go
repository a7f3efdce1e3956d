package store

import "testing"

// Each kind of cell fault keeps its kind and loses the value.
func TestContentFreeMessage(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"invalid date '1990-13-01'", "invalid date" + notShown},
		{"invalid int 'x1'", "invalid int" + notShown},
		{"invalid boolean, must be 'T' or 'F'", "invalid boolean" + notShown},
		{"'SECRET' not in valid categories: 'female', 'male'", "value not in the column's categories" + notShown},
		{"value not in valid categories: 'female', 'male'", "value not in the column's categories" + notShown},
		{"Invalid SNOMEDCTCode: SECRET", "invalid SNOMEDCTCode" + notShown},
		{"text is not valid UTF-8: byte 0xff at position 3 of b'SEC\\xffRET'", "text is not valid UTF-8" + notShown},
		{"duplicate patient_id 123 (first on line 2): table 'patients' has at most one row per patient", "duplicate patient_id: the table has at most one row per patient" + notShown},
		{"something new 'SECRET'", "invalid value for the column's type" + notShown},
		{"NULL value in non-nullable column 'date_of_birth'", "NULL value in non-nullable column 'date_of_birth'"},
		{"malformed CSV: bare \" in non-quoted-field", "malformed CSV: bare \" in non-quoted-field"},
		{"expected 3 columns but got 4", "expected 3 columns but got 4"},
	} {
		if got := contentFreeMessage(tc.in); got != tc.want {
			t.Errorf("contentFreeMessage(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
