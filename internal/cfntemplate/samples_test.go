package cfntemplate

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The sample packs AWS publishes (testdata/README.md) load, with the rules, parameters and
// remediations they declare, and input parameters override their defaults.

var sampleCtx = Context{AccountID: "123456789012", Region: "eu-west-1"}

// loadSample parses one testdata template with the given input parameters.
func loadSample(t *testing.T, name string, params map[string]string) *Template {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := Parse(body, params, sampleCtx)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return tpl
}

// ruleNamed finds a rule by its ConfigRuleName.
func ruleNamed(t *testing.T, tpl *Template, name string) Rule {
	t.Helper()
	for _, r := range tpl.Rules {
		if r.ConfigRuleName == name {
			return r
		}
	}
	t.Fatalf("no rule %q", name)
	return Rule{}
}

// countWhere counts the rules a predicate holds for.
func countWhere(tpl *Template, pred func(Rule) bool) int {
	n := 0
	for _, r := range tpl.Rules {
		if pred(r) {
			n++
		}
	}
	return n
}

func TestSampleS3(t *testing.T) {
	tpl := loadSample(t, "Operational-Best-Practices-for-Amazon-S3.yaml", nil)
	if len(tpl.Rules) != 6 || len(tpl.Remediations) != 0 || len(tpl.Parameters) != 0 {
		t.Fatalf("got %d rules, %d remediations, %d parameters", len(tpl.Rules), len(tpl.Remediations), len(tpl.Parameters))
	}
	r := tpl.Rules[0]
	want := Rule{
		LogicalID:      "S3BucketPublicReadProhibited",
		ConfigRuleName: "S3BucketPublicReadProhibited",
		Description: "Checks that your Amazon S3 buckets do not allow public read access. " +
			"The rule checks the Block Public Access settings, the bucket policy, and the bucket access control list (ACL).",
		Scope:                     &Scope{ComplianceResourceTypes: []string{"AWS::S3::Bucket"}},
		Owner:                     "AWS",
		SourceIdentifier:          "S3_BUCKET_PUBLIC_READ_PROHIBITED",
		MaximumExecutionFrequency: "Six_Hours",
	}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("rule 0:\n got %+v\nwant %+v", r, want)
	}
	if got := tpl.Rules[4]; got.LogicalID != "ServerSideEncryptionEnabled" || got.SourceIdentifier != "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED" {
		t.Errorf("rule 4 = %+v", got)
	}
}

func TestSampleEC2(t *testing.T) {
	tpl := loadSample(t, "Operational-Best-Practices-for-EC2.yaml", nil)
	if len(tpl.Rules) != 11 {
		t.Fatalf("got %d rules", len(tpl.Rules))
	}
	want := []Parameter{{Name: "Ec2VolumeInuseCheckParamDeleteOnTermination", Type: "String", Default: "TRUE", Value: "TRUE"}}
	if !reflect.DeepEqual(tpl.Parameters, want) {
		t.Errorf("parameters = %+v", tpl.Parameters)
	}
	vol := ruleNamed(t, tpl, "ec2-volume-inuse-check")
	if !reflect.DeepEqual(vol.InputParameters, map[string]string{"deleteOnTermination": "TRUE"}) {
		t.Errorf("default input parameters = %v", vol.InputParameters)
	}
	if !reflect.DeepEqual(vol.Scope, &Scope{ComplianceResourceTypes: []string{"AWS::EC2::Volume"}}) {
		t.Errorf("scope = %+v", vol.Scope)
	}
	ssm := ruleNamed(t, tpl, "ec2-instance-managed-by-systems-manager")
	if got := ssm.Scope.ComplianceResourceTypes; !reflect.DeepEqual(got, []string{"AWS::EC2::Instance", "AWS::SSM::ManagedInstanceInventory"}) {
		t.Errorf("scope = %v", got)
	}
	if r := ruleNamed(t, tpl, "ec2-ebs-encryption-by-default"); r.Scope != nil || r.InputParameters != nil {
		t.Errorf("rule without scope or parameters = %+v", r)
	}

	// An input value overrides the default; an empty one turns the condition false and
	// AWS::NoValue removes the rule parameter.
	tpl = loadSample(t, "Operational-Best-Practices-for-EC2.yaml", map[string]string{"Ec2VolumeInuseCheckParamDeleteOnTermination": "FALSE"})
	if got := ruleNamed(t, tpl, "ec2-volume-inuse-check").InputParameters; got["deleteOnTermination"] != "FALSE" {
		t.Errorf("overridden input parameters = %v", got)
	}
	if tpl.Parameters[0].Value != "FALSE" || tpl.Parameters[0].Default != "TRUE" {
		t.Errorf("parameter = %+v", tpl.Parameters[0])
	}
	tpl = loadSample(t, "Operational-Best-Practices-for-EC2.yaml", map[string]string{"Ec2VolumeInuseCheckParamDeleteOnTermination": ""})
	if got := ruleNamed(t, tpl, "ec2-volume-inuse-check").InputParameters; len(got) != 0 {
		t.Errorf("emptied input parameters = %v", got)
	}
}

