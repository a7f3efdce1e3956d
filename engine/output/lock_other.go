//go:build !unix

package output

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// lock creates dest's lock file exclusively; it is removed on unlock. A
// lock file left by a run that died must be removed by hand.
func lock(dest string) (func(), error) {
	path := lockPath(dest)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
	if errors.Is(err, fs.ErrExist) {
		return nil, &BusyError{Path: dest}
	}
	if err != nil {
		return nil, fmt.Errorf("output: locking %s: %w", dest, err)
	}
	f.Close()
	return func() { os.Remove(path) }, nil
}
