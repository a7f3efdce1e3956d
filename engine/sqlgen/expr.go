package sqlgen

import (
	"fmt"
	"math"
	"strings"

	"github.com/ehrql-go/ehrql/query/model"
)

// expr compiles a series node to a SQL expression in scope s.
func (c *compiler) expr(n *model.Node, s *scope) (string, error) {
	if n == nil {
		return "NULL", nil
	}
	switch n.Op() {
	case model.OpValue:
		if n.Type().Set {
			return "", &UnsupportedError{"a set literal outside is_in"}
		}
		return literal(n.Literal()), nil
	case model.OpSelectColumn:
		return c.column(n, s)
	case model.OpParameter:
		if s.iv == "" {
			return "", fmt.Errorf("internal error: parameter %s outside a per-interval scope", n.Name())
		}
		if n.Name() == "interval_start_date" {
			return s.iv + ".start_date", nil
		}
		return s.iv + ".end_date", nil
	case model.OpCase:
		return c.caseExpr(n, s)
	}
	if f, ok := functions[n.Op()]; ok && f.expr != nil {
		return f.expr(c, n, s)
	}
	if n.Op().IsAggregation() {
		return c.aggregate(n, s)
	}
	args := make([]string, len(n.Args()))
	for i, a := range n.Args() {
		var err error
		if args[i], err = c.expr(a, s); err != nil {
			return "", err
		}
	}
	return c.function(n, args)
}

// errorMessage is the start of the message of an error the SQL raises on
// data while evaluating n: the marker, where n is (the variable being
// compiled), what n does and the kind of error it raises.
func (c *compiler) errorMessage(n *model.Node) string {
	kind := n.Op().Raises()
	where := ""
	if c.where != "" {
		where = c.where + ": "
	}
	return literal(model.StrLit(fmt.Sprintf("%s: %s%s: %s", DataErrorMarker, where, n.Op(), kind)))
}

func (c *compiler) caseExpr(n *model.Node, s *scope) (string, error) {
	conds, values, def := n.CaseBranches()
	if src, ok := fixedValueMap(conds, values); ok {
		return c.lookupExpr(n, src, s)
	}
	var b strings.Builder
	b.WriteString("CASE")
	for i := range conds {
		cond, err := c.expr(conds[i], s)
		if err != nil {
			return "", err
		}
		val, err := c.expr(values[i], s)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, " WHEN %s THEN %s", cond, val)
	}
	d, err := c.expr(def, s)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(&b, " ELSE %s END", d)
	return "CAST(" + b.String() + " AS " + sqlType(n.Type()) + ")", nil
}

// minLookup is the number of branches from which a Case that maps values
// of one series to constants is compiled as a lookup table.
const minLookup = 8

// fixedValueMap recognises a Case whose conditions all test one series for
// equality with a constant, and whose values are constants or NULL (ehrQL's
// map_values and to_category), returning the series tested.
func fixedValueMap(conds, values []*model.Node) (*model.Node, bool) {
	if len(conds) < minLookup {
		return nil, false
	}
	var src *model.Node
	for i, cond := range conds {
		if cond.Op() != model.OpEQ || cond.Arg(1).Op() != model.OpValue || cond.Arg(1).Type().Set {
			return nil, false
		}
		if f, ok := cond.Arg(1).Literal().Go().(float64); ok && math.IsNaN(f) {
			return nil, false // NaN equals nothing, but joins on itself
		}
		if src == nil {
			src = cond.Arg(0)
		} else if src.ID() != cond.Arg(0).ID() {
			return nil, false
		}
		if v := values[i]; v != nil && (v.Op() != model.OpValue || v.Type().Set) {
			return nil, false
		}
	}
	return src, true
}

