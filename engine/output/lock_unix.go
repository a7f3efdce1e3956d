//go:build unix

package output

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lock takes an exclusive advisory lock (flock) on dest's lock file. The
// lock file is removed on unlock; a lock taken on a file another run has
// just removed is retried on the new file.
func lock(dest string) (func(), error) {
	path := lockPath(dest)
	for try := 0; ; try++ {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o666)
		if err != nil {
			return nil, fmt.Errorf("output: locking %s: %w", dest, err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, &BusyError{Path: dest}
			}
			return nil, fmt.Errorf("output: locking %s: %w", dest, err)
		}
		// The holder before us may have removed the file between our open
		// and our flock: then our lock is on a dead file.
		held, err1 := f.Stat()
		now, err2 := os.Stat(path)
		if err1 == nil && err2 == nil && os.SameFile(held, now) {
			return func() {
				os.Remove(path)
				f.Close()
			}, nil
		}
		f.Close()
		if try >= 100 {
			return nil, fmt.Errorf("output: locking %s: the lock file keeps changing", dest)
		}
	}
}
