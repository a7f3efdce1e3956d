package spectest

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/ehrql-go/ehrql/query/model"
)

// Normalise converts an expectation's untyped constants to the series
// type's Go representation (int64, float64, bool, model.CivilDate or
// string; nil is NULL) and checks every value's type.
func Normalise(want map[int64]any, typ model.Type) (map[int64]any, error) {
	out := make(map[int64]any, len(want))
	for pid, v := range want {
		if v == nil {
			out[pid] = nil
			continue
		}
		var ok bool
		switch typ.Kind {
		case model.KindInt:
			switch x := v.(type) {
			case int:
				v, ok = int64(x), true
			case int64:
				ok = true
			}
		case model.KindFloat:
			switch x := v.(type) {
			case int:
				v, ok = float64(x), true
			case float64:
				ok = true
			}
		case model.KindBool:
			_, ok = v.(bool)
		case model.KindDate:
			_, ok = v.(model.CivilDate)
		case model.KindStr, model.KindCode, model.KindMultiCode:
			_, ok = v.(string)
		}
		if !ok {
			return nil, fmt.Errorf("patient %d: %v (%T) is not a valid %s value", pid, v, v, typ.Name())
		}
		out[pid] = v
	}
	return out, nil
}

// Compare lists the differences between the values got and want per
// patient, in patient order: missing and unexpected patients, and values
// that are not the same (SameValue).
func Compare(got, want map[int64]any, typ model.Type) []string {
	ids := map[int64]bool{}
	for id := range got {
		ids[id] = true
	}
	for id := range want {
		ids[id] = true
	}
	sorted := make([]int64, 0, len(ids))
	for id := range ids {
		sorted = append(sorted, id)
	}
	slices.Sort(sorted)
	var diffs []string
	for _, id := range sorted {
		g, inGot := got[id]
		w, inWant := want[id]
		switch {
		case !inGot:
			diffs = append(diffs, fmt.Sprintf("patient %d: missing from the results (want %s)", id, Show(w)))
		case !inWant:
			diffs = append(diffs, fmt.Sprintf("patient %d: unexpected in the results (got %s)", id, Show(g)))
		case !SameValue(g, w, typ):
			diffs = append(diffs, fmt.Sprintf("patient %d: got %s, want %s", id, Show(g), Show(w)))
		}
	}
	return diffs
}

// SameValue reports whether a value of type typ is the one expected: NULL
// only equals NULL; floats agree to a relative 1e-5 (pytest.approx, whose
// absolute tolerance is 1e-12), a zero's sign is compared (ehrQL writes
// -0.0) and NaN equals NaN; other values are equal.
func SameValue(got, want any, typ model.Type) bool {
	if got == nil || want == nil {
		return got == nil && want == nil
	}
	if typ.Kind == model.KindFloat {
		g, ok1 := got.(float64)
		w, ok2 := want.(float64)
		if !ok1 || !ok2 {
			return false
		}
		if w == 0 {
			return g == 0 && math.Signbit(g) == math.Signbit(w)
		}
		if math.IsNaN(w) {
			return math.IsNaN(g)
		}
		return g == w || math.Abs(g-w) <= math.Max(1e-5*math.Abs(w), 1e-12)
	}
	return got == want
}

// Show renders a value for a message: NULL, a quoted string, -0.0 for a
// negative zero.
func Show(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return strconv.Quote(x)
	case float64:
		if x == 0 && math.Signbit(x) {
			return "-0.0"
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}
