package store

import (
	"crypto/rand"
	"sort"
)

// PrefixEnd returns the smallest string that is greater, in byte order, than every string that
// starts with prefix, and true; or "", false when there is no such bound (prefix is empty or
// made only of 0xFF bytes). Backends use it to turn a prefix scan into the index range
// id >= prefix AND id < end instead of a LIKE, which neither uses the index reliably nor treats
// '%' and '_' in ids literally.
func PrefixEnd(prefix string) (string, bool) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xFF {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

// NewJobID returns a new random job ID (128 random bits, 26 base32 characters). IDs are
// random rather than sequential so that inserts spread across the key space (no hot range on
// CockroachDB) and no sequence is needed.
func NewJobID() string { return rand.Text() }

// SortedGroups turns counts per group into CountGroups' answer: the positive counts, in
// ascending byte order of group.
func SortedGroups(counts map[string]int) []GroupCount {
	out := make([]GroupCount, 0, len(counts))
	for g, n := range counts {
		if n > 0 {
			out = append(out, GroupCount{Group: g, Count: n})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Group < out[j].Group })
	return out
}
