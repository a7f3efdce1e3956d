package definition

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/query/model"
	"github.com/ehrql-go/ehrql/tables"
)

// Debug loads the definition at path as Load does, with show() switched
// on, and returns what it showed, in order, and its definition (nil when
// it emitted none, which a definition that only shows things may do). A
// definition that fails after showing things returns them with the error.
func Debug(ctx context.Context, path string, params []string, opts Options) ([]*model.Show, *model.Definition, error) {
	var buf bytes.Buffer
	opts.Shows = &buf
	def, err := Load(ctx, path, params, opts)
	var de *Error
	if errors.As(err, &de) && de.NoModel() {
		err = nil
	}
	dir, aerr := filepath.Abs(filepath.Dir(path))
	if aerr != nil {
		return nil, nil, aerr
	}
	var shows []*model.Show
	for i, line := range bytes.Split(buf.Bytes(), []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		s, serr := model.DecodeShows(line, tables.Default(), model.DefinitionDir(dir))
		if serr != nil {
			return nil, nil, &Error{Path: path, Code: query.ExitDefinitionError, Msg: fmt.Sprintf("show %d: %v", i+1, serr)}
		}
		shows = append(shows, s...)
	}
	return shows, def, err
}
