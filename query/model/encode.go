package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// Encode writes a definition in ehrQL's JSON wire format, as ehrQL's
// serialize-definition does: a ModuleDetails document whose nodes are stored
// once each under string ids assigned in pre-order and written in post-order.
// Catalogue tables are written as external_ref; user-defined tables inline.
// Every object is written from its declaration (objectDecls), as Decode
// reads it.
func Encode(def *Definition) ([]byte, error) { return encodeDocument(objectOf("ModuleDetails"), def) }

// encodeDocument writes a document of the wire format whose value, v, is
// of kind k, with its nodes stored as Encode says.
func encodeDocument(k *wireKind, v any) ([]byte, error) {
	e := &encoder{byID: map[ID]string{}}
	var root bytes.Buffer
	if err := e.value(&root, k, v); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.WriteString(`{"value": `)
	out.Write(root.Bytes())
	for _, n := range e.stored {
		out.WriteString(", ")
		out.WriteString(strconv.Quote(n.id))
		out.WriteString(": ")
		out.Write(n.body)
	}
	out.WriteString("}")
	return out.Bytes(), nil
}

type storedNode struct {
	id   string
	body []byte
}

type encoder struct {
	next   int
	byID   map[ID]string
	stored []storedNode
}

func (e *encoder) newID() string {
	e.next++
	return strconv.Itoa(e.next)
}

// isNil reports whether v is nil or a nil pointer, slice or node.
func isNil(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case *Node:
		return x == nil
	case *Dataset:
		return x == nil
	case *DummyDataConfig:
		return x == nil
	case *DisclosureControlConfig:
		return x == nil
	case *DefinitionError:
		return x == nil
	}
	return false
}

// value writes v as a value of kind k.
func (e *encoder) value(b *bytes.Buffer, k *wireKind, v any) error {
	if isNil(v) {
		if !k.nullable && k.cat != catNull && k.cat != catAny && k.cat != catActivation {
			return fmt.Errorf("cannot write null as %s", k.describe())
		}
		b.WriteString("null")
		return nil
	}
	switch k.cat {
	case catBool:
		b.WriteString(strconv.FormatBool(v.(bool)))
	case catInt:
		b.WriteString(strconv.FormatInt(v.(int64), 10))
	case catStr:
		b.WriteString(quote(v.(string)))
	case catNode:
		return e.node(b, v.(*Node))
	case catType:
		fmt.Fprintf(b, `{"type": %q}`, v.(Type).Name())
	case catPosition:
		fmt.Fprintf(b, `{"Position": %q}`, string(v.(Position)))
	case catDate:
		fmt.Fprintf(b, `{"date": %q}`, v.(CivilDate).String())
	case catLiteral:
		writeLiteral(b, v.(Literal))
	case catPath:
		fmt.Fprintf(b, `{"Path": %s}`, quote(v.(string)))
	case catActivation, catAny:
		data, err := json.Marshal(v)
		if err != nil {
			return err
		}
		b.Write(data)
	case catTuple, catList:
		if k.cat == catTuple {
			b.WriteString(`{"tuple": `)
		}
		b.WriteString("[")
		for i, it := range v.([]any) {
			if i > 0 {
				b.WriteString(", ")
			}
			if err := e.value(b, k.elem, it); err != nil {
				return err
			}
		}
		b.WriteString("]")
		if k.cat == catTuple {
			b.WriteString("}")
		}
	case catPair:
		pair := v.([2]any)
		b.WriteString(`{"tuple": [`)
		if err := e.value(b, k.key, pair[0]); err != nil {
			return err
		}
		b.WriteString(", ")
		if err := e.value(b, k.elem, pair[1]); err != nil {
			return err
		}
		b.WriteString("]}")
	case catDict:
		b.WriteString(`{"dict": [`)
		for i, kv := range v.([][2]any) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("[")
			if err := e.value(b, k.key, kv[0]); err != nil {
				return err
			}
			b.WriteString(", ")
			if err := e.value(b, k.elem, kv[1]); err != nil {
				return err
			}
			b.WriteString("]")
		}
		b.WriteString("]}")
	case catObject:
		decl, ok := decls[objectNameOf(v)]
		if !ok || !containsString(k.objects, decl.name) {
			return fmt.Errorf("cannot write a %s as %s", objectNameOf(v), k.describe())
		}
		return e.object(b, decl, v)
	case catOneOf:
		for _, a := range k.alts {
			if a.holds(v) {
				return e.value(b, a, v)
			}
		}
		return fmt.Errorf("cannot write %T as %s", v, k.describe())
	default:
		return fmt.Errorf("cannot write %T as %s", v, k.describe())
	}
	return nil
}

