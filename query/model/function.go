package model

import "fmt"

// Function makes one of the Function.* nodes from its operands, checking
// ehrQL's type signature and that at most one many-rows domain is involved.
// MinimumOf and MaximumOf take any number (at least one) of operands.
func Function(op Op, args ...*Node) (*Node, error) {
	if !op.IsFunction() {
		return nil, fmt.Errorf("Function: %s is not a function", op)
	}
	spec := &specs[op]
	sig := spec.sig
	if !sig.variadic && len(args) != len(sig.operands) {
		return nil, fmt.Errorf("%s takes %d operands, got %d", op, len(sig.operands), len(args))
	}
	if sig.variadic && len(args) == 0 {
		return nil, fmt.Errorf("%s needs at least one operand", op)
	}
	field := func(i int) string {
		if sig.variadic {
			return fmt.Sprintf("%s[%d]", spec.fields[0], i)
		}
		return spec.fields[i]
	}
	for i, a := range args {
		if a == nil || a.IsFrame() {
			return nil, &TypeError{op, field(i), "Series", describe(a)}
		}
		if a.typ.Set && !sig.operand(i).setOfT {
			return nil, &TypeError{op, field(i), "Series", a.typ.String()}
		}
	}
	n := &Node{op: op, args: args}
	var err error
	if n.typ, err = sig.check(op, args, field); err != nil {
		return nil, err
	}
	if n.domain, err = combineDomains(op, args); err != nil {
		return nil, err
	}
	n.manyRows = n.domain != ""
	return n.finish(), nil
}

// combineDomains returns the one many-rows domain among the nodes, or an
// error if there are several.
func combineDomains(op Op, args []*Node) (string, error) {
	dom := ""
	for _, a := range args {
		if a == nil || a.domain == "" {
			continue
		}
		if dom != "" && dom != a.domain {
			return "", &DomainError{op, ErrCombineDomains}
		}
		dom = a.domain
	}
	return dom, nil
}

// Case makes a conditional series: for each row the value of the first
// condition that is true, else the default. A nil value or default is NULL.
func Case(conds, values []*Node, def *Node) (*Node, error) {
	if len(conds) == 0 || len(conds) != len(values) {
		return nil, fmt.Errorf("Case: needs at least one condition, each with a value")
	}
	args := make([]*Node, 0, 2*len(conds)+1)
	seen := map[ID]bool{}
	var t Type
	bound := false
	bind := func(field string, v *Node) error {
		if v == nil {
			return nil
		}
		if err := needSeries(OpCase, field, v, Any); err != nil {
			return err
		}
		if !bound {
			t, bound = v.typ, true
			return nil
		}
		if !t.Matches(v.typ) {
			return &TypeError{OpCase, field, t.String(), v.typ.String()}
		}
		if t.Kind == KindAny {
			t = v.typ
		}
		return nil
	}
	for i, c := range conds {
		if err := needSeries(OpCase, fmt.Sprintf("cases[%d] condition", i), c, Bool); err != nil {
			return nil, err
		}
		if seen[c.id] {
			return nil, fmt.Errorf("Case: duplicated condition in cases[%d]", i)
		}
		seen[c.id] = true
		if err := bind(fmt.Sprintf("cases[%d] value", i), values[i]); err != nil {
			return nil, err
		}
		args = append(args, c, values[i])
	}
	if err := bind("default", def); err != nil {
		return nil, err
	}
	if !bound {
		return nil, fmt.Errorf("Case: every value is NULL; give at least one value or a default")
	}
	args = append(args, def)
	n := &Node{op: OpCase, args: args, typ: t}
	var err error
	if n.domain, err = combineDomains(OpCase, args); err != nil {
		return nil, err
	}
	n.manyRows = n.domain != ""
	return n.finish(), nil
}

// CaseBranches splits a Case node's arguments into conditions, values and
// the default.
func (n *Node) CaseBranches() (conds, values []*Node, def *Node) {
	k := (len(n.args) - 1) / 2
	for i := 0; i < k; i++ {
		conds = append(conds, n.args[2*i])
		values = append(values, n.args[2*i+1])
	}
	return conds, values, n.args[len(n.args)-1]
}
