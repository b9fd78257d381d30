// Package ids generates the identifiers AWS hands out: request IDs, access keys and secrets,
// account IDs and the random suffixes of resource IDs. It is injected so tests can make IDs
// deterministic; the default draws from crypto/rand.
//
// It must never draw a secret or an access key from anything but crypto/rand in production
// (Random; Seeded is for tests only), and it imports no orgconfig package (tests/deps checks it).
package ids
