package dummy

import (
	"fmt"

	"github.com/ehrql-go/ehrql/query/model"
)

// CannotGenerate is ehrQL's error for a population no dummy patient can be
// in: a column the population needs a value of, of which no value its
// table allows will do.
type CannotGenerate struct {
	Column string // table.column
}

// Error is ehrQL's message.
func (e *CannotGenerate) Error() string {
	return fmt.Sprintf("Unable to find any values for %s that satisfy the population definition.", e.Column)
}

// checkSatisfiable finds, among the conditions the population ANDs
// together, a comparison of a patient-level table's column with constant
// values that no value of the column's finite domain (its categories, its
// closed range, or true and false) satisfies; NULL satisfies no comparison.
// It does not look further: a population it passes may still be
// impossible, which generation then reports by falling short.
func checkSatisfiable(pop *model.Node) error {
	if pop.Op() == model.OpAnd {
		for _, a := range pop.Args() {
			if err := checkSatisfiable(a); err != nil {
				return err
			}
		}
		return nil
	}
	switch pop.Op() {
	case model.OpEQ, model.OpNE, model.OpLT, model.OpLE, model.OpGT, model.OpGE, model.OpIn:
	default:
		return nil
	}
	for side := range 2 {
		col, other := pop.Arg(side), pop.Arg(1-side)
		if col.Op() != model.OpSelectColumn || col.Arg(0).Op() != model.OpSelectPatientTable {
			continue
		}
		c, ok := col.Arg(0).Table().Column(col.Name())
		if !ok {
			continue
		}
		k, ok := constOf(other)
		if !ok || k == nil {
			continue
		}
		domain, finite := domainOf(c)
		if !finite {
			continue
		}
		satisfied := false
		for _, v := range domain {
			args := []any{v, k}
			if side == 1 {
				args = []any{k, v}
			}
			if got, ok, err := model.EvalFunction(pop.Op(), args); !ok || err != nil || got == true {
				satisfied = true // an error says nothing: assume satisfiable
				break
			}
		}
		if !satisfied {
			return &CannotGenerate{Column: col.Arg(0).Table().Name + "." + c.Name}
		}
	}
	return nil
}

// domainOf is every non-NULL value a column may take, where that is a
// finite set: its categories, its closed range, or true and false.
func domainOf(c model.Column) ([]any, bool) {
	if cats, ok := c.Categories(); ok {
		out := make([]any, len(cats))
		for i, l := range cats {
			out[i] = l.Go()
		}
		return out, true
	}
	if r, ok := c.Range(); ok && r.Step > 0 && (r.Max-r.Min)/r.Step < 100000 {
		var out []any
		for x := r.Min; x <= r.Max; x += r.Step {
			out = append(out, x)
		}
		return out, true
	}
	if c.Type.Kind == model.KindBool {
		return []any{true, false}, true
	}
	return nil, false
}
