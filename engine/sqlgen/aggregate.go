package sqlgen

import (
	"fmt"
	"strings"

	"github.com/ehrql-go/ehrql/query/model"
)

// aggregate compiles an aggregation to a CTE with one row per patient that
// has rows, and returns the expression reading it (with the "no rows"
// value for patients without).
func (c *compiler) aggregate(n *model.Node, s *scope) (string, error) {
	if r := existsOfPick(n); r != nil {
		n = r
	}
	if n.Op() == model.OpCount && n.Arg(0).Op() == model.OpPickOneRowPerPatient {
		// a picked row counts 1 when the rows it is picked from exist
		exists, err := model.Aggregate(model.OpExists, n.Arg(0).Arg(0))
		if err != nil {
			return "", err
		}
		c.perInterval[exists.ID()] = c.perInterval[n.ID()]
		x, err := c.aggregate(exists, s)
		if err != nil {
			return "", err
		}
		return "CAST(" + x + " AS BIGINT)", nil
	}
	src := n.Arg(0)
	if (n.Op() == model.OpExists || n.Op() == model.OpCount) && !src.ManyRowsPerPatient() {
		alias, err := c.patientRelation(src, s)
		if err != nil {
			return "", err
		}
		if n.Op() == model.OpExists {
			return "(" + alias + ".patient_id IS NOT NULL)", nil
		}
		return "CAST(CASE WHEN " + alias + ".patient_id IS NULL THEN 0 ELSE 1 END AS BIGINT)", nil
	}
	rel, ok := c.relation(n.ID(), s.ctx.pairs)
	if !ok {
		var err error
		if g := c.aggGroup[n.ID()]; g != nil && !c.inProgress[g] {
			err = c.aggregateGroupCTE(g, s.ctx.scan())
		} else {
			err = c.aggregateCTE(n, s.ctx.scan())
		}
		if err != nil {
			return "", err
		}
		rel, _ = c.relation(n.ID(), s.ctx.pairs)
	}
	alias, err := c.joinCTE(s, n, rel.name)
	if err != nil {
		return "", err
	}
	col := "v"
	if rel.column != "" {
		col = rel.column
	}
	v := alias + "." + col
	switch n.Op() {
	case model.OpExists:
		return "COALESCE(" + v + ", FALSE)", nil
	case model.OpCount, model.OpCountDistinct, model.OpCountEpisodes:
		return "COALESCE(" + v + ", CAST(0 AS BIGINT))", nil
	}
	return v, nil
}

// aggregateCTE renders an aggregation in a scan of its own, in ctx.
func (c *compiler) aggregateCTE(n *model.Node, ctx renderContext) error {
	src := n.Arg(0)
	frame := frameOf(src)
	if frame == nil {
		return fmt.Errorf("internal error: no frame found for %s", n.Op())
	}
	name := c.name("agg")
	var body string
	var err error
	per := c.perInterval[n.ID()]
	ivSel, ivKey := "", ""
	if per {
		ivSel, ivKey = "iv.iv AS iv, ", ", iv.iv"
	}
	if n.Op() == model.OpCountEpisodes {
		body, err = c.eventQuery(ctx, frame, per, []*model.Node{n}, func(s *scope) (string, string, error) {
			d, err := c.expr(src, s)
			if err != nil {
				return "", "", err
			}
			iv := "0"
			if per {
				iv = "iv.iv"
			}
			return "e.patient_id, " + iv + " AS iv, " + d + " AS d", "", nil
		})
		if err != nil {
			return err
		}
		body = fmt.Sprintf(`SELECT patient_id, iv, CAST(count(*) FILTER (WHERE prev IS NULL OR d - prev > %d) AS BIGINT) AS v
  FROM (SELECT patient_id, iv, d, lag(d) OVER (PARTITION BY patient_id, iv ORDER BY d) AS prev
    FROM (%s) WHERE d IS NOT NULL)
  GROUP BY patient_id, iv`, n.Gap(), body)
	} else {
		body, err = c.eventQuery(ctx, frame, per, []*model.Node{n}, func(s *scope) (string, string, error) {
			agg, err := c.aggregateExpr(n, s, "")
			if err != nil {
				return "", "", err
			}
			return "e.patient_id, " + ivSel + agg + " AS v", "GROUP BY e.patient_id" + ivKey, nil
		})
		if err != nil {
			return err
		}
	}
	c.ctes = append(c.ctes, name+" AS (\n  "+body+"\n)")
	c.define(n.ID(), ctx.pairs, relation{name: name})
	return nil
}

