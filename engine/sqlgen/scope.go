package sqlgen

import (
	"fmt"
	"strings"

	"github.com/ehrql-go/ehrql/query/model"
)

// scope is what an expression is rendered against: a row source and the
// context of the SQL being written. Views of one row source (scope.where,
// scope.forPairs) share its joins, so a relation an expression needs is
// joined once, whichever view it was rendered in.
type scope struct {
	*rowSource
	ctx renderContext
}

// renderContext is what rendering depends on besides the node and its row
// source. It is handed down with the scope, never set on the compiler and
// restored: a scan's rows get a scope of their own with the same pairs.
type renderContext struct {
	// inlineSets is set for the WHERE conditions of a per-interval scan,
	// where a large literal set is written in place: DuckDB tests such an
	// IN list at the scan itself, before the rows meet the intervals.
	// Elsewhere a large set (a codelist) is declared once per query and
	// read as a table.
	inlineSets bool
	// pairs, when set, names a relation of (patient_id, iv, start_date,
	// end_date) rows: the only patient and interval pairs the per-interval
	// relations rendered in this context need. Relations rendered for some
	// pairs only are found again only in the same context (relations).
	pairs string
	// within, when set, names the relation of the candidate patients (a
	// dataset's population first): scans rendered in this context read
	// only their rows.
	within string
}

// rowSource is the row source an expression is evaluated against: the
// population (one row per patient) or the rows of one event table. Patient
// relations that the expression needs are LEFT JOINed to it.
type rowSource struct {
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

// newScope is a scope over a new row source, aliased base, in ctx.
func newScope(base string, ctx renderContext) *scope {
	return &scope{
		rowSource: &rowSource{base: base, joined: map[string]bool{}, lookups: map[model.ID]string{}, ranks: map[string]rankColumn{}, rankJoins: map[string]string{}},
		ctx:       ctx,
	}
}

// inlining is the view of s for the WHERE conditions of a per-interval
// scan (renderContext.inlineSets).
func (s *scope) inlining() *scope {
	v := *s
	v.ctx.inlineSets = true
	return &v
}

// forPairs is the view of s whose per-interval relations are rendered for
// the (patient, interval) pairs of relation pairs only.
func (s *scope) forPairs(pairs string) *scope {
	v := *s
	v.ctx.pairs = pairs
	return &v
}

// scan is the context of a new scan's rows rendered within ctx: the same
// pairs and candidates; whether its conditions write sets in place is the
// scan's own affair.
func (ctx renderContext) scan() renderContext {
	return renderContext{pairs: ctx.pairs, within: ctx.within}
}

// withinJoin restricts a scan of event rows (aliased e) to the candidate
// patients, when the population is known first.
func (ctx renderContext) withinJoin() string {
	if ctx.within == "" {
		return ""
	}
	return " SEMI JOIN " + ctx.within + " AS inc ON inc.patient_id = e.patient_id"
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
