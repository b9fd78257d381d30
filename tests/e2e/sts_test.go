package e2e

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/orgconfig/orgconfig/tests/e2e/e2etest"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/orgconfig/orgconfig/internal/clock"
	"github.com/orgconfig/orgconfig/internal/testserver"
)

const acct = testserver.AccountID

func allowPolicy(actions ...string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["` + strings.Join(actions, `","`) + `"],"Resource":"*"}]}`
}

func assume(c *sts.Client, roleARN, session string, fns ...func(*sts.AssumeRoleInput)) (*sts.AssumeRoleOutput, error) {
	in := &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String(session)}
	for _, f := range fns {
		f(in)
	}
	return c.AssumeRole(context.Background(), in)
}

func mustAssume(t *testing.T, c *sts.Client, roleARN, session string, fns ...func(*sts.AssumeRoleInput)) *ststypes.Credentials {
	t.Helper()
	out, err := assume(c, roleARN, session, fns...)
	if err != nil {
		t.Fatalf("AssumeRole %s: %v", roleARN, err)
	}
	return out.Credentials
}

func sessionConfig(srv *testserver.Server, c *ststypes.Credentials) aws.Config {
	return srv.ConfigFor("us-east-1", aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
}

func whoAmI(t *testing.T, cfg aws.Config) *sts.GetCallerIdentityOutput {
	t.Helper()
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	return out
}

func deniedMessage(caller, roleARN string) string {
	return "User: " + caller + " is not authorized to perform: sts:AssumeRole on resource: " + roleARN
}

// testAssumeRoleSameAccount: root assumes a role that trusts its account; the session reports
// AWS's shapes and its credentials look like AWS's.
func testAssumeRoleSameAccount(t *testing.T, backend testserver.Option) {
	t0 := time.Now().UTC().Truncate(time.Second)
	srv := testserver.Start(t, backend, testserver.WithClock(clock.NewManual(t0)))
	cfg := srv.Config("us-east-1")
	iamc, stsc := iam.NewFromConfig(cfg), sts.NewFromConfig(cfg)
	roleARN := e2etest.CreateRole(t, iamc, "deployer", "/team/", e2etest.TrustPolicy(`{"AWS":"arn:aws:iam::`+acct+`:root"}`, ""), 0)

	out, err := assume(stsc, roleARN, "ci-run@1")
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	if ak := aws.ToString(c.AccessKeyId); !strings.HasPrefix(ak, "ASIA") || len(ak) != 20 {
		t.Errorf("AccessKeyId = %q, want ASIA + 16", ak)
	}
	if n := len(aws.ToString(c.SecretAccessKey)); n != 40 {
		t.Errorf("SecretAccessKey has %d characters, want 40", n)
	}
	if n := len(aws.ToString(c.SessionToken)); n < 100 {
		t.Errorf("SessionToken has %d characters", n)
	}
	if !aws.ToTime(c.Expiration).Equal(t0.Add(time.Hour)) {
		t.Errorf("Expiration = %v, want %v", aws.ToTime(c.Expiration), t0.Add(time.Hour))
	}
	wantARN := "arn:aws:sts::" + acct + ":assumed-role/deployer/ci-run@1"
	if got := aws.ToString(out.AssumedRoleUser.Arn); got != wantARN {
		t.Errorf("AssumedRoleUser.Arn = %s, want %s", got, wantARN)
	}
	if id := aws.ToString(out.AssumedRoleUser.AssumedRoleId); !strings.HasPrefix(id, "AROA") || !strings.HasSuffix(id, ":ci-run@1") {
		t.Errorf("AssumedRoleId = %s", id)
	}
	if out.PackedPolicySize != nil {
		t.Errorf("PackedPolicySize = %d without session policies", *out.PackedPolicySize)
	}

	who := whoAmI(t, sessionConfig(srv, c))
	if aws.ToString(who.Arn) != wantARN || aws.ToString(who.Account) != acct || aws.ToString(who.UserId) != aws.ToString(out.AssumedRoleUser.AssumedRoleId) {
		t.Errorf("GetCallerIdentity = %s %s %s", aws.ToString(who.Arn), aws.ToString(who.Account), aws.ToString(who.UserId))
	}

	// Without its session token the key is refused.
	noToken := srv.ConfigFor("us-east-1", aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), "")
	_, err = sts.NewFromConfig(noToken).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	e2etest.APIError(t, err, "InvalidClientTokenId", 403)
}

// testAssumeRoleDenied: a trust policy that excludes the caller, and a role that does not
// exist, both answer AccessDenied (403) with AWS's message.
func testAssumeRoleDenied(t *testing.T, backend testserver.Option) {
	srv := testserver.Start(t, backend)
	cfg := srv.Config("us-east-1")
	iamc, stsc := iam.NewFromConfig(cfg), sts.NewFromConfig(cfg)
	caller := "arn:aws:iam::" + acct + ":root"

	other := e2etest.CreateRole(t, iamc, "other-account-only", "", e2etest.TrustPolicy(`{"AWS":"222222222222"}`, ""), 0)
	_, err := assume(stsc, other, "s1")
	if ae := e2etest.APIError(t, err, "AccessDenied", 403); ae.ErrorMessage() != deniedMessage(caller, other) {
		t.Errorf("message = %q, want %q", ae.ErrorMessage(), deniedMessage(caller, other))
	}

	svc := e2etest.CreateRole(t, iamc, "service-only", "", e2etest.TrustPolicy(`{"Service":"config.amazonaws.com"}`, ""), 0)
	_, err = assume(stsc, svc, "s1")
	e2etest.APIError(t, err, "AccessDenied", 403)

	denyAll := e2etest.CreateRole(t, iamc, "explicit-deny", "", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"`+acct+`"},"Action":"sts:AssumeRole"},
		{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole"}]}`, 0)
	_, err = assume(stsc, denyAll, "s1")
	e2etest.APIError(t, err, "AccessDenied", 403)

	missing := "arn:aws:iam::" + acct + ":role/does-not-exist"
	_, err = assume(stsc, missing, "s1")
	if ae := e2etest.APIError(t, err, "AccessDenied", 403); ae.ErrorMessage() != deniedMessage(caller, missing) {
		t.Errorf("message = %q", ae.ErrorMessage())
	}

	// Session name constraints.
	ok := e2etest.CreateRole(t, iamc, "ok", "", e2etest.TrustPolicy(`{"AWS":"`+acct+`"}`, ""), 0)
	_, err = assume(stsc, ok, "x")
	e2etest.APIError(t, err, "ValidationError", 400)
	_, err = assume(stsc, ok, "has space")
	e2etest.APIError(t, err, "ValidationError", 400)
}