// aggregateGroupCTE computes every aggregation and pick of a group in one
// scan of their rows, in ctx.
func (c *compiler) aggregateGroupCTE(g *aggGroup, ctx renderContext) error {
	c.inProgress[g] = true
	defer delete(c.inProgress, g)
	if g.shared {
		return c.sharedScanCTE(g, ctx)
	}
	name := c.name("aggs")
	per := c.perInterval[g.members[0].ID()]
	ivSel, ivKey := "", ""
	if per {
		ivSel, ivKey = "iv.iv AS iv, ", ", iv.iv"
	}
	cols := map[model.ID]string{}
	var bp *bucketPlan
	if per {
		bp = c.planBuckets(g.frame, g.members)
	}
	body, note, err := c.eventQueryWith(ctx, g.frame, per, g.members, bp, func(s *scope) (string, string, error) {
		var sel []string
		seen := map[model.ID]bool{}
		for _, m := range g.members {
			if seen[m.ID()] {
				continue
			}
			seen[m.ID()] = true
			var agg string
			var err error
			if m.Op() == model.OpPickOneRowPerPatient {
				agg, err = c.pickExpr(m, s, "")
			} else {
				agg, err = c.aggregateExpr(m, s, "")
			}
			if err != nil {
				return "", "", err
			}
			col := fmt.Sprintf("v%d", len(sel))
			cols[m.ID()] = col
			sel = append(sel, agg+" AS "+col)
		}
		return "e.patient_id, " + ivSel + strings.Join(sel, ", "), "GROUP BY e.patient_id" + ivKey, nil
	})
	if err != nil {
		return err
	}
	if bp != nil {
		body = c.combineBuckets(body, bp, g.members, cols, ctx.pairs)
	}
	c.ctes = append(c.ctes, name+" AS (\n  "+c.decoded(body, cols)+"\n)")
	for id, col := range cols {
		c.define(id, ctx.pairs, relation{name: name, column: col})
	}
	if f, err := flattenFrame(g.frame); err == nil {
		per := ""
		if c.perInterval[g.members[0].ID()] {
			per = "; " + note
		}
		c.plan = append(c.plan, fmt.Sprintf("%s: own scan of %s, filters pushed into it (one frame: %d aggregations and picks%s)",
			name, f.table.Name, len(cols), per))
	}
	return nil
}

// pickExpr computes a picked row as an aggregate: its selected columns
// from the row with the largest (last) or smallest (first) sort key, where
// each key sorts NULL first as ehrQL's do, and the selected columns,
// alphabetically, break ties. The key is one integer when it can be
// (integerKey), a struct otherwise; the value is the one selected column
// when there is one (and it is not a float: see signField), a struct of
// them otherwise (pickIsScalar tells which).
func (c *compiler) pickExpr(n *model.Node, s *scope, filter string) (string, error) {
	f, err := flattenFrame(n.Arg(0))
	if err != nil {
		return "", err
	}
	cols := c.selected[n.ID()]
	ops := c.keyOperands(n, f)
	parts := make([]keyPart, len(ops))
	for i, op := range ops {
		x := s.base + "." + ident(op.column)
		if op.sortKey != nil {
			if x, err = c.expr(op.sortKey, s); err != nil {
				return "", err
			}
		}
		parts[i] = keyPart{expr: x, kind: op.kind}
		if isString(op.kind) && op.column != "" {
			parts[i] = c.stringPart(f, op.column, x, s)
		}
	}
	coded := withZeroSigns(parts)
	if key := integerKey(coded); key != "" {
		// Every selected column is a part of the key (a sort key, or a
		// column breaking ties): the pick is the largest or smallest key,
		// a fixed-size aggregate, decoded after aggregating (decoded).
		pc := &pickCode{typ: integerType(coded), parts: coded, cols: cols}
		for _, col := range cols {
			pc.part = append(pc.part, partOf(ops, col))
		}
		c.pickCodes[n.ID()] = pc
		fn := "max"
		if n.Position() == model.First {
			fn = "min"
		}
		if filter == "" {
			return fmt.Sprintf("%s(%s)", fn, key), nil
		}
		return fmt.Sprintf("%s(CASE WHEN %s THEN %s END)", fn, filter, key), nil
	}
	var fields []string
	for i, p := range parts {
		fields = append(fields, fmt.Sprintf("n%d := (%s IS NOT NULL)", i, p.expr), fmt.Sprintf("k%d := %s", i, p.expr))
	}
	if len(fields) == 0 {
		fields = append(fields, "k := 0")
	}
	key := "struct_pack(" + strings.Join(fields, ", ") + ")"
	var value string
	if c.pickIsScalar(n) {
		value = s.base + "." + ident(cols[0])
	} else {
		var fields []string
		for _, col := range cols {
			x := s.base + "." + ident(col)
			fields = append(fields, ident(col)+" := "+x)
			if isFloatColumn(n, col) {
				fields = append(fields, ident(signField(col))+" := signbit("+x+")")
			}
		}
		if len(fields) == 0 {
			fields = append(fields, "present := TRUE")
		}
		value = "struct_pack(" + strings.Join(fields, ", ") + ")"
	}
	// arg_max_null keeps a NULL value of the row with the largest key, where
	// arg_max would skip to another row; a struct is never NULL.
	fn := "arg_max_null"
	if n.Position() == model.First {
		fn = "arg_min_null"
	}
	if filter == "" {
		return fmt.Sprintf("%s(%s, %s)", fn, value, key), nil
	}
	// the sort keys are evaluated only on the frame's rows
	return fmt.Sprintf("%s(%s, CASE WHEN %s THEN %s END) FILTER (WHERE %s)", fn, value, filter, key, filter), nil
}

