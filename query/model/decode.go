package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/ehrql-go/ehrql/codelists"
)

// MaxDepth is how deeply nodes may nest in a decoded query model: deeper
// chains are refused with an error naming the variable, rather than
// overflowing the decoder's stack or the database's expression parser.
const MaxDepth = 400

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

// DecodeOption configures Decode.
type DecodeOption func(*decoder)

// DefinitionDir gives the directory of the definition being decoded. Files
// the query model names (the rows of ehrQL's table_from_file) are resolved
// against it and must lie inside it, after following symbolic links;
// without it, a query model that names a file is refused.
func DefinitionDir(dir string) DecodeOption {
	return func(d *decoder) { d.dir = dir }
}

// Decode reads a definition in ehrQL's JSON wire format: the output of
// ehrQL's serialize-definition (a ModuleDetails document), or a document
// whose root is a bare Dataset.
//
// Nothing in the document is trusted. Every field of every object is
// checked against its declared kind (objectDecls) and a malformed one is an
// error naming the node and field, never a default. Catalogue tables are
// looked up in r by external_ref; their declarations and permissions come
// only from r. A table declared inline (SelectTable, SelectPatientTable:
// the user-defined tables of this engine's Go definitions, read from
// --dummy-tables) may not take the name of any catalogue table nor require
// a permission; InlinePatientTable carries rows, written inline or read
// from a file inside the definition's directory (DefinitionDir). Nodes
// may nest at most MaxDepth deep. A nil r is an empty catalogue.
func Decode(data []byte, r Resolver, opts ...DecodeOption) (*Definition, error) {
	v, err := decodeDocument(data, objectOf("ModuleDetails", "Dataset"), r, opts...)
	if err != nil {
		return nil, err
	}
	if ds, ok := v.(*Dataset); ok {
		return &Definition{Dataset: ds}, nil
	}
	return v.(*Definition), nil
}

// decodeDocument reads a document of the wire format whose value is of
// kind k, checked as Decode says.
func decodeDocument(data []byte, k *wireKind, r Resolver, opts ...DecodeOption) (any, error) {
	data = quoteNonFinite(data)
	if !json.Valid(data) {
		var v any
		err := json.Unmarshal(data, &v)
		return nil, fmt.Errorf("not a JSON query model: %w", err)
	}
	doc, err := members(data)
	if err != nil {
		return nil, fmt.Errorf("not a JSON query model: %w", err)
	}
	if r == nil {
		r = emptyCatalogue{}
	}
	d := &decoder{doc: map[string]json.RawMessage{}, resolver: r, refs: map[string]any{}, inline: map[string]any{},
		busy: map[string]bool{}, heights: map[*Node]int{}}
	for _, m := range doc {
		d.doc[m.key] = m.value
	}
	for _, o := range opts {
		o(d)
	}
	root, ok := d.doc["value"]
	if !ok {
		return nil, errors.New(`not a JSON query model: no "value" key at the top level`)
	}
	return d.decode(k, root, "value")
}

// emptyCatalogue resolves no table.
type emptyCatalogue struct{}

func (emptyCatalogue) LookupTable(string, string) (*Table, bool) { return nil, false }
func (emptyCatalogue) CataloguedName(string) bool                { return false }

type decoder struct {
	doc      map[string]json.RawMessage
	resolver Resolver
	dir      string
	refs     map[string]any
	inline   map[string]any // tables declared inline, by their JSON
	busy     map[string]bool
	depth    int
	heights  map[*Node]int
	where    string // the variable (or group, member) being decoded, for messages
}

// member is one key and value of a JSON object, in document order.
type member struct {
	key   string
	value json.RawMessage
}

// members splits a JSON object into its members in order, refusing
// duplicate keys. raw must be valid JSON: Decode checks the document once,
// and every value decoded is a part of it.
func members(raw []byte) ([]member, error) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return nil, errors.New("expected a JSON object")
	}
	i++
	var out []member
	seen := map[string]bool{}
	for {
		i = skipSpace(raw, i)
		if raw[i] == '}' {
			i++
			break
		}
		if raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
		end := scanValue(raw, i)
		var key string
		if err := json.Unmarshal(raw[i:end], &key); err != nil {
			return nil, err
		}
		if seen[key] {
			return nil, fmt.Errorf("key %q appears twice", key)
		}
		seen[key] = true
		i = skipSpace(raw, end) + 1 // the colon
		i = skipSpace(raw, i)
		end = scanValue(raw, i)
		out = append(out, member{key, json.RawMessage(raw[i:end])})
		i = end
	}
	if skipSpace(raw, i) != len(raw) {
		return nil, errors.New("data after the end of the object")
	}
	return out, nil
}

