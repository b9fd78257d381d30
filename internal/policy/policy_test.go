package policy

import (
	"errors"
	"strings"
	"testing"
)

func mustParse(t *testing.T, s string) *Document {
	t.Helper()
	d, err := ParseString(s)
	if err != nil {
		t.Fatalf("Parse(%s): %v", s, err)
	}
	return d
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ doc, want string }{
		{`not json`, "Syntax errors in policy."},
		{`[]`, "Syntax errors in policy."},
		{`{"Version":"2012-10-17","Statement":[]} x`, "Syntax errors in policy."},
		{`{"Version":"2013-01-01","Statement":[]}`, "Policy document must be version"},
		{`{"Version":"2012-10-17"}`, "Missing required field Statement."},
		{`{"Version":"2012-10-17","Statement":{"Action":"s3:*","Resource":"*"}}`, "Missing required field Effect."},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allw","Action":"s3:*"}}`, "Invalid effect: Allw"},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":[]}}`, "Action must not be an empty list"},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":3}}`, "Action must be a string or a list of strings"},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"a:b","NotAction":"a:c"}}`, "both Action and NotAction"},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"a:b","Bogus":1}}`, "Unknown element Bogus"},
		{`{"Statement":{"Effect":"Allow","Action":"a:b","Principal":"me"}}`, "Invalid principal in policy"},
		{`{"Statement":{"Effect":"Allow","Action":"a:b","Principal":{"Other":"x"}}}`, "unknown principal type"},
		{`{"Statement":{"Effect":"Allow","Action":"a:b","Condition":{"StringEqual":{"k":"v"}}}}`, "Invalid Condition type : StringEqual"},
		{`{"Statement":{"Effect":"Allow","Action":"a:b","Condition":{"NullIfExists":{"k":"true"}}}}`, "Invalid Condition type"},
		{`{"Statement":{"Effect":"Allow","Action":"a:b","Condition":{"StringEquals":{"k":{"x":1}}}}}`, "values must be strings"},
	} {
		_, err := ParseString(c.doc)
		var pe *Error
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%s) = %v, want *Error", c.doc, err)
			continue
		}
		if !strings.Contains(pe.Msg, c.want) {
			t.Errorf("Parse(%s) = %q, want it to contain %q", c.doc, pe.Msg, c.want)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		doc  string
		kind Kind
		want string // "" = valid
	}{
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, Identity, ""},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*"}}`, Identity, "Policy statement must contain resources."},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"*"}}`, Identity, "Policy statement must contain actions."},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3","Resource":"*"}}`, Identity, "prefaced by a vendor"},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"bucket"}}`, Identity, "must be in ARN format"},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Principal":"*"}}`, Identity, "should not specify a principal"},
		{`{"Version":"2012-10-17","Statement":[{"Sid":"a","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"a","Effect":"Deny","Action":"s3:*","Resource":"*"}]}`, Identity, "must be unique"},
		{`{"Version":"2012-10-17","Statement":{"Sid":"a b","Effect":"Allow","Action":"s3:*","Resource":"*"}}`, Identity, "alpha-numeric"},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"AWS":"arn:aws:iam::111111111111:root"}}}`, Trust, ""},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}`, Trust, "Missing required field Principal."},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Principal":"*","Resource":"*"}}`, Trust, "Has prohibited field Resource."},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"AWS":"bob"}}}`, Trust, "Invalid principal in policy"},
		{`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"config:*"}}`, SCP, ""},
	} {
		d := mustParse(t, c.doc)
		err := d.Validate(c.kind)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("Validate(%s) = %v, want nil", c.doc, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("Validate(%s) = %v, want %q", c.doc, err, c.want)
		}
	}
}

