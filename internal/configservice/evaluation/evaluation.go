package evaluation

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/orgconfig/orgconfig/internal/configservice/core"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Record kinds of evaluation results. All are scoped to Scope(account, region).
const (
	// KindEvaluation is the latest result of a rule for a resource: id = rule name + "\x00" +
	// resource type + "\x00" + resource id, body evalRec.
	KindEvaluation = "config-eval"
	// KindEvaluationByResource is the same result keyed by resource: id = resource type +
	// "\x00" + resource id + "\x00" + rule name, same body.
	KindEvaluationByResource = "config-eval-res"
	// KindRuleCompliance counts a rule's results by compliance type: id = rule name, body
	// RuleCounts.
	KindRuleCompliance = "config-rule-compliance"
)

// Compliance types of results.
const (
	Compliant     = string(configapi.ComplianceTypeCompliant)
	NonCompliant  = string(configapi.ComplianceTypeNonCompliant)
	notApplicable = string(configapi.ComplianceTypeNotApplicable)
	insufficient  = string(configapi.ComplianceTypeInsufficientData)
)

// evalRec is one evaluation result.
type evalRec struct {
	Rule         string    `json:"rule"`
	ResourceType string    `json:"type"`
	ResourceID   string    `json:"id"`
	Compliance   string    `json:"compliance"`
	Annotation   string    `json:"annotation,omitempty"`
	Ordering     time.Time `json:"ordering"`
	Recorded     time.Time `json:"recorded"`
	Invoked      time.Time `json:"invoked"`
	ResultToken  string    `json:"resultToken,omitempty"`
}

func EvalID(rule, resourceType, resourceID string) string {
	return rule + "\x00" + resourceType + "\x00" + resourceID
}

func evalResID(resourceType, resourceID, rule string) string {
	return resourceType + "\x00" + resourceID + "\x00" + rule
}

// RuleCounts counts a rule's results by compliance type.
type RuleCounts struct {
	Compliant     int64 `json:"c,omitempty"`
	NonCompliant  int64 `json:"nc,omitempty"`
	NotApplicable int64 `json:"na,omitempty"`
}

func (c *RuleCounts) add(compliance string, d int64) {
	switch compliance {
	case Compliant:
		c.Compliant += d
	case NonCompliant:
		c.NonCompliant += d
	case notApplicable:
		c.NotApplicable += d
	}
}

// Compliance is the rule's compliance from its results: NON_COMPLIANT with one noncompliant
// result, COMPLIANT with compliant results only, NOT_APPLICABLE or INSUFFICIENT_DATA otherwise.
func (c RuleCounts) Compliance() string {
	switch {
	case c.NonCompliant > 0:
		return NonCompliant
	case c.Compliant > 0:
		return Compliant
	}
	return insufficient
}

func RuleCountsTx(tx store.Tx, scope, rule string) (RuleCounts, error) {
	var c RuleCounts
	b, err := tx.Get(KindRuleCompliance, scope, rule)
	if errors.Is(err, store.ErrNotFound) {
		return c, nil
	}
	if err != nil {
		return c, err
	}
	err = json.Unmarshal(b, &c)
	return c, err
}

// resultChange is one result to store (Remove: to delete) for a rule.
type resultChange struct {
	ResourceType, ResourceID string
	Remove                   bool
	Compliance, Annotation   string
	Ordering, Invoked        time.Time
	ResultToken              string
	// OlderLoses keeps a stored result whose ordering timestamp is later (PutEvaluations).
	OlderLoses bool
}

