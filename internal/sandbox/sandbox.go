// Package sandbox runs an untrusted program — a researcher's definition —
// confined by the kernel: it may read only the files and folders its policy
// names, write nowhere (it can still write to the pipes and descriptors it
// is given), run no other program, open no network connection or socket,
// signal no process outside itself, and use bounded CPU time and memory. It
// starts with exactly the environment its policy gives it.
//
// On Linux the barriers are Landlock (files, TCP, abstract sockets,
// signals), a seccomp filter (sockets and the system calls that could
// escape Landlock), no_new_privs, dropped capabilities and resource limits.
// They are applied by the running executable itself, re-executed as a small
// helper (see Command) that then replaces itself with the program, so they
// hold from the program's first instruction.
package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Policy says what the sandboxed program may do.
type Policy struct {
	// Program is the absolute path of the program to run: the only file the
	// sandbox may execute.
	Program string
	// Args are its arguments (without the program name).
	Args []string
	// Env is its whole environment.
	Env []string
	// Dir is its working directory.
	Dir string
	// Read lists the files and folders (with everything below them) the
	// program may read. Nothing else can be read, and nothing written.
	Read []string
	// CPUTime caps the CPU time the program may use (0: no cap).
	CPUTime time.Duration
	// Memory caps the program's address space in bytes (0: no cap).
	Memory uint64
}

// envPolicy carries the policy from the parent to the re-executed helper.
const envPolicy = "EHRQL_SANDBOX_POLICY"

// HelperFailed is the exit code of a helper that could not confine the
// program; it then prints a line starting with HelperPrefix on stderr and
// never starts the program.
const HelperFailed = 125

// HelperPrefix begins the helper's own error messages.
const HelperPrefix = "ehrql sandbox: "

func init() {
	// The helper: apply the policy and become the program. Nothing else in
	// this process runs.
	if spec, ok := os.LookupEnv(envPolicy); ok {
		var p Policy
		if err := json.Unmarshal([]byte(spec), &p); err != nil {
			helperFail(fmt.Errorf("bad policy: %w", err))
		}
		helperFail(confineAndExec(p))
	}
}

// startError is the helper's error when program, confined, cannot be
// started.
func startError(program string, err error) error {
	return fmt.Errorf("starting %s: %w", program, err)
}

// StartDenied reports whether msg, a confined program's standard error,
// is the helper's report that it could not start program for want of
// permission to execute it (EACCES: a file system mounted noexec, or a
// file that is not executable).
func StartDenied(msg, program string) bool {
	return msg == HelperPrefix+startError(program, syscall.EACCES).Error()
}

func helperFail(err error) {
	fmt.Fprintf(os.Stderr, "%s%v\n", HelperPrefix, err)
	os.Exit(HelperFailed)
}

// Supported reports whether this system can enforce a Policy, and if not
// why not.
func Supported() error { return supported() }

// Command returns a command that runs p.Program confined by p: the current
// executable, re-executed as the sandbox helper. The caller sets its
// standard streams and extra files (descriptors 3 and up are passed on to
// the program) and runs it. The command is killed when ctx is done and when
// the calling process dies.
func Command(ctx context.Context, p Policy) (*exec.Cmd, error) {
	if err := Supported(); err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("sandbox: finding this executable: %w", err)
	}
	spec, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self)
	cmd.Env = []string{envPolicy + "=" + string(spec)}
	cmd.Dir = p.Dir
	cmd.SysProcAttr = childAttr()
	return cmd, nil
}

// Unconfined returns a command that runs p.Program with p's environment,
// arguments and working directory but none of its barriers: for systems
// without the kernel features, where the user has accepted that.
func Unconfined(ctx context.Context, p Policy) *exec.Cmd {
	cmd := exec.CommandContext(ctx, p.Program, p.Args...)
	cmd.Env = p.Env
	if cmd.Env == nil {
		cmd.Env = []string{}
	}
	cmd.Dir = p.Dir
	cmd.SysProcAttr = childAttr()
	return cmd
}

// Killed describes how a confined program's process ended when a limit of
// its policy stopped it, or "" when it exited by itself.
func Killed(state *os.ProcessState, p Policy) string {
	ws, ok := state.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		return ""
	}
	if p.CPUTime > 0 && state.UserTime()+state.SystemTime() >= p.CPUTime {
		// The kernel sends SIGXCPU at the limit and SIGKILL a second later.
		return fmt.Sprintf("it used more than its %s of CPU time", p.CPUTime)
	}
	switch ws.Signal() {
	case syscall.SIGKILL:
		return "it was killed"
	case syscall.SIGSYS:
		return "it made a system call the sandbox forbids"
	}
	return "it was stopped by signal " + strings.ToUpper(ws.Signal().String())
}
