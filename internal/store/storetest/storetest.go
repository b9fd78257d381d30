package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orgconfig/orgconfig/internal/store"
)

// Run runs the conformance suite, one subtest per contract, each on a fresh store from open.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"GetNotFound", testGetNotFound},
		{"PutGetReplace", testPutGetReplace},
		{"CreateExists", testCreateExists},
		{"DeleteIdempotent", testDeleteIdempotent},
		{"EmptyScopeAndKeyIsolation", testKeyIsolation},
		{"EmptyBody", testEmptyBody},
		{"LargeBody", testLargeBody},
		{"ListOrder", testListOrder},
		{"ListPagination", testListPagination},
		{"ListPrefix", testListPrefix},
		{"Count", testCount},
		{"CountGroups", testCountGroups},
		{"ListScopes", testListScopes},
		{"UnicodeIDs", testUnicodeIDs},
		{"ReadOnlyTx", testReadOnlyTx},
		{"ReadReturnsFnError", testReadReturnsFnError},
		{"FailedWriteLeavesNothing", testFailedWriteLeavesNothing},
		{"WriteSeesOwnWrites", testWriteSeesOwnWrites},
		{"CanceledContext", testCanceledContext},
		{"WriteRetryContract", testWriteRetryContract},
		{"ConcurrentWriters", testConcurrentWriters},
		{"ConcurrentWritersSomeFail", testConcurrentWritersSomeFail},
		{"ReadSnapshot", testReadSnapshot},
		{"DurableAcrossReadAfterWrite", testReadAfterWrite},
		{"GetMany", testGetMany},
		{"GetManyLarge", testGetManyLarge},
		{"GetManyConsistentSnapshot", testGetManyConsistent},
		{"TxGetManyPutMany", testTxGetManyPutMany},

		{"JobEnqueueClaimComplete", testJobEnqueueClaimComplete},
		{"JobDefaultsAndValidation", testJobDefaults},
		{"JobNotDue", testJobNotDue},
		{"JobClaimOrderLimitKinds", testJobClaimOrderLimitKinds},
		{"JobDedupeKey", testJobDedupe},
		{"JobLeaseExpiry", testJobLeaseExpiry},
		{"JobCrashBetweenClaimAndCompletion", testJobCrash},
		{"JobRetryBackoff", testJobRetryBackoff},
		{"JobBury", testJobBury},
		{"JobExtendLease", testJobExtendLease},
		{"JobClaimRace", testJobClaimRace},
		{"JobEnqueueInWriteTx", testJobEnqueueInWriteTx},
		{"JobCompleteInWriteTx", testJobCompleteInWriteTx},
		{"JobListPagination", testJobListPagination},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			tc.fn(t, s)
		})
	}
}

// --- helpers ----------------------------------------------------------------------------

func ctx(t *testing.T) context.Context { return t.Context() }

func write(t *testing.T, s store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := s.Write(ctx(t), fn); err != nil {
		t.Fatalf("Write: %v", err)
	}
}

func read(t *testing.T, s store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := s.Read(ctx(t), fn); err != nil {
		t.Fatalf("Read: %v", err)
	}
}

func put(t *testing.T, s store.Store, kind, scope, id, body string) {
	t.Helper()
	write(t, s, func(tx store.Tx) error { return tx.Put(kind, scope, id, []byte(body)) })
}

func get(t *testing.T, s store.Store, kind, scope, id string) ([]byte, error) {
	t.Helper()
	var b []byte
	err := s.Read(ctx(t), func(tx store.Tx) error {
		var err error
		b, err = tx.Get(kind, scope, id)
		return err
	})
	return b, err
}

func mustGet(t *testing.T, s store.Store, kind, scope, id, want string) {
	t.Helper()
	b, err := get(t, s, kind, scope, id)
	if err != nil {
		t.Fatalf("Get(%q,%q,%q): %v", kind, scope, id, err)
	}
	if string(b) != want {
		t.Fatalf("Get(%q,%q,%q) = %q, want %q", kind, scope, id, b, want)
	}
}

func mustNotFound(t *testing.T, s store.Store, kind, scope, id string) {
	t.Helper()
	if _, err := get(t, s, kind, scope, id); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get(%q,%q,%q) error = %v, want ErrNotFound", kind, scope, id, err)
	}
}

func list(t *testing.T, s store.Store, kind, scope, prefix, after string, limit int) []string {
	t.Helper()
	var ids []string
	read(t, s, func(tx store.Tx) error {
		var recs []store.Record
		var err error
		if prefix == "" {
			recs, err = tx.List(kind, scope, after, limit)
		} else {
			recs, err = tx.ListPrefix(kind, scope, prefix, after, limit)
		}
		for _, r := range recs {
			if r.Kind != kind || r.Scope != scope {
				return fmt.Errorf("record %+v has wrong kind/scope", r)
			}
			ids = append(ids, r.ID)
		}
		return err
	})
	return ids
}

func count(t *testing.T, s store.Store, kind, scope string) int {
	t.Helper()
	var n int
	read(t, s, func(tx store.Tx) error {
		var err error
		n, err = tx.Count(kind, scope)
		return err
	})
	return n
}

func equalIDs(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%s = %q, want %q", what, got, want)
	}
}

// --- records ----------------------------------------------------------------------------

func testGetNotFound(t *testing.T, s store.Store) {
	mustNotFound(t, s, "thing", "", "missing")
	put(t, s, "thing", "", "a", "1")
	mustNotFound(t, s, "thing", "", "b")
	mustNotFound(t, s, "other", "", "a")
	mustNotFound(t, s, "thing", "123456789012", "a")
}

func testPutGetReplace(t *testing.T, s store.Store) {
	put(t, s, "thing", "s", "a", `{"v":1}`)
	mustGet(t, s, "thing", "s", "a", `{"v":1}`)
	put(t, s, "thing", "s", "a", `{"v":2}`)
	mustGet(t, s, "thing", "s", "a", `{"v":2}`)
	put(t, s, "thing", "s", "a", `{"v":2}`) // idempotent
	mustGet(t, s, "thing", "s", "a", `{"v":2}`)
	if n := count(t, s, "thing", "s"); n != 1 {
		t.Fatalf("Count = %d, want 1", n)
	}
}

func testCreateExists(t *testing.T, s store.Store) {
	write(t, s, func(tx store.Tx) error { return tx.Create("thing", "", "a", []byte("first")) })
	err := s.Write(ctx(t), func(tx store.Tx) error { return tx.Create("thing", "", "a", []byte("second")) })
	if !errors.Is(err, store.ErrExists) {
		t.Fatalf("second Create: %v, want ErrExists", err)
	}
	mustGet(t, s, "thing", "", "a", "first")
	// Create after Delete in the same transaction succeeds; ErrExists inside a transaction
	// can be handled without aborting it.
	write(t, s, func(tx store.Tx) error {
		if err := tx.Create("thing", "", "a", []byte("x")); !errors.Is(err, store.ErrExists) {
			return fmt.Errorf("Create of existing: %v, want ErrExists", err)
		}
		if _, err := tx.Delete("thing", "", "a"); err != nil {
			return err
		}
		return tx.Create("thing", "", "a", []byte("third"))
	})
	mustGet(t, s, "thing", "", "a", "third")
}

func testDeleteIdempotent(t *testing.T, s store.Store) {
	put(t, s, "thing", "", "a", "1")
	var first, second bool
	write(t, s, func(tx store.Tx) error {
		var err error
		first, err = tx.Delete("thing", "", "a")
		return err
	})
	write(t, s, func(tx store.Tx) error {
		var err error
		second, err = tx.Delete("thing", "", "a")
		return err
	})
	if !first || second {
		t.Fatalf("Delete reported %v then %v, want true then false", first, second)
	}
	mustNotFound(t, s, "thing", "", "a")
	write(t, s, func(tx store.Tx) error {
		removed, err := tx.Delete("never", "", "x")
		if removed {
			return errors.New("Delete of a missing record reported true")
		}
		return err
	})
}

func testKeyIsolation(t *testing.T, s store.Store) {
	put(t, s, "k1", "", "id", "k1-global")
	put(t, s, "k1", "111111111111", "id", "k1-acct")
	put(t, s, "k1", "111111111111/us-east-1", "id", "k1-acct-region")
	put(t, s, "k2", "", "id", "k2-global")
	mustGet(t, s, "k1", "", "id", "k1-global")
	mustGet(t, s, "k1", "111111111111", "id", "k1-acct")
	mustGet(t, s, "k1", "111111111111/us-east-1", "id", "k1-acct-region")
	mustGet(t, s, "k2", "", "id", "k2-global")
	equalIDs(t, "List(k1, \"\")", list(t, s, "k1", "", "", "", 0), []string{"id"})
	if n := count(t, s, "k1", ""); n != 1 {
		t.Fatalf("Count(k1, \"\") = %d, want 1", n)
	}
	write(t, s, func(tx store.Tx) error { _, err := tx.Delete("k1", "", "id"); return err })
	mustNotFound(t, s, "k1", "", "id")
	mustGet(t, s, "k1", "111111111111", "id", "k1-acct")
	mustGet(t, s, "k2", "", "id", "k2-global")
}

