package model

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ehrql-go/ehrql/codelists"
)

// This file declares the JSON wire format once: every object kind, its
// fields in ehrQL's order and the kind of value each field holds. Decode
// checks every field against its declared kind before building anything,
// and Encode writes the same declarations back, so the two cannot drift.

// kindCat is the category of a wire kind.
type kindCat uint8

const (
	catNull       kindCat = iota // only null
	catBool                      // true or false
	catInt                       // a JSON number without fraction or exponent
	catStr                       // a JSON string
	catNode                      // a query-model node: ref, Value, external_ref or a node object
	catType                      // {"type": name}
	catPosition                  // {"Position": "first" | "last"}
	catDate                      // {"date": "YYYY-MM-DD"}
	catLiteral                   // the payload of a Value: scalar, date, code, frozenset
	catPath                      // {"Path": "..."}
	catActivation                // activation_filter_field: false or a column name
	catAny                       // any JSON value, kept as it is and never interpreted
	catTuple                     // {"tuple": [elem, ...]}
	catList                      // [elem, ...]
	catDict                      // {"dict": [[key, elem], ...]}
	catPair                      // {"tuple": [key, elem]}
	catObject                    // {"Name": {fields}} for one of objects
	catOneOf                     // the first of alts that accepts the value's shape
)

// wireKind describes the JSON form of one field's value.
type wireKind struct {
	cat      kindCat
	nullable bool
	key      *wireKind   // dict keys; a pair's first member
	elem     *wireKind   // tuple and list elements; dict values; a pair's second member
	objects  []string    // catObject: the object kinds accepted
	alts     []*wireKind // catOneOf
	label    string      // dicts of named series: what a key names, for messages ("variable")
}

var (
	kindNull       = &wireKind{cat: catNull}
	kindBool       = &wireKind{cat: catBool}
	kindInt        = &wireKind{cat: catInt}
	kindStr        = &wireKind{cat: catStr}
	kindNode       = &wireKind{cat: catNode}
	kindType       = &wireKind{cat: catType}
	kindPosition   = &wireKind{cat: catPosition}
	kindDate       = &wireKind{cat: catDate}
	kindLiteral    = &wireKind{cat: catLiteral}
	kindPath       = &wireKind{cat: catPath}
	kindActivation = &wireKind{cat: catActivation, nullable: true}
	kindAny        = &wireKind{cat: catAny, nullable: true}
)

func nullable(k *wireKind) *wireKind { c := *k; c.nullable = true; return &c }
func tupleOf(k *wireKind) *wireKind  { return &wireKind{cat: catTuple, elem: k} }
func listOf(k *wireKind) *wireKind   { return &wireKind{cat: catList, elem: k} }
func pairOf(a, b *wireKind) *wireKind {
	return &wireKind{cat: catPair, key: a, elem: b}
}
func dictOf(key, val *wireKind) *wireKind { return &wireKind{cat: catDict, key: key, elem: val} }
func objectOf(names ...string) *wireKind  { return &wireKind{cat: catObject, objects: names} }
func oneOf(alts ...*wireKind) *wireKind   { return &wireKind{cat: catOneOf, alts: alts} }

// named is a dict of series keyed by name, whose keys name the label
// ("variable") in messages.
func named(label string) *wireKind {
	k := dictOf(kindStr, kindNode)
	k.label = label
	return k
}

// field is one declared field of an object.
type field struct {
	name string
	kind *wireKind
	// optional fields may be absent (fields only this engine writes);
	// every other field must be present.
	optional bool
}

// objectDecl declares one object kind of the wire format.
type objectDecl struct {
	name   string
	fields []field
	// stored objects are ehrQL nodes: written once under an id and
	// referred to by {"ref": id}.
	stored bool
	// columns marks TableSchema, whose members are its columns, in order.
	columns *wireKind
	// op is the node kind, for node objects.
	op Op
	// build makes the Go value from the field values, in declared order,
	// each already checked against its kind (nil for null or absent).
	build func(d *decoder, v []any) (any, error)
	// parts gives the field values of a Go value, in declared order, for
	// encoding; nil for objects this engine reads but never writes.
	parts func(v any) ([]any, error)
}

