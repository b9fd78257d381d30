package config

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orgconfig/orgconfig/tests/e2e/e2etest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/orgconfig/orgconfig/internal/testserver"
)

// TestConfigRemediation runs the remediation suite (configurations, exceptions, executions)
// on both backends. orgconfig stores remediation but has no automation backend: executions
// fail at once, with the reason, and nothing sleeps.
func TestConfigRemediation(t *testing.T) {
	testserver.Backends(t, func(t *testing.T, backend testserver.Backend) {
		for _, c := range []struct {
			name string
			fn   func(*testing.T, testserver.Option)
		}{
			{"Configurations", testRemediationConfigurations},
			{"Exceptions", testRemediationExceptions},
			{"ExecutionsFailWithTheReason", testRemediationExecutions},
		} {
			t.Run(c.name, func(t *testing.T) { c.fn(t, backend(t)) })
		}
	})
}

// noAutomation is the reason every remediation execution fails.
const noAutomation = "orgconfig has no automation backend: SSM Automation documents are not executed"

func dronesRule(e *rulesEnv, name string) {
	e.t.Helper()
	e.mustPutRule(cfgtypes.ConfigRule{
		ConfigRuleName: aws.String(name),
		Scope:          &cfgtypes.Scope{ComplianceResourceTypes: []string{"Acme::Fleet::Drone"}},
		Source: &cfgtypes.Source{Owner: cfgtypes.OwnerCustomPolicy,
			SourceDetails:       []cfgtypes.SourceDetail{{EventSource: cfgtypes.EventSourceAwsConfig, MessageType: cfgtypes.MessageTypeConfigurationItemChangeNotification}},
			CustomPolicyDetails: &cfgtypes.CustomPolicyDetails{PolicyRuntime: aws.String("guard-2.x.x"), PolicyText: aws.String(e2etest.GuardPolicy)}},
	})
}

func remediation(rule string) cfgtypes.RemediationConfiguration {
	return cfgtypes.RemediationConfiguration{
		ConfigRuleName: aws.String(rule),
		TargetType:     cfgtypes.RemediationTargetTypeSsmDocument,
		TargetId:       aws.String("AWS-RegisterDrone"),
		ResourceType:   aws.String("Acme::Fleet::Drone"),
		Parameters: map[string]cfgtypes.RemediationParameterValue{
			"DroneId":              {ResourceValue: &cfgtypes.ResourceValue{Value: cfgtypes.ResourceValueTypeResourceId}},
			"AutomationAssumeRole": {StaticValue: &cfgtypes.StaticValue{Values: []string{"arn:aws:iam::" + testserver.AccountID + ":role/remediate"}}},
		},
	}
}

func (e *rulesEnv) putRemediation(cs ...cfgtypes.RemediationConfiguration) (*configservice.PutRemediationConfigurationsOutput, error) {
	return e.cfg.PutRemediationConfigurations(e.ctx, &configservice.PutRemediationConfigurationsInput{RemediationConfigurations: cs})
}

func (e *rulesEnv) describeRemediation(names ...string) []cfgtypes.RemediationConfiguration {
	e.t.Helper()
	out, err := e.cfg.DescribeRemediationConfigurations(e.ctx, &configservice.DescribeRemediationConfigurationsInput{ConfigRuleNames: names})
	if err != nil {
		e.t.Fatalf("DescribeRemediationConfigurations: %v", err)
	}
	return out.RemediationConfigurations
}

func (e *rulesEnv) deleteRule(name string) error {
	_, err := e.cfg.DeleteConfigRule(e.ctx, &configservice.DeleteConfigRuleInput{ConfigRuleName: aws.String(name)})
	return err
}

