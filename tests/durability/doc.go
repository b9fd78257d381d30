// Package durability runs the real orgconfig binary as child processes and checks what must
// survive outside the process: every write a server acknowledged is still there, complete, after
// the server is killed with SIGKILL in the middle of a loop of writes and restarted (on both
// store backends), and several `orgconfig serve` replicas on one PostgreSQL database serve the
// same state (a write acknowledged by one is read by another at once).
//
// The binary is built once per test process into a temporary directory. Servers listen on
// 127.0.0.1 only, are driven with aws-sdk-go-v2, and are stopped by their PID (SIGKILL) when a
// test ends if they still run; on Linux they also die with the test process (Pdeathsig). Without
// ORGCONFIG_TEST_DATABASE_URL the PostgreSQL tests skip, except under CI=true, where they fail.
//
// The suite must never count a write as lost unless the server acknowledged it, nor accept one
// acknowledged write missing: an acknowledged write that is absent or different after the
// restart fails the test.
package durability
