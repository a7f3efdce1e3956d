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
func Encode(def *Definition) ([]byte, error) {
	e := &encoder{ids: map[*Node]string{}, dsID: ""}
	var root bytes.Buffer
	if err := e.moduleDetails(&root, def); err != nil {
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
	ids    map[*Node]string
	byID   map[ID]string
	stored []storedNode
	dsID   string
}

func (e *encoder) newID() string {
	e.next++
	return strconv.Itoa(e.next)
}

func (e *encoder) moduleDetails(b *bytes.Buffer, def *Definition) error {
	b.WriteString(`{"ModuleDetails": {"dataset": `)
	if def.Dataset == nil {
		b.WriteString("null")
	} else {
		id := e.newID()
		var body bytes.Buffer
		if err := e.dataset(&body, def.Dataset); err != nil {
			return err
		}
		e.stored = append(e.stored, storedNode{id, body.Bytes()})
		fmt.Fprintf(b, `{"ref": %q}`, id)
	}
	b.WriteString(`, "dataset_dummy_data_config": `)
	if err := e.dummyConfig(b, def.DatasetDummyDataConfig); err != nil {
		return err
	}
	b.WriteString(`, "test_data": null, "measures": `)
	if def.Measures == nil {
		b.WriteString("null")
	} else {
		b.WriteString(`{"MeasureCollection": {"measures": [`)
		for i, m := range def.Measures {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(b, `{"Measure": {"name": %s, "numerator": `, quote(m.Name))
			if err := e.node(b, m.Numerator); err != nil {
				return err
			}
			b.WriteString(`, "denominator": `)
			if err := e.node(b, m.Denominator); err != nil {
				return err
			}
			b.WriteString(`, "group_by": `)
			if err := e.variables(b, m.GroupBy); err != nil {
				return err
			}
			b.WriteString(`, "intervals": {"tuple": [`)
			for j, iv := range m.Intervals {
				if j > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(b, `{"tuple": [{"date": %q}, {"date": %q}]}`, iv[0], iv[1])
			}
			b.WriteString("]}}}")
		}
		b.WriteString("]}}")
	}
	b.WriteString(`, "measures_dummy_data_config": `)
	if err := e.dummyConfig(b, def.MeasuresDummyDataConfig); err != nil {
		return err
	}
	b.WriteString(`, "measures_disclosure_control_config": `)
	if def.MeasuresDisclosureControl == nil {
		b.WriteString("null")
	} else {
		fmt.Fprintf(b, `{"DisclosureControlConfig": {"enabled": %t}}`, def.MeasuresDisclosureControl.Enabled)
	}
	b.WriteString(`, "claimed_permissions": {"tuple": [`)
	for i, p := range def.ClaimedPermissions {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quote(p))
	}
	b.WriteString("]}}}")
	return nil
}

func (e *encoder) dummyConfig(b *bytes.Buffer, c *DummyDataConfig) error {
	if c == nil {
		b.WriteString("null")
		return nil
	}
	fmt.Fprintf(b, `{"DummyDataConfig": {"population_size": %d, "legacy": %t, "timeout": %d, "additional_population_constraint": `,
		c.PopulationSize, c.Legacy, c.Timeout)
	if c.AdditionalPopulationConstraint == nil {
		b.WriteString("null")
	} else if err := e.node(b, c.AdditionalPopulationConstraint); err != nil {
		return err
	}
	b.WriteString("}}")
	return nil
}

func (e *encoder) dataset(b *bytes.Buffer, ds *Dataset) error {
	b.WriteString(`{"Dataset": {"population": `)
	if err := e.node(b, ds.Population); err != nil {
		return err
	}
	b.WriteString(`, "variables": `)
	if err := e.variables(b, ds.Variables); err != nil {
		return err
	}
	b.WriteString(`, "events": {"dict": [`)
	for i, ev := range ds.Events {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(b, "[%s, ", quote(ev.Name))
		if err := e.node(b, ev.Frame); err != nil {
			return err
		}
		b.WriteString("]")
	}
	b.WriteString(`]}, "measures": null}}`)
	return nil
}

