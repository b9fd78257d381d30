// Command ingestgen supports the ingest benchmarks (docs/BENCHMARKS.md): it generates AWS Config
// snapshot files of any size, in AWS's delivery format, for `orgconfig import`; and it reads a
// loaded server (ListDiscoveredResources, GetDiscoveredResourceCounts) while reporting the
// server process's peak resident memory (VmHWM).
//
//	go run ./bench/ingestgen -items 1000000 -out /tmp/snap.json.gz
//	go run ./bench/ingestgen -read -endpoint http://127.0.0.1:4566 -pid 1234
//
// With -read it must never change the items it measures: besides making sure a recorder runs
// (GetDiscoveredResourceCounts counts only then), it only lists and counts.
package main