func testEmptyBody(t *testing.T, s store.Store) {
	write(t, s, func(tx store.Tx) error {
		if err := tx.Put("thing", "", "nil", nil); err != nil {
			return err
		}
		return tx.Create("thing", "", "empty", []byte{})
	})
	for _, id := range []string{"nil", "empty"} {
		b, err := get(t, s, "thing", "", id)
		if err != nil || len(b) != 0 {
			t.Fatalf("Get(%q) = %q, %v; want empty body", id, b, err)
		}
	}
	read(t, s, func(tx store.Tx) error {
		recs, err := tx.List("thing", "", "", 0)
		if len(recs) != 2 || len(recs[0].Body) != 0 {
			return fmt.Errorf("List = %+v", recs)
		}
		// GetOptional tells an empty body (non-nil) from an absent record (nil).
		for _, id := range []string{"nil", "empty"} {
			if b, err := store.GetOptional(tx, "thing", "", id); err != nil || b == nil {
				return fmt.Errorf("GetOptional(%q) = %v, %v; want an empty, non-nil body", id, b, err)
			}
		}
		if b, err := store.GetOptional(tx, "thing", "", "absent"); err != nil || b != nil {
			return fmt.Errorf("GetOptional(absent) = %q, %v; want nil, nil", b, err)
		}
		return err
	})
}

func testLargeBody(t *testing.T, s store.Store) {
	big := make([]byte, 1<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range big {
		big[i] = byte(rng.UintN(256)) // binary, not just text
	}
	write(t, s, func(tx store.Tx) error { return tx.Put("blob", "", "big", big) })
	b, err := get(t, s, "blob", "", "big")
	if err != nil || !bytes.Equal(b, big) {
		t.Fatalf("1 MiB body did not round-trip (len %d, err %v)", len(b), err)
	}
	read(t, s, func(tx store.Tx) error {
		recs, err := tx.List("blob", "", "", 0)
		if err != nil {
			return err
		}
		if len(recs) != 1 || !bytes.Equal(recs[0].Body, big) {
			return errors.New("List did not return the 1 MiB body intact")
		}
		return nil
	})
}

var orderIDs = []string{
	"b", "a", "aa", "a/b", "a%", "a_", "A", "0", "9", "~", "a\\", "ab", "ä", "日本", "Z", " ", "a.b",
}

func sortedBytes(ids []string) []string {
	out := slices.Clone(ids)
	sort.Strings(out) // Go compares strings bytewise
	return out
}

func testListOrder(t *testing.T, s store.Store) {
	write(t, s, func(tx store.Tx) error {
		for _, id := range orderIDs {
			if err := tx.Put("thing", "sc", id, []byte(id)); err != nil {
				return err
			}
		}
		return tx.Put("thing", "other", "zz", nil)
	})
	want := sortedBytes(orderIDs)
	equalIDs(t, "List", list(t, s, "thing", "sc", "", "", 0), want)
	equalIDs(t, "List(limit -1)", list(t, s, "thing", "sc", "", "", -1), want)
	read(t, s, func(tx store.Tx) error {
		recs, err := tx.List("thing", "sc", "", 0)
		for _, r := range recs {
			if string(r.Body) != r.ID {
				return fmt.Errorf("record %q has body %q", r.ID, r.Body)
			}
		}
		return err
	})
	equalIDs(t, "List(empty kind)", list(t, s, "nothing", "sc", "", "", 0), nil)
}

func testListPagination(t *testing.T, s store.Store) {
	var ids []string
	for i := range 57 {
		ids = append(ids, fmt.Sprintf("id-%03d", (i*37)%57))
	}
	write(t, s, func(tx store.Tx) error {
		for _, id := range ids {
			if err := tx.Create("page", "", id, nil); err != nil {
				return err
			}
		}
		return nil
	})
	want := sortedBytes(ids)
	for _, limit := range []int{1, 5, 10, 56, 57, 100} {
		var got []string
		after := ""
		for pages := 0; ; pages++ {
			if pages > 100 {
				t.Fatal("pagination does not terminate")
			}
			page := list(t, s, "page", "", "", after, limit)
			if len(page) > limit {
				t.Fatalf("limit %d: page of %d", limit, len(page))
			}
			got = append(got, page...)
			if len(page) < limit {
				break
			}
			after = page[len(page)-1]
		}
		equalIDs(t, fmt.Sprintf("pages of %d", limit), got, want)
	}
	equalIDs(t, "after the middle", list(t, s, "page", "", "", "id-050", 3), []string{"id-051", "id-052", "id-053"})
	equalIDs(t, "after a non-existing id", list(t, s, "page", "", "", "id-050x", 2), []string{"id-051", "id-052"})
	equalIDs(t, "after the last", list(t, s, "page", "", "", "id-056", 0), nil)
}

func testListPrefix(t *testing.T, s store.Store) {
	ids := []string{"a", "a/", "a/b", "a/b/c", "a/c", "a%", "a_", "a0", "ab", "b", "a/\U0010FFFF", "a0\U0010FFFFz", "日本/x", "日本語", "日"}
	write(t, s, func(tx store.Tx) error {
		for _, id := range ids {
			if err := tx.Put("p", "s", id, nil); err != nil {
				return err
			}
		}
		return tx.Put("p", "other", "a/zzz", nil)
	})
	filter := func(prefix string) []string {
		var out []string
		for _, id := range sortedBytes(ids) {
			if strings.HasPrefix(id, prefix) {
				out = append(out, id)
			}
		}
		return out
	}
	for _, prefix := range []string{"a", "a/", "a/b", "a%", "a_", "a0", "ab", "b", "c", "日本", "日", "a/\U0010FFFF", "a0\U0010FFFF", "%", "_"} {
		equalIDs(t, fmt.Sprintf("ListPrefix(%q)", prefix), list(t, s, "p", "s", prefix, "", 0), filter(prefix))
	}
	// after and limit combine with the prefix.
	equalIDs(t, "ListPrefix(a/, after a/b)", list(t, s, "p", "s", "a/", "a/b", 0), []string{"a/b/c", "a/c", "a/\U0010FFFF"})
	equalIDs(t, "ListPrefix(a/, after a/b, limit 1)", list(t, s, "p", "s", "a/", "a/b", 1), []string{"a/b/c"})
	equalIDs(t, "ListPrefix(a/, after before prefix)", list(t, s, "p", "s", "a/", "a", 2), []string{"a/", "a/b"})
	equalIDs(t, "ListPrefix(a/, after past prefix)", list(t, s, "p", "s", "a/", "b", 0), nil)
}

func testCount(t *testing.T, s store.Store) {
	if n := count(t, s, "c", ""); n != 0 {
		t.Fatalf("Count of nothing = %d", n)
	}
	write(t, s, func(tx store.Tx) error {
		for i := range 25 {
			if err := tx.Put("c", "", fmt.Sprint(i), nil); err != nil {
				return err
			}
		}
		if err := tx.Put("c", "x", "0", nil); err != nil {
			return err
		}
		return tx.Put("d", "", "0", nil)
	})
	if n := count(t, s, "c", ""); n != 25 {
		t.Fatalf("Count = %d, want 25", n)
	}
	write(t, s, func(tx store.Tx) error { _, err := tx.Delete("c", "", "3"); return err })
	if n := count(t, s, "c", ""); n != 24 {
		t.Fatalf("Count after delete = %d, want 24", n)
	}
	// Count inside a write transaction sees that transaction's changes.
	write(t, s, func(tx store.Tx) error {
		if err := tx.Put("c", "", "new", nil); err != nil {
			return err
		}
		n, err := tx.Count("c", "")
		if err == nil && n != 25 {
			err = fmt.Errorf("Count in tx = %d, want 25", n)
		}
		return err
	})
}

// groups builds a CountGroups answer from (group, count) pairs.
func groups(kv ...any) []store.GroupCount {
	var out []store.GroupCount
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, store.GroupCount{Group: kv[i].(string), Count: kv[i+1].(int)})
	}
	return out
}

func fmtGroups(gs []store.GroupCount) string {
	parts := make([]string, len(gs))
	for i, g := range gs {
		parts[i] = fmt.Sprintf("%q:%d", g.Group, g.Count)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func countGroups(t *testing.T, s store.Store, kind, scope, prefix string, sep byte) []store.GroupCount {
	t.Helper()
	return countGroupsIn(t, s, kind, []string{scope}, prefix, sep)
}

func countGroupsIn(t *testing.T, s store.Store, kind string, scopes []string, prefix string, sep byte) []store.GroupCount {
	t.Helper()
	var out []store.GroupCount
	read(t, s, func(tx store.Tx) error {
		var err error
		out, err = tx.CountGroups(kind, scopes, prefix, sep)
		return err
	})
	return out
}

func equalGroups(t *testing.T, what string, got, want []store.GroupCount) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%s = %s, want %s", what, fmtGroups(got), fmtGroups(want))
	}
}

