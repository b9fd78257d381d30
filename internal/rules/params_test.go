package rules

import (
	"errors"
	"maps"
	"testing"
)

// TestParseParams: accepted InputParameters, with conversions and defaults.
func TestParseParams(t *testing.T) {
	for _, c := range []struct {
		rule, input string
		want        Params
	}{
		{"EIP_ATTACHED", "", Params{}},
		{"EIP_ATTACHED", "{}", Params{}},
		{"EIP_ATTACHED", " { } ", Params{}},
		{"REQUIRED_TAGS", `{"tag1Key":"CostCenter","tag1Value":"a, b"}`, Params{"tag1Key": "CostCenter", "tag1Value": "a, b"}},
		// Numbers and booleans become their JSON text; null and blank values count as absent.
		{"REQUIRED_TAGS", `{"tag1Key":42,"tag2Key":true,"tag3Key":null,"tag4Key":"  "}`, Params{"tag1Key": "42", "tag2Key": "true"}},
		{"IAM_PASSWORD_POLICY", "", Params{
			"RequireUppercaseCharacters": "true", "RequireLowercaseCharacters": "true", "RequireSymbols": "true",
			"RequireNumbers": "true", "MinimumPasswordLength": "14", "PasswordReusePrevention": "24", "MaxPasswordAge": "90",
		}},
		{"IAM_PASSWORD_POLICY", `{"MinimumPasswordLength":8,"RequireSymbols":"false","MaxPasswordAge":""}`, Params{
			"RequireUppercaseCharacters": "true", "RequireLowercaseCharacters": "true", "RequireSymbols": "false",
			"RequireNumbers": "true", "MinimumPasswordLength": "8", "PasswordReusePrevention": "24", "MaxPasswordAge": "90",
		}},
		{"RESTRICTED_INCOMING_TRAFFIC", `{"blockedPort1":"22","blockedPorts":"8080,9000-9100"}`, Params{
			"blockedPort1": "22", "blockedPort2": "21", "blockedPort3": "3389", "blockedPort4": "3306", "blockedPort5": "4333",
			"blockedPorts": "8080,9000-9100",
		}},
		{"ACCESS_KEYS_ROTATED", `{"maxAccessKeyAge":"30"}`, Params{"maxAccessKeyAge": "30"}},
		{"DESIRED_INSTANCE_TYPE", `{"instanceType":"t2.micro, m5.large"}`, Params{"instanceType": "t2.micro, m5.large"}},
	} {
		got, err := ParseParams(mustLookup(t, c.rule), c.input)
		if err != nil {
			t.Errorf("%s %s: %v", c.rule, c.input, err)
			continue
		}
		if !maps.Equal(got, c.want) {
			t.Errorf("%s %s: %v, want %v", c.rule, c.input, got, c.want)
		}
	}
}

