package sqlgen

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"sort"
	"strings"

	"github.com/ehrql-go/ehrql/query/model"
)

// A pick's sort key is a tuple: each sort key, then the selected columns
// that break ties, each ordered NULL first. DuckDB keeps the state of
// arg_max/arg_min over a STRUCT key as a serialized key in the
// aggregation's arena, which it neither writes to disk nor frees before the
// query ends (bench/RESULTS.md, "Memory"); over an integer key the state is
// fixed-size and lives in the hash table, which spills. So when every part of
// the tuple has a bounded, order-preserving integer encoding the key is one
// integer: each part's code, NULL as 0, in its own bits, the first part in
// the highest.

// keyPart is one part of a pick's sort key.
type keyPart struct {
	expr string     // its SQL on the scanned row
	kind model.Kind // its type
	// for a string: the number of values it can take on the frame's rows,
	// and rank, the SQL of its rank among them (from 1, in DuckDB's byte
	// order), or 0 and "" when they are not known
	values int
	rank   string
	// to decode a rank: the sorted values (a small set written in place)
	// or the table (k, r) listing them
	list  []string
	table string
	// zeroSign: the part is the sign of a float part's zero (1 for -0.0,
	// else 0), one bit after every other part; sign: for a float part,
	// the index of its zeroSign part (withZeroSigns), 0 if none
	zeroSign bool
	sign     int
}

// withZeroSigns appends to the parts, after all of them, one bit for each
// float part: whether it is -0.0. ehrQL sorts -0.0 and 0.0 as equal, so a
// float's code does not tell them apart (floatOrder) and the columns
// breaking ties decide between them; the bit, last, keeps the sign of the
// zero picked.
func withZeroSigns(parts []keyPart) []keyPart {
	n := len(parts)
	parts = slices.Clone(parts)
	for i := range n {
		if parts[i].kind == model.KindFloat {
			parts[i].sign = len(parts)
			parts = append(parts, keyPart{expr: parts[i].expr, zeroSign: true})
		}
	}
	return parts
}

// bits is the width of the part's code, 0 if it has no fixed-size code.
func (p keyPart) bits() int {
	if p.zeroSign {
		return 1
	}
	switch p.kind {
	case model.KindBool:
		return 2 // NULL, FALSE, TRUE
	case model.KindDate:
		return 33 // NULL, then DuckDB's days since 1970 (32 bits) shifted up by 2^31+1
	case model.KindInt:
		return 65 // NULL, then the 64-bit value shifted up by 2^63+1
	case model.KindFloat:
		return 65 // NULL, then the float's ordered bits (floatOrder) shifted up by 2^63+1
	case model.KindStr, model.KindCode:
		if p.rank == "" {
			return 0
		}
		n := 0
		for 1<<n < p.values+1 {
			n++
		}
		return n
	}
	return 0
}

// code is the part's code: 0 for NULL, otherwise from 1 up in the part's
// order.
func (p keyPart) code() string {
	x := p.expr
	if p.zeroSign {
		return fmt.Sprintf("(CASE WHEN %s = 0 AND signbit(%s) THEN 1 ELSE 0 END)", x, x)
	}
	switch p.kind {
	case model.KindBool:
		return fmt.Sprintf("(CASE WHEN %s IS NULL THEN 0 WHEN %s THEN 2 ELSE 1 END)", x, x)
	case model.KindDate:
		return fmt.Sprintf("(CASE WHEN %s IS NULL THEN 0 ELSE (%s - DATE '1970-01-01') + 2147483649 END)", x, x)
	case model.KindInt, model.KindFloat:
		v := x // a float as its order (a BIGINT), then as an int
		if p.kind == model.KindFloat {
			v = floatOrder(x)
		}
		return fmt.Sprintf("(CASE WHEN %s IS NULL THEN 0 ELSE CAST(%s AS HUGEINT) + CAST('9223372036854775809' AS HUGEINT) END)", x, v)
	default:
		return fmt.Sprintf("(CASE WHEN %s IS NULL THEN 0 ELSE %s END)", x, p.rank)
	}
}

// floatOrder is the SQL of a float's order-preserving BIGINT: its IEEE 754
// bits as a signed integer, with the magnitude bits of a negative float
// flipped, so that the integers' order is the floats' (ehrQL's): -Inf
// lowest, -0.0 and 0.0 both 0 (they tie in ehrQL: the columns breaking
// ties decide, and withZeroSigns keeps the sign), NaN highest, as the
// largest BIGINT (a NaN's bits, never a number's). Evaluated only when x is
// not NULL. floatFromOrder is its inverse (of 0, 0.0).
func floatOrder(x string) string {
	bits := fmt.Sprintf("CAST(CAST(%s AS BIT) AS BIGINT)", x)
	return fmt.Sprintf("(CASE WHEN isnan(%s) THEN %d WHEN %s = 0 THEN 0 WHEN signbit(%s) THEN xor(%s, %d) ELSE %s END)", x, int64(math.MaxInt64), x, x, bits, int64(math.MaxInt64), bits)
}