// testAssumeRoleExternalID: a trust policy's sts:ExternalId condition is checked against the
// request's ExternalId.
func testAssumeRoleExternalID(t *testing.T, backend testserver.Option) {
	srv := testserver.Start(t, backend)
	cfg := srv.Config("us-east-1")
	stsc := sts.NewFromConfig(cfg)
	role := e2etest.CreateRole(t, iam.NewFromConfig(cfg), "third-party", "",
		e2etest.TrustPolicy(`{"AWS":"arn:aws:iam::`+acct+`:root"}`, `{"StringEquals":{"sts:ExternalId":"Unique-1234"}}`), 0)
	withID := func(id string) func(*sts.AssumeRoleInput) {
		return func(in *sts.AssumeRoleInput) { in.ExternalId = aws.String(id) }
	}
	_, err := assume(stsc, role, "s1")
	e2etest.APIError(t, err, "AccessDenied", 403)
	_, err = assume(stsc, role, "s1", withID("unique-1234"))
	e2etest.APIError(t, err, "AccessDenied", 403)
	mustAssume(t, stsc, role, "s1", withID("Unique-1234"))
}

// testAssumeRoleDuration: DurationSeconds is bounded by the role's MaxSessionDuration and, for
// role chaining, by one hour.
func testAssumeRoleDuration(t *testing.T, backend testserver.Option) {
	t0 := time.Now().UTC().Truncate(time.Second)
	srv := testserver.Start(t, backend, testserver.WithClock(clock.NewManual(t0)))
	cfg := srv.Config("us-east-1")
	iamc, stsc := iam.NewFromConfig(cfg), sts.NewFromConfig(cfg)
	trust := e2etest.TrustPolicy(`{"AWS":"arn:aws:iam::`+acct+`:root"}`, "")
	short := e2etest.CreateRole(t, iamc, "short", "", trust, 0)
	long := e2etest.CreateRole(t, iamc, "long", "", trust, 4*3600)
	dur := func(d int32) func(*sts.AssumeRoleInput) {
		return func(in *sts.AssumeRoleInput) { in.DurationSeconds = aws.Int32(d) }
	}

	_, err := assume(stsc, short, "s1", dur(3601))
	ae := e2etest.APIError(t, err, "ValidationError", 400)
	if want := "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."; ae.ErrorMessage() != want {
		t.Errorf("message = %q, want %q", ae.ErrorMessage(), want)
	}
	c := mustAssume(t, stsc, long, "s1", dur(4*3600))
	if !aws.ToTime(c.Expiration).Equal(t0.Add(4 * time.Hour)) {
		t.Errorf("Expiration = %v", aws.ToTime(c.Expiration))
	}
	_, err = assume(stsc, long, "s1", dur(899))
	e2etest.APIError(t, err, "ValidationError", 400)

	// Role chaining: the "long" session assumes "short" (its identity policy allows it, as the
	// trust policy names only the account) for at most one hour.
	if _, err := iamc.PutRolePolicy(context.Background(), &iam.PutRolePolicyInput{RoleName: aws.String("long"),
		PolicyName: aws.String("chain"), PolicyDocument: aws.String(allowPolicy("sts:AssumeRole"))}); err != nil {
		t.Fatal(err)
	}
	chained := sts.NewFromConfig(sessionConfig(srv, c))
	_, err = assume(chained, long, "again", dur(7200))
	ae = e2etest.APIError(t, err, "ValidationError", 400)
	if !strings.Contains(ae.ErrorMessage(), "role chaining") {
		t.Errorf("message = %q", ae.ErrorMessage())
	}
	c2 := mustAssume(t, chained, short, "chained")
	if got := aws.ToString(whoAmI(t, sessionConfig(srv, c2)).Arn); got != "arn:aws:sts::"+acct+":assumed-role/short/chained" {
		t.Errorf("chained session ARN = %s", got)
	}
}

