package measures

import (
	"errors"
	"fmt"

	"github.com/ehrql-go/ehrql/internal/callsite"
	"github.com/ehrql-go/ehrql/query"
)

// fail locates err at the definition's line, unless it already has a
// location (errors from series carry the line that built them).
func fail(err error) error {
	var de *query.DefinitionError
	if errors.As(err, &de) {
		return err
	}
	return &query.DefinitionError{Location: callsite.Location(), Err: err}
}

// failf is fail(fmt.Errorf(...)).
func failf(format string, a ...any) error {
	return &query.DefinitionError{Location: callsite.Location(), Err: fmt.Errorf(format, a...)}
}
