package evaluation

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/orgconfig/orgconfig/internal/configservice/core"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/store"
)

// CUSTOM_LAMBDA rules without Lambda: the event AWS Config sends to a rule's function is POSTed
// (as the JSON body, Content-Type application/json) to the HTTP endpoint configured for the
// function's ARN (Options.LambdaEndpoints, `serve --lambda-endpoint ARN=URL`); the endpoint
// reports its results through PutEvaluations with the event's resultToken. A 2xx answer is a
// successful invocation; anything else, or no endpoint, is a failed one, shown by
// DescribeConfigRuleEvaluationStatus.

// resultTokenTTL is how long a result token is accepted.
const resultTokenTTL = 24 * time.Hour

// lambdaInvocation is one event to deliver after the transaction that produced it commits.
type lambdaInvocation struct {
	Account, Region, Rule, RuleID, Function string
	Event                                   []byte
}

// resultToken is what a ResultToken carries (HMAC-signed; opaque to clients).
type resultToken struct {
	Account      string `json:"a"`
	Region       string `json:"r"`
	RuleID       string `json:"id"`
	Rule         string `json:"n"`
	ResourceType string `json:"t,omitempty"`
	ResourceID   string `json:"i,omitempty"`
	Invoked      int64  `json:"inv"`
	Expires      int64  `json:"exp"`
}

// KindSecret holds server-wide secrets: id "result-token" is the HMAC key of result tokens.
const KindSecret = "config-secret"

// tokenKey returns the HMAC key of result tokens, creating it once per store.
func (s *Service) tokenKey(ctx context.Context) ([]byte, error) {
	if k := s.tokenKeyCache.Load(); k != nil {
		return *k, nil
	}
	key, err := store.Secret(ctx, s.Store, KindSecret, "result-token", 32, s.Opts.Sealer)
	if err != nil {
		return nil, err
	}
	s.tokenKeyCache.Store(&key)
	return key, nil
}

