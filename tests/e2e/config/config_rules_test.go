package config

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orgconfig/orgconfig/tests/e2e/e2etest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/orgconfig/orgconfig/internal/clock"
	"github.com/orgconfig/orgconfig/internal/server"
	"github.com/orgconfig/orgconfig/internal/testserver"
)

// TestConfigRules runs the Config rules suite (rules, managed rule evaluation, change and
// periodic triggers, custom Lambda and Guard rules, results and compliance) on both backends.
// Evaluations run as background jobs: every test drives the job queue and a manual clock, and
// never sleeps.
func TestConfigRules(t *testing.T) {
	testserver.Backends(t, func(t *testing.T, backend testserver.Backend) {
		for _, c := range []struct {
			name string
			fn   func(*testing.T, testserver.Option)
		}{
			{"Validation", testRulesValidation},
			{"ManagedRulesEvaluateItems", testRulesManaged},
			{"ChangeTriggeredAfterPutResourceConfig", testRulesChangeTriggered},
			{"CustomLambdaThroughHTTPEndpoint", testRulesLambda},
			{"PeriodicPasswordPolicy", testRulesPeriodic},
			{"ResultsLifecycle", testRulesLifecycle},
		} {
			t.Run(c.name, func(t *testing.T) { c.fn(t, backend(t)) })
		}
	})
}

// rulesEnv is a server with a manual clock and no job loop, and a Config client.
type rulesEnv struct {
	t   *testing.T
	ctx context.Context
	clk *clock.Manual
	srv *testserver.Server
	cfg *configservice.Client
}

func newRulesEnv(t *testing.T, backend testserver.Option, opts ...testserver.Option) *rulesEnv {
	clk := clock.NewManual(time.Now().UTC().Truncate(time.Millisecond))
	opts = append([]testserver.Option{backend, testserver.WithClock(clk), func(o *server.Options) { o.NoJobLoop = true }}, opts...)
	srv := testserver.Start(t, opts...)
	return &rulesEnv{t: t, ctx: context.Background(), clk: clk, srv: srv, cfg: configservice.NewFromConfig(srv.Config(itemsRegion))}
}

// run runs every due background job (evaluations).
func (e *rulesEnv) run() {
	e.t.Helper()
	if _, err := e.srv.Jobs().RunDue(e.ctx); err != nil {
		e.t.Fatalf("RunDue: %v", err)
	}
}

func (e *rulesEnv) putRule(r cfgtypes.ConfigRule) error {
	_, err := e.cfg.PutConfigRule(e.ctx, &configservice.PutConfigRuleInput{ConfigRule: &r})
	return err
}

func (e *rulesEnv) mustPutRule(r cfgtypes.ConfigRule) {
	e.t.Helper()
	if err := e.putRule(r); err != nil {
		e.t.Fatalf("PutConfigRule %s: %v", aws.ToString(r.ConfigRuleName), err)
	}
}

// importItems records native items through the admin import (AWS's delivery dialect).
func (e *rulesEnv) importItems(items ...map[string]any) {
	e.t.Helper()
	for _, it := range items {
		it["configurationItemVersion"] = "1.3"
		it["awsAccountId"] = testserver.AccountID
		it["awsRegion"] = itemsRegion
		if _, ok := it["configurationItemStatus"]; !ok {
			it["configurationItemStatus"] = "OK"
		}
		if _, ok := it["configurationItemCaptureTime"]; !ok {
			it["configurationItemCaptureTime"] = e.clk.Now().UTC().Format(time.RFC3339Nano)
		}
		if _, ok := it["configurationStateId"]; !ok {
			it["configurationStateId"] = e.clk.Now().UnixMilli()
		}
	}
	body, _ := json.Marshal(map[string]any{"fileVersion": "1.0", "configSnapshotId": "s", "configurationItems": items})
	res := e2etest.DecodeImport(e.t, e2etest.AdminImport(e.t, e.srv, testserver.AccessKey, testserver.SecretKey, itemsRegion, "?name=items.json", body))
	if res.Imported != len(items) {
		e.t.Fatalf("import: %+v, want %d items", res, len(items))
	}
}

