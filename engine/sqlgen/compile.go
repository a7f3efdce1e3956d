package sqlgen

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/ehrql-go/ehrql/engine/sqlname"
	"github.com/ehrql-go/ehrql/query/model"
)

// UnsupportedError says that a definition uses an operation the engine
// cannot run yet. The engine never guesses: it refuses.
type UnsupportedError struct{ What string }

// Error implements the error interface.
func (e *UnsupportedError) Error() string { return "not supported: " + e.What }

// compiler turns one dataset's query model into a DuckDB query built from
// common table expressions: one per patient-level relation (aggregation,
// picked row, patient table), joined to the population by patient_id.
type compiler struct {
	// patients restricts every table the query reads (PatientRange).
	patients PatientRange
	ctes     []string
	cteNames map[model.ID]string // patient-level relations already defined
	// selected lists the columns read from each pick, by which ties in its
	// sort are broken (model.PickedColumns).
	selected map[model.ID][]string
	tables   map[string]*model.Table // table name -> table, every table the query reads
	next     int
	// perInterval records which nodes depend on the measures' interval
	// parameters: their relations have one row per patient and interval.
	perInterval map[model.ID]bool
	// Aggregations over the same rows share one scan: aggGroup maps each
	// aggregation to its group, aggColumn to its column in the group's CTE.
	aggGroup   map[model.ID]*aggGroup
	aggColumn  map[model.ID]string
	inProgress map[*aggGroup]bool
	// groups lists the scans in the order they were planned.
	groups []*aggGroup
	// plan records the choices made, one line each, for dump-dataset-sql.
	plan []string
	// flagTables holds the codelist flags table of each tested column.
	flagTables map[string]*codeFlags
	// restrict, when set, names a relation of (patient_id, iv, start_date,
	// end_date) rows: the only patient and interval pairs per-interval
	// relations compiled from then on need.
	restrict string
	// within, when set, names the relation of the candidate patients (a
	// dataset's population first): scans compiled from then on read only
	// their rows.
	within string
	// popRel, when set, is the relation whose rows (where the population's
	// required "exists" holds) are the candidates: the population relation
	// then carries its columns, so the final query reads them from its
	// candidate rows instead of joining the relation again.
	popRel string
	// sets are the CTEs declaring large literal sets, by set node.
	sets map[model.ID]string
	// pickCodes are the picks computed as one integer, by pick node.
	pickCodes map[model.ID]*pickCode
	// inWhere is set while compiling a frame's WHERE conditions, where DuckDB
	// turns literal IN lists into hash lookups at the scan itself (before
	// any join: measures' per-interval scans depend on it).
	inWhere bool
	// boundVars counts the variables operands are bound to (bindOperands).
	boundVars int
	// intervals are the measures' intervals (none for a dataset), and
	// calendars the calendar tables declared, by their bounds.
	intervals [][2]model.CivilDate
	calendars map[string]string
	// scanNote describes how the last per-interval scan met the intervals.
	scanNote string
	// where names what is being compiled ("variable 'x'"), for the
	// messages of errors raised on data.
	where string
}

// aggGroup is a set of aggregations and picks computed in one scan: over
// one frame's rows, or, when shared, over the rows of several frames of one
// event table, each member aggregating only its frame's rows.
type aggGroup struct {
	frame   *model.Node // the rows (of the first member, when shared)
	members []*model.Node
	rows    []*model.Node // each member's rows
	shared  bool
}

// minSharedFrames is the number of differently filtered frames of one event
// table from which they share one scan. The rule: a table read through
// fewer frames is scanned once per frame, with that frame's filters pushed
// into the scan (DuckDB then prunes row groups by zone maps and tests an IN
// list at the scan); read through four or more, it is scanned once, the
// rows of any frame kept (codelist tests as one join with a table of
// per-codelist flags) and each aggregate reading only its own frame's rows
// (CASE WHEN frame THEN value END), so the cost is one pass over the table
// instead of one per frame. (The
// reference study's three frames of clinical_events were measured no
// faster shared, and 2-5% faster once picks were integer keys, but then
// ran out of memory at 4M patients in 1GB, where their own scans complete;
// the wide benchmark's 25 frames were a third faster: see
// bench/RESULTS.md.)
// A scan's cost grows faster than its aggregates (at 1M patients, 32
// aggregates in one scan took longer than four scans of 8): a
// shared scan takes at most maxSharedMembers aggregations and picks, frames
// being added in the order they are first used, and a table read by more
// is scanned once per such batch.
const (
	minSharedFrames  = 4
	maxSharedMembers = 8
)

