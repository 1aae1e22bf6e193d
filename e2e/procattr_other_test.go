//go:build !linux

package e2e

import "os/exec"

// orphanGuard does nothing where the kernel offers no parent-death signal;
// the test's cleanups still kill every child.
func orphanGuard(cmd *exec.Cmd) {}
