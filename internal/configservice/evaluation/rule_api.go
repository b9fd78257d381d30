package evaluation

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/orgconfig/orgconfig/internal/configservice/core"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/store"
)

// describeRulesPage is the page size of DescribeConfigRules (undocumented; 25 as the name list).
const describeRulesPage = 25

// startEvaluationInterval is the rate limit of StartConfigRulesEvaluation per rule.
const startEvaluationInterval = time.Minute

// PutConfigRule creates a rule, or updates the rule with the same name (or, when no name is
// given, the ID or ARN). A new or changed rule is evaluated against every resource in its
// scope at once; periodic rules then run at their frequency.
func (s *Service) PutConfigRule(ctx context.Context, in *configapi.PutConfigRuleRequest) error {
	account, region, err := core.Where(ctx)
	if err != nil {
		return err
	}
	cr := in.ConfigRule
	if cr == nil {
		return configapi.ErrInvalidParameterValue("The ConfigRule is required.")
	}
	if err := core.ValidateTags(in.Tags); err != nil {
		return err
	}
	return s.Store.Write(ctx, func(tx store.Tx) error {
		existing, err := s.findRuleTx(tx, account, region, cr)
		if err != nil {
			return err
		}
		rule := *cr
		if existing == nil && (cr.ConfigRuleArn != "" || cr.ConfigRuleId != "") {
			if cr.ConfigRuleName == "" {
				return noSuchRule(cmp.Or(cr.ConfigRuleId, cr.ConfigRuleArn))
			}
			return configapi.ErrInvalidParameterValue("The ConfigRuleArn and ConfigRuleId must not be set when a rule is created.")
		}
		if existing != nil {
			if existing.Rule.CreatedBy != "" {
				return serviceLinkedRule()
			}
			if existing.deleting() {
				return ruleDeleting(existing.Name())
			}
			rule.ConfigRuleName = existing.Name()
		}
		if _, err := ValidateRule(&rule); err != nil {
			return err
		}
		if string(rule.Source.Owner) != ownerLambda {
			rec, err := s.RecorderTx(tx, account, region)
			if err != nil {
				return err
			}
			if rec == nil {
				return configapi.ErrNoAvailableConfigurationRecorder("You must create a configuration recorder before you can create or update a Config rule.")
			}
		}
		now := s.Clock.Now().UTC()
		r := &ruleRec{Rule: rule, Created: now}
		if existing != nil {
			r.Status, r.Created, r.LastStartEvaluation = existing.Status, existing.Created, existing.LastStartEvaluation
			r.Rule.ConfigRuleId, r.Rule.ConfigRuleArn = existing.Rule.ConfigRuleId, existing.Rule.ConfigRuleArn
			// Results of resources the new definition no longer covers must not linger: a
			// changed rule starts from no results and is evaluated again below.
			if !sameDefinition(&existing.Rule, &rule) {
				if err := deleteRuleResultsTx(tx, account, region, existing.Name()); err != nil {
					return err
				}
			}
		} else {
			n, err := tx.Count(KindRule, core.Scope(account, region))
			if err != nil {
				return err
			}
			if n >= maxConfigRules {
				return configapi.ErrMaxNumberOfConfigRulesExceeded("Failed to put config rule '%s' because the maximum number of config rules: %d is reached.", rule.ConfigRuleName, maxConfigRules)
			}
			r.Rule.ConfigRuleId = "config-rule-" + s.IDs.Lower(6)
			r.Rule.ConfigRuleArn = ruleARN(account, region, r.Rule.ConfigRuleId, "")
			r.Status.FirstActivated = now
			if err := addActiveRulesTx(tx, core.Scope(account, region), 1); err != nil {
				return err
			}
			if err := core.CreateResourceTagsTx(tx, r.Rule.ConfigRuleArn, in.Tags); err != nil {
				return err
			}
		}
		r.Rule.ConfigRuleState = configapi.ConfigRuleStateActive
		if len(r.Rule.EvaluationModes) == 0 {
			r.Rule.EvaluationModes = []configapi.EvaluationModeConfiguration{{Mode: configapi.EvaluationModeDetective}}
		}
		if r.periodic() > 0 && r.Rule.MaximumExecutionFrequency == "" && r.owner() == ownerAWS {
			r.Rule.MaximumExecutionFrequency = configapi.MaximumExecutionFrequencyTwentyFourHours
		}
		if err := saveRuleTx(tx, account, region, r); err != nil {
			return err
		}
		// A new or changed rule evaluates every resource in scope now.
		return s.enqueueRuleEvaluationTx(tx, account, region, r, now)
	})
}

// findRuleTx returns the rule cr designates: by name, else by ID or ARN; nil when none.
func (s *Service) findRuleTx(tx store.Tx, account, region string, cr *configapi.ConfigRule) (*ruleRec, error) {
	if cr.ConfigRuleName != "" {
		return ruleTx(tx, account, region, cr.ConfigRuleName)
	}
	if cr.ConfigRuleId == "" && cr.ConfigRuleArn == "" {
		return nil, nil
	}
	all, err := RulesTx(tx, account, region)
	if err != nil {
		return nil, err
	}
	for _, r := range all {
		if (cr.ConfigRuleId != "" && r.Rule.ConfigRuleId == cr.ConfigRuleId) || (cr.ConfigRuleArn != "" && r.Rule.ConfigRuleArn == cr.ConfigRuleArn) {
			return r, nil
		}
	}
	return nil, nil
}