// floatFromOrder is the SQL of the float whose floatOrder is the BIGINT o.
func floatFromOrder(o string) string {
	return fmt.Sprintf("(CASE WHEN %s = %d THEN CAST('NaN' AS DOUBLE) ELSE CAST(CAST(CASE WHEN %s < 0 THEN xor(%s, %d) ELSE %s END AS BIT) AS DOUBLE) END)", o, int64(math.MaxInt64), o, o, int64(math.MaxInt64), o)
}

// integerKey returns the parts as one integer key (BIGINT when it fits in
// 63 bits, HUGEINT in 127), or "" when some part has no fixed-size code or
// they need more bits.
func integerKey(parts []keyPart) string {
	typ := integerType(parts)
	if typ == "" {
		return ""
	}
	key := ""
	for _, p := range parts {
		code := "CAST(" + p.code() + " AS " + typ + ")"
		if key == "" {
			key = code
			continue
		}
		key = fmt.Sprintf("(%s * CAST('%s' AS %s) + %s)", key, pow2(p.bits()), typ, code)
	}
	return key
}

// integerType is the type of the parts' integer key, "" if there is none.
func integerType(parts []keyPart) string {
	total := 0
	for _, p := range parts {
		b := p.bits()
		if b == 0 {
			return ""
		}
		total += b
	}
	switch {
	case total <= 63:
		return "BIGINT"
	case total <= 127:
		return "HUGEINT"
	}
	return ""
}

// pow2 is 2^n in decimal.
func pow2(n int) string { return new(big.Int).Lsh(big.NewInt(1), uint(n)).String() }

// lowBits is the decimal text of 2^n - 1, the mask of an integer's n low bits.
func lowBits(n int) string {
	m := new(big.Int).Lsh(big.NewInt(1), uint(n))
	return m.Sub(m, big.NewInt(1)).String()
}

// rankedSet returns the literal set a column of the frame's rows is tested
// against by one of the frame's conditions (so every row's value is in it),
// or nil.
func rankedSet(f eventFrame, column string) *model.Node {
	for _, cond := range f.conditions {
		for _, c := range conjuncts(cond) {
			if col, ok := codelistTest(c); ok && col == column {
				return c.Arg(1)
			}
		}
	}
	return nil
}

