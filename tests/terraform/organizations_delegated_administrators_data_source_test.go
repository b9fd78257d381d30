package terraform

import (
	"fmt"
	"testing"
)

// Ported from internal/service/organizations/delegated_administrators_data_source_test.go
// (setupDelegatedAdministrator; provider = aws.awsalternate for the provider's
// provider = "awsalternate").

func delegatedAdministratorsDataSourceConfigBasic(servicePrincipal string) string {
	return fmt.Sprintf(`
data "aws_caller_identity" "delegated" {
  provider = aws.awsalternate
}

resource "aws_organizations_delegated_administrator" "test" {
  account_id        = data.aws_caller_identity.delegated.account_id
  service_principal = %[1]q
}

data "aws_organizations_delegated_administrators" "test" {
  depends_on = [aws_organizations_delegated_administrator.test]
}
`, servicePrincipal)
}

func TestOrganizationsDelegatedAdministratorsDataSource(t *testing.T) {
	const servicePrincipal = "config-multiaccountsetup.amazonaws.com"
	Run(t, []Case{{
		Name:  "DelegatedAdministrators/basic",
		Setup: setupDelegatedAdministrator(servicePrincipal),
		Steps: []Step{{Config: delegatedAdministratorsDataSourceConfigBasic(servicePrincipal), Check: []Check{
			AttrAtLeast("data.aws_organizations_delegated_administrators.test", "delegated_administrators.#", 1),
		}}},
	}})
}
