package terraform

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// The provider's PreCheck functions about organizations, and its second ("alternate") account,
// as Case.Setup functions.
//
// The provider's tests expect these accounts to exist before they run: a management account of
// an existing organization (PreCheckOrganizationManagementAccount, PreCheckOrganizationsEnabled),
// an alternate account reached through a second provider
// (PreCheckAlternateAccount with ConfigAlternateAccountProvider), or a member account as the
// provider's own account (PreCheckOrganizationMemberAccount). Here they are made through the API
// before the first step: the bootstrap account creates an organization with all features, a
// member account comes from CreateAccount, and its credentials from sts:AssumeRole of
// OrganizationAccountAccessRole from the management account, as an administrator would get them.
// The alternate account's provider is the alias aws.awsalternate (see AlternateProviderConfig).

// setupManagementAccount makes the provider's account the management account of an
// organization with all features (PreCheckOrganizationManagementAccount).
func setupManagementAccount(t *testing.T, e *Env) {
	t.Helper()
	_, err := e.Orgs.CreateOrganization(e.Ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
	if err != nil {
		t.Fatalf("CreateOrganization: %v", err)
	}
}

// setupAlternateAccount is setupManagementAccount with a member account reached through the
// aws.awsalternate provider (PreCheckAlternateAccount with ProtoV5FactoriesAlternate).
func setupAlternateAccount(t *testing.T, e *Env) {
	t.Helper()
	setupManagementAccount(t, e)
	e.UseAlternateAccount(e.CreateMemberAccount("alternate"))
}

// setupMemberAccount makes the provider run as a member account of an organization
// (PreCheckOrganizationMemberAccount).
func setupMemberAccount(t *testing.T, e *Env) {
	t.Helper()
	setupManagementAccount(t, e)
	e.RunAsMember(e.CreateMemberAccount("member"))
}

// CreateMemberAccount creates an account in the caller's organization with CreateAccount and
// waits for the request to succeed; it returns the account's ID.
func (e *Env) CreateMemberAccount(name string) string {
	t := e.T
	t.Helper()
	out, err := e.Orgs.CreateAccount(e.Ctx, &organizations.CreateAccountInput{
		AccountName: aws.String(name), Email: aws.String(fmt.Sprintf("%s+%d@example.com", name, rand.Int64N(1<<40))),
	})
	if err != nil {
		t.Fatalf("CreateAccount %s: %v", name, err)
	}
	id := out.CreateAccountStatus.Id
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		st, err := e.Orgs.DescribeCreateAccountStatus(e.Ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: id})
		if err != nil {
			t.Fatalf("DescribeCreateAccountStatus: %v", err)
		}
		switch s := st.CreateAccountStatus; s.State {
		case orgtypes.CreateAccountStateSucceeded:
			return aws.ToString(s.AccountId)
		case orgtypes.CreateAccountStateFailed:
			t.Fatalf("CreateAccount %s failed: %s", name, s.FailureReason)
		}
	}
	t.Fatalf("CreateAccount %s did not finish", name)
	return ""
}

// MemberCredentials returns temporary credentials of OrganizationAccountAccessRole in a member
// account, assumed from the management account.
func (e *Env) MemberCredentials(account string) aws.Credentials {
	t := e.T
	t.Helper()
	out, err := sts.NewFromConfig(e.Srv.Config(Region)).AssumeRole(e.Ctx, &sts.AssumeRoleInput{
		RoleArn:         aws.String("arn:aws:iam::" + account + ":role/OrganizationAccountAccessRole"),
		RoleSessionName: aws.String("terraform"),
		DurationSeconds: aws.Int32(3600),
	})
	if err != nil {
		t.Fatalf("AssumeRole into %s: %v", account, err)
	}
	c := out.Credentials
	return aws.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey),
		SessionToken: aws.ToString(c.SessionToken)}
}

// AlternateProviderConfig is the provider block of ConfigAlternateAccountProvider, with the
// given credentials and the endpoints of ProviderConfig.
//
// The provider test framework serves the alternate account's provider under a provider name of
// its own, "awsalternate", that it attaches to the running provider; the real terraform would
// look "hashicorp/awsalternate" up in the registry, and declaring it as a second local name of
// hashicorp/aws would make both blocks configure the same provider. So the alternate account's
// provider is an alias of "aws", and the ported configurations say provider = aws.awsalternate
// where the provider's say provider = "awsalternate".
func (e *Env) AlternateProviderConfig(c aws.Credentials) string {
	return fmt.Sprintf(`
provider "aws" {
  alias                   = "awsalternate"
  region                  = %q
  access_key              = %q
  secret_key              = %q
  token                   = %q
  skip_metadata_api_check = true

  endpoints {
    configservice = %q
    iam           = %q
    organizations = %q
    sts           = %q
  }
}
`, Region, c.AccessKeyID, c.SecretAccessKey, c.SessionToken, e.Srv.Endpoint, e.Srv.Endpoint, e.Srv.Endpoint, e.Srv.Endpoint)
}

// UseAlternateAccount adds the alternate account's provider, as account, to every step's
// configuration (in a file of its own beside the harness's provider.tf and main.tf).
func (e *Env) UseAlternateAccount(account string) {
	e.writeFile("alternate.tf", e.AlternateProviderConfig(e.MemberCredentials(account)))
}

// RunAsMember makes the provider "aws" run as a member account: an override file replaces the
// credentials of ProviderConfig's block with the member's.
func (e *Env) RunAsMember(account string) {
	c := e.MemberCredentials(account)
	e.writeFile("member_override.tf", fmt.Sprintf(`provider "aws" {
  access_key = %q
  secret_key = %q
  token      = %q
}
`, c.AccessKeyID, c.SecretAccessKey, c.SessionToken))
}

func (e *Env) writeFile(name, content string) {
	if err := os.WriteFile(filepath.Join(e.Dir, name), []byte(content), 0o600); err != nil {
		e.T.Fatal(err)
	}
}

// orgsRandomName is sdkacctest.RandomWithPrefix(acctest.ResourcePrefix).
func orgsRandomName() string {
	return fmt.Sprintf("tf-acc-test-%d", rand.Int64N(1<<62))
}
