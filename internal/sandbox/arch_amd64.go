//go:build linux

package sandbox

import "golang.org/x/sys/unix"

const (
	auditArch = unix.AUDIT_ARCH_X86_64
	// syscallLimit: x32 system calls are numbered from here.
	syscallLimit = 0x40000000
)
