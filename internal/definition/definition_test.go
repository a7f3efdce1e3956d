package definition

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ehrql-go/ehrql/query/model"
)

// writeStudy lays out a study from study-relative paths and contents.
func writeStudy(t testing.TB, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for rel, content := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// isolatedCache gives each test a cache of built definitions of its own.
func isolatedCache(t testing.TB) {
	t.Setenv(CacheDirEnv, t.TempDir())
}

func variableNames(def *model.Definition) []string {
	var names []string
	for _, v := range def.Dataset.Variables {
		names = append(names, v.Name)
	}
	return names
}

const sharedPackage = `package shared

import (
	q "github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/tables/core"
)

// Adult is the population both definitions use.
func Adult(on q.DatePatientSeries) q.BoolPatientSeries {
	return core.Patients.AgeOn(on).Ge(q.Int(18))
}
`

// sharedPackageStudy writes a study (no go.mod) whose one definition uses
// a study package, and returns the definition's path.
func sharedPackageStudy(t testing.TB) string {
	t.Helper()
	root := writeStudy(t, map[string]string{
		"project.yaml":                   "",
		"analysis/shared/shared.go":      sharedPackage,
		"analysis/dataset_definition.go": definitionUsing(DefaultModule, "sex"),
	})
	return filepath.Join(root, "analysis", "dataset_definition.go")
}

func definitionUsing(module, column string) string {
	return `//go:build ignore

package main

import (
	q "github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/tables/core"

	"` + module + `/analysis/shared"
)

func main() {
	start := q.FromArgs().DateOr("start-date", "2020-01-01")
	ds := q.NewDataset()
	ds.DefinePopulation(shared.Adult(start))
	ds.Add("` + column + `", core.Patients.Sex)
	q.Emit(ds)
}
`
}

// Two definitions in one folder, both package main, share a study package;
// each runs on its own, from a study without a go.mod (module "study") and
// from one with a go.mod of its own.
func TestTwoDefinitionsShareAStudyPackage(t *testing.T) {
	isolatedCache(t)
	for _, tc := range []struct {
		name, module string
		extra        map[string]string
		wantNote     string
	}{
		{"project.yaml only", DefaultModule, map[string]string{"project.yaml": "version: '4.0'\n"}, ""},
		{"own go.mod", "example.org/asthma", map[string]string{
			"go.mod": "module example.org/asthma\n\ngo 1.26\n\nrequire github.com/ehrql-go/ehrql v1.2.3\n",
		}, "requires github.com/ehrql-go/ehrql v1.2.3; definitions are built against the language of this ehrql"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{
				"analysis/shared/shared.go":          sharedPackage,
				"analysis/dataset_definition.go":     definitionUsing(tc.module, "sex_a"),
				"analysis/other_definition.go":       definitionUsing(tc.module, "sex_b"),
				"analysis/shared/not_a_definition":   "ignored",
				"codelists/unused.csv":               "code\n1\n",
				"output/left-alone-by-the-build.txt": "x",
			}
			for k, v := range tc.extra {
				files[k] = v
			}
			root := writeStudy(t, files)
			for def, want := range map[string]string{"dataset_definition.go": "sex_a", "other_definition.go": "sex_b"} {
				var notes bytes.Buffer
				got, err := Load(context.Background(), filepath.Join(root, "analysis", def), nil, Options{Output: &notes})
				if err != nil {
					t.Fatalf("%s: %v", def, err)
				}
				if names := variableNames(got); !slices.Equal(names, []string{want}) {
					t.Errorf("%s: variables %v, want [%s]", def, names, want)
				}
				if tc.wantNote != "" && !strings.Contains(notes.String(), tc.wantNote) {
					t.Errorf("%s: want a note %q, got %q", def, tc.wantNote, notes.String())
				}
				if tc.wantNote == "" && notes.Len() != 0 {
					t.Errorf("%s: unexpected output %q", def, notes.String())
				}
			}
		})
	}
}

