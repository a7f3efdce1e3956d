package model

// WireField describes one declared field of the wire format, for tests.
type WireField struct {
	Object, Field string
	Kind          *wireKind
}

// WireFields lists every declared field of every object and node kind.
func WireFields() []WireField {
	var out []WireField
	for name, d := range decls {
		for _, f := range d.fields {
			out = append(out, WireField{name, f.name, f.kind})
		}
	}
	return out
}

// WireKindOf returns the declared kind of an object's field.
func WireKindOf(object, field string) *wireKind {
	d, ok := decls[object]
	if !ok {
		return nil
	}
	for _, f := range d.fields {
		if f.name == field {
			return f.kind
		}
	}
	return nil
}

// WrongValues lists JSON values that a field of kind k must refuse: each of
// a shape the kind does not accept.
func WrongValues(k *wireKind) []string {
	var vals []string
	switch k.cat {
	case catNull:
		vals = []string{`1`, `"x"`, `{"tuple": []}`}
	case catBool:
		vals = []string{`"true"`, `1`, `"false"`, `0`, `null`, `{"tuple": []}`}
	case catInt:
		vals = []string{`"1"`, `1.5`, `true`, `null`, `{"Value": 1}`}
	case catStr:
		vals = []string{`1`, `true`, `null`, `{"tuple": []}`}
	case catNode:
		vals = []string{`"x"`, `1`, `null`, `{"tuple": []}`, `{"date": "2020-01-01"}`, `{"DisclosureControlConfig": {"enabled": true}}`}
	case catType:
		vals = []string{`"int"`, `{"type": 1}`, `{"type": "decimal"}`, `null`}
	case catPosition:
		vals = []string{`"first"`, `{"Position": "middle"}`, `null`}
	case catDate:
		vals = []string{`"2020-01-01"`, `{"date": "2020-13-01"}`, `null`}
	case catLiteral:
		vals = []string{`[1]`, `{"tuple": [1]}`, `{"Dataset": {}}`, `null`}
	case catPath:
		vals = []string{`"x.csv"`, `{"Path": 1}`, `null`}
	case catActivation:
		vals = []string{`true`, `1`, `{"tuple": []}`}
	case catAny:
		return nil
	case catTuple:
		vals = []string{`[]`, `"x"`, `{"dict": []}`, `null`, `{"tuple": [` + WrongValues(k.elem)[0] + `]}`}
	case catList:
		vals = []string{`{"tuple": []}`, `"x"`, `null`, `[` + WrongValues(k.elem)[0] + `]`}
	case catDict:
		vals = []string{`[]`, `{"tuple": []}`, `null`, `{"dict": [["a"]]}`, `{"dict": 1}`}
		if wrongKeys := WrongValues(k.key); len(wrongKeys) > 0 {
			vals = append(vals, `{"dict": [[`+wrongKeys[0]+`, null]]}`)
		}
	case catPair:
		vals = []string{`{"tuple": [1]}`, `[1, 2]`, `null`}
	case catObject:
		vals = []string{`"x"`, `1`, `null`, `{"NoSuchObject": {}}`, `{"tuple": []}`}
	case catOneOf:
		vals = []string{`"x"`, `1`, `null`}
	default:
		panic("WrongValues: no wrong values for this kind's category")
	}
	if k.nullable {
		out := vals[:0]
		for _, v := range vals {
			if v != "null" {
				out = append(out, v)
			}
		}
		vals = out
	}
	return vals
}
