// Package deps checks the import graph of the module against the layering docs/ARCHITECTURE.md
// describes: its "what it must never do" column, wherever an import can break it, is a table of
// rules in deps_test.go (which packages may not depend on which), checked on every go test run.
//
// The test asks the go command once (go list -deps) for every package of the module with its
// imports and its dependencies, then applies each rule to the non-test code of the packages it
// names (and to their test files where the rule says so). A failure names the package, the
// forbidden dependency, the chain of imports that leads to it and the rule's reason. Without a
// go command the test skips, except under CI=true, where it fails.
//
// The package must never hold an exception for one offending import: when a rule no longer fits
// the design, change the rule, its reason and docs/ARCHITECTURE.md together.
package deps
