//go:build !linux

package definition

// mountedNoexec reports whether dir is on a file system mounted noexec:
// known on Linux only; elsewhere a program that cannot run is reported
// when it fails to start. A variable, so that tests can pretend.
var mountedNoexec = func(string) (bool, error) { return false, nil }