// object writes a declared object: inline, or for stored objects (nodes)
// once under an id, referred to by ref.
func (e *encoder) object(b *bytes.Buffer, decl *objectDecl, v any) error {
	if !decl.stored {
		return e.body(b, decl, v)
	}
	n, isNode := v.(*Node)
	if isNode {
		if id, ok := e.byID[n.id]; ok {
			fmt.Fprintf(b, `{"ref": %q}`, id)
			return nil
		}
	}
	id := e.newID()
	if isNode {
		e.byID[n.id] = id
	}
	var body bytes.Buffer
	if err := e.body(&body, decl, v); err != nil {
		return err
	}
	e.stored = append(e.stored, storedNode{id, body.Bytes()})
	fmt.Fprintf(b, `{"ref": %q}`, id)
	return nil
}

// body writes {"Name": {fields}} from the declaration.
func (e *encoder) body(b *bytes.Buffer, decl *objectDecl, v any) error {
	fmt.Fprintf(b, `{%q: {`, decl.name)
	if decl.columns != nil {
		for i, c := range v.([]Column) {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(b, "%s: ", quote(c.Name))
			if err := e.value(b, decl.columns, c); err != nil {
				return err
			}
		}
		b.WriteString("}}")
		return nil
	}
	if decl.parts == nil {
		return fmt.Errorf("%s objects are read, never written", decl.name)
	}
	parts, err := decl.parts(v)
	if err != nil {
		return err
	}
	for i, f := range decl.fields {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(b, "%q: ", f.name)
		if err := e.value(b, f.kind, parts[i]); err != nil {
			return fmt.Errorf("%s.%s: %w", decl.name, f.name, err)
		}
	}
	b.WriteString("}}")
	return nil
}

// node writes a node: Values inline, catalogue tables as external_ref,
// the rest from their declarations.
func (e *encoder) node(b *bytes.Buffer, n *Node) error {
	switch {
	case n.op == OpValue:
		b.WriteString(`{"Value": `)
		writeLiteral(b, n.lit)
		b.WriteString("}")
		return nil
	case (n.op == OpSelectTable || n.op == OpSelectPatientTable) && n.table.Module != "":
		fmt.Fprintf(b, `{"external_ref": {"module": %s, "name": %s}}`, quote(n.table.Ref().Module), quote(n.table.Ref().Name))
		return nil
	}
	return e.object(b, decls[n.op.String()], n)
}

// writeLiteral writes a literal's wire form (without the Value wrapper).
func writeLiteral(b *bytes.Buffer, l Literal) {
	switch v := l.v.(type) {
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case float64:
		b.WriteString(formatFloat(v))
	case string:
		if l.typ.Kind == KindCode {
			fmt.Fprintf(b, `{%q: %s}`, l.typ.Name(), quote(v))
		} else {
			b.WriteString(quote(v))
		}
	case CivilDate:
		fmt.Fprintf(b, `{"date": %q}`, v.String())
	case []Literal:
		b.WriteString(`{"frozenset": [`)
		for i, m := range v {
			if i > 0 {
				b.WriteString(", ")
			}
			writeLiteral(b, m)
		}
		b.WriteString("]}")
	}
}

func formatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case math.IsNaN(f):
		return "NaN"
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !bytes.ContainsAny([]byte(s), ".eE") {
		s += ".0"
	}
	return s
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// holds reports whether v is the Go form of a value of kind k, for
// choosing among the alternatives of a oneOf kind.
func (k *wireKind) holds(v any) bool {
	switch v.(type) {
	case []any:
		return k.cat == catTuple || k.cat == catList
	case [][2]any:
		return k.cat == catDict
	case bool:
		return k.cat == catBool
	}
	return k.cat == catObject
}