func testCountGroups(t *testing.T, s store.Store) {
	ids := []string{
		"a\x00x\x001", "a\x00x\x002", "a\x00x\x00", "a\x00y\x001", "a\x00", "a\x00z", "a\x00日本\x00q",
		"a\x00x\x01\x003", // a byte above sep: its own group
		"a", "a\x01", "b\x00x\x001", "",
		"p/a/1", "p/a/2", "p/b", "p/", "p/%", "p/_/x", "q/a", "m日本",
	}
	write(t, s, func(tx store.Tx) error {
		for _, id := range ids {
			if err := tx.Put("g", "s", id, nil); err != nil {
				return err
			}
		}
		// Other kinds and scopes are not counted.
		if err := tx.Put("g", "other", "a\x00x\x009", nil); err != nil {
			return err
		}
		return tx.Put("h", "s", "a\x00x\x009", nil)
	})
	equalGroups(t, "CountGroups(a\\0, \\0)", countGroups(t, s, "g", "s", "a\x00", 0), groups("", 1, "x", 3, "x\x01", 1, "y", 1, "z", 1, "日本", 1))
	equalGroups(t, "CountGroups(p/, /)", countGroups(t, s, "g", "s", "p/", '/'), groups("", 1, "%", 1, "_", 1, "a", 2, "b", 1))
	equalGroups(t, "CountGroups(p/a/, /)", countGroups(t, s, "g", "s", "p/a/", '/'), groups("1", 1, "2", 1))
	equalGroups(t, "CountGroups(none)", countGroups(t, s, "g", "s", "zz", 0), nil)
	equalGroups(t, "CountGroups(other kind)", countGroups(t, s, "h", "s", "a\x00", 0), groups("x", 1))
	equalGroups(t, "CountGroups(empty kind)", countGroups(t, s, "none", "s", "", 0), nil)
	// Several scopes: counts add up, each scope counted once however often it is named.
	equalGroups(t, "CountGroups(s, other)", countGroupsIn(t, s, "g", []string{"s", "other", "s", "missing"}, "a\x00", 0), groups(
		"", 1, "x", 4, "x\x01", 1, "y", 1, "z", 1, "日本", 1))
	equalGroups(t, "CountGroups(no scopes)", countGroupsIn(t, s, "g", nil, "", 0), nil)
	// Bytes, not characters: a sep inside a multi-byte character splits it.
	equalGroups(t, "CountGroups(m, 0x97)", countGroups(t, s, "g", "s", "m", 0x97), groups("\xe6", 1))
	// The empty prefix groups the whole (kind, scope); the counts add up to ListPrefix's.
	all := countGroups(t, s, "g", "s", "", 0)
	total := 0
	for i, g := range all {
		if g.Count <= 0 || (i > 0 && all[i-1].Group >= g.Group) {
			t.Fatalf("CountGroups(\"\") = %s: counts must be positive and groups ascending", fmtGroups(all))
		}
		total += g.Count
	}
	if total != len(ids) {
		t.Fatalf("CountGroups(\"\") adds up to %d, want %d", total, len(ids))
	}
	want := map[string]int{}
	for _, id := range ids {
		g, _, _ := strings.Cut(id, "\x00")
		want[g]++
	}
	for _, g := range all {
		if want[g.Group] != g.Count {
			t.Fatalf("CountGroups(\"\") group %q = %d, want %d", g.Group, g.Count, want[g.Group])
		}
	}
	// A write transaction sees its own writes.
	write(t, s, func(tx store.Tx) error {
		if err := tx.Put("g", "s", "p/c", nil); err != nil {
			return err
		}
		if _, err := tx.Delete("g", "s", "p/b"); err != nil {
			return err
		}
		got, err := tx.CountGroups("g", []string{"s"}, "p/", '/')
		if err != nil {
			return err
		}
		if want := groups("", 1, "%", 1, "_", 1, "a", 2, "c", 1); !slices.Equal(got, want) {
			return fmt.Errorf("CountGroups in tx = %s, want %s", fmtGroups(got), fmtGroups(want))
		}
		return nil
	})
}

func listScopes(t *testing.T, s store.Store, kind, after string, limit int) []string {
	t.Helper()
	var out []string
	read(t, s, func(tx store.Tx) error {
		var err error
		out, err = tx.ListScopes(kind, after, limit)
		return err
	})
	return out
}

func testListScopes(t *testing.T, s store.Store) {
	scopes := []string{"", "111111111111/us-east-1", "111111111111/eu-west-1", "222222222222/us-east-1", "a", "b", "日本"}
	write(t, s, func(tx store.Tx) error {
		for i, sc := range scopes {
			for j := range i + 1 { // several records in most scopes
				if err := tx.Put("sc", sc, fmt.Sprint(j), nil); err != nil {
					return err
				}
			}
		}
		return tx.Put("other", "c", "1", nil)
	})
	all := listScopes(t, s, "sc", "", 0)
	// "" is no scope after "": every other scope is listed, each once.
	if got, want := slices.Sorted(slices.Values(all)), slices.Sorted(slices.Values(scopes[1:])); !slices.Equal(got, want) {
		t.Fatalf("ListScopes = %q, want %q in some order", all, want)
	}
	// Paging with the last scope as after visits every scope once, in the same order.
	for _, limit := range []int{1, 2, 4} {
		var paged []string
		for after := ""; ; {
			page := listScopes(t, s, "sc", after, limit)
			if len(page) > limit {
				t.Fatalf("ListScopes(limit %d) returned %d scopes", limit, len(page))
			}
			if len(page) == 0 {
				break
			}
			paged = append(paged, page...)
			after = page[len(page)-1]
		}
		if !slices.Equal(paged, all) {
			t.Fatalf("ListScopes in pages of %d = %q, want %q", limit, paged, all)
		}
	}
	// ASCII scopes of one shape come in byte order on every backend.
	if got := listScopes(t, s, "sc", "111111111111/eu-west-1", 2); !slices.Equal(got, []string{"111111111111/us-east-1", "222222222222/us-east-1"}) {
		t.Fatalf("ListScopes after 111111111111/eu-west-1 = %q", got)
	}
	if got := listScopes(t, s, "none", "", 0); len(got) != 0 {
		t.Fatalf("ListScopes of an empty kind = %q", got)
	}
	if got := listScopes(t, s, "other", "", 0); !slices.Equal(got, []string{"c"}) {
		t.Fatalf("ListScopes(other) = %q", got)
	}
	// A write transaction sees its own writes; a scope whose records are all deleted is gone.
	write(t, s, func(tx store.Tx) error {
		if err := tx.Put("other", "d", "1", nil); err != nil {
			return err
		}
		if _, err := tx.Delete("other", "c", "1"); err != nil {
			return err
		}
		got, err := tx.ListScopes("other", "", 0)
		if err == nil && !slices.Equal(got, []string{"d"}) {
			err = fmt.Errorf("ListScopes in tx = %q, want [d]", got)
		}
		return err
	})
}

func testUnicodeIDs(t *testing.T, s store.Store) {
	ids := []string{"ünïcödé", "日本語/キー", "emoji-🙂", "tab\there", "quote'\"", "semi;colon", "back\\slash", "pct%us_", "𝔘𝔫𝔦", "\u00a0nbsp"}
	write(t, s, func(tx store.Tx) error {
		for _, id := range ids {
			if err := tx.Create("u", "scope/ü", id, []byte(id)); err != nil {
				return err
			}
		}
		return nil
	})
	for _, id := range ids {
		mustGet(t, s, "u", "scope/ü", id, id)
	}
	equalIDs(t, "List", list(t, s, "u", "scope/ü", "", "", 0), sortedBytes(ids))
	equalIDs(t, "ListPrefix(日本語)", list(t, s, "u", "scope/ü", "日本語", "", 0), []string{"日本語/キー"})
}