// clockSigner signs with the server's manual clock, so that requests stay within the allowed
// skew while the test moves time forward.
type clockSigner struct {
	*v4.Signer
	clk *clock.Manual
}

func (s clockSigner) SignHTTP(ctx context.Context, c aws.Credentials, r *http.Request, hash, service, region string, _ time.Time, fns ...func(*v4.SignerOptions)) error {
	return s.Signer.SignHTTP(ctx, c, r, hash, service, region, s.clk.Now(), fns...)
}

// testExpiredSession: once the clock passes a session's Expiration its credentials are refused
// with ExpiredToken (Query) / ExpiredTokenException (JSON).
func testExpiredSession(t *testing.T, backend testserver.Option) {
	clk := clock.NewManual(time.Now().UTC().Truncate(time.Second))
	srv := testserver.Start(t, backend, testserver.WithClock(clk))
	cfg := srv.Config("us-east-1")
	role := e2etest.CreateRole(t, iam.NewFromConfig(cfg), "brief", "", e2etest.TrustPolicy(`{"AWS":"`+acct+`"}`, ""), 0)
	c := mustAssume(t, sts.NewFromConfig(cfg), role, "s1", func(in *sts.AssumeRoleInput) { in.DurationSeconds = aws.Int32(900) })
	scfg := sessionConfig(srv, c)
	signer := clockSigner{Signer: v4.NewSigner(), clk: clk}
	stsc := sts.NewFromConfig(scfg, func(o *sts.Options) { o.HTTPSignerV4 = signer })
	cfgc := configservice.NewFromConfig(scfg, func(o *configservice.Options) { o.HTTPSignerV4 = signer })
	ctx := context.Background()

	clk.Advance(899 * time.Second)
	if _, err := stsc.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("before expiry: %v", err)
	}
	clk.Advance(time.Second)
	_, err := stsc.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	e2etest.APIError(t, err, "ExpiredToken", 0)
	_, err = cfgc.DescribeConfigurationAggregators(ctx, &configservice.DescribeConfigurationAggregatorsInput{})
	e2etest.APIError(t, err, "ExpiredTokenException", 400)
}

