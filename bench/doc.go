// Command bench measures orgconfig's request throughput and latency beside a bare net/http
// handler measured in the same run on the same machine (and optionally moto_server).
//
// Run `go run ./bench --help` for the flags. Scenarios live one per file (control.go, ...) and
// register themselves; runner.go holds the common runner, targets.go the servers, report.go the
// output.
//
// It must never give one target an advantage: in a run, every target gets the same requests from
// the same client on the same machine, so that the ratios between orgconfig, the bare handler
// and moto_server mean something. Nothing under internal imports it (tests/deps checks it).
package main