func testReadOnlyTx(t *testing.T, s store.Store) {
	put(t, s, "ro", "", "a", "1")
	err := s.Read(ctx(t), func(tx store.Tx) error {
		if err := tx.Put("ro", "", "b", nil); !errors.Is(err, store.ErrReadOnly) {
			return fmt.Errorf("Put: %v", err)
		}
		if err := tx.Create("ro", "", "c", nil); !errors.Is(err, store.ErrReadOnly) {
			return fmt.Errorf("Create: %v", err)
		}
		if _, err := tx.Delete("ro", "", "a"); !errors.Is(err, store.ErrReadOnly) {
			return fmt.Errorf("Delete: %v", err)
		}
		if err := tx.Enqueue(store.Job{Kind: "k"}); !errors.Is(err, store.ErrReadOnly) {
			return fmt.Errorf("Enqueue: %v", err)
		}
		if err := tx.CompleteJob(store.Lease{JobID: "x", Owner: "o", Attempt: 1}); !errors.Is(err, store.ErrReadOnly) {
			return fmt.Errorf("CompleteJob: %v", err)
		}
		// Reads still work after refused writes.
		if _, err := tx.Get("ro", "", "a"); err != nil {
			return fmt.Errorf("Get after refused writes: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	mustGet(t, s, "ro", "", "a", "1")
	mustNotFound(t, s, "ro", "", "b")
	if n, err := s.CountJobs(ctx(t), store.JobFilter{}); err != nil || n != 0 {
		t.Fatalf("CountJobs = %d, %v", n, err)
	}
}

func testReadReturnsFnError(t *testing.T, s store.Store) {
	sentinel := errors.New("sentinel")
	if err := s.Read(ctx(t), func(tx store.Tx) error { return sentinel }); err != sentinel {
		t.Fatalf("Read returned %v, want the fn's error unchanged", err)
	}
	err := s.Read(ctx(t), func(tx store.Tx) error {
		_, err := tx.Get("x", "", "missing")
		return err
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Read returned %v, want ErrNotFound", err)
	}
}

func testFailedWriteLeavesNothing(t *testing.T, s store.Store) {
	put(t, s, "f", "", "keep", "old")
	sentinel := errors.New("sentinel")
	err := s.Write(ctx(t), func(tx store.Tx) error {
		if err := tx.Put("f", "", "new", []byte("x")); err != nil {
			return err
		}
		if err := tx.Put("f", "", "keep", []byte("changed")); err != nil {
			return err
		}
		if _, err := tx.Delete("f", "", "keep"); err != nil {
			return err
		}
		if err := tx.Enqueue(store.Job{Kind: "k"}); err != nil {
			return err
		}
		return sentinel
	})
	if err != sentinel {
		t.Fatalf("Write returned %v, want the fn's error unchanged", err)
	}
	mustNotFound(t, s, "f", "", "new")
	mustGet(t, s, "f", "", "keep", "old")
	if n, err := s.CountJobs(ctx(t), store.JobFilter{}); err != nil || n != 0 {
		t.Fatalf("CountJobs = %d, %v; the rolled-back job must not exist", n, err)
	}
	// A wrapped store error is returned unchanged too.
	err = s.Write(ctx(t), func(tx store.Tx) error {
		if err := tx.Put("f", "", "new2", nil); err != nil {
			return err
		}
		return fmt.Errorf("wrapped: %w", tx.Create("f", "", "keep", nil))
	})
	if !errors.Is(err, store.ErrExists) || !strings.HasPrefix(err.Error(), "wrapped: ") {
		t.Fatalf("Write returned %v", err)
	}
	mustNotFound(t, s, "f", "", "new2")
}

func testWriteSeesOwnWrites(t *testing.T, s store.Store) {
	write(t, s, func(tx store.Tx) error {
		if err := tx.Put("o", "", "a", []byte("1")); err != nil {
			return err
		}
		b, err := tx.Get("o", "", "a")
		if err != nil || string(b) != "1" {
			return fmt.Errorf("Get own write = %q, %v", b, err)
		}
		recs, err := tx.List("o", "", "", 0)
		if err != nil || len(recs) != 1 {
			return fmt.Errorf("List own write = %v, %v", recs, err)
		}
		if _, err := tx.Delete("o", "", "a"); err != nil {
			return err
		}
		if _, err := tx.Get("o", "", "a"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("Get after own delete: %v", err)
		}
		return tx.Put("o", "", "b", []byte("2"))
	})
	mustNotFound(t, s, "o", "", "a")
	mustGet(t, s, "o", "", "b", "2")
}

func testCanceledContext(t *testing.T, s store.Store) {
	c, cancel := context.WithCancel(ctx(t))
	cancel()
	err := s.Write(c, func(tx store.Tx) error { return tx.Put("cc", "", "a", nil) })
	if err == nil {
		t.Fatal("Write with a canceled context succeeded")
	}
	mustNotFound(t, s, "cc", "", "a")
	if err := s.Read(c, func(tx store.Tx) error { _, err := tx.Get("cc", "", "a"); return err }); err == nil {
		t.Fatal("Read with a canceled context succeeded")
	}
	// The store still works afterwards.
	put(t, s, "cc", "", "b", "ok")
	mustGet(t, s, "cc", "", "b", "ok")
}

// testWriteRetryContract checks what the retry contract promises callers: read-modify-write
// transactions are serializable (no lost update), a Write that returns nil committed exactly
// once, a Write that returns an error committed nothing, whatever the backend did internally
// (retries on serialization failures run fn again).
func testWriteRetryContract(t *testing.T, s store.Store) {
	put(t, s, "ctr", "", "n", "0")
	const workers, each = 8, 20
	var ok, conflicts, calls atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				err := s.Write(ctx(t), func(tx store.Tx) error {
					calls.Add(1)
					b, err := tx.Get("ctr", "", "n")
					if err != nil {
						return err
					}
					var n int
					fmt.Sscan(string(b), &n)
					return tx.Put("ctr", "", "n", []byte(fmt.Sprint(n+1)))
				})
				switch {
				case err == nil:
					ok.Add(1)
				case errors.Is(err, store.ErrConflict):
					conflicts.Add(1)
				default:
					t.Errorf("Write: %v", err)
				}
			}
		})
	}
	wg.Wait()
	b, _ := get(t, s, "ctr", "", "n")
	if string(b) != fmt.Sprint(ok.Load()) {
		t.Fatalf("counter = %s, but %d writes succeeded (lost or phantom update)", b, ok.Load())
	}
	if ok.Load() < workers*each/2 {
		t.Fatalf("only %d of %d contended writes succeeded (%d conflicts)", ok.Load(), workers*each, conflicts.Load())
	}
	t.Logf("%d ok, %d ErrConflict, fn ran %d times", ok.Load(), conflicts.Load(), calls.Load())

	// Write skew: two transactions each check an invariant over two records and change one of
	// them. Serializable execution keeps "at least one on call".
	for round := range 10 {
		write(t, s, func(tx store.Tx) error {
			if err := tx.Put("oncall", "", "alice", []byte("on")); err != nil {
				return err
			}
			return tx.Put("oncall", "", "bob", []byte("on"))
		})
		// Each transaction, on its first run, waits (briefly: a backend with a single writer
		// runs them one after the other) for the other to have read too, so that on a
		// backend with concurrent transactions both read before either writes.
		arrived := map[string]chan struct{}{"alice": make(chan struct{}), "bob": make(chan struct{})}
		other := map[string]string{"alice": "bob", "bob": "alice"}
		var wg sync.WaitGroup
		for _, who := range []string{"alice", "bob"} {
			wg.Go(func() {
				first := true
				err := s.Write(ctx(t), func(tx store.Tx) error {
					recs, err := tx.List("oncall", "", "", 0)
					if err != nil {
						return err
					}
					if first {
						first = false
						close(arrived[who])
						select {
						case <-arrived[other[who]]:
						case <-time.After(100 * time.Millisecond):
						}
					}
					on := 0
					for _, r := range recs {
						if string(r.Body) == "on" {
							on++
						}
					}
					if on < 2 {
						return nil
					}
					return tx.Put("oncall", "", who, []byte("off"))
				})
				if err != nil && !errors.Is(err, store.ErrConflict) {
					t.Errorf("Write: %v", err)
				}
			})
		}
		wg.Wait()
		recs := list(t, s, "oncall", "", "", "", 0)
		on := 0
		for _, id := range recs {
			if b, _ := get(t, s, "oncall", "", id); string(b) == "on" {
				on++
			}
		}
		if on == 0 {
			t.Fatalf("round %d: write skew: nobody is on call", round)
		}
	}
}

func testConcurrentWriters(t *testing.T, s store.Store) {
	const n, m = 16, 40
	var wg sync.WaitGroup
	for g := range n {
		wg.Go(func() {
			for i := range m {
				id := fmt.Sprintf("g%02d-%03d", g, i)
				err := s.Write(ctx(t), func(tx store.Tx) error {
					if err := tx.Create("cw", "", id, []byte(id)); err != nil {
						return err
					}
					// a secondary record written in the same transaction
					return tx.Put("cw-index", fmt.Sprint(g), id, nil)
				})
				if err != nil {
					t.Errorf("Write %s: %v", id, err)
				}
			}
		})
	}
	wg.Wait()
	if c := count(t, s, "cw", ""); c != n*m {
		t.Fatalf("Count = %d, want %d", c, n*m)
	}
	ids := list(t, s, "cw", "", "", "", 0)
	for g := range n {
		for i := range m {
			id := fmt.Sprintf("g%02d-%03d", g, i)
			if _, found := slices.BinarySearch(ids, id); !found {
				t.Fatalf("%s missing", id)
			}
		}
		if c := count(t, s, "cw-index", fmt.Sprint(g)); c != m {
			t.Fatalf("index of %d has %d records, want %d", g, c, m)
		}
	}
}

// testConcurrentWritersSomeFail mixes succeeding and failing writes (a backend may run them in
// one batch): each failing write leaves nothing and gets its own error, each succeeding write
// is complete.
func testConcurrentWritersSomeFail(t *testing.T, s store.Store) {
	const n, m = 12, 30
	var wg sync.WaitGroup
	for g := range n {
		wg.Go(func() {
			for i := range m {
				id := fmt.Sprintf("%02d-%03d", g, i)
				fail := (g+i)%3 == 0
				myErr := fmt.Errorf("fail %s", id)
				err := s.Write(ctx(t), func(tx store.Tx) error {
					if err := tx.Put("mix", "", id, []byte("a")); err != nil {
						return err
					}
					if err := tx.Put("mix", "b", id, []byte("b")); err != nil {
						return err
					}
					if fail {
						return myErr
					}
					return nil
				})
				if fail && err != myErr {
					t.Errorf("failing write %s returned %v, want its own error", id, err)
				}
				if !fail && err != nil {
					t.Errorf("write %s: %v", id, err)
				}
			}
		})
	}
	wg.Wait()
	for g := range n {
		for i := range m {
			id := fmt.Sprintf("%02d-%03d", g, i)
			_, errA := get(t, s, "mix", "", id)
			_, errB := get(t, s, "mix", "b", id)
			if (g+i)%3 == 0 {
				if !errors.Is(errA, store.ErrNotFound) || !errors.Is(errB, store.ErrNotFound) {
					t.Fatalf("failed write %s left data: %v %v", id, errA, errB)
				}
			} else if errA != nil || errB != nil {
				t.Fatalf("committed write %s incomplete: %v %v", id, errA, errB)
			}
		}
	}
}

func testReadSnapshot(t *testing.T, s store.Store) {
	write(t, s, func(tx store.Tx) error {
		for i := range 10 {
			if err := tx.Put("snap", "", fmt.Sprint(i), []byte("v1")); err != nil {
				return err
			}
		}
		return nil
	})
	err := s.Read(ctx(t), func(tx store.Tx) error {
		b, err := tx.Get("snap", "", "0")
		if err != nil {
			return err
		}
		if string(b) != "v1" {
			return fmt.Errorf("first read %q", b)
		}
		// A concurrent write commits while this transaction is open.
		done := make(chan error, 1)
		go func() {
			done <- s.Write(context.Background(), func(wtx store.Tx) error {
				for i := range 10 {
					if err := wtx.Put("snap", "", fmt.Sprint(i), []byte("v2")); err != nil {
						return err
					}
				}
				return wtx.Put("snap", "", "new", []byte("v2"))
			})
		}()
		if err := <-done; err != nil {
			return fmt.Errorf("concurrent write: %w", err)
		}
		// The open transaction still sees its snapshot, in every method.
		for i := range 10 {
			b, err := tx.Get("snap", "", fmt.Sprint(i))
			if err != nil {
				return err
			}
			if string(b) != "v1" {
				return fmt.Errorf("record %d changed under a read transaction: %q", i, b)
			}
		}
		if _, err := tx.Get("snap", "", "new"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("record created after the snapshot is visible: %v", err)
		}
		n, err := tx.Count("snap", "")
		if err != nil {
			return err
		}
		if n != 10 {
			return fmt.Errorf("Count = %d, want 10", n)
		}
		recs, err := tx.List("snap", "", "", 0)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if string(r.Body) != "v1" {
				return fmt.Errorf("List sees %q=%q", r.ID, r.Body)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	mustGet(t, s, "snap", "", "5", "v2")
	mustGet(t, s, "snap", "", "new", "v2")
}

func testReadAfterWrite(t *testing.T, s store.Store) {
	// Every acknowledged write is visible to every later Read.
	for i := range 50 {
		id := fmt.Sprint(i)
		put(t, s, "raw", "", id, id)
		mustGet(t, s, "raw", "", id, id)
	}
}

// --- jobs -------------------------------------------------------------------------------

var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func enqueue(t *testing.T, s store.Store, jobs ...store.Job) {
	t.Helper()
	write(t, s, func(tx store.Tx) error {
		for _, j := range jobs {
			if err := tx.Enqueue(j); err != nil {
				return err
			}
		}
		return nil
	})
}

func claim(t *testing.T, s store.Store, owner string, now time.Time, lease time.Duration, limit int, kinds ...string) []store.Job {
	t.Helper()
	jobs, err := s.ClaimJobs(ctx(t), owner, now, lease, kinds, limit)
	if err != nil {
		t.Fatalf("ClaimJobs(%s): %v", owner, err)
	}
	for _, j := range jobs {
		if j.LeaseOwner != owner {
			t.Fatalf("claimed job %s has LeaseOwner %q, want %q", j.ID, j.LeaseOwner, owner)
		}
		if !j.LeaseUntil.Equal(now.Add(lease).Truncate(time.Millisecond)) || !j.RunAt.Equal(j.LeaseUntil) {
			t.Fatalf("claimed job %s: LeaseUntil %v RunAt %v, want both %v", j.ID, j.LeaseUntil, j.RunAt, now.Add(lease))
		}
	}
	return jobs
}

func jobList(t *testing.T, s store.Store, f store.JobFilter) []store.Job {
	t.Helper()
	jobs, err := s.ListJobs(ctx(t), f)
	if err != nil {
		t.Fatalf("ListJobs: %v", err)
	}
	return jobs
}

func jobCount(t *testing.T, s store.Store, f store.JobFilter) int {
	t.Helper()
	n, err := s.CountJobs(ctx(t), f)
	if err != nil {
		t.Fatalf("CountJobs: %v", err)
	}
	return n
}

func jobIDs(jobs []store.Job) []string {
	var ids []string
	for _, j := range jobs {
		ids = append(ids, j.ID)
	}
	return ids
}

func testJobEnqueueClaimComplete(t *testing.T, s store.Store) {
	enqueue(t, s, store.Job{ID: "job-1", Kind: "send", Key: "k", Payload: []byte(`{"x":1}`), RunAt: t0})
	all := jobList(t, s, store.JobFilter{})
	if len(all) != 1 {
		t.Fatalf("ListJobs = %+v", all)
	}
	j := all[0]
	if j.ID != "job-1" || j.Kind != "send" || j.Key != "k" || string(j.Payload) != `{"x":1}` ||
		!j.RunAt.Equal(t0) || j.Attempts != 0 || j.LeaseOwner != "" || !j.LeaseUntil.IsZero() ||
		j.CreatedAt.IsZero() || !j.DeadAt.IsZero() || j.LastError != "" {
		t.Fatalf("enqueued job = %+v", j)
	}
	got := claim(t, s, "w1", t0, 30*time.Second, 10)
	if len(got) != 1 || got[0].ID != "job-1" || got[0].Attempts != 1 || string(got[0].Payload) != `{"x":1}` || got[0].Kind != "send" {
		t.Fatalf("claimed %+v", got)
	}
	if again := claim(t, s, "w2", t0.Add(time.Second), 30*time.Second, 10); len(again) != 0 {
		t.Fatalf("a leased job was claimed again: %+v", again)
	}
	if err := s.CompleteJob(ctx(t), got[0].Lease()); err != nil {
		t.Fatalf("CompleteJob: %v", err)
	}
	if n := jobCount(t, s, store.JobFilter{}); n != 0 {
		t.Fatalf("%d jobs after completion", n)
	}
	if err := s.CompleteJob(ctx(t), got[0].Lease()); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("second CompleteJob: %v, want ErrLeaseLost", err)
	}
	if again := claim(t, s, "w2", t0.Add(time.Hour), 30*time.Second, 10); len(again) != 0 {
		t.Fatalf("a completed job was claimed: %+v", again)
	}
}

func testJobDefaults(t *testing.T, s store.Store) {
	before := time.Now().Add(-time.Minute)
	enqueue(t, s, store.Job{Kind: "k"}, store.Job{Kind: "k"})
	jobs := jobList(t, s, store.JobFilter{})
	if len(jobs) != 2 || jobs[0].ID == "" || jobs[0].ID == jobs[1].ID {
		t.Fatalf("generated IDs: %+v", jobs)
	}
	for _, j := range jobs {
		if j.RunAt.Before(before) || j.RunAt.After(time.Now().Add(time.Minute)) {
			t.Fatalf("zero RunAt became %v, want about now", j.RunAt)
		}
		if len(j.Payload) != 0 {
			t.Fatalf("payload %q", j.Payload)
		}
	}
	if got := claim(t, s, "w", time.Now().Add(time.Minute), time.Minute, 10); len(got) != 2 {
		t.Fatalf("jobs with zero RunAt are not due now: claimed %d", len(got))
	}
	err := s.Write(ctx(t), func(tx store.Tx) error { return tx.Enqueue(store.Job{}) })
	if err == nil {
		t.Fatal("Enqueue without a kind succeeded")
	}
	enqueue(t, s, store.Job{ID: "fixed", Kind: "k", RunAt: t0})
	err = s.Write(ctx(t), func(tx store.Tx) error { return tx.Enqueue(store.Job{ID: "fixed", Kind: "k", RunAt: t0}) })
	if !errors.Is(err, store.ErrExists) {
		t.Fatalf("Enqueue of an existing ID: %v, want ErrExists", err)
	}
	if _, err := s.ClaimJobs(ctx(t), "", t0, time.Minute, nil, 1); err == nil {
		t.Fatal("ClaimJobs with an empty owner succeeded")
	}
}

func testJobNotDue(t *testing.T, s store.Store) {
	enqueue(t, s, store.Job{ID: "later", Kind: "k", RunAt: t0.Add(time.Minute)})
	if got := claim(t, s, "w", t0, time.Minute, 10); len(got) != 0 {
		t.Fatalf("claimed a job that is not due: %+v", got)
	}
	if got := claim(t, s, "w", t0.Add(time.Minute-time.Millisecond), time.Minute, 10); len(got) != 0 {
		t.Fatalf("claimed a job 1ms early: %+v", got)
	}
	if got := claim(t, s, "w", t0.Add(time.Minute), time.Minute, 10); len(got) != 1 {
		t.Fatalf("job due exactly now was not claimed: %+v", got)
	}
}

func testJobClaimOrderLimitKinds(t *testing.T, s store.Store) {
	enqueue(t, s,
		store.Job{ID: "c", Kind: "a", RunAt: t0.Add(3 * time.Second)},
		store.Job{ID: "a", Kind: "a", RunAt: t0.Add(1 * time.Second)},
		store.Job{ID: "e", Kind: "b", RunAt: t0.Add(2 * time.Second)},
		store.Job{ID: "b", Kind: "a", RunAt: t0.Add(2 * time.Second)},
		store.Job{ID: "d", Kind: "c", RunAt: t0},
	)
	now := t0.Add(10 * time.Second)
	got := claim(t, s, "w", now, time.Minute, 2, "a", "b")
	equalIDs(t, "first claim", jobIDs(got), []string{"a", "b"})
	got = claim(t, s, "w", now, time.Minute, 10, "a", "b")
	equalIDs(t, "second claim", jobIDs(got), []string{"e", "c"})
	got = claim(t, s, "w", now, time.Minute, 10, "a")
	equalIDs(t, "third claim", jobIDs(got), nil)
	got = claim(t, s, "w", now, time.Minute, 10) // every kind
	equalIDs(t, "claim of every kind", jobIDs(got), []string{"d"})
}

func testJobDedupe(t *testing.T, s store.Store) {
	enqueue(t, s, store.Job{ID: "one", Kind: "agg", Key: "src-1", Payload: []byte("first"), RunAt: t0})
	enqueue(t, s, store.Job{ID: "two", Kind: "agg", Key: "src-1", Payload: []byte("second"), RunAt: t0})
	enqueue(t, s, store.Job{ID: "three", Kind: "other", Key: "src-1", RunAt: t0}) // other kind
	enqueue(t, s, store.Job{ID: "four", Kind: "agg", Key: "src-2", RunAt: t0})    // other key
	enqueue(t, s, store.Job{ID: "five", Kind: "agg", RunAt: t0}, store.Job{ID: "six", Kind: "agg", RunAt: t0})
	equalIDs(t, "jobs", jobIDs(jobList(t, s, store.JobFilter{})), []string{"five", "four", "one", "six", "three"})

	// Once the job runs, a new enqueue is not a duplicate: the running job may have read
	// the state before the write that caused the new enqueue.
	got := claim(t, s, "w", t0, time.Hour, 10, "agg")
	if len(got) != 4 {
		t.Fatalf("claimed %d", len(got))
	}
	var one store.Job
	for _, j := range got {
		if j.ID == "one" {
			one = j
		}
	}
	enqueue(t, s, store.Job{ID: "seven", Kind: "agg", Key: "src-1", RunAt: t0.Add(time.Second)})
	enqueue(t, s, store.Job{ID: "eight", Kind: "agg", Key: "src-1", RunAt: t0.Add(time.Second)})
	if n := jobCount(t, s, store.JobFilter{Kind: "agg"}); n != 5 {
		t.Fatalf("agg jobs = %d, want 5", n)
	}
	// Retrying the running job while "seven" waits merges them: seven covers the work,
	// inherits the attempts and the error, and is postponed to the retry time.
	if err := s.RetryJob(ctx(t), one.Lease(), t0.Add(time.Minute), "boom"); err != nil {
		t.Fatalf("RetryJob: %v", err)
	}
	jobs := jobList(t, s, store.JobFilter{Kind: "agg"})
	equalIDs(t, "agg jobs after merge", jobIDs(jobs), []string{"five", "four", "seven", "six"})
	for _, j := range jobs {
		if j.ID == "seven" && (j.Attempts != 1 || j.LastError != "boom" || !j.RunAt.Equal(t0.Add(time.Minute))) {
			t.Fatalf("merged job = %+v", j)
		}
	}
	// A retried job with a key takes the waiting slot back.
	got = claim(t, s, "w", t0.Add(time.Minute), time.Minute, 10, "agg")
	equalIDs(t, "claim seven", jobIDs(got), []string{"seven"})
	if got[0].Attempts != 2 {
		t.Fatalf("seven has %d attempts, want 2", got[0].Attempts)
	}
	if err := s.RetryJob(ctx(t), got[0].Lease(), t0.Add(2*time.Minute), "again"); err != nil {
		t.Fatal(err)
	}
	enqueue(t, s, store.Job{ID: "nine", Kind: "agg", Key: "src-1", RunAt: t0})
	if n := jobCount(t, s, store.JobFilter{Kind: "agg"}); n != 4 {
		t.Fatalf("enqueue while a retried job waits was not deduplicated: %d agg jobs", n)
	}
}

func testJobLeaseExpiry(t *testing.T, s store.Store) {
	enqueue(t, s, store.Job{ID: "j", Kind: "k", RunAt: t0})
	a := claim(t, s, "worker-a", t0, 30*time.Second, 1)
	if len(a) != 1 {
		t.Fatal("worker-a claimed nothing")
	}
	if got := claim(t, s, "worker-b", t0.Add(29*time.Second), 30*time.Second, 1); len(got) != 0 {
		t.Fatal("claimed a job whose lease has not expired")
	}
	b := claim(t, s, "worker-b", t0.Add(30*time.Second), 30*time.Second, 1)
	if len(b) != 1 || b[0].ID != "j" || b[0].Attempts != 2 {
		t.Fatalf("worker-b claim after expiry = %+v", b)
	}
	// worker-a lost its lease: none of its lease operations may touch the job.
	if err := s.ExtendLease(ctx(t), a[0].Lease(), t0.Add(time.Hour)); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("ExtendLease with a lost lease: %v", err)
	}
	if err := s.RetryJob(ctx(t), a[0].Lease(), t0, "x"); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("RetryJob with a lost lease: %v", err)
	}
	if err := s.BuryJob(ctx(t), a[0].Lease(), t0, "x"); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("BuryJob with a lost lease: %v", err)
	}
	if err := s.CompleteJob(ctx(t), a[0].Lease()); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("CompleteJob with a lost lease: %v", err)
	}
	jobs := jobList(t, s, store.JobFilter{})
	if len(jobs) != 1 || jobs[0].LeaseOwner != "worker-b" || jobs[0].Attempts != 2 || !jobs[0].LeaseUntil.Equal(t0.Add(60*time.Second)) {
		t.Fatalf("job after the stale worker's attempts: %+v", jobs)
	}
	// Same owner name, earlier claim: the attempt number tells them apart.
	c := claim(t, s, "worker-b", t0.Add(60*time.Second), 30*time.Second, 1)
	if len(c) != 1 {
		t.Fatal("no re-claim by the same owner")
	}
	if err := s.CompleteJob(ctx(t), b[0].Lease()); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("CompleteJob with the same owner's older lease: %v", err)
	}
	if err := s.CompleteJob(ctx(t), c[0].Lease()); err != nil {
		t.Fatal(err)
	}
	if n := jobCount(t, s, store.JobFilter{}); n != 0 {
		t.Fatalf("%d jobs left", n)
	}
}