// selectRulesTx returns the rules named (every rule when names is empty), in name order; an
// unknown name is NoSuchConfigRuleException.
func selectRulesTx(tx store.Tx, account, region string, names []string) ([]*ruleRec, error) {
	if len(names) == 0 {
		return RulesTx(tx, account, region)
	}
	out := make([]*ruleRec, 0, len(names))
	for _, n := range names {
		r, err := ruleTx(tx, account, region, n)
		if err != nil {
			return nil, err
		}
		if r == nil {
			return nil, noSuchRule(n)
		}
		if !slices.ContainsFunc(out, func(x *ruleRec) bool { return x.Name() == n }) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b *ruleRec) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}

// pageRules returns the page of rs after the cursor tok, of at most size rules, and the next
// token.
func pageRules(rs []*ruleRec, tok string, size int) ([]*ruleRec, string, error) {
	after, err := core.DecodeToken(tok)
	if err != nil {
		return nil, "", err
	}
	i := 0
	if after != "" {
		i, _ = slices.BinarySearchFunc(rs, after, func(r *ruleRec, name string) int {
			if r.Name() <= name {
				return -1
			}
			return 1
		})
	}
	rs = rs[i:]
	if len(rs) > size {
		return rs[:size], core.EncodeToken(rs[size-1].Name()), nil
	}
	return rs, "", nil
}