func signToken(key []byte, t resultToken) string {
	b, _ := json.Marshal(t)
	mac := hmac.New(sha256.New, key)
	mac.Write(b)
	return base64.RawURLEncoding.EncodeToString(b) + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func verifyToken(key []byte, tok string, now time.Time) (*resultToken, bool) {
	body, sig, ok := strings.Cut(tok, ".")
	if !ok {
		return nil, false
	}
	b, err1 := base64.RawURLEncoding.DecodeString(body)
	m, err2 := base64.RawURLEncoding.DecodeString(sig)
	if err1 != nil || err2 != nil {
		return nil, false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write(b)
	if !hmac.Equal(mac.Sum(nil), m) {
		return nil, false
	}
	var t resultToken
	if json.Unmarshal(b, &t) != nil || now.UnixMilli() > t.Expires {
		return nil, false
	}
	return &t, true
}

// lambdaInvocation builds the event of a change-triggered invocation for ci (eventLeftScope
// when the resource was deleted or left the rule's scope). The token is signed when the event
// is delivered (it needs the store's key).
func (s *Service) lambdaInvocation(account, region string, r *ruleRec, ci *configapi.ConfigurationItem, leftScope bool, now time.Time) lambdaInvocation {
	inv := lambdaInvocation{Account: account, Region: region, Rule: r.Name(), RuleID: r.Rule.ConfigRuleId, Function: r.Rule.Source.SourceIdentifier}
	msg := configapi.MessageTypeConfigurationItemChangeNotification
	var invoking map[string]any
	if ci == nil {
		msg = configapi.MessageTypeScheduledNotification
		invoking = map[string]any{"awsAccountId": account, "notificationCreationTime": now.UTC().Format(time.RFC3339Nano),
			"messageType": msg, "recordVersion": "1.0"}
	} else {
		invoking = map[string]any{"configurationItemDiff": nil, "configurationItem": notificationItem(ci),
			"notificationCreationTime": now.UTC().Format(time.RFC3339Nano), "messageType": msg, "recordVersion": "1.3"}
	}
	ie, _ := json.Marshal(invoking)
	params := r.Rule.InputParameters
	if params == "" {
		params = "{}"
	}
	ev := map[string]any{
		"version": "1.0", "invokingEvent": string(ie), "ruleParameters": params,
		"resultToken": "", "eventLeftScope": leftScope, "executionRoleArn": "arn:aws:iam::" + account + ":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
		"configRuleArn": r.Rule.ConfigRuleArn, "configRuleName": r.Name(), "configRuleId": r.Rule.ConfigRuleId, "accountId": account,
	}
	var tok resultToken
	tok.Account, tok.Region, tok.RuleID, tok.Rule, tok.Invoked = account, region, r.Rule.ConfigRuleId, r.Name(), now.UnixMilli()
	tok.Expires = now.Add(resultTokenTTL).UnixMilli()
	if ci != nil {
		tok.ResourceType, tok.ResourceID = string(ci.ResourceType), ci.ResourceId
	}
	b, _ := json.Marshal(struct {
		Event map[string]any `json:"event"`
		Token resultToken    `json:"token"`
	}{ev, tok})
	inv.Event = b
	return inv
}

// notificationItem renders ci in the dialect of notifications and Lambda events
// (configurationItemVersion, awsAccountId, ARN, numeric state ID, configuration as an object).
func notificationItem(ci *configapi.ConfigurationItem) map[string]any {
	var conf any
	if ci.Configuration != "" {
		_ = json.Unmarshal([]byte(ci.Configuration), &conf)
	}
	sup := map[string]any{}
	for k, v := range ci.SupplementaryConfiguration {
		var x any
		if json.Unmarshal([]byte(v), &x) == nil {
			sup[k] = x
		}
	}
	rels := make([]map[string]any, 0, len(ci.Relationships))
	for _, r := range ci.Relationships {
		rels = append(rels, map[string]any{"resourceId": r.ResourceId, "resourceName": r.ResourceName, "resourceType": r.ResourceType, "name": r.RelationshipName})
	}
	state, _ := strconv.ParseInt(ci.ConfigurationStateId, 10, 64)
	m := map[string]any{
		"configurationItemVersion": ci.Version, "configurationItemCaptureTime": ci.ConfigurationItemCaptureTime.Time.UTC().Format(time.RFC3339Nano),
		"configurationStateId": state, "awsAccountId": ci.AccountId, "configurationItemStatus": ci.ConfigurationItemStatus,
		"resourceType": ci.ResourceType, "resourceId": ci.ResourceId, "resourceName": ci.ResourceName, "ARN": ci.Arn,
		"awsRegion": ci.AwsRegion, "availabilityZone": ci.AvailabilityZone, "tags": ci.Tags, "relationships": rels,
		"configuration": conf, "supplementaryConfiguration": sup,
	}
	if !ci.ResourceCreationTime.IsZero() {
		m["resourceCreationTime"] = ci.ResourceCreationTime.Time.UTC().Format(time.RFC3339Nano)
	}
	return m
}

// lambdaEndpoint returns the URL configured for a function ARN (an exact entry, else "*").
func (s *Service) lambdaEndpoint(function string) string {
	if u, ok := s.Opts.LambdaEndpoints[function]; ok {
		return u
	}
	return s.Opts.LambdaEndpoints["*"]
}

// invokeAll delivers events, one at a time, and records each outcome in its rule's status.
func (s *Service) invokeAll(ctx context.Context, invs []lambdaInvocation) {
	for _, inv := range invs {
		code, msg := s.invoke(ctx, inv)
		now := s.Clock.Now().UTC()
		_ = s.Store.Write(ctx, func(tx store.Tx) error {
			r, err := ruleTx(tx, inv.Account, inv.Region, inv.Rule)
			if err != nil || r == nil || r.Rule.ConfigRuleId != inv.RuleID {
				return err
			}
			r.Status.FirstEvaluationStarted = true
			if code == "" {
				r.Status.LastSuccessfulInvocation = now
				r.Status.LastErrorCode, r.Status.LastErrorMessage = "", ""
			} else {
				r.Status.LastFailedInvocation = now
				r.Status.LastErrorCode, r.Status.LastErrorMessage = code, truncate(msg, 1000)
			}
			return saveRuleTx(tx, inv.Account, inv.Region, r)
		})
	}
}

// invoke POSTs one event; it returns an error code and message, or "" on success.
func (s *Service) invoke(ctx context.Context, inv lambdaInvocation) (string, string) {
	url := s.lambdaEndpoint(inv.Function)
	if url == "" {
		return "LambdaEndpointNotConfigured", "orgconfig cannot invoke " + inv.Function +
			": no endpoint is configured for it (serve --lambda-endpoint ARN=URL, or ORGCONFIG_LAMBDA_ENDPOINTS)."
	}
	var payload struct {
		Event map[string]any `json:"event"`
		Token resultToken    `json:"token"`
	}
	if err := json.Unmarshal(inv.Event, &payload); err != nil {
		return "InternalError", err.Error()
	}
	key, err := s.tokenKey(ctx)
	if err != nil {
		return "InternalError", err.Error()
	}
	payload.Event["resultToken"] = signToken(key, payload.Token)
	body, _ := json.Marshal(payload.Event)
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(cctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return "LambdaEndpointInvalid", err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Amz-Invocation-Type", "Event")
	resp, err := s.httpClient().Do(req)
	if err != nil {
		return "LambdaInvocationFailed", fmt.Sprintf("invoking %s at %s: %v", inv.Function, url, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode/100 != 2 {
		return "LambdaInvocationFailed", fmt.Sprintf("invoking %s at %s: HTTP %d", inv.Function, url, resp.StatusCode)
	}
	return "", ""
}

func (s *Service) httpClient() *http.Client {
	if s.Opts.HTTPClient != nil {
		return s.Opts.HTTPClient
	}
	return http.DefaultClient
}

// PutEvaluations stores the results a rule's function reports for the invocation its
// ResultToken designates. With TestMode nothing is stored and the token is not checked.
func (s *Service) PutEvaluations(ctx context.Context, in *configapi.PutEvaluationsRequest) (*configapi.PutEvaluationsResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	test := in.TestMode != nil && *in.TestMode
	if len(in.Evaluations) == 0 && !test {
		return nil, configapi.ErrInvalidParameterValue("The Evaluations object in your request cannot be null.Add the required parameters and try again.")
	}
	for _, e := range in.Evaluations {
		if err := checkEvaluation(e.ComplianceResourceType, e.ComplianceResourceId, e.ComplianceType, e.OrderingTimestamp); err != nil {
			return nil, err
		}
	}
	out := &configapi.PutEvaluationsResponse{FailedEvaluations: []configapi.Evaluation{}}
	if test {
		return out, nil
	}
	key, err := s.tokenKey(ctx)
	if err != nil {
		return nil, err
	}
	tok, ok := verifyToken(key, in.ResultToken, s.Clock.Now())
	if !ok || tok.Account != account || tok.Region != region {
		return nil, configapi.ErrInvalidResultToken("The resultToken provided is invalid")
	}
	err = s.Store.Write(ctx, func(tx store.Tx) error {
		r, err := ruleTx(tx, account, region, tok.Rule)
		if err != nil {
			return err
		}
		if r == nil || r.Rule.ConfigRuleId != tok.RuleID || r.deleting() {
			return noSuchRule(tok.Rule)
		}
		now := s.Clock.Now().UTC()
		changes := make([]resultChange, 0, len(in.Evaluations))
		for _, e := range in.Evaluations {
			changes = append(changes, resultChange{ResourceType: e.ComplianceResourceType, ResourceID: e.ComplianceResourceId,
				Compliance: string(e.ComplianceType), Annotation: e.Annotation, Ordering: e.OrderingTimestamp.Time,
				Invoked: time.UnixMilli(tok.Invoked), ResultToken: in.ResultToken, OlderLoses: true})
		}
		if err := applyResultsTx(tx, core.Scope(account, region), r.Name(), changes, now); err != nil {
			return err
		}
		r.Status.LastSuccessfulEvaluation = now
		r.Status.FirstEvaluationStarted = true
		return saveRuleTx(tx, account, region, r)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkEvaluation validates one reported result.
func checkEvaluation(resourceType, resourceID string, c configapi.ComplianceType, ordering interface{ IsZero() bool }) error {
	switch {
	case resourceType == "" || resourceID == "" || ordering.IsZero():
		return configapi.ErrInvalidParameterValue("The ComplianceResourceType, ComplianceResourceId, ComplianceType and OrderingTimestamp of every evaluation are required.")
	case c == configapi.ComplianceTypeInsufficientData:
		return configapi.ErrInvalidParameterValue("The ComplianceType INSUFFICIENT_DATA is not supported in evaluations: use COMPLIANT, NON_COMPLIANT or NOT_APPLICABLE.")
	case c != configapi.ComplianceTypeCompliant && c != configapi.ComplianceTypeNonCompliant && c != configapi.ComplianceTypeNotApplicable:
		return configapi.ErrInvalidParameterValue("The ComplianceType %s is invalid.", c)
	}
	return nil
}

// PutExternalEvaluation records the result of a process check (a rule of the managed
// identifier AWS_CONFIG_PROCESS_CHECK) for the account.
func (s *Service) PutExternalEvaluation(ctx context.Context, in *configapi.PutExternalEvaluationRequest) (*configapi.PutExternalEvaluationResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	e := in.ExternalEvaluation
	if e == nil {
		return nil, configapi.ErrInvalidParameterValue("The ExternalEvaluation is required.")
	}
	if err := checkEvaluation(e.ComplianceResourceType, e.ComplianceResourceId, e.ComplianceType, e.OrderingTimestamp); err != nil {
		return nil, err
	}
	if e.ComplianceResourceType != accountResourceType || e.ComplianceResourceId != account {
		return nil, configapi.ErrInvalidParameterValue("The ComplianceResourceType must be AWS::::Account and the ComplianceResourceId the account ID %s.", account)
	}
	err = s.Store.Write(ctx, func(tx store.Tx) error {
		r, err := ruleTx(tx, account, region, in.ConfigRuleName)
		if err != nil {
			return err
		}
		if r == nil || r.owner() != ownerAWS || r.Rule.Source.SourceIdentifier != processCheck || r.deleting() {
			return noSuchRule(in.ConfigRuleName)
		}
		now := s.Clock.Now().UTC()
		if err := applyResultsTx(tx, core.Scope(account, region), r.Name(), []resultChange{{
			ResourceType: e.ComplianceResourceType, ResourceID: e.ComplianceResourceId, Compliance: string(e.ComplianceType),
			Annotation: e.Annotation, Ordering: e.OrderingTimestamp.Time, Invoked: now, OlderLoses: true,
		}}, now); err != nil {
			return err
		}
		r.Status.LastSuccessfulEvaluation, r.Status.FirstEvaluationStarted = now, true
		r.Status.LastErrorCode, r.Status.LastErrorMessage = "", ""
		return saveRuleTx(tx, account, region, r)
	})
	if err != nil {
		return nil, err
	}
	return &configapi.PutExternalEvaluationResponse{}, nil
}
