package codelists

import (
	"errors"
	"slices"
	"testing"
)

func TestSystemsOrder(t *testing.T) {
	got := Systems()
	want := []System{"SNOMEDCTCode", "DMDCode", "CTV3Code", "ICD10Code", "OPCS4Code", "BNFCode"}
	if !slices.Equal(got, want) {
		t.Fatalf("Systems() = %v, want %v", got, want)
	}
	got[0] = "mutated"
	if Systems()[0] != SNOMEDCT {
		t.Fatalf("Systems() shares its backing array between calls")
	}
}

func TestParseSystem(t *testing.T) {
	for _, s := range Systems() {
		got, err := ParseSystem(string(s))
		if err != nil || got != s {
			t.Errorf("ParseSystem(%q) = %q, %v; want %q, nil", s, got, err, s)
		}
	}
	for _, name := range []string{"", "SNOMEDCT", "snomedctcode", "ICD10MultiCodeString", " CTV3Code"} {
		got, err := ParseSystem(name)
		if err == nil {
			t.Errorf("ParseSystem(%q) = %q, nil; want error", name, got)
			continue
		}
		want := `unknown code system "` + name + `": valid names are SNOMEDCTCode, DMDCode, CTV3Code, ICD10Code, OPCS4Code, BNFCode`
		if err.Error() != want {
			t.Errorf("ParseSystem(%q) error = %q, want %q", name, err, want)
		}
	}
}

func TestSystemValid(t *testing.T) {
	tests := []struct {
		system System
		code   string
		want   bool
	}{
		// SNOMED-CT: [1-9][0-9]{5,17}
		{SNOMEDCT, "22298006", true},
		{SNOMEDCT, "123456", true},             // 6 digits: shortest
		{SNOMEDCT, "123456789012345678", true}, // 18 digits: longest
		{SNOMEDCT, "1068881000000101", true},
		{SNOMEDCT, "12345", false},               // too short
		{SNOMEDCT, "1234567890123456789", false}, // 19 digits: too long
		{SNOMEDCT, "0123456", false},             // leading zero
		{SNOMEDCT, "000000", false},
		{SNOMEDCT, "abc", false},
		{SNOMEDCT, "", false},
		{SNOMEDCT, " 22298006", false},  // no stripping
		{SNOMEDCT, "22298006 ", false},  // no stripping
		{SNOMEDCT, "22298006\n", false}, // $ must not match before a final newline
		{SNOMEDCT, "2229800X", false},
		{SNOMEDCT, "22298006.0", false},
		{SNOMEDCT, "１２３４５６", false}, // non-ASCII (fullwidth) digits

		// dm+d: same form as SNOMED-CT
		{DMD, "39113611000001102", true},
		{DMD, "123456", true},
		{DMD, "0123456", false},
		{DMD, "12345", false},
		{DMD, "A1234567", false},

		// CTV3: 5 alphanumerics, or 4/3/2 alphanumerics padded with dots
		{CTV3, "XaBVJ", true},
		{CTV3, "Xa7wI", true},
		{CTV3, "12345", true},
		{CTV3, "H33z.", true},
		{CTV3, "H33..", true},
		{CTV3, "H3...", true},
		{CTV3, "H....", false}, // one character then four dots
		{CTV3, ".....", false},
		{CTV3, "H3.3.", false}, // dots only as trailing padding
		{CTV3, ".H33.", false},
		{CTV3, "XaBV", false},   // too short
		{CTV3, "XaBVJJ", false}, // too long
		{CTV3, "H33z..", false},
		{CTV3, "Xa-VJ", false},
		{CTV3, "", false},

		// ICD-10: [A-Z]\d{2}(X\d?|\d{0,2})?
		{ICD10, "A01", true},
		{ICD10, "A012", true},
		{ICD10, "A0123", true},
		{ICD10, "A01X", true},
		{ICD10, "A01X2", true},
		{ICD10, "I21", true},
		{ICD10, "U071", true},
		{ICD10, "a01", false}, // lowercase
		{ICD10, "i21", false},
		{ICD10, "A0", false},
		{ICD10, "A01234", false},
		{ICD10, "A01XX", false},
		{ICD10, "A01X23", false},
		{ICD10, "A0X", false},
		{ICD10, "AA1", false},
		{ICD10, "A01.1", false},
		{ICD10, "A01x", false},
		{ICD10, "", false},

		// OPCS-4: [A-HJ-Z][0-9]{2,3} (no letter I)
		{OPCS4, "K40", true},
		{OPCS4, "K401", true},
		{OPCS4, "A00", true},
		{OPCS4, "H99", true},
		{OPCS4, "J01", true},
		{OPCS4, "Z999", true},
		{OPCS4, "I01", false}, // I is not an OPCS-4 chapter
		{OPCS4, "I011", false},
		{OPCS4, "k40", false},
		{OPCS4, "K4", false},
		{OPCS4, "K4012", false},
		{OPCS4, "K40.1", false},
		{OPCS4, "K40X", false},
		{OPCS4, "", false},

		// BNF: [01][0-9]{6}[0-9A-Z]{2}([A-Z][0-9A-Z]){3} or 2[0-3][0-9]{9}
		{BNF, "0601023AWAAAEAE", true},
		{BNF, "0101010G0AAABAB", true},
		{BNF, "1001030C0AAAAAA", true},
		{BNF, "21480001000", true}, // appliance form
		{BNF, "23965909711", true},
		{BNF, "20000000000", true},
		{BNF, "2401010000", false},       // 2 then 4: not an appliance chapter
		{BNF, "24000000000", false},      // 2 then 4
		{BNF, "2148000100", false},       // appliance form, 10 characters
		{BNF, "214800010001", false},     // appliance form, 12 characters
		{BNF, "0601023AW", false},        // chemical-level prefix only
		{BNF, "0601023awaaaeae", false},  // lowercase
		{BNF, "3601023AWAAAEAE", false},  // must start with 0 or 1
		{BNF, "0601023AW1AAEAE", false},  // letter required after the chemical
		{BNF, "0601023AWAAAEAEX", false}, // too long
		{BNF, "060102AWAAAEAE", false},   // too few digits
		{BNF, "", false},

		// unknown system: nothing is valid
		{System("Bogus"), "22298006", false},
		{System(""), "A01", false},
	}
	for _, tt := range tests {
		if got := tt.system.Valid(tt.code); got != tt.want {
			t.Errorf("%s.Valid(%q) = %v, want %v", tt.system, tt.code, got, tt.want)
		}
		err := tt.system.Validate(tt.code)
		if tt.want && err != nil {
			t.Errorf("%s.Validate(%q) = %v, want nil", tt.system, tt.code, err)
		}
		if !tt.want && err == nil {
			t.Errorf("%s.Validate(%q) = nil, want error", tt.system, tt.code)
		}
	}
}

