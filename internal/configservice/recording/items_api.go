package recording

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/orgconfig/orgconfig/internal/configservice/core"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/store"
)

// maxActiveCustomResources is AWS's quota of active custom (third-party) resources per account
// and region.
const maxActiveCustomResources = 100000

// maxConfigurationBytes bounds PutResourceConfig's Configuration (64 KB).
const maxConfigurationBytes = 64 * 1024

// reservedOrgs are the organization names third-party resource types may not use.
var reservedOrgs = []string{"amzn", "amazon", "alexa", "custom", "aws"}

// checkCustomType validates a third-party resource type Org::Service::Resource.
func checkCustomType(t string) error {
	// The form read operations accept too, so that whatever is written can be read back.
	if !awsproto.ThirdPartyType.MatchString(t) {
		return configapi.ErrValidation("The resource type %s is not a valid third-party resource type: it must have the form Organization::Service::Resource, each part 2 to 64 letters and digits.", t)
	}
	parts := strings.Split(t, "::")
	if slices.Contains(reservedOrgs, strings.ToLower(parts[0])) {
		return configapi.ErrValidation("You cannot use the organization name '%s' with custom resource types.", parts[0])
	}
	return nil
}

func isCustomType(t string) bool {
	parts := strings.Split(t, "::")
	return len(parts) == 3 && !slices.Contains(reservedOrgs, strings.ToLower(parts[0]))
}

func ResourceNotDiscovered(resourceType, resourceID string) error {
	return configapi.ErrResourceNotDiscovered("Resource %s of resourceType:%s is unknown or has not been discovered", resourceID, resourceType)
}

func noRunningRecorder() error {
	return configapi.ErrNoRunningConfigurationRecorder("There is no configuration recorder running in your account and region.")
}

// PutResourceConfig records the configuration of a third-party resource.
func (s *Service) PutResourceConfig(ctx context.Context, in *configapi.PutResourceConfigRequest) error {
	account, region, err := core.Where(ctx)
	if err != nil {
		return err
	}
	if err := checkCustomType(in.ResourceType); err != nil {
		return err
	}
	if len(in.Configuration) > maxConfigurationBytes {
		return configapi.ErrValidation("1 validation error detected: Value at 'configuration' failed to satisfy constraint: Member must have length less than or equal to %d", maxConfigurationBytes)
	}
	if !isJSONObject(in.Configuration) {
		return configapi.ErrValidation("The configuration of resource %s is not a valid JSON object.", in.ResourceId)
	}
	item := ItemInput{
		Account: account, Region: region, ResourceType: in.ResourceType, ResourceID: in.ResourceId,
		ResourceName: in.ResourceName, Configuration: json.RawMessage(in.Configuration), Tags: in.Tags,
		CaptureTime: s.Clock.Now(),
	}
	// Plan the item of a new resource here, in the caller's goroutine: the shared write then
	// only has to check that the resource is indeed new.
	fresh, _, err := planItem(item, nil, true, item.CaptureTime)
	if err != nil {
		return err
	}
	return s.record(ctx, &ItemWrite{In: item, mode: modePut, fresh: &fresh})
}

// isJSONObject reports whether s is valid JSON whose value is an object.
func isJSONObject(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			continue
		case '{':
			return json.Valid([]byte(s))
		}
		return false
	}
	return false
}

// DeleteResourceConfig records the deletion of a third-party resource.
func (s *Service) DeleteResourceConfig(ctx context.Context, in *configapi.DeleteResourceConfigRequest) error {
	account, region, err := core.Where(ctx)
	if err != nil {
		return err
	}
	if err := checkCustomType(in.ResourceType); err != nil {
		return err
	}
	return s.record(ctx, &ItemWrite{
		In:   ItemInput{Account: account, Region: region, ResourceType: in.ResourceType, ResourceID: in.ResourceId, Deleted: true},
		mode: modeDelete,
	})
}

