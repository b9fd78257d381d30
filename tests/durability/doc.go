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
// The suite must never let an acknowledged write go missing unnoticed: one that is absent or
// different after a restart, or on another replica, fails the test, while a write the server
// did not acknowledge may be there or not.
package durability
