package definition

import "golang.org/x/sys/unix"

// mountedNoexec reports whether dir is on a file system mounted noexec.
// A variable, so that tests can pretend.
var mountedNoexec = func(dir string) (bool, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return false, err
	}
	return uint64(st.Flags)&unix.ST_NOEXEC != 0, nil
}