// chunkSharedScans assigns the members of each shared table scan (members
// with the same key, in order) to batches of whole frames with at most
// maxSharedMembers members, and returns the function giving a member's
// batch key and whether that batch is shared (has two frames or more).
func chunkSharedScans[M any](members []M, framesOf map[string]map[model.ID]bool, key func(M) string, rows func(M) *model.Node) func(M) (string, bool) {
	type frameInfo struct {
		key   string
		count int
	}
	var order []model.ID
	frames := map[model.ID]*frameInfo{}
	for _, m := range members {
		k := key(m)
		if framesOf[k] == nil {
			continue
		}
		id := rows(m).ID()
		if frames[id] == nil {
			frames[id] = &frameInfo{key: k}
			order = append(order, id)
		}
		frames[id].count++
	}
	batchOf := map[model.ID]string{}
	batchFrames := map[string]int{}
	next := map[string]int{} // table key -> current batch number
	size := map[string]int{} // batch -> members
	for _, id := range order {
		f := frames[id]
		b := fmt.Sprintf("%s/batch %d", f.key, next[f.key])
		if size[b] > 0 && size[b]+f.count > maxSharedMembers {
			next[f.key]++
			b = fmt.Sprintf("%s/batch %d", f.key, next[f.key])
		}
		size[b] += f.count
		batchFrames[b]++
		batchOf[id] = b
	}
	return func(m M) (string, bool) {
		b, ok := batchOf[rows(m).ID()]
		if !ok || key(m) != frames[rows(m).ID()].key {
			return key(m), false
		}
		return b, batchFrames[b] >= minSharedFrames
	}
}

// scanKey is the key of the shared scan a frame's aggregations may join:
// the frame's event table and the nesting depth. A per-interval frame
// (measures) may share a scan only with frames that meet the intervals
// through the same calendar (the same bounds of the same column, see
// intervals.go) and check no patient condition of the interval after
// aggregating; others keep their own scans.
func (c *compiler) scanKey(rows *model.Node, perInterval bool, depth int) (string, bool) {
	f, err := flattenFrame(rows)
	if err != nil || f.table == nil {
		return "", false
	}
	if !perInterval {
		return fmt.Sprintf("table %s/%d", f.table.Name, depth), true
	}
	cal := c.planCalendar(f.conditions)
	if cal == nil || len(c.maskConditions(f.conditions)) > 0 {
		return "", false
	}
	return fmt.Sprintf("table %s/%d/per interval/%s/%s", f.table.Name, depth, cal.column, cal.calendarID), true
}

