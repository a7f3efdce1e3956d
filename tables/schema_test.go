package tables

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"testing"

	"github.com/ehrql-go/ehrql/query/model"
)

// TestSchemaRules checks every table against the rules ehrQL's Column and
// TableSchema enforce at construction, beyond model.Table.Validate.
func TestSchemaRules(t *testing.T) {
	for _, module := range Default().Modules() {
		for _, tbl := range Default().Tables(module) {
			for _, err := range schemaErrors(tbl) {
				t.Errorf("%s.%s: %v", module, tbl.Name, err)
			}
		}
	}
}

func schemaErrors(tbl *model.Table) []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	for _, c := range tbl.Columns {
		seen := map[string]bool{}
		for _, k := range slices.Concat(c.Constraints, c.DummyDataConstraints) {
			if seen[k.ConstraintName()] {
				fail("column %s: %s specified more than once", c.Name, k.ConstraintName())
			}
			seen[k.ConstraintName()] = true
			if err := constraintFits(c.Type, k); err != nil {
				fail("column %s: %v", c.Name, err)
			}
		}
		for _, k := range c.Constraints {
			if _, ok := k.(model.DateAfter); ok {
				fail("column %s: DateAfter can only be a dummy data constraint", c.Name)
			}
		}
	}

	// DateAfter: referenced columns exist and are dates, have the same
	// constraints apart from DateAfter and NotNull, and the columns involved
	// form one chain, each listing all its predecessors in order.
	deps := map[string][]string{}
	for _, c := range tbl.Columns {
		for _, k := range c.DummyDataConstraints {
			da, ok := k.(model.DateAfter)
			if !ok {
				continue
			}
			deps[c.Name] = da.Columns
			for _, d := range da.Columns {
				dc, ok := tbl.Column(d)
				switch {
				case !ok:
					fail("column %s: DateAfter refers to non-existent column %s", c.Name, d)
				case dc.Type != model.Date:
					fail("column %s: DateAfter refers to non-date column %s", c.Name, d)
				case !reflect.DeepEqual(dateAfterSignature(c), dateAfterSignature(dc)):
					fail("columns %s and %s have incompatible constraints for DateAfter", c.Name, d)
				}
			}
		}
	}
	if len(deps) > 0 {
		var nodes []string
		for _, c := range tbl.Columns {
			if _, ok := deps[c.Name]; ok {
				nodes = append(nodes, c.Name)
			} else {
				for _, ds := range deps {
					if slices.Contains(ds, c.Name) {
						nodes = append(nodes, c.Name)
						break
					}
				}
			}
		}
		// In a chain, the node with k predecessors declares exactly the k
		// nodes with fewer predecessors, in that order.
		slices.SortStableFunc(nodes, func(a, b string) int { return len(deps[a]) - len(deps[b]) })
		for i, n := range nodes {
			if !slices.Equal(deps[n], nodes[:i]) {
				fail("column %s: DateAfter %v, want %v", n, deps[n], nodes[:i])
			}
		}
	}
	return errs
}

// dateAfterSignature returns a column's constraints other than DateAfter and
// NotNull, for comparing the two ends of a DateAfter relationship.
func dateAfterSignature(c model.Column) []model.Constraint {
	var out []model.Constraint
	for _, k := range slices.Concat(c.Constraints, c.DummyDataConstraints) {
		switch k.(type) {
		case model.DateAfter, model.NotNull:
		default:
			out = append(out, k)
		}
	}
	return out
}

// constraintFits checks that a constraint suits a column of type typ.
func constraintFits(typ model.Type, k model.Constraint) error {
	switch k := k.(type) {
	case model.Categorical:
		for _, v := range k.Values {
			if v.Type() != typ {
				return fmt.Errorf("category %v has type %s, column has %s", v, v.Type().Name(), typ.Name())
			}
		}
	case model.ClosedRange:
		if typ != model.Int {
			return fmt.Errorf("ClosedRange on a %s column", typ.Name())
		}
		if k.Min > k.Max || k.Step < 1 {
			return fmt.Errorf("bad ClosedRange %+v", k)
		}
	case model.GeneralRange:
		for _, b := range []*model.Literal{k.Min, k.Max} {
			if b != nil && b.Type() != typ {
				return fmt.Errorf("GeneralRange bound %v has type %s, column has %s", b, b.Type().Name(), typ.Name())
			}
		}
	case model.Regex:
		if !typ.StrLike() {
			return fmt.Errorf("Regex on a %s column", typ.Name())
		}
		if _, err := regexp.Compile(k.Pattern); err != nil {
			return err
		}
	case model.FirstOfMonth, model.DateAfter:
		if typ != model.Date {
			return fmt.Errorf("%s on a %s column", k.ConstraintName(), typ.Name())
		}
	case model.NotNull, model.Unique:
	default:
		return fmt.Errorf("unknown constraint %T", k)
	}
	return nil
}

func TestSchemaRulesCatchMistakes(t *testing.T) {
	bad := []*model.Table{
		{Name: "twice", Columns: []model.Column{
			{Name: "d", Type: model.Date, Constraints: constraints(notNull), DummyDataConstraints: constraints(notNull)},
		}},
		{Name: "missing", Columns: []model.Column{
			{Name: "d", Type: model.Date, DummyDataConstraints: constraints(dateAfter("nope"))},
		}},
		{Name: "transitive", Columns: []model.Column{
			column("a", model.Date),
			{Name: "b", Type: model.Date, DummyDataConstraints: constraints(dateAfter("a"))},
			{Name: "c", Type: model.Date, DummyDataConstraints: constraints(dateAfter("b"))},
		}},
		{Name: "mismatched", Columns: []model.Column{
			{Name: "a", Type: model.Date, DummyDataConstraints: constraints(onOrAfter("2000-01-01"))},
			{Name: "b", Type: model.Date, DummyDataConstraints: constraints(dateAfter("a"))},
		}},
		{Name: "category_type", Columns: []model.Column{
			column("i", model.Int, categorical("1")),
		}},
	}
	for _, tbl := range bad {
		if len(schemaErrors(tbl)) == 0 {
			t.Errorf("%s: no error", tbl.Name)
		}
	}
}
