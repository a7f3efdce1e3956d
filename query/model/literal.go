package model

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/ehrql-go/ehrql/codelists"
)

// Literal is a constant value: the payload of a Value node, and the members of
// a set. Its Go representation depends on its type: bool, int64, float64,
// string (str, codes, multi-code strings), CivilDate, or []Literal for sets
// (kept sorted, without duplicates).
type Literal struct {
	typ Type
	v   any
}

// BoolLit, IntLit, FloatLit, StrLit and DateLit make scalar literals.
func BoolLit(b bool) Literal { return Literal{Bool, b} }

// IntLit makes an int literal.
func IntLit(i int64) Literal { return Literal{Int, i} }

// FloatLit makes a float literal.
func FloatLit(f float64) Literal { return Literal{Float, f} }

// StrLit makes a str literal.
func StrLit(s string) Literal { return Literal{Str, s} }

// DateLit makes a date literal.
func DateLit(d CivilDate) Literal { return Literal{Date, d} }

// CodeLit makes a code literal, validating it against its system.
func CodeLit(s codelists.System, code string) (Literal, error) {
	if err := s.Validate(code); err != nil {
		return Literal{}, err
	}
	return Literal{CodeType(s), code}, nil
}

// SetLit makes a set literal of members that all have type elem (Any for an
// empty set). Duplicates collapse.
func SetLit(elem Type, members []Literal) (Literal, error) {
	if len(members) == 0 {
		elem = Any
	}
	out := make([]Literal, 0, len(members))
	for _, m := range members {
		if m.typ.Set {
			return Literal{}, fmt.Errorf("a set cannot contain a set")
		}
		if m.typ != elem {
			return Literal{}, fmt.Errorf("Expected type '%s' but got '%s': sets must hold values of one type", elem.Name(), m.typ.Name())
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key() < out[j].key() })
	dedup := out[:0]
	for i, m := range out {
		if i == 0 || m.key() != out[i-1].key() {
			dedup = append(dedup, m)
		}
	}
	return Literal{SetOf(elem), dedup}, nil
}

// Type returns the literal's type.
func (l Literal) Type() Type { return l.typ }

// Go returns the Go value: bool, int64, float64, string, CivilDate or
// []Literal.
func (l Literal) Go() any { return l.v }

// Members returns the members of a set literal.
func (l Literal) Members() []Literal {
	m, _ := l.v.([]Literal)
	return m
}

// String renders the literal for messages.
func (l Literal) String() string {
	switch v := l.v.(type) {
	case string:
		return strconv.Quote(v)
	case []Literal:
		parts := make([]string, len(v))
		for i, m := range v {
			parts[i] = m.String()
		}
		return "{" + strings.Join(parts, ", ") + "}"
	default:
		return fmt.Sprint(v)
	}
}

// key is a canonical encoding used for hashing and ordering set members.
func (l Literal) key() string {
	var b strings.Builder
	b.WriteString(l.typ.String())
	b.WriteByte(':')
	switch v := l.v.(type) {
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case float64:
		b.WriteString(strconv.FormatUint(math.Float64bits(v), 16))
	case string:
		b.WriteString(strconv.Quote(v))
	case CivilDate:
		b.WriteString(v.String())
	case []Literal:
		for _, m := range v {
			b.WriteString(m.key())
			b.WriteByte(',')
		}
	}
	return b.String()
}