// lookupExpr compiles such a Case as a join with a table of (key, value)
// pairs, the first branch of a repeated key winning as in the Case.
func (c *compiler) lookupExpr(n, src *model.Node, s *scope) (string, error) {
	if v, ok := s.lookups[n.ID()]; ok {
		return v, nil
	}
	x, err := c.expr(src, s)
	if err != nil {
		return "", err
	}
	name, ok := c.tablesOf[n.ID()]
	if !ok {
		conds, values, _ := n.CaseBranches()
		seen := map[string]bool{}
		var rows []string
		for i, cond := range conds {
			k := literal(cond.Arg(1).Literal())
			if seen[k] {
				continue
			}
			seen[k] = true
			v := "CAST(NULL AS " + sqlType(n.Type()) + ")"
			if values[i] != nil {
				v = literal(values[i].Literal())
			}
			rows = append(rows, "("+k+", "+v+")")
		}
		name = c.name("lookup")
		c.ctes = append(c.ctes, fmt.Sprintf("%s AS (\n  SELECT * FROM (VALUES %s) AS t(k, v)\n)", name, strings.Join(rows, ", ")))
		c.tablesOf[n.ID()] = name
	}
	alias := c.name(name)
	s.joins = append(s.joins, fmt.Sprintf("LEFT JOIN %s AS %s ON %s.k = %s", name, alias, alias, x))
	_, _, def := n.CaseBranches()
	d, err := c.expr(def, s)
	if err != nil {
		return "", err
	}
	v := fmt.Sprintf("CAST(CASE WHEN %s.k IS NOT NULL THEN %s.v ELSE %s END AS %s)", alias, alias, d, sqlType(n.Type()))
	s.lookups[n.ID()] = v
	return v, nil
}

// minSetTable is the size from which a literal set is compiled as a table.
const minSetTable = 16

// inExpr: an empty set gives FALSE even for NULL; otherwise NULL gives NULL.
func (c *compiler) inExpr(n *model.Node, s *scope) (string, error) {
	x, err := c.inSetExpr(n, s)
	if err != nil || n.Arg(0).Type().Kind != model.KindFloat || x == "FALSE" {
		return x, err
	}
	lhs, err := c.expr(n.Arg(0), s)
	if err != nil {
		return "", err
	}
	// NaN is in no set (it equals nothing), though DuckDB finds it.
	return "(CASE WHEN isnan(" + lhs + ") THEN FALSE ELSE " + x + " END)", nil
}

// setCTE returns the CTE declaring a large literal set, declared on first
// use: one row per member, its value k and, for strings, its rank r in
// DuckDB's (byte) order, from 1 (picks' integer keys).
func (c *compiler) setCTE(set *model.Node) string {
	if name, ok := c.sets[set.ID()]; ok {
		return name
	}
	var rows []string
	if values := sortedStrings(set); values != nil {
		for i, v := range values {
			rows = append(rows, fmt.Sprintf("(%s, %d)", literal(model.StrLit(v)), i+1))
		}
	} else {
		for i, m := range set.Literal().Members() {
			rows = append(rows, fmt.Sprintf("(%s, %d)", literal(m), i+1))
		}
	}
	name := c.name("codes")
	c.ctes = append(c.ctes, fmt.Sprintf("%s AS (\n  SELECT * FROM (VALUES %s) AS t(k, r)\n)", name, strings.Join(rows, ", ")))
	c.sets[set.ID()] = name
	return name
}

// inSetExpr compiles In but for NaN.
func (c *compiler) inSetExpr(n *model.Node, s *scope) (string, error) {
	lhs, err := c.expr(n.Arg(0), s)
	if err != nil {
		return "", err
	}
	rhs := n.Arg(1)
	switch rhs.Op() {
	case model.OpValue:
		members := rhs.Literal().Members()
		if len(members) == 0 {
			return "FALSE", nil
		}
		if len(members) >= minSetTable && !s.ctx.inlineSets {
			// A large set (a codelist) is declared once per query:
			// membership is then a hash lookup wherever the test appears,
			// and the set is not written out again for each test.
			return "(" + lhs + " IN (SELECT k FROM " + c.setCTE(rhs) + "))", nil
		}
		parts := make([]string, len(members))
		for i, m := range members {
			parts[i] = literal(m)
		}
		return "(" + lhs + " IN (" + strings.Join(parts, ", ") + "))", nil
	case model.OpCombineAsSet:
		set, err := c.aggregate(rhs, s)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("(CASE WHEN %s IS NULL OR len(%s) = 0 THEN FALSE ELSE list_contains(%s, %s) END)", set, set, set, lhs), nil
	}
	return "", &UnsupportedError{"is_in with a computed set"}
}