func (e *encoder) variables(b *bytes.Buffer, vars []Variable) error {
	b.WriteString(`{"dict": [`)
	for i, v := range vars {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(b, "[%s, ", quote(v.Name))
		if err := e.node(b, v.Series); err != nil {
			return err
		}
		b.WriteString("]")
	}
	b.WriteString("]}")
	return nil
}

// node writes a reference to n (or n inline, for values and tables),
// storing n's body after its children.
func (e *encoder) node(b *bytes.Buffer, n *Node) error {
	if n == nil {
		b.WriteString("null")
		return nil
	}
	switch n.op {
	case OpValue:
		b.WriteString(`{"Value": `)
		writeLiteral(b, n.lit)
		b.WriteString("}")
		return nil
	case OpSelectTable, OpSelectPatientTable:
		if n.table.Module != "" {
			fmt.Fprintf(b, `{"external_ref": {"module": %s, "name": %s}}`, quote(n.table.Module), quote(n.table.Name))
			return nil
		}
		return e.inlineTable(b, n)
	}
	if e.byID == nil {
		e.byID = map[ID]string{}
	}
	if id, ok := e.byID[n.id]; ok {
		fmt.Fprintf(b, `{"ref": %q}`, id)
		return nil
	}
	id := e.newID()
	e.byID[n.id] = id
	var body bytes.Buffer
	if err := e.body(&body, n); err != nil {
		return err
	}
	e.stored = append(e.stored, storedNode{id, body.Bytes()})
	fmt.Fprintf(b, `{"ref": %q}`, id)
	return nil
}

func (e *encoder) body(b *bytes.Buffer, n *Node) error {
	fmt.Fprintf(b, `{%q: {`, n.op.String())
	defer b.WriteString("}}")
	switch n.op {
	case OpParameter:
		fmt.Fprintf(b, `"name": %s, "type": {"type": %q}`, quote(n.name), n.typ.Name())
		return nil
	case OpSelectColumn:
		b.WriteString(`"source": `)
		if err := e.node(b, n.args[0]); err != nil {
			return err
		}
		fmt.Fprintf(b, `, "name": %s`, quote(n.name))
		return nil
	case OpPickOneRowPerPatient:
		b.WriteString(`"source": `)
		if err := e.node(b, n.args[0]); err != nil {
			return err
		}
		fmt.Fprintf(b, `, "position": {"Position": %q}`, string(n.position))
		return nil
	case OpCountEpisodes:
		b.WriteString(`"source": `)
		if err := e.node(b, n.args[0]); err != nil {
			return err
		}
		fmt.Fprintf(b, `, "maximum_gap_days": %d`, n.gap)
		return nil
	case OpMinimumOf, OpMaximumOf:
		b.WriteString(`"sources": {"tuple": [`)
		for i, a := range n.args {
			if i > 0 {
				b.WriteString(", ")
			}
			if err := e.node(b, a); err != nil {
				return err
			}
		}
		b.WriteString("]}")
		return nil
	case OpCase:
		conds, values, def := n.CaseBranches()
		b.WriteString(`"cases": {"dict": [`)
		for i := range conds {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("[")
			if err := e.node(b, conds[i]); err != nil {
				return err
			}
			b.WriteString(", ")
			if err := e.node(b, values[i]); err != nil {
				return err
			}
			b.WriteString("]")
		}
		b.WriteString(`]}, "default": `)
		return e.node(b, def)
	case OpSeriesCollectionFrame:
		b.WriteString(`"members": {"dict": [`)
		for i, a := range n.args {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(b, "[%s, ", quote(n.names[i]))
			if err := e.node(b, a); err != nil {
				return err
			}
			b.WriteString("]")
		}
		b.WriteString("]}")
		return nil
	case OpInlinePatientTable:
		// ehrQL writes the file's path; we write the rows themselves, so a
		// saved definition replays without the file.
		b.WriteString(`"rows": {"tuple": [`)
		for i, r := range n.rows {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(`{"tuple": [`)
			for j, v := range r {
				if j > 0 {
					b.WriteString(", ")
				}
				if v.Go() == nil {
					b.WriteString("null")
				} else {
					writeLiteral(b, v)
				}
			}
			b.WriteString("]}")
		}
		b.WriteString(`]}, "schema": `)
		writeSchema(b, n.table)
		fmt.Fprintf(b, `, "name": %s`, quote(n.table.Name))
		return nil
	}
	for i, name := range opInfos[n.op].fields {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(b, "%q: ", name)
		if err := e.node(b, n.args[i]); err != nil {
			return err
		}
	}
	return nil
}

