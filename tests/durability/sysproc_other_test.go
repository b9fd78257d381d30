//go:build !linux

package durability

import "os/exec"

// setPdeathsig is Linux-only; elsewhere the test's cleanup kills the children by PID.
func setPdeathsig(*exec.Cmd) {}
