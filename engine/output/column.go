package output

import (
	"errors"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
)

// Kind is the ehrQL scalar type of a column. The zero Kind is invalid.
type Kind int

// The ehrQL scalar types.
const (
	Bool  Kind = iota + 1 // bool: arrow.BOOL, CSV "T"/"F"
	Int                   // int: arrow.INT64 (narrowed on output when bounds are known)
	Float                 // float: arrow.FLOAT64
	Str                   // str: arrow.STRING (a dictionary on output when categories are known)
	Date                  // datetime.date: arrow.DATE32
)

// String returns the ehrQL (Python) name of the kind, e.g. "int".
func (k Kind) String() string {
	switch k {
	case Bool:
		return "bool"
	case Int:
		return "int"
	case Float:
		return "float"
	case Str:
		return "str"
	case Date:
		return "date"
	default:
		return fmt.Sprintf("Kind(%d)", int(k))
	}
}

// naturalType returns the Arrow type in which values of kind k are passed to
// [Writer.Write], or nil for an invalid kind.
func (k Kind) naturalType() arrow.DataType {
	switch k {
	case Bool:
		return arrow.FixedWidthTypes.Boolean
	case Int:
		return arrow.PrimitiveTypes.Int64
	case Float:
		return arrow.PrimitiveTypes.Float64
	case Str:
		return arrow.BinaryTypes.String
	case Date:
		return arrow.FixedWidthTypes.Date32
	default:
		return nil
	}
}

// Column describes one output column: the equivalent of ehrQL's ColumnSpec.
type Column struct {
	// Name is the column name, written as the Arrow field name or CSV header.
	Name string
	// Kind is the column's scalar type.
	Kind Kind
	// Nullable reports whether the column may contain NULL. patient_id is
	// not nullable; every variable is.
	Nullable bool
	// Categories, when non-nil, lists (in order) every value a Str column
	// may take. Arrow output then uses an ordered dictionary holding all of
	// them. It must be nil for other kinds.
	Categories []string
	// Min and Max are the known bounds of an Int column, or nil when
	// unknown. When both are known Arrow output uses the smallest integer
	// type holding the range. They must be nil for other kinds.
	Min, Max *int64
}

// ArrowType returns the Arrow type the column is written as in ".arrow"
// files, following ehrQL:
//
//   - bool, float and date map to arrow.BOOL, FLOAT64 and DATE32;
//   - str without categories maps to STRING (utf8);
//   - str with categories maps to an ordered dictionary of utf8 values whose
//     signed index type is the smallest holding -1..len(Categories)-1 (int8
//     for up to 128 categories);
//   - int maps to INT64 unless both Min and Max are known, in which case it
//     is the smallest signed type (when Min < 0) or unsigned type (otherwise)
//     that holds max(|Min|, Max), e.g. UINT16 for 0..65535 and INT8 for
//     -100..100.
//
// It returns nil for an invalid Kind (see [ValidateColumns]).
func (c Column) ArrowType() arrow.DataType {
	switch {
	case c.Kind == Int:
		if c.Min == nil || c.Max == nil {
			return arrow.PrimitiveTypes.Int64
		}
		return intTypeForRange(*c.Min, *c.Max)
	case c.Kind == Str && c.Categories != nil:
		return &arrow.DictionaryType{
			IndexType: intTypeForRange(-1, int64(len(c.Categories))-1),
			ValueType: arrow.BinaryTypes.String,
			Ordered:   true,
		}
	default:
		return c.Kind.naturalType()
	}
}

// intTypeForRange returns the smallest integer type able to represent every
// value in lo..hi, using the rule of ehrQL's smallest_int_type_for_range:
// signed if lo < 0, sized by max(|lo|, hi).
func intTypeForRange(lo, hi int64) arrow.DataType {
	// |lo| as a uint64 so that math.MinInt64 does not overflow.
	absMax := uint64(0)
	if hi > 0 {
		absMax = uint64(hi)
	}
	if lo < 0 {
		if a := uint64(-(lo + 1)) + 1; a > absMax {
			absMax = a
		}
		switch {
		case absMax < 1<<7:
			return arrow.PrimitiveTypes.Int8
		case absMax < 1<<15:
			return arrow.PrimitiveTypes.Int16
		case absMax < 1<<31:
			return arrow.PrimitiveTypes.Int32
		default:
			return arrow.PrimitiveTypes.Int64
		}
	}
	switch {
	case absMax < 1<<8:
		return arrow.PrimitiveTypes.Uint8
	case absMax < 1<<16:
		return arrow.PrimitiveTypes.Uint16
	case absMax < 1<<32:
		return arrow.PrimitiveTypes.Uint32
	default:
		return arrow.PrimitiveTypes.Uint64
	}
}

