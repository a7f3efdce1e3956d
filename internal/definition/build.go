package definition

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	ehrql "github.com/ehrql-go/ehrql"
	"github.com/ehrql-go/ehrql/query"
)

// AllowedStdlib are the standard-library packages a definition, and the
// study packages it imports, may import: computation only — no files,
// processes, network, unsafe memory or reflection.
var AllowedStdlib = []string{
	"bytes", "cmp", "errors", "fmt", "iter", "maps", "math", "math/big", "math/bits",
	"regexp", "slices", "sort", "strconv", "strings", "time", "unicode",
	"unicode/utf16", "unicode/utf8",
}

// ExtractLanguage writes the embedded language source below root (once
// per language version) and returns its folder: a module a study's go.mod
// can replace github.com/ehrql-go/ehrql with.
func ExtractLanguage(root string) (string, error) {
	dir := filepath.Join(root, "language", ehrql.Language().Hash[:16])
	if _, err := os.Stat(filepath.Join(dir, StampFile)); err == nil {
		return dir, nil
	}
	if err := WriteLanguage(dir); err != nil {
		if _, statErr := os.Stat(filepath.Join(dir, StampFile)); statErr == nil {
			return dir, nil // another run wrote it first
		}
		return "", err
	}
	return dir, nil
}

// EditorLanguageDir is where, inside a study, `ehrql init` keeps a copy of
// the language source for editors (the study's go.mod replaces the
// language module with it).
const EditorLanguageDir = ".ehrql/language"

// StampFile, in a folder WriteLanguage wrote, names the language version
// it holds: ehrql's version and the language hash, on one line.
const StampFile = "ehrql-version"

func stamp() string { return ehrql.Version() + " " + ehrql.Language().Hash + "\n" }

// WriteLanguage writes the embedded language source as a module in dir,
// replacing whatever dir held, all at once.
func WriteLanguage(dir string) error {
	src := ehrql.Language()
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".tmp-language-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	files := map[string][]byte{StampFile: []byte(stamp())}
	for name, data := range src.Files {
		files[name] = data
	}
	for name, data := range files {
		path := filepath.Join(tmp, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		// Read-only: an editor that opens the language to read it should
		// not change it.
		if err := os.WriteFile(path, data, 0o444); err != nil {
			return err
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("installing the language source: %w", err)
	}
	return nil
}

// goTool finds the go command.
func goTool() (string, error) {
	if p, err := exec.LookPath("go"); err == nil {
		return p, nil
	}
	p := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("building a Go definition needs the Go toolchain (go %s or later) on PATH, and none was found", ehrql.GoVersion())
}

// builder builds one definition program.
type builder struct {
	study  *study
	defDir string   // the definition's folder, absolute
	target []string // what go build is given, relative to defDir
	shown  string   // the definition as the user named it
	goTool string
	cache  string
	env    []string
	flags  []string // -overlay, when the study is built against the embedded language
	notes  io.Writer
	// skipImportCheck builds without the import allow-list (tests only).
	skipImportCheck bool
	// cleanup removes the build's temporary files.
	cleanup func()
}

func newBuilder(defDir string, target []string, shown string, notes io.Writer) (*builder, error) {
	s, err := findStudy(defDir)
	if err != nil {
		return nil, err
	}
	gt, err := goTool()
	if err != nil {
		return nil, err
	}
	cache, err := cacheRoot()
	if err != nil {
		return nil, err
	}
	abs, _ := filepath.Abs(defDir)
	b := &builder{study: s, defDir: abs, target: target, shown: shown, goTool: gt, cache: cache, notes: notes, cleanup: func() {}}
	b.env = buildEnv(s.self())
	if !s.self() {
		b.noteVersions()
	}
	return b, nil
}

// buildEnv is the go command's environment: the user's, less the store's
// address, with the build pinned to this machine's toolchain, no cgo, no
// workspace and — for studies — no network.
func buildEnv(self bool) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "DATABASE_URL", "GOFLAGS", "CGO_ENABLED", "GOWORK", "GOTOOLCHAIN", "GOPROXY", "GOOS", "GOARCH":
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "CGO_ENABLED=0", "GOWORK=off", "GOTOOLCHAIN=local", "GOFLAGS=-mod=readonly")
	if !self {
		env = append(env, "GOPROXY=off")
	}
	if os.Getenv("GOCACHE") == "" {
		if _, err := os.UserCacheDir(); err != nil {
			env = append(env, "GOCACHE="+filepath.Join(os.TempDir(), fmt.Sprintf("ehrql-go-build-%d", os.Getuid())))
		}
	}
	return env
}

