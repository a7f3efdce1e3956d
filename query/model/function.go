package model

import "fmt"

// Function makes one of the Function.* nodes from its operands, checking
// ehrQL's type signature and that at most one many-rows domain is involved.
// MinimumOf and MaximumOf take any number (at least one) of operands.
func Function(op Op, args ...*Node) (*Node, error) {
	info := opInfos[op]
	if op < OpEQ || op > OpMaximumOf {
		return nil, fmt.Errorf("Function: %s is not a function", op)
	}
	variadic := op == OpMinimumOf || op == OpMaximumOf
	if !variadic && len(args) != len(info.fields) {
		return nil, fmt.Errorf("%s takes %d operands, got %d", op, len(info.fields), len(args))
	}
	if variadic && len(args) == 0 {
		return nil, fmt.Errorf("%s needs at least one operand", op)
	}
	field := func(i int) string {
		if variadic {
			return fmt.Sprintf("sources[%d]", i)
		}
		return info.fields[i]
	}
	for i, a := range args {
		if a == nil || a.IsFrame() {
			return nil, &TypeError{op, field(i), "Series", describe(a)}
		}
		if a.typ.Set && !(op == OpIn && i == 1) {
			return nil, &TypeError{op, field(i), "Series", a.typ.String()}
		}
	}
	n := &Node{op: op, args: args}
	var err error
	n.typ, err = resultType(op, args, field)
	if err != nil {
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

func resultType(op Op, args []*Node, field func(int) string) (Type, error) {
	want := func(i int, ok bool, expected string) error {
		if !ok {
			return &TypeError{op, field(i), expected, args[i].typ.String()}
		}
		return nil
	}
	// same checks that args[1:] match args[0]'s (bound) type.
	same := func() (Type, error) {
		t := args[0].typ
		for i := 1; i < len(args); i++ {
			if !t.Matches(args[i].typ) {
				return Type{}, &TypeError{op, field(i), t.String(), args[i].typ.String()}
			}
			if t.Kind == KindAny {
				t = args[i].typ
			}
		}
		return t, nil
	}
	switch op {
	case OpEQ, OpNE:
		if _, err := same(); err != nil {
			return Type{}, err
		}
		return Bool, nil
	case OpLT, OpLE, OpGT, OpGE:
		if err := want(0, args[0].typ.Comparable(), "Series[Comparable]"); err != nil {
			return Type{}, err
		}
		if _, err := same(); err != nil {
			return Type{}, err
		}
		return Bool, nil
	case OpAnd, OpOr, OpNot:
		for i, a := range args {
			if err := want(i, Bool.Matches(a.typ), "Series[bool]"); err != nil {
				return Type{}, err
			}
		}
		return Bool, nil
	case OpIsNull:
		return Bool, nil
	case OpNegate, OpAbsolute, OpAdd, OpSubtract, OpMultiply, OpTrueDivide, OpFloorDivide, OpPower:
		if err := want(0, args[0].typ.Numeric(), "Series[Numeric]"); err != nil {
			return Type{}, err
		}
		t, err := same()
		if err != nil {
			return Type{}, err
		}
		switch op {
		case OpTrueDivide, OpPower:
			return Float, nil
		case OpFloorDivide:
			return Int, nil
		}
		return t, nil
	case OpCastToInt:
		if err := want(0, args[0].typ.Numeric() || args[0].typ == Bool, "Series[Numeric | bool]"); err != nil {
			return Type{}, err
		}
		return Int, nil
	case OpCastToFloat:
		if err := want(0, args[0].typ.Numeric(), "Series[Numeric]"); err != nil {
			return Type{}, err
		}
		return Float, nil
	case OpDateAddDays, OpDateAddMonths, OpDateAddYears:
		if err := want(0, Date.Matches(args[0].typ), "Series[date]"); err != nil {
			return Type{}, err
		}
		if err := want(1, Int.Matches(args[1].typ), "Series[int]"); err != nil {
			return Type{}, err
		}
		return Date, nil
	case OpDateDifferenceInDays, OpDateDifferenceInMonths, OpDateDifferenceInYears:
		for i := range args {
			if err := want(i, Date.Matches(args[i].typ), "Series[date]"); err != nil {
				return Type{}, err
			}
		}
		return Int, nil
	case OpYearFromDate, OpMonthFromDate, OpDayFromDate:
		if err := want(0, Date.Matches(args[0].typ), "Series[date]"); err != nil {
			return Type{}, err
		}
		return Int, nil
	case OpToFirstOfYear, OpToFirstOfMonth:
		if err := want(0, Date.Matches(args[0].typ), "Series[date]"); err != nil {
			return Type{}, err
		}
		return Date, nil
	case OpStringContains:
		// Multi-code strings are str subclasses in ehrQL; codes are not.
		lhs := args[0].typ
		if err := want(0, !lhs.Set && (lhs.Kind == KindStr || lhs.Kind == KindMultiCode), "Series[str]"); err != nil {
			return Type{}, err
		}
		if err := want(1, Str.Matches(args[1].typ), "Series[str]"); err != nil {
			return Type{}, err
		}
		return Bool, nil
	case OpIn:
		set := args[1].typ
		if !set.Set {
			return Type{}, &TypeError{op, "rhs", "Series[Set[" + args[0].typ.Name() + "]]", set.String()}
		}
		if !args[0].typ.Matches(set.Elem()) {
			return Type{}, &TypeError{op, "rhs", SetOf(args[0].typ).String(), set.String()}
		}
		return Bool, nil
	case OpMinimumOf, OpMaximumOf:
		for i := range args {
			if err := want(i, args[i].typ.Comparable(), "Series[Comparable]"); err != nil {
				return Type{}, err
			}
		}
		return same()
	}
	return Type{}, fmt.Errorf("%s: unknown function", op)
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