func TestGlob(t *testing.T) {
	for _, c := range []struct {
		p, s string
		want bool
	}{
		{"*", "", true}, {"*", "abc", true}, {"a*c", "abc", true}, {"a*c", "ac", true}, {"a*c", "abd", false},
		{"a?c", "abc", true}, {"a?c", "ac", false}, {"*a*b*", "xaybz", true}, {"*a*b", "xaybz", false},
		{"ä?", "äö", true}, {"abc", "abc", true}, {"abc", "abcd", false}, {"**", "x", true},
	} {
		if got := Glob(c.p, c.s); got != c.want {
			t.Errorf("Glob(%q, %q) = %v", c.p, c.s, got)
		}
	}
	if !MatchARN("arn:aws:iam::*:role/*", "arn:aws:iam::111111111111:role/path/x") {
		t.Error("MatchARN role wildcard")
	}
	if MatchARN("arn:aws:iam::*:role/*", "arn:aws:sts::111111111111:assumed-role/x/y") {
		t.Error("MatchARN crossed the service segment")
	}
	if MatchARN("arn:aws:iam::111111111111:role/X", "arn:aws:iam::111111111111:role/x") {
		t.Error("MatchARN must be case-sensitive")
	}
}

func TestEvaluate(t *testing.T) {
	allowConfigRead := mustParse(t, `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["config:Describe*","CONFIG:get?omplianceDetails*"],"Resource":"*"},
		{"Effect":"Allow","Action":"iam:GetRole","Resource":"arn:aws:iam::111111111111:role/app-*"},
		{"Effect":"Allow","NotAction":["iam:*","organizations:*","config:*"],"Resource":"*"},
		{"Effect":"Allow","Action":"organizations:Describe*","NotResource":"arn:aws:organizations::*:account/o-x/222222222222"}]}`)
	denyDelete := mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"config:Delete*","Resource":"*"}}`)
	allowAll := mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`)
	for _, c := range []struct {
		action, resource string
		docs             []*Document
		want             Decision
	}{
		{"config:DescribeConfigRules", "*", []*Document{allowConfigRead}, Allowed},
		{"Config:describeconfigrules", "*", []*Document{allowConfigRead}, Allowed},
		{"config:GetComplianceDetailsByConfigRule", "*", []*Document{allowConfigRead}, Allowed},
		{"config:PutConfigRule", "*", []*Document{allowConfigRead}, ImplicitDeny},
		{"iam:GetRole", "arn:aws:iam::111111111111:role/app-1", []*Document{allowConfigRead}, Allowed},
		{"iam:GetRole", "arn:aws:iam::111111111111:role/db", []*Document{allowConfigRead}, ImplicitDeny},
		{"iam:GetRole", "*", []*Document{allowConfigRead}, Allowed},
		{"sts:GetSessionToken", "*", []*Document{allowConfigRead}, Allowed},
		{"organizations:DescribeAccount", "arn:aws:organizations::111111111111:account/o-x/222222222222", []*Document{allowConfigRead}, ImplicitDeny},
		{"organizations:DescribeAccount", "arn:aws:organizations::111111111111:account/o-x/333333333333", []*Document{allowConfigRead}, Allowed},
		{"config:DeleteConfigRule", "*", []*Document{allowAll, denyDelete}, ExplicitDeny},
		{"config:DeleteConfigRule", "*", []*Document{denyDelete}, ExplicitDeny},
		{"config:PutConfigRule", "*", []*Document{nil, allowAll, denyDelete}, Allowed},
		{"config:PutConfigRule", "*", nil, ImplicitDeny},
	} {
		got := Evaluate(Request{Action: c.action, Resource: c.resource, Context: Context{}}, c.docs...)
		if got != c.want {
			t.Errorf("Evaluate(%s on %s) = %v, want %v", c.action, c.resource, got, c.want)
		}
	}
}

