package gogc

import (
	"os"
	"runtime/debug"
	"strconv"
)

// DefaultPercent is the garbage collector's target (GOGC) a server process runs with when the
// environment sets none. orgconfig's Go heap is small — the data lives in the store, and its
// caches are bounded — a few MB live, so Go's default of 100 starts a collection every few MB of
// allocation: under load every few dozen requests, and the requests that overlap a collection
// pay for its marking (the slow quarter of a steady query load at the default; see
// docs/BENCHMARKS.md, "Advanced queries"). 400 lets the heap grow to 5× its live size between
// collections: tens of MB, for a fifth of the collections.
const DefaultPercent = 400

// Tune sets the garbage collector to DefaultPercent unless GOGC is set in the environment, and
// returns the percent in effect (-1: off).
func Tune() int {
	if v, ok := os.LookupEnv("GOGC"); ok {
		if v == "off" {
			return -1
		}
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
		return 100
	}
	debug.SetGCPercent(DefaultPercent)
	return DefaultPercent
}
