package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/ehrql-go/ehrql/internal/resultfile"
)

// The ehrql command as a user installs it: built once per test run, then
// copied into each test's own folder, away from this repository.
var (
	builtOnce   sync.Once
	builtBinary string
	builtErr    error
)

func installedEhrql(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the ehrql command")
	}
	builtOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ehrql-bin-")
		if err != nil {
			builtErr = err
			return
		}
		builtBinary = filepath.Join(dir, "ehrql")
		out, err := exec.Command("go", "build", "-o", builtBinary, ".").CombinedOutput()
		if err != nil {
			builtErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if builtErr != nil {
		t.Fatal(builtErr)
	}
	bin := filepath.Join(t.TempDir(), "bin", "ehrql")
	data, err := os.ReadFile(builtBinary)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

// runIn runs the installed command in dir with env added to a copy of this
// process's environment.
func runIn(t *testing.T, dir string, env []string, bin string, args ...string) (string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("ehrql %s: %v\n%s", strings.Join(args, " "), err, &stderr)
	}
	return stdout.String(), stderr.String()
}

// copyTree copies the files below src into dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// snapshot lists every file below dir with its size and modification time.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		lines = append(lines, fmt.Sprintf("%s %v %d %d", p, info.Mode(), info.Size(), info.ModTime().UnixNano()))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// A study in a repository of its own — no go.mod, read-only but for
// output/, laid out as OpenSAFELY studies are — runs its Go dataset and
// measures actions with nothing but the installed ehrql command and a Go
// toolchain: no module cache, no build cache, no network. The outputs are
// those of ehrQL's own serialization of the same study.
func TestStudyRepositoryRunsWithOnlyTheBinary(t *testing.T) {
	bin := installedEhrql(t)
	ref, err := filepath.Abs(study)
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(t.TempDir(), "digital-access-to-primary-care")
	copyTree(t, filepath.Join(ref, "codelists"), filepath.Join(root, "codelists"))
	for _, def := range []string{"dataset_definition.go", "measures_definition.go"} {
		data, err := os.ReadFile(filepath.Join(ref, def))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(root, "analysis"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "analysis", def), data, 0o444); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "project.yaml"), []byte("version: '4.0'\n"), 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "output"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{root, filepath.Join(root, "analysis"), filepath.Join(root, "codelists")} {
		if err := os.Chmod(d, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(d, 0o755) })
	}
	before := snapshot(t, root)

	empty := t.TempDir()
	env := []string{
		"HOME=" + filepath.Join(empty, "home"),
		"GOMODCACHE=" + filepath.Join(empty, "modcache"),
		"GOCACHE=" + filepath.Join(empty, "gocache"),
		"GOPROXY=off",
		"XDG_CACHE_HOME=",
		"GOFLAGS=",
		"DATABASE_URL=",
		"EHRQL_CACHE_DIR=",
	}
	tables := filepath.Join(ref, "dummy_tables")
	runIn(t, root, env, bin, "generate-dataset", "analysis/dataset_definition.go",
		"--dummy-tables", tables, "--output", "output/dataset.csv",
		"--", "--start-date", "2020-04-01", "--end-date", "2021-03-31")
	runIn(t, root, env, bin, "generate-measures", "analysis/measures_definition.go",
		"--dummy-tables", tables, "--output", "output/measures/consultation_measures.csv")

	// ehrQL's serialization of the same study, run by the same command.
	want := t.TempDir()
	runIn(t, want, nil, bin, "generate-dataset", filepath.Join(ref, "ehrql-json", "consultation_dataset_2020-04-01_to_2021-03-31.json"),
		"--dummy-tables", tables, "--output", "dataset.csv")
	runIn(t, want, nil, bin, "generate-measures", filepath.Join(ref, "ehrql-json", "consultation_measures.json"),
		"--dummy-tables", tables, "--output", "measures.csv")
	for got, exp := range map[string]string{
		"output/dataset.csv":                        "dataset.csv",
		"output/measures/consultation_measures.csv": "measures.csv",
	} {
		a, err := os.ReadFile(filepath.Join(root, got))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(want, exp))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) || len(a) < 1000 {
			t.Errorf("%s (%d bytes) differs from ehrQL's JSON run (%d bytes)", got, len(a), len(b))
		}
	}
	// Nothing was written into the study but its outputs.
	if after := snapshot(t, root); !outputsOnly(before, after) {
		t.Errorf("the study changed outside output/:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// outputsOnly reports whether after differs from before only below output/.
func outputsOnly(before, after string) bool {
	keep := func(s string) string {
		var out []string
		for _, l := range strings.Split(s, "\n") {
			if !strings.Contains(l, string(filepath.Separator)+"output") {
				out = append(out, l)
			}
		}
		return strings.Join(out, "\n")
	}
	return keep(before) == keep(after)
}

// `ehrql init` in an empty folder writes a study whose project.yaml
// actions run as they are, on generated dummy data, and whose go.mod lets
// the go command (and so editors) resolve the language with no network.
func TestInitThenProjectActions(t *testing.T) {
	bin := installedEhrql(t)
	root := t.TempDir()
	out, _ := runIn(t, root, nil, bin, "init")
	for _, f := range []string{"analysis/dataset_definition.go", "analysis/measures_definition.go", "analysis/test_dataset_definition.go", "codelists/asthma-diagnosis.csv", "project.yaml", "go.mod", ".gitignore"} {
		if !strings.Contains(out, "wrote "+f+"\n") {
			t.Errorf("init did not report writing %s:\n%s", f, out)
		}
	}
	f, err := os.Open(filepath.Join(root, "project.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var actions [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if run, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "run: "); ok {
			actions = append(actions, strings.Fields(run)[1:]) // the image name, then ehrql's arguments
		}
	}
	if len(actions) != 2 || !strings.Contains(strings.Join(actions[0], " "), "--test-data-file analysis/test_dataset_definition.go") {
		t.Fatalf("project.yaml has %d actions, want 2", len(actions))
	}
	for _, args := range actions {
		runIn(t, root, nil, bin, args...)
	}
	dataset, err := resultfile.Read(filepath.Join(root, "output", "dataset.arrow"))
	if err != nil {
		t.Fatal(err)
	}
	if n := dataset.Rows; n != 1000 {
		t.Errorf("dataset.arrow has %d rows, want the 1000 dummy patients configured", n)
	}
	measures, err := os.ReadFile(filepath.Join(root, "output", "measures.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(measures), "measure,interval_start,interval_end,ratio,numerator,denominator,sex\r\n") ||
		strings.Count(string(measures), "asthma_diagnosis_rate,") != 12*4 {
		t.Errorf("measures.csv is not 12 months by 4 sexes:\n%s", measures)
	}

	// The go command resolves the language from the study's go.mod
	// offline, as an editor's language server does.
	cmd := exec.Command("go", "list", "-f", "{{.Dir}}", "github.com/ehrql-go/ehrql/query")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=readonly", "GOMODCACHE="+t.TempDir())
	dir, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list in the new study: %v", err)
	}
	if got, want := strings.TrimSpace(string(dir)), filepath.Join(root, ".ehrql", "language", "query"); got != want {
		t.Errorf("the study's go.mod resolves the language to %s, want %s", got, want)
	}

	// A second init keeps the researcher's files.
	if err := os.WriteFile(filepath.Join(root, "project.yaml"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _ = runIn(t, root, nil, bin, "init")
	if data, _ := os.ReadFile(filepath.Join(root, "project.yaml")); string(data) != "mine\n" || !strings.Contains(out, "kept  project.yaml") {
		t.Errorf("init replaced an existing file:\n%s", out)
	}
}

// TestStartWritesNothing: starting the command writes nothing of its own
// (no cache in the temporary folder, where another user's files would make
// every command fail on a shared machine).
func TestStartWritesNothing(t *testing.T) {
	bin := installedEhrql(t)
	tmp := t.TempDir()
	cmd := exec.Command(bin, "--version")
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "HOME="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil || !strings.HasPrefix(string(out), "ehrql ") {
		t.Fatalf("--version: %v: %s", err, out)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("starting ehrql wrote %s in the temporary folder", entries[0].Name())
	}
}