func TestConditions(t *testing.T) {
	ctx := Context{}
	ctx.Set("aws:PrincipalAccount", "111111111111")
	ctx.Set("aws:PrincipalArn", "arn:aws:iam::111111111111:role/admin")
	ctx.Set("aws:RequestedRegion", "eu-west-1")
	ctx.Set("aws:CurrentTime", "2026-03-01T12:00:00Z")
	ctx.Set("aws:MultiFactorAuthPresent", "false")
	ctx.Set("sts:DurationSeconds", "3600")
	ctx.Set("aws:username", "alice")
	ctx.Set("custom:tags", "a", "b")
	for _, c := range []struct {
		cond   string
		effect Effect
		want   bool
	}{
		{`{"StringEquals":{"aws:PrincipalAccount":"111111111111"}}`, Allow, true},
		{`{"StringEquals":{"AWS:principalaccount":["2","111111111111"]}}`, Allow, true},
		{`{"StringNotEquals":{"aws:PrincipalAccount":"111111111111"}}`, Allow, false},
		{`{"StringEqualsIgnoreCase":{"aws:RequestedRegion":"EU-WEST-1"}}`, Allow, true},
		{`{"StringLike":{"aws:RequestedRegion":"eu-*"}}`, Allow, true},
		{`{"StringNotLike":{"aws:RequestedRegion":["us-*","ap-*"]}}`, Allow, true},
		{`{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/adm*"}}`, Allow, true},
		{`{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111111111111:role/admin"}}`, Allow, true},
		{`{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/admin"}}`, Allow, false},
		{`{"Bool":{"aws:MultiFactorAuthPresent":"false"}}`, Allow, true},
		{`{"Bool":{"aws:MultiFactorAuthPresent":true}}`, Allow, false},
		{`{"NumericLessThanEquals":{"sts:DurationSeconds":3600}}`, Allow, true},
		{`{"NumericGreaterThan":{"sts:DurationSeconds":"3600"}}`, Allow, false},
		{`{"NumericEquals":{"sts:DurationSeconds":"nope"}}`, Allow, false},
		{`{"DateGreaterThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`, Allow, true},
		{`{"DateLessThan":{"aws:CurrentTime":"2026-01-01"}}`, Allow, false},
		{`{"DateLessThan":{"aws:CurrentTime":"1900000000"}}`, Allow, true},
		// Missing supported key: plain false, negated true, IfExists true, Null.
		{`{"StringEquals":{"sts:ExternalId":"x"}}`, Allow, false},
		{`{"StringNotEquals":{"sts:ExternalId":"x"}}`, Allow, true},
		{`{"StringEqualsIfExists":{"sts:ExternalId":"x"}}`, Allow, true},
		{`{"StringEqualsIfExists":{"aws:RequestedRegion":"us-east-1"}}`, Allow, false},
		{`{"Null":{"sts:ExternalId":"true"}}`, Allow, true},
		{`{"Null":{"sts:ExternalId":"false"}}`, Allow, false},
		{`{"Null":{"aws:username":false}}`, Allow, true},
		// Unknown key: never grants; a Deny follows AWS's missing-key rules.
		{`{"StringNotEquals":{"aws:SourceVpc":"vpc-1"}}`, Allow, false},
		{`{"StringNotEquals":{"aws:SourceVpc":"vpc-1"}}`, Deny, true},
		{`{"StringEquals":{"aws:SourceVpc":"vpc-1"}}`, Deny, false},
		// Unsupported operators: never grant, always restrict.
		{`{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, Allow, false},
		{`{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, Deny, true},
		// Sets.
		{`{"ForAnyValue:StringEquals":{"custom:tags":["b","c"]}}`, Allow, true},
		{`{"ForAllValues:StringEquals":{"custom:tags":["b","c"]}}`, Allow, false},
		{`{"ForAllValues:StringEquals":{"custom:tags":["a","b","c"]}}`, Allow, true},
		{`{"ForAllValues:StringEquals":{"custom:none":["a"]}}`, Deny, true},
		{`{"ForAnyValue:StringEquals":{"custom:none":["a"]}}`, Deny, false},
		{`{"ForAnyValue:StringNotEquals":{"custom:tags":["a"]}}`, Allow, true},
		{`{"ForAllValues:StringNotEquals":{"custom:tags":["a"]}}`, Allow, false},
		// Policy variables.
		{`{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::${aws:PrincipalAccount}:role/admin"}}`, Allow, true},
		{`{"StringEquals":{"aws:username":"${aws:userid}"}}`, Allow, false},
		{`{"StringEquals":{"aws:username":"${aws:userid, 'alice'}"}}`, Allow, true},
		// Several conditions: all must hold.
		{`{"StringEquals":{"aws:PrincipalAccount":"111111111111"},"StringLike":{"aws:RequestedRegion":"us-*"}}`, Allow, false},
	} {
		doc := mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"`+string(c.effect)+`","Action":"*","Resource":"*","Condition":`+c.cond+`}}`)
		d := Evaluate(Request{Action: "config:X", Resource: "*", Context: ctx}, doc)
		got := d != ImplicitDeny
		if got != c.want {
			t.Errorf("%s %s: applies = %v, want %v", c.effect, c.cond, got, c.want)
		}
	}
}

func TestPolicyVariablesInResource(t *testing.T) {
	doc := mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::*:user/${aws:username}${*}"}}`)
	ctx := Context{}
	ctx.Set("aws:username", "alice")
	if Evaluate(Request{Action: "iam:GetUser", Resource: "arn:aws:iam::1:user/alice*", Context: ctx}, doc) != Allowed {
		t.Error("variable with literal star did not match")
	}
	if Evaluate(Request{Action: "iam:GetUser", Resource: "arn:aws:iam::1:user/alicex", Context: ctx}, doc) != ImplicitDeny {
		t.Error("${*} matched as a wildcard")
	}
	old := mustParse(t, `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::*:user/${aws:username}"}}`)
	if Evaluate(Request{Action: "iam:GetUser", Resource: "arn:aws:iam::1:user/alice", Context: ctx}, old) != ImplicitDeny {
		t.Error("2008-10-17 documents must not substitute variables")
	}
}

