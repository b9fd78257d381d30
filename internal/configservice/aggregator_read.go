package configservice

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/memo"
	"github.com/orgconfig/orgconfig/internal/organizations"
	"github.com/orgconfig/orgconfig/internal/store"
)

// aggregateView is what one aggregate read may see: the aggregator and its sources now.
type aggregateView struct {
	a       *aggregatorRec
	sources []source
}

// viewTx resolves the caller's aggregator and its sources.
func (s *Service) viewTx(tx store.Tx, ctx context.Context, name string) (*aggregateView, error) {
	v, _, err := s.viewWithTx(tx, ctx, name)
	return v, err
}

// viewEntry is an organization aggregator's sources as computed from the aggregator record
// agg and the organization's version record version, valid until until (zero: no deadline).
// Its aggregator and sources are shared and never modified.
type viewEntry struct {
	agg, orgID, version string
	a                   *aggregatorRec
	sources             []source
	until               time.Time
}

// viewWithTx is viewTx that also reads the records of extra, in the same statement as the
// aggregator (their values, nil when absent, in order).
//
// Organization aggregators' sources are remembered (Service.views): a read gets the aggregator
// record and the organization's version record in one GetMany (the organization's ID is taken
// from the remembered entry) and reuses the sources when both records are unchanged and no
// deadline of orgSources has passed; anything else computes them again.
func (s *Service) viewWithTx(tx store.Tx, ctx context.Context, name string, extra ...store.Key) (*aggregateView, [][]byte, error) {
	account, region, err := where(ctx)
	if err != nil {
		return nil, nil, err
	}
	scope := Scope(account, region)
	ck := scope + "\x00" + name
	writing := organizations.WritingTx(tx)
	var e *viewEntry
	if !writing {
		e, _ = s.views.Get(ck)
	}
	keys := make([]store.Key, 0, 2+len(extra))
	keys = append(keys, store.Key{Kind: KindAggregator, Scope: scope, ID: name})
	keys = append(keys, extra...)
	if e != nil {
		keys = append(keys, organizations.VersionKey(e.orgID))
	}
	vals, err := tx.GetMany(keys)
	if err != nil {
		return nil, nil, err
	}
	b, extraVals := vals[0], vals[1:1+len(extra)]
	if b == nil {
		return nil, nil, noSuchAggregator()
	}
	if e != nil {
		version := vals[len(vals)-1]
		if version != nil && string(b) == e.agg && string(version) == e.version && (e.until.IsZero() || s.clock.Now().Before(e.until)) {
			return &aggregateView{a: e.a, sources: e.sources}, extraVals, nil
		}
	}
	a, err := decodeViewAggregator(b, scope, name)
	if err != nil {
		return nil, nil, err
	}
	if !a.org() || a.OrgID == "" {
		srcs, err := s.sourcesTx(tx, account, region, a)
		if err != nil {
			return nil, nil, err
		}
		return &aggregateView{a: a, sources: srcs}, extraVals, nil
	}
	var version []byte
	if e != nil && e.orgID == a.OrgID {
		version = vals[len(vals)-1]
	} else if !writing {
		k := organizations.VersionKey(a.OrgID)
		if version, err = store.GetOptional(tx, k.Kind, k.Scope, k.ID); err != nil {
			return nil, nil, err
		}
	}
	members, departed, err := organizations.MembershipAtTx(tx, a.OrgID, version)
	if err != nil {
		return nil, nil, err
	}
	srcs, until := s.orgSources(a, members, departed)
	if version != nil {
		s.views.Put(ck, &viewEntry{agg: string(b), orgID: a.OrgID, version: string(version), a: a, sources: srcs, until: until})
	}
	return &aggregateView{a: a, sources: srcs}, extraVals, nil
}

// viewAggregatorCache holds decoded aggregators by their stored bytes, for the read path (every
// aggregate read decodes its aggregator).
var viewAggregatorCache memo.Map[*aggregatorRec]