// DescribeConfigRules returns the rules named, or every rule, 25 per page.
func (s *Service) DescribeConfigRules(ctx context.Context, in *configapi.DescribeConfigRulesRequest) (*configapi.DescribeConfigRulesResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	out := &configapi.DescribeConfigRulesResponse{ConfigRules: []configapi.ConfigRule{}}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		rs, err := selectRulesTx(tx, account, region, in.ConfigRuleNames)
		if err != nil {
			return err
		}
		if f := in.Filters; f != nil && f.EvaluationMode != "" {
			rs = slices.DeleteFunc(rs, func(r *ruleRec) bool { return !r.hasMode(f.EvaluationMode) })
		}
		page, next, err := pageRules(rs, in.NextToken, describeRulesPage)
		if err != nil {
			return err
		}
		for _, r := range page {
			out.ConfigRules = append(out.ConfigRules, r.Rule)
		}
		out.NextToken = next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteConfigRule deletes a rule and its evaluation results. The rule is DELETING until a
// background job has removed its results; a rule with a remediation configuration, or owned
// by a service, cannot be deleted.
func (s *Service) DeleteConfigRule(ctx context.Context, in *configapi.DeleteConfigRuleRequest) error {
	account, region, err := core.Where(ctx)
	if err != nil {
		return err
	}
	return s.Store.Write(ctx, func(tx store.Tx) error {
		r, err := ruleTx(tx, account, region, in.ConfigRuleName)
		if err != nil {
			return err
		}
		if r == nil {
			return noSuchRule(in.ConfigRuleName)
		}
		if r.Rule.CreatedBy != "" {
			return serviceLinkedRule()
		}
		if r.deleting() {
			return ruleDeleting(r.Name())
		}
		if has, err := hasRemediationTx(tx, account, region, r.Name()); err != nil {
			return err
		} else if has {
			return configapi.ErrResourceInUse("The rule %s currently has a RemediationConfiguration. Please delete the RemediationConfiguration and try again.", r.Name())
		}
		return s.startRuleDeletionTx(tx, account, region, r)
	})
}

// startRuleDeletionTx marks a rule DELETING and enqueues the job that removes it with its
// results (also used by organization rules and conformance packs).
func (s *Service) startRuleDeletionTx(tx store.Tx, account, region string, r *ruleRec) error {
	r.Rule.ConfigRuleState = configapi.ConfigRuleStateDeleting
	r.Status.LastSuccessfulEvaluation = time.Time{}
	if err := saveRuleTx(tx, account, region, r); err != nil {
		return err
	}
	return s.enqueueRuleJobTx(tx, jobRuleDelete, account, region, r, s.Clock.Now())
}

// DescribeConfigRuleEvaluationStatus returns the evaluation status of the rules named, or of
// every rule, Limit (default and at most 50) per page.
func (s *Service) DescribeConfigRuleEvaluationStatus(ctx context.Context, in *configapi.DescribeConfigRuleEvaluationStatusRequest) (*configapi.DescribeConfigRuleEvaluationStatusResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	limit := core.LimitOr(in.Limit, 50)
	out := &configapi.DescribeConfigRuleEvaluationStatusResponse{ConfigRulesEvaluationStatus: []configapi.ConfigRuleEvaluationStatus{}}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		rs, err := selectRulesTx(tx, account, region, in.ConfigRuleNames)
		if err != nil {
			return err
		}
		page, next, err := pageRules(rs, in.NextToken, limit)
		if err != nil {
			return err
		}
		for _, r := range page {
			out.ConfigRulesEvaluationStatus = append(out.ConfigRulesEvaluationStatus, r.statusAPI())
		}
		out.NextToken = next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (r *ruleRec) statusAPI() configapi.ConfigRuleEvaluationStatus {
	st := r.Status
	t := func(v time.Time) awsproto.Time {
		if v.IsZero() {
			return awsproto.Time{}
		}
		return awsproto.NewTime(v)
	}
	started := st.FirstEvaluationStarted
	return configapi.ConfigRuleEvaluationStatus{
		ConfigRuleName: r.Name(), ConfigRuleArn: r.Rule.ConfigRuleArn, ConfigRuleId: r.Rule.ConfigRuleId,
		LastSuccessfulInvocationTime: t(st.LastSuccessfulInvocation), LastFailedInvocationTime: t(st.LastFailedInvocation),
		LastSuccessfulEvaluationTime: t(st.LastSuccessfulEvaluation), LastFailedEvaluationTime: t(st.LastFailedEvaluation),
		FirstActivatedTime: t(st.FirstActivated), LastErrorCode: st.LastErrorCode, LastErrorMessage: st.LastErrorMessage,
		FirstEvaluationStarted: &started,
	}
}

// StartConfigRulesEvaluation evaluates the rules again against the last known configuration
// items. A rule evaluated on demand less than a minute ago, or already evaluating, is
// LimitExceededException.
func (s *Service) StartConfigRulesEvaluation(ctx context.Context, in *configapi.StartConfigRulesEvaluationRequest) (*configapi.StartConfigRulesEvaluationResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	if len(in.ConfigRuleNames) == 0 {
		return nil, configapi.ErrInvalidParameterValue("The ConfigRuleNames must contain between 1 and 25 rule names.")
	}
	err = s.Store.Write(ctx, func(tx store.Tx) error {
		now := s.Clock.Now().UTC()
		rs, err := selectRulesTx(tx, account, region, in.ConfigRuleNames)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if r.deleting() {
				return ruleDeleting(r.Name())
			}
			if r.Rule.ConfigRuleState == configapi.ConfigRuleStateEvaluating ||
				(!r.LastStartEvaluation.IsZero() && now.Sub(r.LastStartEvaluation) < startEvaluationInterval) {
				return configapi.ErrLimitExceeded("The evaluation of the rule %s is already in progress or was started less than a minute ago. Try again later.", r.Name())
			}
		}
		for _, r := range rs {
			r.LastStartEvaluation = now
			r.Rule.ConfigRuleState = configapi.ConfigRuleStateEvaluating // until the job is done
			if err := s.enqueueRuleEvaluationTx(tx, account, region, r, now); err != nil {
				return err
			}
			if err := saveRuleTx(tx, account, region, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &configapi.StartConfigRulesEvaluationResponse{}, nil
}

// DeleteEvaluationResults deletes the evaluation results of a rule: its compliance becomes
// INSUFFICIENT_DATA until it is evaluated again.
func (s *Service) DeleteEvaluationResults(ctx context.Context, in *configapi.DeleteEvaluationResultsRequest) (*configapi.DeleteEvaluationResultsResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	err = s.Store.Write(ctx, func(tx store.Tx) error {
		r, err := ruleTx(tx, account, region, in.ConfigRuleName)
		if err != nil {
			return err
		}
		if r == nil {
			return noSuchRule(in.ConfigRuleName)
		}
		if r.deleting() || r.Rule.ConfigRuleState == configapi.ConfigRuleStateEvaluating {
			return configapi.ErrResourceInUse("The rule %s is currently being evaluated or deleted. Please retry after some time.", r.Name())
		}
		return deleteRuleResultsTx(tx, account, region, r.Name())
	})
	if err != nil {
		return nil, err
	}
	return &configapi.DeleteEvaluationResultsResponse{}, nil
}

// sameDefinition reports whether two rules have the same scope, source and parameters.
func sameDefinition(a, b *configapi.ConfigRule) bool {
	ja, _ := json.Marshal([]any{a.Scope, a.Source, a.InputParameters})
	jb, _ := json.Marshal([]any{b.Scope, b.Source, b.InputParameters})
	return string(ja) == string(jb)
}

// GetCustomRulePolicy returns the Guard policy text of a CUSTOM_POLICY rule (empty for other
// owners).
func (s *Service) GetCustomRulePolicy(ctx context.Context, in *configapi.GetCustomRulePolicyRequest) (*configapi.GetCustomRulePolicyResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	out := &configapi.GetCustomRulePolicyResponse{}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		r, err := ruleTx(tx, account, region, in.ConfigRuleName)
		if err != nil {
			return err
		}
		if r == nil {
			return noSuchRule(in.ConfigRuleName)
		}
		if d := r.Rule.Source.CustomPolicyDetails; d != nil {
			out.PolicyText = d.PolicyText
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