// GetResourceConfigHistory returns a resource's configuration items, deleted states included.
// The whole history of the resource in the time range is read and paged in memory: histories
// are short (one item per change).
func (s *Service) GetResourceConfigHistory(ctx context.Context, in *configapi.GetResourceConfigHistoryRequest) (*configapi.GetResourceConfigHistoryResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	earlier, later := in.EarlierTime.Time, in.LaterTime.Time
	if !earlier.IsZero() && !later.IsZero() && earlier.After(later) {
		return nil, configapi.ErrInvalidTimeRange("The earlier time can not be greater than the later time.")
	}
	cursor, err := core.DecodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := core.LimitOr(in.Limit, 10)
	forward := in.ChronologicalOrder == configapi.ChronologicalOrderForward
	resourceType := string(in.ResourceType)
	var items []configapi.ConfigurationItem
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		if _, err := GetItemTx(tx, account, region, resourceType, in.ResourceId); errors.Is(err, store.ErrNotFound) {
			rec, err := s.RecorderTx(tx, account, region)
			if err != nil {
				return err
			}
			if rec == nil {
				return configapi.ErrNoAvailableConfigurationRecorder("Configuration recorder is not available.")
			}
			return ResourceNotDiscovered(resourceType, in.ResourceId)
		} else if err != nil {
			return err
		}
		items, err = HistoryTx(tx, account, region, resourceType, in.ResourceId, earlier, later)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !forward {
		slices.Reverse(items)
	}
	key := func(ci *configapi.ConfigurationItem) string {
		return historyID(resourceType, in.ResourceId, ci.ConfigurationItemCaptureTime.Time, ci.ConfigurationStateId)
	}
	start := 0
	if cursor != "" {
		start = len(items)
		for i := range items {
			k := key(&items[i])
			if (forward && k > cursor) || (!forward && k < cursor) {
				start = i
				break
			}
		}
	}
	out := &configapi.GetResourceConfigHistoryResponse{ConfigurationItems: []configapi.ConfigurationItem{}}
	end := min(start+limit, len(items))
	out.ConfigurationItems = append(out.ConfigurationItems, items[start:end]...)
	if end < len(items) {
		out.NextToken = core.EncodeToken(key(&items[end-1]))
	}
	return out, nil
}

// identifier renders a current item as ListDiscoveredResources does.
func identifier(ci *configapi.ConfigurationItem) configapi.ResourceIdentifier {
	id := configapi.ResourceIdentifier{ResourceType: ci.ResourceType, ResourceId: ci.ResourceId, ResourceName: ci.ResourceName}
	if DeletedStatus(ci.ConfigurationItemStatus) {
		id.ResourceDeletionTime = ci.ConfigurationItemCaptureTime
	}
	return id
}