// decodeViewAggregator is mustAggregatorTx's decoding for readers: it decodes the aggregator
// record b (of scope and name) through viewAggregatorCache, so the result is shared and must not
// be modified.
func decodeViewAggregator(b []byte, scope, name string) (*aggregatorRec, error) {
	a, err := decodeShared(&viewAggregatorCache, b)
	if err != nil {
		return nil, fmt.Errorf("configservice: decode %s %s/%s: %w", KindAggregator, scope, name, err)
	}
	return a, nil
}

// has reports whether the view includes (account, region).
func (v *aggregateView) has(account, region string) bool {
	_, ok := slices.BinarySearchFunc(v.sources, source{account, region}, func(x, y source) int {
		if c := compareStrings(x.account, y.account); c != 0 {
			return c
		}
		return compareStrings(x.region, y.region)
	})
	return ok
}

// typeAllowed applies the aggregator's resource type filter.
func (v *aggregateView) typeAllowed(resourceType string) bool {
	f := v.a.Agg.AggregatorFilters
	if f == nil || f.ResourceType == nil || len(f.ResourceType.Value) == 0 {
		return true
	}
	return slices.Contains(f.ResourceType.Value, resourceType)
}

// filtered returns the view's sources that pass an account and region filter ("" passes all).
func (v *aggregateView) filtered(account, region string) []source {
	var out []source
	for _, src := range v.sources {
		if (account == "" || src.account == account) && (region == "" || src.region == region) {
			out = append(out, src)
		}
	}
	return out
}

// aggregateToken is the cursor of aggregate lists: the source and a position inside it.
func aggregateCursor(src source, pos string) string {
	return src.account + "\x00" + src.region + "\x00" + pos
}

func parseAggregateCursor(tok string) (source, string, error) {
	c, err := decodeToken(tok)
	if err != nil || c == "" {
		return source{}, "", err
	}
	parts := strings.SplitN(c, "\x00", 3)
	if len(parts) != 3 {
		return source{}, "", configapi.ErrInvalidNextToken("The nextToken provided is invalid")
	}
	return source{parts[0], parts[1]}, parts[2], nil
}