var constraintNames = []string{"Categorical", "NotNull", "Unique", "FirstOfMonth", "Regex", "ClosedRange", "GeneralRange", "DateAfter"}

var kindConstraints = tupleOf(objectOf(constraintNames...))

// rowsReaders are ehrQL's readers of table_from_file's files.
var rowsReaders = []string{"CSVRowsReader", "CSVGZRowsReader", "ArrowRowsReader"}

// objectDecls declares the wire format's objects other than nodes.
var objectDecls = []*objectDecl{
	{name: "ModuleDetails", fields: []field{
		{name: "dataset", kind: nullable(objectOf("Dataset", "DefinitionError"))},
		{name: "dataset_dummy_data_config", kind: nullable(objectOf("DummyDataConfig"))},
		{name: "test_data", kind: kindTestData},
		{name: "measures", kind: nullable(objectOf("MeasureCollection", "DefinitionError"))},
		{name: "measures_dummy_data_config", kind: nullable(objectOf("DummyDataConfig"))},
		{name: "measures_disclosure_control_config", kind: nullable(objectOf("DisclosureControlConfig"))},
		{name: "claimed_permissions", kind: tupleOf(kindStr)},
	}, build: buildModuleDetails, parts: moduleDetailsParts},
	{name: "Dataset", stored: true, fields: []field{
		{name: "population", kind: kindNode},
		{name: "variables", kind: named("variable")},
		{name: "events", kind: dictOf(kindStr, kindNode)},
		{name: "measures", kind: kindNull},
	}, build: buildDataset, parts: func(v any) ([]any, error) {
		ds := v.(*Dataset)
		events := make([][2]any, len(ds.Events))
		for i, e := range ds.Events {
			events[i] = [2]any{e.Name, e.Frame}
		}
		return []any{ds.Population, variablesDict(ds.Variables), events, nil}, nil
	}},
	{name: "DefinitionError", fields: []field{
		{name: "message", kind: kindStr},
		{name: "exit_code", kind: nullable(kindInt)},
	}, build: func(_ *decoder, v []any) (any, error) {
		e := &DefinitionError{Message: v[0].(string)}
		if v[1] != nil {
			e.ExitCode = v[1].(int64)
		}
		return e, nil
	}, parts: func(v any) ([]any, error) {
		e := v.(*DefinitionError)
		var code any
		if e.ExitCode != 0 {
			code = e.ExitCode
		}
		return []any{e.Message, code}, nil
	}},
	{name: "DummyDataConfig", fields: []field{
		{name: "population_size", kind: kindInt},
		{name: "legacy", kind: kindBool},
		{name: "timeout", kind: kindInt},
		{name: "additional_population_constraint", kind: nullable(kindNode)},
	}, build: func(_ *decoder, v []any) (any, error) {
		c := &DummyDataConfig{PopulationSize: v[0].(int64), Legacy: v[1].(bool), Timeout: v[2].(int64)}
		if c.PopulationSize < 0 || c.Timeout < 0 {
			return nil, fmt.Errorf("population_size and timeout must not be negative (got %d and %d)", c.PopulationSize, c.Timeout)
		}
		if v[3] != nil {
			c.AdditionalPopulationConstraint = v[3].(*Node)
		}
		return c, nil
	}, parts: func(v any) ([]any, error) {
		c := v.(*DummyDataConfig)
		return []any{c.PopulationSize, c.Legacy, c.Timeout, c.AdditionalPopulationConstraint}, nil
	}},
	{name: "DisclosureControlConfig", fields: []field{
		{name: "enabled", kind: kindBool},
	}, build: func(_ *decoder, v []any) (any, error) {
		return &DisclosureControlConfig{Enabled: v[0].(bool)}, nil
	}, parts: func(v any) ([]any, error) {
		return []any{v.(*DisclosureControlConfig).Enabled}, nil
	}},
	{name: "MeasureCollection", fields: []field{
		{name: "measures", kind: listOf(objectOf("Measure"))},
	}, build: func(_ *decoder, v []any) (any, error) {
		var ms measureCollection
		for _, m := range v[0].([]any) {
			ms = append(ms, *m.(*Measure))
		}
		return ms, nil
	}, parts: func(v any) ([]any, error) {
		var items []any
		for i := range v.(measureCollection) {
			items = append(items, &v.(measureCollection)[i])
		}
		return []any{items}, nil
	}},
	{name: "Measure", fields: []field{
		{name: "name", kind: kindStr},
		{name: "numerator", kind: kindNode},
		{name: "denominator", kind: kindNode},
		{name: "group_by", kind: named("group")},
		{name: "intervals", kind: tupleOf(pairOf(kindDate, kindDate))},
	}, build: buildMeasure, parts: func(v any) ([]any, error) {
		m := v.(*Measure)
		ivs := make([]any, len(m.Intervals))
		for i, iv := range m.Intervals {
			ivs[i] = [2]any{iv[0], iv[1]}
		}
		return []any{m.Name, m.Numerator, m.Denominator, variablesDict(m.GroupBy), ivs}, nil
	}},
	{name: "TableSchema", columns: objectOf("Column")},
	{name: "Column", fields: []field{
		{name: "type_", kind: kindType},
		{name: "constraints", kind: kindConstraints},
		{name: "dummy_data_constraints", kind: kindConstraints},
	}, build: buildColumn, parts: func(v any) ([]any, error) {
		c := v.(Column)
		return []any{c.Type, toAny(c.Constraints), toAny(c.DummyDataConstraints)}, nil
	}},
	{name: "Categorical", fields: []field{
		{name: "values", kind: tupleOf(kindLiteral)},
	}, build: func(_ *decoder, v []any) (any, error) {
		return Categorical{Values: fromAny[Literal](v[0])}, nil
	}, parts: func(v any) ([]any, error) { return []any{toAny(v.(Categorical).Values)}, nil }},
	{name: "NotNull", build: func(*decoder, []any) (any, error) { return NotNull{}, nil }, parts: noParts},
	{name: "Unique", build: func(*decoder, []any) (any, error) { return Unique{}, nil }, parts: noParts},
	{name: "FirstOfMonth", build: func(*decoder, []any) (any, error) { return FirstOfMonth{}, nil }, parts: noParts},
	{name: "Regex", fields: []field{
		{name: "regex", kind: kindStr},
	}, build: func(_ *decoder, v []any) (any, error) {
		return Regex{Pattern: v[0].(string)}, nil
	}, parts: func(v any) ([]any, error) { return []any{v.(Regex).Pattern}, nil }},
	{name: "ClosedRange", fields: []field{
		{name: "minimum", kind: kindInt},
		{name: "maximum", kind: kindInt},
		{name: "step", kind: kindInt},
	}, build: func(_ *decoder, v []any) (any, error) {
		r := ClosedRange{Min: v[0].(int64), Max: v[1].(int64), Step: v[2].(int64)}
		if r.Step <= 0 || r.Min > r.Max {
			return nil, fmt.Errorf("invalid range: minimum %d, maximum %d, step %d (the step must be positive and the minimum at most the maximum)", r.Min, r.Max, r.Step)
		}
		return r, nil
	}, parts: func(v any) ([]any, error) {
		r := v.(ClosedRange)
		return []any{r.Min, r.Max, r.Step}, nil
	}},
	{name: "GeneralRange", fields: []field{
		{name: "minimum", kind: nullable(kindLiteral)},
		{name: "maximum", kind: nullable(kindLiteral)},
		{name: "includes_minimum", kind: kindBool},
		{name: "includes_maximum", kind: kindBool},
	}, build: func(_ *decoder, v []any) (any, error) {
		r := GeneralRange{IncludesMinimum: v[2].(bool), IncludesMaximum: v[3].(bool)}
		for i, dst := range []**Literal{&r.Min, &r.Max} {
			if v[i] != nil {
				l := v[i].(Literal)
				*dst = &l
			}
		}
		return r, nil
	}, parts: func(v any) ([]any, error) {
		r := v.(GeneralRange)
		out := []any{nil, nil, r.IncludesMinimum, r.IncludesMaximum}
		for i, l := range []*Literal{r.Min, r.Max} {
			if l != nil {
				out[i] = *l
			}
		}
		return out, nil
	}},
	{name: "DateAfter", fields: []field{
		{name: "column_names", kind: tupleOf(kindStr)},
	}, build: func(_ *decoder, v []any) (any, error) {
		return DateAfter{Columns: fromAny[string](v[0])}, nil
	}, parts: func(v any) ([]any, error) { return []any{toAny(v.(DateAfter).Columns)}, nil }},
	{name: "CSVRowsReader", fields: rowsReaderFields, build: rowsReaderBuild("CSVRowsReader")},
	{name: "CSVGZRowsReader", fields: rowsReaderFields, build: rowsReaderBuild("CSVGZRowsReader")},
	{name: "ArrowRowsReader", fields: rowsReaderFields, build: rowsReaderBuild("ArrowRowsReader")},
	{name: "ColumnSpec", fields: []field{
		{name: "type", kind: kindType},
		{name: "nullable", kind: kindBool},
		{name: "categories", kind: nullable(tupleOf(kindLiteral))},
		{name: "min_value", kind: nullable(kindLiteral)},
		{name: "max_value", kind: nullable(kindLiteral)},
	}, build: func(_ *decoder, v []any) (any, error) {
		s := &ColumnSpec{Type: v[0].(Type), Nullable: v[1].(bool)}
		if v[2] != nil {
			s.Categories = append([]Literal{}, fromAny[Literal](v[2])...)
		}
		return s, nil
	}},
	showDecl,
}

