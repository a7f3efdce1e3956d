package definition

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// fix ends every cache folder error.
const fix = ": set EHRQL_CACHE_DIR to a folder you can write to, on a file system that lets programs run (not mounted noexec)"

// loadCacheError loads def and requires a *CacheError whose message is
// want.
func loadCacheError(t *testing.T, def string, opts Options, want string) {
	t.Helper()
	_, err := Load(context.Background(), def, nil, opts)
	var ce *CacheError
	if !errors.As(err, &ce) {
		t.Fatalf("got %T %v, want a *CacheError", err, err)
	}
	if err.Error() != want {
		t.Errorf("message\n  %s\nwant\n  %s", err, want)
	}
}

// TestCacheDirUnusable: a cache folder that cannot be used is reported,
// before anything is built, with its name, what is wrong with it and how
// to choose another.
func TestCacheDirUnusable(t *testing.T) {
	def := sharedPackageStudy(t)
	base := t.TempDir()
	file := filepath.Join(base, "a-file")
	os.WriteFile(file, nil, 0o644)
	readOnly := filepath.Join(base, "read-only")
	os.Mkdir(readOnly, 0o500)
	t.Cleanup(func() { os.Chmod(readOnly, 0o700) })
	writable := filepath.Join(base, "writable")

	cases := []struct {
		name, dir string
		noexec    bool
		want      string
		asUser    bool // root may write anywhere
	}{
		{"a file", file, false, "the folder where definitions are built and run from, " + file + " (from EHRQL_CACHE_DIR), is a file, not a folder" + fix, false},
		{"below a file", filepath.Join(file, "cache"), false,
			"the folder where definitions are built and run from, " + filepath.Join(file, "cache") + " (from EHRQL_CACHE_DIR), cannot be created (not a directory)" + fix, false},
		{"not writable", readOnly, false,
			"the folder where definitions are built and run from, " + readOnly + " (from EHRQL_CACHE_DIR), is not writable (permission denied)" + fix, true},
		{"not creatable", filepath.Join(readOnly, "cache"), false,
			"the folder where definitions are built and run from, " + filepath.Join(readOnly, "cache") + " (from EHRQL_CACHE_DIR), cannot be created (permission denied)" + fix, true},
		{"mounted noexec", writable, true,
			"the folder where definitions are built and run from, " + writable + " (from EHRQL_CACHE_DIR), is on a file system mounted noexec, where the definitions built in it cannot run" + fix, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.asUser && os.Geteuid() == 0 {
				t.Skip("root may write to any folder")
			}
			t.Setenv(CacheDirEnv, c.dir)
			if c.noexec {
				saved := mountedNoexec
				t.Cleanup(func() { mountedNoexec = saved })
				mountedNoexec = func(dir string) (bool, error) { return dir == c.dir, nil }
			}
			loadCacheError(t, def, Options{Isolation: "never"}, c.want)
		})
	}
}

// TestMountedNoexecOnTemp: a temporary folder where programs run is not
// taken for one mounted noexec.
func TestMountedNoexecOnTemp(t *testing.T) {
	if noexec, err := mountedNoexec(t.TempDir()); err != nil || noexec {
		t.Errorf("mountedNoexec(temp) = %v, %v; want false, nil", noexec, err)
	}
}

// TestBuiltDefinitionCannotRun: a built definition that cannot be executed
// (as on a file system mounted noexec; here, a program that lost its
// execute permission, which stops root too) is reported as a problem of the
// cache folder, confined or not.
func TestBuiltDefinitionCannotRun(t *testing.T) {
	cache := t.TempDir()
	t.Setenv(CacheDirEnv, cache)
	def := sharedPackageStudy(t)
	if _, err := Load(context.Background(), def, nil, Options{Isolation: "never"}); err != nil {
		t.Fatal(err)
	}
	built, err := filepath.Glob(filepath.Join(cache, "definitions", "[0-9a-f]*"))
	if err != nil || len(built) != 1 {
		t.Fatalf("built definitions %v (%v), want one", built, err)
	}
	if err := os.Chmod(built[0], 0o644); err != nil {
		t.Fatal(err)
	}
	want := "the folder where definitions are built and run from, " + cache + " (from EHRQL_CACHE_DIR), holds the built definition " +
		filepath.Base(built[0]) + ", which cannot be run: the file system may be mounted noexec (permission denied)" + fix
	t.Run("unconfined", func(t *testing.T) { loadCacheError(t, def, Options{Isolation: "never"}, want) })
	t.Run("confined", func(t *testing.T) {
		if err := sandboxSupported(); err != nil {
			t.Skip(err)
		}
		loadCacheError(t, def, Options{Isolation: "always"}, want)
	})
}