// testUserPermissions: an IAM user is held to its identity policies on every call.
func testUserPermissions(t *testing.T, backend testserver.Option) {
	srv := testserver.Start(t, backend)
	ctx := context.Background()
	cfg := srv.Config("us-east-1")
	iamc := iam.NewFromConfig(cfg)
	if _, err := iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob"), Path: aws.String("/ops/")}); err != nil {
		t.Fatal(err)
	}
	key, err := iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")})
	if err != nil {
		t.Fatal(err)
	}
	bob := srv.ConfigFor("us-east-1", aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey), "")
	bobARN := "arn:aws:iam::" + acct + ":user/ops/bob"

	// GetCallerIdentity needs no permission.
	who := whoAmI(t, bob)
	if aws.ToString(who.Arn) != bobARN || !strings.HasPrefix(aws.ToString(who.UserId), "AIDA") {
		t.Errorf("GetCallerIdentity = %s %s", aws.ToString(who.Arn), aws.ToString(who.UserId))
	}

	orgc := organizations.NewFromConfig(bob)
	_, err = orgc.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	ae := e2etest.APIError(t, err, "AccessDeniedException", 400)
	want := "User: " + bobARN + " is not authorized to perform: organizations:DescribeOrganization on resource: * because no identity-based policy allows the organizations:DescribeOrganization action"
	if ae.ErrorMessage() != want {
		t.Errorf("message = %q, want %q", ae.ErrorMessage(), want)
	}
	_, err = iam.NewFromConfig(bob).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("any")})
	ae = e2etest.APIError(t, err, "AccessDenied", 403)
	if !strings.Contains(ae.ErrorMessage(), "iam:GetRole on resource: arn:aws:iam::"+acct+":role/any ") {
		t.Errorf("message = %q", ae.ErrorMessage())
	}

	put := func(name, doc string) {
		t.Helper()
		if _, err := iamc.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	put("orgs-read", allowPolicy("organizations:Describe*", "iam:Get*"))
	_, err = orgc.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if ae, ok := err.(smithy.APIError); ok && ae.ErrorCode() == "AccessDeniedException" || err != nil && strings.Contains(err.Error(), "AccessDenied") {
		t.Fatalf("allowed call still denied: %v", err)
	}
	_, err = iam.NewFromConfig(bob).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("any")})
	e2etest.APIError(t, err, "NoSuchEntity", 404)

	// An explicit Deny wins.
	put("no-orgs", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:*","Resource":"*"}]}`)
	_, err = orgc.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	ae = e2etest.APIError(t, err, "AccessDeniedException", 400)
	if !strings.HasSuffix(ae.ErrorMessage(), "with an explicit deny in an identity-based policy") {
		t.Errorf("message = %q", ae.ErrorMessage())
	}

	// A trust policy naming only the account needs the user's identity policy to allow
	// sts:AssumeRole; one naming the user itself does not.
	byAccount := e2etest.CreateRole(t, iamc, "by-account", "", e2etest.TrustPolicy(`{"AWS":"arn:aws:iam::`+acct+`:root"}`, ""), 0)
	byUser := e2etest.CreateRole(t, iamc, "by-user", "", e2etest.TrustPolicy(`{"AWS":"`+bobARN+`"}`, ""), 0)
	bobSTS := sts.NewFromConfig(bob)
	_, err = assume(bobSTS, byAccount, "s1")
	if ae := e2etest.APIError(t, err, "AccessDenied", 403); ae.ErrorMessage() != deniedMessage(bobARN, byAccount) {
		t.Errorf("message = %q", ae.ErrorMessage())
	}
	mustAssume(t, bobSTS, byUser, "s1")
	put("assume", allowPolicy("sts:AssumeRole"))
	c := mustAssume(t, bobSTS, byAccount, "s1")

	// The session has the role's permissions (none), not the user's.
	_, err = organizations.NewFromConfig(sessionConfig(srv, c)).ListAccounts(ctx, &organizations.ListAccountsInput{})
	ae = e2etest.APIError(t, err, "AccessDeniedException", 400)
	if !strings.HasPrefix(ae.ErrorMessage(), "User: arn:aws:sts::"+acct+":assumed-role/by-account/s1 is not authorized") {
		t.Errorf("message = %q", ae.ErrorMessage())
	}

	// GetSessionToken: a user's session acts as the user; sessions cannot call it.
	tok, err := bobSTS.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(whoAmI(t, sessionConfig(srv, tok.Credentials)).Arn); got != bobARN {
		t.Errorf("GetSessionToken session ARN = %s", got)
	}
	_, err = sts.NewFromConfig(sessionConfig(srv, c)).GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	e2etest.APIError(t, err, "AccessDenied", 403)
}

