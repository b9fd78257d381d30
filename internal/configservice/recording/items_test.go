package recording

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/clock"
	"github.com/orgconfig/orgconfig/internal/configservice/core"
	"github.com/orgconfig/orgconfig/internal/store"
	"github.com/orgconfig/orgconfig/internal/store/sqlite"
)

// TestRecordItemTx checks statuses, state IDs, identical-content suppression, deletion, counts
// and history order of the item layer (with forced statuses: no recorder needed).
func TestRecordItemTx(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clk := clock.NewManual(time.UnixMilli(1_700_000_000_000))
	s := New(core.Deps{Store: st, Clock: clk})
	rec := func(in ItemInput) {
		t.Helper()
		in.Account, in.Region, in.ResourceType, in.ResourceID = "111111111111", "us-east-1", "AWS::IAM::Role", "AROA1"
		if err := st.Write(ctx, func(tx store.Tx) error { return s.RecordItemTx(tx, in) }); err != nil {
			t.Fatal(err)
		}
	}
	rec(ItemInput{Configuration: json.RawMessage(`{"a": 1}`), Status: "ResourceDiscovered"})
	rec(ItemInput{Configuration: json.RawMessage(`{"a":1}`), Status: "OK"}) // same content, same ms
	rec(ItemInput{Configuration: json.RawMessage(`{"a":2}`), Status: "OK"})
	clk.Advance(time.Second)
	rec(ItemInput{Deleted: true, Status: "ResourceDeleted"})
	err = st.Read(ctx, func(tx store.Tx) error {
		h, err := HistoryTx(tx, "111111111111", "us-east-1", "AWS::IAM::Role", "AROA1", time.Time{}, time.Time{})
		if err != nil {
			return err
		}
		// The identical second put records nothing.
		if len(h) != 3 {
			t.Fatalf("history %d items", len(h))
		}
		last := h[len(h)-1]
		if last.ConfigurationItemStatus != configapi.ConfigurationItemStatusResourceDeleted || last.AwsRegion != "global" || last.Configuration != "" {
			t.Errorf("last = %+v", last)
		}
		for i := 1; i < len(h); i++ {
			if h[i].ConfigurationStateId <= h[i-1].ConfigurationStateId {
				t.Errorf("state IDs %s then %s", h[i-1].ConfigurationStateId, h[i].ConfigurationStateId)
			}
		}
		counts, err := CountsTx(tx, "111111111111", "us-east-1")
		if err != nil {
			return err
		}
		if len(counts) != 0 {
			t.Errorf("counts after delete = %+v", counts)
		}
		items, next, err := ListItemsTx(tx, "111111111111", "us-east-1", "", "", 10, true)
		if err != nil || len(items) != 1 || next != "" {
			t.Errorf("ListItemsTx = %d %q %v", len(items), next, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