// A definition built once is not built again until a Go file of its study
// changes.
func TestBuildCacheFollowsTheStudySources(t *testing.T) {
	isolatedCache(t)
	def := sharedPackageStudy(t)
	program := func() (string, os.FileInfo) {
		t.Helper()
		b, err := newBuilder(filepath.Dir(def), []string{"./dataset_definition.go"}, def, &bytes.Buffer{})
		if err != nil {
			t.Fatal(err)
		}
		defer b.cleanup()
		bin, err := b.program(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(bin)
		if err != nil {
			t.Fatal(err)
		}
		return bin, st
	}
	first, built := program()
	again, rebuilt := program()
	if again != first || !os.SameFile(built, rebuilt) {
		t.Errorf("an unchanged definition was built again: %s then %s", first, again)
	}
	shared := filepath.Join(filepath.Dir(def), "shared", "shared.go")
	if err := os.WriteFile(shared, []byte(strings.Replace(sharedPackage, "q.Int(18)", "q.Int(16)", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if changed, _ := program(); changed == first {
		t.Errorf("a change to a study package did not change the build")
	}
}

// Mistakes are reported with the file as the user names it, from where
// they are, and ehrQL's exit codes.
func TestDefinitionFailures(t *testing.T) {
	isolatedCache(t)
	const header = "//go:build ignore\n\npackage main\n\nimport (\n\tq \"github.com/ehrql-go/ehrql/query\"\n\t\"github.com/ehrql-go/ehrql/tables/core\"\n)\n\n"
	for _, tc := range []struct {
		name     string
		files    map[string]string
		params   []string
		opts     Options
		wantCode int
		want     []string
	}{
		{
			name:     "compile error",
			files:    map[string]string{"analysis/dataset_definition.go": header + "func main() {\n\tds := q.NewDataset()\n\tds.Add(\"x\", core.Patients.Nope)\n\tq.Emit(ds)\n}\n"},
			wantCode: 10,
			want:     []string{"analysis/dataset_definition.go:12:28: core.Patients.Nope undefined"},
		},
		{
			name: "forbidden imports",
			files: map[string]string{
				"project.yaml":                   "",
				"analysis/dataset_definition.go": "//go:build ignore\n\npackage main\n\nimport (\n\t\"os/exec\"\n\n\t\"study/analysis/lib\"\n)\n\nfunc main() { exec.Command(lib.Name()) }\n",
				"analysis/lib/lib.go":            "package lib\n\nimport \"net\"\n\nfunc Name() string { _, _ = net.Dial(\"tcp\", \"x\"); return \"\" }\n",
			},
			wantCode: 10,
			want: []string{
				`analysis/dataset_definition.go:6:2: import "os/exec" is not allowed in a definition`,
				`analysis/lib/lib.go:3:8: import "net" is not allowed in a definition`,
				"and these standard packages: bytes, cmp,",
			},
		},
		{
			name:     "cgo",
			files:    map[string]string{"analysis/dataset_definition.go": "//go:build ignore\n\npackage main\n\nimport \"C\"\n\nfunc main() {}\n"},
			wantCode: 10,
			want:     []string{`analysis/dataset_definition.go:5:8: import "C" (cgo) is not allowed in a definition`},
		},
		{
			name:     "panic",
			files:    map[string]string{"analysis/dataset_definition.go": header + "func main() {\n\tvar ds *q.Dataset\n\tds.Add(\"x\", core.Patients.Sex)\n}\n"},
			wantCode: 10,
			want:     []string{"the definition panicked: runtime error: invalid memory address or nil pointer dereference", "at analysis/dataset_definition.go:12"},
		},
		{
			name:     "missing parameter",
			files:    map[string]string{"analysis/dataset_definition.go": header + "func main() {\n\tq.FromArgs().Date(\"start-date\")\n\t_ = core.Patients\n}\n"},
			wantCode: 10,
			want:     []string{"parameter `start-date` defined but no values found"},
		},
		{
			name:     "malformed parameter",
			files:    map[string]string{"analysis/dataset_definition.go": header + "func main() {\n\tq.FromArgs().Date(\"start-date\")\n\t_ = core.Patients\n}\n"},
			params:   []string{"--start-date", "2020-13-45"},
			wantCode: 2,
			want:     []string{`argument --start-date: invalid date value: '2020-13-45'`},
		},
		{
			name:     "no query model",
			files:    map[string]string{"analysis/dataset_definition.go": header + "func main() { _ = core.Patients; _ = q.NewDataset() }\n"},
			wantCode: 10,
			want:     []string{"the definition did not emit a query model: call query.Emit(dataset) at the end of main"},
		},
		{
			name:     "runs too long",
			files:    map[string]string{"analysis/dataset_definition.go": header + "func main() {\n\t_, _ = q.NewDataset(), core.Patients\n\tfor {\n\t}\n}\n"},
			opts:     Options{Timeout: 2 * time.Second},
			wantCode: 10,
			want:     []string{"the definition did not finish within 2s (EHRQL_DEFINITION_TIMEOUT sets the limit)"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := writeStudy(t, tc.files)
			t.Chdir(root)
			_, err := Load(context.Background(), "analysis/dataset_definition.go", tc.params, tc.opts)
			var de *Error
			if !errors.As(err, &de) {
				t.Fatalf("want a definition error, got %v", err)
			}
			if de.Code != tc.wantCode || de.Path != "analysis/dataset_definition.go" {
				t.Errorf("code %d, path %q; want %d, %q", de.Code, de.Path, tc.wantCode, "analysis/dataset_definition.go")
			}
			for _, w := range tc.want {
				if !strings.Contains(de.Msg, w) {
					t.Errorf("message lacks %q:\n%s", w, de.Msg)
				}
			}
			if strings.Contains(de.Msg, root) {
				t.Errorf("message names the study by its absolute path:\n%s", de.Msg)
			}
		})
	}
}

// hostileDefinition tries to escape, reports each attempt, and still
// emits a valid dataset.
const hostileDefinition = `//go:build ignore

package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"

	q "github.com/ehrql-go/ehrql/query"
	"github.com/ehrql-go/ehrql/tables/core"
)

func try(name string, err error) {
	if err != nil {
		fmt.Printf("%s: refused\n", name)
		return
	}
	fmt.Printf("%s: done\n", name)
}

func main() {
	fmt.Printf("env: %q\n", os.Environ())
	try("write", os.WriteFile("escaped.txt", []byte("x"), 0o644))
	f, err := os.OpenFile(os.Args[1], os.O_RDWR, 0)
	if err == nil {
		f.Close()
	}
	try("store-read-write", err)
	_, err = os.ReadFile(os.Args[1])
	try("store-read", err)
	try("shell", exec.Command("/bin/sh", "-c", "echo hi > "+os.Args[3]).Run())
	c, err := net.Dial("tcp", os.Args[2])
	if err == nil {
		c.Close()
	}
	try("dial", err)
	ds := q.NewDataset()
	ds.DefinePopulation(core.Patients.Sex.IsNotNull())
	ds.Add("sex", core.Patients.Sex)
	q.Emit(ds)
}
`

// A definition run next to a store (DATABASE_URL set) sees none of the
// environment, and can write nothing, read nothing outside its study, run
// nothing and connect nowhere — even without the import check.
func TestHostileDefinitionIsConfined(t *testing.T) {
	if err := sandboxSupported(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI must run where definitions can be confined: %v", err)
		}
		t.Skip(err)
	}
	isolatedCache(t)
	store := filepath.Join(t.TempDir(), "patients.duckdb")
	if err := os.WriteFile(store, []byte("rows"), 0o644); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan struct{}, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			accepted <- struct{}{}
			c.Close()
		}
	}()
	t.Setenv("DATABASE_URL", "duckdb://"+store+"?password=s3cret")
	root := writeStudy(t, map[string]string{"project.yaml": "", "analysis/dataset_definition.go": hostileDefinition})
	shellOut := filepath.Join(t.TempDir(), "pwned")
	var out bytes.Buffer
	def, err := Load(context.Background(), filepath.Join(root, "analysis", "dataset_definition.go"),
		[]string{store, ln.Addr().String(), shellOut}, Options{Database: true, Output: &out, skipImportCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	if names := variableNames(def); !slices.Equal(names, []string{"sex"}) {
		t.Errorf("variables %v", names)
	}
	got := out.String()
	if strings.Contains(got, "s3cret") || strings.Contains(got, "DATABASE_URL") {
		t.Errorf("the definition saw the environment:\n%s", got)
	}
	for _, attempt := range []string{"write", "store-read-write", "store-read", "shell", "dial"} {
		if !strings.Contains(got, attempt+": refused\n") {
			t.Errorf("%s was not refused:\n%s", attempt, got)
		}
	}
	select {
	case <-accepted:
		t.Error("the definition connected to the listener")
	default:
	}
	for _, p := range []string{filepath.Join(root, "analysis", "escaped.txt"), shellOut} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was written", p)
		}
	}

	// The same definition with isolation switched off does what it likes,
	// which proves the refusals above are the sandbox's.
	out.Reset()
	if _, err := Load(context.Background(), filepath.Join(root, "analysis", "dataset_definition.go"),
		[]string{store, ln.Addr().String(), shellOut}, Options{Isolation: "never", Database: true, Output: &out, skipImportCheck: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "write: done") || !strings.Contains(out.String(), "store-read: done") || !strings.Contains(out.String(), "shell: done") {
		t.Errorf("unconfined, the definition should have written and read:\n%s", &out)
	}
	if strings.Contains(out.String(), "s3cret") {
		t.Errorf("even unconfined, the environment is emptied:\n%s", &out)
	}
}

// ehrQL's policy: confinement is required next to a store (or always),
// best effort otherwise, off with "never"; a bad value is refused.
func TestIsolationPolicy(t *testing.T) {
	isolatedCache(t)
	def := sharedPackageStudy(t)
	saved := sandboxSupported
	t.Cleanup(func() { sandboxSupported = saved })
	sandboxSupported = func() error { return errors.New("no Landlock here") }
	for _, tc := range []struct {
		opts    Options
		wantErr string
	}{
		{Options{Database: true}, "this system cannot confine the definition, which it must do before running it next to patient data"},
		{Options{Isolation: "always"}, "EHRQL_ISOLATE_USER_CODE=never"},
		{Options{}, ""},
		{Options{Isolation: "never", Database: true}, ""},
		{Options{Isolation: "maybe"}, `Invalid value for EHRQL_ISOLATE_USER_CODE: "maybe" (expected default, always or never)`},
	} {
		_, err := Load(context.Background(), def, nil, tc.opts)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%+v: %v", tc.opts, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%+v: got %v, want %q", tc.opts, err, tc.wantErr)
		}
	}
}

