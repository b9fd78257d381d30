package evaluation

import (
	"context"
	"slices"
	"strings"

	"github.com/orgconfig/orgconfig/internal/configservice/core"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Caps of contributor counts: AWS counts noncompliant contributors up to these numbers and
// reports CapExceeded beyond them.
const (
	ruleContributorCap     = 100 // noncompliant resources of a rule
	resourceContributorCap = 25  // noncompliant rules of a resource
	summaryRuleCap         = 25  // rules in GetComplianceSummaryByConfigRule
	summaryResourceCap     = 100 // resources in GetComplianceSummaryByResourceType
)

func Capped(n int64, limit int64) *configapi.ComplianceContributorCount {
	c := int32(min(n, limit))
	exceeded := n > limit
	return &configapi.ComplianceContributorCount{CappedCount: &c, CapExceeded: &exceeded}
}

// complianceFilter reports whether a compliance type passes the ComplianceTypes filter.
func complianceFilter(types []configapi.ComplianceType) func(string) bool {
	return func(c string) bool {
		return len(types) == 0 || slices.Contains(types, configapi.ComplianceType(c))
	}
}

// checkDetailsFilter refuses INSUFFICIENT_DATA as a filter of the *Details* operations.
func checkDetailsFilter(types []configapi.ComplianceType) error {
	if slices.Contains(types, configapi.ComplianceTypeInsufficientData) {
		return configapi.ErrInvalidParameterValue("INSUFFICIENT_DATA is not a valid ComplianceType filter for this operation.")
	}
	return nil
}

// RuleCompliance is a rule's compliance, with the count of its noncompliant resources.
func RuleCompliance(c RuleCounts) *configapi.Compliance {
	out := &configapi.Compliance{ComplianceType: configapi.ComplianceType(c.Compliance())}
	if c.NonCompliant > 0 {
		out.ComplianceContributorCount = Capped(c.NonCompliant, ruleContributorCap)
	}
	return out
}

// DescribeComplianceByConfigRule returns the compliance of the rules named, or of every rule.
func (s *Service) DescribeComplianceByConfigRule(ctx context.Context, in *configapi.DescribeComplianceByConfigRuleRequest) (*configapi.DescribeComplianceByConfigRuleResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	keep := complianceFilter(in.ComplianceTypes)
	out := &configapi.DescribeComplianceByConfigRuleResponse{ComplianceByConfigRules: []configapi.ComplianceByConfigRule{}}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		rs, err := selectRulesTx(tx, account, region, in.ConfigRuleNames)
		if err != nil {
			return err
		}
		var all []configapi.ComplianceByConfigRule
		for _, r := range rs {
			c, err := RuleCountsTx(tx, core.Scope(account, region), r.Name())
			if err != nil {
				return err
			}
			comp := RuleCompliance(c)
			if keep(string(comp.ComplianceType)) {
				all = append(all, configapi.ComplianceByConfigRule{ConfigRuleName: r.Name(), Compliance: comp})
			}
		}
		after, err := core.DecodeToken(in.NextToken)
		if err != nil {
			return err
		}
		i := 0
		for i < len(all) && after != "" && all[i].ConfigRuleName <= after {
			i++
		}
		all = all[i:]
		if len(all) > describeRulesPage {
			out.NextToken = core.EncodeToken(all[describeRulesPage-1].ConfigRuleName)
			all = all[:describeRulesPage]
		}
		out.ComplianceByConfigRules = append(out.ComplianceByConfigRules, all...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// resourceResults groups results by resource (they are listed in resource order).
type resourceResults struct {
	resourceType, resourceID string
	results                  []*evalRec
}

// compliance is a resource's compliance over its rules.
func (rr *resourceResults) compliance() *configapi.Compliance {
	var nc, c int64
	for _, e := range rr.results {
		switch e.Compliance {
		case NonCompliant:
			nc++
		case Compliant:
			c++
		}
	}
	switch {
	case nc > 0:
		return &configapi.Compliance{ComplianceType: configapi.ComplianceTypeNonCompliant, ComplianceContributorCount: Capped(nc, resourceContributorCap)}
	case c > 0:
		return &configapi.Compliance{ComplianceType: configapi.ComplianceTypeCompliant}
	}
	return &configapi.Compliance{ComplianceType: configapi.ComplianceTypeInsufficientData}
}

// forEachResourceTx calls fn for the results of every evaluated resource of a scope whose
// KindEvaluationByResource ids start with prefix, in resource order, after the resource
// cursor after; fn returns false to stop.
func forEachResourceTx(tx store.Tx, scope, prefix, after string, fn func(*resourceResults) (bool, error)) error {
	cursor := ""
	if after != "" {
		cursor = after + "\x00\xff"
	}
	var cur *resourceResults
	flush := func() (bool, error) {
		if cur == nil {
			return true, nil
		}
		c := cur
		cur = nil
		return fn(c)
	}
	for {
		recs, err := tx.ListPrefix(KindEvaluationByResource, scope, prefix, cursor, 500)
		if err != nil {
			return err
		}
		for _, r := range recs {
			cursor = r.ID
			parts := strings.SplitN(r.ID, "\x00", 3)
			if len(parts) != 3 {
				continue
			}
			if cur != nil && (cur.resourceType != parts[0] || cur.resourceID != parts[1]) {
				if ok, err := flush(); err != nil || !ok {
					return err
				}
			}
			if cur == nil {
				cur = &resourceResults{resourceType: parts[0], resourceID: parts[1]}
			}
			e, err := DecodeEval(r.Body)
			if err != nil {
				return err
			}
			cur.results = append(cur.results, e)
		}
		if len(recs) < 500 {
			_, err := flush()
			return err
		}
	}
}

// DescribeComplianceByResource returns the compliance of one resource, of the resources of one
// type, or of every evaluated resource, Limit (default 10, at most 100) per page.
func (s *Service) DescribeComplianceByResource(ctx context.Context, in *configapi.DescribeComplianceByResourceRequest) (*configapi.DescribeComplianceByResourceResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	if in.ResourceId != "" && in.ResourceType == "" {
		return nil, configapi.ErrInvalidParameterValue("The ResourceType is required when a ResourceId is given.")
	}
	limit := core.LimitOr(in.Limit, 10)
	keep := complianceFilter(in.ComplianceTypes)
	after, err := core.DecodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	prefix := ""
	switch {
	case in.ResourceId != "":
		prefix = in.ResourceType + "\x00" + in.ResourceId + "\x00"
	case in.ResourceType != "":
		prefix = in.ResourceType + "\x00"
	}
	out := &configapi.DescribeComplianceByResourceResponse{ComplianceByResources: []configapi.ComplianceByResource{}}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		out.ComplianceByResources, out.NextToken = out.ComplianceByResources[:0], ""
		var last string
		err := forEachResourceTx(tx, core.Scope(account, region), prefix, after, func(rr *resourceResults) (bool, error) {
			comp := rr.compliance()
			if !keep(string(comp.ComplianceType)) {
				return true, nil
			}
			if len(out.ComplianceByResources) == limit {
				out.NextToken = core.EncodeToken(last)
				return false, nil
			}
			out.ComplianceByResources = append(out.ComplianceByResources, configapi.ComplianceByResource{
				ResourceType: rr.resourceType, ResourceId: rr.resourceID, Compliance: comp})
			last = rr.resourceType + "\x00" + rr.resourceID
			return true, nil
		})
		if err != nil {
			return err
		}
		// A resource asked for by ID that has no results is INSUFFICIENT_DATA.
		if in.ResourceId != "" && len(out.ComplianceByResources) == 0 && keep(insufficient) && after == "" {
			out.ComplianceByResources = append(out.ComplianceByResources, configapi.ComplianceByResource{
				ResourceType: in.ResourceType, ResourceId: in.ResourceId,
				Compliance: &configapi.Compliance{ComplianceType: configapi.ComplianceTypeInsufficientData}})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetComplianceDetailsByConfigRule returns a rule's results, Limit (default 10, at most 100)
// per page.
func (s *Service) GetComplianceDetailsByConfigRule(ctx context.Context, in *configapi.GetComplianceDetailsByConfigRuleRequest) (*configapi.GetComplianceDetailsByConfigRuleResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkDetailsFilter(in.ComplianceTypes); err != nil {
		return nil, err
	}
	limit := core.LimitOr(in.Limit, 10)
	keep := complianceFilter(in.ComplianceTypes)
	after, err := core.DecodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &configapi.GetComplianceDetailsByConfigRuleResponse{EvaluationResults: []configapi.EvaluationResult{}}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		out.EvaluationResults, out.NextToken = out.EvaluationResults[:0], ""
		r, err := ruleTx(tx, account, region, in.ConfigRuleName)
		if err != nil {
			return err
		}
		if r == nil {
			return noSuchRule(in.ConfigRuleName)
		}
		prefix := r.Name() + "\x00"
		cursor := ""
		if after != "" {
			cursor = prefix + after
		}
		for {
			recs, err := tx.ListPrefix(KindEvaluation, core.Scope(account, region), prefix, cursor, 500)
			if err != nil {
				return err
			}
			for _, rec := range recs {
				cursor = rec.ID
				e, err := DecodeEval(rec.Body)
				if err != nil {
					return err
				}
				if !keep(e.Compliance) {
					continue
				}
				if len(out.EvaluationResults) == limit {
					prev := out.EvaluationResults[limit-1].EvaluationResultIdentifier.EvaluationResultQualifier
					out.NextToken = core.EncodeToken(prev.ResourceType + "\x00" + prev.ResourceId)
					return nil
				}
				out.EvaluationResults = append(out.EvaluationResults, e.ResultAPI(configapi.EvaluationModeDetective, ""))
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

// GetComplianceDetailsByResource returns the results of every rule for one resource, or those
// of a proactive resource evaluation.
func (s *Service) GetComplianceDetailsByResource(ctx context.Context, in *configapi.GetComplianceDetailsByResourceRequest) (*configapi.GetComplianceDetailsByResourceResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkDetailsFilter(in.ComplianceTypes); err != nil {
		return nil, err
	}
	if in.ResourceEvaluationId != "" {
		return s.proactiveDetails(ctx, account, region, in)
	}
	if in.ResourceType == "" || in.ResourceId == "" {
		return nil, configapi.ErrInvalidParameterValue("Either the ResourceType and ResourceId, or the ResourceEvaluationId, are required.")
	}
	keep := complianceFilter(in.ComplianceTypes)
	out := &configapi.GetComplianceDetailsByResourceResponse{EvaluationResults: []configapi.EvaluationResult{}}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		out.EvaluationResults = out.EvaluationResults[:0]
		recs, err := tx.ListPrefix(KindEvaluationByResource, core.Scope(account, region), in.ResourceType+"\x00"+in.ResourceId+"\x00", "", 0)
		if err != nil {
			return err
		}
		for _, rec := range recs {
			e, err := DecodeEval(rec.Body)
			if err != nil {
				return err
			}
			if keep(e.Compliance) {
				out.EvaluationResults = append(out.EvaluationResults, e.ResultAPI(configapi.EvaluationModeDetective, ""))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetComplianceSummaryByConfigRule counts the compliant and noncompliant rules (each capped at
// 25).
func (s *Service) GetComplianceSummaryByConfigRule(ctx context.Context) (*configapi.GetComplianceSummaryByConfigRuleResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	var c, nc int64
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		c, nc = 0, 0
		rs, err := RulesTx(tx, account, region)
		if err != nil {
			return err
		}
		for _, r := range rs {
			counts, err := RuleCountsTx(tx, core.Scope(account, region), r.Name())
			if err != nil {
				return err
			}
			switch counts.Compliance() {
			case Compliant:
				c++
			case NonCompliant:
				nc++
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &configapi.GetComplianceSummaryByConfigRuleResponse{ComplianceSummary: &configapi.ComplianceSummary{
		CompliantResourceCount: Capped(c, summaryRuleCap), NonCompliantResourceCount: Capped(nc, summaryRuleCap),
		ComplianceSummaryTimestamp: core.APITime(s.Clock.Now()),
	}}, nil
}

// GetComplianceSummaryByResourceType counts compliant and noncompliant resources (each capped
// at 100), per type asked for, or overall.
func (s *Service) GetComplianceSummaryByResourceType(ctx context.Context, in *configapi.GetComplianceSummaryByResourceTypeRequest) (*configapi.GetComplianceSummaryByResourceTypeResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	if len(in.ResourceTypes) > 20 {
		return nil, configapi.ErrInvalidParameterValue("At most 20 resource types can be given.")
	}
	now := core.APITime(s.Clock.Now())
	summary := func(c, nc int64) *configapi.ComplianceSummary {
		return &configapi.ComplianceSummary{CompliantResourceCount: Capped(c, summaryResourceCap),
			NonCompliantResourceCount: Capped(nc, summaryResourceCap), ComplianceSummaryTimestamp: now}
	}
	out := &configapi.GetComplianceSummaryByResourceTypeResponse{ComplianceSummariesByResourceType: []configapi.ComplianceSummaryByResourceType{}}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		out.ComplianceSummariesByResourceType = out.ComplianceSummariesByResourceType[:0]
		count := func(prefix string) (c, nc int64, err error) {
			err = forEachResourceTx(tx, core.Scope(account, region), prefix, "", func(rr *resourceResults) (bool, error) {
				switch rr.compliance().ComplianceType {
				case configapi.ComplianceTypeCompliant:
					c++
				case configapi.ComplianceTypeNonCompliant:
					nc++
				}
				return true, nil
			})
			return c, nc, err
		}
		if len(in.ResourceTypes) == 0 {
			c, nc, err := count("")
			if err != nil {
				return err
			}
			out.ComplianceSummariesByResourceType = append(out.ComplianceSummariesByResourceType, configapi.ComplianceSummaryByResourceType{ComplianceSummary: summary(c, nc)})
			return nil
		}
		for _, t := range in.ResourceTypes {
			c, nc, err := count(t + "\x00")
			if err != nil {
				return err
			}
			out.ComplianceSummariesByResourceType = append(out.ComplianceSummariesByResourceType, configapi.ComplianceSummaryByResourceType{ResourceType: t, ComplianceSummary: summary(c, nc)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