func testJobCrash(t *testing.T, s store.Store) {
	enqueue(t, s, store.Job{ID: "j", Kind: "k", Payload: []byte("p"), RunAt: t0})
	// A worker claims the job and crashes: its lease is simply never used again.
	if got := claim(t, s, "crashed", t0, time.Minute, 1); len(got) != 1 {
		t.Fatal("nothing claimed")
	}
	// Nothing is lost while the lease runs...
	if n := jobCount(t, s, store.JobFilter{}); n != 1 {
		t.Fatalf("%d jobs while leased", n)
	}
	if got := claim(t, s, "survivor", t0.Add(59*time.Second), time.Minute, 1); len(got) != 0 {
		t.Fatal("claimed before the lease expired")
	}
	// ... and after it expires another worker runs and completes it.
	got := claim(t, s, "survivor", t0.Add(61*time.Second), time.Minute, 1)
	if len(got) != 1 || string(got[0].Payload) != "p" || got[0].Attempts != 2 {
		t.Fatalf("survivor claimed %+v", got)
	}
	if err := s.CompleteJob(ctx(t), got[0].Lease()); err != nil {
		t.Fatal(err)
	}
	if n := jobCount(t, s, store.JobFilter{}); n != 0 {
		t.Fatalf("%d jobs left", n)
	}
}