// testSessionPolicies: a session may do only what both the role's policies and the session
// policy allow.
func testSessionPolicies(t *testing.T, backend testserver.Option) {
	srv := testserver.Start(t, backend)
	ctx := context.Background()
	cfg := srv.Config("us-east-1")
	iamc := iam.NewFromConfig(cfg)
	role := e2etest.CreateRole(t, iamc, "admin", "", e2etest.TrustPolicy(`{"AWS":"`+acct+`"}`, ""), 0)
	if _, err := iamc.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("admin"), PolicyName: aws.String("all"),
		PolicyDocument: aws.String(allowPolicy("*"))}); err != nil {
		t.Fatal(err)
	}
	_, err := assume(sts.NewFromConfig(cfg), role, "s1", func(in *sts.AssumeRoleInput) { in.Policy = aws.String("{not json") })
	e2etest.APIError(t, err, "MalformedPolicyDocument", 400)

	out, err := assume(sts.NewFromConfig(cfg), role, "s1", func(in *sts.AssumeRoleInput) { in.Policy = aws.String(allowPolicy("iam:GetRole")) })
	if err != nil {
		t.Fatal(err)
	}
	if out.PackedPolicySize == nil || *out.PackedPolicySize <= 0 || *out.PackedPolicySize > 100 {
		t.Errorf("PackedPolicySize = %v", out.PackedPolicySize)
	}
	sess := iam.NewFromConfig(sessionConfig(srv, out.Credentials))
	if _, err := sess.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("admin")}); err != nil {
		t.Fatalf("GetRole allowed by both: %v", err)
	}
	_, err = sess.ListRoles(ctx, &iam.ListRolesInput{})
	ae := e2etest.APIError(t, err, "AccessDenied", 403)
	if !strings.HasSuffix(ae.ErrorMessage(), "because no session policy allows the iam:ListRoles action") {
		t.Errorf("message = %q", ae.ErrorMessage())
	}
}

// testGetSessionTokenRoot: root's session token acts as root, for at most an hour.
func testGetSessionTokenRoot(t *testing.T, backend testserver.Option) {
	t0 := time.Now().UTC().Truncate(time.Second)
	srv := testserver.Start(t, backend, testserver.WithClock(clock.NewManual(t0)))
	out, err := sts.NewFromConfig(srv.Config("us-east-1")).GetSessionToken(context.Background(), &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(7200)})
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToTime(out.Credentials.Expiration).Equal(t0.Add(time.Hour)) {
		t.Errorf("root session Expiration = %v, want one hour", aws.ToTime(out.Credentials.Expiration))
	}
	if got := aws.ToString(whoAmI(t, sessionConfig(srv, out.Credentials)).Arn); got != "arn:aws:iam::"+acct+":root" {
		t.Errorf("ARN = %s", got)
	}
}

