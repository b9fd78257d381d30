package recording

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/orgconfig/orgconfig/internal/configservice/core"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Record kinds of the item layer. All are scoped to Scope(account, region).
const (
	// KindItem is the current configuration item of a resource: id = ItemID(type, id), body the
	// configapi.ConfigurationItem JSON exactly as GetResourceConfigHistory renders it. A deleted
	// resource keeps its record, with status ResourceDeleted or ResourceDeletedNotRecorded.
	KindItem = "config-item"
	// KindHistory holds every configuration item ever recorded: id = historyID(type, id,
	// capture, stateId), so a prefix scan of ItemID(type, id)+"\x00" lists a resource's history in
	// chronological order. Same body as KindItem.
	KindHistory = "config-history"
	// KindCount counts the live (not deleted) items of one resource type: id = resource type,
	// body {"count":n}. The record is removed when the count drops to zero, so listing the kind
	// gives the discovered types of a scope without scanning items.
	KindCount = "config-count"
)

// ciVersion is the configuration item version of everything orgconfig produces.
const ciVersion = "1.3"

// GlobalRegion is the awsRegion of global IAM resource types.
const GlobalRegion = "global"

// ItemInput describes the observed state of one resource, given to RecordItemTx.
type ItemInput struct {
	Account, Region                                               string
	ResourceType, ResourceID, ResourceName, ARN, AvailabilityZone string
	ResourceCreationTime                                          time.Time
	// Configuration is the resource's description as a JSON value (object); it is stored as a
	// JSON-encoded string, as the API renders it.
	Configuration json.RawMessage
	// SupplementaryConfiguration maps names to JSON values, each stored JSON-encoded.
	SupplementaryConfiguration map[string]json.RawMessage
	Tags                       map[string]string
	Relationships              []configapi.Relationship
	// Deleted records the resource's deletion.
	Deleted bool
	// CaptureTime is when the change was observed; zero means now by the service's clock.
	CaptureTime time.Time
	// Status, when not empty, forces the configurationItemStatus (import of recorded history);
	// the recording group is then not consulted.
	Status string
	// StateID, when not empty, forces the configurationStateId (import). It must be a decimal
	// number greater than the resource's previous state ID.
	StateID string
}

// IsGlobalType reports whether resourceType is one of the global IAM types, recorded with
// awsRegion "global".
func IsGlobalType(resourceType string) bool {
	switch configapi.ResourceType(resourceType) {
	case configapi.ResourceTypeAwsIamUser, configapi.ResourceTypeAwsIamGroup,
		configapi.ResourceTypeAwsIamRole, configapi.ResourceTypeAwsIamPolicy:
		return true
	}
	return false
}

func ItemID(resourceType, resourceID string) string { return resourceType + "\x00" + resourceID }

func historyID(resourceType, resourceID string, capture time.Time, stateID string) string {
	return fmt.Sprintf("%s\x00%020d\x00%s", ItemID(resourceType, resourceID), capture.UnixMilli(), stateID)
}

func DeletedStatus(st configapi.ConfigurationItemStatus) bool {
	return st == configapi.ConfigurationItemStatusResourceDeleted || st == configapi.ConfigurationItemStatusResourceDeletedNotRecorded
}

// RecordItemTx records the observed state of a resource in tx: when it differs from the
// current item (or the resource is new, deleted or re-created) it writes a new current item,
// appends it to the history and maintains the per-type counts. Recording identical content
// again, or the deletion of an unknown or already deleted resource, changes nothing: it is
// idempotent. The status follows AWS: ResourceDiscovered for the first recorded state, OK
// later, ResourceNotRecorded (without configuration) when the recording group does not cover the
// type, ResourceDeleted / ResourceDeletedNotRecorded for deletions. Configuration state IDs are
// epoch milliseconds, bumped when needed so they strictly increase per resource. It does not
// check that a recorder is running: that is the writer's decision. Several items are best
// recorded together with recordBatchTx.
func (s *Service) RecordItemTx(tx store.Tx, in ItemInput) error {
	w := &ItemWrite{In: in}
	if err := s.RecordBatchTx(tx, []*ItemWrite{w}); err != nil {
		return err
	}
	return w.Err
}

// plannedItem is what recording one state of a resource writes.
type plannedItem struct {
	body   []byte                       // the new current item, as stored
	item   *configapi.ConfigurationItem // the same, decoded (shared: not to be modified)
	histID string                       // its history record's id
	live   bool                         // its status is not a deletion
}