// pickIsScalar tells whether a pick's aggregate is its one selected column
// rather than a struct of its columns. (A pick computed as its integer key
// is decoded from it, sign of -0.0 included, into the same shape.)
func (c *compiler) pickIsScalar(n *model.Node) bool {
	cols := c.selected[n.ID()]
	if _, coded := c.pickCodes[n.ID()]; coded {
		return len(cols) == 1
	}
	return len(cols) == 1 && !isFloatColumn(n, cols[0])
}

// DuckDB's aggregates of structs lose the sign of -0.0: a picked float
// column of a pick computed by arg_max carries its sign bit beside it, in a field named by signField
// (not a valid column name, so never one of the table's).
func signField(col string) string { return "-sign " + col }

func isFloatColumn(frame *model.Node, col string) bool {
	c, ok := frame.Table().Column(col)
	return ok && c.Type.Kind == model.KindFloat
}

// existsOfPick rewrites Exists or Count of a picked row as the same
// aggregation of the rows it was picked from, which needs no sort.
func existsOfPick(n *model.Node) *model.Node {
	if (n.Op() != model.OpExists && n.Op() != model.OpCount) || n.Arg(0).Op() != model.OpPickOneRowPerPatient {
		return nil
	}
	r, err := model.Aggregate(model.OpExists, n.Arg(0).Arg(0))
	if err != nil {
		return nil
	}
	if n.Op() == model.OpCount {
		// count of a picked row is 1 when it exists, 0 otherwise
		return nil
	}
	return r
}

// aggregateExpr compiles an aggregation over the scope's rows; filter, if
// not empty, is the condition on the rows it aggregates (in a shared scan).
func (c *compiler) aggregateExpr(n *model.Node, s *scope, filter string) (string, error) {
	// In a shared scan, an aggregate reads its own frame's rows as the
	// value CASE WHEN filter THEN value END, NULL on other rows, which
	// aggregates skip: no FILTER clause, with which DuckDB copies the
	// aggregated columns once per aggregate.
	rows := "count(*)"
	if filter != "" {
		rows = "count(CASE WHEN " + filter + " THEN 1 END)"
	}
	switch n.Op() {
	case model.OpExists:
		if filter == "" {
			return "TRUE", nil
		}
		return "(" + rows + " > 0)", nil
	case model.OpCount:
		return "CAST(" + rows + " AS BIGINT)", nil
	}
	x, err := c.expr(n.Arg(0), s)
	if err != nil {
		return "", err
	}
	if filter != "" {
		// evaluated only on the frame's rows, as ehrQL does: no error
		// raised on a row of another frame
		x = "(CASE WHEN " + filter + " THEN " + x + " END)"
	}
	switch n.Op() {
	case model.OpCountDistinct:
		return "CAST(count(DISTINCT " + x + ") AS BIGINT)", nil
	case model.OpMin:
		return "min(" + x + ")", nil
	case model.OpMax:
		return "max(" + x + ")", nil
	case model.OpSum:
		return "CAST(sum(" + x + ") AS " + sqlType(n.Type()) + ")", nil
	case model.OpMean:
		return "avg(CAST(" + x + " AS DOUBLE))", nil
	case model.OpCombineAsSet:
		// NULL is no member; neither is another frame's row (x is NULL there)
		return "list(DISTINCT " + x + ") FILTER (WHERE " + x + " IS NOT NULL)", nil
	}
	return "", &UnsupportedError{n.Op().String()}
}
