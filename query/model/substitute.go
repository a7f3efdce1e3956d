package model

import "fmt"

// Substitute returns n with every Parameter replaced by the Value of the
// same name in values (measures' interval dates), rebuilding, and so
// revalidating, every node above one.
func Substitute(n *Node, values map[string]Literal) (*Node, error) {
	memo := map[ID]*Node{}
	var rebuild func(n *Node) (*Node, error)
	rebuild = func(n *Node) (*Node, error) {
		if n == nil {
			return nil, nil
		}
		if m, ok := memo[n.id]; ok {
			return m, nil
		}
		if n.op == OpParameter {
			l, ok := values[n.name]
			if !ok {
				return nil, fmt.Errorf("no value for parameter %s", n.name)
			}
			if l.Type() != n.typ {
				return nil, fmt.Errorf("parameter %s: expected %s, got %s", n.name, n.typ.Name(), l.Type().Name())
			}
			return Value(l)
		}
		args := make([]*Node, len(n.args))
		changed := false
		for i, a := range n.args {
			b, err := rebuild(a)
			if err != nil {
				return nil, err
			}
			args[i] = b
			changed = changed || b != a
		}
		if !changed {
			memo[n.id] = n
			return n, nil
		}
		var out *Node
		var err error
		switch {
		case n.op == OpSelectColumn:
			out, err = SelectColumn(args[0], n.name)
		case n.op == OpFilter:
			out, err = Filter(args[0], args[1])
		case n.op == OpSort:
			out, err = Sort(args[0], args[1])
		case n.op == OpPickOneRowPerPatient:
			out, err = PickOneRowPerPatient(args[0], n.position)
		case n.op == OpSeriesCollectionFrame:
			out, err = SeriesCollectionFrame(n.names, args)
		case n.op == OpCountEpisodes:
			out, err = CountEpisodes(args[0], n.gap)
		case n.op.IsAggregation():
			out, err = Aggregate(n.op, args[0])
		case n.op == OpCase:
			k := (len(args) - 1) / 2
			conds, values := make([]*Node, k), make([]*Node, k)
			for i := 0; i < k; i++ {
				conds[i], values[i] = args[2*i], args[2*i+1]
			}
			out, err = Case(conds, values, args[len(args)-1])
		case n.op >= OpEQ && n.op <= OpMaximumOf:
			out, err = Function(n.op, args...)
		default:
			err = fmt.Errorf("cannot substitute parameters below %s", n.op)
		}
		if err != nil {
			return nil, err
		}
		memo[n.id] = out
		return out, nil
	}
	return rebuild(n)
}
