package aggregation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/orgconfig/orgconfig/internal/configservice/core"
	"github.com/orgconfig/orgconfig/internal/configservice/evaluation"
	"github.com/orgconfig/orgconfig/internal/configservice/recording"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/organizations"
	"github.com/orgconfig/orgconfig/internal/store"
)

// AggregateView is what one aggregate read may see: the aggregator and its sources now.
type AggregateView struct {
	Aggregator *aggregatorRec
	Sources    []Source
}

// ViewTx resolves the caller's aggregator and its sources.
func (s *Service) ViewTx(tx store.Tx, ctx context.Context, name string) (*AggregateView, error) {
	v, _, err := s.ViewWithTx(tx, ctx, name)
	return v, err
}

// viewEntry is an organization aggregator's sources as computed from the aggregator record
// agg and the organization's version record version, valid until until (zero: no deadline).
// Its aggregator and sources are shared and never modified.
type viewEntry struct {
	agg, orgID, version string
	a                   *aggregatorRec
	sources             []Source
	until               time.Time
}

// ViewWithTx is ViewTx that also reads the records of extra, in the same statement as the
// aggregator (their values, nil when absent, in order).
//
// Organization aggregators' sources are remembered (Service.views): a read gets the aggregator
// record and the organization's version record in one GetMany (the organization's ID is taken
// from the remembered entry) and reuses the sources when both records are unchanged and no
// deadline of orgSources has passed; anything else computes them again.
func (s *Service) ViewWithTx(tx store.Tx, ctx context.Context, name string, extra ...store.Key) (*AggregateView, [][]byte, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, nil, err
	}
	scope := core.Scope(account, region)
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
		if version != nil && string(b) == e.agg && string(version) == e.version && (e.until.IsZero() || s.Clock.Now().Before(e.until)) {
			return &AggregateView{Aggregator: e.a, Sources: e.sources}, extraVals, nil
		}
	}
	a, err := s.decodeViewAggregator(b, scope, name)
	if err != nil {
		return nil, nil, err
	}
	if !a.org() || a.OrgID == "" {
		srcs, err := s.sourcesTx(tx, account, region, a)
		if err != nil {
			return nil, nil, err
		}
		return &AggregateView{Aggregator: a, Sources: srcs}, extraVals, nil
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
	members, departed, err := s.Orgs.MembershipAtTx(tx, a.OrgID, version)
	if err != nil {
		return nil, nil, err
	}
	srcs, until := s.orgSources(a, members, departed)
	if version != nil {
		s.views.Put(ck, &viewEntry{agg: string(b), orgID: a.OrgID, version: string(version), a: a, sources: srcs, until: until})
	}
	return &AggregateView{Aggregator: a, Sources: srcs}, extraVals, nil
}

// decodeViewAggregator is mustAggregatorTx's decoding for readers: it decodes the aggregator
// record b (of scope and name) through s.aggregators, so the result is shared and must not be
// modified.
func (s *Service) decodeViewAggregator(b []byte, scope, name string) (*aggregatorRec, error) {
	a, err := core.DecodeShared(&s.aggregators, b)
	if err != nil {
		return nil, fmt.Errorf("configservice: decode %s %s/%s: %w", KindAggregator, scope, name, err)
	}
	return a, nil
}

// has reports whether the view includes (account, region).
func (v *AggregateView) has(account, region string) bool {
	_, ok := slices.BinarySearchFunc(v.Sources, Source{account, region}, func(x, y Source) int {
		if c := compareStrings(x.Account, y.Account); c != 0 {
			return c
		}
		return compareStrings(x.Region, y.Region)
	})
	return ok
}

// TypeAllowed applies the aggregator's resource type filter.
func (v *AggregateView) TypeAllowed(resourceType string) bool {
	f := v.Aggregator.Agg.AggregatorFilters
	if f == nil || f.ResourceType == nil || len(f.ResourceType.Value) == 0 {
		return true
	}
	return slices.Contains(f.ResourceType.Value, resourceType)
}

// filtered returns the view's sources that pass an account and region filter ("" passes all).
func (v *AggregateView) Filtered(account, region string) []Source {
	var out []Source
	for _, src := range v.Sources {
		if (account == "" || src.Account == account) && (region == "" || src.Region == region) {
			out = append(out, src)
		}
	}
	return out
}

