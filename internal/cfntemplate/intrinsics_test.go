package cfntemplate

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// testHead declares the parameters, conditions and mappings the intrinsic tests use.
const testHead = `
Parameters:
  Str: {Type: String, Default: hello}
  Empty: {Type: String, Default: ''}
  Num: {Type: int, Default: 90}
  List: {Type: CSV, Default: 'a,b,c'}
  Flag: {Type: boolean, Default: 'true'}
Mappings:
  Regions:
    eu-west-1: {Short: euw1, Zones: [a, b]}
    us-east-1: {Short: use1}
Conditions:
  Yes: !Equals [!Ref Str, hello]
  No: !Equals [!Ref Str, bye]
  NotNo: !Not [!Condition No]
  Both: !And [!Condition Yes, !Condition NotNo]
  Either: !Or [!Condition No, !Condition Yes]
  Neither: !Or [!Condition No, {Fn::Not: [{Condition: Yes}]}]
  NumEq: !Equals [90, !Ref Num]
  EmptyEq: {Fn::Equals: ['', {Ref: Empty}]}
  InEU: !Equals [!Select [0, !Split ['-', !Ref 'AWS::Region']], eu]
Resources:
`

// ruleTemplate is testHead plus one rule whose InputParameters value "v" is expr.
func ruleTemplate(expr string) string {
	return testHead + `  R:
    Type: AWS::Config::ConfigRule
    Properties:
      Source: {Owner: AWS, SourceIdentifier: REQUIRED_TAGS}
      InputParameters:
        v: ` + expr + "\n"
}

// problemOf returns an error's Problem, failing unless it is an *Error with AWS's message.
func problemOf(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T %v is not an *Error", err, err)
	}
	want := "Invalid conformance pack template provided. Errors found: [" + e.Problem + "]. Fix your template and try again."
	if err.Error() != want {
		t.Fatalf("message %q", err.Error())
	}
	return e.Problem
}

var testCtx = Context{AccountID: "111122223333", Region: "eu-west-1", StackName: "awsconfigconforms-pack-x"}

