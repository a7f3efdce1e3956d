package sqlgen

import (
	"fmt"
	"strings"

	"github.com/ehrql-go/ehrql/query/model"
)

// populationScope is the scope of a query over the population relation:
// named after the relation the candidates are read from, if any, whose
// columns the population carries (so it is never joined again). Its scans
// read only the candidates' rows when universe chose so.
func (c *compiler) populationScope() *scope {
	var ctx renderContext
	if c.candidatesOnly {
		ctx.within = "population"
	}
	if c.popRel == "" {
		return newScope("p", ctx)
	}
	s := newScope(c.popRel, ctx)
	s.joined[c.popRel] = true
	return s
}

// universe declares the population relation: the candidate patients, a
// superset of the population. It returns the condition the final query
// still tests on them: the population, less what the candidates already
// meet.
//
//   - When the population cannot be true for a patient with no row in a
//     patient table (requiredTable: "aged 18 or over" needs a row of
//     patients), the candidates are that table's rows, which carry its
//     columns for the final query, so it is never joined again. A patient
//     table has one row per patient: there is nothing to group or
//     deduplicate.
//   - When the population requires rows in a frame (a conjunct "exists",
//     such as "registered on the index date"), the candidates have such
//     rows. With a required table, its rows are kept by a semi-join with
//     the frame's rows, and the condition is met, if nothing else is
//     computed from the frame's rows (computedAlone) and no other series
//     reads the condition (roots are the query's series): otherwise, and
//     without a required table, they are the patients of that
//     aggregation's relation, which the population test needs anyway and
//     whose other values the final query reads from them.
//   - Otherwise they are everyone who appears in a table the population
//     reads: ehrQL's population rules guarantee that no one else can be
//     in the population (so nobody is, if it reads none).
//
// When the frame tests a codelist (a cohort such as "diagnosed with X"),
// every scan rendered from the population's scope (populationScope) reads
// only the candidates' rows (a semi-join), since no other patient can be
// in the population. The rule stands for an estimate of the candidates'
// share, which the compiler cannot know: a codelist-defined cohort is
// usually a small part of the patients, and restricting to a tenth of them
// saved 40% of the CPU; a frame with no codelist ("registered on the index
// date") usually holds nearly every patient, and restricting to those (90%
// of the patients) cost 10% more CPU on the wide benchmark
// (bench/RESULTS.md).
func (c *compiler) universe(pop *model.Node, roots []*model.Node) (*model.Node, error) {
	declare := func(body string) {
		c.ctes = append(c.ctes, "population AS (\n  "+body+"\n)")
	}
	var required, requiredExists *model.Node // the conjunct, as written
	for _, n := range conjuncts(pop) {
		x := n
		if r := existsOfPick(n); r != nil {
			x = r
		}
		if x.Op() == model.OpExists && x.Arg(0).ManyRowsPerPatient() {
			required, requiredExists = n, x
			break
		}
	}
	// restrictScans decides whether the other scans read only the
	// candidates' rows (a cohort by codelist), and says which for the plan.
	restrictScans := func(rows *model.Node) string {
		if testsCodelist(rows) {
			c.candidatesOnly = true
			return "the other scans read only their rows (a cohort by codelist)"
		}
		return "the other scans read every patient's rows (no codelist: most patients are candidates)"
	}
	frameTable := func(rows *model.Node) string {
		if f, err := flattenFrame(rows); err == nil {
			return f.table.Name
		}
		return "a frame"
	}
	if t := requiredTable(pop); t != nil && (requiredExists == nil || c.computedAlone(requiredExists) && !readElsewhere(required, requiredExists, pop, roots)) {
		c.popRel = ident("pt_" + t.Table().Name)
		if requiredExists == nil {
			declare("SELECT * FROM " + c.tableRef(t.Table()))
			c.plan = append(c.plan, fmt.Sprintf("population first: the candidates are the rows of %s, which the population requires, and the final query reads its columns from them", t.Table().Name))
			return pop, nil
		}
		frame := requiredExists.Arg(0)
		rows, err := c.eventQuery(renderContext{}, frame, false, nil, func(s *scope) (string, string, error) {
			return "e.patient_id", "", nil
		})
		if err != nil {
			return nil, err
		}
		declare(fmt.Sprintf("SELECT * FROM %s AS t\n  WHERE t.patient_id IN (\n  %s\n  )", c.tableRef(t.Table()), rows))
		c.plan = append(c.plan, fmt.Sprintf("population first: the candidates are the rows of %s with rows in %s (a semi join), both of which the population requires, and the final query reads the columns of %s from them; %s",
			t.Table().Name, frameTable(rowsOf(frame)), t.Table().Name, restrictScans(rowsOf(frame))))
		return without(pop, required)
	}
	if requiredExists != nil {
		n := requiredExists
		if _, err := c.aggregate(n, newScope("p", renderContext{})); err != nil {
			return nil, err
		}
		rel, _ := c.relation(n.ID(), "")
		name, col := rel.name, "v"
		if rel.column != "" {
			col = rel.column
		}
		declare(fmt.Sprintf("SELECT * FROM %s WHERE %s", name, col))
		c.popRel = name
		c.plan = append(c.plan, fmt.Sprintf("population first: the candidates are the patients with rows in %s (of %s the population requires), whose values the final query reads from them; %s", name, frameTable(rowsOf(n.Arg(0))), restrictScans(rowsOf(n.Arg(0)))))
		return pop, nil
	}
	var parts []string
	for _, t := range TableNodes(pop) {
		if t.Op() == model.OpInlinePatientTable {
			name, err := c.inlineTable(t)
			if err != nil {
				return nil, err
			}
			parts = append(parts, "SELECT DISTINCT patient_id FROM "+name)
			continue
		}
		parts = append(parts, "SELECT DISTINCT patient_id FROM "+c.tableRef(t.Table()))
	}
	if len(parts) == 0 {
		// A population that reads no table has the same value for every
		// patient, and that value is not true (ehrQL's population rule):
		// nobody is in it.
		declare("SELECT CAST(NULL AS BIGINT) AS patient_id WHERE FALSE")
		return pop, nil
	}
	c.plan = append(c.plan, "population: the candidates are the patients in any table the population reads")
	declare(strings.Join(parts, "\n  UNION\n  "))
	return pop, nil
}

