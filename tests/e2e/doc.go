// Package e2e holds black-box suites: a complete server started in-process on a loopback port,
// driven by aws-sdk-go-v2 exactly as users drive AWS.
//
// Every suite runs on both store backends where it says so (testserver.Backends), and every
// server fails its test on an error the operation's API model does not list. hardening_test.go
// holds what an attacker or an operator would find.
//
// The suites must never relax an expectation to fit what the server answers today: what they
// expect is what AWS answers. They reach nothing but the servers they start on 127.0.0.1.
package e2e
