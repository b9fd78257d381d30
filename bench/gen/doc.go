// Package gen generates configuration items for the benchmarks: AWS Config snapshots in AWS's
// delivery format, as `orgconfig import` reads them.
//
// The same arguments always give the same items, and the package must never reach the network
// or a server: it only produces items and files. Nothing under internal imports it (tests/deps
// checks it).
package gen