func skipSpace(raw []byte, i int) int {
	for i < len(raw) && (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r') {
		i++
	}
	return i
}

// scanValue returns the end of the valid JSON value starting at i.
func scanValue(raw []byte, i int) int {
	depth := 0
	for i < len(raw) {
		switch c := raw[i]; c {
		case '"':
			i++
			for raw[i] != '"' {
				if raw[i] == '\\' {
					i++
				}
				i++
			}
			i++
			if depth == 0 {
				return i
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i // the end of a scalar member
			}
			depth--
			if depth == 0 {
				return i + 1
			}
		case ',', ' ', '\t', '\n', '\r', ':':
			if depth == 0 {
				return i
			}
		}
		i++
	}
	return i
}

// shapeOf outlines a JSON value; for a tagged object it also returns the
// tag's body.
func shapeOf(raw json.RawMessage) (shape, json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return shape{}, nil, errors.New("empty value")
	}
	switch c := raw[0]; {
	case c == '{':
		ms, err := members(raw)
		if err != nil {
			return shape{}, nil, err
		}
		if len(ms) != 1 {
			keys := make([]string, len(ms))
			for i, m := range ms {
				keys[i] = m.key
			}
			return shape{}, nil, fmt.Errorf("expected an object with one key, got keys %q", keys)
		}
		return shape{"object", ms[0].key}, ms[0].value, nil
	case c == '[':
		return shape{json: "array"}, raw, nil
	case c == '"':
		return shape{json: "string"}, raw, nil
	case c == 't' || c == 'f':
		return shape{json: "bool"}, raw, nil
	case c == 'n':
		return shape{json: "null"}, raw, nil
	case c == '-' || c >= '0' && c <= '9':
		return shape{json: "number"}, raw, nil
	}
	return shape{}, nil, fmt.Errorf("invalid JSON value %.20q", raw)
}

