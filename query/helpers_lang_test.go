package query_test

import (
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/query/model"
)

// sx renders a node as a compact S-expression: op names without their
// "Function."/"AggregateByPatient." prefixes, Value(literal), frames as
// table names, columns as frame.column, NULL for an absent Case value.
func sx(n *model.Node) string {
	if n == nil {
		return "NULL"
	}
	switch n.Op() {
	case model.OpValue:
		return "Value(" + n.Literal().String() + ")"
	case model.OpSelectTable, model.OpSelectPatientTable:
		return n.Table().Name
	case model.OpSelectColumn:
		return sx(n.Arg(0)) + "." + n.Name()
	case model.OpPickOneRowPerPatient:
		return "Pick" + string(n.Position()) + "(" + sx(n.Arg(0)) + ")"
	case model.OpCountEpisodes:
		return "CountEpisodes(" + sx(n.Arg(0)) + ", " + itoa(n.Gap()) + ")"
	}
	name := n.Op().String()
	name = strings.TrimPrefix(name, "Function.")
	name = strings.TrimPrefix(name, "AggregateByPatient.")
	parts := make([]string, len(n.Args()))
	for i, a := range n.Args() {
		parts[i] = sx(a)
	}
	return name + "(" + strings.Join(parts, ", ") + ")"
}

func itoa(i int64) string {
	var b strings.Builder
	if i < 0 {
		b.WriteByte('-')
		i = -i
	}
	digits := []byte{}
	for {
		digits = append([]byte{byte('0' + i%10)}, digits...)
		i /= 10
		if i == 0 {
			break
		}
	}
	b.Write(digits)
	return b.String()
}

// mustNode returns x's node, failing the test if building it failed.
func mustNode(t *testing.T, x query.Series) *model.Node {
	t.Helper()
	n, err := query.Node(x)
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	return n
}

// nodeErr returns the error met building x, failing the test if there was
// none.
func nodeErr(t *testing.T, x query.Series) error {
	t.Helper()
	n, err := query.Node(x)
	if err == nil {
		t.Fatalf("expected an error, got node %s", sx(n))
	}
	return err
}
