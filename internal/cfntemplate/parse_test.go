package cfntemplate

import (
	"fmt"
	"strings"
	"testing"
)

// rule is a minimal valid rule declaration, indented as a resource.
const rule = `
    Type: AWS::Config::ConfigRule
    Properties: {Source: {Owner: AWS, SourceIdentifier: X}}
`

// withRule wraps a resource property block into a one-rule template.
func withRule(props string) string {
	return "Resources:\n  R:\n    Type: AWS::Config::ConfigRule\n    Properties:\n" + props
}

// withValue is a one-rule template whose InputParameters value is expr, after head.
func withValue(head, expr string) string {
	return head + "Resources:\n  R:\n    Type: AWS::Config::ConfigRule\n    Properties:\n      Source: {Owner: AWS, SourceIdentifier: X}\n      InputParameters: {v: " + expr + "}\n"
}

// manyRules declares n rules, the first skip of them under a false condition.
func manyRules(n, skip int) string {
	var b strings.Builder
	b.WriteString("Conditions:\n  Never: !Equals [a, b]\nResources:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  R%d:\n    Type: AWS::Config::ConfigRule\n", i)
		if i < skip {
			b.WriteString("    Condition: Never\n")
		}
		b.WriteString("    Properties: {Source: {Owner: AWS, SourceIdentifier: X}}\n")
	}
	return b.String()
}

// conditionChain declares n conditions, each referring to the next.
func conditionChain(n int) string {
	var b strings.Builder
	b.WriteString("Conditions:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  C%d: !Not [!Condition C%d]\n", i, i+1)
	}
	fmt.Fprintf(&b, "  C%d: !Equals [a, a]\nResources:\n  R:%s", n, rule)
	return b.String()
}

