// Package storetest is the conformance suite of store.Store. Every backend runs it:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { ... })
//	}
//
// open must return a new, empty store, and arrange with t.Cleanup for it to be closed. The
// suite exercises every documented contract of store.Store, store.Tx and store.JobQueue;
// a behavior that the suite does not pin down is not part of the contract. Run it with -race.
//
// The suite must never depend on a backend (it sees only store.Store), and nothing but tests may
// import it (tests/deps checks it).
package storetest
