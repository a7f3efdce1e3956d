//go:build linux && (amd64 || arm64)

package sandbox

import (
	"fmt"
	"os"
	"runtime"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// minABI is the oldest Landlock ABI that can confine a program as Policy
// says: version 4 adds TCP bind and connect to files.
const minABI = 4

// landlockABI returns the kernel's Landlock ABI version (0: none).
func landlockABI() int {
	v, _, errno := unix.Syscall(unix.SYS_LANDLOCK_CREATE_RULESET, 0, 0, unix.LANDLOCK_CREATE_RULESET_VERSION)
	if errno != 0 {
		return 0
	}
	return int(v)
}

func supported() error {
	abi := landlockABI()
	if abi == 0 {
		return fmt.Errorf("the kernel does not provide Landlock (Linux 5.13 or later, with landlock in the lsm= boot list)")
	}
	if abi < minABI {
		return fmt.Errorf("the kernel's Landlock ABI is version %d; confining network access needs version %d (Linux 6.7 or later)", abi, minABI)
	}
	return nil
}

func childAttr() *syscall.SysProcAttr {
	// Die with the ehrql command, and form a process group of its own so
	// that a terminal's ^C reaches only ehrql, which stops it.
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
}

// confineAndExec applies p to this thread and replaces the process with
// p.Program. It returns only on failure.
func confineAndExec(p Policy) error {
	// Every barrier below is a property of the calling thread that execve
	// carries over: do all of it, and the exec, on one thread.
	runtime.LockOSThread()
	if err := setLimits(p); err != nil {
		return err
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("no_new_privs: %w", err)
	}
	if err := dropCapabilities(); err != nil {
		return err
	}
	if err := landlock(p); err != nil {
		return err
	}
	if err := seccomp(); err != nil {
		return err
	}
	argv := append([]string{p.Program}, p.Args...)
	env := p.Env
	if env == nil {
		env = []string{}
	}
	if err := unix.Exec(p.Program, argv, env); err != nil {
		return startError(p.Program, err)
	}
	return nil
}

// limit is one resource limit to set.
type limit struct {
	resource   int
	soft, hard uint64
	what       string
}

func setLimits(p Policy) error {
	limits := []limit{
		{unix.RLIMIT_FSIZE, 0, 0, "file size"},
		{unix.RLIMIT_CORE, 0, 0, "core size"},
	}
	if p.CPUTime > 0 {
		secs := uint64((p.CPUTime + 999_999_999) / 1_000_000_000)
		// SIGXCPU at the soft limit, SIGKILL a second later.
		limits = append(limits, limit{unix.RLIMIT_CPU, secs, secs + 1, "CPU time"})
	}
	if p.Memory > 0 {
		limits = append(limits, limit{unix.RLIMIT_AS, p.Memory, p.Memory, "address space"})
	}
	for _, l := range limits {
		if err := unix.Setrlimit(l.resource, &unix.Rlimit{Cur: l.soft, Max: l.hard}); err != nil {
			return fmt.Errorf("limiting %s: %w", l.what, err)
		}
	}
	return nil
}

// dropCapabilities empties the bounding, inheritable, permitted and
// effective capability sets, so that a program started as root keeps none
// of root's powers (with no_new_privs, execve cannot give them back).
func dropCapabilities() error {
	for c := 0; c <= unix.CAP_LAST_CAP; c++ {
		if err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0); err != nil && err != unix.EINVAL && err != unix.EPERM {
			return fmt.Errorf("dropping capability %d: %w", c, err)
		}
	}
	// Ambient capabilities are cleared by the empty permitted set below.
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return fmt.Errorf("dropping capabilities: %w", err)
	}
	return nil
}

// handledFS is every filesystem access Landlock can restrict at ABI
// version abi (at least 1), each version adding to the one before.
func handledFS(abi int) uint64 {
	rights := uint64(unix.LANDLOCK_ACCESS_FS_MAKE_SYM<<1 - 1) // version 1: execute … make_sym
	for _, r := range []struct {
		since  int
		rights uint64
	}{
		{2, unix.LANDLOCK_ACCESS_FS_REFER},
		{3, unix.LANDLOCK_ACCESS_FS_TRUNCATE},
		{5, unix.LANDLOCK_ACCESS_FS_IOCTL_DEV},
	} {
		if abi >= r.since {
			rights |= r.rights
		}
	}
	return rights
}

const (
	readFile = unix.LANDLOCK_ACCESS_FS_READ_FILE
	readDir  = unix.LANDLOCK_ACCESS_FS_READ_DIR
	execute  = unix.LANDLOCK_ACCESS_FS_EXECUTE
)