// newCompiler plans the compilation of roots; intervals are the measures'
// intervals (nil for a dataset, whose definition may then not use the
// interval parameters).
func newCompiler(roots []*model.Node, intervals [][2]model.CivilDate) (*compiler, error) {
	allowParams := intervals != nil
	c := &compiler{
		cteNames:    map[model.ID]string{},
		selected:    model.PickedColumns(roots...),
		tables:      map[string]*model.Table{},
		perInterval: map[model.ID]bool{},
		aggGroup:    map[model.ID]*aggGroup{},
		aggColumn:   map[model.ID]string{},
		inProgress:  map[*aggGroup]bool{},
		flagTables:  map[string]*codeFlags{},
		sets:        map[model.ID]string{},
		pickCodes:   map[model.ID]*pickCode{},
		calendars:   map[string]string{},
		intervals:   intervals,
	}
	var aggs, picks []*model.Node
	var rewritten [][2]*model.Node // (new node, the node it stands for)
	seen := map[model.ID]bool{}
	var walk func(n *model.Node) error
	walk = func(n *model.Node) error {
		if n == nil || seen[n.ID()] {
			return nil
		}
		seen[n.ID()] = true
		switch n.Op() {
		case model.OpSelectTable, model.OpSelectPatientTable, model.OpInlinePatientTable:
			t := n.Table()
			if prev, ok := c.tables[t.Name]; ok && prev != t {
				return fmt.Errorf("the definition uses two different tables named %q (%s and %s)", t.Name, describeTable(prev), describeTable(t))
			}
			c.tables[t.Name] = t
		case model.OpExists, model.OpCount, model.OpCountDistinct, model.OpMin, model.OpMax,
			model.OpSum, model.OpMean, model.OpCombineAsSet:
			if n.Arg(0).ManyRowsPerPatient() {
				aggs = append(aggs, n)
			} else if r := existsOfPick(n); r != nil {
				aggs = append(aggs, r)
				rewritten = append(rewritten, [2]*model.Node{r, n})
			}
		case model.OpPickOneRowPerPatient:
			picks = append(picks, n)
		case model.OpParameter:
			if !allowParams {
				return &UnsupportedError{fmt.Sprintf("parameter %q outside a measure", n.Name())}
			}
			if n.Name() != "interval_start_date" && n.Name() != "interval_end_date" {
				return &UnsupportedError{fmt.Sprintf("parameter %q", n.Name())}
			}
			c.perInterval[n.ID()] = true
		}
		for _, a := range n.Args() {
			if err := walk(a); err != nil {
				return err
			}
			if a != nil && c.perInterval[a.ID()] {
				c.perInterval[n.ID()] = true
			}
		}
		return nil
	}
	for _, r := range roots {
		if err := walk(r); err != nil {
			return nil, err
		}
	}
	// Group the aggregations and picks that read the same rows (one frame,
	// sorts aside) into one scan; frames of one event table share a scan
	// (see scanKey).
	for _, r := range rewritten {
		c.perInterval[r[0].ID()] = c.perInterval[r[1].ID()]
	}
	for _, p := range picks {
		if len(c.selected[p.ID()]) > 0 {
			aggs = append(aggs, p)
		}
	}
	// A member that reads another aggregation or pick of the same rows
	// (days since the first event: max(e.date - first.date)) cannot be
	// computed in that one's scan: members are grouped by how deeply they
	// nest members of their own rows too, and a group joins those below. A
	// shared scan of a table groups members by how deeply they nest any
	// aggregation or pick. Neither rules out a scan that needs itself
	// through the scan of other rows: breakCycles splits such groups.
	depths := map[[2]model.ID]int{}
	nesting := map[model.ID]int{}
	type member struct {
		n, rows *model.Node
		key     string // the shared scan's key, or own
		own     string // the key of the scan of its rows alone
	}
	var members []member
	framesOf := map[string]map[model.ID]bool{} // table key -> distinct frames
	for _, n := range aggs {
		rows := memberRows(n)
		if rows == nil {
			continue
		}
		per := c.perInterval[n.ID()]
		own := fmt.Sprintf("%x/%v/%d", rows.ID(), per, sameRowsDepth(n, rows.ID(), depths))
		m := member{n: n, rows: rows, key: own, own: own}
		if tk, ok := c.scanKey(rows, per, nestingDepth(n, nesting)); ok {
			if framesOf[tk] == nil {
				framesOf[tk] = map[model.ID]bool{}
			}
			framesOf[tk][rows.ID()] = true
			m.key = tk
		}
		members = append(members, m)
	}
	chunk := chunkSharedScans(members, framesOf, func(m member) string { return m.key }, func(m member) *model.Node { return m.rows })
	groups := map[string]*aggGroup{}
	for _, m := range members {
		key, shared := chunk(m)
		if !shared {
			key = m.own
		}
		g := groups[key]
		if g == nil {
			g = &aggGroup{frame: m.rows, shared: shared}
			groups[key] = g
			c.groups = append(c.groups, g)
		}
		if c.aggGroup[m.n.ID()] == nil {
			g.members = append(g.members, m.n)
			g.rows = append(g.rows, m.rows)
			c.aggGroup[m.n.ID()] = g
		}
	}
	c.breakCycles()
	return c, nil
}

