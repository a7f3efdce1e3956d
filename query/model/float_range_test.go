package model_test

import (
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
)

// TestDecodeFloatOutOfRange: a float too large for 64 bits is refused with
// the place it was found.
func TestDecodeFloatOutOfRange(t *testing.T) {
	for _, lit := range []string{"1e999", "-1e999"} {
		_, err := model.Decode(datasetDoc(`{"Function.IsNull": {"source": {"Value": `+lit+`}}}`, nil), tables.Default())
		if err == nil || !strings.Contains(err.Error(), "node 3") || !strings.Contains(err.Error(), "float "+lit+" out of range") {
			t.Errorf("%s: got %v", lit, err)
		}
	}
}
