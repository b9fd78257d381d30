package conformance

import (
	"context"
	"slices"
	"strconv"

	"github.com/orgconfig/orgconfig/internal/configservice/aggregation"
	"github.com/orgconfig/orgconfig/internal/configservice/core"
	"github.com/orgconfig/orgconfig/internal/configservice/evaluation"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/store"
)

// packCompliance is the compliance of a pack's rules in one (account, region).
type packCompliance struct {
	rules map[string]evaluation.RuleCounts // member rule name -> counts
}

func packComplianceTx(tx store.Tx, account, region string, p *packRec) (*packCompliance, error) {
	pc := &packCompliance{rules: map[string]evaluation.RuleCounts{}}
	for _, name := range p.ruleNames() {
		c, err := evaluation.RuleCountsTx(tx, core.Scope(account, region), name)
		if err != nil {
			return nil, err
		}
		pc.rules[name] = c
	}
	return pc, nil
}

// status is the pack's compliance: NON_COMPLIANT with one noncompliant rule,
// COMPLIANT with compliant rules only, else INSUFFICIENT_DATA.
func (pc *packCompliance) status() configapi.ConformancePackComplianceType {
	c, nc := pc.ruleTotals()
	switch {
	case nc > 0:
		return configapi.ConformancePackComplianceTypeNonCompliant
	case c > 0:
		return configapi.ConformancePackComplianceTypeCompliant
	}
	return configapi.ConformancePackComplianceTypeInsufficientData
}

// ruleTotals counts the compliant and noncompliant rules.
func (pc *packCompliance) ruleTotals() (c, nc int32) {
	for _, rc := range pc.rules {
		switch rc.Compliance() {
		case evaluation.Compliant:
			c++
		case evaluation.NonCompliant:
			nc++
		}
	}
	return c, nc
}

// score is the percentage of compliant (rule, resource) pairs, or INSUFFICIENT_DATA.
func (pc *packCompliance) score() string {
	var c, all int64
	for _, rc := range pc.rules {
		c += rc.Compliant
		all += rc.Compliant + rc.NonCompliant
	}
	if all == 0 {
		return "INSUFFICIENT_DATA"
	}
	return strconv.FormatFloat(float64(c)*100/float64(all), 'f', -1, 64)
}

func packRuleCompliance(c evaluation.RuleCounts) configapi.ConformancePackComplianceType {
	return configapi.ConformancePackComplianceType(c.Compliance())
}

// packRuleName resolves a rule name of a pack: the template's name or the rule's own.
func packRuleName(p *packRec, name string) (string, bool) {
	if n, ok := p.Rules[name]; ok {
		return n, true
	}
	for _, n := range p.Rules {
		if n == name {
			return n, true
		}
	}
	return "", false
}

func mustPackTx(tx store.Tx, account, region, name string) (*packRec, error) {
	p, err := packTx(tx, account, region, name)
	if err == nil && p == nil {
		err = noSuchPack(name)
	}
	return p, err
}

