package recording

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/query"
	"github.com/orgconfig/orgconfig/internal/store"
)

// The advanced query index: for every current item a query can see (not deleted, not
// ResourceNotRecorded), one record per (property path, encoded value) the item holds — the
// entries of query.Entries — in the item's scope: id = path + "\x00" + value + "\x00" +
// ItemID(type, id), empty body. It is maintained in the transaction of every item write, so a
// query sees exactly the committed items. A query's WHERE clause is planned into ranges of this
// index (query.PlanWhere); the candidates it yields are then checked against the whole clause.
const KindQueryIndex = "config-qidx"

// MaxIndexEntries bounds the entries of one item; an item with more is listed under
// UnindexedPath instead, and every indexed query considers it.
const MaxIndexEntries = 1000

// UnindexedPath marks items whose entries were not written (too many).
const UnindexedPath = "\x01unindexed"

// KindQueryUnindexed marks the scopes that have (or had) unindexed items: scope "", id = the
// item scope. Queries look for unindexed items only there.
const KindQueryUnindexed = "config-qidx-unindexed"

// KindQueryUnindexedSet holds the same scopes in one record (scope "", id "scopes", a sorted
// JSON array), written with every new mark, so that a query reads them with its aggregator in
// one statement. Stores that predate it get it at start (ensureUnindexedSet); until then a
// query lists the marks.
const KindQueryUnindexedSet = "config-qidx-unindexed-set"

var UnindexedSetKey = store.Key{Kind: KindQueryUnindexedSet, Scope: "", ID: "scopes"}

// UnindexedScopes decodes the set record b, or lists the marks when b is nil (absent).
func UnindexedScopes(tx store.Tx, b []byte) (map[string]bool, error) {
	out := map[string]bool{}
	if b == nil {
		recs, err := tx.List(KindQueryUnindexed, "", "", 0)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			out[r.ID] = true
		}
		return out, nil
	}
	if string(b) == "[]" {
		return out, nil // the usual case: no item has ever been left unindexed
	}
	var scopes []string
	if err := json.Unmarshal(b, &scopes); err != nil {
		return nil, fmt.Errorf("configservice: decode %s: %w", KindQueryUnindexedSet, err)
	}
	for _, sc := range scopes {
		out[sc] = true
	}
	return out, nil
}

// GetUnindexedSet reads the set record (nil when absent).
func GetUnindexedSet(tx store.Tx) ([]byte, error) {
	return store.GetOptional(tx, UnindexedSetKey.Kind, UnindexedSetKey.Scope, UnindexedSetKey.ID)
}

// markUnindexedTx records that scope has an unindexed item: its mark and its place in the set.
func markUnindexedTx(tx store.Tx, scope string) error {
	b, err := GetUnindexedSet(tx)
	if err != nil {
		return err
	}
	set, err := UnindexedScopes(tx, b)
	if err != nil {
		return err
	}
	if set[scope] && b != nil {
		return nil
	}
	set[scope] = true
	if err := tx.Put(KindQueryUnindexed, "", scope, nil); err != nil {
		return err
	}
	return putUnindexedSet(tx, set)
}

func putUnindexedSet(tx store.Tx, set map[string]bool) error {
	scopes := make([]string, 0, len(set))
	for sc := range set {
		scopes = append(scopes, sc)
	}
	slices.Sort(scopes)
	b, err := json.Marshal(scopes)
	if err != nil {
		return err
	}
	return tx.Put(UnindexedSetKey.Kind, UnindexedSetKey.Scope, UnindexedSetKey.ID, b)
}

// ensureUnindexedSet writes the set record from the marks if the store has none (a store
// written before the record existed, or a new one); it reads first, so a start with the record
// in place writes nothing.
func (s *Service) ensureUnindexedSet(ctx context.Context) error {
	var have bool
	if err := s.Store.Read(ctx, func(tx store.Tx) error {
		b, err := GetUnindexedSet(tx)
		have = b != nil
		return err
	}); err != nil || have {
		return err
	}
	return s.Store.Write(ctx, func(tx store.Tx) error {
		b, err := GetUnindexedSet(tx)
		if err != nil || b != nil {
			return err
		}
		set, err := UnindexedScopes(tx, nil)
		if err != nil {
			return err
		}
		return putUnindexedSet(tx, set)
	})
}