func TestPrincipalMatching(t *testing.T) {
	root := &Caller{Type: CallerRoot, Account: "111111111111", ARN: "arn:aws:iam::111111111111:root"}
	user := &Caller{Type: CallerUser, Account: "111111111111", ARN: "arn:aws:iam::111111111111:user/ops/alice"}
	session := &Caller{Type: CallerAssumedRole, Account: "111111111111", ARN: "arn:aws:sts::111111111111:assumed-role/admin/s1",
		RoleARN: "arn:aws:iam::111111111111:role/admin"}
	other := &Caller{Type: CallerRoot, Account: "222222222222", ARN: "arn:aws:iam::222222222222:root"}
	svc := &Caller{Type: CallerService, Service: "config.amazonaws.com"}
	for _, c := range []struct {
		principal string
		caller    *Caller
		exact     bool
		want      bool
	}{
		{`"*"`, svc, false, true},
		{`{"AWS":"*"}`, user, false, true},
		{`{"AWS":"*"}`, svc, false, false},
		{`{"AWS":"arn:aws:iam::111111111111:root"}`, root, false, true},
		{`{"AWS":"arn:aws:iam::111111111111:root"}`, user, false, true},
		{`{"AWS":"arn:aws:iam::111111111111:root"}`, session, false, true},
		{`{"AWS":"arn:aws:iam::111111111111:root"}`, session, true, false},
		{`{"AWS":"arn:aws:iam::111111111111:root"}`, other, false, false},
		{`{"AWS":"111111111111"}`, user, false, true},
		{`{"AWS":["222222222222","arn:aws:iam::111111111111:user/ops/alice"]}`, user, true, true},
		{`{"AWS":"arn:aws:iam::111111111111:user/alice"}`, user, false, false},
		{`{"AWS":"arn:aws:iam::111111111111:role/admin"}`, session, true, true},
		{`{"AWS":"arn:aws:iam::111111111111:role/admin"}`, root, false, false},
		{`{"AWS":"arn:aws:sts::111111111111:assumed-role/admin/s1"}`, session, true, true},
		{`{"AWS":"arn:aws:sts::111111111111:assumed-role/admin/s2"}`, session, false, false},
		{`{"Service":"config.amazonaws.com"}`, svc, false, true},
		{`{"Service":"config.amazonaws.com"}`, root, false, false},
		{`{"Service":"ec2.amazonaws.com"}`, svc, false, false},
		{`{"Federated":"arn:aws:iam::111111111111:saml-provider/x"}`, user, false, false},
	} {
		doc := mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Principal":`+c.principal+`}}`)
		got := Evaluate(Request{Action: "sts:AssumeRole", Resource: "arn:aws:iam::111111111111:role/r", Caller: c.caller, ExactPrincipal: c.exact}, doc) == Allowed
		if got != c.want {
			t.Errorf("Principal %s, caller %s (exact %v): %v, want %v", c.principal, c.caller.ARN+c.caller.Service, c.exact, got, c.want)
		}
	}
	// NotPrincipal: everyone but the listed principals.
	deny := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":"*"},
		{"Effect":"Deny","Action":"sts:AssumeRole","NotPrincipal":{"AWS":"arn:aws:iam::111111111111:user/ops/alice"}}]}`)
	if Evaluate(Request{Action: "sts:AssumeRole", Caller: user}, deny) != Allowed {
		t.Error("NotPrincipal denied the excluded principal")
	}
	if Evaluate(Request{Action: "sts:AssumeRole", Caller: root}, deny) != ExplicitDeny {
		t.Error("NotPrincipal did not deny another principal")
	}
	// A statement with a Principal never applies without a caller.
	if Evaluate(Request{Action: "sts:AssumeRole"}, deny) != ImplicitDeny {
		t.Error("Principal statement applied without a caller")
	}
}

func TestEvaluateSCP(t *testing.T) {
	full := mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`)
	onlyConfig := mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"config:*","Resource":"*"}}`)
	denyConfig := mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"config:*","Resource":"*"}}`)
	req := func(a string) Request { return Request{Action: a, Resource: "*"} }
	for _, c := range []struct {
		action string
		levels [][]*Document
		want   Decision
	}{
		{"iam:GetRole", nil, Allowed},
		{"iam:GetRole", [][]*Document{{full}, {full}}, Allowed},
		{"iam:GetRole", [][]*Document{{full}, {onlyConfig}}, ImplicitDeny},
		{"config:PutConfigRule", [][]*Document{{full}, {onlyConfig}}, Allowed},
		{"config:PutConfigRule", [][]*Document{{full, denyConfig}, {onlyConfig}}, ExplicitDeny},
		{"iam:GetRole", [][]*Document{{full, denyConfig}, {full}}, Allowed},
		{"iam:GetRole", [][]*Document{{full}, {}}, ImplicitDeny},
	} {
		if got := EvaluateSCP(req(c.action), c.levels); got != c.want {
			t.Errorf("EvaluateSCP(%s, %d levels) = %v, want %v", c.action, len(c.levels), got, c.want)
		}
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	src := `{"Version":"2012-10-17","Id":"x","Statement":{"Sid":"A1","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root","Service":["config.amazonaws.com"]},
		"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"e"},"Bool":{"aws:SecureTransport":true},"NumericLessThan":{"n":[1,2.5]}}}}`
	d := mustParse(t, src)
	out := d.Marshal()
	want := `{"Version":"2012-10-17","Id":"x","Statement":[{"Sid":"A1","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111111111111:root"],"Service":["config.amazonaws.com"]},"Action":["sts:AssumeRole"],"Condition":{"Bool":{"aws:SecureTransport":["true"]},"NumericLessThan":{"n":["1","2.5"]},"StringEquals":{"sts:ExternalId":["e"]}}}]}`
	if string(out) != want {
		t.Errorf("Marshal =\n%s\nwant\n%s", out, want)
	}
	again := mustParse(t, string(out))
	if string(again.Marshal()) != string(out) {
		t.Errorf("round trip not stable")
	}
}
