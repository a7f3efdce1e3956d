package model

// ColumnSpec describes one column of an output table as ehrQL's column
// specs do: its name, its type, whether it may hold NULL, the values a
// column can take when they are known (Categories), and known integer
// bounds. It is derived here, once, from the query model (ColumnSpecs,
// EventColumnSpecs, MeasuresColumnSpecs, SeriesColumnSpec); the engine's
// SQL, its output writers and the measures report all read it.
//
// In a rows reader's column_specs (table_from_file) the name is the key
// the spec is listed under, and Name is empty.
type ColumnSpec struct {
	Name string
	Type Type
	// Nullable is false only for patient_id and the measures table's
	// measure and interval columns.
	Nullable bool
	// Categories lists, in order and without repeats, every value the
	// column can take, or is nil when they are not known.
	Categories []Literal
	// Min and Max are the known bounds of an int column, or nil.
	Min, Max *int64
}

// PatientIDSpec is the spec of the patient_id column every patient-level
// and event-level output table starts with.
var PatientIDSpec = ColumnSpec{Name: "patient_id", Type: Int}

// countBound is the largest count ehrQL declares for a count's column.
const countBound = 65535

// SeriesColumnSpec derives the spec of an output column named name holding
// series n, following ehrQL's rules. The column is nullable. Categories
// come from Categorical columns (also through a minimum or maximum of
// one), literals, and cases whose every value has them (their union, in
// order). Integer bounds come from ClosedRange columns and counts
// (0..65535).
func SeriesColumnSpec(name string, n *Node) ColumnSpec {
	spec := ColumnSpec{Name: name, Type: n.Type(), Nullable: true, Categories: categories(n)}
	if spec.Type.Kind != KindInt {
		return spec
	}
	switch n.Op() {
	case OpCount:
		lo, hi := int64(0), int64(countBound)
		spec.Min, spec.Max = &lo, &hi
	case OpSelectColumn:
		if col, ok := n.Arg(0).Table().Column(n.Name()); ok {
			if r, ok := col.Range(); ok {
				lo, hi := r.Min, r.Max
				spec.Min, spec.Max = &lo, &hi
			}
		}
	}
	return spec
}

// ColumnSpecs returns the specs of the dataset's table: patient_id, then
// each variable in order.
func ColumnSpecs(ds *Dataset) []ColumnSpec {
	specs := []ColumnSpec{PatientIDSpec}
	for _, v := range ds.Variables {
		specs = append(specs, SeriesColumnSpec(v.Name, v.Series))
	}
	return specs
}

// EventColumnSpecs returns the specs of an event-level output table:
// patient_id, then each of its columns in order.
func EventColumnSpecs(ev EventTable) []ColumnSpec {
	specs := []ColumnSpec{PatientIDSpec}
	names := ev.Frame.MemberNames()
	for i, m := range ev.Frame.Args() {
		specs = append(specs, SeriesColumnSpec(names[i], m))
	}
	return specs
}

// The measures table's own columns, before the group columns.
const (
	MeasuresColMeasure       = "measure"
	MeasuresColIntervalStart = "interval_start"
	MeasuresColIntervalEnd   = "interval_end"
	MeasuresColRatio         = "ratio"
	MeasuresColNumerator     = "numerator"
	MeasuresColDenominator   = "denominator"
)

// MeasuresFixedColumns is the number of the measures table's own columns,
// which come before the group columns.
const MeasuresFixedColumns = 6

// MeasuresColumnSpecs returns the specs of the measures table ehrQL writes
// for ms: measure (str, its categories the measure names in definition
// order), interval_start and interval_end (dates), all three not nullable;
// ratio (float), numerator and denominator (int); then every group_by
// column of any measure, in order of first appearance (measure definition
// order, then group order), specified from its series (SeriesColumnSpec).
func MeasuresColumnSpecs(ms []Measure) []ColumnSpec {
	var names []Literal
	seenMeasure := map[string]bool{}
	for _, m := range ms {
		if !seenMeasure[m.Name] {
			seenMeasure[m.Name] = true
			names = append(names, StrLit(m.Name))
		}
	}
	if names == nil {
		names = []Literal{}
	}
	specs := []ColumnSpec{
		{Name: MeasuresColMeasure, Type: Str, Categories: names},
		{Name: MeasuresColIntervalStart, Type: Date},
		{Name: MeasuresColIntervalEnd, Type: Date},
		{Name: MeasuresColRatio, Type: Float, Nullable: true},
		{Name: MeasuresColNumerator, Type: Int, Nullable: true},
		{Name: MeasuresColDenominator, Type: Int, Nullable: true},
	}
	seenGroup := map[string]bool{}
	for _, m := range ms {
		for _, g := range m.GroupBy {
			if !seenGroup[g.Name] {
				seenGroup[g.Name] = true
				specs = append(specs, SeriesColumnSpec(g.Name, g.Series))
			}
		}
	}
	return specs
}

// categories returns the values a series can take when ehrQL knows them,
// as its column specs do: a Categorical column's values (also through a
// minimum or maximum of it), a literal, or a case whose every value has
// categories (their union, in order). Repeats are dropped. It returns nil
// otherwise.
func categories(n *Node) []Literal {
	if n == nil {
		return nil
	}
	switch n.Op() {
	case OpSelectColumn:
		if col, ok := n.Arg(0).Table().Column(n.Name()); ok {
			if cats, _ := col.Categories(); cats != nil {
				return union(make([]Literal, 0, len(cats)), map[string]bool{}, cats)
			}
		}
	case OpMin, OpMax:
		return categories(n.Arg(0))
	case OpValue:
		if !n.Type().Set {
			return []Literal{n.Literal()}
		}
	case OpCase:
		_, values, def := n.CaseBranches()
		if def != nil {
			values = append(values, def)
		}
		var out []Literal
		seen := map[string]bool{}
		for _, v := range values {
			if v == nil {
				continue
			}
			cats := categories(v)
			if cats == nil {
				return nil
			}
			out = union(out, seen, cats)
		}
		return out
	}
	return nil
}

// union appends to out the members of add not yet seen, marking them.
func union(out []Literal, seen map[string]bool, add []Literal) []Literal {
	for _, c := range add {
		if k := c.String(); !seen[k] {
			seen[k] = true
			out = append(out, c)
		}
	}
	return out
}