// TestIntrinsics evaluates every supported function, long and short form, as a rule parameter.
func TestIntrinsics(t *testing.T) {
	tests := []struct {
		name   string
		expr   string
		params map[string]string
		ctx    *Context
		want   string // "<absent>" when the parameter is removed
	}{
		{name: "Ref parameter", expr: `{Ref: Str}`, want: "hello"},
		{name: "!Ref parameter", expr: `!Ref Str`, want: "hello"},
		{name: "Ref input overrides default", expr: `!Ref Str`, params: map[string]string{"Str": "hi"}, want: "hi"},
		{name: "Ref int parameter", expr: `!Ref Num`, want: "90"},
		{name: "Ref CSV parameter joins", expr: `!Ref List`, want: "a,b,c"},
		{name: "Ref boolean parameter", expr: `!Ref Flag`, want: "true"},
		{name: "Ref AWS::AccountId", expr: `!Ref AWS::AccountId`, want: "111122223333"},
		{name: "Ref AWS::Region", expr: `!Ref AWS::Region`, want: "eu-west-1"},
		{name: "Ref AWS::Partition default", expr: `!Ref AWS::Partition`, want: "aws"},
		{name: "Ref AWS::Partition", expr: `!Ref AWS::Partition`, ctx: &Context{Partition: "aws-cn"}, want: "aws-cn"},
		{name: "Ref AWS::URLSuffix", expr: `!Ref AWS::URLSuffix`, want: "amazonaws.com"},
		{name: "Ref AWS::URLSuffix China", expr: `!Ref AWS::URLSuffix`, ctx: &Context{Partition: "aws-cn"}, want: "amazonaws.com.cn"},
		{name: "Ref AWS::StackName", expr: `!Ref AWS::StackName`, want: "awsconfigconforms-pack-x"},
		{name: "Ref AWS::NoValue removes", expr: `!Ref AWS::NoValue`, want: "<absent>"},
		{name: "Fn::If true", expr: `{Fn::If: [Yes, a, b]}`, want: "a"},
		{name: "!If false", expr: `!If [No, a, b]`, want: "b"},
		{name: "!If NoValue branch", expr: `!If [No, a, !Ref AWS::NoValue]`, want: "<absent>"},
		{name: "!If untaken branch not evaluated", expr: `!If [Yes, a, !Select [9, [x]]]`, want: "a"},
		{name: "!If nested", expr: `!If [No, a, !If [Yes, !Ref Str, c]]`, want: "hello"},
		{name: "Fn::Not", expr: `!If [NotNo, t, f]`, want: "t"},
		{name: "Fn::And", expr: `!If [Both, t, f]`, want: "t"},
		{name: "Fn::Or", expr: `!If [Either, t, f]`, want: "t"},
		{name: "Fn::Or long form false", expr: `!If [Neither, t, f]`, want: "f"},
		{name: "Fn::Equals number and string", expr: `!If [NumEq, t, f]`, want: "t"},
		{name: "Fn::Equals empty default", expr: `!If [EmptyEq, t, f]`, want: "t"},
		{name: "Fn::Equals empty input", expr: `!If [EmptyEq, t, f]`, params: map[string]string{"Empty": "x"}, want: "f"},
		{name: "condition on region", expr: `!If [InEU, eu, other]`, want: "eu"},
		{name: "condition on region elsewhere", expr: `!If [InEU, eu, other]`, ctx: &Context{Region: "us-east-1"}, want: "other"},
		{name: "Fn::Sub parameter", expr: `{Fn::Sub: 'x-${Str}-y'}`, want: "x-hello-y"},
		{name: "!Sub pseudo", expr: `!Sub 'arn:${AWS::Partition}:s3:::b-${AWS::AccountId}-${AWS::Region}'`, want: "arn:aws:s3:::b-111122223333-eu-west-1"},
		{name: "!Sub literal", expr: `!Sub '${!Str} ${Str}'`, want: "${Str} hello"},
		{name: "!Sub unterminated", expr: `!Sub 'a${Str'`, want: "a${Str"},
		{name: "!Sub no variables", expr: `!Sub plain`, want: "plain"},
		{name: "!Sub with map", expr: `!Sub ['${A}/${Str}/${B}', {A: one, B: !Ref Num}]`, want: "one/hello/90"},
		{name: "!Sub map shadows parameter", expr: `!Sub ['${Str}', {Str: mine}]`, want: "mine"},
		{name: "Fn::Join", expr: `{Fn::Join: [',', [a, !Ref Str, 3]]}`, want: "a,hello,3"},
		{name: "!Join CSV", expr: `!Join ['|', !Ref List]`, want: "a|b|c"},
		{name: "!Join drops NoValue", expr: `!Join ['-', [a, !If [No, b, !Ref AWS::NoValue], c]]`, want: "a-c"},
		{name: "!Join empty", expr: `!Join ['-', []]`, want: ""},
		{name: "Fn::Select", expr: `{Fn::Select: [1, [a, b, c]]}`, want: "b"},
		{name: "!Select string index", expr: `!Select ['2', !Ref List]`, want: "c"},
		{name: "!Select from Split", expr: `!Select [1, !Split [':', 'x:y:z']]`, want: "y"},
		{name: "Fn::Split joined", expr: `{Fn::Split: [';', 'p;q']}`, want: "p,q"},
		{name: "Fn::FindInMap", expr: `{Fn::FindInMap: [Regions, !Ref 'AWS::Region', Short]}`, want: "euw1"},
		{name: "!FindInMap list", expr: `!FindInMap [Regions, eu-west-1, Zones]`, want: "a,b"},
		{name: "number as written", expr: `90`, want: "90"},
		{name: "float as written", expr: `1.50`, want: "1.50"},
		{name: "hex number", expr: `0x1F`, want: "31"},
		{name: "boolean", expr: `True`, want: "true"},
		{name: "quoted boolean stays text", expr: `'True'`, want: "True"},
		{name: "list joins", expr: `[x, 1, false]`, want: "x,1,false"},
		{name: "mapping is JSON", expr: `{k: [1, two]}`, want: `{"k":[1,"two"]}`},
		{name: "timestamp stays text", expr: `2010-09-09`, want: "2010-09-09"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := testCtx
			if tt.ctx != nil {
				ctx = *tt.ctx
			}
			tpl, err := Parse([]byte(ruleTemplate(tt.expr)), tt.params, ctx)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := tpl.Rules[0].InputParameters["v"]
			if !ok {
				got = "<absent>"
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestIntrinsicsInStructure: functions work anywhere in the properties, including whole
// properties, list elements and the Properties mapping itself.
func TestIntrinsicsInStructure(t *testing.T) {
	body := testHead + `  Tagged:
    Type: AWS::Config::ConfigRule
    Properties: !If
      - Yes
      - ConfigRuleName: !Sub '${Str}-rule'
        Description: !If [No, gone, !Ref AWS::NoValue]
        Scope:
          ComplianceResourceTypes: [AWS::S3::Bucket, !If [No, AWS::EC2::Instance, !Ref AWS::NoValue], !Select [0, !Ref List]]
          TagKey: !Ref Str
        Source:
          Owner: CUSTOM_LAMBDA
          SourceIdentifier: !Sub 'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:f'
          SourceDetails:
            - {EventSource: aws.config, MessageType: ScheduledNotification, MaximumExecutionFrequency: !If [Yes, One_Hour, Six_Hours]}
        EvaluationModes: [{Mode: DETECTIVE}]
      - !Ref AWS::NoValue
  Listed:
    Type: AWS::Config::ConfigRule
    Properties:
      Scope:
        ComplianceResourceTypes: !Split [',', 'AWS::S3::Bucket,AWS::EC2::Volume']
      Source: {Owner: AWS, SourceIdentifier: !FindInMap [Regions, us-east-1, Short]}
  Fix:
    Type: AWS::Config::RemediationConfiguration
    DependsOn: [Tagged]
    Properties:
      ConfigRuleName: !Ref Tagged
      TargetId: AWS-Fix
      TargetType: SSM_DOCUMENT
      Automatic: !Ref Flag
      MaximumAutomaticAttempts: !Ref Num
      RetryAttemptSeconds: '60'
      Parameters:
        Region: {StaticValue: {Values: [!Ref AWS::Region, !If [No, x, !Ref AWS::NoValue]]}}
        Count: {StaticValue: {Values: [5]}}
`
	tpl, err := Parse([]byte(body), nil, testCtx)
	if err != nil {
		t.Fatal(err)
	}
	want := Rule{
		LogicalID:        "Tagged",
		ConfigRuleName:   "hello-rule",
		Scope:            &Scope{ComplianceResourceTypes: []string{"AWS::S3::Bucket", "a"}, TagKey: "hello"},
		Owner:            "CUSTOM_LAMBDA",
		SourceIdentifier: "arn:aws:lambda:eu-west-1:111122223333:function:f",
		SourceDetails: []SourceDetail{{EventSource: "aws.config", MessageType: "ScheduledNotification",
			MaximumExecutionFrequency: "One_Hour"}},
		EvaluationModes: []string{"DETECTIVE"},
	}
	if !reflect.DeepEqual(tpl.Rules[0], want) {
		t.Errorf("rule:\n got %+v\nwant %+v", tpl.Rules[0], want)
	}
	listed := tpl.Rules[1]
	if listed.ConfigRuleName != "Listed" || listed.SourceIdentifier != "use1" ||
		!reflect.DeepEqual(listed.Scope.ComplianceResourceTypes, []string{"AWS::S3::Bucket", "AWS::EC2::Volume"}) {
		t.Errorf("rule named after its logical ID = %+v", listed)
	}
	fix := tpl.Remediations[0]
	if fix.ConfigRuleName != "hello-rule" || !fix.Automatic || fix.MaximumAutomaticAttempts != 90 || fix.RetryAttemptSeconds != 60 {
		t.Errorf("remediation = %+v", fix)
	}
	wantParams := map[string]any{
		"Region": map[string]any{"StaticValue": map[string]any{"Values": []any{"eu-west-1"}}},
		"Count":  map[string]any{"StaticValue": map[string]any{"Values": []any{jsonNumber("5")}}},
	}
	if !reflect.DeepEqual(fix.Parameters, wantParams) {
		t.Errorf("remediation parameters = %#v", fix.Parameters)
	}
}

// TestConditionalResources: a resource whose condition is false is not created.
func TestConditionalResources(t *testing.T) {
	body := testHead + `  Kept:
    Type: AWS::Config::ConfigRule
    Condition: Yes
    Properties: {Source: {Owner: AWS, SourceIdentifier: A}}
  Dropped:
    Type: AWS::Config::ConfigRule
    Condition: No
    Properties: {ConfigRuleName: Kept, Source: {Owner: AWS, SourceIdentifier: B}}
  DroppedFix:
    Type: AWS::Config::RemediationConfiguration
    Condition: No
    Properties: {ConfigRuleName: Kept, TargetId: T, TargetType: SSM_DOCUMENT}
`
	tpl, err := Parse([]byte(body), nil, testCtx)
	if err != nil {
		t.Fatal(err)
	}
	if len(tpl.Rules) != 1 || tpl.Rules[0].LogicalID != "Kept" || len(tpl.Remediations) != 0 {
		t.Errorf("got %+v", tpl)
	}
	// With the conditions reversed by a parameter, the other rule is created.
	tpl, err = Parse([]byte(body), map[string]string{"Str": "bye"}, testCtx)
	if err != nil {
		t.Fatal(err)
	}
	if len(tpl.Rules) != 1 || tpl.Rules[0].LogicalID != "Dropped" || len(tpl.Remediations) != 1 {
		t.Errorf("reversed: got %+v", tpl)
	}
}

// TestInputParametersString: InputParameters may be given as a string of JSON.
func TestInputParametersString(t *testing.T) {
	body := `Resources:
  R:
    Type: AWS::Config::ConfigRule
    Properties:
      Source: {Owner: AWS, SourceIdentifier: REQUIRED_TAGS}
      InputParameters: !Sub '{"tag1Key": "${AWS::Region}", "n": 3, "skip": null}'
`
	tpl, err := Parse([]byte(body), nil, testCtx)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"tag1Key": "eu-west-1", "n": "3"}; !reflect.DeepEqual(tpl.Rules[0].InputParameters, want) {
		t.Errorf("got %v", tpl.Rules[0].InputParameters)
	}
}

// TestJSONTemplate: a JSON template with long-form functions parses like its YAML twin.
func TestJSONTemplate(t *testing.T) {
	body := `{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Parameters": {"Age": {"Type": "String", "Default": "90"}},
  "Conditions": {"HasAge": {"Fn::Not": [{"Fn::Equals": ["", {"Ref": "Age"}]}]}},
  "Resources": {
    "Zeta": {"Type": "AWS::Config::ConfigRule", "Properties": {
      "ConfigRuleName": "access-keys-rotated",
      "InputParameters": {"maxAccessKeyAge": {"Fn::If": ["HasAge", {"Ref": "Age"}, {"Ref": "AWS::NoValue"}]}},
      "Source": {"Owner": "AWS", "SourceIdentifier": "ACCESS_KEYS_ROTATED"},
      "MaximumExecutionFrequency": "TwentyFour_Hours"}},
    "Alpha": {"Type": "AWS::Config::ConfigRule", "Properties": {
      "Source": {"Owner": "AWS", "SourceIdentifier": "ROOT_ACCOUNT_MFA_ENABLED"}}}
  }
}`
	tpl, err := Parse([]byte(body), map[string]string{"Age": "45"}, testCtx)
	if err != nil {
		t.Fatal(err)
	}
	if len(tpl.Rules) != 2 || tpl.Rules[0].LogicalID != "Zeta" || tpl.Rules[1].LogicalID != "Alpha" {
		t.Fatalf("rules out of template order: %+v", tpl.Rules)
	}
	if got := tpl.Rules[0].InputParameters; !reflect.DeepEqual(got, map[string]string{"maxAccessKeyAge": "45"}) {
		t.Errorf("input parameters = %v", got)
	}
}

// jsonNumber spells a json.Number in test tables.
func jsonNumber(s string) any {
	return plain(number(s))
}

// TestSubBudget: Fn::Sub and Fn::Join cannot build more than maxOutputBytes in all.
func TestSubBudget(t *testing.T) {
	big := strings.Repeat("x", 4000)
	refs := strings.TrimSuffix(strings.Repeat("${Big}", 300), "")
	for name, expr := range map[string]string{
		"Fn::Sub":  `!Sub '` + refs + `'`,
		"Fn::Join": `!Join ['', [` + strings.TrimSuffix(strings.Repeat("!Ref Big, ", 300), ", ") + `]]`,
	} {
		body := "Parameters:\n  Big: {Type: String}\nResources:\n  R:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      Source: {Owner: AWS, SourceIdentifier: X}\n      InputParameters:\n        v: " + expr + "\n"
		_, err := Parse([]byte(body), map[string]string{"Big": big}, testCtx)
		if got := problemOf(t, err); !strings.Contains(got, "produce more than") {
			t.Errorf("%s: %q", name, got)
		}
		// Within budget, the same template works.
		if _, err := Parse([]byte(body), map[string]string{"Big": "x"}, testCtx); err != nil {
			t.Errorf("%s small: %v", name, err)
		}
	}
}

// TestRemediationDetails: Parameters given as a string of JSON keep their numbers, Ref to a
// remediation is its logical ID, and Fn::Equals compares lists element by element.
func TestRemediationDetails(t *testing.T) {
	body := testHead + `  R:
    Type: AWS::Config::ConfigRule
    Properties: {Source: {Owner: AWS, SourceIdentifier: X}}
  F:
    Type: AWS::Config::RemediationConfiguration
    Properties:
      ConfigRuleName: R
      TargetId: AWS-Fix
      TargetType: SSM_DOCUMENT
      TargetVersion: !If [ListEq, '2', '1']
      Parameters: '{"P": {"StaticValue": {"Values": [1.5, true]}}}'
  G:
    Type: AWS::Config::RemediationConfiguration
    Properties: {ConfigRuleName: !Ref F, TargetId: !Join ['', !Split [',', !Join [',', !Ref List]]], TargetType: SSM_DOCUMENT}
`
	body = strings.Replace(body, "Conditions:\n", "Conditions:\n  ListEq: !Equals [!Ref List, [a, b, c]]\n", 1)
	tpl, err := Parse([]byte(body), nil, testCtx)
	if err != nil {
		t.Fatal(err)
	}
	f, g := tpl.Remediations[0], tpl.Remediations[1]
	want := map[string]any{"P": map[string]any{"StaticValue": map[string]any{"Values": []any{jsonNumber("1.5"), true}}}}
	if !reflect.DeepEqual(f.Parameters, want) || f.TargetVersion != "2" {
		t.Errorf("F = %+v", f)
	}
	if g.ConfigRuleName != "F" || g.TargetID != "abc" {
		t.Errorf("G = %+v", g)
	}
}