// planItem computes the item that recording in over prev (nil: the resource has no current
// item) produces, and whether anything is to be written at all. recorded tells whether the
// recording group covers the type; it is consulted only when in.Status is empty. now is the
// capture time when in.CaptureTime is zero.
func planItem(in ItemInput, prev *configapi.ConfigurationItem, recorded bool, now time.Time) (plannedItem, bool, error) {
	if in.Account == "" || in.Region == "" || in.ResourceType == "" || in.ResourceID == "" {
		return plannedItem{}, false, fmt.Errorf("configservice: recording an item: account, region, resource type and id are required")
	}
	prevLive := prev != nil && !DeletedStatus(prev.ConfigurationItemStatus)
	if in.Deleted && !prevLive && in.Status == "" {
		return plannedItem{}, false, nil // nothing to delete
	}

	status := configapi.ConfigurationItemStatus(in.Status)
	if status == "" {
		switch {
		case in.Deleted && recorded:
			status = configapi.ConfigurationItemStatusResourceDeleted
		case in.Deleted:
			status = configapi.ConfigurationItemStatusResourceDeletedNotRecorded
		case !recorded:
			status = configapi.ConfigurationItemStatusResourceNotRecorded
		case prevLive && prev.ConfigurationItemStatus != configapi.ConfigurationItemStatusResourceNotRecorded:
			status = configapi.ConfigurationItemStatusOk
		default:
			status = configapi.ConfigurationItemStatusResourceDiscovered
		}
	}

	ci, err := buildItem(in, status, prev)
	if err != nil {
		return plannedItem{}, false, err
	}
	if prevLive && !DeletedStatus(status) && sameContent(prev, ci) &&
		(status == configapi.ConfigurationItemStatusOk || status == prev.ConfigurationItemStatus) {
		return plannedItem{}, false, nil
	}

	capture := in.CaptureTime
	if capture.IsZero() {
		capture = now
	}
	capture = capture.UTC().Truncate(time.Millisecond)
	var prevState int64
	if prev != nil {
		prevState, _ = strconv.ParseInt(prev.ConfigurationStateId, 10, 64)
		// Keep the history in order even if the clock steps back.
		if in.CaptureTime.IsZero() && capture.Before(prev.ConfigurationItemCaptureTime.Time) {
			capture = prev.ConfigurationItemCaptureTime.Time
		}
	}
	state := capture.UnixMilli()
	if in.StateID != "" {
		n, err := strconv.ParseInt(in.StateID, 10, 64)
		if err != nil {
			return plannedItem{}, false, fmt.Errorf("configservice: recording an item: state ID %q is not a number", in.StateID)
		}
		state = n
	}
	if state <= prevState {
		state = prevState + 1
	}
	ci.ConfigurationItemCaptureTime = awsproto.NewTime(capture)
	ci.ConfigurationStateId = strconv.FormatInt(state, 10)

	body, err := json.Marshal(ci)
	if err != nil {
		return plannedItem{}, false, err
	}
	return plannedItem{
		body:   body,
		item:   ci,
		histID: historyID(in.ResourceType, in.ResourceID, capture, ci.ConfigurationStateId),
		live:   !DeletedStatus(status),
	}, true, nil
}

// buildItem renders in as the API's configuration item, without capture time and state ID.
// Deletion items carry the identity of the previous item but no configuration, tags or
// relationships, as AWS's do.
func buildItem(in ItemInput, status configapi.ConfigurationItemStatus, prev *configapi.ConfigurationItem) (*configapi.ConfigurationItem, error) {
	region := in.Region
	if IsGlobalType(in.ResourceType) {
		region = GlobalRegion
	}
	ci := &configapi.ConfigurationItem{
		Version: ciVersion, AccountId: in.Account, ConfigurationItemStatus: status,
		Arn: in.ARN, ResourceType: configapi.ResourceType(in.ResourceType), ResourceId: in.ResourceID,
		ResourceName: in.ResourceName, AwsRegion: region, AvailabilityZone: in.AvailabilityZone,
		Tags: map[string]string{}, RelatedEvents: []string{}, Relationships: []configapi.Relationship{},
		SupplementaryConfiguration: map[string]string{},
	}
	if !in.ResourceCreationTime.IsZero() {
		ci.ResourceCreationTime = awsproto.NewTime(in.ResourceCreationTime)
	}
	if DeletedStatus(status) {
		if prev != nil {
			ci.Arn = cmp.Or(ci.Arn, prev.Arn)
			ci.ResourceName = cmp.Or(ci.ResourceName, prev.ResourceName)
			ci.AvailabilityZone = cmp.Or(ci.AvailabilityZone, prev.AvailabilityZone)
			if ci.ResourceCreationTime.IsZero() {
				ci.ResourceCreationTime = prev.ResourceCreationTime
			}
		}
		return ci, nil
	}
	maps.Copy(ci.Tags, in.Tags)
	ci.Relationships = append(ci.Relationships, in.Relationships...)
	if status == configapi.ConfigurationItemStatusResourceNotRecorded {
		return ci, nil
	}
	if len(in.Configuration) > 0 {
		c, err := compactJSON(in.Configuration)
		if err != nil {
			return nil, fmt.Errorf("configservice: configuration of %s %s: %w", in.ResourceType, in.ResourceID, err)
		}
		ci.Configuration = c
	}
	for k, v := range in.SupplementaryConfiguration {
		c, err := compactJSON(v)
		if err != nil {
			return nil, fmt.Errorf("configservice: supplementary configuration %s of %s %s: %w", k, in.ResourceType, in.ResourceID, err)
		}
		ci.SupplementaryConfiguration[k] = c
	}
	return ci, nil
}

