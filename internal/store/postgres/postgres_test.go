package postgres_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/orgconfig/orgconfig/internal/store"
	"github.com/orgconfig/orgconfig/internal/store/postgres"
	"github.com/orgconfig/orgconfig/internal/store/postgres/pgtest"
	"github.com/orgconfig/orgconfig/internal/store/storetest"
)

func databaseURL(t *testing.T) string { return pgtest.DatabaseURL(t) }

func freshSchema(t *testing.T) string { return pgtest.FreshSchema(t) }

func open(t *testing.T, u string, opts postgres.Options) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), u, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	databaseURL(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		return open(t, freshSchema(t), postgres.Options{MaxConns: 12})
	})
}

// TestConcurrentOpenMigrates starts several processes' worth of stores at once on an empty
// schema: the migration lock lets exactly one apply each migration and the others wait.
func TestConcurrentOpenMigrates(t *testing.T) {
	u := freshSchema(t)
	const n = 6
	stores := make([]*postgres.Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = postgres.Open(t.Context(), u, postgres.Options{MaxConns: 2}) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("Open %d: %v", i, errs[i])
		}
		defer stores[i].Close()
	}
	var applied int64
	row := stores[0].Pool().QueryRow(t.Context(), `SELECT count(*) FROM schema_migrations WHERE version > 0`)
	if err := row.Scan(&applied); err != nil || applied < 1 {
		t.Fatalf("schema_migrations: %d, %v", applied, err)
	}
	if err := stores[3].Write(t.Context(), func(tx store.Tx) error { return tx.Put("k", "", "a", nil) }); err != nil {
		t.Fatal(err)
	}
}

// TestReplicasClaimEachJobOnce is the multi-process case: several Stores (separate pools, as
// separate orgconfig replicas would have) claim from one job table at once.
func TestReplicasClaimEachJobOnce(t *testing.T) {
	u := freshSchema(t)
	const replicas, jobs = 4, 300
	var stores []*postgres.Store
	for range replicas {
		stores = append(stores, open(t, u, postgres.Options{MaxConns: 3}))
	}
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	err := stores[0].Write(t.Context(), func(tx store.Tx) error {
		for i := range jobs {
			if err := tx.Enqueue(store.Job{ID: fmt.Sprintf("j%04d", i), Kind: "k", RunAt: t0}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[string]string{}
	var wg sync.WaitGroup
	for r, s := range stores {
		for w := range 3 {
			wg.Go(func() {
				owner := fmt.Sprintf("replica%d-worker%d", r, w)
				for {
					got, err := s.ClaimJobs(t.Context(), owner, t0, time.Hour, []string{"k"}, 4)
					if err != nil {
						t.Errorf("ClaimJobs: %v", err)
						return
					}
					if len(got) == 0 {
						return
					}
					for _, j := range got {
						mu.Lock()
						if prev, dup := seen[j.ID]; dup {
							t.Errorf("job %s claimed by %s and %s", j.ID, prev, owner)
						}
						seen[j.ID] = owner
						mu.Unlock()
						if err := s.CompleteJob(t.Context(), j.Lease()); err != nil {
							t.Errorf("CompleteJob: %v", err)
						}
					}
				}
			})
		}
	}
	wg.Wait()
	if len(seen) != jobs {
		t.Fatalf("%d jobs claimed, want %d", len(seen), jobs)
	}
	if n, err := stores[1].CountJobs(t.Context(), store.JobFilter{}); err != nil || n != 0 {
		t.Fatalf("CountJobs = %d, %v", n, err)
	}
}

// TestSerializationFailuresAreRetried forces conflicts between two transactions and checks
// that Write reruns fn rather than surfacing the failure.
func TestSerializationFailuresAreRetried(t *testing.T) {
	u := freshSchema(t)
	s := open(t, u, postgres.Options{MaxConns: 4})
	if err := s.Write(t.Context(), func(tx store.Tx) error { return tx.Put("c", "", "n", []byte("0")) }); err != nil {
		t.Fatal(err)
	}
	// Both transactions read n, then wait for each other before writing it: one of them
	// must fail to serialize and be retried.
	var barrier sync.WaitGroup
	barrier.Add(2)
	var once [2]sync.Once
	var calls [2]int
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Go(func() {
			err := s.Write(t.Context(), func(tx store.Tx) error {
				calls[i]++
				b, err := tx.Get("c", "", "n")
				if err != nil {
					return err
				}
				once[i].Do(func() { barrier.Done(); barrier.Wait() })
				var n int
				fmt.Sscan(string(b), &n)
				return tx.Put("c", "", "n", []byte(fmt.Sprint(n+1)))
			})
			if err != nil {
				t.Errorf("Write: %v", err)
			}
		})
	}
	wg.Wait()
	var final []byte
	s.Read(t.Context(), func(tx store.Tx) error { var err error; final, err = tx.Get("c", "", "n"); return err })
	if string(final) != "2" {
		t.Fatalf("n = %s, want 2", final)
	}
	if calls[0]+calls[1] < 3 {
		t.Fatalf("fn ran %v times; expected a retry", calls)
	}
}

func TestConflictAfterMaxAttempts(t *testing.T) {
	u := freshSchema(t)
	s := open(t, u, postgres.Options{MaxAttempts: 2})
	calls := 0
	err := s.Write(t.Context(), func(tx store.Tx) error {
		calls++
		// A serialization failure raised by the fn's statements is retried like one at COMMIT.
		if _, err := tx.Get("x", "", "y"); !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: "40001", Message: "simulated"})
	})
	if !errors.Is(err, store.ErrConflict) || calls != 2 {
		t.Fatalf("err = %v after %d calls, want ErrConflict after 2", err, calls)
	}
}