// applyResultsTx stores the results of one rule: one GetMany for the previous results, one
// PutMany for the new ones and the rule's counters.
func applyResultsTx(tx store.Tx, scope, rule string, changes []resultChange, now time.Time) error {
	if len(changes) == 0 {
		return nil
	}
	keys := make([]store.Key, len(changes))
	for i, c := range changes {
		keys[i] = store.Key{Kind: KindEvaluation, Scope: scope, ID: EvalID(rule, c.ResourceType, c.ResourceID)}
	}
	prev, err := tx.GetMany(keys)
	if err != nil {
		return err
	}
	counts, err := RuleCountsTx(tx, scope, rule)
	if err != nil {
		return err
	}
	cur := map[string]*evalRec{}
	for i, b := range prev {
		if b == nil {
			continue
		}
		e := new(evalRec)
		if err := json.Unmarshal(b, e); err != nil {
			return fmt.Errorf("configservice: decode evaluation: %w", err)
		}
		cur[keys[i].ID] = e
	}
	var out []store.Record
	for _, c := range changes {
		id := EvalID(rule, c.ResourceType, c.ResourceID)
		old := cur[id]
		if c.Remove {
			if old == nil {
				continue
			}
			counts.add(old.Compliance, -1)
			delete(cur, id)
			if _, err := tx.Delete(KindEvaluation, scope, id); err != nil {
				return err
			}
			if _, err := tx.Delete(KindEvaluationByResource, scope, evalResID(c.ResourceType, c.ResourceID, rule)); err != nil {
				return err
			}
			continue
		}
		if old != nil && c.OlderLoses && old.Ordering.After(c.Ordering) {
			continue
		}
		e := &evalRec{Rule: rule, ResourceType: c.ResourceType, ResourceID: c.ResourceID, Compliance: c.Compliance,
			Annotation: c.Annotation, Ordering: c.Ordering.UTC(), Recorded: now.UTC(), Invoked: c.Invoked.UTC(), ResultToken: c.ResultToken}
		if old != nil {
			counts.add(old.Compliance, -1)
		}
		counts.add(e.Compliance, 1)
		cur[id] = e
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		out = append(out,
			store.Record{Kind: KindEvaluation, Scope: scope, ID: id, Body: b},
			store.Record{Kind: KindEvaluationByResource, Scope: scope, ID: evalResID(c.ResourceType, c.ResourceID, rule), Body: b})
	}
	b, err := json.Marshal(counts)
	if err != nil {
		return err
	}
	out = append(out, store.Record{Kind: KindRuleCompliance, Scope: scope, ID: rule, Body: b})
	return tx.PutMany(out)
}

// deleteRuleResultsTx removes every result of a rule and its counters.
func deleteRuleResultsTx(tx store.Tx, account, region, rule string) error {
	scope := core.Scope(account, region)
	for {
		recs, err := tx.ListPrefix(KindEvaluation, scope, rule+"\x00", "", 500)
		if err != nil {
			return err
		}
		for _, r := range recs {
			parts := strings.SplitN(r.ID, "\x00", 3)
			if len(parts) != 3 {
				continue
			}
			if _, err := tx.Delete(KindEvaluation, scope, r.ID); err != nil {
				return err
			}
			if _, err := tx.Delete(KindEvaluationByResource, scope, evalResID(parts[1], parts[2], rule)); err != nil {
				return err
			}
		}
		if len(recs) < 500 {
			break
		}
	}
	_, err := tx.Delete(KindRuleCompliance, scope, rule)
	return err
}

func DecodeEval(b []byte) (*evalRec, error) {
	e := new(evalRec)
	if err := json.Unmarshal(b, e); err != nil {
		return nil, fmt.Errorf("configservice: decode evaluation: %w", err)
	}
	return e, nil
}

// ResultAPI renders a result as the API's EvaluationResult.
func (e *evalRec) ResultAPI(mode configapi.EvaluationMode, resourceEvaluationID string) configapi.EvaluationResult {
	return configapi.EvaluationResult{
		EvaluationResultIdentifier: &configapi.EvaluationResultIdentifier{
			EvaluationResultQualifier: &configapi.EvaluationResultQualifier{
				ConfigRuleName: e.Rule, ResourceType: e.ResourceType, ResourceId: e.ResourceID, EvaluationMode: mode,
			},
			OrderingTimestamp:    core.APITime(e.Ordering),
			ResourceEvaluationId: resourceEvaluationID,
		},
		ComplianceType:        configapi.ComplianceType(e.Compliance),
		ResultRecordedTime:    core.APITime(e.Recorded),
		ConfigRuleInvokedTime: core.APITime(e.Invoked),
		Annotation:            e.Annotation,
		ResultToken:           e.ResultToken,
	}
}
