package evaluation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/orgconfig/orgconfig/internal/configservice/core"
	"github.com/orgconfig/orgconfig/internal/configservice/recording"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/guard"
	"github.com/orgconfig/orgconfig/internal/iam"
	"github.com/orgconfig/orgconfig/internal/rules"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Background jobs of rule evaluation. Every job is idempotent: a crash in the middle runs it
// again from the start.
const (
	// jobEvaluateChanges evaluates the change-triggered rules of a scope against the resources
	// whose items changed (KindEvalPending markers). Key: the scope.
	jobEvaluateChanges = "config-evaluate-changes"
	// jobRuleEvaluate evaluates one rule against every resource in its scope (a new or changed
	// rule, StartConfigRulesEvaluation, a periodic run). Key: scope + "|" + rule name.
	jobRuleEvaluate = "config-rule-evaluate"
	// jobRulePeriodic runs a periodic rule, then schedules its next run. Key: as jobRuleEvaluate.
	jobRulePeriodic = "config-rule-periodic"
	// jobRuleDelete removes a DELETING rule's results, then the rule.
	jobRuleDelete = "config-rule-delete"
)

// KindEvalPending marks a resource whose item changed since the scope's change-triggered
// rules last evaluated it: id = ItemID(type, id), empty body.
const KindEvalPending = "config-eval-pending"

// evaluatePage is the number of resources one evaluation transaction handles.
const evaluatePage = 500

// ruleJob is the payload of the jobs about one rule.
type ruleJob struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	Rule    string `json:"rule"`
	RuleID  string `json:"ruleId"`
}

type scopeJob struct {
	Account string `json:"account"`
	Region  string `json:"region"`
}

func (s *Service) registerEvaluationJobs() {
	s.Jobs.Register(jobEvaluateChanges, s.runEvaluateChanges)
	s.Jobs.Register(jobRuleEvaluate, s.runRuleEvaluate)
	s.Jobs.Register(jobRulePeriodic, s.runRulePeriodic)
	s.Jobs.Register(jobRuleDelete, s.runRuleDelete)
}

func (s *Service) enqueueRuleJobTx(tx store.Tx, kind, account, region string, r *ruleRec, at time.Time) error {
	b, err := json.Marshal(ruleJob{Account: account, Region: region, Rule: r.Name(), RuleID: r.Rule.ConfigRuleId})
	if err != nil {
		return err
	}
	return tx.Enqueue(store.Job{Kind: kind, Key: core.Scope(account, region) + "|" + r.Name(), Payload: b, RunAt: at})
}

// enqueueRuleEvaluationTx schedules the evaluation of a new, changed or restarted rule, and the
// next periodic run of a periodic rule.
func (s *Service) enqueueRuleEvaluationTx(tx store.Tx, account, region string, r *ruleRec, now time.Time) error {
	if err := s.enqueueRuleJobTx(tx, jobRuleEvaluate, account, region, r, now); err != nil {
		return err
	}
	if p := r.periodic(); p > 0 {
		return s.enqueueRuleJobTx(tx, jobRulePeriodic, account, region, r, now.Add(p))
	}
	return nil
}

// markChangedTx records, in the transaction of an item write, that the changed resources of a
// scope with rules must be evaluated, and enqueues the scope's evaluation job.
func (s *Service) markChangedTx(tx store.Tx, account, region string, itemIDs []string) error {
	if len(itemIDs) == 0 {
		return nil
	}
	scope := core.Scope(account, region)
	recs := make([]store.Record, len(itemIDs))
	for i, id := range itemIDs {
		recs[i] = store.Record{Kind: KindEvalPending, Scope: scope, ID: id, Body: nil}
	}
	if err := tx.PutMany(recs); err != nil {
		return err
	}
	b, err := json.Marshal(scopeJob{Account: account, Region: region})
	if err != nil {
		return err
	}
	return tx.Enqueue(store.Job{Kind: jobEvaluateChanges, Key: scope, Payload: b, RunAt: s.Clock.Now()})
}

// evalEnv implements rules.Env inside a transaction.
type evalEnv struct {
	tx              store.Tx
	account, region string
	pp              *rules.PasswordPolicy
	ppLoaded        bool
	err             error
}

func (e *evalEnv) Item(resourceType, resourceID string) *rules.Item {
	ci, err := recording.GetItemTx(e.tx, e.account, e.region, resourceType, resourceID)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) && e.err == nil {
			e.err = err
		}
		return nil
	}
	if recording.DeletedStatus(ci.ConfigurationItemStatus) {
		return nil
	}
	return ruleItem(ci)
}