// computedAlone reports whether aggregation n is the only aggregation or
// pick planned for its scan: a scan for it alone serves nothing else.
func (c *compiler) computedAlone(n *model.Node) bool {
	g := c.aggGroup[n.ID()]
	if g == nil {
		return true
	}
	for _, m := range g.members {
		if m.ID() != n.ID() {
			return false
		}
	}
	return true
}

// readElsewhere reports whether a root other than the population reads
// conjunct (or the aggregation x it stands for).
func readElsewhere(conjunct, x, pop *model.Node, roots []*model.Node) bool {
	found := false
	for _, r := range roots {
		if r.ID() == pop.ID() {
			continue
		}
		model.Walk(func(n *model.Node) bool {
			found = found || n.ID() == conjunct.ID() || n.ID() == x.ID()
			return !found
		}, r)
	}
	return found
}

// without is condition pop less its conjunct drop (TRUE if nothing is
// left).
func without(pop, drop *model.Node) (*model.Node, error) {
	var rest *model.Node
	for _, x := range conjuncts(pop) {
		if x.ID() == drop.ID() {
			continue
		}
		if rest == nil {
			rest = x
			continue
		}
		and, err := model.Function(model.OpAnd, rest, x)
		if err != nil {
			return nil, fmt.Errorf("internal error: the population less a condition: %w", err)
		}
		rest = and
	}
	if rest == nil {
		return model.MustValue(model.BoolLit(true)), nil
	}
	return rest, nil
}

// requiredTable returns a patient table (its SelectPatientTable node) of
// which the population requires a row: a conjunct of the population cannot
// be true for a patient with none (notTrueWithout). It returns nil if there
// is none.
func requiredTable(pop *model.Node) *model.Node {
	for _, t := range TableNodes(pop) {
		if t.Op() != model.OpSelectPatientTable {
			continue
		}
		memo := map[model.ID]bool{}
		for _, x := range conjuncts(pop) {
			if notTrueWithout(x, t.Table(), memo) {
				return t
			}
		}
	}
	return nil
}

// notTrueWithout reports whether condition n cannot be true for a patient
// with no row in patient table t: an AND with such an operand, an OR of
// two, or an expression that is NULL without the row.
func notTrueWithout(n *model.Node, t *model.Table, memo map[model.ID]bool) bool {
	switch n.Op() {
	case model.OpAnd:
		return notTrueWithout(n.Arg(0), t, memo) || notTrueWithout(n.Arg(1), t, memo)
	case model.OpOr:
		return notTrueWithout(n.Arg(0), t, memo) && notTrueWithout(n.Arg(1), t, memo)
	}
	return nullWithout(n, t, memo)
}

// nullWithout reports whether series n is NULL for a patient with no row in
// patient table t: a column of t, or a function that is NULL when an
// operand is (model.Op.StrictNull) of such an operand. memo holds the
// answers for nodes already seen.
func nullWithout(n *model.Node, t *model.Table, memo map[model.ID]bool) bool {
	if v, ok := memo[n.ID()]; ok {
		return v
	}
	v := false
	switch {
	case n.Op() == model.OpSelectColumn:
		src := n.Arg(0)
		v = src.Op() == model.OpSelectPatientTable && src.Table().Name == t.Name
	case n.Op().StrictNull():
		for _, a := range n.Args() {
			if a != nil && nullWithout(a, t, memo) {
				v = true
				break
			}
		}
	}
	memo[n.ID()] = v
	return v
}

// testsCodelist reports whether a frame's conditions test a column against
// a codelist (a literal set).
func testsCodelist(rows *model.Node) bool {
	f, err := flattenFrame(rows)
	if err != nil {
		return false
	}
	for _, cond := range f.conditions {
		for _, x := range conjuncts(cond) {
			if _, ok := codelistTest(x); ok {
				return true
			}
		}
	}
	return false
}
