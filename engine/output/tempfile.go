package output

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// atomicFile is a temporary file in the destination's directory that is
// renamed onto the destination by commit, or removed by discard. While it
// exists the destination is locked against other runs.
type atomicFile struct {
	dest   string
	tmp    string
	f      *os.File
	unlock func()
}

// createAtomic readies dest with Prepare (parent directories, read-only
// and busy checks, lock) and creates a temporary file named by TempName
// next to it. Like os.CreateTemp, but the file is created with mode 0666
// (before umask), so the final file gets the same permissions as a file
// written directly.
func createAtomic(dest string) (*atomicFile, error) {
	unlock, err := Prepare(dest)
	if err != nil {
		return nil, err
	}
	for try := 0; ; try++ {
		tmp, err := TempName(dest)
		if err != nil {
			unlock()
			return nil, err
		}
		f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if err == nil {
			return &atomicFile{dest: dest, tmp: tmp, f: f, unlock: unlock}, nil
		}
		if !errors.Is(err, fs.ErrExist) || try >= 100 {
			unlock()
			return nil, fmt.Errorf("output: creating temporary file for %s: %w", dest, err)
		}
	}
}

// WriteFile writes data to path as the writers do: through a temporary
// file renamed into place (parent directories created, a read-only file
// refused, other runs locked out), so that path is either untouched or
// complete, and no temporary file is left behind.
func WriteFile(path string, data []byte) error {
	a, err := createAtomic(path)
	if err != nil {
		return err
	}
	if _, err := a.Write(data); err != nil {
		a.discard()
		return fmt.Errorf("output: writing %s: %w", path, err)
	}
	return a.commit()
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
	a.release()
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
	a.release()
}

// release unlocks the destination, once.
func (a *atomicFile) release() {
	if a.unlock != nil {
		a.unlock()
		a.unlock = nil
	}
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