func (e *evalEnv) PasswordPolicy() *rules.PasswordPolicy {
	if !e.ppLoaded {
		e.ppLoaded = true
		pp, err := iam.PasswordPolicyTx(e.tx, e.account)
		if err != nil {
			e.err = err
			return nil
		}
		if pp != nil {
			e.pp = &rules.PasswordPolicy{
				MinimumPasswordLength:      int(deref(pp.MinimumPasswordLength)),
				RequireSymbols:             derefBool(pp.RequireSymbols),
				RequireNumbers:             derefBool(pp.RequireNumbers),
				RequireUppercaseCharacters: derefBool(pp.RequireUppercaseCharacters),
				RequireLowercaseCharacters: derefBool(pp.RequireLowercaseCharacters),
				MaxPasswordAge:             int(deref(pp.MaxPasswordAge)),
				PasswordReusePrevention:    int(deref(pp.PasswordReusePrevention)),
			}
		}
	}
	return e.pp
}

func deref(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}

func derefBool(p *bool) bool { return p != nil && *p }

// ruleItem is the rules package's view of a configuration item.
func ruleItem(ci *configapi.ConfigurationItem) *rules.Item {
	it := &rules.Item{
		AccountID: ci.AccountId, Region: ci.AwsRegion, ResourceType: string(ci.ResourceType), ResourceID: ci.ResourceId,
		ResourceName: ci.ResourceName, ARN: ci.Arn, Status: string(ci.ConfigurationItemStatus), Tags: ci.Tags,
	}
	if ci.Configuration != "" {
		it.Configuration = json.RawMessage(ci.Configuration)
	}
	if len(ci.SupplementaryConfiguration) > 0 {
		it.Supplementary = make(map[string]json.RawMessage, len(ci.SupplementaryConfiguration))
		for k, v := range ci.SupplementaryConfiguration {
			it.Supplementary[k] = json.RawMessage(v)
		}
	}
	return it
}

// guardDocument is the document a Guard policy evaluates: the configuration item with its
// configuration and supplementary configuration as JSON values, as AWS Config gives it.
func guardDocument(ci *configapi.ConfigurationItem) (any, error) {
	b, err := json.Marshal(ci)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	if ci.Configuration != "" {
		var c any
		if json.Unmarshal([]byte(ci.Configuration), &c) == nil {
			doc["configuration"] = c
		}
	}
	sup := map[string]any{}
	for k, v := range ci.SupplementaryConfiguration {
		var c any
		if json.Unmarshal([]byte(v), &c) == nil {
			sup[k] = c
		} else {
			sup[k] = v
		}
	}
	doc["supplementaryConfiguration"] = sup
	return doc, nil
}

// maxCachedPolicies bounds the Guard policies a Service keeps parsed (a policy text is at most
// 10,000 characters, so a full cache holds a few MB).
const maxCachedPolicies = 256

// policyEntry is a Guard policy text parsed: the policy, or why it does not parse.
type policyEntry struct {
	p   *guard.Policy
	err error
}

// parsePolicy parses a CUSTOM_POLICY rule's Guard policy, through s.policies.
func (s *Service) parsePolicy(text string) (*guard.Policy, error) {
	if e, ok := s.policies.Get(text); ok {
		return e.p, e.err
	}
	p, err := guard.Parse(text)
	s.policies.PutMax(text, &policyEntry{p, err}, maxCachedPolicies)
	return p, err
}

// evaluator evaluates one rule against items within a transaction.
type evaluator struct {
	s       *Service
	r       *ruleRec
	env     *evalEnv
	managed *rules.Rule
	params  rules.Params
	policy  *guard.Policy
	// problem, when set, says why the rule cannot be evaluated (its status reports it).
	problemCode, problem string
	invokes              []lambdaInvocation
	now                  time.Time
}