// ListDiscoveredResources lists the resources of one type, recorded or discovered-not-recorded.
func (s *Service) ListDiscoveredResources(ctx context.Context, in *configapi.ListDiscoveredResourcesRequest) (*configapi.ListDiscoveredResourcesResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	if len(in.ResourceIds) > 0 && in.ResourceName != "" {
		return nil, configapi.ErrValidation("Both Resource ID and Resource Name cannot be specified in the request")
	}
	if len(in.ResourceIds) > 20 {
		return nil, configapi.ErrValidation("The maximum number of resource IDs is 20.")
	}
	cursor, err := core.DecodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := core.LimitOr(in.Limit, 100)
	includeDeleted := in.IncludeDeletedResources != nil && *in.IncludeDeletedResources
	resourceType := string(in.ResourceType)
	out := &configapi.ListDiscoveredResourcesResponse{ResourceIdentifiers: []configapi.ResourceIdentifier{}}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		if len(in.ResourceIds) == 0 && in.ResourceName == "" {
			items, next, err := ListItemsTx(tx, account, region, resourceType, cursor, limit, includeDeleted)
			if err != nil {
				return err
			}
			for i := range items {
				out.ResourceIdentifiers = append(out.ResourceIdentifiers, identifier(&items[i]))
			}
			out.NextToken = core.EncodeToken(next)
			return nil
		}
		// Filtered: collect the (few) matches, then page them by resource ID.
		var matches []configapi.ConfigurationItem
		if len(in.ResourceIds) > 0 {
			ids := slices.Clone(in.ResourceIds)
			slices.Sort(ids)
			for _, id := range slices.Compact(ids) {
				ci, err := GetItemTx(tx, account, region, resourceType, id)
				if errors.Is(err, store.ErrNotFound) {
					continue
				}
				if err != nil {
					return err
				}
				if includeDeleted || !DeletedStatus(ci.ConfigurationItemStatus) {
					matches = append(matches, *ci)
				}
			}
		} else {
			all, _, err := ListItemsTx(tx, account, region, resourceType, "", 0, includeDeleted)
			if err != nil {
				return err
			}
			for _, ci := range all {
				if ci.ResourceName == in.ResourceName {
					matches = append(matches, ci)
				}
			}
		}
		for i := range matches {
			if cursor != "" && matches[i].ResourceId <= cursor {
				continue
			}
			if len(out.ResourceIdentifiers) == limit {
				out.NextToken = core.EncodeToken(out.ResourceIdentifiers[limit-1].ResourceId)
				break
			}
			out.ResourceIdentifiers = append(out.ResourceIdentifiers, identifier(&matches[i]))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetDiscoveredResourceCounts counts the live resources of the recorded types, largest count
// first. It reads the per-type count records, never the items.
func (s *Service) GetDiscoveredResourceCounts(ctx context.Context, in *configapi.GetDiscoveredResourceCountsRequest) (*configapi.GetDiscoveredResourceCountsResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	if len(in.ResourceTypes) > 20 {
		return nil, configapi.ErrValidation("The maximum number of resource types is 20.")
	}
	cursor, err := core.DecodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	offset := 0
	if cursor != "" {
		if offset, err = strconv.Atoi(cursor); err != nil || offset < 0 {
			return nil, configapi.ErrInvalidNextToken("The nextToken provided is invalid")
		}
	}
	limit := core.LimitOr(in.Limit, 100)
	var counts []TypeCount
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		running, err := s.RecordingTx(tx, account, region)
		if err != nil || !running {
			return err
		}
		all, err := CountsTx(tx, account, region)
		if err != nil {
			return err
		}
		for _, c := range all {
			if len(in.ResourceTypes) > 0 && !slices.Contains(in.ResourceTypes, c.ResourceType) {
				continue
			}
			recorded, err := s.RecordsTypeTx(tx, account, region, c.ResourceType)
			if err != nil {
				return err
			}
			if recorded {
				counts = append(counts, c)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(counts, func(a, b TypeCount) int { return cmp.Compare(b.Count, a.Count) })
	var total int64
	for _, c := range counts {
		total += c.Count
	}
	out := &configapi.GetDiscoveredResourceCountsResponse{TotalDiscoveredResources: &total, ResourceCounts: []configapi.ResourceCount{}}
	offset = min(offset, len(counts))
	end := min(offset+limit, len(counts))
	for _, c := range counts[offset:end] {
		out.ResourceCounts = append(out.ResourceCounts, configapi.ResourceCount{ResourceType: configapi.ResourceType(c.ResourceType), Count: &c.Count})
	}
	if end < len(counts) {
		out.NextToken = core.EncodeToken(strconv.Itoa(end))
	}
	return out, nil
}

// BaseItem drops the members BatchGetResourceConfig does not return.
func BaseItem(ci *configapi.ConfigurationItem) configapi.BaseConfigurationItem {
	return configapi.BaseConfigurationItem{
		Version: ci.Version, AccountId: ci.AccountId, ConfigurationItemCaptureTime: ci.ConfigurationItemCaptureTime,
		ConfigurationItemStatus: ci.ConfigurationItemStatus, ConfigurationStateId: ci.ConfigurationStateId,
		Arn: ci.Arn, ResourceType: ci.ResourceType, ResourceId: ci.ResourceId, ResourceName: ci.ResourceName,
		AwsRegion: ci.AwsRegion, AvailabilityZone: ci.AvailabilityZone, ResourceCreationTime: ci.ResourceCreationTime,
		Configuration: ci.Configuration, SupplementaryConfiguration: ci.SupplementaryConfiguration,
		RecordingFrequency: ci.RecordingFrequency, ConfigurationItemDeliveryTime: ci.ConfigurationItemDeliveryTime,
	}
}

// BatchGetResourceConfig returns the current items of up to 100 resources; unknown and
// deleted resources are omitted.
func (s *Service) BatchGetResourceConfig(ctx context.Context, in *configapi.BatchGetResourceConfigRequest) (*configapi.BatchGetResourceConfigResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	if len(in.ResourceKeys) == 0 || len(in.ResourceKeys) > 100 {
		return nil, configapi.ErrValidation("1 validation error detected: Value at 'resourceKeys' failed to satisfy constraint: Member must have length less than or equal to 100 and greater than or equal to 1")
	}
	out := &configapi.BatchGetResourceConfigResponse{BaseConfigurationItems: []configapi.BaseConfigurationItem{}, UnprocessedResourceKeys: []configapi.ResourceKey{}}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		seen := map[configapi.ResourceKey]bool{}
		for _, k := range in.ResourceKeys {
			if seen[k] {
				continue
			}
			seen[k] = true
			ci, err := GetItemTx(tx, account, region, string(k.ResourceType), k.ResourceId)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if !DeletedStatus(ci.ConfigurationItemStatus) {
				out.BaseConfigurationItems = append(out.BaseConfigurationItems, BaseItem(ci))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
