package model

import (
	"fmt"
	"strings"

	"github.com/ehrql-go/ehrql/codelists"
)

// Kind is the kind of value a series holds.
type Kind uint8

// The kinds of value. KindAny is only the member kind of an empty set.
const (
	KindAny Kind = iota
	KindBool
	KindInt
	KindFloat
	KindStr
	KindDate
	KindCode
	KindMultiCode
)

// Type is the exact type of a series or literal: a kind, the coding system
// for codes and multi-code strings, and whether it is a set of such values
// (the right-hand side of In).
type Type struct {
	Kind   Kind
	System codelists.System // code system, for KindCode and KindMultiCode
	Set    bool
}

// The scalar types with no coding system.
var (
	Bool  = Type{Kind: KindBool}
	Int   = Type{Kind: KindInt}
	Float = Type{Kind: KindFloat}
	Str   = Type{Kind: KindStr}
	Date  = Type{Kind: KindDate}
	Any   = Type{Kind: KindAny}
)

// CodeType is the type of codes of one coding system.
func CodeType(s codelists.System) Type { return Type{Kind: KindCode, System: s} }

// MultiCodeType is the type of multi-code strings of one coding system
// (ICD-10 or OPCS-4).
func MultiCodeType(s codelists.System) Type { return Type{Kind: KindMultiCode, System: s} }

// SetOf returns the type of a set of t.
func SetOf(t Type) Type { t.Set = true; return t }

// Elem returns the member type of a set type.
func (t Type) Elem() Type { t.Set = false; return t }

// Comparable reports whether values of t are ordered in the query model
// (int, float, str, date, codes and multi-code strings).
func (t Type) Comparable() bool {
	if t.Set {
		return false
	}
	switch t.Kind {
	case KindInt, KindFloat, KindStr, KindDate, KindCode, KindMultiCode, KindAny:
		return true
	}
	return false
}

// Numeric reports whether t is int or float.
func (t Type) Numeric() bool {
	return !t.Set && (t.Kind == KindInt || t.Kind == KindFloat || t.Kind == KindAny)
}

// StrLike reports whether values of t are strings at execution time
// (str, codes and multi-code strings).
func (t Type) StrLike() bool {
	return !t.Set && (t.Kind == KindStr || t.Kind == KindCode || t.Kind == KindMultiCode)
}

// Matches reports whether a value of type u may stand where t is bound.
// Any matches everything; otherwise types must be identical.
func (t Type) Matches(u Type) bool {
	if t == u {
		return true
	}
	if t.Set != u.Set {
		return false
	}
	return t.Kind == KindAny || u.Kind == KindAny
}

// Name is the type's name in ehrQL and in the JSON wire format: bool, int,
// float, str, date, SNOMEDCTCode, ICD10MultiCodeString, ...
func (t Type) Name() string {
	var s string
	switch t.Kind {
	case KindAny:
		s = "Any"
	case KindBool:
		s = "bool"
	case KindInt:
		s = "int"
	case KindFloat:
		s = "float"
	case KindStr:
		s = "str"
	case KindDate:
		s = "date"
	case KindCode:
		s = string(t.System)
	case KindMultiCode:
		s = strings.TrimSuffix(string(t.System), "Code") + "MultiCodeString"
	default:
		s = fmt.Sprintf("Kind(%d)", t.Kind)
	}
	return s
}

// String describes the type as ehrQL's error messages do: Series[int],
// Set[SNOMEDCTCode].
func (t Type) String() string {
	if t.Set {
		return "Set[" + t.Name() + "]"
	}
	return "Series[" + t.Name() + "]"
}

// ParseTypeName is the inverse of Type.Name for scalar types.
func ParseTypeName(name string) (Type, error) {
	switch name {
	case "bool":
		return Bool, nil
	case "int":
		return Int, nil
	case "float":
		return Float, nil
	case "str":
		return Str, nil
	case "date":
		return Date, nil
	case "ICD10MultiCodeString":
		return MultiCodeType(codelists.ICD10), nil
	case "OPCS4MultiCodeString":
		return MultiCodeType(codelists.OPCS4), nil
	}
	if s, err := codelists.ParseSystem(name); err == nil {
		return CodeType(s), nil
	}
	return Type{}, fmt.Errorf("unknown type %q", name)
}
