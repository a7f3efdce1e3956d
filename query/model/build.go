package model

import (
	"errors"
	"fmt"
)

// SelectTable makes the frame of a table: many rows per patient for event
// tables, one row for patient tables.
func SelectTable(t *Table) (*Node, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	n := &Node{table: t, root: t}
	if t.PatientLevel {
		n.op = OpSelectPatientTable
	} else {
		n.op = OpSelectTable
		n.manyRows = true
	}
	n.finish()
	if n.manyRows {
		n.domain = string(n.id[:])
	}
	return n, nil
}

// InlinePatientTable makes a patient frame from rows held in the definition
// (ehrQL's table_from_file). Each row is patient_id followed by the columns.
func InlinePatientTable(t *Table, rows [][]Literal) (*Node, error) {
	if !t.PatientLevel {
		return nil, fmt.Errorf("inline table %s must be patient-level", t.Name)
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	seen := map[int64]bool{}
	for i, r := range rows {
		if len(r) != len(t.Columns)+1 {
			return nil, fmt.Errorf("inline table %s, row %d: expected %d values but got %d", t.Name, i+1, len(t.Columns)+1, len(r))
		}
		pid, ok := r[0].Go().(int64)
		if !ok {
			return nil, fmt.Errorf("inline table %s, row %d: patient_id must be an int", t.Name, i+1)
		}
		if seen[pid] {
			return nil, fmt.Errorf("inline table %s: patient_id %d appears twice", t.Name, pid)
		}
		seen[pid] = true
		for j, c := range t.Columns {
			v := r[j+1]
			if v.Go() != nil && v.Type() != c.Type {
				return nil, fmt.Errorf("inline table %s, row %d, column %s: expected %s but got %s", t.Name, i+1, c.Name, c.Type.Name(), v.Type().Name())
			}
		}
	}
	return (&Node{op: OpInlinePatientTable, table: t, root: t, rows: rows}).finish(), nil
}

// Value makes a constant series.
func Value(l Literal) (*Node, error) {
	if l.Go() == nil {
		return nil, errors.New("Value: a literal needs a value (NULL is written as an absent case value)")
	}
	return (&Node{op: OpValue, lit: l, typ: l.Type()}).finish(), nil
}

// MustValue is Value for literals known to be valid.
func MustValue(l Literal) *Node {
	n, err := Value(l)
	if err != nil {
		panic(err)
	}
	return n
}

// Parameter makes a placeholder series (measures' interval dates), replaced
// by a Value before execution.
func Parameter(name string, t Type) (*Node, error) {
	if t.Set || t.Kind == KindAny {
		return nil, fmt.Errorf("Parameter %s: invalid type %s", name, t.Name())
	}
	return (&Node{op: OpParameter, name: name, typ: t}).finish(), nil
}

// SelectColumn selects a column of a frame.
func SelectColumn(frame *Node, name string) (*Node, error) {
	if frame == nil || !frame.IsFrame() || frame.op == OpSeriesCollectionFrame {
		return nil, fmt.Errorf("SelectColumn %q: source must be a table frame", name)
	}
	c, ok := frame.root.Column(name)
	if !ok {
		return nil, fmt.Errorf("SelectColumn: table %s has no column %q", frame.root.Name, name)
	}
	n := &Node{op: OpSelectColumn, args: []*Node{frame}, name: name, typ: c.Type,
		manyRows: frame.manyRows, domain: frame.domain}
	return n.finish(), nil
}

// Filter keeps the rows of a many-rows frame whose condition is true. The
// result is a new domain: its series cannot be combined with the source's.
func Filter(source, condition *Node) (*Node, error) {
	if err := needManyRowsFrame(OpFilter, source); err != nil {
		return nil, err
	}
	if err := needSeries(OpFilter, "condition", condition, Bool); err != nil {
		return nil, err
	}
	if !isAncestorOrEqual(condition.domain, source.domain) {
		return nil, &DomainError{OpFilter, "the condition must come from the frame being filtered, or from one it was derived from, or be one value per patient"}
	}
	n := &Node{op: OpFilter, args: []*Node{source, condition}, manyRows: true, sorted: source.sorted, root: source.root}
	n.finish()
	n.domain = source.domain + string(n.id[:])
	return n, nil
}

// Sort orders a many-rows frame by a key, ascending with NULLs first; the
// most recently applied sort has the highest priority.
func Sort(source, key *Node) (*Node, error) {
	if err := needManyRowsFrame(OpSort, source); err != nil {
		return nil, err
	}
	if key == nil || key.IsFrame() {
		return nil, &TypeError{OpSort, "sort_by", "Series[Comparable]", "a frame"}
	}
	if !key.typ.Comparable() || key.typ.Kind == KindAny {
		return nil, &TypeError{OpSort, "sort_by", "Series[Comparable]", key.typ.String()}
	}
	if key.domain == "" {
		return nil, &DomainError{OpSort, ErrSortByPatientSeries.Error()}
	}
	if !isAncestorOrEqual(key.domain, source.domain) {
		return nil, &DomainError{OpSort, "the sort key must come from the frame being sorted, or from one it was derived from"}
	}
	n := &Node{op: OpSort, args: []*Node{source, key}, manyRows: true, sorted: true,
		domain: source.domain, root: source.root}
	return n.finish(), nil
}

// PickOneRowPerPatient keeps the first or last row of each patient of a
// sorted frame.
func PickOneRowPerPatient(source *Node, pos Position) (*Node, error) {
	if err := needManyRowsFrame(OpPickOneRowPerPatient, source); err != nil {
		return nil, err
	}
	if !source.sorted {
		return nil, &TypeError{OpPickOneRowPerPatient, "source", "SortedFrame", "an unsorted frame"}
	}
	if pos != First && pos != Last {
		return nil, fmt.Errorf("PickOneRowPerPatient: invalid position %q", pos)
	}
	return (&Node{op: OpPickOneRowPerPatient, args: []*Node{source}, position: pos, root: source.root}).finish(), nil
}

// SeriesCollectionFrame makes an event-level output table from named series
// that share one many-rows domain (patient-level members are broadcast).
func SeriesCollectionFrame(names []string, members []*Node) (*Node, error) {
	if len(names) != len(members) || len(names) == 0 {
		return nil, errors.New("event tables must be defined with at least one column")
	}
	dom := ""
	seen := map[string]bool{}
	for i, m := range members {
		if err := CheckVariableName(names[i]); err != nil {
			return nil, fmt.Errorf("event table column: %w", err)
		}
		if seen[names[i]] {
			return nil, fmt.Errorf("event table column '%s' is defined twice", names[i])
		}
		seen[names[i]] = true
		if err := needSeries(OpSeriesCollectionFrame, names[i], m, Any); err != nil {
			return nil, err
		}
		if m.domain != "" {
			if dom != "" && dom != m.domain {
				return nil, &DomainError{OpSeriesCollectionFrame, "cannot combine series drawn from different tables; create a new event table for these series"}
			}
			dom = m.domain
		}
	}
	if dom == "" {
		return nil, &DomainError{OpSeriesCollectionFrame, "event tables must have columns with more than one value per patient"}
	}
	n := &Node{op: OpSeriesCollectionFrame, args: members, names: names, manyRows: true, domain: dom}
	return n.finish(), nil
}

// Aggregate makes one of the AggregateByPatient nodes (Exists, Count,
// CountDistinct, Min, Max, Sum, Mean, CombineAsSet); use CountEpisodes for
// that one.
func Aggregate(op Op, source *Node) (*Node, error) {
	if !op.IsAggregation() || op == OpCountEpisodes {
		return nil, fmt.Errorf("Aggregate: %s is not a simple aggregation", op)
	}
	if source == nil {
		return nil, fmt.Errorf("%s: missing source", op)
	}
	n := &Node{op: op, args: []*Node{source}}
	switch op {
	case OpExists, OpCount:
		if !source.IsFrame() || source.op == OpSeriesCollectionFrame {
			return nil, &TypeError{op, "source", "Frame", "a series"}
		}
		n.typ = Bool
		if op == OpCount {
			n.typ = Int
		}
		return n.finish(), nil
	}
	if err := needSeries(op, "source", source, Any); err != nil {
		return nil, err
	}
	if source.domain == "" {
		return nil, &DomainError{op, "aggregations need a series with more than one value per patient"}
	}
	var err error
	if n.typ, err = specs[op].sig.check(op, n.args, func(int) string { return "source" }); err != nil {
		return nil, err
	}
	return n.finish(), nil
}

// CountEpisodes counts a patient's episodes: runs of dates in which each is
// at most maxGapDays after the previous one.
func CountEpisodes(source *Node, maxGapDays int64) (*Node, error) {
	if err := needSeries(OpCountEpisodes, "source", source, Date); err != nil {
		return nil, err
	}
	if source.domain == "" {
		return nil, &DomainError{OpCountEpisodes, "aggregations need a series with more than one value per patient"}
	}
	if maxGapDays < 0 {
		return nil, fmt.Errorf("%s: maximum gap must not be negative", OpCountEpisodes)
	}
	return (&Node{op: OpCountEpisodes, args: []*Node{source}, gap: maxGapDays, typ: Int}).finish(), nil
}

func needManyRowsFrame(op Op, n *Node) error {
	if n == nil || !n.IsFrame() || !n.manyRows || n.op == OpSeriesCollectionFrame {
		return &TypeError{op, "source", "ManyRowsPerPatientFrame", describe(n)}
	}
	return nil
}

// needSeries checks that n is a series of type want (Any: of any scalar type).
func needSeries(op Op, field string, n *Node, want Type) error {
	if n == nil || n.IsFrame() {
		return &TypeError{op, field, want.String(), describe(n)}
	}
	if want.Kind == KindAny && !want.Set {
		if n.typ.Set {
			return &TypeError{op, field, "Series[Any]", n.typ.String()}
		}
		return nil
	}
	if !want.Matches(n.typ) {
		return &TypeError{op, field, want.String(), n.typ.String()}
	}
	return nil
}

func describe(n *Node) string {
	switch {
	case n == nil:
		return "nothing"
	case n.IsFrame():
		if n.manyRows {
			return "ManyRowsPerPatientFrame"
		}
		return "OneRowPerPatientFrame"
	}
	return n.typ.String()
}
