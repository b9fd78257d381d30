package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/orgconfig/orgconfig/tests/e2e/e2etest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgconfig/orgconfig/internal/clock"
	"github.com/orgconfig/orgconfig/internal/testserver"
)

// configSLRs are the service-linked roles trusted access for AWS Config puts in every account.
var configSLRs = []struct{ principal, role string }{
	{"config.amazonaws.com", "AWSServiceRoleForConfig"},
	{"config-multiaccountsetup.amazonaws.com", "AWSServiceRoleForConfigMultiAccountSetup"},
}

// TestTrustedAccessForConfig is the trusted-access flow end to end: an organization, three
// created accounts reached through OrganizationAccountAccessRole, trusted access for both AWS
// Config principals, the service-linked roles it makes and protects, a delegated administrator,
// and the roles becoming deletable once the account left or trusted access is off.
func TestTrustedAccessForConfig(t *testing.T) {
	testserver.Backends(t, func(t *testing.T, backend testserver.Backend) {
		testTrustedAccessForConfig(t, backend(t))
	})
}

func testTrustedAccessForConfig(t *testing.T, backend testserver.Option) {
	ctx := context.Background()
	clk := clock.NewManual(time.Now())
	srv := testserver.Start(t, backend, testserver.WithClock(clk), testserver.WithoutJobLoop())
	mgmt := srv.Config("us-east-1")
	org := organizations.NewFromConfig(mgmt)
	runJobs := func() {
		t.Helper()
		if _, err := srv.Jobs().RunDue(ctx); err != nil {
			t.Fatalf("running jobs: %v", err)
		}
	}

	if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatalf("CreateOrganization: %v", err)
	}

	// Three accounts, created asynchronously: IN_PROGRESS first, SUCCEEDED once the work ran.
	var members []string
	for i := 1; i <= 3; i++ {
		out, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{
			AccountName: aws.String(fmt.Sprintf("member-%d", i)), Email: aws.String(fmt.Sprintf("member-%d@example.com", i)),
		})
		if err != nil {
			t.Fatalf("CreateAccount: %v", err)
		}
		if out.CreateAccountStatus.State != orgtypes.CreateAccountStateInProgress {
			t.Fatalf("CreateAccount state %s, want IN_PROGRESS", out.CreateAccountStatus.State)
		}
		id := out.CreateAccountStatus.Id
		var acct string
		for poll := 0; poll < 10 && acct == ""; poll++ {
			st, err := org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: id})
			if err != nil {
				t.Fatalf("DescribeCreateAccountStatus: %v", err)
			}
			switch st.CreateAccountStatus.State {
			case orgtypes.CreateAccountStateSucceeded:
				acct = aws.ToString(st.CreateAccountStatus.AccountId)
			case orgtypes.CreateAccountStateFailed:
				t.Fatalf("account creation failed: %s", st.CreateAccountStatus.FailureReason)
			}
			runJobs()
		}
		if acct == "" {
			t.Fatal("account creation never succeeded")
		}
		members = append(members, acct)
	}

	// Reach each member the way AWS users do: assume OrganizationAccountAccessRole.
	memberCfg := map[string]aws.Config{}
	for _, acct := range members {
		out, err := sts.NewFromConfig(mgmt).AssumeRole(ctx, &sts.AssumeRoleInput{
			RoleArn: aws.String("arn:aws:iam::" + acct + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("setup"),
		})
		if err != nil {
			t.Fatalf("AssumeRole into %s: %v", acct, err)
		}
		c := out.Credentials
		cfg := srv.ConfigFor("us-east-1", aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
		id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		if want := "arn:aws:sts::" + acct + ":assumed-role/OrganizationAccountAccessRole/setup"; aws.ToString(id.Arn) != want {
			t.Fatalf("assumed identity %s, want %s", aws.ToString(id.Arn), want)
		}
		memberCfg[acct] = cfg
	}

	// Trusted access for both AWS Config principals.
	for _, p := range configSLRs {
		if _, err := org.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(p.principal)}); err != nil {
			t.Fatalf("EnableAWSServiceAccess %s: %v", p.principal, err)
		}
	}
	runJobs()

	// The service-linked roles exist in every member, trusted only by their service.
	for _, acct := range members {
		cl := iam.NewFromConfig(memberCfg[acct])
		for _, p := range configSLRs {
			out, err := cl.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(p.role)})
			if err != nil {
				t.Fatalf("%s: GetRole %s: %v", acct, p.role, err)
			}
			r := out.Role
			if aws.ToString(r.Path) != "/aws-service-role/"+p.principal+"/" ||
				aws.ToString(r.Arn) != "arn:aws:iam::"+acct+":role/aws-service-role/"+p.principal+"/"+p.role {
				t.Errorf("%s: role %s path %s arn %s", acct, p.role, aws.ToString(r.Path), aws.ToString(r.Arn))
			}
			checkServiceTrust(t, aws.ToString(r.AssumeRolePolicyDocument), p.principal)

			// Protected while trusted access is on and the account is in the organization.
			_, err = cl.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(p.role)})
			e2etest.APIError(t, err, "UnmodifiableEntity", 400)
			_, err = cl.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(p.role),
				PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`)})
			e2etest.APIError(t, err, "UnmodifiableEntity", 400)
		}
		if status := deleteSLR(t, ctx, cl, "AWSServiceRoleForConfig", runJobs); status != "FAILED" {
			t.Errorf("%s: deleting AWSServiceRoleForConfig under trusted access ended %s, want FAILED", acct, status)
		}
	}

	// A delegated administrator for AWS Config.
	if _, err := org.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{
		AccountId: aws.String(members[0]), ServicePrincipal: aws.String("config.amazonaws.com"),
	}); err != nil {
		t.Fatalf("RegisterDelegatedAdministrator: %v", err)
	}
	das, err := org.ListDelegatedAdministrators(ctx, &organizations.ListDelegatedAdministratorsInput{ServicePrincipal: aws.String("config.amazonaws.com")})
	if err != nil || len(das.DelegatedAdministrators) != 1 || aws.ToString(das.DelegatedAdministrators[0].Id) != members[0] {
		t.Fatalf("ListDelegatedAdministrators: %+v %v", das, err)
	}

	// An account that left the organization can delete its role while trusted access is on.
	leaver := members[2]
	if _, err := org.RemoveAccountFromOrganization(ctx, &organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(leaver)}); err != nil {
		t.Fatalf("RemoveAccountFromOrganization: %v", err)
	}
	if status := deleteSLR(t, ctx, iam.NewFromConfig(memberCfg[leaver]), "AWSServiceRoleForConfig", runJobs); status != "SUCCEEDED" {
		t.Errorf("deleting the role of an account that left ended %s, want SUCCEEDED", status)
	}

	// Disable trusted access: the roles become deletable in the remaining members.
	if _, err := org.DeregisterDelegatedAdministrator(ctx, &organizations.DeregisterDelegatedAdministratorInput{
		AccountId: aws.String(members[0]), ServicePrincipal: aws.String("config.amazonaws.com"),
	}); err != nil {
		t.Fatalf("DeregisterDelegatedAdministrator: %v", err)
	}
	for _, p := range configSLRs {
		if _, err := org.DisableAWSServiceAccess(ctx, &organizations.DisableAWSServiceAccessInput{ServicePrincipal: aws.String(p.principal)}); err != nil {
			t.Fatalf("DisableAWSServiceAccess %s: %v", p.principal, err)
		}
	}
	for _, acct := range members[:2] {
		cl := iam.NewFromConfig(memberCfg[acct])
		if status := deleteSLR(t, ctx, cl, "AWSServiceRoleForConfig", runJobs); status != "SUCCEEDED" {
			t.Errorf("%s: deleting AWSServiceRoleForConfig after disabling trusted access ended %s, want SUCCEEDED", acct, status)
		}
		_, err := cl.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("AWSServiceRoleForConfig")})
		e2etest.APIError(t, err, "NoSuchEntity", 404)
	}
}

// deleteSLR starts the deletion of a service-linked role and polls its status, running the
// background work between polls, until it ends. It returns the final status.
func deleteSLR(t *testing.T, ctx context.Context, cl *iam.Client, role string, runJobs func()) string {
	t.Helper()
	out, err := cl.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: aws.String(role)})
	if err != nil {
		t.Fatalf("DeleteServiceLinkedRole %s: %v", role, err)
	}
	for i := 0; i < 10; i++ {
		st, err := cl.GetServiceLinkedRoleDeletionStatus(ctx, &iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: out.DeletionTaskId})
		if err != nil {
			t.Fatalf("GetServiceLinkedRoleDeletionStatus: %v", err)
		}
		switch s := string(st.Status); s {
		case "SUCCEEDED":
			return s
		case "FAILED":
			if st.Reason == nil || aws.ToString(st.Reason.Reason) == "" {
				t.Errorf("FAILED deletion without a reason")
			}
			return s
		}
		runJobs()
	}
	t.Fatalf("deletion of %s never ended", role)
	return ""
}

// checkServiceTrust asserts a URL-encoded trust policy lets only the service assume the role.
func checkServiceTrust(t *testing.T, encoded, principal string) {
	t.Helper()
	doc, err := url.QueryUnescape(encoded)
	if err != nil {
		t.Fatalf("trust policy is not URL-encoded: %v", err)
	}
	var p struct {
		Statement []struct {
			Effect    string
			Principal map[string]any
			Action    any
		}
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		t.Fatalf("trust policy %q: %v", doc, err)
	}
	if len(p.Statement) != 1 || p.Statement[0].Effect != "Allow" || len(p.Statement[0].Principal) != 1 ||
		p.Statement[0].Principal["Service"] != principal || !strings.Contains(fmt.Sprint(p.Statement[0].Action), "sts:AssumeRole") {
		t.Errorf("trust policy %s does not trust only %s", doc, principal)
	}
}
