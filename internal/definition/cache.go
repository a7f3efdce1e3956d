package definition

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// CacheDirEnv overrides where built definitions and the language source
// are kept (default: the user's cache directory, ehrql-go).
const CacheDirEnv = "EHRQL_CACHE_DIR"

// CacheError says that the cache folder, where definitions are built and
// run from, cannot be used: which folder, what is wrong with it, and how
// to choose another.
type CacheError struct {
	Dir     string // the cache folder
	Problem string // what is wrong, after the folder's name
	Err     error  // the error behind it, or nil
}

// Error implements the error interface.
func (e *CacheError) Error() string {
	from := "the default"
	if os.Getenv(CacheDirEnv) != "" {
		from = "from " + CacheDirEnv
	}
	msg := fmt.Sprintf("the folder where definitions are built and run from, %s (%s), %s", e.Dir, from, e.Problem)
	if e.Err != nil {
		msg += " (" + e.Err.Error() + ")"
	}
	return msg + fmt.Sprintf(": set %s to a folder you can write to, on a file system that lets programs run (not mounted noexec)", CacheDirEnv)
}

// Unwrap returns the error behind the problem.
func (e *CacheError) Unwrap() error { return e.Err }

// cacheRoot is the folder for the language source and built definitions:
// created if need be, and checked to be a folder this process can write to
// on a file system that lets the programs built in it run.
func cacheRoot() (string, error) {
	dir := os.Getenv(CacheDirEnv)
	if dir == "" {
		if base, err := os.UserCacheDir(); err == nil {
			dir = filepath.Join(base, "ehrql-go")
		} else {
			dir = filepath.Join(os.TempDir(), fmt.Sprintf("ehrql-go-cache-%d", os.Getuid()))
		}
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	if info, err := os.Stat(dir); err == nil && !info.IsDir() {
		return "", &CacheError{Dir: dir, Problem: "is a file, not a folder"}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", &CacheError{Dir: dir, Problem: "cannot be created", Err: unwrapPath(err)}
	}
	probe, err := os.CreateTemp(dir, ".probe-")
	if err != nil {
		return "", &CacheError{Dir: dir, Problem: "is not writable", Err: unwrapPath(err)}
	}
	probe.Close()
	os.Remove(probe.Name())
	if noexec, err := mountedNoexec(dir); err == nil && noexec {
		return "", &CacheError{Dir: dir, Problem: "is on a file system mounted noexec, where the definitions built in it cannot run"}
	}
	return dir, nil
}

// unwrapPath is the error behind a file-system operation's error on a
// path (permission denied, read-only file system), which names the folder
// already.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// cannotRun reports an error starting the built program bin, in the
// cache folder dir, that says it cannot be executed (EACCES): a file system
// mounted noexec, or a program that has lost its execute permission.
func cannotRun(dir, bin string) error {
	return &CacheError{Dir: dir, Problem: fmt.Sprintf("holds the built definition %s, which cannot be run: the file system may be mounted noexec", filepath.Base(bin)), Err: syscall.EACCES}
}