// memberRows returns the rows an aggregation or pick is computed over (the
// exists of a pick, over the rows it is picked from), or nil.
func memberRows(n *model.Node) *model.Node {
	var frame *model.Node
	switch {
	case n.Op() == model.OpPickOneRowPerPatient:
		frame = n.Arg(0)
	case n.Op() == model.OpExists || n.Op() == model.OpCount:
		frame = n.Arg(0)
		if frame.Op() == model.OpPickOneRowPerPatient {
			frame = frame.Arg(0)
		}
	case n.Op().IsAggregation():
		frame = frameOf(n.Arg(0))
	}
	if frame == nil || !frame.ManyRowsPerPatient() {
		return nil
	}
	return rowsOf(frame)
}

// sameRowsDepth counts how deeply n nests aggregations and picks over the
// rows rows, n included if it is one.
// nestingDepth counts the aggregations and picks nested in n, n included:
// members of a shared scan of a table are grouped by it, so that none reads
// another of the same scan.
func nestingDepth(n *model.Node, memo map[model.ID]int) int {
	if n == nil {
		return 0
	}
	if d, ok := memo[n.ID()]; ok {
		return d
	}
	d := 0
	for _, a := range n.Args() {
		d = max(d, nestingDepth(a, memo))
	}
	if n.Op().IsAggregation() || n.Op() == model.OpPickOneRowPerPatient {
		d++
	}
	memo[n.ID()] = d
	return d
}

func sameRowsDepth(n *model.Node, rows model.ID, memo map[[2]model.ID]int) int {
	if n == nil {
		return 0
	}
	key := [2]model.ID{n.ID(), rows}
	if d, ok := memo[key]; ok {
		return d
	}
	d := 0
	for _, a := range n.Args() {
		d = max(d, sameRowsDepth(a, rows, memo))
	}
	if r := memberRows(n); r != nil && r.ID() == rows {
		d++
	}
	memo[key] = d
	return d
}

func describeTable(t *model.Table) string {
	if t.Module == "" {
		return "user-defined " + t.Name
	}
	return t.Module + "." + t.Name
}

func (c *compiler) name(prefix string) string {
	c.next++
	return fmt.Sprintf("%s_%d", prefix, c.next)
}

// scope is the row source an expression is evaluated against: the
// population (one row per patient) or the rows of one event table. Patient
// relations that the expression needs are LEFT JOINed to it.
type scope struct {
	base   string // alias of the row source
	iv     string // alias of the intervals relation, for per-interval scopes
	joins  []string
	joined map[string]bool
	// lookups maps a Case compiled as a lookup to its value expression, so
	// the lookup table is joined once per scope.
	lookups map[model.ID]string
	// ranks gives, by column, the rank of the row's value among the values
	// a flags table lists (a shared scan's), for picks' integer keys.
	ranks map[string]rankColumn
	// rankJoins names the joins giving a string's rank in a large set, by
	// set and string expression.
	rankJoins map[string]string
}

// rankColumn is the SQL of a column's rank (from 1, in byte order) among
// the values of a flags table, and their number.
type rankColumn struct {
	expr   string
	values int
	sets   map[model.ID]int // the sets whose values the table lists
	table  string           // the table (k, r) giving each rank's value
}

func newScope(base string) *scope {
	return &scope{base: base, joined: map[string]bool{}, lookups: map[model.ID]string{}, ranks: map[string]rankColumn{}, rankJoins: map[string]string{}}
}

// join adds relation rel (a CTE or table name) under alias, matched on
// patient_id, and returns the alias.
func (s *scope) join(rel, alias string) string {
	if !s.joined[alias] {
		s.joined[alias] = true
		s.joins = append(s.joins, fmt.Sprintf("LEFT JOIN %s AS %s ON %s.patient_id = %s.patient_id", rel, alias, alias, s.base))
	}
	return alias
}

