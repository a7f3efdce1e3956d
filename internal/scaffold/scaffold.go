// Package scaffold writes a new study repository for `ehrql init`: a
// dataset and a measures definition that run as they are, assurance tests
// of the dataset, an example codelist, a project.yaml with their two actions, and what editors need to
// resolve the language's imports offline.
package scaffold

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	ehrql "github.com/ehrql-go/ehrql"
	"github.com/ehrql-go/ehrql/internal/definition"
)

//go:embed all:_study
var files embed.FS

// Result lists what Init did, as study-relative paths.
type Result struct {
	Written []string // new files
	Kept    []string // files that existed and were left as they were
}

// Init writes a study into dir (created if missing). Existing files are
// never changed; the editors' copy of the language is always refreshed.
func Init(dir string) (*Result, error) {
	res := &Result{}
	err := fs.WalkDir(files, "_study", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(p, "_study/")
		if rel == "go.mod.tmpl" {
			rel = "go.mod"
			data = []byte(strings.NewReplacer("GOVERSION", ehrql.GoVersion(), "LANGUAGE_DIR", definition.EditorLanguageDir).Replace(string(data)))
		}
		target := filepath.Join(dir, filepath.FromSlash(rel))
		if _, err := os.Lstat(target); err == nil {
			res.Kept = append(res.Kept, rel)
			return nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(target, data, 0o644); err != nil {
			return err
		}
		res.Written = append(res.Written, rel)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("writing the study: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "output"), 0o755); err != nil {
		return nil, err
	}
	if err := definition.WriteLanguage(filepath.Join(dir, filepath.FromSlash(definition.EditorLanguageDir))); err != nil {
		return nil, fmt.Errorf("writing the language source for editors: %w", err)
	}
	res.Written = append(res.Written, path.Join(definition.EditorLanguageDir, "..."))
	return res, nil
}
