package terraform

import (
	"fmt"
	"testing"
)

// Ported from internal/service/organizations/delegated_services_data_source_test.go
// (setupDelegatedAdministrator; provider = aws.awsalternate for the provider's
// provider = "awsalternate").

func delegatedServicesDataSourceConfigBasic(servicePrincipal string) string {
	return fmt.Sprintf(`
data "aws_caller_identity" "delegated" {
  provider = aws.awsalternate
}

resource "aws_organizations_delegated_administrator" "delegated" {
  account_id        = data.aws_caller_identity.delegated.account_id
  service_principal = %[1]q
}

data "aws_organizations_delegated_services" "test" {
  account_id = data.aws_caller_identity.delegated.account_id

  depends_on = [aws_organizations_delegated_administrator.delegated]
}
`, servicePrincipal)
}

func delegatedServicesDataSourceConfigMultiple(servicePrincipal1, servicePrincipal2 string) string {
	return fmt.Sprintf(`
data "aws_caller_identity" "delegated" {
  provider = aws.awsalternate
}

resource "aws_organizations_delegated_administrator" "delegated" {
  account_id        = data.aws_caller_identity.delegated.account_id
  service_principal = %[1]q
}

resource "aws_organizations_delegated_administrator" "other_delegated" {
  account_id        = data.aws_caller_identity.delegated.account_id
  service_principal = %[2]q
}

data "aws_organizations_delegated_services" "test" {
  account_id = data.aws_caller_identity.delegated.account_id

  depends_on = [aws_organizations_delegated_administrator.delegated, aws_organizations_delegated_administrator.other_delegated]
}
`, servicePrincipal1, servicePrincipal2)
}

func TestOrganizationsDelegatedServicesDataSource(t *testing.T) {
	const ds = "data.aws_organizations_delegated_services.test"
	const servicePrincipal1 = "config-multiaccountsetup.amazonaws.com"
	const servicePrincipal2 = "config.amazonaws.com"
	Run(t, []Case{
		{
			Name:  "DelegatedServices/basic",
			Setup: setupDelegatedAdministrator(servicePrincipal1),
			Steps: []Step{{Config: delegatedServicesDataSourceConfigBasic(servicePrincipal1), Check: []Check{
				AttrAtLeast(ds, "delegated_services.#", 1),
			}}},
		},
		{
			Name:  "DelegatedServices/multiple",
			Setup: setupDelegatedAdministrator(servicePrincipal1, servicePrincipal2),
			Steps: []Step{{Config: delegatedServicesDataSourceConfigMultiple(servicePrincipal1, servicePrincipal2), Check: []Check{
				AttrAtLeast(ds, "delegated_services.#", 2),
			}}},
		},
	})
}