// joinPerInterval joins a relation with one row per patient and interval.
func (s *scope) joinPerInterval(rel, alias string) (string, error) {
	if s.iv == "" {
		return "", fmt.Errorf("internal error: %s depends on the interval outside a per-interval scope", rel)
	}
	if !s.joined[alias] {
		s.joined[alias] = true
		s.joins = append(s.joins, fmt.Sprintf("LEFT JOIN %s AS %s ON %s.patient_id = %s.patient_id AND %s.iv = %s.iv", rel, alias, alias, s.base, alias, s.iv))
	}
	return alias, nil
}

// joinCTE joins a CTE computed for node n, per interval if n depends on one.
func (c *compiler) joinCTE(s *scope, n *model.Node, name string) (string, error) {
	if c.perInterval[n.ID()] {
		return s.joinPerInterval(name, name)
	}
	return s.join(name, name), nil
}

func (s *scope) joinClause() string { return strings.Join(s.joins, "\n  ") }

// ident quotes a SQL identifier.
func ident(s string) string { return sqlname.Ident(s) }

// sqlType is the DuckDB type of an ehrQL type.
func sqlType(t model.Type) string { return sqlname.Type(t) }

// literal renders a scalar literal as typed SQL.
func literal(l model.Literal) string { return sqlname.Literal(l) }

// tableRef names a table of the data source the query reads, restricted
// to the compiler's patients.
func (c *compiler) tableRef(t *model.Table) string { return c.patients.restrict(sqlname.TableRef(t)) }

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
	name, ok := c.cteNames[n.ID()]
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
		c.cteNames[n.ID()] = name
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
		if len(members) >= minSetTable && !c.inWhere {
			// A large set (a codelist) outside a WHERE clause is declared
			// once per query: membership is then a hash lookup wherever the
			// test appears, not a chain of comparisons.
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
	if col, ok := c.aggColumn[src.ID()]; ok {
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
		name, ok := c.cteNames[frame.ID()]
		if !ok {
			// Every pick a column is read from belongs to a group (exists and
			// count of a pick are rewritten), and a group never needs itself,
			// not even through other groups (breakCycles).
			g := c.aggGroup[frame.ID()]
			if g == nil || c.inProgress[g] {
				return "", fmt.Errorf("internal error: picked row with no columns read, or needed while it is computed")
			}
			var err error
			if name, err = c.aggregateGroupCTE(g); err != nil {
				return "", err
			}
		}
		return c.joinCTE(s, frame, name)
	}
	return "", &UnsupportedError{"a patient frame built by " + frame.Op().String()}
}