func (s *Service) newEvaluator(tx store.Tx, account, region string, r *ruleRec, now time.Time) *evaluator {
	ev := &evaluator{s: s, r: r, env: &evalEnv{tx: tx, account: account, region: region}, now: now}
	switch r.owner() {
	case ownerAWS:
		m := r.managed()
		switch {
		case m == nil:
			ev.problemCode, ev.problem = "UnknownManagedRule", "The managed rule "+r.Rule.Source.SourceIdentifier+" is unknown."
		case m.Identifier == processCheck:
			ev.managed = m // its results come from PutExternalEvaluation
		case !m.Evaluable:
			ev.problemCode, ev.problem = "NotEvaluated", "orgconfig accepts the managed rule "+m.Identifier+" but cannot evaluate it: it reports no results."
		default:
			p, err := rules.ParseParams(m, r.Rule.InputParameters)
			if err != nil {
				ev.problemCode, ev.problem = "InvalidParameterValueException", err.Error()
			}
			ev.managed, ev.params = m, p
		}
	case ownerPolicy:
		p, err := ev.s.parsePolicy(r.Rule.Source.CustomPolicyDetails.PolicyText)
		var unsupported *guard.UnsupportedError
		switch {
		case errors.As(err, &unsupported):
			ev.problemCode, ev.problem = "NotEvaluated", "orgconfig cannot evaluate this Guard policy: "+err.Error()
		case err != nil:
			ev.problemCode, ev.problem = "InvalidPolicy", err.Error()
		}
		ev.policy = p
	}
	return ev
}

// item evaluates the rule against one current item (nil: the resource has none) and returns
// the change of its stored result, if any.
func (ev *evaluator) item(ci *configapi.ConfigurationItem, resourceType, resourceID string) (resultChange, bool) {
	remove := resultChange{ResourceType: resourceType, ResourceID: resourceID, Remove: true}
	if ci == nil || recording.DeletedStatus(ci.ConfigurationItemStatus) || ci.ConfigurationItemStatus == configapi.ConfigurationItemStatusResourceNotRecorded {
		if ci != nil && ev.r.owner() == ownerLambda && ev.r.inScope(ci) {
			ev.invokes = append(ev.invokes, ev.s.lambdaInvocation(ev.env.account, ev.env.region, ev.r, ci, true, ev.now))
		}
		return remove, true
	}
	if !ev.r.inScope(ci) {
		return remove, true
	}
	if ev.problem != "" {
		return resultChange{}, false
	}
	ordering := ci.ConfigurationItemCaptureTime.Time
	switch ev.r.owner() {
	case ownerAWS:
		if ev.managed == nil || ev.managed.EvaluateItem == nil {
			return resultChange{}, false
		}
		res, ok := ev.managed.EvaluateItem(ev.env, ruleItem(ci), ev.params)
		if !ok {
			return remove, true
		}
		return resultChange{ResourceType: resourceType, ResourceID: resourceID, Compliance: res.Compliance,
			Annotation: truncate(res.Annotation, 256), Ordering: ordering, Invoked: ev.now}, true
	case ownerPolicy:
		doc, err := guardDocument(ci)
		if err != nil {
			return resultChange{}, false
		}
		out := ev.policy.Evaluate(doc)
		c := notApplicable
		switch out.Status {
		case guard.Pass:
			c = Compliant
		case guard.Fail:
			c = NonCompliant
		}
		return resultChange{ResourceType: resourceType, ResourceID: resourceID, Compliance: c,
			Annotation: truncate(guardAnnotation(out), 256), Ordering: ordering, Invoked: ev.now}, true
	case ownerLambda:
		ev.invokes = append(ev.invokes, ev.s.lambdaInvocation(ev.env.account, ev.env.region, ev.r, ci, false, ev.now))
	}
	return resultChange{}, false
}

