package measures_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ehrql-go/ehrql/query"
)

// wantErrAt checks that err is (or joins) a *query.DefinitionError located
// in file (a "name.go:" prefix) whose message is msg.
func wantErrAt(t *testing.T, err error, file, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %q", msg)
	}
	var de *query.DefinitionError
	if !errors.As(err, &de) {
		t.Fatalf("error %q (%T) is not a *query.DefinitionError", err, err)
	}
	if !strings.HasPrefix(de.Location, file) {
		t.Errorf("error located at %q, want %s…", de.Location, file)
	}
	if de.Err.Error() != msg {
		t.Errorf("error:\n got %q\nwant %q", de.Err.Error(), msg)
	}
}
