package recording

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/orgconfig/orgconfig/internal/configservice/core"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Records that let a batch of item writes read everything it needs in one statement.
const (
	// KindCustomerRecorder is a copy of the customer-managed recorder of a scope (id "", body
	// Recorder), kept with it by saveRecorderTx and deleteRecorderTx. When it is missing (a
	// scope without a recorder, or data written before the copy existed) the recorders are
	// listed instead.
	KindCustomerRecorder = "config-recorder-customer"
	// KindCustomCount is the number of live third-party resources of a scope, all types
	// together (id "", body {"count":n}): the quota of PutResourceConfig. It changes with the
	// KindCount records of third-party types; when it is missing it is computed from them.
	KindCustomCount = "config-count-custom"
)

// writeMode is what an item write checks before recording.
type writeMode uint8

const (
	// modeRecord records the state as given (RecordItemTx: self-recording, import).
	modeRecord writeMode = iota
	// modePut is PutResourceConfig: a started recorder is required, and a resource that is not
	// live counts against the quota of active custom resources.
	modePut
	// modeDelete is DeleteResourceConfig: a started recorder is required and the resource must
	// be live.
	modeDelete
)

// itemWrite is one resource state to record in a batch, and its outcome.
type ItemWrite struct {
	In   ItemInput
	mode writeMode
	// fresh, when set, is the item planned for a new resource covered by the recording group
	// (computed before the transaction, with in.CaptureTime set); the batch uses it as is when
	// the resource indeed has no current item.
	fresh *plannedItem
	// err is the write's own refusal (an AWS error, or an invalid input); the others of the
	// batch are unaffected.
	Err error
}

// scopeState is what a batch knows of one (account, region).
type scopeState struct {
	account, region string
	recBody         []byte // the KindCustomerRecorder copy, nil when missing
	rec             *Recorder
	recLoaded       bool
	custom          int64
	customLoaded    bool
	customDirty     bool
	rules           bool     // the scope has Config rules
	changed         []string // itemIDs of the resources whose item changed
}

