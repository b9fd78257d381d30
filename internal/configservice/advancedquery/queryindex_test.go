package advancedquery

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orgconfig/orgconfig/internal/configservice/aggregation"
	"github.com/orgconfig/orgconfig/internal/configservice/core"
	"github.com/orgconfig/orgconfig/internal/configservice/evaluation"
	"github.com/orgconfig/orgconfig/internal/configservice/recording"

	"github.com/orgconfig/orgconfig/internal/clock"
	"github.com/orgconfig/orgconfig/internal/jobs"
	"github.com/orgconfig/orgconfig/internal/store"
	"github.com/orgconfig/orgconfig/internal/store/sqlite"
)

// queryIndexFixture is a store with items in three scopes: instances and buckets with tags, a
// global IAM role, an item too large to index, a deleted and a not-recorded item.
type queryIndexFixture struct {
	ctx context.Context
	st  store.Store
	clk *clock.Manual
	s   *Service
}

var qidxScopes = [][2]string{{"111111111111", "us-east-1"}, {"111111111111", "eu-west-1"}, {"222222222222", "us-east-1"}}

func newQueryIndexFixture(t *testing.T) *queryIndexFixture {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewManual(time.UnixMilli(1_700_000_000_000))
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"), sqlite.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &queryIndexFixture{ctx: ctx, st: st, clk: clk, s: New(aggregation.New(evaluation.New(recording.New(core.Deps{Store: st, Clock: clk}))))}
	if st := f.state(t); !st.Done { // the store's migration marks a new store done
		t.Fatalf("a new store's backfill state = %+v, want done", st)
	}
	if err := f.s.StartQueryIndexBackfill(ctx); err != nil {
		t.Fatal(err)
	}
	big := map[string]any{}
	for i := range recording.MaxIndexEntries + 10 {
		big[fmt.Sprintf("k%d", i)] = fmt.Sprintf("v%d", i)
	}
	bigConf, _ := json.Marshal(big)
	var ins []recording.ItemInput
	for si, sc := range qidxScopes {
		for i := range 7 {
			in := recording.ItemInput{Account: sc[0], Region: sc[1], ResourceType: "AWS::EC2::Instance", ResourceID: fmt.Sprintf("i-%d%d", si, i),
				Configuration: json.RawMessage(fmt.Sprintf(`{"instanceType":"t3.micro","n":%d}`, i)),
				Tags:          map[string]string{"env": []string{"prod", "dev"}[i%2], "team": fmt.Sprint("t", i%3)}, Status: "ResourceDiscovered"}
			if i%3 == 0 {
				in.ResourceType, in.ResourceID = "AWS::S3::Bucket", fmt.Sprintf("bucket-%d%d", si, i)
			}
			ins = append(ins, in)
		}
		ins = append(ins,
			recording.ItemInput{Account: sc[0], Region: sc[1], ResourceType: "AWS::IAM::Role", ResourceID: fmt.Sprint("AROA", si),
				Configuration: json.RawMessage(`{"roleName":"r"}`), Tags: map[string]string{"env": "prod"}, Status: "ResourceDiscovered"},
			recording.ItemInput{Account: sc[0], Region: sc[1], ResourceType: "AWS::EC2::Volume", ResourceID: fmt.Sprint("vol-gone-", si),
				Tags: map[string]string{"env": "prod"}, Status: "ResourceDeleted"},
			recording.ItemInput{Account: sc[0], Region: sc[1], ResourceType: "AWS::EC2::Volume", ResourceID: fmt.Sprint("vol-nr-", si),
				Tags: map[string]string{"env": "prod"}, Status: "ResourceNotRecorded"})
		if si == 1 {
			ins = append(ins, recording.ItemInput{Account: sc[0], Region: sc[1], ResourceType: "AWS::EC2::Instance", ResourceID: "i-big",
				Configuration: bigConf, Tags: map[string]string{"env": "prod"}, Status: "ResourceDiscovered"})
		}
	}
	f.record(t, ins...)
	return f
}

