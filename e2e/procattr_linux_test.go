package e2e

import (
	"os/exec"
	"syscall"
)

// orphanGuard makes the kernel kill the child if the test binary dies without
// running its cleanups (a panic, a -timeout, a SIGKILL).
func orphanGuard(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
