// Package testserver starts a complete orgconfig server inside a test process, on a loopback
// port, and builds real AWS SDK clients for it. Every black-box suite uses it, so a test reads
// like a user's session: start a server, configure a client, call AWS.
//
// Every server it starts records the errors it answers and fails its test on one the
// operation's API model does not list (besides the protocols' common errors). Binary builds the
// real cmd/orgconfig once per test process for suites that run it as a child process.
//
// It must never listen anywhere but 127.0.0.1, and nothing but test files, bench and tests/*
// may import it (tests/deps checks it): neither the server nor the binary depends on its test
// harness.
package testserver