// DescribeConformancePackCompliance returns the compliance of a pack's rules.
func (s *Service) DescribeConformancePackCompliance(ctx context.Context, in *configapi.DescribeConformancePackComplianceRequest) (*configapi.DescribeConformancePackComplianceResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	f := in.Filters
	if f == nil {
		f = &configapi.ConformancePackComplianceFilters{}
	}
	out := &configapi.DescribeConformancePackComplianceResponse{ConformancePackName: in.ConformancePackName, ConformancePackRuleComplianceList: []configapi.ConformancePackRuleCompliance{}}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		p, err := mustPackTx(tx, account, region, in.ConformancePackName)
		if err != nil {
			return err
		}
		names := p.ruleNames()
		if len(f.ConfigRuleNames) > 0 {
			names = names[:0:0]
			for _, n := range f.ConfigRuleNames {
				full, ok := packRuleName(p, n)
				if !ok {
					return configapi.ErrNoSuchConfigRuleInConformancePack("The rule %s is not in the conformance pack %s.", n, p.Name)
				}
				names = append(names, full)
			}
			slices.Sort(names)
		}
		pc, err := packComplianceTx(tx, account, region, p)
		if err != nil {
			return err
		}
		var rows []configapi.ConformancePackRuleCompliance
		for _, n := range names {
			c := packRuleCompliance(pc.rules[n])
			if f.ComplianceType != "" && c != f.ComplianceType {
				continue
			}
			rows = append(rows, configapi.ConformancePackRuleCompliance{ConfigRuleName: n, ComplianceType: c, Controls: []string{}})
		}
		page, next, err := pageByName(rows, func(r configapi.ConformancePackRuleCompliance) string { return r.ConfigRuleName }, in.NextToken, core.LimitOr(in.Limit, 1000), false)
		if err != nil {
			return err
		}
		out.ConformancePackRuleComplianceList, out.NextToken = append(out.ConformancePackRuleComplianceList[:0], page...), next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetConformancePackComplianceDetails returns the results of a pack's rules.
func (s *Service) GetConformancePackComplianceDetails(ctx context.Context, in *configapi.GetConformancePackComplianceDetailsRequest) (*configapi.GetConformancePackComplianceDetailsResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	f := in.Filters
	if f == nil {
		f = &configapi.ConformancePackEvaluationFilters{}
	}
	limit := core.LimitOr(in.Limit, 100)
	after, err := core.DecodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &configapi.GetConformancePackComplianceDetailsResponse{ConformancePackName: in.ConformancePackName, ConformancePackRuleEvaluationResults: []configapi.ConformancePackEvaluationResult{}}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		out.ConformancePackRuleEvaluationResults, out.NextToken = out.ConformancePackRuleEvaluationResults[:0], ""
		p, err := mustPackTx(tx, account, region, in.ConformancePackName)
		if err != nil {
			return err
		}
		names := p.ruleNames()
		if len(f.ConfigRuleNames) > 0 {
			names = names[:0:0]
			for _, n := range f.ConfigRuleNames {
				full, ok := packRuleName(p, n)
				if !ok {
					return configapi.ErrNoSuchConfigRuleInConformancePack("The rule %s is not in the conformance pack %s.", n, p.Name)
				}
				names = append(names, full)
			}
			slices.Sort(names)
		}
		for _, rule := range names {
			recs, err := tx.ListPrefix(evaluation.KindEvaluation, core.Scope(account, region), rule+"\x00", "", 0)
			if err != nil {
				return err
			}
			for _, r := range recs {
				if after != "" && r.ID <= after {
					continue
				}
				e, err := evaluation.DecodeEval(r.Body)
				if err != nil {
					return err
				}
				if (f.ComplianceType != "" && e.Compliance != string(f.ComplianceType)) ||
					(f.ResourceType != "" && e.ResourceType != f.ResourceType) ||
					(len(f.ResourceIds) > 0 && !slices.Contains(f.ResourceIds, e.ResourceID)) {
					continue
				}
				if len(out.ConformancePackRuleEvaluationResults) == limit {
					q := out.ConformancePackRuleEvaluationResults[limit-1].EvaluationResultIdentifier.EvaluationResultQualifier
					out.NextToken = core.EncodeToken(evaluation.EvalID(q.ConfigRuleName, q.ResourceType, q.ResourceId))
					return nil
				}
				res := e.ResultAPI(configapi.EvaluationModeDetective, "")
				out.ConformancePackRuleEvaluationResults = append(out.ConformancePackRuleEvaluationResults, configapi.ConformancePackEvaluationResult{
					ComplianceType: configapi.ConformancePackComplianceType(e.Compliance), EvaluationResultIdentifier: res.EvaluationResultIdentifier,
					ConfigRuleInvokedTime: res.ConfigRuleInvokedTime, ResultRecordedTime: res.ResultRecordedTime, Annotation: e.Annotation})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetConformancePackComplianceSummary returns the compliance of up to 5 packs.
func (s *Service) GetConformancePackComplianceSummary(ctx context.Context, in *configapi.GetConformancePackComplianceSummaryRequest) (*configapi.GetConformancePackComplianceSummaryResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	out := &configapi.GetConformancePackComplianceSummaryResponse{ConformancePackComplianceSummaryList: []configapi.ConformancePackComplianceSummary{}}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		all, err := selectPacksTx(tx, account, region, in.ConformancePackNames)
		if err != nil {
			return err
		}
		page, next, err := pageByName(all, func(p *packRec) string { return p.Name }, in.NextToken, core.LimitOr(in.Limit, 20), false)
		if err != nil {
			return err
		}
		out.ConformancePackComplianceSummaryList, out.NextToken = out.ConformancePackComplianceSummaryList[:0], next
		for _, p := range page {
			pc, err := packComplianceTx(tx, account, region, p)
			if err != nil {
				return err
			}
			out.ConformancePackComplianceSummaryList = append(out.ConformancePackComplianceSummaryList, configapi.ConformancePackComplianceSummary{
				ConformancePackName: p.Name, ConformancePackComplianceStatus: pc.status()})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListConformancePackComplianceScores returns each pack's score: the percentage of compliant
// (rule, resource) pairs among the compliant and noncompliant ones.
func (s *Service) ListConformancePackComplianceScores(ctx context.Context, in *configapi.ListConformancePackComplianceScoresRequest) (*configapi.ListConformancePackComplianceScoresResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	var names []string
	if in.Filters != nil {
		names = in.Filters.ConformancePackNames
	}
	out := &configapi.ListConformancePackComplianceScoresResponse{ConformancePackComplianceScores: []configapi.ConformancePackComplianceScore{}}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		// The model lists no not-found error: names of packs that do not exist are left out.
		all, err := existingPacksTx(tx, account, region, names)
		if err != nil {
			return err
		}
		var scores []configapi.ConformancePackComplianceScore
		now := core.APITime(s.Clock.Now())
		for _, p := range all {
			pc, err := packComplianceTx(tx, account, region, p)
			if err != nil {
				return err
			}
			scores = append(scores, configapi.ConformancePackComplianceScore{ConformancePackName: p.Name, Score: pc.score(), LastUpdatedTime: now})
		}
		if in.SortBy == configapi.SortByScore {
			slices.SortStableFunc(scores, func(a, b configapi.ConformancePackComplianceScore) int {
				x, errA := strconv.ParseFloat(a.Score, 64)
				y, errB := strconv.ParseFloat(b.Score, 64)
				switch {
				case errA != nil && errB != nil:
					return 0
				case errA != nil:
					return 1
				case errB != nil:
					return -1
				case x < y:
					return -1
				case x > y:
					return 1
				}
				return 0
			})
		}
		if in.SortOrder == configapi.SortOrderDescending {
			slices.Reverse(scores)
		}
		after, err := core.DecodeToken(in.NextToken)
		if err != nil {
			return err
		}
		start := 0
		if after != "" {
			start = slices.IndexFunc(scores, func(sc configapi.ConformancePackComplianceScore) bool { return sc.ConformancePackName == after }) + 1
		}
		limit := core.LimitOr(in.Limit, 100)
		scores = scores[start:]
		if len(scores) > limit {
			out.NextToken = core.EncodeToken(scores[limit-1].ConformancePackName)
			scores = scores[:limit]
		}
		out.ConformancePackComplianceScores = append(out.ConformancePackComplianceScores, scores...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// aggregatePacks returns the packs of the aggregator's sources, with their compliance.
func (s *Service) aggregatePacksTx(tx store.Tx, v *aggregation.AggregateView, account, region string, fn func(src aggregation.Source, p *packRec, pc *packCompliance) (bool, error)) error {
	for _, src := range v.Filtered(account, region) {
		packs, err := selectPacksTx(tx, src.Account, src.Region, nil)
		if err != nil {
			return err
		}
		for _, p := range packs {
			pc, err := packComplianceTx(tx, src.Account, src.Region, p)
			if err != nil {
				return err
			}
			if ok, err := fn(src, p, pc); err != nil || !ok {
				return err
			}
		}
	}
	return nil
}

// DescribeAggregateComplianceByConformancePacks returns one row per pack of the aggregator's
// sources.
func (s *Service) DescribeAggregateComplianceByConformancePacks(ctx context.Context, in *configapi.DescribeAggregateComplianceByConformancePacksRequest) (*configapi.DescribeAggregateComplianceByConformancePacksResponse, error) {
	f := in.Filters
	if f == nil {
		f = &configapi.AggregateConformancePackComplianceFilters{}
	}
	limit := core.LimitOr(in.Limit, 100)
	after, err := core.DecodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &configapi.DescribeAggregateComplianceByConformancePacksResponse{AggregateComplianceByConformancePacks: []configapi.AggregateComplianceByConformancePack{}}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		out.AggregateComplianceByConformancePacks, out.NextToken = out.AggregateComplianceByConformancePacks[:0], ""
		v, err := s.ViewTx(tx, ctx, in.ConfigurationAggregatorName)
		if err != nil {
			return err
		}
		return s.aggregatePacksTx(tx, v, f.AccountId, f.AwsRegion, func(src aggregation.Source, p *packRec, pc *packCompliance) (bool, error) {
			key := src.Account + "\x00" + src.Region + "\x00" + p.Name
			if (after != "" && key <= after) || (f.ConformancePackName != "" && p.Name != f.ConformancePackName) {
				return true, nil
			}
			status := pc.status()
			if f.ComplianceType != "" && status != f.ComplianceType {
				return true, nil
			}
			if len(out.AggregateComplianceByConformancePacks) == limit {
				last := out.AggregateComplianceByConformancePacks[limit-1]
				out.NextToken = core.EncodeToken(last.AccountId + "\x00" + last.AwsRegion + "\x00" + last.ConformancePackName)
				return false, nil
			}
			c, nc := pc.ruleTotals()
			total := int32(len(pc.rules))
			out.AggregateComplianceByConformancePacks = append(out.AggregateComplianceByConformancePacks, configapi.AggregateComplianceByConformancePack{
				ConformancePackName: p.Name, AccountId: src.Account, AwsRegion: src.Region,
				Compliance: &configapi.AggregateConformancePackCompliance{ComplianceType: status, CompliantRuleCount: &c, NonCompliantRuleCount: &nc, TotalRuleCount: &total}})
			return true, nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetAggregateConformancePackComplianceSummary counts compliant and noncompliant packs of the
// aggregator's sources, grouped by ACCOUNT_ID or AWS_REGION (no key: one group).
func (s *Service) GetAggregateConformancePackComplianceSummary(ctx context.Context, in *configapi.GetAggregateConformancePackComplianceSummaryRequest) (*configapi.GetAggregateConformancePackComplianceSummaryResponse, error) {
	f := in.Filters
	if f == nil {
		f = &configapi.AggregateConformancePackComplianceSummaryFilters{}
	}
	type counts struct{ c, nc int32 }
	groups := map[string]*counts{}
	err := s.Store.Read(ctx, func(tx store.Tx) error {
		groups = map[string]*counts{}
		v, err := s.ViewTx(tx, ctx, in.ConfigurationAggregatorName)
		if err != nil {
			return err
		}
		return s.aggregatePacksTx(tx, v, f.AccountId, f.AwsRegion, func(src aggregation.Source, p *packRec, pc *packCompliance) (bool, error) {
			group := ""
			switch in.GroupByKey {
			case configapi.AggregateConformancePackComplianceSummaryGroupKeyAccountId:
				group = src.Account
			case configapi.AggregateConformancePackComplianceSummaryGroupKeyAwsRegion:
				group = src.Region
			}
			g := groups[group]
			if g == nil {
				g = &counts{}
				groups[group] = g
			}
			switch pc.status() {
			case configapi.ConformancePackComplianceTypeCompliant:
				g.c++
			case configapi.ConformancePackComplianceTypeNonCompliant:
				g.nc++
			}
			return true, nil
		})
	})
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(groups))
	for n := range groups {
		names = append(names, n)
	}
	slices.Sort(names)
	var rows []configapi.AggregateConformancePackComplianceSummary
	for _, n := range names {
		g := groups[n]
		rows = append(rows, configapi.AggregateConformancePackComplianceSummary{GroupName: n,
			ComplianceSummary: &configapi.AggregateConformancePackComplianceCount{CompliantConformancePackCount: &g.c, NonCompliantConformancePackCount: &g.nc}})
	}
	page, next, err := pageByName(rows, func(r configapi.AggregateConformancePackComplianceSummary) string { return r.GroupName }, in.NextToken, core.LimitOr(in.Limit, 100), false)
	if err != nil {
		return nil, err
	}
	return &configapi.GetAggregateConformancePackComplianceSummaryResponse{GroupByKey: string(in.GroupByKey),
		AggregateConformancePackComplianceSummaries: append([]configapi.AggregateConformancePackComplianceSummary{}, page...), NextToken: next}, nil
}
