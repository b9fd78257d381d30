package evaluation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/orgconfig/orgconfig/internal/configservice/core"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/guard"
	"github.com/orgconfig/orgconfig/internal/rules"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Proactive evaluation. StartResourceEvaluation evaluates a resource definition that does not
// exist yet (a CloudFormation resource's properties) against the rules of the region that run
// in PROACTIVE mode. orgconfig evaluates synchronously, so every evaluation is SUCCEEDED by
// the time its ID is returned:
//
//   - CUSTOM_POLICY (Guard) rules evaluate the document {resourceType, resourceId,
//     configuration}, the configuration being the parsed ResourceConfiguration.
//   - AWS managed rules with an item evaluator evaluate the configuration as given. The
//     CloudFormation schema names properties in PascalCase (Encrypted) where configuration
//     items use lowerCamel (encrypted), and orgconfig does not map one onto the other as AWS
//     does: for CloudFormation-shaped input a managed rule may answer NOT_APPLICABLE or
//     NON_COMPLIANT where AWS would answer COMPLIANT.
//   - CUSTOM_LAMBDA rules, managed rules orgconfig cannot evaluate and Guard policies it cannot
//     evaluate record no result.

// Record kinds of proactive evaluations. All are scoped to Scope(account, region).
const (
	// KindResourceEvaluation is one proactive evaluation: id = its ResourceEvaluationId, body
	// resourceEvaluationRec.
	KindResourceEvaluation = "config-resource-evaluation"
	// KindResourceEvaluationByTime lists the evaluations newest first: id = timeKey(start) +
	// "/" + evaluation id, body resourceEvaluationIndex.
	KindResourceEvaluationByTime = "config-resource-evaluation-time"
	// KindResourceEvaluationToken remembers the ClientToken of StartResourceEvaluation: id = the
	// token, body evaluationTokenRec.
	KindResourceEvaluationToken = "config-resource-evaluation-token"
)

// Page size of ListResourceEvaluations (documented default; at most 100).
const resourceEvaluationsPage = 10

// defaultEvaluationTimeout is the EvaluationTimeout used when none (or 0) is given.
const defaultEvaluationTimeout = 900

// resourceEvaluationRec is a stored proactive evaluation.
type resourceEvaluationRec struct {
	ID         string                    `json:"id"`
	Start      time.Time                 `json:"start"`
	Context    string                    `json:"context,omitempty"`
	Details    configapi.ResourceDetails `json:"details"`
	Timeout    int32                     `json:"timeout"`
	Compliance string                    `json:"compliance"`
	Results    []evalRec                 `json:"results"`
}

// resourceEvaluationIndex is the body of a KindResourceEvaluationByTime record: what
// ListResourceEvaluations shows and filters on.
type resourceEvaluationIndex struct {
	ID      string    `json:"id"`
	Start   time.Time `json:"start"`
	Context string    `json:"context,omitempty"`
}

// evaluationTokenRec ties a ClientToken to the evaluation it started and to a digest of the
// request's parameters.
type evaluationTokenRec struct {
	Evaluation string `json:"evaluation"`
	Digest     string `json:"digest"`
}

// timeKey orders times newest first in ascending id order.
func timeKey(t time.Time) string {
	return fmt.Sprintf("%019d", math.MaxInt64-t.UnixNano())
}

func noSuchResourceEvaluation(id string) error {
	return configapi.ErrResourceNotFound("Resource evaluation %s does not exist.", id)
}