// results returns resourceId -> compliance of a rule's results.
func (e *rulesEnv) results(rule string) map[string]string {
	e.t.Helper()
	out := map[string]string{}
	p := configservice.NewGetComplianceDetailsByConfigRulePaginator(e.cfg, &configservice.GetComplianceDetailsByConfigRuleInput{ConfigRuleName: aws.String(rule), Limit: 2})
	for p.HasMorePages() {
		page, err := p.NextPage(e.ctx)
		if err != nil {
			e.t.Fatalf("GetComplianceDetailsByConfigRule %s: %v", rule, err)
		}
		for _, r := range page.EvaluationResults {
			out[aws.ToString(r.EvaluationResultIdentifier.EvaluationResultQualifier.ResourceId)] = string(r.ComplianceType)
		}
	}
	return out
}

func (e *rulesEnv) ruleCompliance(rule string) string {
	e.t.Helper()
	out, err := e.cfg.DescribeComplianceByConfigRule(e.ctx, &configservice.DescribeComplianceByConfigRuleInput{ConfigRuleNames: []string{rule}})
	if err != nil || len(out.ComplianceByConfigRules) != 1 {
		e.t.Fatalf("DescribeComplianceByConfigRule %s: %v %+v", rule, err, out)
	}
	return string(out.ComplianceByConfigRules[0].Compliance.ComplianceType)
}

func (e *rulesEnv) status(rule string) cfgtypes.ConfigRuleEvaluationStatus {
	e.t.Helper()
	out, err := e.cfg.DescribeConfigRuleEvaluationStatus(e.ctx, &configservice.DescribeConfigRuleEvaluationStatusInput{ConfigRuleNames: []string{rule}})
	if err != nil || len(out.ConfigRulesEvaluationStatus) != 1 {
		e.t.Fatalf("DescribeConfigRuleEvaluationStatus %s: %v %+v", rule, err, out)
	}
	return out.ConfigRulesEvaluationStatus[0]
}

