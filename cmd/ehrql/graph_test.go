package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestGraphQuery(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Go toolchain")
	}
	dir := t.TempDir()
	for _, tt := range []struct {
		out  string
		code int
		want string
	}{
		{filepath.Join(dir, "graph.svg"), 0, "<svg"},
		{filepath.Join(dir, "graph.dot"), 0, "digraph query {"},
		{filepath.Join(dir, "graph.png"), 2, ""},
	} {
		if strings.HasSuffix(tt.out, ".svg") {
			if _, err := exec.LookPath("dot"); err != nil && os.Getenv("CI") == "" {
				continue // drawing needs Graphviz, which CI has
			}
		}
		_, stderr, code := ehrql(t, "graph-query", "testdata/small", "--output", tt.out, "--", "--index-date", "2020-01-01")
		if code != tt.code {
			t.Errorf("%s: exit %d, want %d: %s", tt.out, code, tt.code, stderr)
			continue
		}
		data, err := os.ReadFile(tt.out)
		if tt.want == "" {
			if err == nil {
				t.Errorf("%s was written", tt.out)
			}
			continue
		}
		if err != nil || !strings.Contains(string(data), tt.want) || !strings.Contains(string(data), "date_of_birth") {
			t.Errorf("%s: %v: %.300s", tt.out, err, data)
		}
	}
}
