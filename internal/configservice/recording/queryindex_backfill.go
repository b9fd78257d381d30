package recording

import (
	"context"
	"fmt"
	"strings"

	"github.com/orgconfig/orgconfig/internal/configservice/core"

	"github.com/orgconfig/orgconfig/internal/store"
)

// The backfill of the query index. Item writes maintain the index (reindexTx), but items
// written by a version without the index have no entries, and reindexTx, which only writes
// what an item gained over its previous state, leaves such an item partly indexed when it
// changes. The backfill brings every current item's entries up to date once:
//
//   - At start (StartQueryIndexBackfill) the server looks at the backfill's state record. Done:
//     nothing to do. A store without items (a new installation) is done at once. Otherwise a
//     job (JobQueryIndexBackfill, deduplicated) runs it in the background.
//   - The job walks the items scope by scope (store ListScopes) in pages of backfillPage, one
//     Write per page: it computes each queryable item's entries (IndexIDs), reads which exist,
//     and writes the missing ones (and the unindexed-scope mark). Complete items cost reads
//     only; nothing is written twice, so it is idempotent.
//   - The state record holds the position (scope, item) after each page, in the page's
//     transaction: a job that stops (crash, lost lease, shutdown) resumes where it left off.
//     The last page marks the state done.
//
// Until then the index may miss old items, so queries read every item of their scopes (a scan)
// instead of trusting it (queryIndexReady).

// KindQueryIndexState is the backfill's state: scope "", id backfillStateID.
const KindQueryIndexState = "config-qidx-state"

// backfillStateID names the state of this index format; a new format would get a new id (and
// its own backfill).
const backfillStateID = "backfill-v1"

// JobQueryIndexBackfill runs the backfill. Key: backfillStateID.
const JobQueryIndexBackfill = "config-qidx-backfill"

// backfillPage is the number of items one backfill transaction handles.
const backfillPage = 200

// BackfillState is the body of the state record.
type BackfillState struct {
	Done bool `json:"done,omitempty"`
	// Scope and After are the position: every item up to After in Scope, and every item of
	// the scopes before Scope, has its entries. Scope "" is before every scope.
	Scope string `json:"scope,omitempty"`
	After string `json:"after,omitempty"`
	// Items counts the items checked so far; Written the index records written.
	Items   int `json:"items"`
	Written int `json:"written"`
}

// BackfillStateTx reads the state (zero when absent: nothing done yet).
func BackfillStateTx(tx store.Tx) (BackfillState, error) {
	st, err := core.GetRecTx[BackfillState](tx, KindQueryIndexState, "", backfillStateID)
	if err != nil || st == nil {
		return BackfillState{}, err
	}
	return *st, nil
}

func PutBackfillStateTx(tx store.Tx, st BackfillState) error {
	return core.PutRecTx(tx, KindQueryIndexState, "", backfillStateID, st)
}

// StartQueryIndexBackfill makes sure the query index covers every item: it marks a store
// without items done, and otherwise enqueues the backfill job unless the backfill is done. The
// server calls it at start; it is cheap when there is nothing to do.
func (s *Service) StartQueryIndexBackfill(ctx context.Context) error {
	if err := s.ensureUnindexedSet(ctx); err != nil {
		return err
	}
	if ready, err := s.queryIndexReady(ctx); err != nil || ready {
		return err
	}
	enqueued := false
	err := s.Store.Write(ctx, func(tx store.Tx) error {
		enqueued = false
		st, err := BackfillStateTx(tx)
		if err != nil || st.Done {
			return err
		}
		if st.Scope == "" && st.After == "" {
			scopes, err := tx.ListScopes(KindItem, "", 1)
			if err != nil {
				return err
			}
			if len(scopes) == 0 { // nothing written before the index: done
				return PutBackfillStateTx(tx, BackfillState{Done: true})
			}
		}
		enqueued = true
		return tx.Enqueue(store.Job{Kind: JobQueryIndexBackfill, Key: backfillStateID})
	})
	if err == nil && enqueued && s.Jobs != nil {
		s.Jobs.Notify()
	}
	return err
}