func guardAnnotation(o guard.Outcome) string {
	for _, r := range o.Rules {
		if r.Status == guard.Fail {
			msg := "Guard rule " + r.Name + " failed"
			if len(r.Messages) > 0 {
				msg += ": " + r.Messages[0]
			}
			return msg
		}
	}
	return ""
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// account evaluates an account-level periodic managed rule.
func (ev *evaluator) account() (resultChange, bool) {
	if ev.problem != "" || ev.managed == nil || ev.managed.EvaluateAccount == nil {
		return resultChange{}, false
	}
	res := ev.managed.EvaluateAccount(ev.env, ev.env.account, ev.params)
	return resultChange{ResourceType: accountResourceType, ResourceID: ev.env.account, Compliance: res.Compliance,
		Annotation: truncate(res.Annotation, 256), Ordering: ev.now, Invoked: ev.now}, true
}

// finishStatus updates the rule's evaluation status after a run that evaluated (or could not).
func (ev *evaluator) finishStatus(r *ruleRec) {
	r.Status.FirstEvaluationStarted = true
	if ev.problem != "" {
		r.Status.LastFailedEvaluation = ev.now
		r.Status.LastErrorCode, r.Status.LastErrorMessage = ev.problemCode, truncate(ev.problem, 1000)
		return
	}
	if r.owner() != ownerLambda {
		r.Status.LastSuccessfulEvaluation = ev.now
		r.Status.LastErrorCode, r.Status.LastErrorMessage = "", ""
	}
}

// runEvaluateChanges evaluates the pending resources of a scope with its change-triggered
// rules, a page per transaction, and invokes the Lambda rules after each commit.
func (s *Service) runEvaluateChanges(ctx context.Context, job store.Job) error {
	var p scopeJob
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return fmt.Errorf("configservice: evaluation job payload: %w", err)
	}
	scope := core.Scope(p.Account, p.Region)
	for {
		var (
			invokes []lambdaInvocation
			more    bool
		)
		err := s.Store.Write(ctx, func(tx store.Tx) error {
			invokes, more = nil, false
			marks, err := tx.List(KindEvalPending, scope, "", evaluatePage)
			if err != nil {
				return err
			}
			more = len(marks) == evaluatePage
			all, err := RulesTx(tx, p.Account, p.Region)
			if err != nil {
				return err
			}
			now := s.Clock.Now().UTC()
			var evs []*evaluator
			for _, r := range all {
				if !r.deleting() && r.changeTriggered() && r.hasMode(configapi.EvaluationModeDetective) {
					evs = append(evs, s.newEvaluator(tx, p.Account, p.Region, r, now))
				}
			}
			changes := make([][]resultChange, len(evs))
			for _, m := range marks {
				typ, id, _ := recording.CutItemID(m.ID)
				ci, err := recording.GetItemTx(tx, p.Account, p.Region, typ, id)
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					return err
				}
				for i, ev := range evs {
					if c, ok := ev.item(ci, typ, id); ok {
						changes[i] = append(changes[i], c)
					}
				}
				if _, err := tx.Delete(KindEvalPending, scope, m.ID); err != nil {
					return err
				}
			}
			for i, ev := range evs {
				if ev.env.err != nil {
					return ev.env.err
				}
				if err := applyResultsTx(tx, scope, ev.r.Name(), changes[i], now); err != nil {
					return err
				}
				if len(marks) > 0 {
					ev.finishStatus(ev.r)
					if err := saveRuleTx(tx, p.Account, p.Region, ev.r); err != nil {
						return err
					}
				}
				invokes = append(invokes, ev.invokes...)
			}
			if !more {
				return tx.CompleteJob(job.Lease())
			}
			return nil
		})
		if err != nil {
			return err
		}
		s.invokeAll(ctx, invokes)
		if !more {
			return nil
		}
	}
}

// runRuleEvaluate evaluates one rule against every item of its scope.
func (s *Service) runRuleEvaluate(ctx context.Context, job store.Job) error {
	var p ruleJob
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return fmt.Errorf("configservice: rule job payload: %w", err)
	}
	if err := s.evaluateRule(ctx, p); err != nil {
		return err
	}
	return s.Store.Write(ctx, func(tx store.Tx) error { return tx.CompleteJob(job.Lease()) })
}

// evaluateRule evaluates a rule against every resource in its scope (or its account, for an
// account-level rule), a page of items per transaction, and leaves the rule ACTIVE.
func (s *Service) evaluateRule(ctx context.Context, p ruleJob) error {
	scope := core.Scope(p.Account, p.Region)
	after := ""
	for {
		var (
			invokes []lambdaInvocation
			next    string
			gone    bool
		)
		err := s.Store.Write(ctx, func(tx store.Tx) error {
			invokes, next, gone = nil, "", false
			r, err := ruleTx(tx, p.Account, p.Region, p.Rule)
			if err != nil {
				return err
			}
			if r == nil || r.Rule.ConfigRuleId != p.RuleID || r.deleting() {
				gone = true
				return nil
			}
			now := s.Clock.Now().UTC()
			ev := s.newEvaluator(tx, p.Account, p.Region, r, now)
			var changes []resultChange
			m := r.managed()
			switch {
			case !r.hasMode(configapi.EvaluationModeDetective):
			case m != nil && m.EvaluateAccount != nil:
				if c, ok := ev.account(); ok {
					changes = append(changes, c)
				}
			case m != nil && m.EvaluateItem == nil:
				// Not evaluable (the status says so), or fed from outside
				// (AWS_CONFIG_PROCESS_CHECK): nothing to evaluate.
			case r.owner() == ownerLambda && !r.changeTriggered():
				if after == "" {
					ev.invokes = append(ev.invokes, s.lambdaInvocation(p.Account, p.Region, r, nil, false, now))
				}
			default:
				recs, err := listScopeItemsTx(tx, scope, r.scopeTypes(), after, evaluatePage)
				if err != nil {
					return err
				}
				for _, rec := range recs {
					ci, err := recording.DecodeItem(rec.Body)
					if err != nil {
						return err
					}
					if c, ok := ev.item(ci, string(ci.ResourceType), ci.ResourceId); ok {
						changes = append(changes, c)
					}
				}
				if len(recs) == evaluatePage {
					next = recs[len(recs)-1].ID
				}
			}
			if ev.env.err != nil {
				return ev.env.err
			}
			if err := applyResultsTx(tx, scope, r.Name(), changes, now); err != nil {
				return err
			}
			invokes = ev.invokes
			if next == "" {
				ev.finishStatus(r)
				r.Rule.ConfigRuleState = configapi.ConfigRuleStateActive
				return saveRuleTx(tx, p.Account, p.Region, r)
			}
			return nil
		})
		if err != nil {
			return err
		}
		s.invokeAll(ctx, invokes)
		if gone || next == "" {
			return nil
		}
		after = next
	}
}