func testJobRetryBackoff(t *testing.T, s store.Store) {
	enqueue(t, s, store.Job{ID: "j", Kind: "k", RunAt: t0})
	got := claim(t, s, "w", t0, time.Minute, 1)
	if err := s.RetryJob(ctx(t), got[0].Lease(), t0.Add(5*time.Second), "boom 1"); err != nil {
		t.Fatal(err)
	}
	jobs := jobList(t, s, store.JobFilter{})
	if len(jobs) != 1 || !jobs[0].RunAt.Equal(t0.Add(5*time.Second)) || jobs[0].LastError != "boom 1" ||
		jobs[0].LeaseOwner != "" || !jobs[0].LeaseUntil.IsZero() || jobs[0].Attempts != 1 {
		t.Fatalf("job after retry = %+v", jobs)
	}
	if err := s.CompleteJob(ctx(t), got[0].Lease()); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("CompleteJob after the lease was released: %v", err)
	}
	if c := claim(t, s, "w", t0.Add(4*time.Second), time.Minute, 1); len(c) != 0 {
		t.Fatal("claimed before the backoff elapsed")
	}
	got = claim(t, s, "w", t0.Add(5*time.Second), time.Minute, 1)
	if len(got) != 1 || got[0].Attempts != 2 || got[0].LastError != "boom 1" {
		t.Fatalf("claim after backoff = %+v", got)
	}
	if err := s.RetryJob(ctx(t), got[0].Lease(), t0.Add(15*time.Second), "boom 2"); err != nil {
		t.Fatal(err)
	}
	jobs = jobList(t, s, store.JobFilter{})
	if !jobs[0].RunAt.Equal(t0.Add(15*time.Second)) || jobs[0].LastError != "boom 2" {
		t.Fatalf("job after second retry = %+v", jobs[0])
	}
}