func compactJSON(raw json.RawMessage) (string, error) {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return "", err
	}
	return b.String(), nil
}

// sameContent reports whether two items describe the same resource state (ignoring capture
// time, state ID and status).
func sameContent(a, b *configapi.ConfigurationItem) bool {
	x, y := *a, *b
	x.ConfigurationItemCaptureTime, y.ConfigurationItemCaptureTime = awsproto.Time{}, awsproto.Time{}
	x.ConfigurationStateId, y.ConfigurationStateId = "", ""
	x.ConfigurationItemStatus, y.ConfigurationItemStatus = "", ""
	xb, err1 := json.Marshal(x)
	yb, err2 := json.Marshal(y)
	return err1 == nil && err2 == nil && bytes.Equal(xb, yb)
}

type CountBody struct {
	Count int64 `json:"count"`
}

// TypeCount is the number of live resources of one type in an (account, region).
type TypeCount struct {
	ResourceType string
	Count        int64
}

// CountsTx returns the number of live (not deleted) resources of every type of (account,
// region) that has any, in resource type order. It reads one small record per type.
func CountsTx(tx store.Tx, account, region string) ([]TypeCount, error) {
	recs, err := tx.List(KindCount, core.Scope(account, region), "", 0)
	if err != nil {
		return nil, err
	}
	out := make([]TypeCount, 0, len(recs))
	for _, r := range recs {
		var c CountBody
		if err := json.Unmarshal(r.Body, &c); err != nil {
			return nil, fmt.Errorf("configservice: decode count %s: %w", r.ID, err)
		}
		if c.Count > 0 {
			out = append(out, TypeCount{ResourceType: r.ID, Count: c.Count})
		}
	}
	return out, nil
}

func DecodeItem(b []byte) (*configapi.ConfigurationItem, error) {
	ci := new(configapi.ConfigurationItem)
	if err := json.Unmarshal(b, ci); err != nil {
		return nil, fmt.Errorf("configservice: decode configuration item: %w", err)
	}
	return ci, nil
}

// GetItemTx returns the current configuration item of a resource, deleted or not, or
// store.ErrNotFound when the resource was never recorded in (account, region).
func GetItemTx(tx store.Tx, account, region, resourceType, resourceID string) (*configapi.ConfigurationItem, error) {
	b, err := tx.Get(KindItem, core.Scope(account, region), ItemID(resourceType, resourceID))
	if err != nil {
		return nil, err
	}
	return DecodeItem(b)
}

// ListItemsTx returns up to limit current items of (account, region) in resource ID order,
// starting after the cursor after ("" for the first page), and the cursor of the next page ("" when
// there is none). With resourceType "" it lists every type, ordered by type then ID. Deleted
// resources are skipped unless includeDeleted. A limit <= 0 means no limit. Cursors are plain
// record positions: callers that hand them to clients must encode them.
func ListItemsTx(tx store.Tx, account, region, resourceType string, after string, limit int, includeDeleted bool) ([]configapi.ConfigurationItem, string, error) {
	scope := core.Scope(account, region)
	prefix := ""
	if resourceType != "" {
		prefix = resourceType + "\x00"
	}
	cursor := ""
	if after != "" {
		cursor = prefix + after
	}
	const batch = 500
	var out []configapi.ConfigurationItem
	for {
		var recs []store.Record
		var err error
		if prefix == "" {
			recs, err = tx.List(KindItem, scope, cursor, batch)
		} else {
			recs, err = tx.ListPrefix(KindItem, scope, prefix, cursor, batch)
		}
		if err != nil {
			return nil, "", err
		}
		for _, r := range recs {
			cursor = r.ID
			ci, err := DecodeItem(r.Body)
			if err != nil {
				return nil, "", err
			}
			if !includeDeleted && DeletedStatus(ci.ConfigurationItemStatus) {
				continue
			}
			if limit > 0 && len(out) == limit {
				// One more item exists: the page ends at the previous one.
				return out, lastID(out, resourceType), nil
			}
			out = append(out, *ci)
		}
		if len(recs) < batch {
			return out, "", nil
		}
	}
}