// testRemediationConfigurations: put (with a rule that does not exist in FailedBatches),
// describe, update, the documented errors, and a rule that cannot be deleted while it has a
// remediation configuration.
func testRemediationConfigurations(t *testing.T, backend testserver.Option) {
	e := newRulesEnv(t, backend)
	startRecording(t, e.cfg)
	dronesRule(e, "drones-registered")

	auto := remediation("drones-registered")
	auto.Automatic = true
	out, err := e.putRemediation(auto, remediation("no-such-rule"))
	if err != nil {
		t.Fatalf("PutRemediationConfigurations: %v", err)
	}
	if len(out.FailedBatches) != 1 || len(out.FailedBatches[0].FailedItems) != 1 ||
		aws.ToString(out.FailedBatches[0].FailedItems[0].ConfigRuleName) != "no-such-rule" || aws.ToString(out.FailedBatches[0].FailureMessage) == "" {
		t.Errorf("FailedBatches: %+v", out.FailedBatches)
	}
	got := e.describeRemediation("drones-registered", "no-such-rule", "drones-registered")
	if len(got) != 1 {
		t.Fatalf("DescribeRemediationConfigurations: %+v", got)
	}
	rc := got[0]
	arn := aws.ToString(rc.Arn)
	prefix := "arn:aws:config:us-east-1:" + testserver.AccountID + ":remediation-configuration/drones-registered/"
	if !strings.HasPrefix(arn, prefix) || len(arn) <= len(prefix) {
		t.Errorf("Arn %q, want %s<uuid>", arn, prefix)
	}
	if !rc.Automatic || aws.ToInt32(rc.MaximumAutomaticAttempts) != 5 || aws.ToInt64(rc.RetryAttemptSeconds) != 60 ||
		aws.ToString(rc.TargetId) != "AWS-RegisterDrone" || rc.TargetType != cfgtypes.RemediationTargetTypeSsmDocument ||
		aws.ToString(rc.ResourceType) != "Acme::Fleet::Drone" || rc.CreatedByService != nil {
		t.Errorf("remediation configuration: %+v", rc)
	}
	if p := rc.Parameters["DroneId"]; p.ResourceValue == nil || p.ResourceValue.Value != cfgtypes.ResourceValueTypeResourceId {
		t.Errorf("parameter DroneId: %+v", p)
	}
	if p := rc.Parameters["AutomationAssumeRole"]; p.StaticValue == nil || len(p.StaticValue.Values) != 1 {
		t.Errorf("parameter AutomationAssumeRole: %+v", p)
	}

	// An update replaces the configuration and keeps its ARN.
	manual := remediation("drones-registered")
	manual.TargetVersion = aws.String("2")
	manual.ExecutionControls = &cfgtypes.ExecutionControls{SsmControls: &cfgtypes.SsmControls{ConcurrentExecutionRatePercentage: aws.Int32(20), ErrorPercentage: aws.Int32(40)}}
	if out, err := e.putRemediation(manual); err != nil || len(out.FailedBatches) != 0 {
		t.Fatalf("update: %v %+v", err, out)
	}
	rc = e.describeRemediation("drones-registered")[0]
	if aws.ToString(rc.Arn) != arn || rc.Automatic || aws.ToString(rc.TargetVersion) != "2" ||
		rc.ExecutionControls == nil || aws.ToInt32(rc.ExecutionControls.SsmControls.ErrorPercentage) != 40 {
		t.Errorf("after the update: %+v", rc)
	}

	// Invalid configurations fail the whole request.
	both := remediation("drones-registered")
	both.Parameters["DroneId"] = cfgtypes.RemediationParameterValue{
		ResourceValue: &cfgtypes.ResourceValue{Value: cfgtypes.ResourceValueTypeResourceId}, StaticValue: &cfgtypes.StaticValue{Values: []string{"x"}}}
	_, err = e.putRemediation(both)
	e2etest.APIError(t, err, "InvalidParameterValueException", 400)
	attempts := remediation("drones-registered")
	attempts.MaximumAutomaticAttempts = aws.Int32(26)
	_, err = e.putRemediation(attempts)
	e2etest.APIError(t, err, "ValidationException", 400)
	retry := remediation("drones-registered")
	retry.RetryAttemptSeconds = aws.Int64(2678001)
	_, err = e.putRemediation(retry)
	e2etest.APIError(t, err, "ValidationException", 400)
	var many []cfgtypes.RemediationConfiguration
	for range 26 {
		many = append(many, remediation("drones-registered"))
	}
	_, err = e.putRemediation(many...)
	e2etest.APIError(t, err, "ValidationException", 400)
	if rc := e.describeRemediation("drones-registered")[0]; aws.ToString(rc.TargetVersion) != "2" {
		t.Errorf("a refused request changed the configuration: %+v", rc)
	}

	// The rule cannot be deleted while it has a remediation configuration.
	e2etest.APIError(t, e.deleteRule("drones-registered"), "ResourceInUseException", 400)
	_, err = e.cfg.DeleteRemediationConfiguration(e.ctx, &configservice.DeleteRemediationConfigurationInput{
		ConfigRuleName: aws.String("drones-registered"), ResourceType: aws.String("AWS::EC2::Volume")})
	e2etest.APIError(t, err, "NoSuchRemediationConfigurationException", 400)
	if _, err := e.cfg.DeleteRemediationConfiguration(e.ctx, &configservice.DeleteRemediationConfigurationInput{
		ConfigRuleName: aws.String("drones-registered"), ResourceType: aws.String("Acme::Fleet::Drone")}); err != nil {
		t.Fatalf("DeleteRemediationConfiguration: %v", err)
	}
	if got := e.describeRemediation("drones-registered"); len(got) != 0 {
		t.Errorf("after the delete: %+v", got)
	}
	_, err = e.cfg.DeleteRemediationConfiguration(e.ctx, &configservice.DeleteRemediationConfigurationInput{ConfigRuleName: aws.String("drones-registered")})
	e2etest.APIError(t, err, "NoSuchRemediationConfigurationException", 400)
	_, err = e.cfg.DeleteRemediationConfiguration(e.ctx, &configservice.DeleteRemediationConfigurationInput{ConfigRuleName: aws.String("no-such-rule")})
	e2etest.APIError(t, err, "NoSuchRemediationConfigurationException", 400)
	if err := e.deleteRule("drones-registered"); err != nil {
		t.Errorf("DeleteConfigRule after DeleteRemediationConfiguration: %v", err)
	}
	e.run()
	// A rule being deleted takes no remediation configuration.
	if out, err := e.putRemediation(remediation("drones-registered")); err != nil || len(out.FailedBatches) != 1 {
		t.Errorf("put for a deleted rule: %v %+v", err, out)
	}
}