// resourceEvaluationTx returns a stored evaluation, or nil.
func resourceEvaluationTx(tx store.Tx, account, region, id string) (*resourceEvaluationRec, error) {
	b, err := tx.Get(KindResourceEvaluation, core.Scope(account, region), id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	r := new(resourceEvaluationRec)
	if err := json.Unmarshal(b, r); err != nil {
		return nil, fmt.Errorf("configservice: decode resource evaluation %s: %w", id, err)
	}
	return r, nil
}

// cfnTags reads the tags of a CloudFormation resource's properties: Tags as a list of
// {Key, Value} (most types) or as a map (a few types), for the tag scope of rules.
func cfnTags(conf map[string]any) map[string]string {
	out := map[string]string{}
	switch tags := conf["Tags"].(type) {
	case []any:
		for _, t := range tags {
			m, _ := t.(map[string]any)
			k, ok := m["Key"].(string)
			if !ok {
				continue
			}
			v, _ := m["Value"].(string)
			out[k] = v
		}
	case map[string]any:
		for k, v := range tags {
			if s, ok := v.(string); ok {
				out[k] = s
			}
		}
	}
	return out
}

// StartResourceEvaluation evaluates a resource definition against every PROACTIVE rule of the
// region whose scope covers it, stores the results and returns the evaluation's ID. A
// ClientToken used again with the same parameters returns the first evaluation's ID; with
// other parameters it is IdempotentParameterMismatch.
func (s *Service) StartResourceEvaluation(ctx context.Context, in *configapi.StartResourceEvaluationRequest) (*configapi.StartResourceEvaluationResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	if in.EvaluationMode != configapi.EvaluationModeProactive {
		return nil, configapi.ErrInvalidParameterValue("The EvaluationMode %s is not supported for StartResourceEvaluation: only PROACTIVE is.", in.EvaluationMode)
	}
	d := in.ResourceDetails
	if d == nil || d.ResourceId == "" || d.ResourceType == "" || d.ResourceConfiguration == "" {
		return nil, configapi.ErrInvalidParameterValue("The ResourceDetails need a ResourceId, a ResourceType and a ResourceConfiguration.")
	}
	if d.ResourceConfigurationSchemaType != "" && d.ResourceConfigurationSchemaType != configapi.ResourceConfigurationSchemaTypeCfnResourceSchema {
		return nil, configapi.ErrInvalidParameterValue("The ResourceConfigurationSchemaType %s is invalid: only CFN_RESOURCE_SCHEMA is supported.", d.ResourceConfigurationSchemaType)
	}
	var conf map[string]any
	if err := json.Unmarshal([]byte(d.ResourceConfiguration), &conf); err != nil || conf == nil {
		return nil, configapi.ErrInvalidParameterValue("The ResourceConfiguration must be a JSON object (the properties of the resource in the CloudFormation resource schema).")
	}
	timeout := int32(defaultEvaluationTimeout)
	if in.EvaluationTimeout != nil && *in.EvaluationTimeout != 0 {
		timeout = *in.EvaluationTimeout
	}
	if timeout < 0 || timeout > 3600 {
		return nil, configapi.ErrInvalidParameterValue("The EvaluationTimeout must be between 0 and 3600 seconds.")
	}
	var evalContext string
	if in.EvaluationContext != nil {
		evalContext = in.EvaluationContext.EvaluationContextIdentifier
	}
	digest := requestDigest(d, evalContext, timeout)
	var id string
	err = s.Store.Write(ctx, func(tx store.Tx) error {
		scope := core.Scope(account, region)
		if in.ClientToken != "" {
			b, err := tx.Get(KindResourceEvaluationToken, scope, in.ClientToken)
			switch {
			case err == nil:
				var t evaluationTokenRec
				if err := json.Unmarshal(b, &t); err != nil {
					return fmt.Errorf("configservice: decode client token: %w", err)
				}
				if t.Digest != digest {
					return configapi.ErrIdempotentParameterMismatch("The ClientToken was already used with other parameters. Specify a new client token with the parameter changes and try again.")
				}
				id = t.Evaluation
				return nil
			case !errors.Is(err, store.ErrNotFound):
				return err
			}
		}
		now := s.Clock.Now().UTC().Truncate(time.Millisecond)
		id = s.IDs.RequestID()
		results, err := s.proactiveResultsTx(tx, account, region, d, conf, now)
		if err != nil {
			return err
		}
		rec := &resourceEvaluationRec{ID: id, Start: now, Context: evalContext, Details: *d, Timeout: timeout,
			Compliance: overallCompliance(results), Results: results}
		rec.Details.ResourceConfigurationSchemaType = configapi.ResourceConfigurationSchemaTypeCfnResourceSchema
		body, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		idx, err := json.Marshal(resourceEvaluationIndex{ID: id, Start: now, Context: evalContext})
		if err != nil {
			return err
		}
		recs := []store.Record{
			{Kind: KindResourceEvaluation, Scope: scope, ID: id, Body: body},
			{Kind: KindResourceEvaluationByTime, Scope: scope, ID: timeKey(now) + "/" + id, Body: idx},
		}
		if in.ClientToken != "" {
			tok, err := json.Marshal(evaluationTokenRec{Evaluation: id, Digest: digest})
			if err != nil {
				return err
			}
			recs = append(recs, store.Record{Kind: KindResourceEvaluationToken, Scope: scope, ID: in.ClientToken, Body: tok})
		}
		return tx.PutMany(recs)
	})
	if err != nil {
		return nil, err
	}
	return &configapi.StartResourceEvaluationResponse{ResourceEvaluationId: id}, nil
}

// requestDigest identifies the parameters of a StartResourceEvaluation for its ClientToken.
func requestDigest(d *configapi.ResourceDetails, evalContext string, timeout int32) string {
	b, _ := json.Marshal([]any{d.ResourceId, d.ResourceType, d.ResourceConfiguration, evalContext, timeout})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// proactiveResultsTx evaluates a resource definition against the region's PROACTIVE rules (see
// the comment at the top of this file), in rule name order.
func (s *Service) proactiveResultsTx(tx store.Tx, account, region string, d *configapi.ResourceDetails, conf map[string]any, now time.Time) ([]evalRec, error) {
	all, err := RulesTx(tx, account, region)
	if err != nil {
		return nil, err
	}
	ci := &configapi.ConfigurationItem{ResourceType: configapi.ResourceType(d.ResourceType), ResourceId: d.ResourceId, Tags: cfnTags(conf)}
	env := &evalEnv{tx: tx, account: account, region: region}
	var out []evalRec
	for _, r := range all {
		if r.deleting() || !r.hasMode(configapi.EvaluationModeProactive) || !r.inScope(ci) {
			continue
		}
		var compliance, annotation string
		switch r.owner() {
		case ownerPolicy:
			p, err := s.parsePolicy(r.Rule.Source.CustomPolicyDetails.PolicyText)
			if err != nil {
				continue // unsupported or invalid: the rule's status reports it
			}
			o := p.Evaluate(map[string]any{"resourceType": d.ResourceType, "resourceId": d.ResourceId, "configuration": conf})
			compliance, annotation = notApplicable, guardAnnotation(o)
			switch o.Status {
			case guard.Pass:
				compliance = Compliant
			case guard.Fail:
				compliance = NonCompliant
			}
		case ownerAWS:
			m := r.managed()
			if m == nil || !m.Evaluable || m.EvaluateItem == nil {
				continue
			}
			params, err := rules.ParseParams(m, r.Rule.InputParameters)
			if err != nil {
				continue
			}
			it := &rules.Item{AccountID: account, Region: region, ResourceType: d.ResourceType, ResourceID: d.ResourceId,
				Status: string(configapi.ConfigurationItemStatusOk), Configuration: json.RawMessage(d.ResourceConfiguration), Tags: ci.Tags}
			res, ok := m.EvaluateItem(env, it, params)
			if env.err != nil {
				return nil, env.err
			}
			if !ok {
				continue
			}
			compliance, annotation = res.Compliance, res.Annotation
		default:
			continue // CUSTOM_LAMBDA rules are not evaluated proactively
		}
		out = append(out, evalRec{Rule: r.Name(), ResourceType: d.ResourceType, ResourceID: d.ResourceId, Compliance: compliance,
			Annotation: truncate(annotation, 256), Ordering: now, Recorded: now, Invoked: now})
	}
	return out, nil
}

// overallCompliance is the compliance of an evaluation: NON_COMPLIANT if a rule says so, else
// COMPLIANT if a rule says so, else NOT_APPLICABLE if every rule that answered found the
// resource out of its concern, else (no rule answered) INSUFFICIENT_DATA.
func overallCompliance(results []evalRec) string {
	var c, na bool
	for _, r := range results {
		switch r.Compliance {
		case NonCompliant:
			return NonCompliant
		case Compliant:
			c = true
		case notApplicable:
			na = true
		}
	}
	switch {
	case c:
		return Compliant
	case na:
		return notApplicable
	}
	return insufficient
}

// GetResourceEvaluationSummary returns the summary of a proactive evaluation.
func (s *Service) GetResourceEvaluationSummary(ctx context.Context, in *configapi.GetResourceEvaluationSummaryRequest) (*configapi.GetResourceEvaluationSummaryResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	var r *resourceEvaluationRec
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		r, err = resourceEvaluationTx(tx, account, region, in.ResourceEvaluationId)
		return err
	})
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, noSuchResourceEvaluation(in.ResourceEvaluationId)
	}
	out := &configapi.GetResourceEvaluationSummaryResponse{
		ResourceEvaluationId:     r.ID,
		EvaluationMode:           configapi.EvaluationModeProactive,
		EvaluationStatus:         &configapi.EvaluationStatus{Status: configapi.ResourceEvaluationStatusSucceeded},
		EvaluationStartTimestamp: core.APITime(r.Start),
		Compliance:               configapi.ComplianceType(r.Compliance),
		ResourceDetails:          &r.Details,
	}
	if r.Context != "" {
		out.EvaluationContext = &configapi.EvaluationContext{EvaluationContextIdentifier: r.Context}
	}
	return out, nil
}

