package output

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// BusyError reports that another run is writing the same output.
type BusyError struct{ Path string }

// Error implements the error interface.
func (e *BusyError) Error() string {
	return fmt.Sprintf("%s is being written by another run (its lock %s is held); wait for it to finish or choose another output",
		e.Path, lockPath(e.Path))
}

// ReadOnlyError reports that an existing output file may not be replaced
// because it is read-only.
type ReadOnlyError struct{ Path string }

// Error implements the error interface.
func (e *ReadOnlyError) Error() string {
	return fmt.Sprintf("%s exists and is read-only: it will not be replaced (make it writable, or choose another output)", e.Path)
}

// lockPath is the lock file that marks dest as being written.
func lockPath(dest string) string {
	dir, base := filepath.Split(dest)
	return filepath.Join(dir, "."+base+".lock")
}

// TempName returns a fresh name for a temporary file beside dest,
// "."+base(dest)+".tmp-<random>", so that no other file, and no other run
// writing dest, is ever touched by its writer.
func TempName(dest string) (string, error) {
	dir, base := filepath.Split(dest)
	var rnd [8]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return "", fmt.Errorf("output: naming a temporary file for %s: %w", dest, err)
	}
	return filepath.Join(dir, "."+base+".tmp-"+hex.EncodeToString(rnd[:])), nil
}

// Prepare readies dest to be written: it creates its parent directories,
// refuses a destination that is a directory, a device or pipe, or an
// existing read-only file (*ReadOnlyError), and takes the lock that marks dest as being written,
// failing with *BusyError when another run holds it. The returned unlock
// releases the lock; the lock is also released if the process dies.
func Prepare(dest string) (unlock func(), err error) {
	dir, base := filepath.Split(dest)
	if base == "" {
		return nil, fmt.Errorf("output: %q is a directory, not a file name", dest)
	}
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return nil, fmt.Errorf("output: creating directory for %s: %w", dest, err)
	}
	if err := checkReplaceable(dest); err != nil {
		return nil, err
	}
	return lock(dest)
}

// checkReplaceable refuses a destination that is a directory, not a
// regular file, or read-only.
func checkReplaceable(dest string) error {
	st, err := os.Stat(dest)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("output: %w", err)
	}
	if st.IsDir() {
		return fmt.Errorf("output: %s is a directory", dest)
	}
	if !st.Mode().IsRegular() {
		// Renaming onto a device or a pipe would replace it.
		return fmt.Errorf("output: %s is not a regular file (%s); give a file name", dest, st.Mode().Type())
	}
	// A file with no write permission for anyone is read-only even for a
	// user (such as root) whom the system would let write it.
	if st.Mode().Perm()&0o222 == 0 {
		return &ReadOnlyError{Path: dest}
	}
	f, err := os.OpenFile(dest, os.O_WRONLY, 0)
	if errors.Is(err, fs.ErrPermission) {
		return &ReadOnlyError{Path: dest}
	}
	if err != nil {
		return fmt.Errorf("output: %w", err)
	}
	return f.Close()
}