// recordBatchTx records every write of ws, in order, in tx: one GetMany reads the scopes'
// recorders and quota counters, the resources' current items and the types' counts; one
// PutMany writes the new items, their history records and the counters. A write that is
// refused gets its own err and changes nothing; an error of the store is returned and fails
// the whole batch. ws's err fields are reset first (the store may run tx's function again).
func (s *Service) RecordBatchTx(tx store.Tx, ws []*ItemWrite) error {
	var (
		keys   []store.Key
		scopes = map[string]*scopeState{}
		items  = map[string]int{} // scope + "\x00" + ItemID -> index in keys
		counts = map[[2]string]int{}
	)
	key := func(kind, scope, id string) int {
		keys = append(keys, store.Key{Kind: kind, Scope: scope, ID: id})
		return len(keys) - 1
	}
	scopeIdx := map[string]int{}
	for _, w := range ws {
		w.Err = nil
		scope := core.Scope(w.In.Account, w.In.Region)
		if _, ok := scopes[scope]; !ok {
			scopes[scope] = &scopeState{account: w.In.Account, region: w.In.Region}
			scopeIdx[scope] = key(KindCustomerRecorder, scope, "")
			key(KindCustomCount, scope, "")
			key(core.KindRulesActive, scope, "")
		}
		ik := scope + "\x00" + ItemID(w.In.ResourceType, w.In.ResourceID)
		if _, ok := items[ik]; !ok {
			items[ik] = key(KindItem, scope, ItemID(w.In.ResourceType, w.In.ResourceID))
		}
		ck := [2]string{scope, w.In.ResourceType}
		if _, ok := counts[ck]; !ok {
			counts[ck] = key(KindCount, scope, w.In.ResourceType)
		}
	}
	vals, err := tx.GetMany(keys)
	if err != nil {
		return err
	}

	// The state the batch evolves: current item bodies and counters.
	cur := make(map[string][]byte, len(items))
	for ik, i := range items {
		cur[ik] = vals[i]
	}
	countVal := make(map[[2]string]int64, len(counts))
	countDirty := map[[2]string]bool{}
	for ck, i := range counts {
		if vals[i] != nil {
			var c CountBody
			if err := json.Unmarshal(vals[i], &c); err != nil {
				return fmt.Errorf("configservice: decode count %s %s: %w", ck[0], ck[1], err)
			}
			countVal[ck] = c.Count
		}
	}
	for scope, sc := range scopes {
		i := scopeIdx[scope]
		sc.recBody = vals[i]
		if b := vals[i+1]; b != nil {
			var c CountBody
			if err := json.Unmarshal(b, &c); err != nil {
				return fmt.Errorf("configservice: decode custom count %s: %w", scope, err)
			}
			sc.custom, sc.customLoaded = c.Count, true
		}
		sc.rules = vals[i+2] != nil
	}
	recorder := func(sc *scopeState) (*Recorder, error) {
		if !sc.recLoaded {
			var err error
			if sc.recBody != nil {
				sc.rec, err = s.decodeRecorderCached(sc.recBody)
			} else {
				sc.rec, err = s.RecorderTx(tx, sc.account, sc.region)
			}
			if err != nil {
				return nil, err
			}
			sc.recLoaded = true
		}
		return sc.rec, nil
	}
	customCount := func(sc *scopeState) (int64, error) {
		if !sc.customLoaded {
			n, err := customCountFromTypesTx(tx, sc.account, sc.region)
			if err != nil {
				return 0, err
			}
			sc.custom, sc.customLoaded = n, true
		}
		return sc.custom, nil
	}

	now := s.Clock.Now()
	var out []store.Record
	for _, w := range ws {
		in := w.In
		scope := core.Scope(in.Account, in.Region)
		sc := scopes[scope]
		ik := scope + "\x00" + ItemID(in.ResourceType, in.ResourceID)
		var prev *configapi.ConfigurationItem
		if b := cur[ik]; b != nil {
			if prev, err = DecodeItem(b); err != nil {
				return err
			}
		}
		prevLive := prev != nil && !DeletedStatus(prev.ConfigurationItemStatus)
		custom := isCustomType(in.ResourceType)

		var rec *Recorder
		if w.mode != modeRecord || in.Status == "" {
			if rec, err = recorder(sc); err != nil {
				return err
			}
		}
		switch w.mode {
		case modePut:
			if rec == nil || !rec.Recording {
				w.Err = noRunningRecorder()
				continue
			}
			if !prevLive && custom {
				n, err := customCount(sc)
				if err != nil {
					return err
				}
				if n >= maxActiveCustomResources {
					w.Err = configapi.ErrMaxActiveResourcesExceeded("You have reached the limit of %d active custom resources in your account.", maxActiveCustomResources)
					continue
				}
			}
		case modeDelete:
			if rec == nil || !rec.Recording {
				w.Err = noRunningRecorder()
				continue
			}
			if !prevLive {
				// DeleteResourceConfig's model lists only ValidationException and
				// NoRunningConfigurationRecorderException.
				w.Err = configapi.ErrValidation("Resource %s of resourceType:%s is unknown or has not been discovered", in.ResourceID, in.ResourceType)
				continue
			}
		}
		recorded := rec != nil && rec.Covers(in.Region, in.ResourceType)

		var (
			p       plannedItem
			changed bool
		)
		if w.fresh != nil && prev == nil && recorded {
			p, changed = *w.fresh, true
		} else {
			if w.fresh != nil {
				in.CaptureTime = time.Time{} // planned ahead for a new resource: plan again now
			}
			p, changed, err = planItem(in, prev, recorded, now)
			if err != nil {
				w.Err = err
				continue
			}
		}
		if !changed {
			continue
		}
		cur[ik] = p.body
		if err := reindexTx(tx, scope, prev, p.item, &out); err != nil {
			return err
		}
		if sc.rules {
			sc.changed = append(sc.changed, ItemID(in.ResourceType, in.ResourceID))
		}
		out = append(out,
			store.Record{Kind: KindItem, Scope: scope, ID: ItemID(in.ResourceType, in.ResourceID), Body: p.body},
			store.Record{Kind: KindHistory, Scope: scope, ID: p.histID, Body: p.body})
		var delta int64
		switch {
		case p.live && !prevLive:
			delta = 1
		case !p.live && prevLive:
			delta = -1
		default:
			continue
		}
		ck := [2]string{scope, in.ResourceType}
		countVal[ck] += delta
		countDirty[ck] = true
		if custom {
			if _, err := customCount(sc); err != nil {
				return err
			}
			sc.custom += delta
			sc.customDirty = true
		}
	}

	for ck := range countDirty {
		if n := countVal[ck]; n > 0 {
			b, _ := json.Marshal(CountBody{Count: n})
			out = append(out, store.Record{Kind: KindCount, Scope: ck[0], ID: ck[1], Body: b})
		} else if _, err := tx.Delete(KindCount, ck[0], ck[1]); err != nil {
			return err
		}
	}
	if s.ItemsChanged != nil {
		for _, sc := range scopes {
			if err := s.ItemsChanged(tx, sc.account, sc.region, sc.changed); err != nil {
				return err
			}
		}
	}
	for scope, sc := range scopes {
		if sc.customDirty {
			b, _ := json.Marshal(CountBody{Count: max(sc.custom, 0)})
			out = append(out, store.Record{Kind: KindCustomCount, Scope: scope, ID: "", Body: b})
		}
	}
	return tx.PutMany(out)
}

// customCountFromTypesTx sums the live third-party resources of (account, region) from the
// per-type counts.
func customCountFromTypesTx(tx store.Tx, account, region string) (int64, error) {
	counts, err := CountsTx(tx, account, region)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, c := range counts {
		if isCustomType(c.ResourceType) {
			n += c.Count
		}
	}
	return n, nil
}

// decodeRecorderCached decodes a stored recorder, from s.recorders when the same bytes were
// decoded before. The result is shared: callers must not modify it.
func (s *Service) decodeRecorderCached(b []byte) (*Recorder, error) {
	r, err := core.DecodeShared(&s.recorders, b)
	if err != nil {
		return nil, fmt.Errorf("configservice: decode recorder: %w", err)
	}
	return r, nil
}
