//go:build !(linux && (amd64 || arm64))

package sandbox

import (
	"errors"
	"runtime"
	"syscall"
)

func supported() error {
	return errors.New("confining a program needs Linux (amd64 or arm64) with Landlock; this is " + runtime.GOOS + "/" + runtime.GOARCH)
}

func childAttr() *syscall.SysProcAttr { return nil }

func confineAndExec(Policy) error { return supported() }
