package codelists

import (
	"fmt"
	"regexp"
	"strings"
)

// System names a clinical coding system; its value is ehrQL's class name
// (used in ehrQL's JSON wire format), for example "SNOMEDCTCode".
type System string

// The clinical coding systems known to ehrQL.
const (
	// SNOMEDCT is SNOMED Clinical Terms.
	SNOMEDCT System = "SNOMEDCTCode"
	// DMD is the NHS Dictionary of Medicines and Devices. Its codes have the
	// same form as SNOMED-CT codes.
	DMD System = "DMDCode"
	// CTV3 is Clinical Terms Version 3 (Read v3).
	CTV3 System = "CTV3Code"
	// ICD10 is the International Classification of Diseases, 10th revision.
	ICD10 System = "ICD10Code"
	// OPCS4 is the OPCS Classification of Interventions and Procedures,
	// version 4.
	OPCS4 System = "OPCS4Code"
	// BNF is the British National Formulary presentation code.
	BNF System = "BNFCode"
)

// Read-only patterns; every pattern is anchored at both ends so that it
// matches the whole code, as Python's re.fullmatch does in ehrQL. Digits
// are ASCII only.
var (
	snomedRe = regexp.MustCompile(`^[1-9][0-9]{5,17}$`)
	ctv3Re   = regexp.MustCompile(`^(?:[0-9A-Za-z]{5}|[0-9A-Za-z]{4}\.|[0-9A-Za-z]{3}\.\.|[0-9A-Za-z]{2}\.\.\.)$`)
	icd10Re  = regexp.MustCompile(`^[A-Z][0-9]{2}(?:X[0-9]?|[0-9]{0,2})$`)
	opcs4Re  = regexp.MustCompile(`^[A-HJ-Z][0-9]{2,3}$`)
	bnfRe    = regexp.MustCompile(`^(?:[01][0-9]{6}[0-9A-Z]{2}(?:[A-Z][0-9A-Z]){3}|2[0-3][0-9]{9})$`)

	icd10PrefixRe = regexp.MustCompile(`^[A-Z](?:[0-9]{0,4}|[0-9]{2}X[0-9]?)$`)
	opcs4PrefixRe = regexp.MustCompile(`^[A-HJ-Z][0-9]{0,3}$`)
)

// Systems returns every known coding system, in a fixed order: SNOMEDCT, DMD,
// CTV3, ICD10, OPCS4, BNF. The result is a new slice on every call.
func Systems() []System {
	return []System{SNOMEDCT, DMD, CTV3, ICD10, OPCS4, BNF}
}

// ParseSystem returns the System whose ehrQL class name is name, for example
// "SNOMEDCTCode" gives SNOMEDCT. An unknown name is an error listing the
// valid names.
func ParseSystem(name string) (System, error) {
	all := Systems()
	for _, s := range all {
		if string(s) == name {
			return s, nil
		}
	}
	names := make([]string, len(all))
	for i, s := range all {
		names[i] = string(s)
	}
	return "", fmt.Errorf("unknown code system %q: valid names are %s", name, strings.Join(names, ", "))
}

// known reports whether s is one of the systems returned by Systems.
func (s System) known() bool {
	switch s {
	case SNOMEDCT, DMD, CTV3, ICD10, OPCS4, BNF:
		return true
	}
	return false
}

// pattern returns the full-match pattern for s, or nil for an unknown system.
func (s System) pattern() *regexp.Regexp {
	switch s {
	case SNOMEDCT, DMD:
		return snomedRe
	case CTV3:
		return ctv3Re
	case ICD10:
		return icd10Re
	case OPCS4:
		return opcs4Re
	case BNF:
		return bnfRe
	}
	return nil
}

// Valid reports whether code is a well-formed code of system s: the whole
// string must match the system's pattern (no surrounding whitespace is
// allowed). It is false for every code of an unknown system.
func (s System) Valid(code string) bool {
	re := s.pattern()
	return re != nil && re.MatchString(code)
}

// Validate returns nil if code is valid for s (see Valid), and otherwise an
// *InvalidCodeError whose text is ehrQL's, for example
// "Invalid SNOMEDCTCode: abc". For an unknown system it returns an error
// saying so.
func (s System) Validate(code string) error {
	if !s.known() {
		return fmt.Errorf("cannot validate code %q: unknown code system %q", code, string(s))
	}
	if !s.Valid(code) {
		return &InvalidCodeError{System: s, Code: code}
	}
	return nil
}

// ValidPrefix reports whether prefix may be searched for, with ehrQL's
// contains, in a multi-code string of system s. Only ICD10 and OPCS4 have
// multi-code strings; ValidPrefix is false for every other system.
//
// ICD-10 prefixes match [A-Z](\d{0,4}|\d{2}X\d?) and OPCS-4 prefixes match
// [A-HJ-Z][0-9]{0,3}, in both cases as a whole string.
func (s System) ValidPrefix(prefix string) bool {
	switch s {
	case ICD10:
		return icd10PrefixRe.MatchString(prefix)
	case OPCS4:
		return opcs4PrefixRe.MatchString(prefix)
	}
	return false
}

// InvalidCodeError reports a code that is not well-formed for its system.
type InvalidCodeError struct {
	// System is the system the code was checked against.
	System System
	// Code is the offending code, exactly as given.
	Code string
}

// Error returns ehrQL's message, "Invalid <class name>: <code>".
func (e *InvalidCodeError) Error() string {
	return fmt.Sprintf("Invalid %s: %s", string(e.System), e.Code)
}