// lastID is the cursor after the last item of a page.
func lastID(items []configapi.ConfigurationItem, resourceType string) string {
	last := items[len(items)-1]
	if resourceType != "" {
		return last.ResourceId
	}
	return ItemID(string(last.ResourceType), last.ResourceId)
}

// ForEachItemTx calls fn for every current item of (account, region), all types, in (type, ID)
// order, reading in batches. Deleted resources are skipped unless includeDeleted. fn's error
// stops the iteration and is returned.
func ForEachItemTx(tx store.Tx, account, region string, includeDeleted bool, fn func(ci *configapi.ConfigurationItem) error) error {
	scope := core.Scope(account, region)
	after := ""
	const batch = 500
	for {
		recs, err := tx.List(KindItem, scope, after, batch)
		if err != nil {
			return err
		}
		for _, r := range recs {
			after = r.ID
			ci, err := DecodeItem(r.Body)
			if err != nil {
				return err
			}
			if !includeDeleted && DeletedStatus(ci.ConfigurationItemStatus) {
				continue
			}
			if err := fn(ci); err != nil {
				return err
			}
		}
		if len(recs) < batch {
			return nil
		}
	}
}

// HistoryTx returns a resource's recorded items with capture time in [earlier, later]
// (zero bounds are open), oldest first. It returns an empty list for unknown resources.
func HistoryTx(tx store.Tx, account, region, resourceType, resourceID string, earlier, later time.Time) ([]configapi.ConfigurationItem, error) {
	prefix := ItemID(resourceType, resourceID) + "\x00"
	after := ""
	if !earlier.IsZero() {
		// Every history id of a capture at or after earlier sorts after this one.
		after = fmt.Sprintf("%s%020d", prefix, earlier.UnixMilli()-1) + "\x00\xff"
	}
	recs, err := tx.ListPrefix(KindHistory, core.Scope(account, region), prefix, after, 0)
	if err != nil {
		return nil, err
	}
	out := make([]configapi.ConfigurationItem, 0, len(recs))
	for _, r := range recs {
		ci, err := DecodeItem(r.Body)
		if err != nil {
			return nil, err
		}
		t := ci.ConfigurationItemCaptureTime.Time
		if !earlier.IsZero() && t.Before(earlier.Truncate(time.Millisecond)) {
			continue
		}
		if !later.IsZero() && t.After(later) {
			break
		}
		out = append(out, *ci)
	}
	return out, nil
}

// pruneHistoryPageTx deletes, among up to limit history entries of scope after the cursor after
// (in id order: by resource, then chronologically), those captured before cutoff, keeping each
// resource's latest entry (it is the current item), as retention does. It returns the number
// of deleted entries and the cursor of the next page ("" after the last one).
func pruneHistoryPageTx(tx store.Tx, scope string, cutoff time.Time, after string, limit int) (int, string, error) {
	// One more than the page: the last entry of the page is kept if the next one belongs to
	// another resource.
	recs, err := tx.List(KindHistory, scope, after, limit+1)
	if err != nil {
		return 0, "", err
	}
	next := ""
	if len(recs) > limit {
		next = recs[limit-1].ID
	}
	n := 0
	for i, r := range recs[:min(len(recs), limit)] {
		parts := strings.Split(r.ID, "\x00")
		if len(parts) != 4 {
			continue
		}
		ms, err := strconv.ParseInt(parts[2], 10, 64)
		if err != nil || !time.UnixMilli(ms).Before(cutoff) {
			continue
		}
		if i+1 == len(recs) || !strings.HasPrefix(recs[i+1].ID, parts[0]+"\x00"+parts[1]+"\x00") {
			continue // the resource's latest entry
		}
		if _, err := tx.Delete(KindHistory, scope, r.ID); err != nil {
			return n, "", err
		}
		n++
	}
	return n, next, nil
}
