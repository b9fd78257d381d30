package authz

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/call"
	"github.com/orgconfig/orgconfig/internal/clock"
	"github.com/orgconfig/orgconfig/internal/iam"
	"github.com/orgconfig/orgconfig/internal/identity"
	"github.com/orgconfig/orgconfig/internal/ids"
	"github.com/orgconfig/orgconfig/internal/jobs"
	"github.com/orgconfig/orgconfig/internal/organizations"
	"github.com/orgconfig/orgconfig/internal/policy"
	"github.com/orgconfig/orgconfig/internal/store"
	"github.com/orgconfig/orgconfig/internal/store/sqlite"
)

const acct = "111111111111"

type fixture struct {
	st  store.Store
	iam *iam.Service
	az  *Authorizer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := clock.NewManual(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	g := ids.NewSeeded(1)
	dir := identity.NewDirectory(st, clk, g, nil)
	runner := jobs.New(st, jobs.Options{})
	iamSvc := iam.New(st, clk, g, dir, runner)
	orgs := organizations.New(st, clk, g, dir, iamSvc, runner)
	return &fixture{st: st, iam: iamSvc, az: New(st, iamSvc, orgs)}
}

func (f *fixture) role(t *testing.T, name, path string, inline map[string]string) *iam.Role {
	t.Helper()
	var r *iam.Role
	err := f.st.Write(context.Background(), func(tx store.Tx) error {
		var err error
		r, err = f.iam.CreateRoleTx(tx, acct, iam.RoleSpec{Name: name, Path: path, InlinePolicies: inline,
			AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + acct + `"},"Action":"sts:AssumeRole"}]}`})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func session(r *iam.Role, akid string) *identity.Principal {
	return &identity.Principal{Account: r.Account, Type: identity.AssumedRole, ARN: "arn:aws:sts::" + r.Account + ":assumed-role/" + r.Name + "/s1",
		UserID: r.RoleID + ":s1", AccessKeyID: akid, Name: r.Name, RoleARN: r.ARN, SessionName: "s1", Expiration: time.Now().Add(time.Hour)}
}

func info(p *identity.Principal) *call.Info {
	return &call.Info{Principal: p, Region: "eu-west-1", Time: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func TestAuthorize(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r := f.role(t, "reader", "/team/", map[string]string{
		"read": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["config:Describe*","iam:GetRole"],"Resource":"*"},
			{"Effect":"Deny","Action":"iam:GetRole","Resource":"arn:aws:iam::*:role/team/secret"},
			{"Effect":"Allow","Action":"config:PutConfigRule","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}}]}`,
	})
	f.role(t, "secret", "/team/", nil)
	p := session(r, "ASIAAAAAAAAAAAAAAAAA")

	for _, c := range []struct {
		principal     *identity.Principal
		service, op   string
		input         string
		wantDenied    string // "" = allowed; else a substring of the message
		wantQueryCode string
	}{
		{nil, "sts", "GetCallerIdentity", ``, "", ""},
		{p, "sts", "GetCallerIdentity", ``, "", ""},
		{identity.RootPrincipal(acct), "config", "PutConfigRule", `{}`, "", ""},
		{p, "config", "DescribeConfigRules", `{}`, "", ""},
		{p, "config", "PutConfigRule", `{}`, "User: " + p.ARN + " is not authorized to perform: config:PutConfigRule on resource: * because no identity-based policy allows the config:PutConfigRule action", "AccessDenied"},
		{p, "iam", "GetRole", `{"RoleName":"reader"}`, "", ""},
		{p, "iam", "GetRole", `{"RoleName":"SECRET"}`, "iam:GetRole on resource: arn:aws:iam::" + acct + ":role/team/secret with an explicit deny in an identity-based policy", ""},
		{p, "iam", "ListRoles", `{}`, "because no identity-based policy allows the iam:ListRoles action", ""},
		{p, "sts", "AssumeRole", `{"RoleArn":"arn:aws:iam::1:role/x"}`, "", ""},
		{p, "sts", "GetSessionToken", `{}`, "", ""},
	} {
		err := f.az.Authorize(ctx, info(c.principal), c.service, c.op, []byte(c.input))
		if c.wantDenied == "" {
			if err != nil {
				t.Errorf("%s:%s: %v, want allowed", c.service, c.op, err)
			}
			continue
		}
		e := awsproto.AsError(err)
		if e == nil {
			t.Errorf("%s:%s: %v, want AccessDenied", c.service, c.op, err)
			continue
		}
		if code, status := e.For(awsproto.JSON); code != "AccessDeniedException" || status != 400 {
			t.Errorf("%s:%s: JSON %s %d", c.service, c.op, code, status)
		}
		if code, status := e.For(awsproto.Query); code != "AccessDenied" || status != 403 {
			t.Errorf("%s:%s: Query %s %d", c.service, c.op, code, status)
		}
		if !strings.Contains(e.Message, c.wantDenied) {
			t.Errorf("%s:%s: message %q, want %q", c.service, c.op, e.Message, c.wantDenied)
		}
	}

	// Session policies narrow the role's permissions.
	if err := f.st.Write(ctx, func(tx store.Tx) error {
		return PutSessionPoliciesTx(tx, p.AccessKeyID, &SessionPolicies{Documents: []string{
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}`}})
	}); err != nil {
		t.Fatal(err)
	}
	if err := f.az.Authorize(ctx, info(p), "iam", "GetRole", []byte(`{"RoleName":"reader"}`)); err != nil {
		t.Errorf("GetRole with session policy: %v", err)
	}
	err := f.az.Authorize(ctx, info(p), "config", "DescribeConfigRules", []byte(`{}`))
	if e := awsproto.AsError(err); e == nil || !strings.HasSuffix(e.Message, "because no session policy allows the config:DescribeConfigRules action") {
		t.Errorf("DescribeConfigRules outside the session policy: %v", err)
	}
	// Unresolvable managed session policies grant nothing.
	if err := f.st.Write(ctx, func(tx store.Tx) error {
		return PutSessionPoliciesTx(tx, "ASIABBBBBBBBBBBBBBBB", &SessionPolicies{ARNs: []string{"arn:aws:iam::aws:policy/Nope"}})
	}); err != nil {
		t.Fatal(err)
	}
	if err := f.az.Authorize(ctx, info(session(r, "ASIABBBBBBBBBBBBBBBB")), "config", "DescribeConfigRules", []byte(`{}`)); err == nil {
		t.Error("unresolvable session policy ARN granted access")
	}
}

func TestRequestContext(t *testing.T) {
	u := &identity.Principal{Account: acct, Type: identity.User, ARN: "arn:aws:iam::" + acct + ":user/ops/bob", UserID: "AIDAX", Name: "bob"}
	ctx := RequestContext(info(u), "config")
	for k, want := range map[string]string{
		"aws:PrincipalAccount": acct, "aws:PrincipalType": "User", "aws:username": "bob", "aws:userid": "AIDAX",
		"aws:PrincipalArn": u.ARN, "aws:RequestedRegion": "eu-west-1", "aws:CurrentTime": "2026-03-01T12:00:00Z",
	} {
		if v, ok := ctx.Get(k); !ok || len(v) != 1 || v[0] != want {
			t.Errorf("%s = %v, want %s", k, v, want)
		}
	}
	if _, ok := ctx.Get("aws:MultiFactorAuthPresent"); ok {
		t.Error("aws:MultiFactorAuthPresent set for long-term credentials")
	}
	if v, _ := RequestContext(info(u), "iam").Get("aws:RequestedRegion"); v[0] != "us-east-1" {
		t.Errorf("IAM RequestedRegion = %v", v)
	}
	s := &identity.Principal{Account: acct, Type: identity.AssumedRole, ARN: "arn:aws:sts::" + acct + ":assumed-role/r/s", RoleARN: "arn:aws:iam::" + acct + ":role/p/r"}
	ctx = RequestContext(info(s), "sts")
	if v, _ := ctx.Get("aws:PrincipalArn"); v[0] != s.RoleARN {
		t.Errorf("session aws:PrincipalArn = %v, want the role ARN", v)
	}
	if v, _ := ctx.Get("aws:MultiFactorAuthPresent"); len(v) != 1 || v[0] != "false" {
		t.Errorf("session aws:MultiFactorAuthPresent = %v", v)
	}
}

func TestServiceLinkedSession(t *testing.T) {
	slr := &identity.Principal{Type: identity.AssumedRole, RoleARN: "arn:aws:iam::" + acct + ":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"}
	if !isServiceLinkedSession(slr) {
		t.Error("SLR session not recognized")
	}
	if isServiceLinkedSession(&identity.Principal{Type: identity.AssumedRole, RoleARN: "arn:aws:iam::" + acct + ":role/aws-service-role-lookalike"}) {
		t.Error("ordinary role taken for an SLR")
	}
}

func TestDeniedWording(t *testing.T) {
	p := &identity.Principal{ARN: "arn:aws:iam::" + acct + ":user/u"}
	if got := Denied(p, "config:X", "*", policy.ExplicitDeny, "service control policy").Message; got != "User: arn:aws:iam::"+acct+":user/u is not authorized to perform: config:X on resource: * with an explicit deny in a service control policy" {
		t.Errorf("explicit SCP: %q", got)
	}
	if got := Denied(p, "config:X", "*", policy.ImplicitDeny, "service control policy").Message; !strings.HasSuffix(got, "because no service control policy allows the config:X action") {
		t.Errorf("implicit SCP: %q", got)
	}
}