func landlock(p Policy) error {
	abi := landlockABI()
	if abi < minABI {
		return supported()
	}
	attr := unix.LandlockRulesetAttr{
		Access_fs:  handledFS(abi),
		Access_net: unix.LANDLOCK_ACCESS_NET_BIND_TCP | unix.LANDLOCK_ACCESS_NET_CONNECT_TCP,
	}
	size := unsafe.Sizeof(attr)
	if abi >= 6 {
		attr.Scoped = unix.LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | unix.LANDLOCK_SCOPE_SIGNAL
	} else {
		size = unsafe.Offsetof(attr.Scoped)
	}
	fd, _, errno := unix.Syscall(unix.SYS_LANDLOCK_CREATE_RULESET, uintptr(unsafe.Pointer(&attr)), size, 0)
	if errno != 0 {
		return fmt.Errorf("creating the Landlock ruleset: %w", errno)
	}
	ruleset := int(fd)
	defer unix.Close(ruleset)
	allow := func(path string, dirAccess, fileAccess uint64) error {
		f, err := os.OpenFile(path, unix.O_PATH|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("sandbox policy: %w", err)
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return err
		}
		access := fileAccess
		if st.IsDir() {
			access = dirAccess
		}
		rule := unix.LandlockPathBeneathAttr{Allowed_access: access, Parent_fd: int32(f.Fd())}
		_, _, errno := unix.Syscall6(unix.SYS_LANDLOCK_ADD_RULE, uintptr(ruleset), unix.LANDLOCK_RULE_PATH_BENEATH, uintptr(unsafe.Pointer(&rule)), 0, 0, 0)
		if errno != 0 {
			return fmt.Errorf("allowing %s: %w", path, errno)
		}
		return nil
	}
	for _, path := range p.Read {
		if err := allow(path, readFile|readDir, readFile); err != nil {
			return err
		}
	}
	if err := allow(p.Program, 0, readFile|execute); err != nil {
		return err
	}
	if _, _, errno := unix.Syscall(unix.SYS_LANDLOCK_RESTRICT_SELF, uintptr(ruleset), 0, 0); errno != 0 {
		return fmt.Errorf("entering the Landlock domain: %w", errno)
	}
	return nil
}

// denied are the system calls a confined program gets EPERM for: every way
// to make a socket, and those that reach other processes, the kernel's
// configuration or paths around Landlock.
var denied = []uint32{
	unix.SYS_SOCKET, unix.SYS_SOCKETPAIR,
	unix.SYS_PTRACE, unix.SYS_PROCESS_VM_READV, unix.SYS_PROCESS_VM_WRITEV,
	unix.SYS_BPF, unix.SYS_PERF_EVENT_OPEN, unix.SYS_USERFAULTFD,
	unix.SYS_KEYCTL, unix.SYS_ADD_KEY, unix.SYS_REQUEST_KEY,
	unix.SYS_MOUNT, unix.SYS_UMOUNT2, unix.SYS_PIVOT_ROOT, unix.SYS_CHROOT,
	unix.SYS_UNSHARE, unix.SYS_SETNS,
	unix.SYS_IO_URING_SETUP, unix.SYS_IO_URING_ENTER, unix.SYS_IO_URING_REGISTER,
	unix.SYS_OPEN_BY_HANDLE_AT, unix.SYS_NAME_TO_HANDLE_AT,
	unix.SYS_INIT_MODULE, unix.SYS_FINIT_MODULE, unix.SYS_DELETE_MODULE,
	unix.SYS_KEXEC_LOAD,
}

// seccompFilter is the BPF program: the wrong architecture is killed, a
// denied call fails with EPERM, everything else is allowed.
func seccompFilter() []unix.SockFilter {
	const (
		ldAbs = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS
		jeq   = unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K
		jge   = unix.BPF_JMP | unix.BPF_JGE | unix.BPF_K
		ret   = unix.BPF_RET | unix.BPF_K
	)
	deny := uint32(unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM))
	prog := []unix.SockFilter{
		{Code: ldAbs, K: 4}, // seccomp_data.arch
		{Code: jeq, Jt: 1, K: auditArch},
		{Code: ret, K: unix.SECCOMP_RET_KILL_PROCESS},
		{Code: ldAbs, K: 0}, // seccomp_data.nr
	}
	if syscallLimit != 0 {
		// x32 system calls on amd64 are numbered from 1<<30: refuse them all.
		prog = append(prog, unix.SockFilter{Code: jge, Jt: uint8(len(denied) + 1), K: syscallLimit})
	}
	for i, nr := range denied {
		// Jump to the deny return after the remaining comparisons and the allow.
		prog = append(prog, unix.SockFilter{Code: jeq, Jt: uint8(len(denied) - i), K: nr})
	}
	return append(prog,
		unix.SockFilter{Code: ret, K: unix.SECCOMP_RET_ALLOW},
		unix.SockFilter{Code: ret, K: deny},
	)
}

func seccomp() error {
	prog := seccompFilter()
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	if err := unix.Prctl(unix.PR_SET_SECCOMP, unix.SECCOMP_MODE_FILTER, uintptr(unsafe.Pointer(&fprog)), 0, 0); err != nil {
		return fmt.Errorf("installing the seccomp filter: %w", err)
	}
	return nil
}