// column compiles SelectColumn: a column of the current event row, or of a
// patient-level relation joined to the scope.
func (c *compiler) column(n *model.Node, s *scope) (string, error) {
	src := n.Arg(0)
	if src.ManyRowsPerPatient() {
		// Event-level: the scope's row is a row of this table.
		return s.base + "." + ident(n.Name()), nil
	}
	alias, err := c.patientRelation(src, s)
	if err != nil {
		return "", err
	}
	if rel, ok := c.relation(src.ID(), s.ctx.pairs); ok && rel.column != "" {
		col := rel.column
		if c.pickIsScalar(src) {
			// A pick of one column computed in a grouped scan: that column.
			return alias + "." + col, nil
		}
		// A pick computed in a grouped scan: a struct of its columns.
		field := func(name string) string {
			return "struct_extract(" + alias + "." + col + ", " + literal(model.StrLit(name)) + ")"
		}
		if _, coded := c.pickCodes[src.ID()]; !coded && isFloatColumn(src, n.Name()) {
			return fmt.Sprintf("(CASE WHEN %s THEN -abs(%s) ELSE %s END)", field(signField(n.Name())), field(n.Name()), field(n.Name())), nil
		}
		return field(n.Name()), nil
	}
	return alias + "." + ident(n.Name()), nil
}

// patientRelation joins the relation of a one-row-per-patient frame to the
// scope and returns its alias.
func (c *compiler) patientRelation(frame *model.Node, s *scope) (string, error) {
	switch frame.Op() {
	case model.OpSelectPatientTable:
		name := "pt_" + frame.Table().Name
		return s.join(c.tableRef(frame.Table()), ident(name)), nil
	case model.OpInlinePatientTable:
		name, err := c.inlineTable(frame)
		if err != nil {
			return "", err
		}
		return s.join(name, name), nil
	case model.OpPickOneRowPerPatient:
		rel, ok := c.relation(frame.ID(), s.ctx.pairs)
		if !ok {
			// Every pick a column is read from belongs to a group (exists and
			// count of a pick are rewritten), and a group never needs itself,
			// not even through other groups (breakCycles).
			g := c.aggGroup[frame.ID()]
			if g == nil || c.inProgress[g] {
				return "", fmt.Errorf("internal error: picked row with no columns read, or needed while it is computed")
			}
			if err := c.aggregateGroupCTE(g, s.ctx.scan()); err != nil {
				return "", err
			}
			rel, _ = c.relation(frame.ID(), s.ctx.pairs)
		}
		return c.joinCTE(s, frame, rel.name)
	}
	return "", &UnsupportedError{"a patient frame built by " + frame.Op().String()}
}

func (c *compiler) inlineTable(n *model.Node) (string, error) {
	if name, ok := c.tablesOf[n.ID()]; ok {
		return name, nil
	}
	name := c.name("inline")
	t := n.Table()
	cols := []string{"patient_id"}
	for _, col := range t.Columns {
		cols = append(cols, ident(col.Name))
	}
	var rows []string
	for _, r := range n.Rows() {
		vals := make([]string, len(r))
		for i, v := range r {
			if v.Go() == nil {
				typ := "BIGINT"
				if i > 0 {
					typ = sqlType(t.Columns[i-1].Type)
				}
				vals[i] = "CAST(NULL AS " + typ + ")"
			} else {
				vals[i] = literal(v)
			}
		}
		rows = append(rows, "("+strings.Join(vals, ", ")+")")
	}
	var body string
	if len(rows) == 0 {
		sel := []string{"CAST(NULL AS BIGINT) AS patient_id"}
		for _, col := range t.Columns {
			sel = append(sel, "CAST(NULL AS "+sqlType(col.Type)+") AS "+ident(col.Name))
		}
		body = "SELECT " + strings.Join(sel, ", ") + " WHERE FALSE"
	} else {
		body = "SELECT * FROM " + c.patients.restrict("(VALUES "+strings.Join(rows, ", ")+") AS v("+strings.Join(cols, ", ")+")")
	}
	c.ctes = append(c.ctes, name+" AS (\n  "+body+"\n)")
	c.tablesOf[n.ID()] = name
	return name, nil
}