func TestSampleS3WithRemediation(t *testing.T) {
	const name = "Operational-Best-Practices-for-Amazon-S3-with-Remediation.yaml"
	body, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Parse(body, nil, sampleCtx)
	if got := problemOf(t, err); got != "Parameters: [S3TargetBucketNameForEnableLogging] must have values" {
		t.Errorf("without the required parameter: %q", got)
	}

	tpl := loadSample(t, name, map[string]string{"S3TargetBucketNameForEnableLogging": "my-log-bucket"})
	if len(tpl.Rules) != 6 || len(tpl.Remediations) != 4 {
		t.Fatalf("got %d rules, %d remediations", len(tpl.Rules), len(tpl.Remediations))
	}
	rem := tpl.Remediations[3]
	if rem.LogicalID != "S3BucketLoggingEnabledRemediation" || rem.ConfigRuleName != "S3BucketLoggingEnabled" ||
		rem.TargetID != "AWS-ConfigureS3BucketLogging" || rem.TargetType != "SSM_DOCUMENT" || rem.TargetVersion != "1" ||
		rem.ResourceType != "AWS::S3::Bucket" || !rem.Automatic || rem.MaximumAutomaticAttempts != 10 || rem.RetryAttemptSeconds != 600 {
		t.Errorf("remediation = %+v", rem)
	}
	if !reflect.DeepEqual(rem.ExecutionControls, &ExecutionControls{SsmControls: &SsmControls{ConcurrentExecutionRatePercentage: 10, ErrorPercentage: 10}}) {
		t.Errorf("execution controls = %+v", rem.ExecutionControls)
	}
	wantTarget := map[string]any{"StaticValue": map[string]any{"Values": []any{"my-log-bucket"}}}
	if !reflect.DeepEqual(rem.Parameters["TargetBucket"], wantTarget) {
		t.Errorf("TargetBucket = %#v", rem.Parameters["TargetBucket"])
	}
	wantBucket := map[string]any{"ResourceValue": map[string]any{"Value": "RESOURCE_ID"}}
	if !reflect.DeepEqual(rem.Parameters["BucketName"], wantBucket) {
		t.Errorf("BucketName = %#v", rem.Parameters["BucketName"])
	}
	if len(rem.Parameters) != 6 {
		t.Errorf("parameters = %v", rem.Parameters)
	}
}

func TestSampleCIS(t *testing.T) {
	const name = "Operational-Best-Practices-for-CIS-AWS-v1.4-Level1.yaml"
	tpl := loadSample(t, name, nil)
	if len(tpl.Rules) != 44 || len(tpl.Parameters) != 16 {
		t.Fatalf("got %d rules, %d parameters", len(tpl.Rules), len(tpl.Parameters))
	}
	process := countWhere(tpl, func(r Rule) bool { return r.Owner == "AWS" && r.SourceIdentifier == "AWS_CONFIG_PROCESS_CHECK" })
	if process != 18 {
		t.Errorf("%d process checks, want 18", process)
	}
	pw := ruleNamed(t, tpl, "iam-password-policy")
	want := map[string]string{
		"MaxPasswordAge": "90", "MinimumPasswordLength": "14", "PasswordReusePrevention": "24",
		"RequireLowercaseCharacters": "true", "RequireNumbers": "true", "RequireSymbols": "true",
		"RequireUppercaseCharacters": "true",
	}
	if !reflect.DeepEqual(pw.InputParameters, want) {
		t.Errorf("iam-password-policy input parameters = %v", pw.InputParameters)
	}
	if r := ruleNamed(t, tpl, "restricted-common-ports"); r.InputParameters["blockedPort3"] != "3389" || r.SourceIdentifier != "RESTRICTED_INCOMING_TRAFFIC" {
		t.Errorf("restricted-common-ports = %+v", r)
	}
	check := ruleNamed(t, tpl, "iam-user-console-and-api-access-at-creation")
	if !strings.HasPrefix(check.Description, "Ensure access keys are not setup") || check.InputParameters != nil {
		t.Errorf("process check = %+v", check)
	}

	tpl = loadSample(t, name, map[string]string{
		"IamPasswordPolicyParamMinimumPasswordLength": "16",
		"IamPasswordPolicyParamMaxPasswordAge":        "",
	})
	pw = ruleNamed(t, tpl, "iam-password-policy")
	if pw.InputParameters["MinimumPasswordLength"] != "16" {
		t.Errorf("MinimumPasswordLength = %q", pw.InputParameters["MinimumPasswordLength"])
	}
	if _, ok := pw.InputParameters["MaxPasswordAge"]; ok || len(pw.InputParameters) != 6 {
		t.Errorf("emptied MaxPasswordAge kept: %v", pw.InputParameters)
	}
}