// runRulePeriodic runs a periodic rule and schedules its next run, while the rule exists.
func (s *Service) runRulePeriodic(ctx context.Context, job store.Job) error {
	var p ruleJob
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return fmt.Errorf("configservice: rule job payload: %w", err)
	}
	if err := s.evaluateRule(ctx, p); err != nil {
		return err
	}
	return s.Store.Write(ctx, func(tx store.Tx) error {
		r, err := ruleTx(tx, p.Account, p.Region, p.Rule)
		if err != nil {
			return err
		}
		if r != nil && r.Rule.ConfigRuleId == p.RuleID && !r.deleting() {
			if period := r.periodic(); period > 0 {
				if err := s.enqueueRuleJobTx(tx, jobRulePeriodic, p.Account, p.Region, r, s.Clock.Now().Add(period)); err != nil {
					return err
				}
			}
		}
		return tx.CompleteJob(job.Lease())
	})
}

// runRuleDelete removes a DELETING rule's results and then the rule.
func (s *Service) runRuleDelete(ctx context.Context, job store.Job) error {
	var p ruleJob
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return fmt.Errorf("configservice: rule job payload: %w", err)
	}
	return s.Store.Write(ctx, func(tx store.Tx) error {
		r, err := ruleTx(tx, p.Account, p.Region, p.Rule)
		if err != nil {
			return err
		}
		if r != nil && r.Rule.ConfigRuleId == p.RuleID && r.deleting() {
			if err := deleteRuleResultsTx(tx, p.Account, p.Region, r.Name()); err != nil {
				return err
			}
			if _, err := tx.Delete(KindRule, core.Scope(p.Account, p.Region), r.Name()); err != nil {
				return err
			}
			if err := core.DeleteResourceTagsTx(tx, r.Rule.ConfigRuleArn); err != nil {
				return err
			}
			if err := addActiveRulesTx(tx, core.Scope(p.Account, p.Region), -1); err != nil {
				return err
			}
			// Its remediation exceptions go with it (its configuration blocked the deletion).
			if err := deleteRuleKeyedTx(tx, KindRemediationException, core.Scope(p.Account, p.Region), r.Name()); err != nil {
				return err
			}
		}
		return tx.CompleteJob(job.Lease())
	})
}

// scopeTypes returns the resource types a rule's scope covers, sorted, or nil for every type.
func (r *ruleRec) scopeTypes() []string {
	var types []string
	if sc := r.Rule.Scope; sc != nil {
		types = sc.ComplianceResourceTypes
	}
	if len(types) == 0 {
		if m := r.managed(); m != nil {
			types = m.ResourceTypes
		}
	}
	if len(types) == 0 {
		return nil
	}
	types = slices.Clone(types)
	slices.Sort(types)
	return slices.Compact(types)
}

// listScopeItemsTx lists up to limit current items of scope after the item ID after, of the
// given types only (sorted; nil: every type), in item ID order.
func listScopeItemsTx(tx store.Tx, scope string, types []string, after string, limit int) ([]store.Record, error) {
	if types == nil {
		return tx.List(recording.KindItem, scope, after, limit)
	}
	var out []store.Record
	for _, t := range types {
		prefix := t + "\x00"
		cursor := ""
		switch {
		case strings.HasPrefix(after, prefix):
			cursor = after
		case after > prefix:
			continue // this type's items are all before the cursor
		}
		recs, err := tx.ListPrefix(recording.KindItem, scope, prefix, cursor, limit-len(out))
		if err != nil {
			return nil, err
		}
		out = append(out, recs...)
		if len(out) == limit {
			break
		}
	}
	return out, nil
}