func (c *compiler) inlineTable(n *model.Node) (string, error) {
	if name, ok := c.cteNames[n.ID()]; ok {
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
	c.cteNames[n.ID()] = name
	return name, nil
}

// eventFrame describes the rows of a many-rows frame: a table and the
// conditions of the filters applied to it, and the sort keys (highest
// priority first).
type eventFrame struct {
	table      *model.Table
	conditions []*model.Node
	sortKeys   []*model.Node
}

func flattenFrame(n *model.Node) (eventFrame, error) {
	var f eventFrame
	var conds []*model.Node
	for {
		switch n.Op() {
		case model.OpSelectTable:
			f.table = n.Table()
			// conditions were collected outermost first; apply innermost first.
			for i := len(conds) - 1; i >= 0; i-- {
				f.conditions = append(f.conditions, conds[i])
			}
			return f, nil
		case model.OpFilter:
			conds = append(conds, n.Arg(1))
			n = n.Arg(0)
		case model.OpSort:
			f.sortKeys = append(f.sortKeys, n.Arg(1))
			n = n.Arg(0)
		default:
			return f, &UnsupportedError{"event frame built by " + n.Op().String()}
		}
	}
}

// frameOf finds the frame whose rows an event-level series is evaluated on.
func frameOf(n *model.Node) *model.Node {
	if n.IsFrame() {
		return n
	}
	if n.Op() == model.OpSelectColumn && n.Arg(0).ManyRowsPerPatient() && n.SameDomain(n.Arg(0)) {
		return n.Arg(0)
	}
	for _, a := range n.Args() {
		if a != nil && a.ManyRowsPerPatient() && a.SameDomain(n) {
			if f := frameOf(a); f != nil {
				return f
			}
		}
	}
	return nil
}

// eventQuery renders SELECT <cols> FROM <frame rows> with the frame's
// filters applied; cols are compiled in the rows' scope by build. A
// per-interval frame meets the intervals through a calendar where its
// conditions bound a date by the interval, and a grouped per-interval scan
// checks its patient-level per-interval conditions after aggregating (see
// intervals.go) unless the members it computes could raise on the rows
// those conditions remove (mayRaise); c.scanNote then describes the choice
// for the plan.
func (c *compiler) eventQuery(frame *model.Node, perInterval bool, members []*model.Node, build func(s *scope) (selectList string, tail string, err error)) (string, error) {
	return c.eventQueryWith(frame, perInterval, members, nil, build)
}

// eventQueryWith is eventQuery with the rows of a per-interval frame put in
// the buckets of bp (buckets.go) rather than joined with the intervals, when
// bp is not nil: iv.iv is then the row's bucket.
func (c *compiler) eventQueryWith(frame *model.Node, perInterval bool, members []*model.Node, bp *bucketPlan, build func(s *scope) (selectList string, tail string, err error)) (string, error) {
	f, err := flattenFrame(frame)
	if err != nil {
		return "", err
	}
	c.scanNote = ""
	s := newScope("e")
	var cal *calendarPlan
	mask := map[int]bool{}
	if perInterval {
		s.iv = "iv"
		cal = c.planCalendar(f.conditions)
		if c.restrict == "" && !c.mayRaise(frame, members...) {
			mask = c.maskConditions(f.conditions)
		}
	}
	// A string column a pick ranks, tested against a large set (a
	// codelist), is ranked by an inner join with the set's declaration,
	// which is the test too: the rows whose value is not in the set (or
	// NULL) find no rank. The test is not repeated in WHERE: DuckDB would
	// evaluate a literal IN list of that size as a second join, on every
	// row it scans (the reference study's dataset ran 12-15% faster
	// without).
	var codeJoins []string
	joined := map[int]bool{} // conditions the joins test
	for i, cond := range f.conditions {
		col, ok := codelistTest(cond)
		if !ok || mask[i] || !c.picksRank(members, col) {
			continue
		}
		values := sortedStrings(cond.Arg(1))
		if len(values) < minSetTable || s.ranks[col].expr != "" {
			continue
		}
		name := c.setCTE(cond.Arg(1))
		alias := c.name(name + "_rank")
		codeJoins = append(codeJoins, fmt.Sprintf(" JOIN %s AS %s ON %s.k = e.%s", name, alias, alias, ident(col)))
		s.ranks[col] = rankColumn{expr: alias + ".r", values: len(values), sets: map[model.ID]int{cond.Arg(1).ID(): 0}, table: name}
		joined[i] = true
	}
	var where []string
	saved := c.inWhere
	compileCond := func(i int, cond *model.Node) error {
		c.inWhere = true
		defer func() { c.inWhere = saved }()
		if mask[i] {
			w, err := c.restrictedCondition(f, i, s)
			where = append(where, w)
			return err
		}
		parts := []*model.Node{cond}
		if cal != nil {
			parts = cal.remaining(parts)
		}
		if bp != nil && !cond.PatientDomain() {
			parts = slices.DeleteFunc(conjuncts(cond), func(x *model.Node) bool { return x.ID() == bp.conj.ID() })
		}
		for _, x := range parts {
			w, err := c.expr(x, s)
			if err != nil {
				return err
			}
			where = append(where, w)
		}
		return nil
	}
	for i, cond := range f.conditions {
		if mask[i] || joined[i] {
			continue
		}
		if err := compileCond(i, cond); err != nil {
			return "", err
		}
	}
	c.inWhere = false
	sel, tail, err := build(s)
	c.inWhere = saved
	if err != nil {
		return "", err
	}
	// A grouped scan checks the masked conditions after aggregating; any
	// other compiles them in the scan, restricted to the pairs its earlier
	// conditions reach.
	masked := len(mask) > 0 && strings.HasPrefix(tail, "GROUP BY e.patient_id, iv.iv")
	var maskConds []*model.Node
	for i, cond := range f.conditions {
		if !mask[i] {
			continue
		}
		if masked {
			maskConds = append(maskConds, cond)
		} else if i == 0 {
			// nothing earlier to restrict it to
			w, err := c.expr(cond, s)
			if err != nil {
				return "", err
			}
			where = append(where, w)
		} else if err := compileCond(i, cond); err != nil {
			return "", err
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "SELECT %s\n  FROM %s AS e%s%s", sel, c.tableRef(f.table), c.withinJoin(), strings.Join(codeJoins, ""))
	switch {
	case perInterval && bp != nil:
		c.scanNote = fmt.Sprintf("per interval: in buckets by %s (%d bounds), combined for each interval from the buckets under its bound", bp.bound.column, len(bp.bounds))
		b.WriteString(c.bucketJoin(bp))
	case perInterval && cal != nil:
		// Rows meet their intervals by a lookup of their date, for every
		// patient: cheap enough that a restriction to some pairs would not
		// pay (and joined to the calendar, it misleads DuckDB's join order).
		name := c.calendar(cal)
		c.scanNote = fmt.Sprintf("per interval: %s joined with the %d days of %s", cal.column, cal.days, name)
		fmt.Fprintf(&b, " JOIN %s AS iv ON iv.d = e.%s", name, ident(cal.column))
	case perInterval && c.restrict != "":
		// The restriction carries each pair's interval dates, so the rows
		// meet only their own patients' intervals.
		c.scanNote = "per interval: a range join with the (patient, interval) pairs of " + c.restrict
		fmt.Fprintf(&b, " JOIN %s AS iv ON iv.patient_id = e.patient_id", c.restrict)
	case perInterval:
		c.scanNote = "per interval: a range join with the intervals"
		b.WriteString(" CROSS JOIN intervals AS iv")
	}
	if len(s.joins) > 0 {
		b.WriteString("\n  " + s.joinClause())
	}
	if len(where) > 0 {
		b.WriteString("\n  WHERE " + strings.Join(where, "\n    AND "))
	}
	if tail != "" {
		b.WriteString("\n  " + tail)
	}
	if masked {
		note := c.scanNote
		q, err := c.maskedAggregation(b.String(), maskConds)
		c.scanNote = note
		return q, err
	}
	return b.String(), nil
}

// restrictedCondition compiles condition i of a per-interval frame, a
// patient-level condition that depends on the interval (say, "registered on
// the interval's start"), so that the relations it needs are computed only
// for the (patient, interval) pairs the frame's earlier conditions reach,
// not for every patient and interval. Relations compiled so restricted are
// forgotten afterwards, so no other use can read their missing pairs.
func (c *compiler) restrictedCondition(f eventFrame, i int, s *scope) (string, error) {
	ps := newScope("e")
	ps.iv = "iv"
	var conds []string
	for _, cond := range f.conditions[:i] {
		x, err := c.expr(cond, ps)
		if err != nil {
			return "", err
		}
		conds = append(conds, x)
	}
	pairs := c.name("pairs")
	body := fmt.Sprintf("SELECT DISTINCT e.patient_id, iv.iv, iv.start_date, iv.end_date\n  FROM %s AS e CROSS JOIN intervals AS iv", c.tableRef(f.table))
	if len(ps.joins) > 0 {
		body += "\n  " + ps.joinClause()
	}
	body += "\n  WHERE " + strings.Join(conds, "\n    AND ")
	c.ctes = append(c.ctes, pairs+" AS (\n  "+body+"\n)")

	names, cols := c.cteNames, c.aggColumn
	c.cteNames, c.aggColumn = maps.Clone(names), maps.Clone(cols)
	c.restrict = pairs
	w, err := c.expr(f.conditions[i], s)
	c.restrict = ""
	c.cteNames, c.aggColumn = names, cols
	return w, err
}

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
	name, ok := c.cteNames[n.ID()]
	if !ok {
		var err error
		if g := c.aggGroup[n.ID()]; g != nil && !c.inProgress[g] {
			name, err = c.aggregateGroupCTE(g)
		} else {
			name, err = c.aggregateCTE(n)
		}
		if err != nil {
			return "", err
		}
	}
	alias, err := c.joinCTE(s, n, name)
	if err != nil {
		return "", err
	}
	col := "v"
	if cn, ok := c.aggColumn[n.ID()]; ok {
		col = cn
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

func (c *compiler) aggregateCTE(n *model.Node) (string, error) {
	src := n.Arg(0)
	frame := frameOf(src)
	if frame == nil {
		return "", fmt.Errorf("internal error: no frame found for %s", n.Op())
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
		body, err = c.eventQuery(frame, per, []*model.Node{n}, func(s *scope) (string, string, error) {
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
			return "", err
		}
		body = fmt.Sprintf(`SELECT patient_id, iv, CAST(count(*) FILTER (WHERE prev IS NULL OR d - prev > %d) AS BIGINT) AS v
  FROM (SELECT patient_id, iv, d, lag(d) OVER (PARTITION BY patient_id, iv ORDER BY d) AS prev
    FROM (%s) WHERE d IS NOT NULL)
  GROUP BY patient_id, iv`, n.Gap(), body)
	} else {
		body, err = c.eventQuery(frame, per, []*model.Node{n}, func(s *scope) (string, string, error) {
			agg, err := c.aggregateExpr(n, s, "")
			if err != nil {
				return "", "", err
			}
			return "e.patient_id, " + ivSel + agg + " AS v", "GROUP BY e.patient_id" + ivKey, nil
		})
		if err != nil {
			return "", err
		}
	}
	c.ctes = append(c.ctes, name+" AS (\n  "+body+"\n)")
	c.cteNames[n.ID()] = name
	return name, nil
}

// aggregateGroupCTE computes every aggregation and pick of a group in one
// scan of their rows.
func (c *compiler) aggregateGroupCTE(g *aggGroup) (string, error) {
	c.inProgress[g] = true
	defer delete(c.inProgress, g)
	if g.shared {
		return c.sharedScanCTE(g)
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
	body, err := c.eventQueryWith(g.frame, per, g.members, bp, func(s *scope) (string, string, error) {
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
		return "", err
	}
	if bp != nil {
		body = c.combineBuckets(body, bp, g.members, cols)
	}
	c.ctes = append(c.ctes, name+" AS (\n  "+c.decoded(body, cols)+"\n)")
	for id, col := range cols {
		c.cteNames[id] = name
		c.aggColumn[id] = col
	}
	if f, err := flattenFrame(g.frame); err == nil {
		per := ""
		if c.perInterval[g.members[0].ID()] {
			per = "; " + c.scanNote
		}
		c.plan = append(c.plan, fmt.Sprintf("%s: own scan of %s, filters pushed into it (one frame: %d aggregations and picks%s)",
			name, f.table.Name, len(cols), per))
	}
	return name, nil
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

// rowsOf strips sorts from a frame: the filter or table giving its rows.
func rowsOf(frame *model.Node) *model.Node {
	for frame.Op() == model.OpSort {
		frame = frame.Arg(0)
	}
	return frame
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

// TableNodes returns the distinct table nodes (SelectTable, SelectPatientTable,
// InlinePatientTable) the roots read, in name order.
func TableNodes(roots ...*model.Node) []*model.Node {
	found := map[string]*model.Node{}
	model.Walk(func(n *model.Node) bool {
		switch n.Op() {
		case model.OpSelectTable, model.OpSelectPatientTable, model.OpInlinePatientTable:
			found[n.Table().Name] = n
		}
		return true
	}, roots...)
	names := make([]string, 0, len(found))
	for name := range found {
		names = append(names, name)
	}
	sort.Strings(names)
	out := make([]*model.Node, len(names))
	for i, name := range names {
		out[i] = found[name]
	}
	return out
}

// TablesOf lists the catalogue and user tables the nodes read, in name
// order (inline tables, which carry their rows, are left out).
func TablesOf(roots ...*model.Node) []*model.Table {
	var out []*model.Table
	for _, t := range TableNodes(roots...) {
		if t.Op() != model.OpInlinePatientTable {
			out = append(out, t.Table())
		}
	}
	return out
}
