//go:build linux

package durability

import (
	"os/exec"
	"syscall"
)

// setPdeathsig makes the kernel kill the child if the test process dies first, so that no
// server outlives an interrupted test run.
func setPdeathsig(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