// ListAggregateDiscoveredResources lists the current (not deleted) resources of one type in the
// aggregator's sources, by account, region and resource ID.
func (s *Service) ListAggregateDiscoveredResources(ctx context.Context, in *configapi.ListAggregateDiscoveredResourcesRequest) (*configapi.ListAggregateDiscoveredResourcesResponse, error) {
	limit := limitOr(in.Limit, 100)
	start, pos, err := parseAggregateCursor(in.NextToken)
	if err != nil {
		return nil, err
	}
	f := in.Filters
	if f == nil {
		f = &configapi.ResourceFilters{}
	}
	typ := string(in.ResourceType)
	out := &configapi.ListAggregateDiscoveredResourcesResponse{ResourceIdentifiers: []configapi.AggregateResourceIdentifier{}}
	err = s.store.Read(ctx, func(tx store.Tx) error {
		out.ResourceIdentifiers, out.NextToken = out.ResourceIdentifiers[:0], ""
		v, err := s.viewTx(tx, ctx, in.ConfigurationAggregatorName)
		if err != nil || !v.typeAllowed(typ) {
			return err
		}
		for _, src := range v.filtered(f.AccountId, f.Region) {
			after := ""
			if start.account != "" {
				if src.account < start.account || (src.account == start.account && src.region < start.region) {
					continue
				}
				if src == start {
					after = pos
				}
			}
			done, err := listSourceItems(tx, src, typ, f, after, limit, out)
			if err != nil || done {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// listSourceItems appends the matching items of one source to out; done is true once the page
// is full (out.NextToken is then set when more may follow).
func listSourceItems(tx store.Tx, src source, typ string, f *configapi.ResourceFilters, after string, limit int, out *configapi.ListAggregateDiscoveredResourcesResponse) (bool, error) {
	scope := Scope(src.account, src.region)
	if f.ResourceId != "" {
		if after != "" {
			return false, nil
		}
		ci, err := GetItemTx(tx, src.account, src.region, typ, f.ResourceId)
		if errors.Is(err, store.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if !deletedStatus(ci.ConfigurationItemStatus) && (f.ResourceName == "" || ci.ResourceName == f.ResourceName) {
			if len(out.ResourceIdentifiers) == limit {
				out.NextToken = encodeToken(aggregateCursor(src, ""))
				return true, nil
			}
			out.ResourceIdentifiers = append(out.ResourceIdentifiers, aggregateIdentifier(src, ci))
		}
		return false, nil
	}
	prefix := typ + "\x00"
	cursor := ""
	if after != "" {
		cursor = prefix + after
	}
	for {
		recs, err := tx.ListPrefix(KindItem, scope, prefix, cursor, 200)
		if err != nil {
			return false, err
		}
		for _, r := range recs {
			cursor = r.ID
			ci, err := decodeItem(r.Body)
			if err != nil {
				return false, err
			}
			if deletedStatus(ci.ConfigurationItemStatus) || (f.ResourceName != "" && ci.ResourceName != f.ResourceName) {
				continue
			}
			if len(out.ResourceIdentifiers) == limit {
				last := out.ResourceIdentifiers[limit-1]
				out.NextToken = encodeToken(aggregateCursor(source{last.SourceAccountId, last.SourceRegion}, last.ResourceId))
				return true, nil
			}
			out.ResourceIdentifiers = append(out.ResourceIdentifiers, aggregateIdentifier(src, ci))
		}
		if len(recs) < 200 {
			return false, nil
		}
	}
}

func aggregateIdentifier(src source, ci *configapi.ConfigurationItem) configapi.AggregateResourceIdentifier {
	return configapi.AggregateResourceIdentifier{SourceAccountId: src.account, SourceRegion: src.region,
		ResourceId: ci.ResourceId, ResourceType: ci.ResourceType, ResourceName: ci.ResourceName}
}

// GetAggregateDiscoveredResourceCounts counts the current resources of the aggregator's
// sources from their per-type counters, grouped by RESOURCE_TYPE, ACCOUNT_ID or AWS_REGION
// (no key: the total only).
func (s *Service) GetAggregateDiscoveredResourceCounts(ctx context.Context, in *configapi.GetAggregateDiscoveredResourceCountsRequest) (*configapi.GetAggregateDiscoveredResourceCountsResponse, error) {
	limit := limitOr(in.Limit, 1000)
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	f := in.Filters
	if f == nil {
		f = &configapi.ResourceCountFilters{}
	}
	var total int64
	groups := map[string]int64{}
	err = s.store.Read(ctx, func(tx store.Tx) error {
		total, groups = 0, map[string]int64{}
		v, err := s.viewTx(tx, ctx, in.ConfigurationAggregatorName)
		if err != nil {
			return err
		}
		for _, src := range v.filtered(f.AccountId, f.Region) {
			counts, err := CountsTx(tx, src.account, src.region)
			if err != nil {
				return err
			}
			for _, c := range counts {
				if (f.ResourceType != "" && c.ResourceType != string(f.ResourceType)) || !v.typeAllowed(c.ResourceType) {
					continue
				}
				total += c.Count
				switch in.GroupByKey {
				case configapi.ResourceCountGroupKeyResourceType:
					groups[c.ResourceType] += c.Count
				case configapi.ResourceCountGroupKeyAccountId:
					groups[src.account] += c.Count
				case configapi.ResourceCountGroupKeyAwsRegion:
					groups[src.region] += c.Count
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := &configapi.GetAggregateDiscoveredResourceCountsResponse{TotalDiscoveredResources: &total, GroupedResourceCounts: []configapi.GroupedResourceCount{}}
	if in.GroupByKey == "" {
		return out, nil
	}
	out.GroupByKey = string(in.GroupByKey)
	names := make([]string, 0, len(groups))
	for n := range groups {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if after != "" && n <= after {
			continue
		}
		if len(out.GroupedResourceCounts) == limit {
			out.NextToken = encodeToken(out.GroupedResourceCounts[limit-1].GroupName)
			break
		}
		c := groups[n]
		out.GroupedResourceCounts = append(out.GroupedResourceCounts, configapi.GroupedResourceCount{GroupName: n, ResourceCount: &c})
	}
	return out, nil
}

// GetAggregateResourceConfig returns the current configuration item of a resource of one of the
// aggregator's sources; a deleted or unknown one is ResourceNotDiscoveredException.
func (s *Service) GetAggregateResourceConfig(ctx context.Context, in *configapi.GetAggregateResourceConfigRequest) (*configapi.GetAggregateResourceConfigResponse, error) {
	id := in.ResourceIdentifier
	if id == nil {
		return nil, configapi.ErrInvalidParameterValue("The ResourceIdentifier is required.")
	}
	var ci *configapi.ConfigurationItem
	err := s.store.Read(ctx, func(tx store.Tx) error {
		v, err := s.viewTx(tx, ctx, in.ConfigurationAggregatorName)
		if err != nil {
			return err
		}
		ci = nil
		if !v.has(id.SourceAccountId, id.SourceRegion) || !v.typeAllowed(string(id.ResourceType)) {
			return resourceNotDiscovered(string(id.ResourceType), id.ResourceId)
		}
		item, err := GetItemTx(tx, id.SourceAccountId, id.SourceRegion, string(id.ResourceType), id.ResourceId)
		if errors.Is(err, store.ErrNotFound) || (err == nil && deletedStatus(item.ConfigurationItemStatus)) {
			return resourceNotDiscovered(string(id.ResourceType), id.ResourceId)
		}
		ci = item
		return err
	})
	if err != nil {
		return nil, err
	}
	return &configapi.GetAggregateResourceConfigResponse{ConfigurationItem: ci}, nil
}

// BatchGetAggregateResourceConfig returns the current items of up to 100 resources of the
// aggregator's sources, without tags and relationships; unknown, deleted and out-of-scope
// resources are left out.
func (s *Service) BatchGetAggregateResourceConfig(ctx context.Context, in *configapi.BatchGetAggregateResourceConfigRequest) (*configapi.BatchGetAggregateResourceConfigResponse, error) {
	if len(in.ResourceIdentifiers) > 100 {
		return nil, configapi.ErrValidation("1 validation error detected: Value at 'resourceIdentifiers' failed to satisfy constraint: Member must have length less than or equal to 100")
	}
	out := &configapi.BatchGetAggregateResourceConfigResponse{BaseConfigurationItems: []configapi.BaseConfigurationItem{}, UnprocessedResourceIdentifiers: []configapi.AggregateResourceIdentifier{}}
	err := s.store.Read(ctx, func(tx store.Tx) error {
		out.BaseConfigurationItems = out.BaseConfigurationItems[:0]
		v, err := s.viewTx(tx, ctx, in.ConfigurationAggregatorName)
		if err != nil {
			return err
		}
		keys := make([]store.Key, 0, len(in.ResourceIdentifiers))
		for _, id := range in.ResourceIdentifiers {
			if v.has(id.SourceAccountId, id.SourceRegion) && v.typeAllowed(string(id.ResourceType)) {
				keys = append(keys, store.Key{Kind: KindItem, Scope: Scope(id.SourceAccountId, id.SourceRegion), ID: itemID(string(id.ResourceType), id.ResourceId)})
			}
		}
		vals, err := tx.GetMany(keys)
		if err != nil {
			return err
		}
		for _, b := range vals {
			if b == nil {
				continue
			}
			ci, err := decodeItem(b)
			if err != nil {
				return err
			}
			if !deletedStatus(ci.ConfigurationItemStatus) {
				out.BaseConfigurationItems = append(out.BaseConfigurationItems, baseItem(ci))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkAggregateCompliance accepts only COMPLIANT and NON_COMPLIANT as an aggregate rule
// compliance filter.
func checkAggregateCompliance(c configapi.ComplianceType) error {
	if c != "" && c != configapi.ComplianceTypeCompliant && c != configapi.ComplianceTypeNonCompliant {
		return configapi.ErrValidation("1 validation error detected: Value '%s' at 'filters.complianceType' failed to satisfy constraint: only COMPLIANT and NON_COMPLIANT are supported", c)
	}
	return nil
}

// DescribeAggregateComplianceByConfigRules returns one row per (rule, account, region) of the
// aggregator's sources with results.
func (s *Service) DescribeAggregateComplianceByConfigRules(ctx context.Context, in *configapi.DescribeAggregateComplianceByConfigRulesRequest) (*configapi.DescribeAggregateComplianceByConfigRulesResponse, error) {
	limit := limitOr(in.Limit, 1000)
	f := in.Filters
	if f == nil {
		f = &configapi.ConfigRuleComplianceFilters{}
	}
	if err := checkAggregateCompliance(f.ComplianceType); err != nil {
		return nil, err
	}
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &configapi.DescribeAggregateComplianceByConfigRulesResponse{AggregateComplianceByConfigRules: []configapi.AggregateComplianceByConfigRule{}}
	err = s.store.Read(ctx, func(tx store.Tx) error {
		out.AggregateComplianceByConfigRules, out.NextToken = out.AggregateComplianceByConfigRules[:0], ""
		v, err := s.viewTx(tx, ctx, in.ConfigurationAggregatorName)
		if err != nil {
			return err
		}
		for _, src := range v.filtered(f.AccountId, f.AwsRegion) {
			rs, err := rulesTx(tx, src.account, src.region)
			if err != nil {
				return err
			}
			for _, r := range rs {
				if f.ConfigRuleName != "" && r.name() != f.ConfigRuleName {
					continue
				}
				key := src.account + "\x00" + src.region + "\x00" + r.name()
				if after != "" && key <= after {
					continue
				}
				c, err := ruleCountsTx(tx, Scope(src.account, src.region), r.name())
				if err != nil {
					return err
				}
				comp := ruleCompliance(c)
				if comp.ComplianceType == configapi.ComplianceTypeInsufficientData && c.NotApplicable == 0 {
					continue // no results
				}
				if f.ComplianceType != "" && comp.ComplianceType != f.ComplianceType {
					continue
				}
				if len(out.AggregateComplianceByConfigRules) == limit {
					last := out.AggregateComplianceByConfigRules[limit-1]
					out.NextToken = encodeToken(last.AccountId + "\x00" + last.AwsRegion + "\x00" + last.ConfigRuleName)
					return nil
				}
				out.AggregateComplianceByConfigRules = append(out.AggregateComplianceByConfigRules, configapi.AggregateComplianceByConfigRule{
					ConfigRuleName: r.name(), Compliance: comp, AccountId: src.account, AwsRegion: src.region})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetAggregateComplianceDetailsByConfigRule returns a rule's results in one source of the
// aggregator, Limit (default 50, at most 100) per page.
func (s *Service) GetAggregateComplianceDetailsByConfigRule(ctx context.Context, in *configapi.GetAggregateComplianceDetailsByConfigRuleRequest) (*configapi.GetAggregateComplianceDetailsByConfigRuleResponse, error) {
	if err := checkAggregateCompliance(in.ComplianceType); err != nil {
		return nil, err
	}
	limit := limitOr(in.Limit, 50)
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &configapi.GetAggregateComplianceDetailsByConfigRuleResponse{AggregateEvaluationResults: []configapi.AggregateEvaluationResult{}}
	err = s.store.Read(ctx, func(tx store.Tx) error {
		out.AggregateEvaluationResults, out.NextToken = out.AggregateEvaluationResults[:0], ""
		v, err := s.viewTx(tx, ctx, in.ConfigurationAggregatorName)
		if err != nil || !v.has(in.AccountId, in.AwsRegion) {
			return err
		}
		scope := Scope(in.AccountId, in.AwsRegion)
		prefix := in.ConfigRuleName + "\x00"
		cursor := ""
		if after != "" {
			cursor = prefix + after
		}
		for {
			recs, err := tx.ListPrefix(KindEvaluation, scope, prefix, cursor, 500)
			if err != nil {
				return err
			}
			for _, r := range recs {
				cursor = r.ID
				e, err := decodeEval(r.Body)
				if err != nil {
					return err
				}
				if in.ComplianceType != "" && e.Compliance != string(in.ComplianceType) {
					continue
				}
				if len(out.AggregateEvaluationResults) == limit {
					q := out.AggregateEvaluationResults[limit-1].EvaluationResultIdentifier.EvaluationResultQualifier
					out.NextToken = encodeToken(q.ResourceType + "\x00" + q.ResourceId)
					return nil
				}
				res := e.resultAPI(configapi.EvaluationModeDetective, "")
				out.AggregateEvaluationResults = append(out.AggregateEvaluationResults, configapi.AggregateEvaluationResult{
					EvaluationResultIdentifier: res.EvaluationResultIdentifier, ComplianceType: res.ComplianceType,
					ResultRecordedTime: res.ResultRecordedTime, ConfigRuleInvokedTime: res.ConfigRuleInvokedTime,
					Annotation: res.Annotation, AccountId: in.AccountId, AwsRegion: in.AwsRegion})
			}
			if len(recs) < 500 {
				return nil
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetAggregateConfigRuleComplianceSummary counts compliant and noncompliant rules of the
// aggregator's sources, grouped by ACCOUNT_ID or AWS_REGION (no key: one group).
func (s *Service) GetAggregateConfigRuleComplianceSummary(ctx context.Context, in *configapi.GetAggregateConfigRuleComplianceSummaryRequest) (*configapi.GetAggregateConfigRuleComplianceSummaryResponse, error) {
	limit := limitOr(in.Limit, 1000)
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	f := in.Filters
	if f == nil {
		f = &configapi.ConfigRuleComplianceSummaryFilters{}
	}
	type counts struct{ c, nc int64 }
	groups := map[string]*counts{}
	err = s.store.Read(ctx, func(tx store.Tx) error {
		groups = map[string]*counts{}
		v, err := s.viewTx(tx, ctx, in.ConfigurationAggregatorName)
		if err != nil {
			return err
		}
		for _, src := range v.filtered(f.AccountId, f.AwsRegion) {
			rs, err := rulesTx(tx, src.account, src.region)
			if err != nil {
				return err
			}
			group := ""
			switch in.GroupByKey {
			case configapi.ConfigRuleComplianceSummaryGroupKeyAccountId:
				group = src.account
			case configapi.ConfigRuleComplianceSummaryGroupKeyAwsRegion:
				group = src.region
			}
			g := groups[group]
			if g == nil {
				g = &counts{}
				groups[group] = g
			}
			for _, r := range rs {
				c, err := ruleCountsTx(tx, Scope(src.account, src.region), r.name())
				if err != nil {
					return err
				}
				switch c.compliance() {
				case compliant:
					g.c++
				case nonCompliant:
					g.nc++
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	now := apiTime(s.clock.Now())
	out := &configapi.GetAggregateConfigRuleComplianceSummaryResponse{GroupByKey: string(in.GroupByKey), AggregateComplianceCounts: []configapi.AggregateComplianceCount{}}
	names := make([]string, 0, len(groups))
	for n := range groups {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if after != "" && n <= after {
			continue
		}
		if len(out.AggregateComplianceCounts) == limit {
			out.NextToken = encodeToken(out.AggregateComplianceCounts[limit-1].GroupName)
			break
		}
		g := groups[n]
		out.AggregateComplianceCounts = append(out.AggregateComplianceCounts, configapi.AggregateComplianceCount{GroupName: n,
			ComplianceSummary: &configapi.ComplianceSummary{CompliantResourceCount: capped(g.c, 1<<30), NonCompliantResourceCount: capped(g.nc, 1<<30), ComplianceSummaryTimestamp: now}})
	}
	return out, nil
}