// sortedStrings returns the members of a set of strings in DuckDB's (byte)
// order, or nil if they are not strings.
func sortedStrings(set *model.Node) []string {
	var out []string
	for _, m := range set.Literal().Members() {
		s, ok := m.Go().(string)
		if !ok {
			return nil
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// stringPart makes the key part of a string column of the frame's rows:
// ranked by the scope's rank column when it has one for the column (a
// shared scan's flags table), otherwise by its position in the literal set
// the frame tests it against: in place for a small set, by a join with the
// set's declaration for a large one.
func (c *compiler) stringPart(f eventFrame, column, x string, s *scope) keyPart {
	p := keyPart{expr: x, kind: model.KindStr}
	set := rankedSet(f, column)
	if set == nil {
		return p
	}
	if r, ok := s.ranks[column]; ok {
		if _, listed := r.sets[set.ID()]; listed {
			p.values, p.rank, p.table = r.values, r.expr, r.table
			return p
		}
	}
	values := sortedStrings(set)
	if len(values) == 0 {
		return p
	}
	p.values = len(values)
	if len(values) < minSetTable {
		p.rank = fmt.Sprintf("list_position(%s, %s)", quotedList(values), x)
		p.list = values
		return p
	}
	// a large set: its rank by a hash join with its declaration
	name := c.setCTE(set)
	key := name + " " + x
	alias, ok := s.rankJoins[key]
	if !ok {
		alias = c.name(name + "_rank")
		s.rankJoins[key] = alias
		s.joins = append(s.joins, fmt.Sprintf("LEFT JOIN %s AS %s ON %s.k = %s", name, alias, alias, x))
	}
	p.rank = alias + ".r"
	p.table = name
	return p
}

func quotedList(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = literal(model.StrLit(v))
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

// keyOperand is one part of a pick's sort key before it is compiled.
type keyOperand struct {
	sortKey *model.Node // the sort key, or nil for a selected column breaking ties
	column  string      // the row's column the part is, "" for a computed sort key
	kind    model.Kind
}

// keyOperands lists the parts of a pick's sort key: its sort keys (never
// patient-level: model.Sort), then the selected columns that are not sort
// keys, which break ties.
func (c *compiler) keyOperands(n *model.Node, f eventFrame) []keyOperand {
	var ops []keyOperand
	direct := map[string]bool{}
	for _, k := range f.sortKeys {
		op := keyOperand{sortKey: k, kind: k.Type().Kind}
		if k.Op() == model.OpSelectColumn {
			op.column = k.Name()
			direct[k.Name()] = true
		}
		ops = append(ops, op)
	}
	for _, col := range c.selected[n.ID()] {
		if !direct[col] {
			spec, _ := n.Table().Column(col)
			ops = append(ops, keyOperand{column: col, kind: spec.Type.Kind})
		}
	}
	return ops
}

// isString tells whether a kind is ranked as a string in a key.
func isString(k model.Kind) bool { return k == model.KindStr || k == model.KindCode }

// picksRank tells whether a pick among members ranks a column of its rows
// in its sort key: a sort key, or a selected column breaking ties.
func (c *compiler) picksRank(members []*model.Node, column string) bool {
	for _, m := range members {
		if m.Op() != model.OpPickOneRowPerPatient {
			continue
		}
		f, err := flattenFrame(m.Arg(0))
		if err != nil {
			continue
		}
		if slices.ContainsFunc(c.keyOperands(m, f), func(op keyOperand) bool { return op.column == column }) {
			return true
		}
	}
	return false
}

// partOf returns the index of the key part holding a selected column: the
// first sort key that is the column, or else its place among the columns
// breaking ties.
func partOf(ops []keyOperand, column string) int {
	for i, op := range ops {
		if op.column == column {
			return i
		}
	}
	panic("sqlgen: selected column " + column + " is in no part of the pick's key")
}

// pickCode is a pick computed as its integer key: how to read its selected
// columns back.
type pickCode struct {
	typ   string    // the key's type
	parts []keyPart // the key's parts, the first in the highest bits
	cols  []string  // the selected columns
	part  []int     // for each selected column, its part
}

// partCode returns the SQL of part i's code in key: keys are never
// negative, so a shift and a mask read a part (a tenth of the cost of //
// and % on a HUGEINT).
func (pc *pickCode) partCode(i int, key string) string {
	shift := 0
	for _, p := range pc.parts[i+1:] {
		shift += p.bits()
	}
	code := key
	if shift > 0 {
		code = fmt.Sprintf("(%s >> %d)", code, shift)
	}
	if i > 0 {
		code = fmt.Sprintf("(%s & CAST('%s' AS %s))", code, lowBits(pc.parts[i].bits()), pc.typ)
	}
	return code
}

// decode returns the SQL of part i of key, its value as the part's type,
// and the join it needs (a table of ranked strings), if any.
func (pc *pickCode) decode(c *compiler, i int, key string) (string, string) {
	p := pc.parts[i]
	code := pc.partCode(i, key)
	switch p.kind {
	case model.KindBool:
		return fmt.Sprintf("(CASE WHEN %s = 0 THEN NULL ELSE %s = 2 END)", code, code), ""
	case model.KindDate:
		return fmt.Sprintf("(CASE WHEN %s = 0 THEN NULL ELSE DATE '1970-01-01' + CAST(%s - 2147483649 AS INTEGER) END)", code, code), ""
	case model.KindInt, model.KindFloat:
		v := fmt.Sprintf("CAST(CAST(%s AS HUGEINT) - CAST('9223372036854775809' AS HUGEINT) AS BIGINT)", code)
		if p.kind == model.KindFloat {
			v = floatFromOrder(v)
			if p.sign > 0 {
				v = fmt.Sprintf("(CASE WHEN %s = 1 THEN CAST('-0.0' AS DOUBLE) ELSE %s END)", pc.partCode(p.sign, key), v)
			}
		}
		return fmt.Sprintf("(CASE WHEN %s = 0 THEN NULL ELSE %s END)", code, v), ""
	}
	if p.table == "" {
		return fmt.Sprintf("(CASE WHEN %s = 0 THEN NULL ELSE list_extract(%s, CAST(%s AS BIGINT)) END)", code, quotedList(p.list), code), ""
	}
	alias := c.name("value")
	return alias + ".k", fmt.Sprintf("LEFT JOIN %s AS %s ON %s.r = %s", p.table, alias, alias, code)
}

// decoded wraps an aggregation's query so that each of its picks computed
// as an integer key (cols: the members' columns) gives its selected
// columns, as the picks computed by arg_max do: the one column, or a
// struct of them.
func (c *compiler) decoded(query string, cols map[model.ID]string) string {
	type member struct {
		id  model.ID
		col string
	}
	var picks []member
	for id, col := range cols {
		if _, ok := c.pickCodes[id]; ok {
			picks = append(picks, member{id, col})
		}
	}
	if len(picks) == 0 {
		return query
	}
	slices.SortFunc(picks, func(a, b member) int { return strings.Compare(a.col, b.col) })
	var replace, joins []string
	for _, m := range picks {
		pc := c.pickCodes[m.id]
		var values, fields []string
		for j, col := range pc.cols {
			x, join := pc.decode(c, pc.part[j], "g."+m.col)
			if join != "" {
				joins = append(joins, join)
			}
			values = append(values, x)
			fields = append(fields, ident(col)+" := "+x)
		}
		value := values[0]
		if len(pc.cols) > 1 {
			value = "struct_pack(" + strings.Join(fields, ", ") + ")"
		}
		replace = append(replace, value+" AS "+m.col)
	}
	q := fmt.Sprintf("SELECT g.* REPLACE (%s)\n  FROM (\n  %s\n  ) AS g", strings.Join(replace, ", "), query)
	if len(joins) > 0 {
		q += "\n  " + strings.Join(joins, "\n  ")
	}
	return q
}