var rowsReaderFields = []field{
	{name: "filename", kind: kindPath},
	{name: "column_specs", kind: dictOf(kindStr, objectOf("ColumnSpec"))},
	{name: "allow_missing_columns", kind: kindBool},
}

func noParts(any) ([]any, error) { return nil, nil }

// measureCollection is the Go value of a MeasureCollection object.
type measureCollection []Measure

// DefinitionError is a definition's error that ehrQL recorded in place of
// its dataset or measures when it serialized the definition (for example a
// module-level dataset with no population in a measures file). It is
// reported when that part of the definition is asked for.
type DefinitionError struct {
	Message  string
	ExitCode int64 // 0 when ehrQL recorded none
}

// Error implements the error interface.
func (e *DefinitionError) Error() string { return e.Message }

// rowsFile is a table_from_file file named by a rows reader, its path
// resolved inside the definition's directory.
type rowsFile struct {
	reader       string // the reader's class name
	path         string // as written in the query model
	resolved     string
	specs        [][2]any // column name, *ColumnSpec
	allowMissing bool
}

func variablesDict(vars []Variable) [][2]any {
	out := make([][2]any, len(vars))
	for i, v := range vars {
		out[i] = [2]any{v.Name, v.Series}
	}
	return out
}

// toAny converts a typed slice to the []any of a tuple or list.
func toAny[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// fromAny converts a decoded tuple or list (of values its kind guarantees
// are Ts) to a typed slice.
func fromAny[T any](v any) []T {
	var out []T
	for _, x := range v.([]any) {
		out = append(out, x.(T))
	}
	return out
}

func buildModuleDetails(_ *decoder, v []any) (any, error) {
	def := &Definition{}
	switch x := v[0].(type) {
	case *Dataset:
		def.Dataset = x
	case *DefinitionError:
		def.DatasetError = x
	}
	if v[1] != nil {
		def.DatasetDummyDataConfig = v[1].(*DummyDataConfig)
	}
	td, err := buildTestData(v[2])
	if err != nil {
		return nil, err
	}
	def.TestData = td
	switch x := v[3].(type) {
	case measureCollection:
		def.Measures = []Measure(x)
	case *DefinitionError:
		def.MeasuresError = x
	}
	if v[4] != nil {
		def.MeasuresDummyDataConfig = v[4].(*DummyDataConfig)
	}
	if v[5] != nil {
		def.MeasuresDisclosureControl = v[5].(*DisclosureControlConfig)
	}
	def.ClaimedPermissions = fromAny[string](v[6])
	return def, nil
}

func moduleDetailsParts(v any) ([]any, error) {
	def := v.(*Definition)
	out := make([]any, 7)
	switch {
	case def.Dataset != nil:
		out[0] = def.Dataset
	case def.DatasetError != nil:
		out[0] = def.DatasetError
	}
	if def.DatasetDummyDataConfig != nil {
		out[1] = def.DatasetDummyDataConfig
	}
	out[2] = testDataParts(def.TestData)
	switch {
	case def.Measures != nil:
		out[3] = measureCollection(def.Measures)
	case def.MeasuresError != nil:
		out[3] = def.MeasuresError
	}
	if def.MeasuresDummyDataConfig != nil {
		out[4] = def.MeasuresDummyDataConfig
	}
	if def.MeasuresDisclosureControl != nil {
		out[5] = def.MeasuresDisclosureControl
	}
	out[6] = toAny(def.ClaimedPermissions)
	return out, nil
}

func namedNodes(v any) (names []string, nodes []*Node) {
	for _, kv := range v.([][2]any) {
		names = append(names, kv[0].(string))
		nodes = append(nodes, kv[1].(*Node))
	}
	return names, nodes
}

func buildDataset(_ *decoder, v []any) (any, error) {
	ds := &Dataset{Population: v[0].(*Node)}
	names, nodes := namedNodes(v[1])
	for i := range names {
		ds.Variables = append(ds.Variables, Variable{names[i], nodes[i]})
	}
	names, nodes = namedNodes(v[2])
	for i := range names {
		ds.Events = append(ds.Events, EventTable{names[i], nodes[i]})
	}
	if err := ds.Validate(); err != nil {
		return nil, err
	}
	return ds, nil
}

func buildMeasure(_ *decoder, v []any) (any, error) {
	m := &Measure{Name: v[0].(string), Numerator: v[1].(*Node), Denominator: v[2].(*Node)}
	names, nodes := namedNodes(v[3])
	for i := range names {
		m.GroupBy = append(m.GroupBy, Variable{names[i], nodes[i]})
	}
	for i, it := range v[4].([]any) {
		pair := it.([2]any)
		start, end := pair[0].(CivilDate), pair[1].(CivilDate)
		if end.Before(start) {
			return nil, fmt.Errorf("intervals[%d]: the interval ends (%s) before it starts (%s)", i, end, start)
		}
		m.Intervals = append(m.Intervals, [2]CivilDate{start, end})
	}
	return m, nil
}

func buildColumn(_ *decoder, v []any) (any, error) {
	c := Column{Type: v[0].(Type)}
	if c.Type.Set || c.Type.Kind == KindAny {
		return nil, fmt.Errorf("type_: %s is not a column type", c.Type.Name())
	}
	seen := map[string]bool{}
	for i, list := range []*[]Constraint{&c.Constraints, &c.DummyDataConstraints} {
		for _, k := range v[i+1].([]any) {
			k := k.(Constraint)
			if seen[k.ConstraintName()] {
				return nil, fmt.Errorf("'%s' specified more than once", k.ConstraintName())
			}
			seen[k.ConstraintName()] = true
			if _, ok := k.(DateAfter); ok && c.Type != Date {
				return nil, fmt.Errorf("'Constraint.DateAfter' cannot be specified on a column with type '%s'", c.Type.Name())
			}
			*list = append(*list, k)
		}
	}
	return c, nil
}

// rowsReaderBuild builds the file a rows reader names.
func rowsReaderBuild(reader string) func(d *decoder, v []any) (any, error) {
	return func(d *decoder, v []any) (any, error) {
		f := &rowsFile{reader: reader, path: v[0].(string), specs: v[1].([][2]any), allowMissing: v[2].(bool)}
		resolved, err := d.resolvePath(f.path)
		if err != nil {
			return nil, err
		}
		f.resolved = resolved
		return f, nil
	}
}

// nodeDecl declares a node kind: its fields, how it is built and how its
// fields are read back for encoding.
func nodeDecl(op Op) *objectDecl {
	decl := &objectDecl{name: op.String(), op: op, stored: true}
	node := func(v any) *Node { return v.(*Node) }
	switch op {
	case OpSelectTable, OpSelectPatientTable:
		decl.stored = false // written inline, as before ehrQL refused them
		decl.fields = []field{
			{name: "name", kind: kindStr},
			{name: "schema", kind: objectOf("TableSchema")},
			{name: "required_permission", kind: nullable(kindStr)},
			{name: "activation_filter_field", kind: kindActivation},
		}
		decl.build = func(d *decoder, v []any) (any, error) { return d.inlineTable(op, v) }
		decl.parts = func(v any) ([]any, error) {
			t := node(v).table
			if t.RequiredPermission != "" {
				return nil, fmt.Errorf("table %s is declared in the definition and requires the permission %q: only catalogue tables carry permissions", t.Name, t.RequiredPermission)
			}
			return []any{t.Name, t.Columns, nil, t.ActivationFilterField}, nil
		}
	case OpInlinePatientTable:
		decl.fields = []field{
			{name: "rows", kind: oneOf(tupleOf(tupleOf(nullable(kindLiteral))), objectOf(rowsReaders...))},
			{name: "schema", kind: objectOf("TableSchema")},
			{name: "name", kind: kindStr, optional: true},
		}
		decl.build = func(d *decoder, v []any) (any, error) { return d.inlinePatientTable(v) }
		decl.parts = func(v any) ([]any, error) {
			n := node(v)
			rows := make([]any, len(n.rows))
			for i, r := range n.rows {
				cells := make([]any, len(r))
				for j, c := range r {
					if c.Go() != nil {
						cells[j] = c
					}
				}
				rows[i] = cells
			}
			return []any{rows, n.table.Columns, n.table.Name}, nil
		}
	case OpSeriesCollectionFrame:
		decl.fields = []field{{name: "members", kind: named("member")}}
		decl.build = func(_ *decoder, v []any) (any, error) {
			names, nodes := namedNodes(v[0])
			return SeriesCollectionFrame(names, nodes)
		}
		decl.parts = func(v any) ([]any, error) {
			n := node(v)
			members := make([][2]any, len(n.args))
			for i, a := range n.args {
				members[i] = [2]any{n.names[i], a}
			}
			return []any{members}, nil
		}
	case OpParameter:
		decl.fields = []field{{name: "name", kind: kindStr}, {name: "type", kind: kindType}}
		decl.build = func(_ *decoder, v []any) (any, error) { return Parameter(v[0].(string), v[1].(Type)) }
		decl.parts = func(v any) ([]any, error) { return []any{node(v).name, node(v).typ}, nil }
	case OpSelectColumn:
		decl.fields = []field{{name: "source", kind: kindNode}, {name: "name", kind: kindStr}}
		decl.build = func(_ *decoder, v []any) (any, error) { return SelectColumn(v[0].(*Node), v[1].(string)) }
		decl.parts = func(v any) ([]any, error) { return []any{node(v).args[0], node(v).name}, nil }
	case OpPickOneRowPerPatient:
		decl.fields = []field{{name: "source", kind: kindNode}, {name: "position", kind: kindPosition}}
		decl.build = func(_ *decoder, v []any) (any, error) {
			return PickOneRowPerPatient(v[0].(*Node), v[1].(Position))
		}
		decl.parts = func(v any) ([]any, error) { return []any{node(v).args[0], node(v).position}, nil }
	case OpCountEpisodes:
		decl.fields = []field{{name: "source", kind: kindNode}, {name: "maximum_gap_days", kind: kindInt}}
		decl.build = func(_ *decoder, v []any) (any, error) { return CountEpisodes(v[0].(*Node), v[1].(int64)) }
		decl.parts = func(v any) ([]any, error) { return []any{node(v).args[0], node(v).gap}, nil }
	case OpMinimumOf, OpMaximumOf:
		decl.fields = []field{{name: "sources", kind: tupleOf(kindNode)}}
		decl.build = func(_ *decoder, v []any) (any, error) { return Function(op, fromAny[*Node](v[0])...) }
		decl.parts = func(v any) ([]any, error) { return []any{toAny(node(v).args)}, nil }
	case OpCase:
		decl.fields = []field{{name: "cases", kind: dictOf(kindNode, nullable(kindNode))}, {name: "default", kind: nullable(kindNode)}}
		decl.build = func(_ *decoder, v []any) (any, error) {
			var conds, values []*Node
			for _, kv := range v[0].([][2]any) {
				conds = append(conds, kv[0].(*Node))
				val, _ := kv[1].(*Node) // nil: a NULL value, allowed by the field's kind
				values = append(values, val)
			}
			def, _ := v[1].(*Node)
			return Case(conds, values, def)
		}
		decl.parts = func(v any) ([]any, error) {
			conds, values, def := node(v).CaseBranches()
			cases := make([][2]any, len(conds))
			for i := range conds {
				cases[i] = [2]any{conds[i], values[i]}
			}
			return []any{cases, def}, nil
		}
	default:
		names := specs[op].fields
		for _, name := range names {
			decl.fields = append(decl.fields, field{name: name, kind: kindNode})
		}
		decl.build = func(_ *decoder, v []any) (any, error) {
			args := make([]*Node, len(v))
			for i, a := range v {
				args[i] = a.(*Node)
			}
			switch {
			case op == OpFilter:
				return Filter(args[0], args[1])
			case op == OpSort:
				return Sort(args[0], args[1])
			case op.IsAggregation():
				return Aggregate(op, args[0])
			}
			return Function(op, args...)
		}
		decl.parts = func(v any) ([]any, error) { return toAny(node(v).args), nil }
	}
	return decl
}

// decls holds every object and node declaration by its JSON name.
var decls = func() map[string]*objectDecl {
	m := map[string]*objectDecl{}
	for _, d := range objectDecls {
		m[d.name] = d
	}
	for op := Op(1); op < opCount; op++ {
		if op == OpValue {
			continue // {"Value": literal}: a tag, not an object
		}
		m[op.String()] = nodeDecl(op)
	}
	return m
}()

// objectNameOf names the object kind a Go value is written as.
func objectNameOf(v any) string {
	switch x := v.(type) {
	case *Definition:
		return "ModuleDetails"
	case *Dataset:
		return "Dataset"
	case *DefinitionError:
		return "DefinitionError"
	case *DummyDataConfig:
		return "DummyDataConfig"
	case *DisclosureControlConfig:
		return "DisclosureControlConfig"
	case measureCollection:
		return "MeasureCollection"
	case *Measure:
		return "Measure"
	case []Column:
		return "TableSchema"
	case Column:
		return "Column"
	case Constraint:
		return x.ConstraintName()
	case *Node:
		return x.op.String()
	case *ColumnSpec:
		return "ColumnSpec"
	case *Show:
		return "Show"
	case *rowsFile:
		return x.reader
	}
	return fmt.Sprintf("%T", v)
}

// describe says what a kind accepts, for messages.
func (k *wireKind) describe() string {
	var s string
	switch k.cat {
	case catNull:
		return "null"
	case catBool:
		s = "a boolean (true or false)"
	case catInt:
		s = "an integer"
	case catStr:
		s = "a string"
	case catNode:
		s = "a node"
	case catType:
		s = `a type ({"type": ...})`
	case catPosition:
		s = `a position ({"Position": "first" or "last"})`
	case catDate:
		s = `a date ({"date": "YYYY-MM-DD"})`
	case catLiteral:
		s = "a value (boolean, number, string, date, code or frozenset)"
	case catPath:
		s = `a path ({"Path": ...})`
	case catActivation:
		s = "false or a column name"
	case catAny:
		return "any value"
	case catTuple:
		s = "a tuple of " + plural(k.elem)
	case catList:
		s = "a list of " + plural(k.elem)
	case catDict:
		s = "a dict of " + k.key.describe() + " to " + k.elem.describe()
	case catPair:
		s = "a pair (" + k.key.describe() + ", " + k.elem.describe() + ")"
	case catObject:
		s = "a " + strings.Join(k.objects, " or ") + " object"
	case catOneOf:
		parts := make([]string, len(k.alts))
		for i, a := range k.alts {
			parts[i] = a.describe()
		}
		s = strings.Join(parts, ", or ")
	}
	if k.nullable {
		s += " or null"
	}
	return s
}

func plural(k *wireKind) string {
	if k.cat == catObject && !k.nullable {
		return strings.Join(k.objects, " or ") + " objects"
	}
	return "(" + k.describe() + ")"
}

// shape is the outline of a JSON value: its JSON type and, for an object,
// its single key (the wire format's tag).
type shape struct {
	json string // null, bool, number, string, array, object
	tag  string // objects: their one key
}

func (s shape) String() string {
	if s.json == "object" {
		return fmt.Sprintf("a %q object", s.tag)
	}
	if s.json == "array" {
		return "a JSON list"
	}
	if s.json == "null" {
		return "null"
	}
	return "a " + s.json
}

// isCodeTag reports whether tag names a code system ({"SNOMEDCTCode": ...}).
func isCodeTag(tag string) bool {
	_, err := codelists.ParseSystem(tag)
	return err == nil
}

// accepts reports whether a value of shape s may hold this kind.
func (k *wireKind) accepts(s shape) bool {
	if s.json == "null" {
		return k.nullable || k.cat == catNull
	}
	obj := s.json == "object"
	switch k.cat {
	case catBool:
		return s.json == "bool"
	case catInt:
		return s.json == "number"
	case catStr:
		return s.json == "string"
	case catNode:
		if !obj {
			return false
		}
		if d, ok := decls[s.tag]; ok {
			return d.op != OpInvalid
		}
		return s.tag == "ref" || s.tag == "Value" || s.tag == "external_ref"
	case catType:
		return obj && s.tag == "type"
	case catPosition:
		return obj && s.tag == "Position"
	case catDate:
		return obj && s.tag == "date"
	case catPath:
		return obj && s.tag == "Path"
	case catLiteral:
		switch s.json {
		case "bool", "number", "string":
			return true
		case "object":
			return s.tag == "date" || s.tag == "frozenset" || s.tag == "float" || isCodeTag(s.tag)
		}
		return false
	case catActivation:
		return s.json == "bool" || s.json == "string"
	case catAny:
		return true
	case catTuple, catPair:
		return obj && s.tag == "tuple"
	case catList:
		return s.json == "array"
	case catDict:
		return obj && s.tag == "dict"
	case catObject:
		if !obj {
			return false
		}
		if s.tag == "ref" {
			return slices.ContainsFunc(k.objects, func(name string) bool { return decls[name].stored })
		}
		return slices.Contains(k.objects, s.tag)
	case catOneOf:
		for _, a := range k.alts {
			if a.accepts(s) {
				return true
			}
		}
	}
	return false
}

// NodeFields lists a node's fields as the wire format declares them: their
// names and values (nodes, literals, strings, numbers, and lists and dicts
// of them). A Value node has one field, "value", holding its literal.
func NodeFields(n *Node) (names []string, values []any, err error) {
	if n.op == OpValue {
		return []string{"value"}, []any{n.lit}, nil
	}
	decl := decls[n.op.String()]
	if decl == nil || decl.parts == nil {
		return nil, nil, fmt.Errorf("no wire declaration for %s", n.op)
	}
	values, err = decl.parts(n)
	if err != nil {
		return nil, nil, err
	}
	for _, f := range decl.fields {
		names = append(names, f.name)
	}
	return names, values, nil
}