// noteVersions says when the study expects another version of the
// language than the one it will be built against.
func (b *builder) noteVersions() {
	if v := requiredLanguage(b.study.GoMod); v != "" && v != "v0.0.0" && v != ehrql.Version() {
		fmt.Fprintf(b.notes, "note: %s requires %s %s; definitions are built against the language of this ehrql (%s)\n",
			relToCwd(filepath.Join(b.study.Root, "go.mod")), ehrql.ModulePath, v, ehrql.Version())
	}
	editors := filepath.Join(b.study.Root, filepath.FromSlash(EditorLanguageDir))
	if data, err := os.ReadFile(filepath.Join(editors, StampFile)); err == nil && string(data) != stamp() {
		fmt.Fprintf(b.notes, "note: the editors' copy of the language in %s is not this ehrql's (%s); run `ehrql init` in the study to refresh it\n",
			relToCwd(editors), ehrql.Version())
	}
}

// useEmbeddedLanguage makes the go command see the study's go.mod as one
// that replaces this module with the language embedded in the ehrql
// command, without writing anything into the study.
func (b *builder) useEmbeddedLanguage() error {
	lang, err := ExtractLanguage(b.cache)
	if err != nil {
		return &CacheError{Dir: b.cache, Problem: "cannot hold the language source", Err: err}
	}
	dir, err := os.MkdirTemp("", "ehrql-build-")
	if err != nil {
		return err
	}
	b.cleanup = func() { os.RemoveAll(dir) }
	gomod := filepath.Join(dir, "go.mod")
	if err := os.WriteFile(gomod, b.study.goMod(lang), 0o644); err != nil {
		return err
	}
	overlay, _ := json.Marshal(map[string]map[string]string{"Replace": {
		filepath.Join(b.study.Root, "go.mod"): gomod,
		filepath.Join(b.study.Root, "go.sum"): "",
	}})
	path := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(path, overlay, 0o644); err != nil {
		return err
	}
	b.flags = []string{"-overlay", path}
	return nil
}

// skippedDir reports folders below a study that hold no definition code.
func skippedDir(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
		name == "vendor" || name == "node_modules" || name == "output"
}