func droneKey(id string) cfgtypes.RemediationExceptionResourceKey {
	return cfgtypes.RemediationExceptionResourceKey{ResourceType: aws.String("Acme::Fleet::Drone"), ResourceId: aws.String(id)}
}

// listExceptions pages through a rule's remediation exceptions.
func (e *rulesEnv) listExceptions(rule string, limit int32) []string {
	e.t.Helper()
	var ids []string
	p := configservice.NewDescribeRemediationExceptionsPaginator(e.cfg, &configservice.DescribeRemediationExceptionsInput{ConfigRuleName: aws.String(rule), Limit: limit})
	for pages := 0; p.HasMorePages(); pages++ {
		if pages > 100 {
			e.t.Fatalf("DescribeRemediationExceptions does not end")
		}
		page, err := p.NextPage(e.ctx)
		if err != nil {
			e.t.Fatalf("DescribeRemediationExceptions: %v", err)
		}
		if limit > 0 && len(page.RemediationExceptions) > int(limit) {
			e.t.Errorf("page of %d exceptions, limit %d", len(page.RemediationExceptions), limit)
		}
		for _, x := range page.RemediationExceptions {
			ids = append(ids, aws.ToString(x.ResourceId))
		}
	}
	return ids
}

// testRemediationExceptions: exceptions only for resources not found COMPLIANT or
// NOT_APPLICABLE, paging that ends, expiry, and deletion with FailedBatches.
func testRemediationExceptions(t *testing.T, backend testserver.Option) {
	e := newRulesEnv(t, backend)
	startRecording(t, e.cfg)
	dronesRule(e, "drones-registered")
	e.run()
	if err := e2etest.PutCustom(t, e.cfg, "Acme::Fleet::Drone", "d1", `{"registered":false}`); err != nil {
		t.Fatal(err)
	}
	if err := e2etest.PutCustom(t, e.cfg, "Acme::Fleet::Drone", "d2", `{"registered":true}`); err != nil {
		t.Fatal(err)
	}
	e.run()
	e2etest.WantResults(t, "drones", e.results("drones-registered"), map[string]string{"d1": "NON_COMPLIANT", "d2": "COMPLIANT"})

	expires := e.clk.Now().Add(time.Hour)
	out, err := e.cfg.PutRemediationExceptions(e.ctx, &configservice.PutRemediationExceptionsInput{
		ConfigRuleName: aws.String("drones-registered"), ResourceKeys: []cfgtypes.RemediationExceptionResourceKey{droneKey("d1"), droneKey("d2"), droneKey("d3")},
		Message: aws.String("grounded for repairs"), ExpirationTime: aws.Time(expires)})
	if err != nil {
		t.Fatalf("PutRemediationExceptions: %v", err)
	}
	if len(out.FailedBatches) != 1 || len(out.FailedBatches[0].FailedItems) != 1 || aws.ToString(out.FailedBatches[0].FailedItems[0].ResourceId) != "d2" ||
		!strings.Contains(aws.ToString(out.FailedBatches[0].FailureMessage), "COMPLIANT") {
		t.Errorf("the COMPLIANT drone must fail: %+v", out.FailedBatches)
	}
	var keys []cfgtypes.RemediationExceptionResourceKey
	for i := range 30 {
		keys = append(keys, droneKey(fmt.Sprintf("x%02d", i)))
	}
	if out, err := e.cfg.PutRemediationExceptions(e.ctx, &configservice.PutRemediationExceptionsInput{
		ConfigRuleName: aws.String("drones-registered"), ResourceKeys: keys}); err != nil || len(out.FailedBatches) != 0 {
		t.Fatalf("PutRemediationExceptions x00..x29: %v %+v", err, out)
	}
	ids := e.listExceptions("drones-registered", 7)
	if len(ids) != 32 || ids[0] != "d1" || ids[1] != "d3" || ids[31] != "x29" || !slices.IsSorted(ids) {
		t.Errorf("listed %d exceptions %v, want d1, d3, x00..x29", len(ids), ids)
	}
	if ids := e.listExceptions("drones-registered", 0); len(ids) != 32 {
		t.Errorf("default page size: %d exceptions", len(ids))
	}
	d, err := e.cfg.DescribeRemediationExceptions(e.ctx, &configservice.DescribeRemediationExceptionsInput{
		ConfigRuleName: aws.String("drones-registered"), ResourceKeys: []cfgtypes.RemediationExceptionResourceKey{droneKey("d1"), droneKey("d2")}})
	if err != nil || len(d.RemediationExceptions) != 1 || d.NextToken != nil {
		t.Fatalf("DescribeRemediationExceptions(d1, d2): %v %+v", err, d)
	}
	if x := d.RemediationExceptions[0]; aws.ToString(x.ConfigRuleName) != "drones-registered" || aws.ToString(x.ResourceType) != "Acme::Fleet::Drone" ||
		aws.ToString(x.Message) != "grounded for repairs" || x.ExpirationTime == nil || !x.ExpirationTime.Equal(expires) {
		t.Errorf("exception d1: %+v", x)
	}
	_, err = e.cfg.DescribeRemediationExceptions(e.ctx, &configservice.DescribeRemediationExceptionsInput{ConfigRuleName: aws.String("drones-registered"), NextToken: aws.String("garbage")})
	e2etest.APIError(t, err, "InvalidNextTokenException", 400)
	if ids := e.listExceptions("no-such-rule", 0); len(ids) != 0 {
		t.Errorf("exceptions of a rule that does not exist: %v", ids)
	}

	// Errors and failures of the put.
	_, err = e.cfg.PutRemediationExceptions(e.ctx, &configservice.PutRemediationExceptionsInput{
		ConfigRuleName: aws.String("drones-registered"), ResourceKeys: []cfgtypes.RemediationExceptionResourceKey{droneKey("d4")}, ExpirationTime: aws.Time(e.clk.Now().Add(-time.Minute))})
	e2etest.APIError(t, err, "InvalidParameterValueException", 400)
	_, err = e.cfg.PutRemediationExceptions(e.ctx, &configservice.PutRemediationExceptionsInput{ConfigRuleName: aws.String("drones-registered"), ResourceKeys: []cfgtypes.RemediationExceptionResourceKey{}})
	e2etest.APIError(t, err, "ValidationException", 400)
	_, err = e.cfg.PutRemediationExceptions(e.ctx, &configservice.PutRemediationExceptionsInput{
		ConfigRuleName: aws.String("drones-registered"), ResourceKeys: []cfgtypes.RemediationExceptionResourceKey{{ResourceId: aws.String("d4")}}})
	e2etest.APIError(t, err, "InvalidParameterValueException", 400)
	if out, err := e.cfg.PutRemediationExceptions(e.ctx, &configservice.PutRemediationExceptionsInput{
		ConfigRuleName: aws.String("no-such-rule"), ResourceKeys: []cfgtypes.RemediationExceptionResourceKey{droneKey("d1"), droneKey("d4")}}); err != nil ||
		len(out.FailedBatches) != 1 || len(out.FailedBatches[0].FailedItems) != 2 {
		t.Errorf("exceptions for a rule that does not exist: %v %+v", err, out)
	}

	// An exception is gone once it expires.
	e.clk.Advance(2 * time.Hour)
	if ids := e.listExceptions("drones-registered", 0); len(ids) != 30 || slices.Contains(ids, "d1") {
		t.Errorf("after the expiry of d1 and d3: %v", ids)
	}

	// Deletion: unknown keys fail; when none is known, NoSuchRemediationExceptionException.
	del, err := e.cfg.DeleteRemediationExceptions(e.ctx, &configservice.DeleteRemediationExceptionsInput{
		ConfigRuleName: aws.String("drones-registered"), ResourceKeys: []cfgtypes.RemediationExceptionResourceKey{droneKey("x00"), droneKey("x01"), droneKey("nope"), droneKey("d1")}})
	if err != nil {
		t.Fatalf("DeleteRemediationExceptions: %v", err)
	}
	var failed []string
	for _, b := range del.FailedBatches {
		for _, k := range b.FailedItems {
			failed = append(failed, aws.ToString(k.ResourceId))
		}
	}
	if slices.Sort(failed); fmt.Sprint(failed) != "[d1 nope]" {
		t.Errorf("failed deletions %v, want the unknown and the expired keys", failed)
	}
	if ids := e.listExceptions("drones-registered", 0); len(ids) != 28 || slices.Contains(ids, "x00") {
		t.Errorf("after the deletion: %v", ids)
	}
	_, err = e.cfg.DeleteRemediationExceptions(e.ctx, &configservice.DeleteRemediationExceptionsInput{
		ConfigRuleName: aws.String("drones-registered"), ResourceKeys: []cfgtypes.RemediationExceptionResourceKey{droneKey("x00")}})
	e2etest.APIError(t, err, "NoSuchRemediationExceptionException", 400)
}