func testJobBury(t *testing.T, s store.Store) {
	enqueue(t, s, store.Job{ID: "j", Kind: "k", Key: "key", RunAt: t0}, store.Job{ID: "live", Kind: "k", RunAt: t0.Add(time.Hour)})
	got := claim(t, s, "w", t0, time.Minute, 1)
	if err := s.BuryJob(ctx(t), got[0].Lease(), t0.Add(time.Second), "fatal: bad payload"); err != nil {
		t.Fatal(err)
	}
	dead := jobList(t, s, store.JobFilter{Dead: true})
	if len(dead) != 1 || dead[0].ID != "j" || !dead[0].DeadAt.Equal(t0.Add(time.Second)) || dead[0].LastError != "fatal: bad payload" || dead[0].Attempts != 1 {
		t.Fatalf("dead jobs = %+v", dead)
	}
	if n := jobCount(t, s, store.JobFilter{Dead: true}); n != 1 {
		t.Fatalf("dead count %d", n)
	}
	if n := jobCount(t, s, store.JobFilter{Dead: true, Kind: "other"}); n != 0 {
		t.Fatalf("dead count of other kind %d", n)
	}
	equalIDs(t, "live jobs", jobIDs(jobList(t, s, store.JobFilter{})), []string{"live"})
	if c := claim(t, s, "w", t0.Add(1000*time.Hour), time.Minute, 10); len(c) != 1 || c[0].ID != "live" {
		t.Fatalf("claim after bury = %+v", c)
	}
	if err := s.CompleteJob(ctx(t), got[0].Lease()); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("CompleteJob of a dead job: %v", err)
	}
	// A dead job does not block new work with the same key.
	enqueue(t, s, store.Job{ID: "j2", Kind: "k", Key: "key", RunAt: t0})
	if n := jobCount(t, s, store.JobFilter{Kind: "k"}); n != 2 {
		t.Fatalf("live jobs = %d, want 2", n)
	}
}

func testJobExtendLease(t *testing.T, s store.Store) {
	enqueue(t, s, store.Job{ID: "j", Kind: "k", RunAt: t0})
	got := claim(t, s, "w", t0, 10*time.Second, 1)
	if err := s.ExtendLease(ctx(t), got[0].Lease(), t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if c := claim(t, s, "other", t0.Add(30*time.Second), 10*time.Second, 1); len(c) != 0 {
		t.Fatal("claimed a job whose lease was extended")
	}
	jobs := jobList(t, s, store.JobFilter{})
	if !jobs[0].LeaseUntil.Equal(t0.Add(time.Minute)) || !jobs[0].RunAt.Equal(t0.Add(time.Minute)) || jobs[0].Attempts != 1 {
		t.Fatalf("job after extension = %+v", jobs[0])
	}
	if err := s.CompleteJob(ctx(t), got[0].Lease()); err != nil {
		t.Fatalf("CompleteJob after extension: %v", err)
	}
}

// testJobClaimRace has many workers claim and complete the same jobs concurrently: every job
// is handed out exactly once and none is lost.
func testJobClaimRace(t *testing.T, s store.Store) {
	const jobs, workers = 200, 8
	var batch []store.Job
	for i := range jobs {
		batch = append(batch, store.Job{ID: fmt.Sprintf("job-%03d", i), Kind: "race", RunAt: t0.Add(time.Duration(i%7) * time.Millisecond)})
	}
	enqueue(t, s, batch...)
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			owner := fmt.Sprintf("worker-%d", w)
			for idle := 0; idle < 3; {
				got, err := s.ClaimJobs(ctx(t), owner, t0.Add(time.Second), time.Hour, []string{"race"}, 1+w%4)
				if err != nil {
					t.Errorf("ClaimJobs: %v", err)
					return
				}
				if len(got) == 0 {
					idle++
					continue
				}
				idle = 0
				for _, j := range got {
					mu.Lock()
					seen[j.ID]++
					mu.Unlock()
					if err := s.CompleteJob(ctx(t), j.Lease()); err != nil {
						t.Errorf("CompleteJob %s: %v", j.ID, err)
					}
				}
			}
		})
	}
	wg.Wait()
	if len(seen) != jobs {
		t.Fatalf("%d distinct jobs claimed, want %d", len(seen), jobs)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("job %s claimed %d times", id, n)
		}
	}
	if n := jobCount(t, s, store.JobFilter{}); n != 0 {
		t.Fatalf("%d jobs left", n)
	}
}

func testJobEnqueueInWriteTx(t *testing.T, s store.Store) {
	rollback := errors.New("rollback")
	err := s.Write(ctx(t), func(tx store.Tx) error {
		if err := tx.Put("acct", "", "1", []byte("creating")); err != nil {
			return err
		}
		if err := tx.Enqueue(store.Job{ID: "create-1", Kind: "create-account", RunAt: t0}); err != nil {
			return err
		}
		return rollback
	})
	if err != rollback {
		t.Fatalf("Write: %v", err)
	}
	if n := jobCount(t, s, store.JobFilter{}); n != 0 {
		t.Fatal("job of a rolled-back write exists")
	}
	if c := claim(t, s, "w", t0.Add(time.Hour), time.Minute, 10); len(c) != 0 {
		t.Fatal("job of a rolled-back write was claimed")
	}
	write(t, s, func(tx store.Tx) error {
		if err := tx.Put("acct", "", "1", []byte("creating")); err != nil {
			return err
		}
		return tx.Enqueue(store.Job{ID: "create-1", Kind: "create-account", RunAt: t0})
	})
	mustGet(t, s, "acct", "", "1", "creating")
	if c := claim(t, s, "w", t0, time.Minute, 10); len(c) != 1 || c[0].ID != "create-1" {
		t.Fatalf("claimed %+v", c)
	}
}

func testJobCompleteInWriteTx(t *testing.T, s store.Store) {
	enqueue(t, s, store.Job{ID: "j", Kind: "k", RunAt: t0})
	stale := claim(t, s, "slow", t0, time.Second, 1)[0]
	fresh := claim(t, s, "fast", t0.Add(2*time.Second), time.Minute, 1)[0]
	// The stale worker's effects and completion are rolled back together.
	err := s.Write(ctx(t), func(tx store.Tx) error {
		if err := tx.Put("effect", "", "x", []byte("slow")); err != nil {
			return err
		}
		return tx.CompleteJob(stale.Lease())
	})
	if !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("Write with a stale CompleteJob: %v", err)
	}
	mustNotFound(t, s, "effect", "", "x")
	write(t, s, func(tx store.Tx) error {
		if err := tx.Put("effect", "", "x", []byte("fast")); err != nil {
			return err
		}
		return tx.CompleteJob(fresh.Lease())
	})
	mustGet(t, s, "effect", "", "x", "fast")
	if n := jobCount(t, s, store.JobFilter{}); n != 0 {
		t.Fatalf("%d jobs left", n)
	}
}

func testJobListPagination(t *testing.T, s store.Store) {
	var batch []store.Job
	for i := range 23 {
		batch = append(batch, store.Job{ID: fmt.Sprintf("j%02d", (i*5)%23), Kind: fmt.Sprint("k", i%2), RunAt: t0})
	}
	enqueue(t, s, batch...)
	var all []string
	after := ""
	for {
		page := jobList(t, s, store.JobFilter{After: after, Limit: 4})
		all = append(all, jobIDs(page)...)
		if len(page) < 4 {
			break
		}
		after = page[len(page)-1].ID
	}
	want := jobIDs(batch)
	sort.Strings(want)
	equalIDs(t, "paged jobs", all, want)
	if n := jobCount(t, s, store.JobFilter{Kind: "k0"}); n != 12 {
		t.Fatalf("CountJobs(k0) = %d", n)
	}
	if n := len(jobList(t, s, store.JobFilter{Kind: "k1"})); n != 11 {
		t.Fatalf("ListJobs(k1) = %d", n)
	}
}

// --- GetMany ----------------------------------------------------------------------------