// TestParseErrors: every way a template is refused, with the problem AWS reports.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		params map[string]string
		want   string // the Problem, or a prefix of it ending in "…"
	}{
		// Format.
		{"empty body", ``, nil, "Template format error: unsupported structure."},
		{"list root", `[1, 2]`, nil, "Template format error: unsupported structure."},
		{"scalar root", `hello`, nil, "Template format error: unsupported structure."},
		{"bad YAML", "Resources:\n  R: [\n", nil, "Template format error: YAML not well-formed. (…"},
		{"bad JSON", "{\n  \"Resources\": {,}\n}", nil, "Template format error: JSON not well-formed. (line 2, column 17)"},
		{"JSON trailing data", `{"Resources": {}} x`, nil, "Template format error: JSON not well-formed. (…"},
		{"two YAML documents", "Resources: {}\n---\nResources: {}\n", nil, "Template format error: YAML not well-formed. (line 2, column 1: a template is a single YAML document)"},
		{"YAML alias", "Resources:\n  R: &r {Type: AWS::Config::ConfigRule}\n  S: *r\n", nil, "Template format error: YAML not well-formed. (line 3, column 6: YAML aliases are not allowed in CloudFormation templates)"},
		{"YAML merge key", "Resources:\n  R:\n    <<: {Type: AWS::Config::ConfigRule}\n", nil, "Template format error: YAML not well-formed. (line 3, column 5: YAML merge keys are not allowed in CloudFormation templates)"},
		{"YAML duplicate key", "Resources:\n  R:" + rule + "  R:" + rule, nil, "Template format error: YAML not well-formed. (line 5, column 3: duplicate key \"R\")"},
		{"JSON duplicate key", `{"Resources": {}, "Resources": {}}`, nil, "Template format error: JSON not well-formed. (duplicate key \"Resources\")"},
		{"unknown YAML tag", withValue("", "!Foo x"), nil, "Template format error: YAML not well-formed. (line 6, column 28: unsupported tag !Foo)"},
		{"YAML set", "Resources: !!set {a}\n", nil, "Template format error: YAML not well-formed. (…"},
		{"complex key", "Resources:\n  ? [a]\n  : b\n", nil, "Template format error: YAML not well-formed. (line 2, column 5: mapping keys must be strings)"},
		{"deep YAML", "Resources: " + strings.Repeat("[", 200) + strings.Repeat("]", 200), nil, "Template format error: the template is nested more than 64 levels deep"},
		{"deep JSON", `{"Resources": ` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}`, nil, "Template format error: the template is nested more than 64 levels deep"},
		{"very deep YAML", "a: " + strings.Repeat("[", 20000), nil, "Template format error: YAML not well-formed. (…"},

		// Sections.
		{"unknown section", "Foo: 1\nBar: 2\nResources:\n  R:" + rule, nil, "Template format error: Invalid template property or properties [Foo, Bar]"},
		{"Transform", "Transform: AWS::Serverless-2016-10-31\nResources:\n  R:" + rule, nil, "Template format error: the Transform section is not supported in conformance pack templates"},
		{"format version", "AWSTemplateFormatVersion: 2020-01-01\nResources:\n  R:" + rule, nil, "Template format error: '2020-01-01' is not a supported AWSTemplateFormatVersion value"},
		{"no Resources", "Parameters: {}\n", nil, "Template format error: At least one Resources member must be defined."},
		{"empty Resources", "Resources: {}\n", nil, "Template format error: At least one Resources member must be defined."},
		{"Parameters not a mapping", "Parameters: [a]\nResources:\n  R:" + rule, nil, "Template format error: The Parameters section must be an object"},
		{"Conditions not a mapping", "Conditions: x\nResources:\n  R:" + rule, nil, "Template format error: The Conditions section must be an object"},

		// Resources.
		{"other resource type", "Resources:\n  B: {Type: AWS::S3::Bucket}\n  L: {Type: AWS::Lambda::Function}\n  R:" + rule, nil,
			"Unsupported resource types in conformance pack template: [AWS::Lambda::Function, AWS::S3::Bucket]. A conformance pack template can declare only AWS::Config::ConfigRule and AWS::Config::RemediationConfiguration resources"},
		{"resource without Type", "Resources:\n  R: {Properties: {}}\n", nil, "Template format error: [/Resources/R] Every Resources object must contain a Type member."},
		{"resource not a mapping", "Resources:\n  R: x\n", nil, "Template format error: [/Resources/R] Every Resources object must contain a Type member."},
		{"resource name", "Resources:\n  my-rule:" + rule, nil, "Template format error: Resource name my-rule is non alphanumeric."},
		{"resource attribute", "Resources:\n  R:\n    Type: AWS::Config::ConfigRule\n    Propertes: {}\n", nil, "Template format error: Invalid template resource property 'Propertes'"},
		{"resource condition undefined", "Resources:\n  R:\n    Type: AWS::Config::ConfigRule\n    Condition: Nope\n", nil, "Template format error: Unresolved condition dependency Nope in resource R"},
		{"DependsOn undefined", "Resources:\n  R:\n    Type: AWS::Config::ConfigRule\n    DependsOn: [Nope]\n    Properties: {Source: {Owner: AWS, SourceIdentifier: X}}\n", nil, "Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template"},
		{"DependsOn malformed", "Resources:\n  R:\n    Type: AWS::Config::ConfigRule\n    DependsOn: {a: b}\n", nil, "Template format error: [/Resources/R/DependsOn] DependsOn must be a string or a list of strings."},
		{"131 rules", manyRules(131, 0), nil, "Number of resources provided in the template exceeds the allowed limit"},
		{"131 declared, 30 skipped", manyRules(131, 30), nil, "Number of resources provided in the template exceeds the allowed limit"},
		{"duplicate ConfigRuleName", "Resources:\n  A:\n    Type: AWS::Config::ConfigRule\n    Properties: {ConfigRuleName: same, Source: {Owner: AWS, SourceIdentifier: X}}\n  B:\n    Type: AWS::Config::ConfigRule\n    Properties: {ConfigRuleName: same, Source: {Owner: AWS, SourceIdentifier: Y}}\n", nil,
			"Duplicate ConfigRuleName [same] declared by resources [A, B]"},
		{"name clashes with logical ID", "Resources:\n  A:" + rule + "  B:\n    Type: AWS::Config::ConfigRule\n    Properties: {ConfigRuleName: A, Source: {Owner: AWS, SourceIdentifier: Y}}\n", nil,
			"Duplicate ConfigRuleName [A] declared by resources [A, B]"},
		{"parameter and resource share a name", "Parameters:\n  R: {Type: String, Default: x}\nResources:\n  R:" + rule, nil, "Template format error: R is declared both as a parameter and as a resource"},
		{"resource cycle", "Resources:\n  A:\n    Type: AWS::Config::ConfigRule\n    Properties: {ConfigRuleName: !Ref B, Source: {Owner: AWS, SourceIdentifier: X}}\n  B:\n    Type: AWS::Config::ConfigRule\n    Properties: {ConfigRuleName: !Ref A, Source: {Owner: AWS, SourceIdentifier: X}}\n", nil,
			"Template format error: Circular dependency between resources: [A, B]"},
		{"Ref to a skipped resource", "Conditions:\n  Never: !Equals [a, b]\nResources:\n  A:\n    Type: AWS::Config::ConfigRule\n    Condition: Never\n    Properties: {Source: {Owner: AWS, SourceIdentifier: X}}\n  B:\n    Type: AWS::Config::RemediationConfiguration\n    Properties: {ConfigRuleName: !Ref A, TargetId: T, TargetType: SSM_DOCUMENT}\n", nil,
			"Template format error: Unresolved resource dependencies [A] in the Resources block of the template"},
		{"null property", withRule("      Description:\n      Source: {Owner: AWS, SourceIdentifier: X}\n"), nil, "Template format error: [/Resources/R/Properties/Description] 'null' values are not allowed in templates"},
		{"Properties not a mapping", withRule("      [a]\n"), nil, "Template format error: [/Resources/R/Properties] Properties must be an object"},

		// Rule and remediation properties.
		{"missing Source", withRule("      ConfigRuleName: x\n"), nil, "Properties validation failed for resource R with message: #: required key [Source] not found"},
		{"extraneous property", withRule("      Source: {Owner: AWS, SourceIdentifier: X}\n      Tags: []\n"), nil, "Properties validation failed for resource R with message: #: extraneous key [Tags] is not permitted"},
		{"missing Owner", withRule("      Source: {SourceIdentifier: X}\n"), nil, "Properties validation failed for resource R with message: #/Source: required key [Owner] not found"},
		{"bad Owner", withRule("      Source: {Owner: ME, SourceIdentifier: X}\n"), nil, "Properties validation failed for resource R with message: #/Source/Owner: ME is not a valid enum value"},
		{"missing SourceIdentifier", withRule("      Source: {Owner: CUSTOM_LAMBDA}\n"), nil, "Properties validation failed for resource R with message: #/Source: required key [SourceIdentifier] not found"},
		{"custom policy without details", withRule("      Source: {Owner: CUSTOM_POLICY}\n"), nil, "Properties validation failed for resource R with message: #/Source: required key [CustomPolicyDetails] not found"},
		{"Scope not a mapping", withRule("      Source: {Owner: AWS, SourceIdentifier: X}\n      Scope: [a]\n"), nil, "Properties validation failed for resource R with message: #/Scope: expected type: JSONObject, found: JSONArray"},
		{"resource types not a list", withRule("      Source: {Owner: AWS, SourceIdentifier: X}\n      Scope: {ComplianceResourceTypes: AWS::S3::Bucket}\n"), nil, "Properties validation failed for resource R with message: #/Scope/ComplianceResourceTypes: expected type: JSONArray, found: String"},
		{"resource type not a string", withRule("      Source: {Owner: AWS, SourceIdentifier: X}\n      Scope: {ComplianceResourceTypes: [[a]]}\n"), nil, "Properties validation failed for resource R with message: #/Scope/ComplianceResourceTypes/0: expected type: String, found: JSONArray"},
		{"Description not a string", withRule("      Source: {Owner: AWS, SourceIdentifier: X}\n      Description: {a: b}\n"), nil, "Properties validation failed for resource R with message: #/Description: expected type: String, found: JSONObject"},
		{"InputParameters not an object", withRule("      Source: {Owner: AWS, SourceIdentifier: X}\n      InputParameters: [a]\n"), nil, "Properties validation failed for resource R with message: #/InputParameters: expected type: JSONObject, found: JSONArray"},
		{"InputParameters bad JSON", withRule("      Source: {Owner: AWS, SourceIdentifier: X}\n      InputParameters: '{a'\n"), nil, "Properties validation failed for resource R with message: #/InputParameters: the string is not a JSON object"},
		{"SourceDetails entry", withRule("      Source: {Owner: CUSTOM_LAMBDA, SourceIdentifier: X, SourceDetails: [x]}\n"), nil, "Properties validation failed for resource R with message: #/Source/SourceDetails/0: expected type: JSONObject, found: String"},
		{"EnableDebugLogDelivery", withRule("      Source: {Owner: CUSTOM_POLICY, CustomPolicyDetails: {PolicyRuntime: guard-2.x.x, PolicyText: x, EnableDebugLogDelivery: maybe}}\n"), nil, "Properties validation failed for resource R with message: #/Source/CustomPolicyDetails/EnableDebugLogDelivery: expected type: Boolean, found: String"},
		{"EvaluationModes entry", withRule("      Source: {Owner: AWS, SourceIdentifier: X}\n      EvaluationModes: [{Mode: DETECTIVE, X: 1}]\n"), nil, "Properties validation failed for resource R with message: #/EvaluationModes/0: extraneous key [X] is not permitted"},
		{"empty ConfigRuleName", withRule("      ConfigRuleName: ''\n      Source: {Owner: AWS, SourceIdentifier: X}\n"), nil, "Properties validation failed for resource R with message: #/ConfigRuleName: expected minLength: 1, actual: 0"},
		{"long ConfigRuleName", withRule("      ConfigRuleName: " + strings.Repeat("n", 129) + "\n      Source: {Owner: AWS, SourceIdentifier: X}\n"), nil, "Properties validation failed for resource R with message: #/ConfigRuleName: expected maxLength: 128, actual: 129"},
		{"remediation missing TargetId", "Resources:\n  F:\n    Type: AWS::Config::RemediationConfiguration\n    Properties: {ConfigRuleName: r, TargetType: SSM_DOCUMENT}\n", nil, "Properties validation failed for resource F with message: #: required key [TargetId] not found"},
		{"remediation Automatic", "Resources:\n  F:\n    Type: AWS::Config::RemediationConfiguration\n    Properties: {ConfigRuleName: r, TargetId: T, TargetType: SSM_DOCUMENT, Automatic: [true]}\n", nil, "Properties validation failed for resource F with message: #/Automatic: expected type: Boolean, found: JSONArray"},
		{"remediation attempts", "Resources:\n  F:\n    Type: AWS::Config::RemediationConfiguration\n    Properties: {ConfigRuleName: r, TargetId: T, TargetType: SSM_DOCUMENT, MaximumAutomaticAttempts: 2.5}\n", nil, "Properties validation failed for resource F with message: #/MaximumAutomaticAttempts: expected type: Integer, found: Number"},
		{"remediation SsmControls", "Resources:\n  F:\n    Type: AWS::Config::RemediationConfiguration\n    Properties: {ConfigRuleName: r, TargetId: T, TargetType: SSM_DOCUMENT, ExecutionControls: {SsmControls: {ErrorPercentage: x}}}\n", nil, "Properties validation failed for resource F with message: #/ExecutionControls/SsmControls/ErrorPercentage: expected type: Integer, found: String"},
		{"remediation Parameters", "Resources:\n  F:\n    Type: AWS::Config::RemediationConfiguration\n    Properties: {ConfigRuleName: r, TargetId: T, TargetType: SSM_DOCUMENT, Parameters: [x]}\n", nil, "Properties validation failed for resource F with message: #/Parameters: expected type: JSONObject, found: JSONArray"},

		// Parameters.
		{"undeclared input", "Resources:\n  R:" + rule, map[string]string{"Zed": "1", "Abc": "2"}, "Parameters: [Abc, Zed] do not exist in the template"},
		{"missing values", "Parameters:\n  B: {Type: String}\n  A: {Type: String}\n  C: {Type: String, Default: x}\nResources:\n  R:" + rule, nil, "Parameters: [B, A] must have values"},
		{"parameter without Type", "Parameters:\n  P: {Default: x}\nResources:\n  R:" + rule, nil, "Template format error: Every Parameters object must contain a Type member."},
		{"parameter type", "Parameters:\n  P: {Type: Integer}\nResources:\n  R:" + rule, nil, "Template format error: Unrecognized parameter type: Integer"},
		{"parameter property", "Parameters:\n  P: {Type: String, DefaultValue: x}\nResources:\n  R:" + rule, nil, "Template format error: Invalid template parameter property 'DefaultValue'"},
		{"parameter name", "Parameters:\n  p_1: {Type: String, Default: x}\nResources:\n  R:" + rule, nil, "Template format error: Parameter name p_1 is non alphanumeric."},
		{"list Default", "Parameters:\n  P: {Type: CSV, Default: [a, b]}\nResources:\n  R:" + rule, nil, "Template format error: Every Default member must be a string."},
		{"int value", "Parameters:\n  P: {Type: int, Default: 1}\nResources:\n  R:" + rule, map[string]string{"P": "1.5"}, "Parameter 'P' must be an integer."},
		{"double value", "Parameters:\n  P: {Type: double, Default: 1}\nResources:\n  R:" + rule, map[string]string{"P": "x"}, "Parameter 'P' must be a number."},
		{"boolean value", "Parameters:\n  P: {Type: boolean, Default: 'yes'}\nResources:\n  R:" + rule, nil, "Parameter 'P' must be a boolean (true or false)."},
		{"AllowedValues", "Parameters:\n  P: {Type: String, Default: a, AllowedValues: [a, b]}\nResources:\n  R:" + rule, map[string]string{"P": "c"}, "Parameter 'P' must be one of AllowedValues"},
		{"AllowedValues per CSV member", "Parameters:\n  P: {Type: CSV, Default: a, AllowedValues: [a, b]}\nResources:\n  R:" + rule, map[string]string{"P": "a,c"}, "Parameter 'P' must be one of AllowedValues"},
		{"AllowedPattern", "Parameters:\n  P: {Type: String, Default: a1, AllowedPattern: '[a-z]+'}\nResources:\n  R:" + rule, nil, "Parameter 'P' must match pattern [a-z]+"},
		{"AllowedPattern invalid", "Parameters:\n  P: {Type: String, Default: a, AllowedPattern: '('}\nResources:\n  R:" + rule, nil, "Template format error: AllowedPattern of parameter P is not a valid regular expression."},
		{"MinLength", "Parameters:\n  P: {Type: String, Default: ab, MinLength: 3}\nResources:\n  R:" + rule, nil, "Parameter 'P' must contain at least 3 characters"},
		{"MaxLength", "Parameters:\n  P: {Type: String, Default: abcd, MaxLength: 3}\nResources:\n  R:" + rule, nil, "Parameter 'P' must contain at most 3 characters"},
		{"MinValue", "Parameters:\n  P: {Type: int, Default: 0, MinValue: 1}\nResources:\n  R:" + rule, nil, "Parameter 'P' must be a number not less than 1"},
		{"MaxValue", "Parameters:\n  P: {Type: double, Default: 2.5, MaxValue: 2}\nResources:\n  R:" + rule, nil, "Parameter 'P' must be a number not greater than 2"},
		{"ConstraintDescription", "Parameters:\n  P: {Type: String, Default: A, AllowedPattern: '[a-z]+', ConstraintDescription: lower case only}\nResources:\n  R:" + rule, nil, "Parameter P failed to satisfy constraint: lower case only"},

		// Functions and conditions.
		{"Ref undeclared", withValue("", "!Ref Nope"), nil, "Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template"},
		{"Ref undeclared in untaken branch", withValue("Conditions:\n  C: !Equals [a, a]\n", "!If [C, x, !Ref Nope]"), nil, "Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template"},
		{"Ref undeclared in skipped resource", "Conditions:\n  Never: !Equals [a, b]\nResources:\n  R:\n    Type: AWS::Config::ConfigRule\n    Condition: Never\n    Properties: {Source: {Owner: AWS, SourceIdentifier: !Ref Nope}}\n", nil, "Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template"},
		{"Ref unknown pseudo", withValue("", "!Ref AWS::Nope"), nil, "Template format error: Unresolved resource dependencies [AWS::Nope] in the Resources block of the template"},
		{"Ref AWS::StackId", withValue("", "!Ref AWS::StackId"), nil, "Template error: AWS::StackId is not supported in conformance pack templates"},
		{"Ref not a string", withValue("", "{Ref: [a]}"), nil, "Template format error: Every Ref object must have a single String value."},
		{"Ref resource in a condition", "Conditions:\n  C: !Equals [!Ref R, x]\nResources:\n  R:" + rule, nil, "Template format error: Unresolved dependencies [R]. Cannot reference resources in the Conditions block of the template"},
		{"Fn::If unknown condition", withValue("", "!If [Nope, a, b]"), nil, "Template error: unresolved condition dependency Nope in Fn::If"},
		{"Fn::If two arguments", withValue("Conditions:\n  C: !Equals [a, a]\n", "!If [C, a]"), nil, "Template error: every Fn::If object requires a list of 3 parameters: a condition name, a value if true and a value if false."},
		{"Fn::If condition not a name", withValue("Conditions:\n  C: !Equals [a, a]\n", "!If [!Equals [a, a], a, b]"), nil, "Template error: the first parameter of Fn::If must be a condition name."},
		{"condition not a function", "Conditions:\n  C: 'true'\nResources:\n  R:" + rule, nil, "Template format error: Conditions can only be boolean operations on parameters and other conditions"},
		{"condition Ref", "Parameters:\n  P: {Type: String, Default: x}\nConditions:\n  C: !Ref P\nResources:\n  R:" + rule, nil, "Template format error: Conditions can only be boolean operations on parameters and other conditions"},
		{"condition cycle", "Conditions:\n  A: !Not [!Condition B]\n  B: !Not [!Condition A]\nResources:\n  R:" + rule, nil, "Template format error: Circular dependency between conditions: [A]"},
		{"condition unknown", "Conditions:\n  A: !Not [!Condition Nope]\nResources:\n  R:" + rule, nil, "Template error: unresolved condition dependency Nope"},
		{"condition chain too deep", conditionChain(600), nil, "Template error: the template's functions and conditions nest more than 512 levels deep"},
		{"Fn::Equals one argument", "Conditions:\n  C: !Equals [a]\nResources:\n  R:" + rule, nil, "Template error: every Fn::Equals object requires a list of 2 string parameters."},
		{"Fn::Not two arguments", "Conditions:\n  C: !Not [{Condition: D}, {Condition: D}]\n  D: !Equals [a, a]\nResources:\n  R:" + rule, nil, "Template error: every Fn::Not object requires a list of 1 condition."},
		{"Fn::And one argument", "Conditions:\n  C: !And [{Condition: D}]\n  D: !Equals [a, a]\nResources:\n  R:" + rule, nil, "Template error: every Fn::And object requires a list of at least 2 and at most 10 boolean parameters."},
		{"Fn::Or eleven arguments", "Conditions:\n  C: !Or [" + strings.TrimSuffix(strings.Repeat("!Condition D, ", 11), ", ") + "]\n  D: !Equals [a, a]\nResources:\n  R:" + rule, nil, "Template error: every Fn::Or object requires a list of at least 2 and at most 10 boolean parameters."},
		{"Fn::Equals in a property", withValue("", "!Equals [a, a]"), nil, "Template error: Fn::Equals can only be used in the Conditions section"},
		{"Fn::GetAtt", withValue("", "{Fn::GetAtt: [R, Arn]}"), nil, "Template error: Fn::GetAtt is not supported in conformance pack templates"},
		{"!GetAtt", withValue("", "!GetAtt R.Arn"), nil, "Template error: Fn::GetAtt is not supported in conformance pack templates"},
		{"Fn::Sub attribute", withValue("", "!Sub '${R.Arn}'"), nil, "Template error: Fn::GetAtt is not supported in conformance pack templates"},
		{"!Base64", withValue("", "!Base64 x"), nil, "Template error: Fn::Base64 is not supported in conformance pack templates"},
		{"!ImportValue", withValue("", "!ImportValue x"), nil, "Template error: Fn::ImportValue is not supported in conformance pack templates"},
		{"unknown function", withValue("", "{Fn::Frobnicate: x}"), nil, "Template error: encountered unsupported function: Fn::Frobnicate"},
		{"Fn::Sub variable name", withValue("", "!Sub '${a b}'"), nil, "Template error: variable names in Fn::Sub syntax must contain only alphanumeric characters, underscores, periods, and colons"},
		{"Fn::Sub empty variable", withValue("", "!Sub 'x${}'"), nil, "Template error: variable names in Fn::Sub syntax must contain only alphanumeric characters, underscores, periods, and colons"},
		{"Fn::Sub undeclared", withValue("", "!Sub '${Nope}'"), nil, "Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template"},
		{"Fn::Sub list variable", withValue("Parameters:\n  L: {Type: CSV, Default: 'a,b'}\n", "!Sub '${L}'"), nil, "Template error: variable L in Fn::Sub must resolve to a string"},
		{"Fn::Sub malformed", withValue("", "!Sub [a, b, c]"), nil, "Template error: every Fn::Sub object requires a string, or a list of a string and a map of variables."},
		{"Fn::Join malformed", withValue("", "!Join [',']"), nil, "Template error: every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined."},
		{"Fn::Join nested list", withValue("", "!Join [',', [[a]]]"), nil, "Template error: every Fn::Join object requires two parameters, …"},
		{"Fn::Select out of range", withValue("", "!Select [3, [a, b]]"), nil, "Template error: Fn::Select cannot select nonexistent value at index 3"},
		{"Fn::Select negative", withValue("", "!Select [-1, [a, b]]"), nil, "Template error: Fn::Select cannot select nonexistent value at index -1"},
		{"Fn::Select bad index", withValue("", "!Select [x, [a, b]]"), nil, "Template error: Fn::Select requires a list argument with two elements: an integer index and a list"},
		{"Fn::Split empty delimiter", withValue("", "!Split ['', abc]"), nil, "Template error: every Fn::Split object requires two parameters, …"},
		{"Fn::FindInMap missing", withValue("Mappings:\n  M: {k: {a: b}}\n", "!FindInMap [M, k, z]"), nil, "Template error: Unable to get mapping for M::k::z"},
		{"Fn::FindInMap arity", withValue("Mappings:\n  M: {k: {a: b}}\n", "!FindInMap [M, k]"), nil, "Template error: every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value"},
		{"Mappings malformed", "Mappings:\n  M: {k: v}\nResources:\n  R:" + rule, nil, "Template format error: Every Mappings member k must be a map"},
		{"Mappings value", "Mappings:\n  M: {k: {a: {b: c}}}\nResources:\n  R:" + rule, nil, "Template format error: Every Mappings attribute must be a String or a List."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, err := Parse([]byte(tt.body), tt.params, testCtx)
			if err == nil {
				t.Fatalf("no error; got %+v", tpl)
			}
			got := problemOf(t, err)
			if prefix, ok := strings.CutSuffix(tt.want, "…"); ok {
				if !strings.HasPrefix(got, prefix) {
					t.Errorf("got  %q\nwant %q", got, tt.want)
				}
			} else if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestLimitsAccepted: what the limits allow still parses: 130 rules, nesting within 64 levels,
// a condition chain within the evaluation depth.
func TestLimitsAccepted(t *testing.T) {
	for name, body := range map[string]string{
		"130 rules":       manyRules(130, 0),
		"nested lists":    withValue("", strings.Repeat("[", 50)+strings.Repeat("]", 50)),
		"condition chain": conditionChain(100),
	} {
		if _, err := Parse([]byte(body), nil, testCtx); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestParametersReported: Template.Parameters lists the declarations in order with their values.
func TestParametersReported(t *testing.T) {
	body := "Parameters:\n  Zeta: {Type: int, Default: 7, Description: d}\n  Alpha: {Type: CSV}\n  Mid: {Type: StringMap, Default: '{\"a\":\"b\"}'}\nResources:\n  R:" + rule
	tpl, err := Parse([]byte(body), map[string]string{"Alpha": "x,y"}, testCtx)
	if err != nil {
		t.Fatal(err)
	}
	want := []Parameter{
		{Name: "Zeta", Type: "int", Default: "7", Value: "7"},
		{Name: "Alpha", Type: "CSV", Value: "x,y"},
		{Name: "Mid", Type: "StringMap", Default: `{"a":"b"}`, Value: `{"a":"b"}`},
	}
	if fmt.Sprint(tpl.Parameters) != fmt.Sprint(want) {
		t.Errorf("got %+v", tpl.Parameters)
	}
}

// TestEmptyNumericValue: an empty value passes the type check, so an empty string can switch a
// rule parameter off as in AWS's samples.
func TestEmptyNumericValue(t *testing.T) {
	body := "Parameters:\n  P: {Type: int, Default: 3}\nResources:\n  R:" + rule
	if _, err := Parse([]byte(body), map[string]string{"P": ""}, testCtx); err != nil {
		t.Error(err)
	}
}
