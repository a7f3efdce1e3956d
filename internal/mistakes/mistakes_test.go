package mistakes

import (
	"errors"
	"testing"
)

func TestJoin(t *testing.T) {
	a, b := errors.New("a.go:3: bad date"), errors.New("a.go:4: 'x' is already set")
	for _, c := range []struct {
		errs []error
		want string
	}{
		{nil, ""},
		{[]error{nil, nil}, ""},
		{[]error{a}, "a.go:3: bad date"},
		{[]error{a, a, b, a, errors.New("a.go:3: bad date")}, "a.go:3: bad date\na.go:4: 'x' is already set"},
		{[]error{b, nil, a}, "a.go:4: 'x' is already set\na.go:3: bad date"},
	} {
		err := Join(c.errs...)
		if got := ""; err != nil {
			got = err.Error()
			if got != c.want {
				t.Errorf("Join(%v) = %q, want %q", c.errs, got, c.want)
			}
		} else if c.want != "" {
			t.Errorf("Join(%v) = nil, want %q", c.errs, c.want)
		}
	}
	if err := Join(a, b); !errors.Is(err, a) || !errors.Is(err, b) {
		t.Error("the joined error does not wrap its mistakes")
	}
}
