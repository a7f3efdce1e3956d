package model

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// ID identifies a node by its structure: equal IDs mean equal sub-graphs.
type ID [16]byte

// Position says which row PickOneRowPerPatient keeps.
type Position string

// The two positions.
const (
	First Position = "first"
	Last  Position = "last"
)

// Node is one immutable node of the query model. Build nodes with the
// constructors (Filter, Sort, Function, ...); they validate types and domains.
type Node struct {
	op       Op
	args     []*Node // children, in ehrQL field order; Case: c1, v1, …, cn, vn, default (values may be nil)
	lit      Literal
	name     string   // SelectColumn and Parameter name
	names    []string // SeriesCollectionFrame member names
	position Position
	table    *Table
	rows     [][]Literal // InlinePatientTable rows: patient_id then columns
	gap      int64       // CountEpisodes maximum gap in days

	typ      Type
	manyRows bool
	sorted   bool
	domain   string // concatenated IDs of the filters and table the node's rows come from; "" = patient domain
	root     *Table // for frames: the table whose columns they expose
	id       ID
}

// Op returns the node kind.
func (n *Node) Op() Op { return n.op }

// Args returns the node's children in ehrQL field order. For Case they are
// condition, value pairs followed by the default; a value may be nil (NULL).
func (n *Node) Args() []*Node { return n.args }

// Arg returns child i.
func (n *Node) Arg(i int) *Node { return n.args[i] }

// Literal returns the value of a Value node.
func (n *Node) Literal() Literal { return n.lit }

// Name returns the column name of SelectColumn or the name of a Parameter.
func (n *Node) Name() string { return n.name }

// MemberNames returns the column names of a SeriesCollectionFrame.
func (n *Node) MemberNames() []string { return n.names }

// Position returns the position of PickOneRowPerPatient.
func (n *Node) Position() Position { return n.position }

// Table returns the table of a table node, or, for any frame, the table
// whose columns it exposes.
func (n *Node) Table() *Table {
	if n.table != nil {
		return n.table
	}
	return n.root
}

// Rows returns the rows of an InlinePatientTable (patient_id first).
func (n *Node) Rows() [][]Literal { return n.rows }

// Gap returns CountEpisodes' maximum gap in days.
func (n *Node) Gap() int64 { return n.gap }

// Type returns a series' type (the zero Type for frames).
func (n *Node) Type() Type { return n.typ }

// IsFrame reports whether the node is a frame.
func (n *Node) IsFrame() bool { return n.op.IsFrame() }

// ManyRowsPerPatient reports whether the node may have many rows per patient.
func (n *Node) ManyRowsPerPatient() bool { return n.manyRows }

// Sorted reports whether a many-rows frame has been sorted.
func (n *Node) Sorted() bool { return n.sorted }

// ID returns the node's structural identity.
func (n *Node) ID() ID { return n.id }

// SameDomain reports whether two nodes draw their rows from the same domain.
func (n *Node) SameDomain(m *Node) bool { return n.domain == m.domain }

// PatientDomain reports whether the node has one value per patient.
func (n *Node) PatientDomain() bool { return n.domain == "" }

// String renders the node briefly for error messages.
func (n *Node) String() string {
	switch n.op {
	case OpValue:
		return "Value(" + n.lit.String() + ")"
	case OpSelectColumn:
		return fmt.Sprintf("SelectColumn(%s.%s)", n.args[0].Table().Name, n.name)
	case OpSelectTable, OpSelectPatientTable:
		return fmt.Sprintf("%s(%s)", n.op, n.table.Name)
	case OpParameter:
		return "Parameter(" + n.name + ")"
	}
	return n.op.String() + "(…)"
}

// TypeError is a query-model type error, worded like ehrQL's.
type TypeError struct {
	Op       Op
	Field    string
	Expected string
	Got      string
}

// Error implements the error interface.
func (e *TypeError) Error() string {
	return fmt.Sprintf("%s: %s: Expected type '%s' but got '%s'", e.Op, e.Field, e.Expected, e.Got)
}

// DomainError says that series drawn from different many-rows frames were
// combined, or that a condition or sort key does not belong to its frame.
type DomainError struct {
	Op  Op
	Msg string
}

// Error implements the error interface.
func (e *DomainError) Error() string { return e.Op.String() + ": " + e.Msg }

// Is matches ErrSortByPatientSeries.
func (e *DomainError) Is(target error) bool {
	return target == ErrSortByPatientSeries && e.Op == OpSort && e.Msg == ErrSortByPatientSeries.Error()
}

// ErrSortByPatientSeries is the query model's error for a sort key with one
// value per patient, worded as ehrQL's (whose language calls it sorting by
// a constant value).
var ErrSortByPatientSeries = errors.New("Attempt to sort frame by a one-row-per-patient series")

// ErrCombineDomains is the message for combining series of two different
// many-rows frames.
const ErrCombineDomains = "Cannot combine series which are drawn from different tables and both have more than one value per patient"

func isAncestorOrEqual(anc, dom string) bool { return strings.HasPrefix(dom, anc) }

func (n *Node) finish() *Node {
	h := sha256.New()
	var buf [8]byte
	w := func(s string) {
		binary.LittleEndian.PutUint64(buf[:], uint64(len(s)))
		h.Write(buf[:])
		h.Write([]byte(s))
	}
	w(n.op.String())
	for _, a := range n.args {
		if a == nil {
			w("<nil>")
		} else {
			w(string(a.id[:]))
		}
	}
	if n.op == OpValue {
		w(n.lit.key())
	}
	w(n.name)
	w(strings.Join(n.names, "\x00"))
	w(string(n.position))
	w(fmt.Sprint(n.gap))
	if n.table != nil {
		w(tableKey(n.table))
	}
	if n.op == OpParameter {
		w(n.typ.String())
	}
	for _, r := range n.rows {
		for _, v := range r {
			w(v.key())
		}
		w("\n")
	}
	copy(n.id[:], h.Sum(nil))
	return n
}

func tableKey(t *Table) string {
	if t.Module != "" {
		return t.Module + "." + t.Name
	}
	var b strings.Builder
	fmt.Fprintf(&b, "inline:%s:%v", t.Name, t.PatientLevel)
	for _, c := range t.Columns {
		fmt.Fprintf(&b, ":%s=%s", c.Name, c.Type.Name())
	}
	return b.String()
}