func testGetMany(t *testing.T, s store.Store) {
	out, err := s.GetMany(ctx(t), nil)
	if err != nil || len(out) != 0 {
		t.Fatalf("GetMany(nil) = %q, %v; want empty", out, err)
	}
	put(t, s, "gm", "", "a", "A")
	put(t, s, "gm", "s", "a", "SA")
	put(t, s, "gm", "", "empty", "")
	put(t, s, "gm2", "", "a", "other kind")
	put(t, s, "gm", "", "ü/☃", "unicode")
	keys := []store.Key{
		{Kind: "gm", Scope: "", ID: "missing"},
		{Kind: "gm", Scope: "s", ID: "a"},
		{Kind: "gm", Scope: "", ID: "empty"},
		{Kind: "gm", Scope: "", ID: "a"},
		{Kind: "gm2", Scope: "", ID: "a"},
		{Kind: "gm", Scope: "", ID: "a"}, // duplicate key
		{Kind: "gm", Scope: "", ID: "ü/☃"},
		{Kind: "gm", Scope: "", ID: "A"}, // ids are case-sensitive
	}
	out, err = s.GetMany(ctx(t), keys)
	if err != nil {
		t.Fatalf("GetMany: %v", err)
	}
	want := []string{"", "SA", "", "A", "other kind", "A", "unicode", ""}
	wantNil := []bool{true, false, false, false, false, false, false, true}
	if len(out) != len(keys) {
		t.Fatalf("GetMany returned %d values for %d keys", len(out), len(keys))
	}
	for i := range keys {
		if (out[i] == nil) != wantNil[i] || string(out[i]) != want[i] {
			t.Errorf("GetMany[%d] %+v = %q (nil %v), want %q (nil %v)", i, keys[i], out[i], out[i] == nil, want[i], wantNil[i])
		}
	}
	// Every call sees the Writes that returned before it.
	for i := range 5 {
		v := fmt.Sprint("v", i)
		write(t, s, func(tx store.Tx) error {
			if err := tx.Put("gm", "", "a", []byte(v)); err != nil {
				return err
			}
			_, err := tx.Delete("gm", "s", "a")
			return err
		})
		out, err := s.GetMany(ctx(t), keys[1:4])
		if err != nil {
			t.Fatal(err)
		}
		if out[0] != nil || string(out[2]) != v {
			t.Fatalf("after write %d: GetMany = %q", i, out)
		}
		put(t, s, "gm", "s", "a", "SA")
	}
	// A single key.
	out, err = s.GetMany(ctx(t), keys[3:4])
	if err != nil || len(out) != 1 || string(out[0]) != "v4" {
		t.Fatalf("GetMany(one key) = %q, %v", out, err)
	}
}

func testGetManyLarge(t *testing.T, s store.Store) {
	write(t, s, func(tx store.Tx) error {
		for i := range 300 {
			if i%3 == 0 {
				continue
			}
			if err := tx.Put("gml", "", fmt.Sprintf("%04d", i), []byte(fmt.Sprint(i))); err != nil {
				return err
			}
		}
		return nil
	})
	for _, n := range []int{2, 20, 127, 128, 129, 300} {
		keys := make([]store.Key, n)
		for i := range keys {
			keys[i] = store.Key{Kind: "gml", ID: fmt.Sprintf("%04d", n-1-i)}
		}
		out, err := s.GetMany(ctx(t), keys)
		if err != nil {
			t.Fatalf("GetMany(%d keys): %v", n, err)
		}
		for i, b := range out {
			j := n - 1 - i
			if j%3 == 0 {
				if b != nil {
					t.Fatalf("GetMany(%d keys)[%d] = %q, want nil", n, i, b)
				}
			} else if string(b) != fmt.Sprint(j) {
				t.Fatalf("GetMany(%d keys)[%d] = %q, want %d", n, i, b, j)
			}
		}
	}
}

// testGetManyConsistent checks that GetMany never sees half of a Write: a writer keeps two
// records equal (and a third deleted and recreated with them) while readers compare them.
func testGetManyConsistent(t *testing.T, s store.Store) {
	write(t, s, func(tx store.Tx) error {
		for _, id := range []string{"x", "y", "z"} {
			if err := tx.Put("gmc", "", id, []byte("0")); err != nil {
				return err
			}
		}
		return nil
	})
	keys := []store.Key{{Kind: "gmc", ID: "x"}, {Kind: "gmc", ID: "z"}, {Kind: "gmc", ID: "y"}}
	stop := make(chan struct{})
	werr := make(chan error, 1)
	go func() {
		defer close(werr)
		for i := 1; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			v := []byte(fmt.Sprint(i))
			err := s.Write(context.Background(), func(tx store.Tx) error {
				if err := tx.Put("gmc", "", "x", v); err != nil {
					return err
				}
				if i%2 == 0 {
					if _, err := tx.Delete("gmc", "", "z"); err != nil {
						return err
					}
				} else if err := tx.Put("gmc", "", "z", v); err != nil {
					return err
				}
				return tx.Put("gmc", "", "y", v)
			})
			if err != nil {
				werr <- err
				return
			}
		}
	}()
	deadline := time.Now().Add(300 * time.Millisecond)
	reads := 0
	for time.Now().Before(deadline) || reads < 50 {
		out, err := s.GetMany(ctx(t), keys)
		if err != nil {
			close(stop)
			t.Fatalf("GetMany: %v", err)
		}
		x, z, y := string(out[0]), out[1], string(out[2])
		if x != y {
			close(stop)
			t.Fatalf("GetMany saw x=%q y=%q: not one snapshot", x, y)
		}
		n, _ := strconv.Atoi(x)
		wantZ := n%2 == 1 || n == 0 // odd writes (and the setup) put z, even ones delete it
		if (z != nil) != wantZ || z != nil && string(z) != x {
			close(stop)
			t.Fatalf("GetMany saw x=%q z=%q: not one snapshot", x, z)
		}
		reads++
	}
	close(stop)
	if err := <-werr; err != nil {
		t.Fatalf("writer: %v", err)
	}
}

// testTxGetManyPutMany checks the batch methods of Tx: PutMany is Put in order (the last record
// of a repeated key wins), GetMany sees the transaction's own writes, both work past one
// statement's worth of keys, and a read-only Tx refuses PutMany.
func testTxGetManyPutMany(t *testing.T, s store.Store) {
	put(t, s, "tm", "s", "old", "OLD")
	var recs []store.Record
	for i := range 150 {
		recs = append(recs, store.Record{Kind: "tm", Scope: "s", ID: fmt.Sprintf("id-%03d", i), Body: []byte(fmt.Sprint("v", i))})
	}
	recs = append(recs,
		store.Record{Kind: "tm", Scope: "s", ID: "old", Body: []byte("NEW")},
		store.Record{Kind: "tm", Scope: "s", ID: "id-007", Body: []byte("seven again")},
		store.Record{Kind: "tm", Scope: "s", ID: "nil", Body: nil},
		store.Record{Kind: "tm", Scope: "other", ID: "id-001", Body: []byte("other scope")},
	)
	keys := []store.Key{{Kind: "tm", Scope: "s", ID: "missing"}}
	for i := range 150 {
		keys = append(keys, store.Key{Kind: "tm", Scope: "s", ID: fmt.Sprintf("id-%03d", i)})
	}
	keys = append(keys, store.Key{Kind: "tm", Scope: "s", ID: "old"}, store.Key{Kind: "tm", Scope: "s", ID: "nil"},
		store.Key{Kind: "tm", Scope: "other", ID: "id-001"})
	check := func(out [][]byte) {
		t.Helper()
		if len(out) != len(keys) {
			t.Fatalf("GetMany returned %d values for %d keys", len(out), len(keys))
		}
		if out[0] != nil {
			t.Errorf("missing key: got %q, want nil", out[0])
		}
		for i := range 150 {
			want := fmt.Sprint("v", i)
			if i == 7 {
				want = "seven again"
			}
			if string(out[1+i]) != want {
				t.Errorf("id-%03d = %q, want %q", i, out[1+i], want)
			}
		}
		if got := string(out[151]); got != "NEW" {
			t.Errorf("old = %q, want NEW", got)
		}
		if out[152] == nil || len(out[152]) != 0 {
			t.Errorf("nil body = %q (nil %v), want empty non-nil", out[152], out[152] == nil)
		}
		if got := string(out[153]); got != "other scope" {
			t.Errorf("other scope = %q", got)
		}
	}
	write(t, s, func(tx store.Tx) error {
		if err := tx.PutMany(recs); err != nil {
			return err
		}
		out, err := tx.GetMany(keys)
		if err != nil {
			return err
		}
		check(out)
		return tx.PutMany(nil)
	})
	read(t, s, func(tx store.Tx) error {
		out, err := tx.GetMany(keys)
		if err != nil {
			return err
		}
		check(out)
		if out, err := tx.GetMany(nil); err != nil || len(out) != 0 {
			t.Errorf("GetMany(nil) = %q, %v", out, err)
		}
		if err := tx.PutMany(recs[:1]); !errors.Is(err, store.ErrReadOnly) {
			t.Errorf("PutMany in a read-only Tx = %v, want ErrReadOnly", err)
		}
		return nil
	})
	if n := count(t, s, "tm", "s"); n != 152 {
		t.Errorf("Count = %d, want 152", n)
	}
}
