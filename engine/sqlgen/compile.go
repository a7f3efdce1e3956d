package sqlgen

import (
	"fmt"
	"sort"

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
// Rendering reads the plan (newCompiler) and records what it has rendered;
// what a piece of SQL depends on besides its node travels with its scope
// (renderContext).
type compiler struct {
	// patients restricts every table the query reads (PatientRange).
	patients PatientRange
	ctes     []string
	// relations are the patient-level relations rendered so far, by node
	// and the pairs they were rendered for (see relation).
	relations map[relationKey]relation
	// pairsWithin gives the pairs each restriction of pairs began within
	// ("" for every pair).
	pairsWithin map[string]string
	// tablesOf names the CTEs of literal tables (a Case as a lookup, an
	// inline patient table), by node: declared once per query.
	tablesOf map[model.ID]string
	// selected lists the columns read from each pick, by which ties in its
	// sort are broken (model.PickedColumns).
	selected map[model.ID][]string
	tables   map[string]*model.Table // table name -> table, every table the query reads
	next     int
	// perInterval records which nodes depend on the measures' interval
	// parameters: their relations have one row per patient and interval.
	perInterval map[model.ID]bool
	// Aggregations over the same rows share one scan: aggGroup maps each
	// aggregation to its group.
	aggGroup   map[model.ID]*aggGroup
	inProgress map[*aggGroup]bool
	// groups lists the scans in the order they were planned.
	groups []*aggGroup
	// plan records the choices made, one line each, for dump-dataset-sql.
	plan []string
	// flagTables holds the codelist flags table of each tested column.
	flagTables map[string]*codeFlags
	// candidatesOnly is set when the scans of a dataset's variables read
	// only the candidate patients' rows (population first, universe).
	candidatesOnly bool
	// popRel, when set, is the relation whose rows (where the population's
	// required "exists" holds) are the candidates: the population relation
	// then carries its columns, so the final query reads them from its
	// candidate rows instead of joining the relation again.
	popRel string
	// sets are the CTEs declaring large literal sets, by set node.
	sets map[model.ID]string
	// pickCodes are the picks computed as one integer, by pick node.
	pickCodes map[model.ID]*pickCode
	// boundVars counts the variables operands are bound to (bindOperands).
	boundVars int
	// intervals are the measures' intervals (none for a dataset), and
	// calendars the calendar tables declared, by their bounds.
	intervals [][2]model.CivilDate
	calendars map[string]string
	// where names what is being compiled ("variable 'x'"), for the
	// messages of errors raised on data.
	where string
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

// ident quotes a SQL identifier.
func ident(s string) string { return sqlname.Ident(s) }

// sqlType is the DuckDB type of an ehrQL type.
func sqlType(t model.Type) string { return sqlname.Type(t) }

// literal renders a scalar literal as typed SQL.
func literal(l model.Literal) string { return sqlname.Literal(l) }

// tableRef names a table of the data source the query reads, restricted
// to the compiler's patients.
func (c *compiler) tableRef(t *model.Table) string { return c.patients.restrict(sqlname.TableRef(t)) }

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

// relationKey identifies a patient-level relation: the node it computes
// and the (patient, interval) pairs it was rendered for ("" for every
// pair).
type relationKey struct {
	id    model.ID
	pairs string
}

// relation is a patient-level relation rendered as a CTE: its name, and
// the column holding the node's value ("" for v, a relation of its own).
type relation struct {
	name, column string
}

// relation finds the relation computing node id for a context's pairs: one
// rendered for those pairs, else for the pairs they restrict, and so on up
// to one rendered for every pair. A relation rendered for some pairs only
// is never read where other pairs are needed.
func (c *compiler) relation(id model.ID, pairs string) (relation, bool) {
	for {
		if r, ok := c.relations[relationKey{id, pairs}]; ok {
			return r, true
		}
		if pairs == "" {
			return relation{}, false
		}
		pairs = c.pairsWithin[pairs]
	}
}

// define records the relation computing node id for pairs.
func (c *compiler) define(id model.ID, pairs string, r relation) {
	c.relations[relationKey{id, pairs}] = r
}

// restrictPairs records that the relation pairs holds some of the pairs of
// context within: relations rendered for within serve it too.
func (c *compiler) restrictPairs(pairs, within string) {
	c.pairsWithin[pairs] = within
}
