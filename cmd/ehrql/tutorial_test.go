package main

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// tutorialBlock is a fenced block of docs/tutorial.md.
type tutorialBlock struct {
	info string // what follows the fence: "sh", "go file=PATH", "output"
	body string
	line int
}

func tutorialBlocks(t *testing.T, path string) []tutorialBlock {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var blocks []tutorialBlock
	var cur *tutorialBlock
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && strings.HasPrefix(line, "```"):
			cur = &tutorialBlock{info: strings.TrimPrefix(line, "```"), line: n}
		case cur != nil && line == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.body += line + "\n"
		}
	}
	if cur != nil {
		t.Fatalf("%s:%d: unclosed block", path, cur.line)
	}
	return blocks
}

// TestTutorial runs docs/tutorial.md: its Go files are written where it
// says, its shell commands run in order in a new folder with the installed
// command (each must exit 0, or the code its "# exit N" says), and each
// output block must be exactly what the command before it printed.
func TestTutorial(t *testing.T) {
	bin := installedEhrql(t)
	cwd := t.TempDir()
	var last string
	ran := 0
	for _, b := range tutorialBlocks(t, "../../docs/tutorial.md") {
		switch {
		case strings.HasPrefix(b.info, "go file="):
			p := filepath.Join(cwd, strings.TrimPrefix(b.info, "go file="))
			if err := os.WriteFile(p, []byte(b.body), 0o644); err != nil {
				t.Fatalf("tutorial.md:%d: %v", b.line, err)
			}
		case b.info == "sh":
			for _, line := range strings.Split(strings.TrimSpace(b.body), "\n") {
				cmdline, comment, _ := strings.Cut(line, "#")
				want := 0
				if c := strings.TrimSpace(comment); strings.HasPrefix(c, "exit ") {
					want, _ = strconv.Atoi(strings.TrimPrefix(c, "exit "))
				}
				args := strings.Fields(cmdline)
				switch args[0] {
				case "cd":
					cwd = filepath.Join(cwd, args[1])
					continue
				case "ehrql":
				default:
					t.Fatalf("tutorial.md:%d: the test runs only ehrql and cd: %s", b.line, line)
				}
				cmd := exec.Command(bin, args[1:]...)
				cmd.Dir = cwd
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				err := cmd.Run()
				code := 0
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					code = ee.ExitCode()
				} else if err != nil {
					t.Fatal(err)
				}
				if code != want {
					t.Fatalf("tutorial.md:%d: %s: exit %d, want %d\n%s%s", b.line, line, code, want, &stdout, &stderr)
				}
				last = stdout.String() + stderr.String()
				ran++
			}
		case b.info == "output":
			if last != b.body {
				t.Errorf("tutorial.md:%d: the command before printed:\n%s\nthe tutorial says:\n%s", b.line, last, b.body)
			}
		default:
			t.Fatalf("tutorial.md:%d: unknown block %q", b.line, b.info)
		}
	}
	if ran < 8 {
		t.Errorf("ran %d commands", ran)
	}
	for _, f := range []string{"output/dataset.csv", "output/measures.csv", "example-data/patients.csv"} {
		if _, err := os.Stat(filepath.Join(cwd, f)); err != nil {
			t.Errorf("the tutorial did not make %s: %v", f, err)
		}
	}
}
