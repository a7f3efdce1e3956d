package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/ehrql-go/ehrql/codelists"
)

// quoteNonFinite rewrites the tokens NaN, Infinity and -Infinity, which
// Python's json writes for non-finite floats but JSON lacks, as
// {"float": "..."} objects, outside strings.
func quoteNonFinite(data []byte) []byte {
	if !bytes.Contains(data, []byte("NaN")) && !bytes.Contains(data, []byte("Infinity")) {
		return data
	}
	var out bytes.Buffer
	inString, escaped := false, false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inString {
			out.WriteByte(c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		if c == '"' {
			inString = true
			out.WriteByte(c)
			continue
		}
		matched := false
		for _, tok := range []string{"NaN", "Infinity", "-Infinity"} {
			if bytes.HasPrefix(data[i:], []byte(tok)) {
				fmt.Fprintf(&out, `{"float": %q}`, tok)
				i += len(tok) - 1
				matched = true
				break
			}
		}
		if !matched {
			out.WriteByte(c)
		}
	}
	return out.Bytes()
}

// Decode reads a definition in ehrQL's JSON wire format: the output of
// ehrQL's serialize-definition (a ModuleDetails document), or a document
// whose root is a bare Dataset. Catalogue tables (external_ref) are looked up
// in r; user-defined tables written inline are accepted as they are. Every
// node is validated as it is built; errors name the node.
func Decode(data []byte, r Resolver) (*Definition, error) {
	data = quoteNonFinite(data)
	var doc map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("not a JSON query model: %w", err)
	}
	root, ok := doc["value"]
	if !ok {
		return nil, errors.New(`not a JSON query model: no "value" key at the top level`)
	}
	d := &decoder{doc: doc, resolver: r, nodes: map[string]any{}, busy: map[string]bool{}}
	v, err := d.value(root, "value")
	if err != nil {
		return nil, err
	}
	switch v := v.(type) {
	case *Definition:
		return v, nil
	case *Dataset:
		return &Definition{Dataset: v}, nil
	}
	return nil, fmt.Errorf("the document's value is %T, expected ModuleDetails or Dataset", v)
}

type decoder struct {
	doc      map[string]json.RawMessage
	resolver Resolver
	nodes    map[string]any
	busy     map[string]bool
}

type codeValue struct {
	system codelists.System
	code   string
}
type frozenset []any
type tuple []any
type dict [][2]any

