package terraform

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
)

// Ported from internal/service/organizations/delegated_administrator_test.go.
// PreCheckAlternateAccount and PreCheckOrganizationManagementAccount: setupAlternateAccount; the
// provider's provider = "awsalternate" is provider = aws.awsalternate here (see
// AlternateProviderConfig).

const delegatedAdministratorRes = "aws_organizations_delegated_administrator.test"

func delegatedAdministratorConfigBasic(servicePrincipal string) string {
	return fmt.Sprintf(`
data "aws_caller_identity" "delegated" {
  provider = aws.awsalternate
}

resource "aws_organizations_delegated_administrator" "test" {
  account_id        = data.aws_caller_identity.delegated.account_id
  service_principal = %[1]q
}
`, servicePrincipal)
}

// setupDelegatedAdministrator is setupAlternateAccount in an organization that trusts the given
// services. AWS registers a delegated administrator only for a service with trusted access
// (ConstraintViolationException SERVICE_ACCESS_NOT_ENABLED otherwise); the organization the
// provider's maintainers run these tests in has it for AWS Config.
func setupDelegatedAdministrator(principals ...string) func(t *testing.T, e *Env) {
	return func(t *testing.T, e *Env) {
		t.Helper()
		setupAlternateAccount(t, e)
		for _, p := range principals {
			if _, err := e.Orgs.EnableAWSServiceAccess(e.Ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(p)}); err != nil {
				t.Fatalf("EnableAWSServiceAccess %s: %v", p, err)
			}
		}
	}
}

func TestOrganizationsDelegatedAdministrator(t *testing.T) {
	const servicePrincipal = "config-multiaccountsetup.amazonaws.com"
	Run(t, []Case{
		{
			Name:  "DelegatedAdministrator/basic",
			Setup: setupDelegatedAdministrator(servicePrincipal),
			Steps: []Step{{Config: delegatedAdministratorConfigBasic(servicePrincipal), Check: []Check{
				Exists(delegatedAdministratorRes),
				AttrPair(delegatedAdministratorRes, "account_id", "data.aws_caller_identity.delegated", "account_id"),
				AttrRFC3339(delegatedAdministratorRes, "delegation_enabled_date"),
				AttrRFC3339(delegatedAdministratorRes, "joined_timestamp"),
				Attr(delegatedAdministratorRes, "service_principal", servicePrincipal),
			}}},
		},
		{
			Name:  "DelegatedAdministrator/disappears",
			Setup: setupDelegatedAdministrator(servicePrincipal),
			Steps: []Step{{Config: delegatedAdministratorConfigBasic(servicePrincipal), Check: []Check{
				Exists(delegatedAdministratorRes), Disappears(delegatedAdministratorRes),
			}, ExpectNonEmptyPlan: true}},
		},
	})
}