// aggregateCursor is the cursor of aggregate lists: the source and a position inside it.
func aggregateCursor(src Source, pos string) string {
	return src.Account + "\x00" + src.Region + "\x00" + pos
}

// parseAggregateCursor decodes the NextToken of an aggregate list: the zero Source for none,
// InvalidNextTokenException for a token aggregateCursor did not make.
func parseAggregateCursor(tok string) (Source, string, error) {
	c, err := core.DecodeToken(tok)
	if err != nil || c == "" {
		return Source{}, "", err
	}
	parts := strings.SplitN(c, "\x00", 3)
	if len(parts) != 3 {
		return Source{}, "", configapi.ErrInvalidNextToken("The nextToken provided is invalid")
	}
	return Source{parts[0], parts[1]}, parts[2], nil
}

// ListAggregateDiscoveredResources lists the current (not deleted) resources of one type in the
// aggregator's sources, by account, region and resource ID.
func (s *Service) ListAggregateDiscoveredResources(ctx context.Context, in *configapi.ListAggregateDiscoveredResourcesRequest) (*configapi.ListAggregateDiscoveredResourcesResponse, error) {
	limit := core.LimitOr(in.Limit, 100)
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
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		out.ResourceIdentifiers, out.NextToken = out.ResourceIdentifiers[:0], ""
		v, err := s.ViewTx(tx, ctx, in.ConfigurationAggregatorName)
		if err != nil || !v.TypeAllowed(typ) {
			return err
		}
		for _, src := range v.Filtered(f.AccountId, f.Region) {
			after := ""
			if start.Account != "" {
				if src.Account < start.Account || (src.Account == start.Account && src.Region < start.Region) {
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
func listSourceItems(tx store.Tx, src Source, typ string, f *configapi.ResourceFilters, after string, limit int, out *configapi.ListAggregateDiscoveredResourcesResponse) (bool, error) {
	scope := core.Scope(src.Account, src.Region)
	if f.ResourceId != "" {
		if after != "" {
			return false, nil
		}
		ci, err := recording.GetItemTx(tx, src.Account, src.Region, typ, f.ResourceId)
		if errors.Is(err, store.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if !recording.DeletedStatus(ci.ConfigurationItemStatus) && (f.ResourceName == "" || ci.ResourceName == f.ResourceName) {
			if len(out.ResourceIdentifiers) == limit {
				out.NextToken = core.EncodeToken(aggregateCursor(src, ""))
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
		recs, err := tx.ListPrefix(recording.KindItem, scope, prefix, cursor, 200)
		if err != nil {
			return false, err
		}
		for _, r := range recs {
			cursor = r.ID
			ci, err := recording.DecodeItem(r.Body)
			if err != nil {
				return false, err
			}
			if recording.DeletedStatus(ci.ConfigurationItemStatus) || (f.ResourceName != "" && ci.ResourceName != f.ResourceName) {
				continue
			}
			if len(out.ResourceIdentifiers) == limit {
				last := out.ResourceIdentifiers[limit-1]
				out.NextToken = core.EncodeToken(aggregateCursor(Source{last.SourceAccountId, last.SourceRegion}, last.ResourceId))
				return true, nil
			}
			out.ResourceIdentifiers = append(out.ResourceIdentifiers, aggregateIdentifier(src, ci))
		}
		if len(recs) < 200 {
			return false, nil
		}
	}
}

func aggregateIdentifier(src Source, ci *configapi.ConfigurationItem) configapi.AggregateResourceIdentifier {
	return configapi.AggregateResourceIdentifier{SourceAccountId: src.Account, SourceRegion: src.Region,
		ResourceId: ci.ResourceId, ResourceType: ci.ResourceType, ResourceName: ci.ResourceName}
}

// GetAggregateDiscoveredResourceCounts counts the current resources of the aggregator's
// sources from their per-type counters, grouped by RESOURCE_TYPE, ACCOUNT_ID or AWS_REGION
// (no key: the total only).
func (s *Service) GetAggregateDiscoveredResourceCounts(ctx context.Context, in *configapi.GetAggregateDiscoveredResourceCountsRequest) (*configapi.GetAggregateDiscoveredResourceCountsResponse, error) {
	limit := core.LimitOr(in.Limit, 1000)
	after, err := core.DecodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	f := in.Filters
	if f == nil {
		f = &configapi.ResourceCountFilters{}
	}
	var total int64
	groups := map[string]int64{}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		total, groups = 0, map[string]int64{}
		v, err := s.ViewTx(tx, ctx, in.ConfigurationAggregatorName)
		if err != nil {
			return err
		}
		for _, src := range v.Filtered(f.AccountId, f.Region) {
			counts, err := recording.CountsTx(tx, src.Account, src.Region)
			if err != nil {
				return err
			}
			for _, c := range counts {
				if (f.ResourceType != "" && c.ResourceType != string(f.ResourceType)) || !v.TypeAllowed(c.ResourceType) {
					continue
				}
				total += c.Count
				switch in.GroupByKey {
				case configapi.ResourceCountGroupKeyResourceType:
					groups[c.ResourceType] += c.Count
				case configapi.ResourceCountGroupKeyAccountId:
					groups[src.Account] += c.Count
				case configapi.ResourceCountGroupKeyAwsRegion:
					groups[src.Region] += c.Count
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
			out.NextToken = core.EncodeToken(out.GroupedResourceCounts[limit-1].GroupName)
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
	err := s.Store.Read(ctx, func(tx store.Tx) error {
		v, err := s.ViewTx(tx, ctx, in.ConfigurationAggregatorName)
		if err != nil {
			return err
		}
		ci = nil
		if !v.has(id.SourceAccountId, id.SourceRegion) || !v.TypeAllowed(string(id.ResourceType)) {
			return recording.ResourceNotDiscovered(string(id.ResourceType), id.ResourceId)
		}
		item, err := recording.GetItemTx(tx, id.SourceAccountId, id.SourceRegion, string(id.ResourceType), id.ResourceId)
		if errors.Is(err, store.ErrNotFound) || (err == nil && recording.DeletedStatus(item.ConfigurationItemStatus)) {
			return recording.ResourceNotDiscovered(string(id.ResourceType), id.ResourceId)
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
	err := s.Store.Read(ctx, func(tx store.Tx) error {
		out.BaseConfigurationItems = out.BaseConfigurationItems[:0]
		v, err := s.ViewTx(tx, ctx, in.ConfigurationAggregatorName)
		if err != nil {
			return err
		}
		keys := make([]store.Key, 0, len(in.ResourceIdentifiers))
		for _, id := range in.ResourceIdentifiers {
			if v.has(id.SourceAccountId, id.SourceRegion) && v.TypeAllowed(string(id.ResourceType)) {
				keys = append(keys, store.Key{Kind: recording.KindItem, Scope: core.Scope(id.SourceAccountId, id.SourceRegion), ID: recording.ItemID(string(id.ResourceType), id.ResourceId)})
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
			ci, err := recording.DecodeItem(b)
			if err != nil {
				return err
			}
			if !recording.DeletedStatus(ci.ConfigurationItemStatus) {
				out.BaseConfigurationItems = append(out.BaseConfigurationItems, recording.BaseItem(ci))
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
	limit := core.LimitOr(in.Limit, 1000)
	f := in.Filters
	if f == nil {
		f = &configapi.ConfigRuleComplianceFilters{}
	}
	if err := checkAggregateCompliance(f.ComplianceType); err != nil {
		return nil, err
	}
	after, err := core.DecodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &configapi.DescribeAggregateComplianceByConfigRulesResponse{AggregateComplianceByConfigRules: []configapi.AggregateComplianceByConfigRule{}}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		out.AggregateComplianceByConfigRules, out.NextToken = out.AggregateComplianceByConfigRules[:0], ""
		v, err := s.ViewTx(tx, ctx, in.ConfigurationAggregatorName)
		if err != nil {
			return err
		}
		for _, src := range v.Filtered(f.AccountId, f.AwsRegion) {
			rs, err := evaluation.RulesTx(tx, src.Account, src.Region)
			if err != nil {
				return err
			}
			for _, r := range rs {
				if f.ConfigRuleName != "" && r.Name() != f.ConfigRuleName {
					continue
				}
				key := src.Account + "\x00" + src.Region + "\x00" + r.Name()
				if after != "" && key <= after {
					continue
				}
				c, err := evaluation.RuleCountsTx(tx, core.Scope(src.Account, src.Region), r.Name())
				if err != nil {
					return err
				}
				comp := evaluation.RuleCompliance(c)
				if comp.ComplianceType == configapi.ComplianceTypeInsufficientData && c.NotApplicable == 0 {
					continue // no results
				}
				if f.ComplianceType != "" && comp.ComplianceType != f.ComplianceType {
					continue
				}
				if len(out.AggregateComplianceByConfigRules) == limit {
					last := out.AggregateComplianceByConfigRules[limit-1]
					out.NextToken = core.EncodeToken(last.AccountId + "\x00" + last.AwsRegion + "\x00" + last.ConfigRuleName)
					return nil
				}
				out.AggregateComplianceByConfigRules = append(out.AggregateComplianceByConfigRules, configapi.AggregateComplianceByConfigRule{
					ConfigRuleName: r.Name(), Compliance: comp, AccountId: src.Account, AwsRegion: src.Region})
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
	limit := core.LimitOr(in.Limit, 50)
	after, err := core.DecodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &configapi.GetAggregateComplianceDetailsByConfigRuleResponse{AggregateEvaluationResults: []configapi.AggregateEvaluationResult{}}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		out.AggregateEvaluationResults, out.NextToken = out.AggregateEvaluationResults[:0], ""
		v, err := s.ViewTx(tx, ctx, in.ConfigurationAggregatorName)
		if err != nil || !v.has(in.AccountId, in.AwsRegion) {
			return err
		}
		scope := core.Scope(in.AccountId, in.AwsRegion)
		prefix := in.ConfigRuleName + "\x00"
		cursor := ""
		if after != "" {
			cursor = prefix + after
		}
		for {
			recs, err := tx.ListPrefix(evaluation.KindEvaluation, scope, prefix, cursor, 500)
			if err != nil {
				return err
			}
			for _, r := range recs {
				cursor = r.ID
				e, err := evaluation.DecodeEval(r.Body)
				if err != nil {
					return err
				}
				if in.ComplianceType != "" && e.Compliance != string(in.ComplianceType) {
					continue
				}
				if len(out.AggregateEvaluationResults) == limit {
					q := out.AggregateEvaluationResults[limit-1].EvaluationResultIdentifier.EvaluationResultQualifier
					out.NextToken = core.EncodeToken(q.ResourceType + "\x00" + q.ResourceId)
					return nil
				}
				res := e.ResultAPI(configapi.EvaluationModeDetective, "")
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
	limit := core.LimitOr(in.Limit, 1000)
	after, err := core.DecodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	f := in.Filters
	if f == nil {
		f = &configapi.ConfigRuleComplianceSummaryFilters{}
	}
	type counts struct{ c, nc int64 }
	groups := map[string]*counts{}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		groups = map[string]*counts{}
		v, err := s.ViewTx(tx, ctx, in.ConfigurationAggregatorName)
		if err != nil {
			return err
		}
		for _, src := range v.Filtered(f.AccountId, f.AwsRegion) {
			rs, err := evaluation.RulesTx(tx, src.Account, src.Region)
			if err != nil {
				return err
			}
			group := ""
			switch in.GroupByKey {
			case configapi.ConfigRuleComplianceSummaryGroupKeyAccountId:
				group = src.Account
			case configapi.ConfigRuleComplianceSummaryGroupKeyAwsRegion:
				group = src.Region
			}
			g := groups[group]
			if g == nil {
				g = &counts{}
				groups[group] = g
			}
			for _, r := range rs {
				c, err := evaluation.RuleCountsTx(tx, core.Scope(src.Account, src.Region), r.Name())
				if err != nil {
					return err
				}
				switch c.Compliance() {
				case evaluation.Compliant:
					g.c++
				case evaluation.NonCompliant:
					g.nc++
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	now := core.APITime(s.Clock.Now())
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
			out.NextToken = core.EncodeToken(out.AggregateComplianceCounts[limit-1].GroupName)
			break
		}
		g := groups[n]
		out.AggregateComplianceCounts = append(out.AggregateComplianceCounts, configapi.AggregateComplianceCount{GroupName: n,
			ComplianceSummary: &configapi.ComplianceSummary{CompliantResourceCount: evaluation.Capped(g.c, 1<<30), NonCompliantResourceCount: evaluation.Capped(g.nc, 1<<30), ComplianceSummaryTimestamp: now}})
	}
	return out, nil
}