func (f *queryIndexFixture) record(t *testing.T, ins ...recording.ItemInput) {
	t.Helper()
	if err := f.st.Write(f.ctx, func(tx store.Tx) error {
		for _, in := range ins {
			if err := f.s.RecordItemTx(tx, in); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// index returns the query index and the unindexed-scope marks, one line per record.
func (f *queryIndexFixture) index(t *testing.T) []string {
	t.Helper()
	var out []string
	err := f.st.Read(f.ctx, func(tx store.Tx) error {
		for _, sc := range qidxScopes {
			recs, err := tx.List(recording.KindQueryIndex, core.Scope(sc[0], sc[1]), "", 0)
			if err != nil {
				return err
			}
			for _, r := range recs {
				out = append(out, core.Scope(sc[0], sc[1])+" "+r.ID)
			}
		}
		recs, err := tx.List(recording.KindQueryUnindexed, "", "", 0)
		if err != nil {
			return err
		}
		for _, r := range recs {
			out = append(out, "unindexed "+r.ID)
		}
		b, err := recording.GetUnindexedSet(tx)
		if err != nil || b == nil {
			return err
		}
		var set []string
		if err := json.Unmarshal(b, &set); err != nil {
			return err
		}
		for _, sc := range set {
			out = append(out, "unindexed-set "+sc)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// wantIndex is the index the current items call for, computed from the items themselves.
func (f *queryIndexFixture) wantIndex(t *testing.T) []string {
	t.Helper()
	var out, marks []string
	err := f.st.Read(f.ctx, func(tx store.Tx) error {
		for _, sc := range qidxScopes {
			scope := core.Scope(sc[0], sc[1])
			items, err := tx.List(recording.KindItem, scope, "", 0)
			if err != nil {
				return err
			}
			var ids []string
			for _, r := range items {
				ci, err := recording.DecodeItem(r.Body)
				if err != nil {
					return err
				}
				for _, id := range recording.IndexIDs(ci) {
					ids = append(ids, scope+" "+id)
					if strings.HasPrefix(id, recording.UnindexedPath) {
						marks = append(marks, "unindexed "+scope)
					}
				}
			}
			slices.Sort(ids)
			out = append(out, ids...)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, marks...)
	for _, m := range marks {
		out = append(out, "unindexed-set "+strings.TrimPrefix(m, "unindexed "))
	}
	return out
}

// forget makes the store look like one written before the index: no index records, no
// marks, no backfill state.
func (f *queryIndexFixture) forget(t *testing.T) {
	t.Helper()
	f.s.QidxReady.Store(false)
	err := f.st.Write(f.ctx, func(tx store.Tx) error {
		for _, k := range []struct{ kind, scope string }{{recording.KindQueryIndex, core.Scope(qidxScopes[0][0], qidxScopes[0][1])},
			{recording.KindQueryIndex, core.Scope(qidxScopes[1][0], qidxScopes[1][1])}, {recording.KindQueryIndex, core.Scope(qidxScopes[2][0], qidxScopes[2][1])},
			{recording.KindQueryUnindexed, ""}, {recording.KindQueryUnindexedSet, ""}, {recording.KindQueryIndexState, ""}} {
			recs, err := tx.List(k.kind, k.scope, "", 0)
			if err != nil {
				return err
			}
			for _, r := range recs {
				if _, err := tx.Delete(k.kind, k.scope, r.ID); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (f *queryIndexFixture) query(t *testing.T, expr string) []string {
	t.Helper()
	var srcs []aggregation.Source
	for _, sc := range qidxScopes {
		srcs = append(srcs, aggregation.Source{Account: sc[0], Region: sc[1]})
	}
	slices.SortFunc(srcs, func(a, b aggregation.Source) int {
		return strings.Compare(core.Scope(a.Account, a.Region), core.Scope(b.Account, b.Region))
	})
	var out []string
	err := f.st.Read(f.ctx, func(tx store.Tx) error {
		for token := ""; ; {
			set, err := recording.GetUnindexedSet(tx)
			if err != nil {
				return err
			}
			res, err := f.s.runQuery(tx, srcs, nil, set, expr, 4, token)
			if err != nil {
				return err
			}
			out = append(out, res.results...)
			if token = res.next; token == "" {
				return nil
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (f *queryIndexFixture) state(t *testing.T) recording.BackfillState {
	t.Helper()
	var st recording.BackfillState
	if err := f.st.Read(f.ctx, func(tx store.Tx) error {
		var err error
		st, err = recording.BackfillStateTx(tx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestQueryKeyItem: the key properties of every indexed item, as keyItem gives them from the
// index key, are the stored item's (global types included).
func TestQueryKeyItem(t *testing.T) {
	f := newQueryIndexFixture(t)
	n := 0
	err := f.st.Read(f.ctx, func(tx store.Tx) error {
		for _, sc := range qidxScopes {
			scope := core.Scope(sc[0], sc[1])
			recs, err := tx.ListPrefix(recording.KindQueryIndex, scope, "resourceId\x00", "", 0)
			if err != nil {
				return err
			}
			for _, r := range recs {
				_, iid, _ := recording.CutValue(r.ID[len("resourceId\x00"):])
				typ, id, _ := recording.CutItemID(iid)
				ci, err := recording.GetItemTx(tx, sc[0], sc[1], typ, id)
				if err != nil {
					return err
				}
				got, want := keyItem(scope, iid), recording.QueryItem(ci)
				if got.AccountID != want.AccountID || got.AwsRegion != want.AwsRegion || got.ResourceType != want.ResourceType || got.ResourceID != want.ResourceID {
					t.Errorf("keyItem(%q, %q) = %+v, item has %s %s %s %s", scope, iid, got, want.AccountID, want.AwsRegion, want.ResourceType, want.ResourceID)
				}
				if typ == "AWS::IAM::Role" && got.AwsRegion != "global" {
					t.Errorf("global item %q: awsRegion %q", iid, got.AwsRegion)
				}
				n++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 3*8 {
		t.Fatalf("%d indexed items, want 24", n)
	}
}

// TestQueryIndexBackfill: items written before the index (and an old item changed since, which
// item writes leave partly indexed) get exactly the index item writes give, in resumable pages;
// running it again writes nothing; queries scan until it is done, and agree before and after.
func TestQueryIndexBackfill(t *testing.T) {
	f := newQueryIndexFixture(t)
	if st := f.state(t); !st.Done {
		t.Fatalf("a new store's backfill state = %+v, want done", st)
	}
	full := f.index(t)
	if want := f.wantIndex(t); !slices.Equal(full, want) {
		t.Fatalf("the index item writes keep differs from the items' entries:\n got  %q\n want %q", full, want)
	}
	queries := []string{
		"SELECT resourceId, accountId, awsRegion WHERE tags.tag = 'env=prod'",
		"SELECT resourceId WHERE configuration.instanceType = 't3.micro' AND tags.tag = 'team=t1'",
		"SELECT resourceType, COUNT(*) GROUP BY resourceType",
		"SELECT resourceId WHERE configuration.k5 = 'v5'",
	}
	answers := map[string][]string{}
	for _, q := range queries {
		answers[q] = f.query(t, q)
		if len(answers[q]) == 0 {
			t.Fatalf("%s: no answer", q)
		}
	}

	f.forget(t)
	// An old item changes: its write adds only the entries it gained.
	f.clk.Advance(time.Minute)
	f.record(t, recording.ItemInput{Account: "111111111111", Region: "us-east-1", ResourceType: "AWS::EC2::Instance", ResourceID: "i-01",
		Configuration: json.RawMessage(`{"instanceType":"t3.micro","n":1}`), Tags: map[string]string{"env": "dev", "team": "t1", "new": "x"}, Status: "OK"})
	if got := f.index(t); len(got) == 0 || len(got) > 15 {
		t.Fatalf("after the change of an unindexed item the index holds %q", got)
	}
	want := f.wantIndex(t)

	// Until the backfill is done, queries scan, and answer as before.
	for _, q := range queries {
		if got := f.query(t, q); !slices.Equal(got, answers[q]) {
			t.Errorf("before the backfill, %s:\n got  %q\n want %q", q, got, answers[q])
		}
	}

	// A store from before the unindexed-scopes record: a mark but no record. Queries list the
	// marks; start writes the record from them.
	bigScope := core.Scope(qidxScopes[1][0], qidxScopes[1][1])
	if err := f.st.Write(f.ctx, func(tx store.Tx) error {
		if b, err := recording.GetUnindexedSet(tx); err != nil || b != nil {
			return fmt.Errorf("the forgotten store has the record %q (%v)", b, err)
		}
		return tx.Put(recording.KindQueryUnindexed, "", bigScope, nil)
	}); err != nil {
		t.Fatal(err)
	}
	if err := f.st.Read(f.ctx, func(tx store.Tx) error {
		set, err := recording.UnindexedScopes(tx, nil)
		if err == nil && !set[bigScope] {
			err = fmt.Errorf("without the record the marks give %v", set)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}

	// Start enqueues the job (the store has items); a few pages, then a stop: the position is
	// kept, and the job finishes from there.
	if err := f.s.StartQueryIndexBackfill(f.ctx); err != nil {
		t.Fatal(err)
	}
	if err := f.st.Read(f.ctx, func(tx store.Tx) error {
		b, err := recording.GetUnindexedSet(tx)
		if err == nil && string(b) != `["`+bigScope+`"]` {
			err = fmt.Errorf("after start the unindexed-scopes record is %q", b)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	pages := 0
	for range 4 {
		if err := f.st.Write(f.ctx, func(tx store.Tx) error { _, err := recording.BackfillPageTx(tx, 3); return err }); err != nil {
			t.Fatal(err)
		}
		pages++
	}
	if st := f.state(t); st.Done || st.Scope == "" || st.Items != 11 { // the first scope (11 items) in pages of 3
		t.Fatalf("after 4 pages of 3: state %+v", st)
	}
	runner := jobs.New(f.st, jobs.Options{Clock: f.clk})
	f.s.Jobs = runner
	runner.Register(recording.JobQueryIndexBackfill, f.s.RunQueryIndexBackfill)
	if n, err := runner.RunDue(f.ctx); err != nil || n != 1 {
		t.Fatalf("RunDue = %d, %v; want the backfill job", n, err)
	}
	if n, err := f.st.CountJobs(f.ctx, store.JobFilter{}); err != nil || n != 0 {
		t.Fatalf("%d jobs left (%v)", n, err)
	}
	st := f.state(t)
	if !st.Done || st.Items != 3*10+1 {
		t.Fatalf("state after the job: %+v", st)
	}
	if got := f.index(t); !slices.Equal(got, want) {
		t.Fatalf("index after the backfill:\n got  %q\n want %q", got, want)
	}
	if !f.s.QidxReady.Load() {
		t.Fatal("the service does not know the index is ready")
	}
	if err := f.s.StartQueryIndexBackfill(f.ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.st.CountJobs(f.ctx, store.JobFilter{}); n != 0 {
		t.Fatalf("a start after the backfill enqueued %d jobs", n)
	}

	// Idempotent: from the start again, it finds nothing to write.
	f.s.QidxReady.Store(false)
	if err := f.st.Write(f.ctx, func(tx store.Tx) error { return recording.PutBackfillStateTx(tx, recording.BackfillState{}) }); err != nil {
		t.Fatal(err)
	}
	for done := false; !done; {
		if err := f.st.Write(f.ctx, func(tx store.Tx) error { var err error; done, err = recording.BackfillPageTx(tx, 5); return err }); err != nil {
			t.Fatal(err)
		}
	}
	if st := f.state(t); !st.Done || st.Written != 0 || st.Items != 31 {
		t.Fatalf("second backfill: %+v, want done with nothing written", st)
	}
	if got := f.index(t); !slices.Equal(got, want) {
		t.Fatalf("index after the second backfill differs")
	}

	// From the index, the answers are the scan's.
	for _, q := range queries {
		f.s.QidxReady.Store(false)
		got := f.query(t, q) // the state is done: the query notices and uses the index
		if !f.s.QidxReady.Load() {
			t.Fatal("the done state was not noticed")
		}
		if !slices.Equal(got, answers[q]) {
			t.Errorf("%s:\n got  %q\n want %q", q, got, answers[q])
		}
	}
}
