// Package e2etest holds what the end-to-end suites under tests/e2e share: assertions on AWS
// errors, an organization with member accounts, and the Config and IAM fixtures several suites
// use. Each suite starts its own in-process server through internal/testserver.
//
// It must never relax an expectation to fit what the server answers today, nor be imported
// outside tests/.
package e2etest