// intTypeBounds returns the range of values representable by the integer
// type t, clamped to the int64 range, and whether t is an integer type.
func intTypeBounds(t arrow.DataType) (lo, hi int64, ok bool) {
	switch t.ID() {
	case arrow.INT8:
		return math.MinInt8, math.MaxInt8, true
	case arrow.INT16:
		return math.MinInt16, math.MaxInt16, true
	case arrow.INT32:
		return math.MinInt32, math.MaxInt32, true
	case arrow.INT64:
		return math.MinInt64, math.MaxInt64, true
	case arrow.UINT8:
		return 0, math.MaxUint8, true
	case arrow.UINT16:
		return 0, math.MaxUint16, true
	case arrow.UINT32:
		return 0, math.MaxUint32, true
	case arrow.UINT64:
		return 0, math.MaxInt64, true
	default:
		return 0, 0, false
	}
}

// NaturalSchema returns the schema of the record batches [Writer.Write]
// expects and [RowBatcher.Next] produces: one field per column, in order,
// named after the column, with the column's nullability and its kind's
// natural type (BOOL, INT64, FLOAT64, STRING or DATE32). The columns should
// be valid (see [ValidateColumns]); a column with an invalid Kind gets the
// Null type.
func NaturalSchema(cols []Column) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		t := c.Kind.naturalType()
		if t == nil {
			t = arrow.Null
		}
		fields[i] = arrow.Field{Name: c.Name, Type: t, Nullable: c.Nullable}
	}
	return arrow.NewSchema(fields, nil)
}

// outputSchema returns the schema of ".arrow" files for cols.
func outputSchema(cols []Column) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.Name, Type: c.ArrowType(), Nullable: c.Nullable}
	}
	return arrow.NewSchema(fields, nil)
}

// ValidateColumns reports whether cols can be written: there must be at
// least one column, names must be non-empty and unique, kinds valid,
// Categories only on Str columns and free of duplicates, and Min/Max only on
// Int columns with Min <= Max when both are given. [Create] and
// [RowBatcher.Next] call it.
func ValidateColumns(cols []Column) error {
	if err := validateColumns(cols); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	return nil
}

// validateColumns is ValidateColumns without the package prefix, for
// wrapping with more context.
func validateColumns(cols []Column) error {
	if len(cols) == 0 {
		return errors.New("no columns")
	}
	seen := make(map[string]bool, len(cols))
	for i, c := range cols {
		if c.Name == "" {
			return fmt.Errorf("column %d has an empty name", i)
		}
		if seen[c.Name] {
			return fmt.Errorf("duplicate column name '%s'", c.Name)
		}
		seen[c.Name] = true
		if c.Kind.naturalType() == nil {
			return fmt.Errorf("column '%s' has invalid kind %v", c.Name, c.Kind)
		}
		if c.Categories != nil {
			if c.Kind != Str {
				return fmt.Errorf("column '%s' of type %v has categories; only str columns may", c.Name, c.Kind)
			}
			cats := make(map[string]bool, len(c.Categories))
			for _, v := range c.Categories {
				if cats[v] {
					return fmt.Errorf("column '%s' has duplicate category %s", c.Name, pyRepr(v))
				}
				cats[v] = true
			}
		}
		if c.Min != nil || c.Max != nil {
			if c.Kind != Int {
				return fmt.Errorf("column '%s' of type %v has integer bounds; only int columns may", c.Name, c.Kind)
			}
			if c.Min != nil && c.Max != nil && *c.Min > *c.Max {
				return fmt.Errorf("column '%s' has minimum %d greater than maximum %d", c.Name, *c.Min, *c.Max)
			}
		}
	}
	return nil
}