func volumeKey(id string) cfgtypes.ResourceKey {
	return cfgtypes.ResourceKey{ResourceType: cfgtypes.ResourceTypeVolume, ResourceId: aws.String(id)}
}

// testRemediationExecutions: StartRemediationExecution says that nothing runs, and
// DescribeRemediationExecutionStatus shows FAILED executions with the reason.
func testRemediationExecutions(t *testing.T, backend testserver.Option) {
	e := newRulesEnv(t, backend)
	startRecording(t, e.cfg)
	e.mustPutRule(e2etest.ManagedRule("encrypted-volumes", "ENCRYPTED_VOLUMES", ""))
	start := func(rule string, keys ...cfgtypes.ResourceKey) (*configservice.StartRemediationExecutionOutput, error) {
		return e.cfg.StartRemediationExecution(e.ctx, &configservice.StartRemediationExecutionInput{ConfigRuleName: aws.String(rule), ResourceKeys: keys})
	}
	_, err := start("encrypted-volumes", volumeKey("vol-1"))
	e2etest.APIError(t, err, "NoSuchRemediationConfigurationException", 400)
	_, err = start("no-such-rule", volumeKey("vol-1"))
	e2etest.APIError(t, err, "NoSuchRemediationConfigurationException", 400)
	_, err = e.cfg.DescribeRemediationExecutionStatus(e.ctx, &configservice.DescribeRemediationExecutionStatusInput{ConfigRuleName: aws.String("encrypted-volumes")})
	e2etest.APIError(t, err, "NoSuchRemediationConfigurationException", 400)

	rc := cfgtypes.RemediationConfiguration{ConfigRuleName: aws.String("encrypted-volumes"), TargetType: cfgtypes.RemediationTargetTypeSsmDocument,
		TargetId: aws.String("AWS-EncryptVolume"), ResourceType: aws.String("AWS::EC2::Volume")}
	if out, err := e.putRemediation(rc); err != nil || len(out.FailedBatches) != 0 {
		t.Fatalf("PutRemediationConfigurations: %v %+v", err, out)
	}
	out, err := start("encrypted-volumes", volumeKey("vol-3"), volumeKey("vol-1"), volumeKey("vol-2"), volumeKey("vol-1"))
	if err != nil {
		t.Fatalf("StartRemediationExecution: %v", err)
	}
	if aws.ToString(out.FailureMessage) != noAutomation || len(out.FailedItems) != 3 {
		t.Errorf("StartRemediationExecution: %q %+v", aws.ToString(out.FailureMessage), out.FailedItems)
	}
	_, err = start("encrypted-volumes", []cfgtypes.ResourceKey{}...)
	e2etest.APIError(t, err, "ValidationException", 400)

	var got []string
	p := configservice.NewDescribeRemediationExecutionStatusPaginator(e.cfg, &configservice.DescribeRemediationExecutionStatusInput{ConfigRuleName: aws.String("encrypted-volumes"), Limit: 2})
	for pages := 0; p.HasMorePages(); pages++ {
		if pages > 10 {
			t.Fatalf("DescribeRemediationExecutionStatus does not end")
		}
		page, err := p.NextPage(e.ctx)
		if err != nil {
			t.Fatalf("DescribeRemediationExecutionStatus: %v", err)
		}
		for _, st := range page.RemediationExecutionStatuses {
			got = append(got, aws.ToString(st.ResourceKey.ResourceId))
			if st.State != cfgtypes.RemediationExecutionStateFailed || st.InvocationTime == nil || st.LastUpdatedTime == nil || len(st.StepDetails) != 1 ||
				st.StepDetails[0].State != cfgtypes.RemediationExecutionStepStateFailed || aws.ToString(st.StepDetails[0].ErrorMessage) != noAutomation ||
				aws.ToString(st.StepDetails[0].Name) != "AWS-EncryptVolume" || st.ResourceKey.ResourceType != cfgtypes.ResourceTypeVolume {
				t.Errorf("execution status: %+v", st)
			}
		}
	}
	if fmt.Sprint(got) != "[vol-1 vol-2 vol-3]" {
		t.Errorf("executions %v", got)
	}
	one, err := e.cfg.DescribeRemediationExecutionStatus(e.ctx, &configservice.DescribeRemediationExecutionStatusInput{
		ConfigRuleName: aws.String("encrypted-volumes"), ResourceKeys: []cfgtypes.ResourceKey{volumeKey("vol-2"), volumeKey("vol-9")}})
	if err != nil || len(one.RemediationExecutionStatuses) != 1 || aws.ToString(one.RemediationExecutionStatuses[0].ResourceKey.ResourceId) != "vol-2" {
		t.Errorf("DescribeRemediationExecutionStatus(vol-2, vol-9): %v %+v", err, one)
	}
	_, err = e.cfg.DescribeRemediationExecutionStatus(e.ctx, &configservice.DescribeRemediationExecutionStatusInput{ConfigRuleName: aws.String("encrypted-volumes"), NextToken: aws.String("garbage")})
	e2etest.APIError(t, err, "InvalidNextTokenException", 400)

	// The executions go with the configuration.
	if _, err := e.cfg.DeleteRemediationConfiguration(e.ctx, &configservice.DeleteRemediationConfigurationInput{ConfigRuleName: aws.String("encrypted-volumes")}); err != nil {
		t.Fatal(err)
	}
	if out, err := e.putRemediation(rc); err != nil || len(out.FailedBatches) != 0 {
		t.Fatalf("PutRemediationConfigurations again: %v %+v", err, out)
	}
	again, err := e.cfg.DescribeRemediationExecutionStatus(e.ctx, &configservice.DescribeRemediationExecutionStatusInput{ConfigRuleName: aws.String("encrypted-volumes")})
	if err != nil || len(again.RemediationExecutionStatuses) != 0 {
		t.Errorf("executions after the configuration was deleted and put again: %v %+v", err, again)
	}
}