func (e *encoder) inlineTable(b *bytes.Buffer, n *Node) error {
	t := n.table
	fmt.Fprintf(b, `{%q: {"name": %s, "schema": `, n.op.String(), quote(t.Name))
	writeSchema(b, t)
	b.WriteString(`, "required_permission": `)
	if t.RequiredPermission == "" {
		b.WriteString("null")
	} else {
		b.WriteString(quote(t.RequiredPermission))
	}
	b.WriteString(`, "activation_filter_field": `)
	a, _ := json.Marshal(t.ActivationFilterField)
	b.Write(a)
	b.WriteString("}}")
	return nil
}

// writeSchema writes a table's columns as a TableSchema.
func writeSchema(b *bytes.Buffer, t *Table) {
	b.WriteString(`{"TableSchema": {"schema": {"dict": [`)
	for i, c := range t.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(b, `[%s, {"Column": {"type_": {"type": %q}, "constraints": `, quote(c.Name), c.Type.Name())
		writeConstraints(b, c.Constraints)
		b.WriteString(`, "dummy_data_constraints": `)
		writeConstraints(b, c.DummyDataConstraints)
		b.WriteString("}}]")
	}
	b.WriteString("]}}}")
}

func writeConstraints(b *bytes.Buffer, cs []Constraint) {
	b.WriteString(`{"tuple": [`)
	for i, c := range cs {
		if i > 0 {
			b.WriteString(", ")
		}
		switch c := c.(type) {
		case Categorical:
			b.WriteString(`{"Categorical": {"values": {"tuple": [`)
			for j, v := range c.Values {
				if j > 0 {
					b.WriteString(", ")
				}
				writeLiteral(b, v)
			}
			b.WriteString("]}}}")
		case Regex:
			fmt.Fprintf(b, `{"Regex": {"regex": %s}}`, quote(c.Pattern))
		case ClosedRange:
			fmt.Fprintf(b, `{"ClosedRange": {"minimum": %d, "maximum": %d, "step": %d}}`, c.Min, c.Max, c.Step)
		case GeneralRange:
			b.WriteString(`{"GeneralRange": {"minimum": `)
			writeOptLiteral(b, c.Min)
			b.WriteString(`, "maximum": `)
			writeOptLiteral(b, c.Max)
			fmt.Fprintf(b, `, "includes_minimum": %t, "includes_maximum": %t}}`, c.IncludesMinimum, c.IncludesMaximum)
		case DateAfter:
			b.WriteString(`{"DateAfter": {"column_names": {"tuple": [`)
			for j, name := range c.Columns {
				if j > 0 {
					b.WriteString(", ")
				}
				b.WriteString(quote(name))
			}
			b.WriteString("]}}}")
		default:
			fmt.Fprintf(b, `{%q: {}}`, c.ConstraintName())
		}
	}
	b.WriteString("]}")
}

func writeOptLiteral(b *bytes.Buffer, l *Literal) {
	if l == nil {
		b.WriteString("null")
		return
	}
	writeLiteral(b, *l)
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