// testSCPDeniesConfig: an SCP denying config:* binds every principal of a member account,
// including the management account's root acting through OrganizationAccountAccessRole, but
// not the management account.
func testSCPDeniesConfig(t *testing.T, backend testserver.Option) {
	srv := testserver.Start(t, backend)
	ctx := context.Background()
	cfg := srv.Config("us-east-1")
	orgc := organizations.NewFromConfig(cfg)
	if _, err := orgc.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		if ae, ok := err.(smithy.APIError); ok && ae.ErrorCode() == "NotImplementedException" || strings.Contains(err.Error(), "NotImplemented") {
			t.Skip("Organizations is not implemented yet")
		}
		t.Fatal(err)
	}
	created, err := orgc.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("member"), Email: aws.String("member@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	var member string
	for i := 0; i < 200 && member == ""; i++ {
		st, err := orgc.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: created.CreateAccountStatus.Id})
		if err != nil {
			t.Fatal(err)
		}
		switch st.CreateAccountStatus.State {
		case orgtypes.CreateAccountStateSucceeded:
			member = aws.ToString(st.CreateAccountStatus.AccountId)
		case orgtypes.CreateAccountStateFailed:
			t.Fatalf("CreateAccount failed: %s", st.CreateAccountStatus.FailureReason)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if member == "" {
		t.Fatal("CreateAccount did not finish")
	}
	roots, err := orgc.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	rootID := roots.Roots[0].Id
	// Organizations created with all features may have SCPs enabled already.
	var already *orgtypes.PolicyTypeAlreadyEnabledException
	if _, err := orgc.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: rootID, PolicyType: orgtypes.PolicyTypeServiceControlPolicy}); err != nil && !errors.As(err, &already) {
		t.Fatal(err)
	}
	pol, err := orgc.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("no-config"), Description: aws.String("d"),
		Type:    orgtypes.PolicyTypeServiceControlPolicy,
		Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"config:*","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := orgc.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: pol.Policy.PolicySummary.Id, TargetId: aws.String(member)}); err != nil {
		t.Fatal(err)
	}

	roleARN := "arn:aws:iam::" + member + ":role/OrganizationAccountAccessRole"
	c := mustAssume(t, sts.NewFromConfig(cfg), roleARN, "admin")
	mcfg := sessionConfig(srv, c)
	_, err = configservice.NewFromConfig(mcfg).DescribeConfigurationAggregators(ctx, &configservice.DescribeConfigurationAggregatorsInput{})
	ae := e2etest.APIError(t, err, "AccessDeniedException", 400)
	want := "User: arn:aws:sts::" + member + ":assumed-role/OrganizationAccountAccessRole/admin is not authorized to perform: config:DescribeConfigurationAggregators on resource: * with an explicit deny in a service control policy"
	if ae.ErrorMessage() != want {
		t.Errorf("message = %q, want %q", ae.ErrorMessage(), want)
	}
	// Other services stay allowed (FullAWSAccess at the root), and GetCallerIdentity always.
	whoAmI(t, mcfg)
	if _, err := iam.NewFromConfig(mcfg).ListRoles(ctx, &iam.ListRolesInput{}); err != nil {
		t.Errorf("ListRoles in the member: %v", err)
	}
	// The management account is never bound by SCPs.
	_, err = configservice.NewFromConfig(cfg).DescribeConfigurationAggregators(ctx, &configservice.DescribeConfigurationAggregatorsInput{})
	if err != nil && strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("management account denied: %v", err)
	}
}

// TestSTS runs the STS and authorization suite on both store backends.
func TestSTS(t *testing.T) {
	testserver.Backends(t, func(t *testing.T, backend testserver.Backend) {
		for _, c := range []struct {
			name string
			fn   func(*testing.T, testserver.Option)
		}{
			{"AssumeRoleSameAccount", testAssumeRoleSameAccount},
			{"AssumeRoleDenied", testAssumeRoleDenied},
			{"AssumeRoleExternalID", testAssumeRoleExternalID},
			{"AssumeRoleDuration", testAssumeRoleDuration},
			{"ExpiredSession", testExpiredSession},
			{"UserPermissions", testUserPermissions},
			{"SessionPolicies", testSessionPolicies},
			{"GetSessionTokenRoot", testGetSessionTokenRoot},
			{"SCPDeniesConfig", testSCPDeniesConfig},
		} {
			t.Run(c.name, func(t *testing.T) { c.fn(t, backend(t)) })
		}
	})
}
