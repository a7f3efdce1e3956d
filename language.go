// Package ehrql carries the source of the ehrQL language packages — the Go
// packages a dataset or measures definition imports — inside every program
// that links it, so that the ehrql command builds definitions against
// exactly the language version of the engine that runs them, with no
// network, module cache or checkout of this repository.
package ehrql

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"path"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
)

// ModulePath is the import path of this module, under which definitions
// import the language packages.
const ModulePath = "github.com/ehrql-go/ehrql"

// LanguagePackages are the module-relative directories of the packages a
// definition may import, which are all the packages they depend on in this
// module. A test keeps the list equal to the packages' real dependencies.
var LanguagePackages = []string{
	"codelists",
	"internal/callsite",
	"internal/duration",
	"internal/mistakes",
	"measures",
	"query",
	"query/model",
	"tables",
	"tables/core",
	"tables/emis",
	"tables/emisv2",
	"tables/internal/registrations",
	"tables/raw/core",
	"tables/raw/emis",
	"tables/raw/tpp",
	"tables/smoketest",
	"tables/tpp",
}

//go:embed go.mod codelists internal/callsite internal/duration internal/mistakes measures query tables
var embedded embed.FS

var language = sync.OnceValue(func() *Source {
	src := &Source{Files: map[string][]byte{}}
	for _, dir := range LanguagePackages {
		entries, err := embedded.ReadDir(dir)
		if err != nil {
			panic("ehrql: language package " + dir + " is not embedded: " + err.Error())
		}
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			data, err := embedded.ReadFile(path.Join(dir, name))
			if err != nil {
				panic(err)
			}
			src.Files[path.Join(dir, name)] = data
		}
	}
	src.Files["go.mod"] = languageGoMod()
	h := sha256.New()
	names := make([]string, 0, len(src.Files))
	for name := range src.Files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		h.Write([]byte(name))
		h.Write([]byte{0})
		h.Write(src.Files[name])
		h.Write([]byte{0})
	}
	src.Hash = hex.EncodeToString(h.Sum(nil))
	return src
})

// Source is the language packages' source: module-relative file names
// (including a go.mod of their own, with no requirements) and contents.
type Source struct {
	Files map[string][]byte
	// Hash identifies this version of the language: equal hashes, equal
	// source.
	Hash string
}

// Language returns the embedded source of the language packages.
func Language() *Source { return language() }

// GoVersion is the language version (the go directive) the module and the
// definitions built against it use.
func GoVersion() string {
	data, _ := fs.ReadFile(embedded, "go.mod")
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "go "); ok {
			return strings.TrimSpace(v)
		}
	}
	panic("ehrql: go.mod has no go directive")
}

// languageGoMod is the go.mod of the extracted language packages: this
// module's path and Go version, and no requirements (the language packages
// depend on the standard library only).
func languageGoMod() []byte {
	return []byte("module " + ModulePath + "\n\ngo " + GoVersion() + "\n")
}

// version is set at release builds with
// -ldflags "-X github.com/ehrql-go/ehrql.version=v1.2.3".
var version string

// Version is the version of this build of the module: the release's, the
// version it was installed at (go install …@vX), or "dev-" followed by the
// first digits of the language hash for a build from a checkout.
func Version() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		if v := info.Main.Version; info.Main.Path == ModulePath && v != "" && v != "(devel)" {
			return v
		}
	}
	return "dev-" + Language().Hash[:12]
}
