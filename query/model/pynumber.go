package model

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
)

var (
	pyInt   = regexp.MustCompile(`^[+-]?[0-9]+(_[0-9]+)*$`)
	pyFloat = regexp.MustCompile(`^[+-]?(([0-9]+(_[0-9]+)*)?\.?[0-9]+(_[0-9]+)*|[0-9]+(_[0-9]+)*\.)([eE][+-]?[0-9]+(_[0-9]+)*)?$`)
	pyNaN   = regexp.MustCompile(`^[+-]?(?i:nan|inf|infinity)$`)
)

// errPyNumber is the error of a string Python does not read as a number.
var errPyNumber = errors.New("not a number")

// ParsePyInt reads s as Python's int() does: surrounding whitespace, a
// sign and single underscores between digits allowed. The value must fit in
// 64 bits.
func ParsePyInt(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if !pyInt.MatchString(t) {
		return 0, errPyNumber
	}
	return strconv.ParseInt(strings.ReplaceAll(t, "_", ""), 10, 64)
}

// ParsePyFloat reads s as Python's float() does: surrounding whitespace, a
// sign, an exponent, underscores between digits, and nan, inf or infinity
// in any case.
func ParsePyFloat(s string) (float64, error) {
	t := strings.TrimSpace(s)
	if !pyFloat.MatchString(t) && !pyNaN.MatchString(t) {
		return 0, errPyNumber
	}
	return strconv.ParseFloat(strings.ReplaceAll(t, "_", ""), 64)
}
