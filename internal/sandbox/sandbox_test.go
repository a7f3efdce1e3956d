package sandbox

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// hostile tries everything a confined program must not do, and one thing
// it must be able to do (read the allowed file), and prints one line per
// attempt: "name: done" or "name: refused: <error>".
const hostile = `package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"syscall"
)

func try(name string, err error) {
	if err != nil {
		fmt.Printf("%s: refused: %v\n", name, err)
		return
	}
	fmt.Printf("%s: done\n", name)
}

func main() {
	fmt.Printf("env: %q\n", os.Environ())
	_, err := os.ReadFile(os.Args[1] + "/allowed.txt")
	try("read-allowed", err)
	_, err = os.ReadFile(os.Args[2])
	try("read-secret", err)
	err = os.WriteFile(os.Args[1]+"/written.txt", []byte("x"), 0o644)
	try("write", err)
	f, err := os.OpenFile(os.Args[1]+"/allowed.txt", os.O_RDWR, 0)
	if err == nil {
		f.Close()
	}
	try("open-read-write", err)
	err = exec.Command("/bin/sh", "-c", "true").Run()
	try("exec", err)
	c, err := net.Dial("tcp", os.Args[3])
	if err == nil {
		c.Close()
	}
	try("dial", err)
	c, err = net.Dial("udp", "127.0.0.1:9")
	if err == nil {
		c.Close()
	}
	try("udp", err)
	try("signal-parent", syscall.Kill(os.Getppid(), 0))
	w := os.NewFile(3, "model")
	_, err = w.Write([]byte("model"))
	try("write-fd3", err)
}
`

func buildProgram(t *testing.T, src string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module hostile\n\ngo 1.21\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "prog")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the test program: %v\n%s", err, out)
	}
	return bin
}

func requireSupport(t *testing.T) {
	t.Helper()
	if err := Supported(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI must run where programs can be confined: %v", err)
		}
		t.Skipf("cannot confine programs here: %v", err)
	}
}

func TestConfinedProgramCanDoNothingButRead(t *testing.T) {
	requireSupport(t)
	bin := buildProgram(t, hostile)
	study := t.TempDir()
	if err := os.WriteFile(filepath.Join(study, "allowed.txt"), []byte("codes"), 0o644); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(secret, []byte("password"), 0o644); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	t.Setenv("DATABASE_URL", "duckdb:///store.duckdb?password=hunter2")

	p := Policy{
		Program: bin,
		Args:    []string{study, secret, ln.Addr().String()},
		Env:     []string{"EHRQL_QUERY_MODEL_FD=3"},
		Dir:     study,
		Read:    []string{study},
		CPUTime: 10 * time.Second,
		Memory:  2 << 30,
	}
	cmd, err := Command(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.ExtraFiles = []*os.File{w}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	model := make([]byte, 16)
	n, _ := r.Read(model)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%v\nstdout:\n%s\nstderr:\n%s", err, &stdout, &stderr)
	}
	out := stdout.String()
	if got := string(model[:n]); got != "model" {
		t.Errorf("the program's descriptor 3 carried %q, want %q", got, "model")
	}
	if strings.Contains(out, "hunter2") || strings.Contains(out, "DATABASE_URL") || strings.Contains(out, envPolicy) {
		t.Errorf("the program saw the parent's environment:\n%s", out)
	}
	if !strings.Contains(out, `env: ["EHRQL_QUERY_MODEL_FD=3"]`) {
		t.Errorf("the program's environment is not exactly the policy's:\n%s", out)
	}
	for _, want := range []string{"read-allowed: done", "write-fd3: done"} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("want %q:\n%s", want, out)
		}
	}
	for _, refused := range []string{"read-secret", "write", "open-read-write", "exec", "dial", "udp", "signal-parent"} {
		if !strings.Contains(out, refused+": refused: ") {
			t.Errorf("%s was not refused:\n%s", refused, out)
		}
	}
	if _, err := os.Stat(filepath.Join(study, "written.txt")); err == nil {
		t.Error("the program wrote a file")
	}
}

func TestConfinedProgramLimits(t *testing.T) {
	requireSupport(t)
	spin := buildProgram(t, "package main\n\nfunc main() {\n\tfor i := 0; ; i++ {\n\t}\n}\n")
	hog := buildProgram(t, `package main

import "fmt"

func main() {
	var keep [][]byte
	for i := 0; i < 64; i++ {
		b := make([]byte, 64<<20)
		for j := range b {
			b[j] = 1
		}
		keep = append(keep, b)
	}
	fmt.Println(len(keep))
}
`)
	for _, tc := range []struct {
		name    string
		policy  Policy
		wantMsg string
	}{
		{"cpu", Policy{Program: spin, CPUTime: time.Second}, "CPU time"},
		{"memory", Policy{Program: hog, Memory: 1 << 30}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.policy.Dir = t.TempDir()
			cmd, err := Command(context.Background(), tc.policy)
			if err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			start := time.Now()
			err = cmd.Run()
			if err == nil {
				t.Fatalf("the program ran past its limit")
			}
			if time.Since(start) > 30*time.Second {
				t.Errorf("the limit took %s to stop the program", time.Since(start))
			}
			if tc.wantMsg != "" {
				if got := Killed(cmd.ProcessState, tc.policy); !strings.Contains(got, tc.wantMsg) {
					t.Errorf("Killed() = %q, want it to mention %q", got, tc.wantMsg)
				}
			} else if !strings.Contains(stderr.String(), "out of memory") {
				t.Errorf("want Go's out-of-memory error, got %v:\n%s", err, &stderr)
			}
		})
	}
}

func TestBadPolicyIsReportedByTheHelper(t *testing.T) {
	requireSupport(t)
	cmd, err := Command(context.Background(), Policy{Program: "/nonexistent/prog", Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	if cmd.ProcessState.ExitCode() != HelperFailed || !strings.HasPrefix(stderr.String(), HelperPrefix) {
		t.Fatalf("exit %v, stderr %q: want exit %d and a %q message", err, &stderr, HelperFailed, HelperPrefix)
	}
}
