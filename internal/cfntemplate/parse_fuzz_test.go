package cfntemplate

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// FuzzParse: any body and input parameter either parses into a template that keeps the pack's
// invariants (at most 130 rules, unique non-empty rule names, a known owner) or fails with an
// *Error carrying AWS's message; Parse never panics and gives the same answer twice.
//
// The seeds are small templates that between them use every section, function and property
// Parse knows. AWS's sample packs (testdata/*.yaml) are not seeds: they are tested in
// samples_test.go, and the fuzzer's input minimization is quadratic in input size, so a 40 KB
// seed would spend the whole fuzzing time minimizing.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		ruleTemplate(`!If [Yes, !Sub '${Str}-${AWS::Region}', !Ref AWS::NoValue]`),
		ruleTemplate(`!Join [',', [!Select [1, !Ref List], !FindInMap [Regions, !Ref 'AWS::Region', Short]]]`),
		ruleTemplate(`{Fn::Split: [',', {Fn::Join: [',', {Ref: List}]}]}`),
		"Parameters:\n  P: {Type: String, Default: '1'}\nConditions:\n  C: !Not [!Equals ['', !Ref P]]\nResources:\n  R:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      ConfigRuleName: r\n      InputParameters: {a: !If [C, !Ref P, !Ref AWS::NoValue]}\n      Scope: {ComplianceResourceTypes: [AWS::S3::Bucket], TagKey: k}\n      Source: {Owner: AWS, SourceIdentifier: X}\n      MaximumExecutionFrequency: One_Hour\n",
		"Resources:\n  R:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      Source:\n        Owner: CUSTOM_POLICY\n        SourceDetails: [{EventSource: aws.config, MessageType: ConfigurationItemChangeNotification}]\n        CustomPolicyDetails: {PolicyRuntime: guard-2.x.x, EnableDebugLogDelivery: true, PolicyText: |\n          rule check { configuration.x == 1 }\n          }\n      EvaluationModes: [{Mode: DETECTIVE}]\n",
		"Resources:\n  R:\n    Type: AWS::Config::ConfigRule\n    Properties: {Description: p, Source: {Owner: AWS, SourceIdentifier: AWS_CONFIG_PROCESS_CHECK}}\n",
		"Parameters:\n  B: {Type: String}\nResources:\n  R:" + rule + "  F:\n    Type: AWS::Config::RemediationConfiguration\n    DependsOn: R\n    Properties:\n      ConfigRuleName: !Ref R\n      TargetId: T\n      TargetType: SSM_DOCUMENT\n      Parameters: {B: {StaticValue: {Values: [!Ref B]}}, Id: {ResourceValue: {Value: RESOURCE_ID}}}\n      Automatic: True\n      MaximumAutomaticAttempts: 5\n      ExecutionControls: {SsmControls: {ErrorPercentage: 10}}\n",
		`{"Resources": {"R": {"Type": "AWS::Config::ConfigRule", "Condition": "C", "Properties": {"Source": {"Owner": "AWS", "SourceIdentifier": {"Fn::Sub": ["${A}", {"A": "x"}]}}}}}, "Conditions": {"C": {"Fn::Or": [{"Condition": "D"}, {"Fn::Equals": [1, "1"]}]}, "D": {"Fn::And": [{"Fn::Equals": ["a", "a"]}, {"Fn::Equals": ["b", "b"]}]}}}`,
		"Resources:\n  A:\n    Type: AWS::Config::ConfigRule\n    Properties: {ConfigRuleName: !Ref B, Source: {Owner: AWS, SourceIdentifier: X}}\n  B:\n    Type: AWS::Config::RemediationConfiguration\n    Properties: {ConfigRuleName: !Ref A, TargetId: T, TargetType: SSM_DOCUMENT}\n",
		"Conditions:\n  A: !Not [!Condition B]\n  B: !Or [!Condition A, !Equals [x, x]]\nResources:\n  R:" + rule,
		"Parameters:\n  N: {Type: int, Default: 3, MinValue: 1, MaxValue: 9, AllowedValues: [3, 4]}\n  L: {Type: CSV, Default: 'a,b', AllowedPattern: '[a-z]', MaxLength: 1}\nResources:\n  R:" + rule,
		"AWSTemplateFormatVersion: 2010-09-09\nDescription: d\nMetadata: {}\nOutputs: {}\nResources:\n  R: {Type: AWS::S3::Bucket, Properties: {X: !GetAtt A.B}}\n",
		"a: &x [*x]\n",
		"",
		"{",
	} {
		f.Add([]byte(seed), "Str", "v")
	}
	f.Fuzz(func(t *testing.T, body []byte, name, value string) {
		var params map[string]string
		if name != "" {
			params = map[string]string{name: value}
		}
		tpl, err := Parse(body, params, testCtx)
		again, err2 := Parse(body, params, testCtx)
		if !reflect.DeepEqual(tpl, again) || (err == nil) != (err2 == nil) || (err != nil && err.Error() != err2.Error()) {
			t.Fatalf("not deterministic: %v / %v", err, err2)
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Problem == "" || !strings.HasPrefix(err.Error(), "Invalid conformance pack template provided. Errors found: [") {
				t.Fatalf("error %T %v", err, err)
			}
			return
		}
		checkInvariants(t, tpl)
	})
}

// checkInvariants checks what every parsed template must satisfy.
func checkInvariants(t *testing.T, tpl *Template) {
	t.Helper()
	if len(tpl.Rules) > maxRules {
		t.Fatalf("%d rules", len(tpl.Rules))
	}
	names := map[string]bool{}
	for _, r := range tpl.Rules {
		if r.ConfigRuleName == "" || len(r.ConfigRuleName) > 128 || names[r.ConfigRuleName] {
			t.Fatalf("rule name %q", r.ConfigRuleName)
		}
		names[r.ConfigRuleName] = true
		if !contains(owners, r.Owner) {
			t.Fatalf("owner %q", r.Owner)
		}
		if r.Owner == "CUSTOM_POLICY" && r.CustomPolicy == nil {
			t.Fatalf("custom policy rule %q without a policy", r.ConfigRuleName)
		}
	}
}
