// Package sdc is the statistical disclosure control ehrQL applies to
// measures: small counts are suppressed and the rest rounded, so that no
// released count reveals a handful of patients.
package sdc

import "fmt"

// Threshold is the largest count that is suppressed to 0.
const Threshold = 7

// Multiple is what unsuppressed counts are rounded to the nearest multiple
// of.
const Multiple = 5

// Round applies ehrQL's rule to one count: v ≤ 7 becomes 0, anything else
// is rounded to the nearest multiple of 5 (ties cannot occur for
// integers). Counts are never negative; Round(v) of a negative v is 0, and
// callers should reject negative counts with Check first.
func Round(v int64) int64 {
	if v <= Threshold {
		return 0
	}
	// By remainder, so that counts near math.MaxInt64 cannot overflow.
	if r := v % Multiple; r > Multiple/2 {
		return v + Multiple - r
	} else {
		return v - r
	}
}

// Check reports a count that disclosure control cannot be applied to: a
// negative one (which an int numerator can sum to). what names the count in
// the message, e.g. "numerator". The message never shows the count: an
// unrounded count must not leave through an error.
func Check(what string, v int64) error {
	if v < 0 {
		return fmt.Errorf("disclosure control needs non-negative counts, but the %s is negative", what)
	}
	return nil
}

// Apply rounds a numerator and denominator independently and recomputes
// their ratio, which is not valid (ok false, written as NULL) when the
// rounded denominator is 0. It fails for negative counts.
func Apply(numerator, denominator int64) (num, den int64, ratio float64, ok bool, err error) {
	if err := Check("numerator", numerator); err != nil {
		return 0, 0, 0, false, err
	}
	if err := Check("denominator", denominator); err != nil {
		return 0, 0, 0, false, err
	}
	num, den = Round(numerator), Round(denominator)
	ratio, ok = Ratio(num, den)
	return num, den, ratio, ok, nil
}

// Ratio is num / den as a float; ok is false when den is 0.
func Ratio(num, den int64) (ratio float64, ok bool) {
	if den == 0 {
		return 0, false
	}
	return float64(num) / float64(den), true
}