func TestSystemValidateMessage(t *testing.T) {
	tests := []struct {
		system System
		code   string
		want   string
	}{
		{SNOMEDCT, "abc", "Invalid SNOMEDCTCode: abc"},
		{SNOMEDCT, "0123456", "Invalid SNOMEDCTCode: 0123456"},
		{DMD, "12345", "Invalid DMDCode: 12345"},
		{CTV3, "H....", "Invalid CTV3Code: H...."},
		{ICD10, "a01", "Invalid ICD10Code: a01"},
		{OPCS4, "I01", "Invalid OPCS4Code: I01"},
		{BNF, "0601023AW", "Invalid BNFCode: 0601023AW"},
		{SNOMEDCT, "", "Invalid SNOMEDCTCode: "},
		{System("Bogus"), "A01", `cannot validate code "A01": unknown code system "Bogus"`},
	}
	for _, tt := range tests {
		err := tt.system.Validate(tt.code)
		if err == nil {
			t.Errorf("%s.Validate(%q) = nil, want %q", tt.system, tt.code, tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("%s.Validate(%q) = %q, want %q", tt.system, tt.code, err, tt.want)
		}
	}

	var ice *InvalidCodeError
	if err := ICD10.Validate("a01"); !errors.As(err, &ice) || ice.System != ICD10 || ice.Code != "a01" {
		t.Errorf("ICD10.Validate(\"a01\") = %#v, want *InvalidCodeError{ICD10, \"a01\"}", err)
	}
}

func TestSystemValidPrefix(t *testing.T) {
	tests := []struct {
		system System
		prefix string
		want   bool
	}{
		// ICD-10: [A-Z](\d{0,4}|\d{2}X\d?)
		{ICD10, "I", true},
		{ICD10, "I2", true},
		{ICD10, "I21", true},
		{ICD10, "I211", true},
		{ICD10, "I2111", true},
		{ICD10, "I21X", true},
		{ICD10, "I21X1", true},
		{ICD10, "I21111", false},
		{ICD10, "I2X", false},
		{ICD10, "I21X12", false},
		{ICD10, "i2", false},
		{ICD10, "", false},
		{ICD10, "2", false},
		{ICD10, "I21 ", false},

		// OPCS-4: [A-HJ-Z][0-9]{0,3}
		{OPCS4, "K", true},
		{OPCS4, "K4", true},
		{OPCS4, "K40", true},
		{OPCS4, "K401", true},
		{OPCS4, "K4011", false},
		{OPCS4, "I4", false},
		{OPCS4, "I", false},
		{OPCS4, "k4", false},
		{OPCS4, "", false},

		// systems without multi-code strings
		{SNOMEDCT, "123456", false},
		{DMD, "123456", false},
		{CTV3, "XaBVJ", false},
		{BNF, "0601", false},
		{System("Bogus"), "I", false},
	}
	for _, tt := range tests {
		if got := tt.system.ValidPrefix(tt.prefix); got != tt.want {
			t.Errorf("%s.ValidPrefix(%q) = %v, want %v", tt.system, tt.prefix, got, tt.want)
		}
	}
}