func parseRaw(raw json.RawMessage) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// value decodes one JSON value of the wire format.
func (d *decoder) value(raw json.RawMessage, path string) (any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, fmt.Errorf("%s: empty value", path)
	}
	switch raw[0] {
	case '{':
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return d.list(items, path)
	default:
		v, err := parseRaw(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if n, ok := v.(json.Number); ok {
			s := n.String()
			if strings.ContainsAny(s, ".eE") {
				f, err := n.Float64()
				if err != nil {
					return nil, fmt.Errorf("%s: float %s out of range", path, s)
				}
				return f, nil
			}
			i, err := n.Int64()
			if err != nil {
				return nil, fmt.Errorf("%s: integer %s out of range", path, s)
			}
			return i, nil
		}
		return v, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(obj) != 1 {
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		return nil, fmt.Errorf("%s: expected an object with one key, got keys %v", path, keys)
	}
	for key, body := range obj {
		return d.tagged(key, body, path)
	}
	panic("unreachable")
}

func (d *decoder) list(items []json.RawMessage, path string) ([]any, error) {
	out := make([]any, len(items))
	for i, it := range items {
		v, err := d.value(it, fmt.Sprintf("%s[%d]", path, i))
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func (d *decoder) fields(body json.RawMessage, path string, allowed []string) (map[string]json.RawMessage, error) {
	var f map[string]json.RawMessage
	if err := json.Unmarshal(body, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for k := range f {
		if !slices.Contains(allowed, k) {
			return nil, fmt.Errorf("%s: unexpected field %q (expected %s)", path, k, strings.Join(allowed, ", "))
		}
	}
	return f, nil
}

// nodeFields lists the fields of each node kind's JSON body.
func nodeFields(op Op) []string {
	switch op {
	case OpSelectTable, OpSelectPatientTable:
		return []string{"name", "schema", "required_permission", "activation_filter_field"}
	case OpInlinePatientTable:
		return []string{"rows", "schema", "name"}
	case OpSeriesCollectionFrame:
		return []string{"members"}
	case OpParameter, OpSelectColumn:
		if op == OpParameter {
			return []string{"name", "type"}
		}
		return []string{"source", "name"}
	case OpPickOneRowPerPatient:
		return []string{"source", "position"}
	case OpCountEpisodes:
		return []string{"source", "maximum_gap_days"}
	case OpMinimumOf, OpMaximumOf:
		return []string{"sources"}
	case OpCase:
		return []string{"cases", "default"}
	}
	return opInfos[op].fields
}

// objectFields lists the fields of the wire format's other objects.
var objectFields = map[string][]string{
	"ModuleDetails": {"dataset", "dataset_dummy_data_config", "test_data", "measures",
		"measures_dummy_data_config", "measures_disclosure_control_config", "claimed_permissions"},
	"Dataset":                 {"population", "variables", "events", "measures"},
	"DummyDataConfig":         {"population_size", "legacy", "timeout", "additional_population_constraint"},
	"DisclosureControlConfig": {"enabled"},
	"MeasureCollection":       {"measures"},
	"Measure":                 {"name", "numerator", "denominator", "group_by", "intervals"},
	"TableSchema":             {"schema"},
	"Column":                  {"type_", "constraints", "dummy_data_constraints"},
	"Categorical":             {"values"},
	"NotNull":                 {},
	"Unique":                  {},
	"FirstOfMonth":            {},
	"Regex":                   {"regex"},
	"ClosedRange":             {"minimum", "maximum", "step"},
	"GeneralRange":            {"minimum", "maximum", "includes_minimum", "includes_maximum"},
	"DateAfter":               {"column_names"},
}

func (d *decoder) tagged(key string, body json.RawMessage, path string) (any, error) {
	switch key {
	case "ref":
		var id string
		if err := json.Unmarshal(body, &id); err != nil {
			return nil, fmt.Errorf("%s: ref: %w", path, err)
		}
		return d.ref(id)
	case "Value":
		v, err := d.value(body, path+".Value")
		if err != nil {
			return nil, err
		}
		lit, err := toLiteral(v)
		if err != nil {
			return nil, fmt.Errorf("%s: Value: %w", path, err)
		}
		return Value(lit)
	case "external_ref":
		var ref struct{ Module, Name string }
		if err := json.Unmarshal(body, &ref); err != nil {
			return nil, fmt.Errorf("%s: external_ref: %w", path, err)
		}
		if d.resolver == nil {
			return nil, fmt.Errorf("%s: no table catalogue to look up %s.%s", path, ref.Module, ref.Name)
		}
		t, ok := d.resolver.LookupTable(ref.Module, ref.Name)
		if !ok {
			return nil, fmt.Errorf("%s: unknown table %s.%s", path, ref.Module, ref.Name)
		}
		return SelectTable(t)
	case "date":
		var s string
		if err := json.Unmarshal(body, &s); err != nil {
			return nil, fmt.Errorf("%s: date: %w", path, err)
		}
		dt, err := ParseDate(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return dt, nil
	case "tuple", "frozenset":
		var items []json.RawMessage
		if err := json.Unmarshal(body, &items); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", path, key, err)
		}
		l, err := d.list(items, path+"."+key)
		if err != nil {
			return nil, err
		}
		if key == "tuple" {
			return tuple(l), nil
		}
		return frozenset(l), nil
	case "dict":
		var items [][]json.RawMessage
		if err := json.Unmarshal(body, &items); err != nil {
			return nil, fmt.Errorf("%s: dict: %w", path, err)
		}
		out := make(dict, len(items))
		for i, kv := range items {
			if len(kv) != 2 {
				return nil, fmt.Errorf("%s: dict item %d is not a pair", path, i)
			}
			for j := 0; j < 2; j++ {
				v, err := d.value(kv[j], fmt.Sprintf("%s.dict[%d]", path, i))
				if err != nil {
					return nil, err
				}
				out[i][j] = v
			}
		}
		return out, nil
	case "type":
		var s string
		if err := json.Unmarshal(body, &s); err != nil {
			return nil, fmt.Errorf("%s: type: %w", path, err)
		}
		t, err := ParseTypeName(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return t, nil
	case "Position":
		var s string
		if err := json.Unmarshal(body, &s); err != nil {
			return nil, fmt.Errorf("%s: Position: %w", path, err)
		}
		return Position(s), nil
	case "float":
		var tok string
		if err := json.Unmarshal(body, &tok); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		switch tok {
		case "NaN":
			return math.NaN(), nil
		case "Infinity":
			return math.Inf(1), nil
		case "-Infinity":
			return math.Inf(-1), nil
		}
		return nil, fmt.Errorf("%s: invalid float %q", path, tok)
	case "Path":
		var s string
		err := json.Unmarshal(body, &s)
		return s, err
	}
	if sys, err := codelists.ParseSystem(key); err == nil {
		var s string
		if err := json.Unmarshal(body, &s); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", path, key, err)
		}
		if err := sys.Validate(s); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return codeValue{sys, s}, nil
	}
	if op, ok := opsByJSON[key]; ok {
		n, err := d.node(op, body, path)
		if err != nil {
			return nil, err
		}
		return n, nil
	}
	return d.object(key, body, path)
}

func (d *decoder) ref(id string) (any, error) {
	if n, ok := d.nodes[id]; ok {
		return n, nil
	}
	raw, ok := d.doc[id]
	if !ok {
		return nil, fmt.Errorf("ref %q: no such node in the document", id)
	}
	if d.busy[id] {
		return nil, fmt.Errorf("node %s refers to itself", id)
	}
	d.busy[id] = true
	defer delete(d.busy, id)
	v, err := d.value(raw, "node "+id)
	if err != nil {
		return nil, err
	}
	d.nodes[id] = v
	return v, nil
}

// nodeField decodes a field that must be a node (or null when optional).
func (d *decoder) nodeField(f map[string]json.RawMessage, name, path string, optional bool) (*Node, error) {
	raw, ok := f[name]
	if !ok {
		if optional {
			return nil, nil
		}
		return nil, fmt.Errorf("%s: missing field %q", path, name)
	}
	v, err := d.value(raw, path+"."+name)
	if err != nil {
		return nil, err
	}
	if v == nil && optional {
		return nil, nil
	}
	n, ok := v.(*Node)
	if !ok {
		return nil, fmt.Errorf("%s.%s: expected a node, got %T", path, name, v)
	}
	return n, nil
}

func (d *decoder) node(op Op, body json.RawMessage, path string) (*Node, error) {
	path = path + " (" + op.String() + ")"
	f, err := d.fields(body, path, nodeFields(op))
	if err != nil {
		return nil, err
	}
	wrap := func(n *Node, err error) (*Node, error) {
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return n, nil
	}
	switch op {
	case OpSelectTable, OpSelectPatientTable:
		t, err := d.inlineTable(f, path, op == OpSelectPatientTable)
		if err != nil {
			return nil, err
		}
		return wrap(SelectTable(t))
	case OpInlinePatientTable:
		return d.inlinePatientTable(f, path)
	case OpSeriesCollectionFrame:
		v, err := d.value(f["members"], path+".members")
		if err != nil {
			return nil, err
		}
		items, ok := v.(dict)
		if !ok {
			return nil, fmt.Errorf("%s.members: expected a dict", path)
		}
		var names []string
		var members []*Node
		for _, kv := range items {
			name, _ := kv[0].(string)
			m, ok := kv[1].(*Node)
			if !ok {
				return nil, fmt.Errorf("%s.members[%s]: expected a node", path, name)
			}
			names = append(names, name)
			members = append(members, m)
		}
		return wrap(SeriesCollectionFrame(names, members))
	case OpParameter:
		var name string
		if err := json.Unmarshal(f["name"], &name); err != nil {
			return nil, fmt.Errorf("%s.name: %w", path, err)
		}
		v, err := d.value(f["type"], path+".type")
		if err != nil {
			return nil, err
		}
		t, ok := v.(Type)
		if !ok {
			return nil, fmt.Errorf("%s.type: expected a type", path)
		}
		return wrap(Parameter(name, t))
	case OpSelectColumn:
		src, err := d.nodeField(f, "source", path, false)
		if err != nil {
			return nil, err
		}
		var name string
		if err := json.Unmarshal(f["name"], &name); err != nil {
			return nil, fmt.Errorf("%s.name: %w", path, err)
		}
		return wrap(SelectColumn(src, name))
	case OpFilter:
		src, err := d.nodeField(f, "source", path, false)
		if err != nil {
			return nil, err
		}
		cond, err := d.nodeField(f, "condition", path, false)
		if err != nil {
			return nil, err
		}
		return wrap(Filter(src, cond))
	case OpSort:
		src, err := d.nodeField(f, "source", path, false)
		if err != nil {
			return nil, err
		}
		key, err := d.nodeField(f, "sort_by", path, false)
		if err != nil {
			return nil, err
		}
		return wrap(Sort(src, key))
	case OpPickOneRowPerPatient:
		src, err := d.nodeField(f, "source", path, false)
		if err != nil {
			return nil, err
		}
		v, err := d.value(f["position"], path+".position")
		if err != nil {
			return nil, err
		}
		pos, ok := v.(Position)
		if !ok {
			return nil, fmt.Errorf("%s.position: expected a Position", path)
		}
		return wrap(PickOneRowPerPatient(src, pos))
	case OpCountEpisodes:
		src, err := d.nodeField(f, "source", path, false)
		if err != nil {
			return nil, err
		}
		var gap int64
		if err := json.Unmarshal(f["maximum_gap_days"], &gap); err != nil {
			return nil, fmt.Errorf("%s.maximum_gap_days: %w", path, err)
		}
		return wrap(CountEpisodes(src, gap))
	case OpMinimumOf, OpMaximumOf:
		v, err := d.value(f["sources"], path+".sources")
		if err != nil {
			return nil, err
		}
		items, ok := v.(tuple)
		if !ok {
			return nil, fmt.Errorf("%s.sources: expected a tuple", path)
		}
		args := make([]*Node, len(items))
		for i, it := range items {
			if args[i], ok = it.(*Node); !ok {
				return nil, fmt.Errorf("%s.sources[%d]: expected a node", path, i)
			}
		}
		return wrap(Function(op, args...))
	case OpCase:
		v, err := d.value(f["cases"], path+".cases")
		if err != nil {
			return nil, err
		}
		items, ok := v.(dict)
		if !ok {
			return nil, fmt.Errorf("%s.cases: expected a dict", path)
		}
		var conds, values []*Node
		for i, kv := range items {
			c, ok := kv[0].(*Node)
			if !ok {
				return nil, fmt.Errorf("%s.cases[%d]: condition is not a node", path, i)
			}
			val, _ := kv[1].(*Node)
			if kv[1] != nil && val == nil {
				return nil, fmt.Errorf("%s.cases[%d]: value is not a node", path, i)
			}
			conds = append(conds, c)
			values = append(values, val)
		}
		def, err := d.nodeField(f, "default", path, true)
		if err != nil {
			return nil, err
		}
		return wrap(Case(conds, values, def))
	}
	if op.IsAggregation() {
		src, err := d.nodeField(f, "source", path, false)
		if err != nil {
			return nil, err
		}
		return wrap(Aggregate(op, src))
	}
	args := make([]*Node, len(opInfos[op].fields))
	for i, name := range opInfos[op].fields {
		if args[i], err = d.nodeField(f, name, path, false); err != nil {
			return nil, err
		}
	}
	return wrap(Function(op, args...))
}

// inlinePatientTable decodes a table of rows held in the definition
// (written with its rows, not ehrQL's file path).
func (d *decoder) inlinePatientTable(f map[string]json.RawMessage, path string) (*Node, error) {
	rowsValue, err := d.value(f["rows"], path+".rows")
	if err != nil {
		return nil, err
	}
	if p, ok := rowsValue.(string); ok {
		return nil, fmt.Errorf("%s: a table read from the file %s is not supported in JSON definitions: write its rows inline", path, p)
	}
	v, err := d.value(f["schema"], path+".schema")
	if err != nil {
		return nil, err
	}
	cols, ok := v.([]Column)
	if !ok {
		return nil, fmt.Errorf("%s.schema: expected a TableSchema", path)
	}
	t := &Table{Name: "inline_table", PatientLevel: true, Columns: cols}
	if raw, ok := f["name"]; ok {
		if err := json.Unmarshal(raw, &t.Name); err != nil {
			return nil, fmt.Errorf("%s.name: %w", path, err)
		}
	}
	items, ok := rowsValue.(tuple)
	if !ok {
		return nil, fmt.Errorf("%s.rows: expected a tuple of rows (tables read from files must be written with their rows)", path)
	}
	rows := make([][]Literal, len(items))
	for i, it := range items {
		cells, ok := it.(tuple)
		if !ok {
			return nil, fmt.Errorf("%s.rows[%d]: expected a tuple", path, i)
		}
		row := make([]Literal, len(cells))
		for j, cell := range cells {
			if cell == nil {
				continue
			}
			if j > 0 && j-1 < len(cols) && cols[j-1].Type == Float {
				if n, ok := cell.(int64); ok {
					cell = float64(n)
				}
			}
			l, err := toLiteral(cell)
			if err != nil {
				return nil, fmt.Errorf("%s.rows[%d][%d]: %w", path, i, j, err)
			}
			if j > 0 && j-1 < len(cols) && cols[j-1].Type.Kind == KindMultiCode {
				l = Literal{cols[j-1].Type, l.Go()}
			}
			row[j] = l
		}
		rows[i] = row
	}
	n, err := InlinePatientTable(t, rows)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return n, nil
}

func (d *decoder) inlineTable(f map[string]json.RawMessage, path string, patientLevel bool) (*Table, error) {
	t := &Table{PatientLevel: patientLevel}
	if err := json.Unmarshal(f["name"], &t.Name); err != nil {
		return nil, fmt.Errorf("%s.name: %w", path, err)
	}
	v, err := d.value(f["schema"], path+".schema")
	if err != nil {
		return nil, err
	}
	cols, ok := v.([]Column)
	if !ok {
		return nil, fmt.Errorf("%s.schema: expected a TableSchema", path)
	}
	t.Columns = cols
	if raw, ok := f["required_permission"]; ok {
		var p *string
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("%s.required_permission: %w", path, err)
		}
		if p != nil {
			t.RequiredPermission = *p
		}
	}
	if raw, ok := f["activation_filter_field"]; ok {
		var a any
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, fmt.Errorf("%s.activation_filter_field: %w", path, err)
		}
		t.ActivationFilterField = a
	}
	return t, nil
}

// object decodes the non-node objects of the wire format.
func (d *decoder) object(key string, body json.RawMessage, path string) (any, error) {
	path = path + "." + key
	allowed, known := objectFields[key]
	if !known {
		return nil, fmt.Errorf("%s: unsupported object type %q", path, key)
	}
	f, err := d.fields(body, path, allowed)
	if err != nil {
		return nil, err
	}
	get := func(name string) (any, error) {
		raw, ok := f[name]
		if !ok {
			return nil, nil
		}
		return d.value(raw, path+"."+name)
	}
	switch key {
	case "ModuleDetails":
		def := &Definition{}
		if v, err := get("dataset"); err != nil {
			return nil, err
		} else if v != nil {
			ds, ok := v.(*Dataset)
			if !ok {
				return nil, fmt.Errorf("%s.dataset: expected a Dataset", path)
			}
			def.Dataset = ds
		}
		for _, name := range []string{"dataset_dummy_data_config", "measures_dummy_data_config"} {
			v, err := get(name)
			if err != nil {
				return nil, err
			}
			if v == nil {
				continue
			}
			c, ok := v.(*DummyDataConfig)
			if !ok {
				return nil, fmt.Errorf("%s.%s: expected a DummyDataConfig", path, name)
			}
			if name == "dataset_dummy_data_config" {
				def.DatasetDummyDataConfig = c
			} else {
				def.MeasuresDummyDataConfig = c
			}
		}
		if v, err := get("measures"); err != nil {
			return nil, err
		} else if v != nil {
			ms, ok := v.([]Measure)
			if !ok {
				return nil, fmt.Errorf("%s.measures: expected a MeasureCollection", path)
			}
			def.Measures = ms
		}
		if v, err := get("measures_disclosure_control_config"); err != nil {
			return nil, err
		} else if v != nil {
			c, ok := v.(*DisclosureControlConfig)
			if !ok {
				return nil, fmt.Errorf("%s.measures_disclosure_control_config: expected a DisclosureControlConfig", path)
			}
			def.MeasuresDisclosureControl = c
		}
		if v, err := get("claimed_permissions"); err != nil {
			return nil, err
		} else if v != nil {
			items, _ := v.(tuple)
			for _, it := range items {
				s, ok := it.(string)
				if !ok {
					return nil, fmt.Errorf("%s.claimed_permissions: expected strings", path)
				}
				def.ClaimedPermissions = append(def.ClaimedPermissions, s)
			}
		}
		return def, nil
	case "Dataset":
		ds := &Dataset{}
		if ds.Population, err = d.nodeField(f, "population", path, false); err != nil {
			return nil, err
		}
		v, err := get("variables")
		if err != nil {
			return nil, err
		}
		vars, _ := v.(dict)
		for i, kv := range vars {
			name, _ := kv[0].(string)
			n, ok := kv[1].(*Node)
			if !ok {
				return nil, fmt.Errorf("%s.variables[%d]: expected a node", path, i)
			}
			ds.Variables = append(ds.Variables, Variable{name, n})
		}
		if v, err = get("events"); err != nil {
			return nil, err
		}
		evs, _ := v.(dict)
		for i, kv := range evs {
			name, _ := kv[0].(string)
			n, ok := kv[1].(*Node)
			if !ok {
				return nil, fmt.Errorf("%s.events[%d]: expected a node", path, i)
			}
			ds.Events = append(ds.Events, EventTable{name, n})
		}
		if err := ds.Validate(); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return ds, nil
	case "DummyDataConfig":
		c := DefaultDummyDataConfig()
		if v, _ := get("population_size"); v != nil {
			c.PopulationSize, _ = v.(int64)
		}
		if v, _ := get("legacy"); v != nil {
			c.Legacy, _ = v.(bool)
		}
		if v, _ := get("timeout"); v != nil {
			switch t := v.(type) {
			case int64:
				c.Timeout = t
			case float64:
				c.Timeout = int64(t)
			}
		}
		if c.AdditionalPopulationConstraint, err = d.nodeField(f, "additional_population_constraint", path, true); err != nil {
			return nil, err
		}
		return &c, nil
	case "DisclosureControlConfig":
		c := &DisclosureControlConfig{Enabled: true}
		if v, _ := get("enabled"); v != nil {
			c.Enabled, _ = v.(bool)
		}
		return c, nil
	case "MeasureCollection":
		v, err := get("measures")
		if err != nil {
			return nil, err
		}
		var ms []Measure
		items, _ := v.([]any)
		if t, ok := v.(tuple); ok {
			items = t
		}
		for _, it := range items {
			m, ok := it.(*Measure)
			if !ok {
				return nil, fmt.Errorf("%s.measures: expected Measure objects", path)
			}
			ms = append(ms, *m)
		}
		return ms, nil
	case "Measure":
		m := &Measure{}
		_ = json.Unmarshal(f["name"], &m.Name)
		if m.Numerator, err = d.nodeField(f, "numerator", path, false); err != nil {
			return nil, err
		}
		if m.Denominator, err = d.nodeField(f, "denominator", path, false); err != nil {
			return nil, err
		}
		v, err := get("group_by")
		if err != nil {
			return nil, err
		}
		groups, _ := v.(dict)
		for i, kv := range groups {
			name, _ := kv[0].(string)
			n, ok := kv[1].(*Node)
			if !ok {
				return nil, fmt.Errorf("%s.group_by[%d]: expected a node", path, i)
			}
			m.GroupBy = append(m.GroupBy, Variable{name, n})
		}
		if v, err = get("intervals"); err != nil {
			return nil, err
		}
		ivs, _ := v.(tuple)
		for i, it := range ivs {
			pair, _ := it.(tuple)
			if len(pair) != 2 {
				return nil, fmt.Errorf("%s.intervals[%d]: expected a (start, end) pair", path, i)
			}
			s, ok1 := pair[0].(CivilDate)
			e, ok2 := pair[1].(CivilDate)
			if !ok1 || !ok2 {
				return nil, fmt.Errorf("%s.intervals[%d]: expected dates", path, i)
			}
			m.Intervals = append(m.Intervals, [2]CivilDate{s, e})
		}
		return m, nil
	case "TableSchema":
		v, err := get("schema")
		if err != nil {
			return nil, err
		}
		items, _ := v.(dict)
		var cols []Column
		for i, kv := range items {
			name, _ := kv[0].(string)
			c, ok := kv[1].(Column)
			if !ok {
				return nil, fmt.Errorf("%s.schema[%d]: expected a Column", path, i)
			}
			c.Name = name
			cols = append(cols, c)
		}
		return cols, nil
	case "Column":
		c := Column{}
		v, err := get("type_")
		if err != nil {
			return nil, err
		}
		t, ok := v.(Type)
		if !ok {
			return nil, fmt.Errorf("%s.type_: expected a type", path)
		}
		c.Type = t
		for _, field := range []string{"constraints", "dummy_data_constraints"} {
			v, err := get(field)
			if err != nil {
				return nil, err
			}
			items, _ := v.(tuple)
			for _, it := range items {
				k, ok := it.(Constraint)
				if !ok {
					return nil, fmt.Errorf("%s.%s: expected constraints", path, field)
				}
				if field == "constraints" {
					c.Constraints = append(c.Constraints, k)
				} else {
					c.DummyDataConstraints = append(c.DummyDataConstraints, k)
				}
			}
		}
		return c, nil
	case "Categorical":
		v, err := get("values")
		if err != nil {
			return nil, err
		}
		items, _ := v.(tuple)
		var lits []Literal
		for _, it := range items {
			l, err := toLiteral(it)
			if err != nil {
				return nil, fmt.Errorf("%s.values: %w", path, err)
			}
			lits = append(lits, l)
		}
		return Categorical{lits}, nil
	case "NotNull":
		return NotNull{}, nil
	case "Unique":
		return Unique{}, nil
	case "FirstOfMonth":
		return FirstOfMonth{}, nil
	case "Regex":
		var r Regex
		err := json.Unmarshal(f["regex"], &r.Pattern)
		return r, err
	case "ClosedRange":
		r := ClosedRange{Step: 1}
		_ = json.Unmarshal(f["minimum"], &r.Min)
		_ = json.Unmarshal(f["maximum"], &r.Max)
		if raw, ok := f["step"]; ok {
			_ = json.Unmarshal(raw, &r.Step)
		}
		return r, nil
	case "GeneralRange":
		r := GeneralRange{IncludesMinimum: true, IncludesMaximum: true}
		for _, b := range []struct {
			name string
			dst  **Literal
		}{{"minimum", &r.Min}, {"maximum", &r.Max}} {
			v, err := get(b.name)
			if err != nil {
				return nil, err
			}
			if v != nil {
				l, err := toLiteral(v)
				if err != nil {
					return nil, fmt.Errorf("%s.%s: %w", path, b.name, err)
				}
				*b.dst = &l
			}
		}
		if raw, ok := f["includes_minimum"]; ok {
			_ = json.Unmarshal(raw, &r.IncludesMinimum)
		}
		if raw, ok := f["includes_maximum"]; ok {
			_ = json.Unmarshal(raw, &r.IncludesMaximum)
		}
		return r, nil
	case "DateAfter":
		v, err := get("column_names")
		if err != nil {
			return nil, err
		}
		var da DateAfter
		items, _ := v.(tuple)
		for _, it := range items {
			s, _ := it.(string)
			da.Columns = append(da.Columns, s)
		}
		return da, nil
	}
	return nil, fmt.Errorf("%s: unsupported object type %q", path, key)
}

// toLiteral converts a decoded value into a Value literal.
func toLiteral(v any) (Literal, error) {
	switch x := v.(type) {
	case bool:
		return BoolLit(x), nil
	case int64:
		return IntLit(x), nil
	case float64:
		return FloatLit(x), nil
	case string:
		return StrLit(x), nil
	case CivilDate:
		return DateLit(x), nil
	case codeValue:
		return CodeLit(x.system, x.code)
	case frozenset:
		members := make([]Literal, len(x))
		elem := Any
		for i, it := range x {
			l, err := toLiteral(it)
			if err != nil {
				return Literal{}, err
			}
			members[i] = l
			elem = l.Type()
		}
		return SetLit(elem, members)
	}
	return Literal{}, fmt.Errorf("unsupported literal %T", v)
}
