// Command orgconfig is a self-hosted AWS Config with multi-account, multi-region aggregation,
// integrated with AWS Organizations, speaking the real AWS wire protocols.
//
// Usage:
//
//	orgconfig <command> [flags]
//
// The commands:
//
//	serve      run the server
//	accounts   create and list the standalone accounts the server hosts
//	import     load AWS Config snapshot and history files (any resource type)
//	query      run an advanced query (SelectResourceConfig) against a server
//	version    print the version
//
// Run 'orgconfig <command> --help' for the flags of a command; every flag also has an
// ORGCONFIG_* environment variable. Each command lives in its own file and turns flags and
// environment into the options of the internal packages (internal/server for serve).
//
// The command must never hold logic a test cannot reach: run takes the arguments and the output
// streams, so tests drive the whole command line in-process, and anything more than parsing and
// wiring belongs in an internal package.
package main