// key identifies the program a build would produce: the language, the
// toolchain, the build target and every Go file of the study module.
func (b *builder) key() (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "ehrql %s\ngo %s %s/%s\ntarget %s %s\nunchecked %v\n", ehrql.Language().Hash, b.goTool, runtime.GOOS, runtime.GOARCH, b.defDir, b.target, b.skipImportCheck)
	if st, err := os.Stat(b.goTool); err == nil {
		fmt.Fprintf(h, "%d %d\n", st.Size(), st.ModTime().UnixNano())
	}
	h.Write(b.study.GoMod)
	err := filepath.WalkDir(b.study.Root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != b.study.Root && skippedDir(d.Name()) {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil && path != b.study.Root {
				return filepath.SkipDir // another module
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d\n", path, len(data))
		h.Write(data)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("reading the study's Go files: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// goCmd runs the go command in the definition's folder.
func (b *builder) goCmd(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, b.goTool, append(args[:1:1], append(slices.Clone(b.flags), args[1:]...)...)...)
	cmd.Dir = b.defDir
	cmd.Env = b.env
	return cmd
}

// listedPackage is what go list says of one package.
type listedPackage struct {
	ImportPath string
	Standard   bool
	Dir        string
	GoFiles    []string
	CgoFiles   []string
}

// checkImports refuses a definition that imports, itself or through a
// study package, anything but the language, the study's packages and
// AllowedStdlib. It reads the import lines of every package of the
// definition that is not the standard library's or the language's.
func (b *builder) checkImports(ctx context.Context) error {
	cmd := b.goCmd(ctx, append([]string{"list", "-e", "-deps", "-json=ImportPath,Standard,Dir,GoFiles,CgoFiles"}, b.target...)...)
	// Listing compiles nothing: with cgo on, files importing "C" are
	// listed (as CgoFiles) and refused below, rather than hidden.
	cmd.Env = append(slices.Clone(b.env), "CGO_ENABLED=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return b.compileError(stderr.String())
	}
	allowed := map[string]bool{}
	for _, p := range AllowedStdlib {
		allowed[p] = true
	}
	for _, p := range ehrql.LanguagePackages {
		allowed[ehrql.ModulePath+"/"+p] = true
	}
	studyPackage := func(imp string) bool {
		return (imp == b.study.Module || strings.HasPrefix(imp, b.study.Module+"/")) && !strings.HasPrefix(imp, ehrql.ModulePath+"/")
	}
	var problems []string
	fset := token.NewFileSet()
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return fmt.Errorf("reading go list's output: %w", err)
		}
		if p.Standard || allowed[p.ImportPath] {
			continue
		}
		for _, name := range append(p.GoFiles, p.CgoFiles...) {
			path := filepath.Join(p.Dir, name)
			f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
			if err != nil {
				return b.compileError(err.Error())
			}
			for _, spec := range f.Imports {
				imp, _ := strconv.Unquote(spec.Path.Value)
				if allowed[imp] || studyPackage(imp) {
					continue
				}
				pos := fset.Position(spec.Path.Pos())
				where := fmt.Sprintf("%s:%d:%d", relToCwd(path), pos.Line, pos.Column)
				if imp == "C" {
					problems = append(problems, where+`: import "C" (cgo) is not allowed in a definition`)
				} else {
					problems = append(problems, fmt.Sprintf("%s: import %q is not allowed in a definition", where, imp))
				}
			}
		}
	}
	if len(problems) == 0 {
		return nil
	}
	var lang []string
	for _, p := range ehrql.LanguagePackages {
		lang = append(lang, ehrql.ModulePath+"/"+p)
	}
	slices.Sort(problems)
	return &Error{Path: b.shown, Code: query.ExitDefinitionError, Msg: strings.Join(slices.Compact(problems), "\n") +
		"\n\nA definition may import the ehrQL language (" + strings.Join(lang, ", ") + "), " +
		"the study's own packages (" + b.study.Module + "/...) and these standard packages: " + strings.Join(AllowedStdlib, ", ") + "."}
}

// build compiles the definition to the program at out.
func (b *builder) build(ctx context.Context, out string) error {
	cmd := b.goCmd(ctx, append([]string{"build", "-buildvcs=false", "-o", out}, b.target...)...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if _, ok := err.(*exec.ExitError); !ok {
			return fmt.Errorf("running go build: %w", err)
		}
		return b.compileError(stderr.String())
	}
	return nil
}

var goPosition = regexp.MustCompile(`(?m)^(\S+?\.go):(\d+)`)

// compileError turns the go command's messages into the definition's
// error, with every file named relative to where the user is, as they
// would write it.
func (b *builder) compileError(msg string) error {
	var lines []string
	for _, line := range strings.Split(strings.TrimSpace(msg), "\n") {
		if strings.HasPrefix(line, "# ") {
			continue // go build's package header
		}
		line = goPosition.ReplaceAllStringFunc(line, func(m string) string {
			sub := goPosition.FindStringSubmatch(m)
			path := sub[1]
			if !filepath.IsAbs(path) {
				path = filepath.Join(b.defDir, path)
			}
			return relToCwd(path) + ":" + sub[2]
		})
		lines = append(lines, line)
	}
	return &Error{Path: b.shown, Code: query.ExitDefinitionError, Msg: strings.Join(lines, "\n")}
}

// program returns the built definition, building it unless a build of the
// same sources is cached.
func (b *builder) program(ctx context.Context) (string, error) {
	key, err := b.key()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(b.cache, "definitions", key[:32])
	if _, err := os.Stat(bin); err == nil {
		now := time.Now()
		os.Chtimes(bin, now, now) // in use: kept by pruneDefinitions
		return bin, nil
	}
	if !b.study.self() {
		if err := b.useEmbeddedLanguage(); err != nil {
			return "", err
		}
	}
	if !b.skipImportCheck {
		if err := b.checkImports(ctx); err != nil {
			return "", err
		}
	}
	if err := os.MkdirAll(filepath.Dir(bin), 0o700); err != nil {
		return "", &CacheError{Dir: b.cache, Problem: "cannot hold built definitions", Err: err}
	}
	tmp, err := os.CreateTemp(filepath.Dir(bin), ".build-")
	if err != nil {
		return "", &CacheError{Dir: b.cache, Problem: "cannot hold built definitions", Err: err}
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	if err := b.build(ctx, tmp.Name()); err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), bin); err != nil {
		return "", &CacheError{Dir: b.cache, Problem: "cannot hold built definitions", Err: err}
	}
	pruneDefinitions(filepath.Dir(bin), bin)
	return bin, nil
}

// KeepBuilt is how long a built definition that is not run is kept.
const KeepBuilt = 30 * 24 * time.Hour

// pruneDefinitions removes built definitions unused for KeepBuilt, and
// abandoned partial builds, except keep.
func pruneDefinitions(dir, keep string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		info, err := e.Info()
		if err != nil || path == keep {
			continue
		}
		age := time.Since(info.ModTime())
		if age > KeepBuilt || strings.HasPrefix(e.Name(), ".build-") && age > 24*time.Hour {
			os.Remove(path)
		}
	}
}

// relToCwd names path relative to the working directory when it lies
// below it, and in full otherwise.
func relToCwd(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	rel, err := filepath.Rel(wd, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return path
	}
	return rel
}