// decode reads one value of kind k.
func (d *decoder) decode(k *wireKind, raw json.RawMessage, path string) (any, error) {
	s, body, err := shapeOf(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if !k.accepts(s) {
		return nil, fmt.Errorf("%s: expected %s, got %s", path, k.describe(), describeValue(s, raw))
	}
	if s.json == "null" {
		return nil, nil
	}
	switch k.cat {
	case catBool:
		var b bool
		err := unmarshal(body, &b, path)
		return b, err
	case catInt:
		return parseInt(body, path)
	case catStr:
		var str string
		err := unmarshal(body, &str, path)
		return str, err
	case catNode:
		v, err := d.tagged(s.tag, body, path)
		if err != nil {
			return nil, err
		}
		n, ok := v.(*Node)
		if !ok {
			return nil, fmt.Errorf("%s: expected a node, got a %s", path, objectNameOf(v))
		}
		return n, nil
	case catType:
		var name string
		if err := unmarshal(body, &name, path+".type"); err != nil {
			return nil, err
		}
		t, err := ParseTypeName(name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return t, nil
	case catPosition:
		var p string
		if err := unmarshal(body, &p, path+".Position"); err != nil {
			return nil, err
		}
		if Position(p) != First && Position(p) != Last {
			return nil, fmt.Errorf("%s: unknown position %q (expected %q or %q)", path, p, First, Last)
		}
		return Position(p), nil
	case catDate:
		return d.date(body, path)
	case catLiteral:
		return d.literal(s, body, path)
	case catPath:
		var p string
		err := unmarshal(body, &p, path+".Path")
		return p, err
	case catActivation:
		if s.json == "bool" {
			var b bool
			if err := unmarshal(body, &b, path); err != nil {
				return nil, err
			}
			if b {
				return nil, fmt.Errorf("%s: expected false or a column name, got true", path)
			}
			return false, nil
		}
		var str string
		err := unmarshal(body, &str, path)
		return str, err
	case catAny:
		if !json.Valid(body) {
			return nil, fmt.Errorf("%s: invalid JSON", path)
		}
		return json.RawMessage(raw), nil
	case catTuple, catList:
		items, err := d.array(body, path)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(items))
		for i, it := range items {
			if out[i], err = d.decode(k.elem, it, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return nil, err
			}
		}
		return out, nil
	case catPair:
		items, err := d.array(body, path)
		if err != nil {
			return nil, err
		}
		if len(items) != 2 {
			return nil, fmt.Errorf("%s: expected a pair, got %d items", path, len(items))
		}
		var out [2]any
		if out[0], err = d.decode(k.key, items[0], path+"[0]"); err != nil {
			return nil, err
		}
		if out[1], err = d.decode(k.elem, items[1], path+"[1]"); err != nil {
			return nil, err
		}
		return out, nil
	case catDict:
		return d.dict(k, body, path)
	case catObject:
		v, err := d.tagged(s.tag, body, path)
		if err != nil {
			return nil, err
		}
		if name := objectNameOf(v); !containsString(k.objects, name) {
			return nil, fmt.Errorf("%s: expected %s, got a %s", path, k.describe(), name)
		}
		return v, nil
	case catOneOf:
		for _, a := range k.alts {
			if a.accepts(s) {
				return d.decode(a, raw, path)
			}
		}
	}
	return nil, fmt.Errorf("%s: unexpected %s", path, s)
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// describeValue describes a value briefly for a message.
func describeValue(s shape, raw json.RawMessage) string {
	switch s.json {
	case "string", "number", "bool":
		v := strings.TrimSpace(string(raw))
		if len(v) > 40 {
			v = v[:37] + "..."
		}
		return s.String() + " " + v
	}
	return s.String()
}

func unmarshal(body json.RawMessage, dst any, path string) error {
	if err := json.Unmarshal(body, dst); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func parseInt(body json.RawMessage, path string) (int64, error) {
	var n json.Number
	if err := unmarshal(body, &n, path); err != nil {
		return 0, err
	}
	if strings.ContainsAny(n.String(), ".eE") {
		return 0, fmt.Errorf("%s: expected an integer, got %s", path, n)
	}
	i, err := n.Int64()
	if err != nil {
		return 0, fmt.Errorf("%s: integer %s out of range", path, n)
	}
	return i, nil
}

func (d *decoder) array(body json.RawMessage, path string) ([]json.RawMessage, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(body, &items); err != nil {
		return nil, fmt.Errorf("%s: expected a JSON list: %w", path, err)
	}
	return items, nil
}

func (d *decoder) dict(k *wireKind, body json.RawMessage, path string) ([][2]any, error) {
	items, err := d.array(body, path+".dict")
	if err != nil {
		return nil, err
	}
	out := make([][2]any, len(items))
	seen := map[string]bool{}
	outer := d.where
	defer func() { d.where = outer }()
	for i, it := range items {
		kv, err := d.array(it, fmt.Sprintf("%s.dict[%d]", path, i))
		if err != nil {
			return nil, err
		}
		if len(kv) != 2 {
			return nil, fmt.Errorf("%s.dict[%d]: expected a [key, value] pair, got %d items", path, i, len(kv))
		}
		if out[i][0], err = d.decode(k.key, kv[0], fmt.Sprintf("%s.dict[%d] key", path, i)); err != nil {
			return nil, err
		}
		itemPath := fmt.Sprintf("%s.dict[%d]", path, i)
		if name, ok := out[i][0].(string); ok {
			if seen[name] {
				return nil, fmt.Errorf("%s: key %q appears twice", itemPath, name)
			}
			seen[name] = true
			itemPath = fmt.Sprintf("%s[%q]", path, name)
			if k.label != "" {
				d.where = fmt.Sprintf("%s '%s'", k.label, name)
			}
		}
		if out[i][1], err = d.decode(k.elem, kv[1], itemPath); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (d *decoder) date(body json.RawMessage, path string) (CivilDate, error) {
	var s string
	if err := unmarshal(body, &s, path+".date"); err != nil {
		return CivilDate{}, err
	}
	dt, err := ParseDate(s)
	if err != nil {
		return CivilDate{}, fmt.Errorf("%s: %w", path, err)
	}
	return dt, nil
}

// literal reads the payload of a Value (or a set member, category, bound).
func (d *decoder) literal(s shape, body json.RawMessage, path string) (Literal, error) {
	switch s.json {
	case "bool":
		var b bool
		err := unmarshal(body, &b, path)
		return BoolLit(b), err
	case "string":
		var str string
		err := unmarshal(body, &str, path)
		return StrLit(str), err
	case "number":
		var n json.Number
		if err := unmarshal(body, &n, path); err != nil {
			return Literal{}, err
		}
		if strings.ContainsAny(n.String(), ".eE") {
			f, err := n.Float64()
			if err != nil {
				return Literal{}, fmt.Errorf("%s: number %s out of range", path, n)
			}
			return FloatLit(f), nil
		}
		i, err := parseInt(body, path)
		return IntLit(i), err
	}
	switch s.tag {
	case "date":
		dt, err := d.date(body, path)
		return DateLit(dt), err
	case "float":
		var tok string
		if err := unmarshal(body, &tok, path+".float"); err != nil {
			return Literal{}, err
		}
		switch tok {
		case "NaN":
			return FloatLit(math.NaN()), nil
		case "Infinity":
			return FloatLit(math.Inf(1)), nil
		case "-Infinity":
			return FloatLit(math.Inf(-1)), nil
		}
		return Literal{}, fmt.Errorf("%s: invalid float %q", path, tok)
	case "frozenset":
		items, err := d.array(body, path+".frozenset")
		if err != nil {
			return Literal{}, err
		}
		members := make([]Literal, len(items))
		elem := Any
		for i, it := range items {
			v, err := d.decode(kindLiteral, it, fmt.Sprintf("%s.frozenset[%d]", path, i))
			if err != nil {
				return Literal{}, err
			}
			members[i] = v.(Literal)
			elem = members[i].Type()
		}
		l, err := SetLit(elem, members)
		if err != nil {
			return Literal{}, fmt.Errorf("%s: %w", path, err)
		}
		return l, nil
	}
	sys, err := codelists.ParseSystem(s.tag)
	if err != nil {
		return Literal{}, fmt.Errorf("%s: %w", path, err)
	}
	var code string
	if err := unmarshal(body, &code, path+"."+s.tag); err != nil {
		return Literal{}, err
	}
	l, err := CodeLit(sys, code)
	if err != nil {
		return Literal{}, fmt.Errorf("%s: %w", path, err)
	}
	return l, nil
}

// tagged decodes a tagged object: a reference, a Value, a catalogue table,
// or a declared object or node.
func (d *decoder) tagged(tag string, body json.RawMessage, path string) (any, error) {
	switch tag {
	case "ref":
		var id string
		if err := unmarshal(body, &id, path+".ref"); err != nil {
			return nil, err
		}
		return d.ref(id)
	case "Value":
		s, inner, err := shapeOf(body)
		if err != nil {
			return nil, fmt.Errorf("%s.Value: %w", path, err)
		}
		if !kindLiteral.accepts(s) {
			return nil, fmt.Errorf("%s.Value: expected %s, got %s", path, kindLiteral.describe(), describeValue(s, body))
		}
		lit, err := d.literal(s, inner, path+".Value")
		if err != nil {
			return nil, err
		}
		n, err := Value(lit)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return n, nil
	case "external_ref":
		return d.externalRef(body, path)
	}
	decl, ok := decls[tag]
	if !ok {
		return nil, fmt.Errorf("%s: unsupported object type %q", path, tag)
	}
	if decl.op == OpInvalid || decl.stored {
		return d.object(decl, body, path)
	}
	// A table declared inline is written in full wherever it is used:
	// decode each spelling once.
	key := tag + string(body)
	if n, ok := d.inline[key]; ok {
		return n, nil
	}
	v, err := d.object(decl, body, path)
	if err == nil {
		d.inline[key] = v
	}
	return v, err
}

func (d *decoder) externalRef(body json.RawMessage, path string) (*Node, error) {
	path += ".external_ref"
	ms, err := members(body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	ref := map[string]string{}
	for _, m := range ms {
		if m.key != "module" && m.key != "name" {
			return nil, fmt.Errorf("%s: unexpected field %q (expected module, name)", path, m.key)
		}
		var s string
		if err := unmarshal(m.value, &s, path+"."+m.key); err != nil {
			return nil, err
		}
		ref[m.key] = s
	}
	if len(ref) != 2 {
		return nil, fmt.Errorf("%s: expected the fields module and name", path)
	}
	t, ok := d.resolver.LookupTable(ref["module"], ref["name"])
	if !ok {
		return nil, fmt.Errorf("%s: unknown table %s.%s", path, ref["module"], ref["name"])
	}
	n, err := SelectTable(t)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return n, nil
}

func (d *decoder) ref(id string) (any, error) {
	if v, ok := d.refs[id]; ok {
		return v, nil
	}
	raw, ok := d.doc[id]
	if !ok || id == "value" {
		return nil, fmt.Errorf("ref %q: no such node in the document", id)
	}
	if d.busy[id] {
		return nil, fmt.Errorf("node %s refers to itself", id)
	}
	d.busy[id] = true
	defer delete(d.busy, id)
	path := "node " + id
	s, body, err := shapeOf(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if s.json != "object" {
		return nil, fmt.Errorf("%s: expected a node, got %s", path, describeValue(s, raw))
	}
	v, err := d.tagged(s.tag, body, path)
	if err != nil {
		return nil, err
	}
	d.refs[id] = v
	return v, nil
}

// object decodes a declared object or node: its fields checked against
// their declared kinds, then built.
func (d *decoder) object(decl *objectDecl, body json.RawMessage, path string) (any, error) {
	path = path + " (" + decl.name + ")"
	if decl.op != OpInvalid {
		d.depth++
		defer func() { d.depth-- }()
		if d.depth > MaxDepth {
			return nil, d.tooDeep(path)
		}
	}
	ms, err := members(body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if decl.columns != nil {
		return d.tableSchema(decl, ms, path)
	}
	byName := make(map[string]json.RawMessage, len(ms))
	for _, m := range ms {
		byName[m.key] = m.value
	}
	values := make([]any, len(decl.fields))
	names := make([]string, len(decl.fields))
	for i, f := range decl.fields {
		names[i] = f.name
		raw, ok := byName[f.name]
		if !ok {
			if f.optional {
				continue
			}
			return nil, fmt.Errorf("%s: missing field %q", path, f.name)
		}
		delete(byName, f.name)
		if values[i], err = d.decode(f.kind, raw, path+"."+f.name); err != nil {
			return nil, err
		}
	}
	for _, m := range ms {
		if _, extra := byName[m.key]; extra {
			return nil, fmt.Errorf("%s: unexpected field %q (expected %s)", path, m.key, strings.Join(names, ", "))
		}
	}
	v, err := decl.build(d, values)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if n, ok := v.(*Node); ok {
		if err := d.measure(n, path); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// measure records a node's height (the longest chain of nodes below it)
// and refuses one deeper than MaxDepth, however its parts were shared.
func (d *decoder) measure(n *Node, path string) error {
	h := 1
	for _, a := range n.args {
		if a != nil && d.heights[a]+1 > h {
			h = d.heights[a] + 1
		}
	}
	if h > MaxDepth {
		return d.tooDeep(path)
	}
	d.heights[n] = h
	return nil
}

func (d *decoder) tooDeep(path string) error {
	where := ""
	if d.where != "" {
		where = " in " + d.where
	}
	return fmt.Errorf("%s: the query model nests nodes more than %d deep%s; split the expression into smaller steps", path, MaxDepth, where)
}

// tableSchema reads a TableSchema in ehrQL's form, one member per column
// ({"TableSchema": {"age": {"Column": ...}, ...}}), or in the form this
// engine once wrote ({"TableSchema": {"schema": {"dict": [[name, Column], ...]}}}).
func (d *decoder) tableSchema(decl *objectDecl, ms []member, path string) ([]Column, error) {
	if len(ms) == 1 && ms[0].key == "schema" {
		if s, _, err := shapeOf(ms[0].value); err == nil && s.tag == "dict" {
			pairs, err := d.decode(dictOf(kindStr, decl.columns), ms[0].value, path+".schema")
			if err != nil {
				return nil, err
			}
			cols := []Column{}
			for _, kv := range pairs.([][2]any) {
				c := kv[1].(Column)
				c.Name = kv[0].(string)
				cols = append(cols, c)
			}
			return cols, nil
		}
	}
	cols := []Column{}
	for _, m := range ms {
		v, err := d.decode(decl.columns, m.value, fmt.Sprintf("%s[%q]", path, m.key))
		if err != nil {
			return nil, err
		}
		c := v.(Column)
		c.Name = m.key
		cols = append(cols, c)
	}
	return cols, nil
}

// inlineTable builds a table declared inline (SelectTable or
// SelectPatientTable): a user-defined table, never a catalogue table and
// never one that requires a permission.
func (d *decoder) inlineTable(op Op, v []any) (*Node, error) {
	t := &Table{Name: v[0].(string), PatientLevel: op == OpSelectPatientTable, Columns: v[1].([]Column), ActivationFilterField: v[3]}
	if err := d.checkUserTableName(t.Name); err != nil {
		return nil, err
	}
	if v[2] != nil {
		return nil, fmt.Errorf("table %s: required_permission: a table declared in the query model cannot require a permission (got %q); permissions come only from the table catalogue", t.Name, v[2])
	}
	if col, ok := v[3].(string); ok {
		if c, found := t.Column(col); !found || c.Type != Date {
			return nil, fmt.Errorf("table %s: activation_filter_field %q is not a date column of the table", t.Name, col)
		}
	}
	return SelectTable(t)
}

// checkUserTableName refuses a table declared in the query model that
// takes the name of a catalogue table.
func (d *decoder) checkUserTableName(name string) error {
	if d.resolver.CataloguedName(name) {
		return fmt.Errorf("table %s: a catalogue table cannot be declared in the query model: refer to it as an external_ref (its columns and permissions come only from the catalogue)", name)
	}
	return nil
}

// inlinePatientTable builds an InlinePatientTable from its rows: written
// inline as tuples, or read from the file a rows reader names.
func (d *decoder) inlinePatientTable(v []any) (*Node, error) {
	cols := v[1].([]Column)
	t := &Table{Name: "inline_table", PatientLevel: true, Columns: cols}
	if f, ok := v[0].(*rowsFile); ok {
		stem := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(filepath.Base(f.path), ".gz"), ".csv"), ".arrow")
		t.Name = TableFileName(stem)
	}
	if v[2] != nil {
		t.Name = v[2].(string)
	}
	if err := d.checkUserTableName(t.Name); err != nil {
		return nil, err
	}
	var rows [][]Literal
	var err error
	switch x := v[0].(type) {
	case *rowsFile:
		rows, err = x.read(cols)
	case []any:
		rows, err = inlineRows(x, cols)
	}
	if err != nil {
		return nil, err
	}
	return InlinePatientTable(t, rows)
}

// inlineRows converts rows written inline: each a tuple of patient_id and
// the columns' values (null for NULL).
func inlineRows(items []any, cols []Column) ([][]Literal, error) {
	rows := make([][]Literal, len(items))
	for i, it := range items {
		cells := it.([]any)
		row := make([]Literal, len(cells))
		for j, cell := range cells {
			if cell == nil {
				continue
			}
			l := cell.(Literal)
			if j > 0 && j-1 < len(cols) {
				switch want := cols[j-1].Type; {
				case want == Float && l.Type() == Int:
					l = FloatLit(float64(l.Go().(int64)))
				case want.Kind == KindMultiCode && l.Type() == Str:
					l = Literal{want, l.Go()}
				}
			}
			row[j] = l
		}
		rows[i] = row
	}
	return rows, nil
}

// resolvePath resolves a path named in the query model inside the
// definition's directory, as ehrQL's deserializer does: relative paths
// are taken from the directory, symbolic links are followed, and the file
// must lie inside the directory.
func (d *decoder) resolvePath(p string) (string, error) {
	if d.dir == "" {
		return "", fmt.Errorf("filename: the file %q cannot be read: the definition's directory is not known", p)
	}
	root, err := filepath.Abs(d.dir)
	if err == nil {
		root, err = filepath.EvalSymlinks(root)
	}
	if err != nil {
		return "", fmt.Errorf("filename: the definition's directory %q cannot be resolved: %w", d.dir, err)
	}
	full := p
	if !filepath.IsAbs(p) {
		full = filepath.Join(root, p)
	}
	real, err := filepath.EvalSymlinks(full)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("filename: Missing file: %s", p)
		}
		return "", fmt.Errorf("filename: %q cannot be resolved: %w", p, err)
	}
	if rel, err := filepath.Rel(root, real); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("filename: Path %q is not contained within the directory %q", p, root)
	}
	return real, nil
}