func TestOptionsFromEnv(t *testing.T) {
	t.Setenv(IsolateEnv, "always")
	t.Setenv(TimeoutEnv, "90s")
	t.Setenv(MemoryEnv, "2048")
	o, err := OptionsFromEnv(true)
	if err != nil || o.Isolation != "always" || o.Timeout != 90*time.Second || o.Memory != 2048<<20 || !o.Database {
		t.Errorf("OptionsFromEnv = %+v, %v", o, err)
	}
	for env, bad := range map[string]string{TimeoutEnv: "soon", MemoryEnv: "12"} {
		t.Setenv(env, bad)
		if _, err := OptionsFromEnv(false); err == nil || !strings.Contains(err.Error(), env) {
			t.Errorf("%s=%s: got %v", env, bad, err)
		}
		t.Setenv(TimeoutEnv, "")
		t.Setenv(MemoryEnv, "")
	}
}

// BenchmarkLoadUnchangedDefinition measures what an unchanged definition
// costs each run: hashing the study, finding the cached program, running
// it confined and decoding its query model.
func BenchmarkLoadUnchangedDefinition(b *testing.B) {
	isolatedCache(b)
	def := sharedPackageStudy(b)
	if _, err := Load(context.Background(), def, nil, Options{}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Load(context.Background(), def, nil, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// Built definitions not run for KeepBuilt, and abandoned partial builds,
// are removed; recent ones and the one just built stay.
func TestPruneDefinitions(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-KeepBuilt - time.Hour)
	files := map[string]time.Time{
		"stale":        old,
		"recent":       time.Now(),
		"kept":         old,
		".build-1":     time.Now().Add(-25 * time.Hour),
		".build-fresh": time.Now(),
	}
	for name, mtime := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, nil, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	pruneDefinitions(dir, filepath.Join(dir, "kept"))
	var left []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if got := strings.Join(left, " "); got != ".build-fresh kept recent" {
		t.Errorf("left %q, want %q", got, ".build-fresh kept recent")
	}
}
