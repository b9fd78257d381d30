package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orgconfig/orgconfig/internal/store"
	"github.com/orgconfig/orgconfig/internal/store/sqlite"
	"github.com/orgconfig/orgconfig/internal/store/storetest"
)

func openTemp(t *testing.T, opts sqlite.Options) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "orgconfig.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t, sqlite.Options{}) })
}

func TestConformanceNormalSyncSmallBatches(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return openTemp(t, sqlite.Options{NormalSync: true, MaxBatch: 3, ReadConns: 2})
	})
}

func TestGroupCommitBatches(t *testing.T) {
	s := openTemp(t, sqlite.Options{})
	const n = 200
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			err := s.Write(t.Context(), func(tx store.Tx) error {
				return tx.Put("gc", "", fmt.Sprint(i), []byte("x"))
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	close(start)
	wg.Wait()
	st := s.Stats()
	t.Logf("%d writes in %d batches", st.Writes, st.Batches)
	if st.Writes != n {
		t.Fatalf("Writes = %d, want %d", st.Writes, n)
	}
	if st.Batches >= n {
		t.Fatalf("no batching: %d writes in %d batches", st.Writes, st.Batches)
	}
}

func TestPanicInWriteIsolated(t *testing.T) {
	s := openTemp(t, sqlite.Options{})
	func() {
		defer func() {
			if v := recover(); v != "boom" {
				t.Fatalf("recovered %v, want the fn's panic re-raised in the caller", v)
			}
		}()
		s.Write(t.Context(), func(tx store.Tx) error {
			tx.Put("p", "", "a", nil)
			panic("boom")
		})
	}()
	if err := s.Write(t.Context(), func(tx store.Tx) error { return tx.Put("p", "", "b", nil) }); err != nil {
		t.Fatal(err)
	}
	err := s.Read(t.Context(), func(tx store.Tx) error {
		if _, err := tx.Get("p", "", "a"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("write of the panicking fn is visible: %v", err)
		}
		_, err := tx.Get("p", "", "b")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestReopenKeepsDataAndJobs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	s, err := sqlite.Open(t.Context(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Write(t.Context(), func(tx store.Tx) error {
		if err := tx.Put("k", "", "a", []byte("v")); err != nil {
			return err
		}
		return tx.Enqueue(store.Job{ID: "j", Kind: "k", RunAt: time.Unix(100, 0)})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(t.Context(), func(tx store.Tx) error { return nil }); !errors.Is(err, sqlite.ErrClosed) {
		t.Fatalf("Write after Close: %v", err)
	}
	s, err = sqlite.Open(t.Context(), path, sqlite.Options{}) // migrations already applied
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Read(t.Context(), func(tx store.Tx) error {
		b, err := tx.Get("k", "", "a")
		if err == nil && string(b) != "v" {
			err = fmt.Errorf("got %q", b)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := s.CountJobs(t.Context(), store.JobFilter{}); err != nil || n != 1 {
		t.Fatalf("CountJobs after reopen = %d, %v", n, err)
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	s, err := sqlite.Open(t.Context(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if s, err := sqlite.Open(t.Context(), path, sqlite.Options{}); err == nil {
		s.Close()
		t.Fatal("opened a database migrated by a newer binary")
	}
}

func TestPathWithSpecialCharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a dir?with#odd%chars")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s := openAt(t, filepath.Join(dir, "db"))
	if err := s.Write(t.Context(), func(tx store.Tx) error { return tx.Put("k", "", "a", nil) }); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "db")); err != nil {
		t.Fatalf("database not at the given path: %v", err)
	}
}

func openAt(t *testing.T, path string) *sqlite.Store {
	s, err := sqlite.Open(t.Context(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkWrite measures small durable writes from many goroutines (group commit) against
// one goroutine (one fsync per write).
func BenchmarkWrite(b *testing.B) {
	for _, par := range []int{1, 64} {
		b.Run(fmt.Sprintf("writers=%d", par), func(b *testing.B) {
			s, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "db"), sqlite.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			var next atomic.Int64
			b.SetParallelism(par)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					id := fmt.Sprint(next.Add(1))
					if err := s.Write(b.Context(), func(tx store.Tx) error {
						return tx.Put("bench", "", id, []byte(`{"a":1}`))
					}); err != nil {
						b.Error(err)
					}
				}
			})
		})
	}
}

// TestQueryPlans pins the index use of the hot queries: a prefix listing is a primary-key
// range scan (not a LIKE over the partition) and a claim scans the due-jobs index.
func TestQueryPlans(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	openAt(t, path)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	plan := func(q string, args ...any) string {
		rows, err := db.Query("EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			out = append(out, detail)
		}
		return strings.Join(out, "; ")
	}
	p := plan(`SELECT id, body FROM records WHERE kind = ? AND scope = ? AND id > ? AND id >= ? AND id < ? ORDER BY id LIMIT ?`,
		"k", "s", "", "a/", "a0", 10)
	if !strings.Contains(p, "SEARCH records USING PRIMARY KEY (kind=? AND scope=? AND id>? AND id<?)") || strings.Contains(p, "TEMP B-TREE") {
		t.Errorf("prefix listing plan: %s", p)
	}
	p = plan(`SELECT id FROM jobs INDEXED BY jobs_due WHERE dead_at IS NULL AND run_at <= ? AND kind IN (?, ?) ORDER BY run_at, id LIMIT ?`, 1, "a", "b", 10)
	if !strings.Contains(p, "jobs_due") || strings.Contains(p, "TEMP B-TREE") {
		t.Errorf("claim plan: %s", p)
	}
}

// TestReadPreparesOnItsConnection: a read transaction's first use of a query does not wait for
// another pool connection (with every connection held by such a transaction, none would come).
func TestReadPreparesOnItsConnection(t *testing.T) {
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "db"), sqlite.Options{ReadConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for range 2 { // the first time prepared on the transaction, then (eventually) from the pool
		err = s.Read(ctx, func(tx store.Tx) error {
			_, err := tx.GetMany([]store.Key{{Kind: "k", Scope: "s", ID: "a"}, {Kind: "k", Scope: "s", ID: "b"}, {Kind: "k", Scope: "s", ID: "c"}})
			return err
		})
		if err != nil {
			t.Fatalf("GetMany in a read of a one-connection pool: %v", err)
		}
	}
}

// TestCloseWaitsForBackgroundPrepares closes the store right after reads that started
// background preparations: once Close returns, nothing may open the database's files again
// (a test's TempDir cleanup failed with "directory not empty" when one did).
func TestCloseWaitsForBackgroundPrepares(t *testing.T) {
	for i := range 20 {
		dir := t.TempDir()
		s, err := sqlite.Open(t.Context(), filepath.Join(dir, "db"), sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for n := 2; n < 8; n++ { // each key count is a query new to the pool
			keys := make([]store.Key, n)
			for j := range keys {
				keys[j] = store.Key{Kind: "k", Scope: "s", ID: fmt.Sprint(j)}
			}
			if err := s.Read(t.Context(), func(tx store.Tx) error { _, err := tx.GetMany(keys); return err }); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		before := dirNames(t, dir)
		time.Sleep(20 * time.Millisecond)
		if after := dirNames(t, dir); after != before {
			t.Fatalf("round %d: files changed after Close: %q, then %q", i, before, after)
		}
		if before != "db" {
			t.Fatalf("round %d: after Close the directory holds %q, want only the database", i, before)
		}
	}
}

func dirNames(t *testing.T, dir string) string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return strings.Join(names, ",")
}

// TestCloseWaitsForReads: Close returns only after the reads in flight ended, and a read after
// Close fails with ErrClosed.
func TestCloseWaitsForReads(t *testing.T) {
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var readOver atomic.Bool
	closed := make(chan bool)
	started := make(chan struct{})
	err = s.Read(t.Context(), func(tx store.Tx) error {
		if _, err := tx.Get("k", "s", "a"); err != store.ErrNotFound {
			return fmt.Errorf("Get: %v", err)
		}
		go func() {
			close(started)
			s.Close()
			closed <- readOver.Load()
		}()
		<-started
		time.Sleep(20 * time.Millisecond) // let Close reach its wait (the test holds either way)
		readOver.Store(true)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !<-closed {
		t.Fatal("Close returned while a read was in flight")
	}
	if err := s.Read(t.Context(), func(store.Tx) error { return nil }); !errors.Is(err, sqlite.ErrClosed) {
		t.Fatalf("Read after Close: %v, want ErrClosed", err)
	}
	if _, err := s.GetMany(t.Context(), []store.Key{{Kind: "k", Scope: "s", ID: "a"}}); !errors.Is(err, sqlite.ErrClosed) {
		t.Fatalf("GetMany after Close: %v, want ErrClosed", err)
	}
}