// TestParseParamsErrors: rejected InputParameters, with AWS's messages.
func TestParseParamsErrors(t *testing.T) {
	for _, c := range []struct{ rule, input, want string }{
		{"EIP_ATTACHED", "{", "Invalid json { passed in the inputParameters field"},
		{"EIP_ATTACHED", "not json", "Invalid json not json passed in the inputParameters field"},
		{"EIP_ATTACHED", " ", "Invalid json   passed in the inputParameters field"},
		{"EIP_ATTACHED", "null", "Invalid json null passed in the inputParameters field"},
		{"EIP_ATTACHED", `["a"]`, `Invalid json ["a"] passed in the inputParameters field`},
		{"EIP_ATTACHED", `{"a":"b"} x`, `Invalid json {"a":"b"} x passed in the inputParameters field`},
		{"REQUIRED_TAGS", `{"tag1Key":{"x":1}}`, `Invalid json {"tag1Key":{"x":1}} passed in the inputParameters field`},
		{"REQUIRED_TAGS", `{"tag1Key":["a"]}`, `Invalid json {"tag1Key":["a"]} passed in the inputParameters field`},
		{"EIP_ATTACHED", `{"foo":"1"}`, "Unknown parameters provided in the inputParameters: foo"},
		{"REQUIRED_TAGS", `{"tag1key":"a","Tag1Key":"b","tag1Key":"c"}`, "Unknown parameters provided in the inputParameters: Tag1Key, tag1key"},
		// Unknown names are reported before missing required ones.
		{"REQUIRED_TAGS", `{"zzz":"a"}`, "Unknown parameters provided in the inputParameters: zzz"},
		{"REQUIRED_TAGS", "", "The required parameter [tag1Key] is not present in the inputParameters"},
		{"REQUIRED_TAGS", `{"tag1Key":""}`, "The required parameter [tag1Key] is not present in the inputParameters"},
		{"REQUIRED_TAGS", `{"tag1Key":null,"tag1Value":"x"}`, "The required parameter [tag1Key] is not present in the inputParameters"},
		{"DESIRED_INSTANCE_TYPE", "{}", "The required parameter [instanceType] is not present in the inputParameters"},
		{"APPROVED_AMIS_BY_ID", "{}", "The required parameter [amiIds] is not present in the inputParameters"},
		// A documented default does not satisfy a required parameter.
		{"ACCESS_KEYS_ROTATED", "", "The required parameter [maxAccessKeyAge] is not present in the inputParameters"},
		{"CLOUDWATCH_ALARM_ACTION_CHECK", `{"action1":"arn"}`, "The required parameter [alarmActionRequired, insufficientDataActionRequired, okActionRequired] is not present in the inputParameters"},
	} {
		_, err := ParseParams(mustLookup(t, c.rule), c.input)
		var pe *ParamError
		if !errors.As(err, &pe) || err.Error() != c.want {
			t.Errorf("%s %q: error %v, want %q", c.rule, c.input, err, c.want)
		}
	}
}

// TestAnyParams: a rule whose parameters are unknown accepts any names, but not bad JSON.
func TestAnyParams(t *testing.T) {
	r := &Rule{Identifier: "SOME_RULE", AnyParams: true, Params: []Param{{Name: "a", Default: "1"}}}
	got, err := ParseParams(r, `{"whatever":"x","n":3}`)
	if want := (Params{"whatever": "x", "n": "3", "a": "1"}); err != nil || !maps.Equal(got, want) {
		t.Fatalf("%v, %v; want %v", got, err, want)
	}
	if _, err := ParseParams(r, "{"); err == nil {
		t.Fatal("bad JSON accepted")
	}
}

// TestValidate: unknown identifiers are reported with AWS's message; known ones are parsed.
func TestValidate(t *testing.T) {
	_, _, err := Validate("NOT_A_RULE", "")
	want := "The sourceIdentifier NOT_A_RULE is invalid. Please refer to the documentation for a list of valid sourceIdentifiers that can be used when AWS is the Owner."
	var pe *ParamError
	if !errors.As(err, &pe) || err.Error() != want {
		t.Fatalf("error %v, want %q", err, want)
	}
	if _, _, err := Validate("REQUIRED_TAGS", ""); err == nil {
		t.Fatal("missing tag1Key accepted")
	}
	r, p, err := Validate("ENCRYPTED_VOLUMES", `{"kmsId":"k"}`)
	if err != nil || r.Identifier != "ENCRYPTED_VOLUMES" || p["kmsId"] != "k" {
		t.Fatalf("%v %v %v", r, p, err)
	}
}

// TestParamHelpers: how rules read parameter values.
func TestParamHelpers(t *testing.T) {
	p := Params{"b": "true", "B": "True", "l": " a, ,b ,", "n": " 14 ", "f": "14.0", "x": "1.5", "big": "1e20"}
	if !p.flag("b") || p.flag("B") || p.flag("missing") {
		t.Error("flag")
	}
	if got := p.list("l"); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Errorf("list %q", got)
	}
	for name, want := range map[string]int{"n": 14, "f": 14} {
		if got, ok := p.integer(name); !ok || got != want {
			t.Errorf("integer(%s) = %d, %v", name, got, ok)
		}
	}
	for _, name := range []string{"x", "big", "l", "missing"} {
		if _, ok := p.integer(name); ok {
			t.Errorf("integer(%s) accepted", name)
		}
	}
}
