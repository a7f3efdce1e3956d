package main

import (
	"math"
	runtimedebug "runtime/debug"
	"testing"
)

// TestLimitGoHeap: a run on a database caps the Go heap softly, unless
// GOMEMLIMIT says otherwise.
func TestLimitGoHeap(t *testing.T) {
	defer runtimedebug.SetMemoryLimit(runtimedebug.SetMemoryLimit(-1))
	runtimedebug.SetMemoryLimit(math.MaxInt64)
	t.Setenv("GOMEMLIMIT", "")
	limitGoHeap()
	if got := runtimedebug.SetMemoryLimit(-1); got != goHeapLimit {
		t.Errorf("Go memory limit %d, want %d", got, goHeapLimit)
	}
	runtimedebug.SetMemoryLimit(math.MaxInt64)
	t.Setenv("GOMEMLIMIT", "1GiB")
	limitGoHeap()
	if got := runtimedebug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("with GOMEMLIMIT set: Go memory limit %d, want it untouched", got)
	}
}