// queryIndexReady reports whether the backfill is done (remembered once seen: it never
// reverts).
func (s *Service) queryIndexReady(ctx context.Context) (ready bool, err error) {
	if s.QidxReady.Load() {
		return true, nil
	}
	err = s.Store.Read(ctx, func(tx store.Tx) (err error) {
		ready, err = s.QueryIndexReadyTx(tx)
		return err
	})
	return ready, err
}

// QueryIndexReadyTx is queryIndexReady inside a transaction.
func (s *Service) QueryIndexReadyTx(tx store.Tx) (bool, error) {
	if s.QidxReady.Load() {
		return true, nil
	}
	st, err := BackfillStateTx(tx)
	if err != nil {
		return false, err
	}
	if st.Done {
		s.QidxReady.Store(true)
	}
	return st.Done, nil
}

// RunQueryIndexBackfill is the backfill job: pages until done.
func (s *Service) RunQueryIndexBackfill(ctx context.Context, job store.Job) error {
	for {
		done := false
		err := s.Store.Write(ctx, func(tx store.Tx) error {
			var err error
			done, err = BackfillPageTx(tx, backfillPage)
			if err != nil || !done {
				return err
			}
			return tx.CompleteJob(job.Lease())
		})
		if err != nil {
			return err
		}
		if done {
			s.QidxReady.Store(true)
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// BackfillPageTx indexes up to limit items from the state's position on and records the new
// position; done reports that every item is covered (the state is then marked done).
func BackfillPageTx(tx store.Tx, limit int) (done bool, err error) {
	st, err := BackfillStateTx(tx)
	if err != nil || st.Done {
		return st.Done, err
	}
	var recs []store.Record
	for len(recs) == 0 {
		if st.Scope != "" {
			if recs, err = tx.List(KindItem, st.Scope, st.After, limit); err != nil {
				return false, err
			}
		}
		if len(recs) > 0 {
			break
		}
		// This scope is done: on to the next one.
		next, err := tx.ListScopes(KindItem, st.Scope, 1)
		if err != nil {
			return false, err
		}
		if len(next) == 0 {
			st = BackfillState{Done: true, Items: st.Items, Written: st.Written}
			return true, PutBackfillStateTx(tx, st)
		}
		st.Scope, st.After = next[0], ""
	}
	written, err := indexMissingTx(tx, st.Scope, recs)
	if err != nil {
		return false, err
	}
	st.After = recs[len(recs)-1].ID
	st.Items += len(recs)
	st.Written += written
	return false, PutBackfillStateTx(tx, st)
}

// indexMissingTx writes the index entries that the items recs (of one scope) should have and
// lack, and returns how many records it wrote.
func indexMissingTx(tx store.Tx, scope string, recs []store.Record) (int, error) {
	var keys []store.Key
	for _, r := range recs {
		ci, err := DecodeItem(r.Body)
		if err != nil {
			return 0, fmt.Errorf("%s %q: %w", scope, r.ID, err)
		}
		for _, id := range IndexIDs(ci) {
			keys = append(keys, store.Key{Kind: KindQueryIndex, Scope: scope, ID: id})
		}
	}
	if len(keys) == 0 {
		return 0, nil
	}
	have, err := tx.GetMany(keys)
	if err != nil {
		return 0, err
	}
	var out []store.Record
	for i, k := range keys {
		if have[i] != nil {
			continue
		}
		out = append(out, store.Record{Kind: KindQueryIndex, Scope: scope, ID: k.ID})
		if strings.HasPrefix(k.ID, UnindexedPath) {
			if err := markUnindexedTx(tx, scope); err != nil {
				return 0, err
			}
		}
	}
	return len(out), tx.PutMany(out)
}