func testRulesValidation(t *testing.T, backend testserver.Option) {
	e := newRulesEnv(t, backend)
	// No recorder yet.
	e2etest.APIError(t, e.putRule(e2etest.ManagedRule("r", "REQUIRED_TAGS", `{"tag1Key":"team"}`)), "NoAvailableConfigurationRecorderException", 400)
	startRecording(t, e.cfg)
	cases := []struct {
		name string
		rule cfgtypes.ConfigRule
		code string
	}{
		{"unknown identifier", e2etest.ManagedRule("r", "NO_SUCH_RULE", ""), "InvalidParameterValueException"},
		{"unknown parameter", e2etest.ManagedRule("r", "REQUIRED_TAGS", `{"tag1Key":"a","colour":"red"}`), "InvalidParameterValueException"},
		{"missing required parameter", e2etest.ManagedRule("r", "REQUIRED_TAGS", `{}`), "InvalidParameterValueException"},
		{"parameters not JSON", e2etest.ManagedRule("r", "REQUIRED_TAGS", `tag1Key=a`), "InvalidParameterValueException"},
		{"frequency on a change-triggered rule", func() cfgtypes.ConfigRule {
			r := e2etest.ManagedRule("r", "ENCRYPTED_VOLUMES", "")
			r.MaximumExecutionFrequency = cfgtypes.MaximumExecutionFrequencyOneHour
			return r
		}(), "InvalidParameterValueException"},
		{"tag and resource scope", func() cfgtypes.ConfigRule {
			r := e2etest.ManagedRule("r", "REQUIRED_TAGS", `{"tag1Key":"a"}`, "AWS::EC2::Volume")
			r.Scope.TagKey = aws.String("env")
			return r
		}(), "InvalidParameterValueException"},
		{"ARN on create", func() cfgtypes.ConfigRule {
			r := e2etest.ManagedRule("r", "REQUIRED_TAGS", `{"tag1Key":"a"}`)
			r.ConfigRuleArn = aws.String("arn:aws:config:us-east-1:111111111111:config-rule/config-rule-abcdef")
			return r
		}(), "InvalidParameterValueException"},
		{"custom Lambda without source details", cfgtypes.ConfigRule{ConfigRuleName: aws.String("r"), Source: &cfgtypes.Source{
			Owner: cfgtypes.OwnerCustomLambda, SourceIdentifier: aws.String("arn:aws:lambda:us-east-1:111111111111:function:f")}}, "InvalidParameterValueException"},
		{"custom policy with a scheduled trigger", cfgtypes.ConfigRule{ConfigRuleName: aws.String("r"), Source: &cfgtypes.Source{
			Owner:               cfgtypes.OwnerCustomPolicy,
			SourceDetails:       []cfgtypes.SourceDetail{{EventSource: cfgtypes.EventSourceAwsConfig, MessageType: cfgtypes.MessageTypeScheduledNotification}},
			CustomPolicyDetails: &cfgtypes.CustomPolicyDetails{PolicyRuntime: aws.String("guard-2.x.x"), PolicyText: aws.String(`rule r { configuration.a == 1 }`)},
		}}, "InvalidParameterValueException"},
	}
	for _, c := range cases {
		err := e.putRule(c.rule)
		if !e2etest.IsCode(err, c.code) {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	// Rules page by 25 and the pages end.
	for i := range 30 {
		e.mustPutRule(e2etest.ManagedRule(fmt.Sprintf("tags-%02d", i), "REQUIRED_TAGS", `{"tag1Key":"team"}`))
	}
	var names []string
	p := configservice.NewDescribeConfigRulesPaginator(e.cfg, &configservice.DescribeConfigRulesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.ConfigRules {
			names = append(names, aws.ToString(r.ConfigRuleName))
			if !strings.HasPrefix(aws.ToString(r.ConfigRuleId), "config-rule-") || r.ConfigRuleState != cfgtypes.ConfigRuleStateActive ||
				aws.ToString(r.ConfigRuleArn) != "arn:aws:config:us-east-1:"+testserver.AccountID+":config-rule/"+aws.ToString(r.ConfigRuleId) {
				t.Errorf("rule %+v", r)
			}
		}
	}
	if len(names) != 30 {
		t.Errorf("DescribeConfigRules listed %d rules, want 30", len(names))
	}
	_, err := e.cfg.DescribeConfigRules(e.ctx, &configservice.DescribeConfigRulesInput{ConfigRuleNames: []string{"tags-00", "nope"}})
	e2etest.APIError(t, err, "NoSuchConfigRuleException", 400)
	// Update by name keeps the ID; update by ID works too.
	out, _ := e.cfg.DescribeConfigRules(e.ctx, &configservice.DescribeConfigRulesInput{ConfigRuleNames: []string{"tags-00"}})
	id := aws.ToString(out.ConfigRules[0].ConfigRuleId)
	upd := e2etest.ManagedRule("", "REQUIRED_TAGS", `{"tag1Key":"owner"}`)
	upd.ConfigRuleName, upd.ConfigRuleId = nil, aws.String(id)
	e.mustPutRule(upd)
	out, _ = e.cfg.DescribeConfigRules(e.ctx, &configservice.DescribeConfigRulesInput{ConfigRuleNames: []string{"tags-00"}})
	if got := out.ConfigRules[0]; aws.ToString(got.ConfigRuleId) != id || aws.ToString(got.InputParameters) != `{"tag1Key":"owner"}` {
		t.Errorf("after update by ID: %+v", got)
	}
}

func volume(id string, encrypted bool, attached bool) map[string]any {
	att := []map[string]any{}
	if attached {
		att = append(att, map[string]any{"instanceId": "i-1", "device": "/dev/xvda", "state": "attached", "deleteOnTermination": true})
	}
	return map[string]any{"resourceType": "AWS::EC2::Volume", "resourceId": id,
		"configuration": map[string]any{"volumeId": id, "encrypted": encrypted, "attachments": att}, "tags": map[string]string{}}
}

// testRulesManaged evaluates managed rules over imported native items, follows a change of
// an item, and reports a managed rule orgconfig cannot evaluate as such.
func testRulesManaged(t *testing.T, backend testserver.Option) {
	e := newRulesEnv(t, backend)
	startRecording(t, e.cfg)
	e.importItems(
		e2etest.SecurityGroup("sg-open", "web", e2etest.Ingress("tcp", 22, 22, "0.0.0.0/0")),
		e2etest.SecurityGroup("sg-closed", "db", e2etest.Ingress("tcp", 5432, 5432, "10.0.0.0/8")),
		volume("vol-enc", true, true), volume("vol-plain", false, true), volume("vol-spare", false, false),
	)
	e.mustPutRule(e2etest.ManagedRule("restricted-ssh", "INCOMING_SSH_DISABLED", ""))
	e.mustPutRule(e2etest.ManagedRule("encrypted-volumes", "ENCRYPTED_VOLUMES", ""))
	e.mustPutRule(e2etest.ManagedRule("required-tags", "REQUIRED_TAGS", `{"tag1Key":"team"}`, "AWS::EC2::SecurityGroup", "AWS::EC2::Volume"))
	e.mustPutRule(e2etest.ManagedRule("cloudtrail", "CLOUD_TRAIL_ENABLED", ""))
	// Nothing is evaluated before the jobs run.
	if got := e.ruleCompliance("restricted-ssh"); got != "INSUFFICIENT_DATA" {
		t.Errorf("before evaluation: %s", got)
	}
	e.run()
	e2etest.WantResults(t, "restricted-ssh", e.results("restricted-ssh"), map[string]string{"sg-closed": "COMPLIANT", "sg-open": "NON_COMPLIANT"})
	e2etest.WantResults(t, "encrypted-volumes", e.results("encrypted-volumes"), map[string]string{"vol-enc": "COMPLIANT", "vol-plain": "NON_COMPLIANT", "vol-spare": "NOT_APPLICABLE"})
	e2etest.WantResults(t, "required-tags", e.results("required-tags"), map[string]string{
		"sg-closed": "COMPLIANT", "sg-open": "COMPLIANT", "vol-enc": "NON_COMPLIANT", "vol-plain": "NON_COMPLIANT", "vol-spare": "NON_COMPLIANT"})
	if got := e.ruleCompliance("restricted-ssh"); got != "NON_COMPLIANT" {
		t.Errorf("restricted-ssh compliance %s", got)
	}
	// A rule orgconfig cannot evaluate says so and never reports COMPLIANT.
	st := e.status("cloudtrail")
	if aws.ToString(st.LastErrorCode) == "" || !strings.Contains(aws.ToString(st.LastErrorMessage), "cannot evaluate") || st.LastFailedEvaluationTime == nil {
		t.Errorf("status of a rule orgconfig cannot evaluate: %+v", st)
	}
	if got := e.ruleCompliance("cloudtrail"); got != "INSUFFICIENT_DATA" {
		t.Errorf("cloudtrail compliance %s", got)
	}
	if st := e.status("restricted-ssh"); st.LastSuccessfulEvaluationTime == nil || !st.FirstEvaluationStarted {
		t.Errorf("status of an evaluated rule: %+v", st)
	}

	// Per resource, and the summaries.
	br, err := e.cfg.DescribeComplianceByResource(e.ctx, &configservice.DescribeComplianceByResourceInput{ResourceType: aws.String("AWS::EC2::SecurityGroup"), ResourceId: aws.String("sg-open")})
	if err != nil || len(br.ComplianceByResources) != 1 || br.ComplianceByResources[0].Compliance.ComplianceType != cfgtypes.ComplianceTypeNonCompliant ||
		br.ComplianceByResources[0].Compliance.ComplianceContributorCount.CappedCount != 1 {
		t.Errorf("DescribeComplianceByResource(sg-open): %v %+v", err, br)
	}
	det, err := e.cfg.GetComplianceDetailsByResource(e.ctx, &configservice.GetComplianceDetailsByResourceInput{ResourceType: aws.String("AWS::EC2::SecurityGroup"), ResourceId: aws.String("sg-open")})
	if err != nil || len(det.EvaluationResults) != 2 {
		t.Errorf("GetComplianceDetailsByResource(sg-open): %v %+v", err, det)
	}
	sum, err := e.cfg.GetComplianceSummaryByResourceType(e.ctx, &configservice.GetComplianceSummaryByResourceTypeInput{ResourceTypes: []string{"AWS::EC2::Volume"}})
	if err != nil || sum.ComplianceSummariesByResourceType[0].ComplianceSummary.NonCompliantResourceCount.CappedCount != 3 {
		t.Errorf("GetComplianceSummaryByResourceType: %v %+v", err, sum)
	}
	rs, err := e.cfg.GetComplianceSummaryByConfigRule(e.ctx, &configservice.GetComplianceSummaryByConfigRuleInput{})
	if err != nil || rs.ComplianceSummary.NonCompliantResourceCount.CappedCount != 3 || rs.ComplianceSummary.CompliantResourceCount.CappedCount != 0 {
		t.Errorf("GetComplianceSummaryByConfigRule: %v %+v", err, rs.ComplianceSummary)
	}
	_, err = e.cfg.GetComplianceDetailsByConfigRule(e.ctx, &configservice.GetComplianceDetailsByConfigRuleInput{ConfigRuleName: aws.String("restricted-ssh"), ComplianceTypes: []cfgtypes.ComplianceType{cfgtypes.ComplianceTypeInsufficientData}})
	e2etest.APIError(t, err, "InvalidParameterValueException", 400)

	// The open group is closed: its new item is evaluated again (change-triggered).
	e.clk.Advance(time.Minute)
	e.importItems(e2etest.SecurityGroup("sg-open", "web", e2etest.Ingress("tcp", 443, 443, "0.0.0.0/0")))
	e.run()
	e2etest.WantResults(t, "restricted-ssh after the change", e.results("restricted-ssh"), map[string]string{"sg-closed": "COMPLIANT", "sg-open": "COMPLIANT"})
	if got := e.ruleCompliance("restricted-ssh"); got != "COMPLIANT" {
		t.Errorf("restricted-ssh compliance after the change: %s", got)
	}
	// A deleted resource's results go away.
	e.clk.Advance(time.Minute)
	del := volume("vol-plain", false, true)
	del["configurationItemStatus"] = "ResourceDeleted"
	e.importItems(del)
	e.run()
	if _, ok := e.results("encrypted-volumes")["vol-plain"]; ok {
		t.Errorf("the deleted volume still has a result")
	}
}

// testRulesChangeTriggered: a Guard rule evaluates a third-party resource right after
// PutResourceConfig, through the job queue, without any sleep.
func testRulesChangeTriggered(t *testing.T, backend testserver.Option) {
	e := newRulesEnv(t, backend)
	startRecording(t, e.cfg)
	e.mustPutRule(cfgtypes.ConfigRule{
		ConfigRuleName: aws.String("drones-registered"),
		Scope:          &cfgtypes.Scope{ComplianceResourceTypes: []string{"Acme::Fleet::Drone"}},
		Source: &cfgtypes.Source{Owner: cfgtypes.OwnerCustomPolicy,
			SourceDetails:       []cfgtypes.SourceDetail{{EventSource: cfgtypes.EventSourceAwsConfig, MessageType: cfgtypes.MessageTypeConfigurationItemChangeNotification}},
			CustomPolicyDetails: &cfgtypes.CustomPolicyDetails{PolicyRuntime: aws.String("guard-2.x.x"), PolicyText: aws.String(e2etest.GuardPolicy)}},
	})
	e.run()
	pol, err := e.cfg.GetCustomRulePolicy(e.ctx, &configservice.GetCustomRulePolicyInput{ConfigRuleName: aws.String("drones-registered")})
	if err != nil || aws.ToString(pol.PolicyText) != e2etest.GuardPolicy {
		t.Errorf("GetCustomRulePolicy: %v %+v", err, pol)
	}
	_, err = e.cfg.GetCustomRulePolicy(e.ctx, &configservice.GetCustomRulePolicyInput{ConfigRuleName: aws.String("nope")})
	e2etest.APIError(t, err, "NoSuchConfigRuleException", 400)
	if err := e2etest.PutCustom(t, e.cfg, "Acme::Fleet::Drone", "d1", `{"registered":true}`); err != nil {
		t.Fatal(err)
	}
	if err := e2etest.PutCustom(t, e.cfg, "Acme::Fleet::Drone", "d2", `{"registered":false}`); err != nil {
		t.Fatal(err)
	}
	e.run()
	e2etest.WantResults(t, "after PutResourceConfig", e.results("drones-registered"), map[string]string{"d1": "COMPLIANT", "d2": "NON_COMPLIANT"})
	det, err := e.cfg.GetComplianceDetailsByConfigRule(e.ctx, &configservice.GetComplianceDetailsByConfigRuleInput{
		ConfigRuleName: aws.String("drones-registered"), ComplianceTypes: []cfgtypes.ComplianceType{cfgtypes.ComplianceTypeNonCompliant}})
	if err != nil || len(det.EvaluationResults) != 1 || !strings.Contains(aws.ToString(det.EvaluationResults[0].Annotation), "registered") {
		t.Errorf("annotation of the failed Guard rule: %v %+v", err, det)
	}
	if err := e2etest.PutCustom(t, e.cfg, "Acme::Fleet::Drone", "d2", `{"registered":true}`); err != nil {
		t.Fatal(err)
	}
	e.run()
	e2etest.WantResults(t, "after the fix", e.results("drones-registered"), map[string]string{"d1": "COMPLIANT", "d2": "COMPLIANT"})
}

// lambdaEndpoint is a test HTTP endpoint standing in for a rule's Lambda function: it answers
// every event through PutEvaluations with the event's token.
type lambdaEndpoint struct {
	t      *testing.T
	cfg    *configservice.Client
	mu     sync.Mutex
	events []map[string]any
}

func (l *lambdaEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var ev map[string]any
	if err := json.Unmarshal(body, &ev); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	l.mu.Lock()
	l.events = append(l.events, ev)
	l.mu.Unlock()
	var invoking struct {
		ConfigurationItem struct {
			ResourceType, ResourceID string
			Configuration            map[string]any
			CaptureTime              time.Time `json:"configurationItemCaptureTime"`
		} `json:"configurationItem"`
	}
	_ = json.Unmarshal([]byte(ev["invokingEvent"].(string)), &invoking)
	ci := invoking.ConfigurationItem
	compliance := cfgtypes.ComplianceTypeNonCompliant
	if ci.Configuration["size"] == "small" {
		compliance = cfgtypes.ComplianceTypeCompliant
	}
	_, err := l.cfg.PutEvaluations(r.Context(), &configservice.PutEvaluationsInput{
		ResultToken: aws.String(ev["resultToken"].(string)),
		Evaluations: []cfgtypes.Evaluation{{ComplianceResourceType: aws.String(ci.ResourceType), ComplianceResourceId: aws.String(ci.ResourceID),
			ComplianceType: compliance, OrderingTimestamp: aws.Time(ci.CaptureTime), Annotation: aws.String("size is " + fmt.Sprint(ci.Configuration["size"]))}},
	})
	if err != nil {
		l.t.Errorf("PutEvaluations from the endpoint: %v", err)
		http.Error(w, err.Error(), 500)
	}
}

func testRulesLambda(t *testing.T, backend testserver.Option) {
	const fn = "arn:aws:lambda:us-east-1:111111111111:function:size-check"
	ep := &lambdaEndpoint{t: t}
	hs := httptest.NewServer(ep)
	defer hs.Close()
	e := newRulesEnv(t, backend, func(o *server.Options) { o.LambdaEndpoints = map[string]string{fn: hs.URL} })
	ep.cfg = e.cfg
	startRecording(t, e.cfg)
	if err := e2etest.PutCustom(t, e.cfg, "Acme::Fleet::Crate", "c1", `{"size":"small"}`); err != nil {
		t.Fatal(err)
	}
	if err := e2etest.PutCustom(t, e.cfg, "Acme::Fleet::Crate", "c2", `{"size":"huge"}`); err != nil {
		t.Fatal(err)
	}
	change := []cfgtypes.SourceDetail{{EventSource: cfgtypes.EventSourceAwsConfig, MessageType: cfgtypes.MessageTypeConfigurationItemChangeNotification},
		{EventSource: cfgtypes.EventSourceAwsConfig, MessageType: cfgtypes.MessageTypeOversizedConfigurationItemChangeNotification}}
	e.mustPutRule(cfgtypes.ConfigRule{ConfigRuleName: aws.String("crate-size"), InputParameters: aws.String(`{"max":"small"}`),
		Scope:  &cfgtypes.Scope{ComplianceResourceTypes: []string{"Acme::Fleet::Crate"}},
		Source: &cfgtypes.Source{Owner: cfgtypes.OwnerCustomLambda, SourceIdentifier: aws.String(fn), SourceDetails: change}})
	e.run()
	e2etest.WantResults(t, "lambda rule", e.results("crate-size"), map[string]string{"c1": "COMPLIANT", "c2": "NON_COMPLIANT"})
	ep.mu.Lock()
	if len(ep.events) != 2 {
		t.Errorf("endpoint got %d events, want 2", len(ep.events))
	} else {
		ev := ep.events[0]
		for _, k := range []string{"invokingEvent", "ruleParameters", "resultToken", "eventLeftScope", "executionRoleArn", "configRuleArn", "configRuleName", "configRuleId", "accountId", "version"} {
			if _, ok := ev[k]; !ok {
				t.Errorf("event lacks %s: %v", k, ev)
			}
		}
		if ev["ruleParameters"] != `{"max":"small"}` || ev["accountId"] != testserver.AccountID {
			t.Errorf("event: %v", ev)
		}
	}
	ep.mu.Unlock()
	if st := e.status("crate-size"); st.LastSuccessfulInvocationTime == nil || aws.ToString(st.LastErrorCode) != "" {
		t.Errorf("status: %+v", st)
	}
	// A change invokes the function again.
	e.clk.Advance(time.Minute)
	if err := e2etest.PutCustom(t, e.cfg, "Acme::Fleet::Crate", "c2", `{"size":"small"}`); err != nil {
		t.Fatal(err)
	}
	e.run()
	e2etest.WantResults(t, "after the change", e.results("crate-size"), map[string]string{"c1": "COMPLIANT", "c2": "COMPLIANT"})

	// Results need a genuine token; TestMode stores nothing and checks none.
	eval := []cfgtypes.Evaluation{{ComplianceResourceType: aws.String("Acme::Fleet::Crate"), ComplianceResourceId: aws.String("c1"),
		ComplianceType: cfgtypes.ComplianceTypeNonCompliant, OrderingTimestamp: aws.Time(time.Now())}}
	_, err := e.cfg.PutEvaluations(e.ctx, &configservice.PutEvaluationsInput{ResultToken: aws.String("forged"), Evaluations: eval})
	e2etest.APIError(t, err, "InvalidResultTokenException", 400)
	if _, err := e.cfg.PutEvaluations(e.ctx, &configservice.PutEvaluationsInput{ResultToken: aws.String("forged"), Evaluations: eval, TestMode: true}); err != nil {
		t.Errorf("TestMode: %v", err)
	}
	eval[0].ComplianceType = cfgtypes.ComplianceTypeInsufficientData
	_, err = e.cfg.PutEvaluations(e.ctx, &configservice.PutEvaluationsInput{ResultToken: aws.String("forged"), Evaluations: eval, TestMode: true})
	e2etest.APIError(t, err, "InvalidParameterValueException", 400)
	_, err = e.cfg.PutEvaluations(e.ctx, &configservice.PutEvaluationsInput{ResultToken: aws.String("forged")})
	e2etest.APIError(t, err, "InvalidParameterValueException", 400)

	// A function without an endpoint: the rule's status says it cannot be invoked.
	e.mustPutRule(cfgtypes.ConfigRule{ConfigRuleName: aws.String("nowhere"),
		Source: &cfgtypes.Source{Owner: cfgtypes.OwnerCustomLambda, SourceIdentifier: aws.String("arn:aws:lambda:us-east-1:111111111111:function:other"), SourceDetails: change}})
	e.run()
	if st := e.status("nowhere"); aws.ToString(st.LastErrorCode) != "LambdaEndpointNotConfigured" || st.LastFailedInvocationTime == nil {
		t.Errorf("status without an endpoint: %+v", st)
	}
}

// testRulesPeriodic: IAM_PASSWORD_POLICY runs at creation and then every 24 hours (the clock),
// against the account's password policy.
func testRulesPeriodic(t *testing.T, backend testserver.Option) {
	e := newRulesEnv(t, backend)
	startRecording(t, e.cfg)
	e.mustPutRule(e2etest.ManagedRule("password-policy", "IAM_PASSWORD_POLICY", `{"MinimumPasswordLength":"12"}`))
	out, _ := e.cfg.DescribeConfigRules(e.ctx, &configservice.DescribeConfigRulesInput{ConfigRuleNames: []string{"password-policy"}})
	if f := out.ConfigRules[0].MaximumExecutionFrequency; f != cfgtypes.MaximumExecutionFrequencyTwentyFourHours {
		t.Errorf("MaximumExecutionFrequency = %q, want TwentyFour_Hours", f)
	}
	e.run()
	e2etest.WantResults(t, "no password policy", e.results("password-policy"), map[string]string{testserver.AccountID: "NON_COMPLIANT"})
	ic := iam.NewFromConfig(e.srv.Config("us-east-1"))
	if _, err := ic.UpdateAccountPasswordPolicy(e.ctx, &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(16), RequireSymbols: true, RequireNumbers: true, RequireUppercaseCharacters: true,
		RequireLowercaseCharacters: true, MaxPasswordAge: aws.Int32(60), PasswordReusePrevention: aws.Int32(24),
	}); err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(23 * time.Hour)
	e.run()
	e2etest.WantResults(t, "before the next period", e.results("password-policy"), map[string]string{testserver.AccountID: "NON_COMPLIANT"})
	e.clk.Advance(2 * time.Hour)
	e.run()
	e2etest.WantResults(t, "after the next period", e.results("password-policy"), map[string]string{testserver.AccountID: "COMPLIANT"})
	br, err := e.cfg.DescribeComplianceByResource(e.ctx, &configservice.DescribeComplianceByResourceInput{ResourceType: aws.String("AWS::::Account")})
	if err != nil || len(br.ComplianceByResources) != 1 || aws.ToString(br.ComplianceByResources[0].ResourceId) != testserver.AccountID {
		t.Errorf("DescribeComplianceByResource(AWS::::Account): %v %+v", err, br)
	}
}

// testRulesLifecycle: StartConfigRulesEvaluation's rate limit, DeleteEvaluationResults,
// PutExternalEvaluation for a process check, and DeleteConfigRule (DELETING, then gone).
func testRulesLifecycle(t *testing.T, backend testserver.Option) {
	e := newRulesEnv(t, backend)
	startRecording(t, e.cfg)
	e.importItems(volume("vol-1", true, true))
	e.mustPutRule(e2etest.ManagedRule("ev", "ENCRYPTED_VOLUMES", ""))
	e.run()
	start := func() error {
		_, err := e.cfg.StartConfigRulesEvaluation(e.ctx, &configservice.StartConfigRulesEvaluationInput{ConfigRuleNames: []string{"ev"}})
		return err
	}
	if err := start(); err != nil {
		t.Fatal(err)
	}
	e2etest.APIError(t, start(), "LimitExceededException", 400)
	e.run()
	e.clk.Advance(2 * time.Minute)
	if err := start(); err != nil {
		t.Errorf("a minute later: %v", err)
	}
	e.run()
	_, err := e.cfg.StartConfigRulesEvaluation(e.ctx, &configservice.StartConfigRulesEvaluationInput{ConfigRuleNames: []string{"nope"}})
	e2etest.APIError(t, err, "NoSuchConfigRuleException", 400)

	if _, err := e.cfg.DeleteEvaluationResults(e.ctx, &configservice.DeleteEvaluationResultsInput{ConfigRuleName: aws.String("ev")}); err != nil {
		t.Fatal(err)
	}
	if got := e.ruleCompliance("ev"); got != "INSUFFICIENT_DATA" {
		t.Errorf("after DeleteEvaluationResults: %s", got)
	}

	e.mustPutRule(e2etest.ManagedRule("process", "AWS_CONFIG_PROCESS_CHECK", ""))
	_, err = e.cfg.PutExternalEvaluation(e.ctx, &configservice.PutExternalEvaluationInput{ConfigRuleName: aws.String("process"),
		ExternalEvaluation: &cfgtypes.ExternalEvaluation{ComplianceResourceType: aws.String("AWS::::Account"), ComplianceResourceId: aws.String(testserver.AccountID),
			ComplianceType: cfgtypes.ComplianceTypeCompliant, OrderingTimestamp: aws.Time(time.Now())}})
	if err != nil {
		t.Fatalf("PutExternalEvaluation: %v", err)
	}
	if got := e.ruleCompliance("process"); got != "COMPLIANT" {
		t.Errorf("process check: %s", got)
	}
	_, err = e.cfg.PutExternalEvaluation(e.ctx, &configservice.PutExternalEvaluationInput{ConfigRuleName: aws.String("ev"),
		ExternalEvaluation: &cfgtypes.ExternalEvaluation{ComplianceResourceType: aws.String("AWS::::Account"), ComplianceResourceId: aws.String(testserver.AccountID),
			ComplianceType: cfgtypes.ComplianceTypeCompliant, OrderingTimestamp: aws.Time(time.Now())}})
	e2etest.APIError(t, err, "NoSuchConfigRuleException", 400)

	if _, err := e.cfg.DeleteConfigRule(e.ctx, &configservice.DeleteConfigRuleInput{ConfigRuleName: aws.String("ev")}); err != nil {
		t.Fatal(err)
	}
	out, err := e.cfg.DescribeConfigRules(e.ctx, &configservice.DescribeConfigRulesInput{ConfigRuleNames: []string{"ev"}})
	if err != nil || out.ConfigRules[0].ConfigRuleState != cfgtypes.ConfigRuleStateDeleting {
		t.Errorf("right after DeleteConfigRule: %v %+v", err, out)
	}
	_, err = e.cfg.DeleteConfigRule(e.ctx, &configservice.DeleteConfigRuleInput{ConfigRuleName: aws.String("ev")})
	e2etest.APIError(t, err, "ResourceInUseException", 400)
	e.run()
	_, err = e.cfg.DescribeConfigRules(e.ctx, &configservice.DescribeConfigRulesInput{ConfigRuleNames: []string{"ev"}})
	e2etest.APIError(t, err, "NoSuchConfigRuleException", 400)
}