// QueryItem is the query language's view of a configuration item.
func QueryItem(ci *configapi.ConfigurationItem) *query.Item {
	it := &query.Item{
		AccountID: ci.AccountId, AwsRegion: ci.AwsRegion, Arn: ci.Arn, AvailabilityZone: ci.AvailabilityZone,
		ConfigurationItemStatus: string(ci.ConfigurationItemStatus), ConfigurationStateID: ci.ConfigurationStateId,
		ResourceID: ci.ResourceId, ResourceName: ci.ResourceName, ResourceType: string(ci.ResourceType), Version: ci.Version,
		RecordingFrequency: string(ci.RecordingFrequency), Tags: ci.Tags,
	}
	if t := isoTime(ci.ConfigurationItemCaptureTime.Time); t != nil {
		it.ConfigurationItemCaptureTime = *t
	}
	if t := isoTime(ci.ResourceCreationTime.Time); t != nil {
		it.ResourceCreationTime = *t
	}
	// Third-party resources can be selected, but their configuration is not queryable.
	if ci.Configuration != "" && !isCustomType(string(ci.ResourceType)) {
		it.Configuration = json.RawMessage(ci.Configuration)
	}
	if len(ci.SupplementaryConfiguration) > 0 {
		it.Supplementary = make(map[string]json.RawMessage, len(ci.SupplementaryConfiguration))
		for k, v := range ci.SupplementaryConfiguration {
			it.Supplementary[k] = json.RawMessage(v)
		}
	}
	for _, r := range ci.Relationships {
		it.Relationships = append(it.Relationships, query.Relationship{ResourceID: r.ResourceId, ResourceName: r.ResourceName,
			ResourceType: string(r.ResourceType), Name: r.RelationshipName})
	}
	return it
}

// queryable reports whether queries see an item: current, not deleted, recorded.
func Queryable(ci *configapi.ConfigurationItem) bool {
	return ci != nil && !DeletedStatus(ci.ConfigurationItemStatus) && ci.ConfigurationItemStatus != configapi.ConfigurationItemStatusResourceNotRecorded
}

// IndexIDs returns the index record ids of an item (none when queries do not see it).
func IndexIDs(ci *configapi.ConfigurationItem) []string {
	if !Queryable(ci) {
		return nil
	}
	iid := ItemID(string(ci.ResourceType), ci.ResourceId)
	entries := query.Entries(query.NewDoc(QueryItem(ci)))
	if len(entries) >= MaxIndexEntries {
		return []string{UnindexedPath + "\x00\x00" + iid}
	}
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		if strings.IndexByte(e.Path, 0) >= 0 || strings.IndexByte(e.Value, 0) >= 0 {
			// A NUL would break the key's layout: the item is left to every query instead.
			return []string{UnindexedPath + "\x00\x00" + iid}
		}
		out = append(out, e.Path+"\x00"+e.Value+"\x00"+iid)
	}
	return out
}

// reindexTx updates the index of one item from its previous to its new state (either may be
// nil): deletes the entries it lost, writes the ones it gained.
func reindexTx(tx store.Tx, scope string, prev, next *configapi.ConfigurationItem, out *[]store.Record) error {
	old := IndexIDs(prev)
	cur := IndexIDs(next)
	slices.Sort(old)
	slices.Sort(cur)
	for _, id := range old {
		if _, found := slices.BinarySearch(cur, id); !found {
			if _, err := tx.Delete(KindQueryIndex, scope, id); err != nil {
				return err
			}
		}
	}
	for _, id := range cur {
		if _, found := slices.BinarySearch(old, id); !found {
			*out = append(*out, store.Record{Kind: KindQueryIndex, Scope: scope, ID: id})
			if strings.HasPrefix(id, UnindexedPath) {
				if err := markUnindexedTx(tx, scope); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// IndexRange lists the item ids of one plan range in a scope, calling fn for each until it
// returns false. An exact value or a prefix is listed by key prefix, so no other row is read;
// a range starts at its lower bound and reads pages that grow from 64 rows.
func IndexRange(tx store.Tx, scope string, r query.Range, fn func(itemID string) bool) error {
	pathPrefix := r.Path + "\x00"
	listPrefix, after := pathPrefix, ""
	switch {
	case r.Lo != "" && r.Lo == r.Hi && r.LoInclusive && r.HiInclusive:
		listPrefix = pathPrefix + r.Lo + "\x00"
	case r.Prefix != "":
		listPrefix = pathPrefix + r.Prefix
	case r.Lo != "":
		after = beforeKey(pathPrefix + r.Lo)
	}
	for page := 64; ; page = min(page*2, 1000) {
		recs, err := tx.ListPrefix(KindQueryIndex, scope, listPrefix, after, page)
		if err != nil {
			return err
		}
		for _, rec := range recs {
			after = rec.ID
			value, iid, ok := CutValue(rec.ID[len(pathPrefix):])
			if !ok {
				continue
			}
			if r.Prefix == "" {
				if r.Lo != "" && (value < r.Lo || (value == r.Lo && !r.LoInclusive)) {
					continue
				}
				if r.Hi != "" && (value > r.Hi || (value == r.Hi && !r.HiInclusive)) {
					return nil
				}
			}
			if !fn(iid) {
				return nil
			}
		}
		if len(recs) < page {
			return nil
		}
	}
}

// beforeKey returns a key just before k in byte order, for listings that start at k itself.
func beforeKey(k string) string {
	if k == "" {
		return ""
	}
	b := []byte(k)
	last := len(b) - 1
	if b[last] == 0 {
		return string(b[:last])
	}
	b[last]--
	return string(b) + "\xff\xff\xff\xff"
}

// CutValue splits "value\x00itemID" where ItemID is "type\x00id": the value is everything
// before the first NUL (encoded values hold no NUL).
func CutValue(s string) (value, itemID string, ok bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return s[:i], s[i+1:], true
		}
	}
	return "", "", false
}