func TestSampleBedrock(t *testing.T) {
	const name = "Amazon-Bedrock-Security-and-Governance-Best-Practices.yaml"
	tpl := loadSample(t, name, nil)
	if len(tpl.Rules) != 97 {
		t.Fatalf("got %d rules", len(tpl.Rules))
	}
	policies := countWhere(tpl, func(r Rule) bool { return r.Owner == "CUSTOM_POLICY" && r.CustomPolicy != nil })
	if policies != 25 {
		t.Errorf("%d custom policy rules, want 25", policies)
	}
	g := ruleNamed(t, tpl, "aiml-bedrock-guardrail-status")
	if g.CustomPolicy.PolicyRuntime != "guard-2.x.x" || g.CustomPolicy.EnableDebugLogDelivery ||
		!strings.HasPrefix(g.CustomPolicy.PolicyText, "rule check { configuration.Status in [\"READY\", \"VERSIONED\"] \n  <<\n") ||
		!strings.HasSuffix(g.CustomPolicy.PolicyText, ">>\n}\n") {
		t.Errorf("guardrail policy = %+v", g.CustomPolicy)
	}
	if !reflect.DeepEqual(g.SourceDetails, []SourceDetail{{EventSource: "aws.config", MessageType: "ConfigurationItemChangeNotification"}}) {
		t.Errorf("source details = %+v", g.SourceDetails)
	}
	if !reflect.DeepEqual(g.Scope, &Scope{ComplianceResourceTypes: []string{"AWS::Bedrock::Guardrail"}}) {
		t.Errorf("scope = %+v", g.Scope)
	}
	if ds := ruleNamed(t, tpl, "aiml-bedrock-datasource-status"); !ds.CustomPolicy.EnableDebugLogDelivery {
		t.Errorf("datasource policy = %+v", ds.CustomPolicy)
	}
	lc := ruleNamed(t, tpl, "s3-lifecycle-policy-check")
	if lc.Owner != "AWS" || lc.SourceIdentifier != "S3_LIFECYCLE_POLICY_CHECK" {
		t.Errorf("flow-mapping source = %+v", lc)
	}
	if got := ruleNamed(t, tpl, "api-gw-endpoint-type-check").InputParameters; got["endpointConfigurationTypes"] != "PRIVATE" {
		t.Errorf("default = %v", got)
	}

	tpl = loadSample(t, name, map[string]string{"ApiGwEndpointConfigurationTypes": "REGIONAL"})
	if got := ruleNamed(t, tpl, "api-gw-endpoint-type-check").InputParameters; got["endpointConfigurationTypes"] != "REGIONAL" {
		t.Errorf("overridden = %v", got)
	}
}

// TestSamplesAsJSON: the same templates written as JSON give the same rules, so the JSON reader
// and the YAML reader agree.
func TestSamplesAsJSON(t *testing.T) {
	for _, name := range []string{
		"Operational-Best-Practices-for-EC2.yaml",
		"Operational-Best-Practices-for-CIS-AWS-v1.4-Level1.yaml",
		"Amazon-Bedrock-Security-and-Governance-Best-Practices.yaml",
	} {
		body, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		root, err := decode(body)
		if err != nil {
			t.Fatal(err)
		}
		fromYAML, err := Parse(body, nil, sampleCtx)
		if err != nil {
			t.Fatal(err)
		}
		fromJSON, err := Parse([]byte(orderedJSON(root)), nil, sampleCtx)
		if err != nil {
			t.Fatalf("%s as JSON: %v", name, err)
		}
		if !reflect.DeepEqual(fromYAML, fromJSON) {
			t.Errorf("%s: JSON and YAML differ", name)
		}
	}
}

// orderedJSON writes a template value as JSON, keeping mapping order.
func orderedJSON(v any) string {
	switch x := v.(type) {
	case *object:
		parts := make([]string, len(x.keys))
		for i, k := range x.keys {
			parts[i] = jsonText(k) + ":" + orderedJSON(x.vals[k])
		}
		return "{" + strings.Join(parts, ",") + "}"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = orderedJSON(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return jsonText(v)
}