// ListResourceEvaluations lists the region's proactive evaluations newest first, Limit
// (default 10, at most 100) per page, filtered by evaluation context and by a time window on
// their start. DETECTIVE is not a valid mode filter (AWS: "Currently, DETECTIVE is not
// supported"); an EndTime before the StartTime is InvalidTimeRangeException.
func (s *Service) ListResourceEvaluations(ctx context.Context, in *configapi.ListResourceEvaluationsRequest) (*configapi.ListResourceEvaluationsResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	limit := core.LimitOr(in.Limit, resourceEvaluationsPage)
	if limit > 100 {
		return nil, configapi.ErrInvalidParameterValue("The Limit must be at most 100.")
	}
	var from, to time.Time
	var evalContext string
	if f := in.Filters; f != nil {
		if f.EvaluationMode != "" && f.EvaluationMode != configapi.EvaluationModeProactive {
			return nil, configapi.ErrInvalidParameterValue("The EvaluationMode filter %s is not supported: only PROACTIVE is.", f.EvaluationMode)
		}
		if w := f.TimeWindow; w != nil {
			from, to = w.StartTime.Time, w.EndTime.Time
			if !from.IsZero() && !to.IsZero() && to.Before(from) {
				return nil, configapi.ErrInvalidTimeRange("The EndTime of the TimeWindow must be after its StartTime.")
			}
		}
		evalContext = f.EvaluationContextIdentifier
	}
	after, err := core.DecodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	// Newest first: the window's end is where the listing starts.
	cursor := after
	if !to.IsZero() {
		// Every start at or before the end has a key at or after timeKey(to).
		if c := timeKey(to.Add(time.Nanosecond)) + "/\xff"; c > cursor {
			cursor = c
		}
	}
	out := &configapi.ListResourceEvaluationsResponse{ResourceEvaluations: []configapi.ResourceEvaluation{}}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		out.ResourceEvaluations, out.NextToken = out.ResourceEvaluations[:0], ""
		cur, last := cursor, ""
		for {
			recs, err := tx.List(KindResourceEvaluationByTime, core.Scope(account, region), cur, 500)
			if err != nil {
				return err
			}
			for _, rec := range recs {
				cur = rec.ID
				var idx resourceEvaluationIndex
				if err := json.Unmarshal(rec.Body, &idx); err != nil {
					return fmt.Errorf("configservice: decode resource evaluation index: %w", err)
				}
				if !from.IsZero() && idx.Start.Before(from) {
					return nil // older still from here on
				}
				if evalContext != "" && idx.Context != evalContext {
					continue
				}
				if len(out.ResourceEvaluations) == limit {
					out.NextToken = core.EncodeToken(last)
					return nil
				}
				out.ResourceEvaluations = append(out.ResourceEvaluations, configapi.ResourceEvaluation{
					ResourceEvaluationId: idx.ID, EvaluationMode: configapi.EvaluationModeProactive, EvaluationStartTimestamp: core.APITime(idx.Start)})
				last = rec.ID
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

// proactiveDetails answers GetComplianceDetailsByResource for a ResourceEvaluationId: the
// results of that evaluation, one per rule that answered, in rule name order. The resource is
// given by the evaluation, so a ResourceType or ResourceId as well is InvalidParameterValue.
func (s *Service) proactiveDetails(ctx context.Context, account, region string, in *configapi.GetComplianceDetailsByResourceRequest) (*configapi.GetComplianceDetailsByResourceResponse, error) {
	if in.ResourceType != "" || in.ResourceId != "" {
		return nil, configapi.ErrInvalidParameterValue("Provide either a ResourceEvaluationId or a ResourceType and ResourceId, not both.")
	}
	var r *resourceEvaluationRec
	err := s.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		r, err = resourceEvaluationTx(tx, account, region, in.ResourceEvaluationId)
		return err
	})
	if err != nil {
		return nil, err
	}
	if r == nil {
		// GetComplianceDetailsByResource's model lists only InvalidParameterValueException
		// (unlike GetResourceEvaluationSummary's ResourceNotFoundException).
		return nil, configapi.ErrInvalidParameterValue("The resource evaluation %s does not exist.", in.ResourceEvaluationId)
	}
	keep := complianceFilter(in.ComplianceTypes)
	out := &configapi.GetComplianceDetailsByResourceResponse{EvaluationResults: []configapi.EvaluationResult{}}
	for i := range r.Results {
		if e := &r.Results[i]; keep(e.Compliance) {
			out.EvaluationResults = append(out.EvaluationResults, e.ResultAPI(configapi.EvaluationModeProactive, r.ID))
		}
	}
	return out, nil
}
