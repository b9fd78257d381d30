package terraform

import (
	"fmt"
	"strconv"
	"testing"
)

// Ported from internal/service/organizations/policies_data_source_test.go
// (TestAccOrganizationsPoliciesDataSource_basic; PreCheckOrganizationManagementAccount:
// setupManagementAccount).

func policiesDataSourceConfigServiceControlPolicy(rName, policyType, policyContent string) string {
	return fmt.Sprintf(`
resource "aws_organizations_policy" "test" {
  name    = %[1]q
  type    = %[2]q
  content = %[3]s
}

data "aws_organizations_policies" "test" {
  filter = aws_organizations_policy.test.type
}
`, rName, policyType, strconv.Quote(policyContent))
}

func TestOrganizationsPoliciesDataSource(t *testing.T) {
	const content = `{"Version": "2012-10-17", "Statement": { "Effect": "Deny", "Action": "*", "Resource": "*"}}`
	Run(t, []Case{{
		Name:  "PoliciesDataSource/basic",
		Setup: setupManagementAccount,
		Steps: []Step{{Config: policiesDataSourceConfigServiceControlPolicy(orgsRandomName(), "SERVICE_CONTROL_POLICY", content), Check: []Check{
			AttrAtLeast("data.aws_organizations_policies.test", "ids.#", 1),
		}}},
	}})
}
