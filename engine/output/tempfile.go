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

// atomicFile is a temporary file in the destination's directory that is
// renamed onto the destination by commit, or removed by discard.
type atomicFile struct {
	dest string
	tmp  string
	f    *os.File
}

// createAtomic creates the parent directories of dest and a temporary file
// named "."+base(dest)+".tmp-<random>" next to it. Like os.CreateTemp, but
// the file is created with mode 0666 (before umask), so the final file gets
// the same permissions as a file written directly.
func createAtomic(dest string) (*atomicFile, error) {
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
	var rnd [8]byte
	for try := 0; ; try++ {
		if _, err := rand.Read(rnd[:]); err != nil {
			return nil, fmt.Errorf("output: creating temporary file for %s: %w", dest, err)
		}
		tmp := filepath.Join(dir, "."+base+".tmp-"+hex.EncodeToString(rnd[:]))
		f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if err == nil {
			return &atomicFile{dest: dest, tmp: tmp, f: f}, nil
		}
		if !errors.Is(err, fs.ErrExist) || try >= 100 {
			return nil, fmt.Errorf("output: creating temporary file for %s: %w", dest, err)
		}
	}
}

// Write writes to the temporary file.
func (a *atomicFile) Write(p []byte) (int, error) {
	return a.f.Write(p)
}

// commit fsyncs and closes the temporary file and renames it onto the
// destination. On failure the temporary file is removed.
func (a *atomicFile) commit() error {
	if err := a.f.Sync(); err != nil {
		a.discard()
		return fmt.Errorf("output: syncing %s: %w", a.dest, err)
	}
	if err := a.f.Close(); err != nil {
		a.f = nil
		a.discard()
		return fmt.Errorf("output: closing %s: %w", a.dest, err)
	}
	a.f = nil
	if err := os.Rename(a.tmp, a.dest); err != nil {
		a.discard()
		return fmt.Errorf("output: renaming temporary file onto %s: %w", a.dest, err)
	}
	syncDir(filepath.Dir(a.dest))
	return nil
}

// discard closes and removes the temporary file, ignoring errors: it is
// used on paths that already report an error, or when the caller asked to
// throw the output away.
func (a *atomicFile) discard() {
	if a.f != nil {
		_ = a.f.Close()
		a.f = nil
	}
	_ = os.Remove(a.tmp)
}

// syncDir makes a completed rename durable. It is best effort: some
// platforms and file systems cannot fsync a directory, and the file itself
// is already complete on disk.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
