package terraform

import (
	"fmt"
	"testing"
)

// Ported from internal/service/organizations/policy_data_source_test.go (PreCheckOrganizationsAccount:
// the configuration creates the organization).

func policyDataSourceConfigUnattachedPolicy(rName string) string {
	return fmt.Sprintf(`
resource "aws_organizations_organization" "test" {
  feature_set          = "ALL"
  enabled_policy_types = ["SERVICE_CONTROL_POLICY", "TAG_POLICY", "BACKUP_POLICY", "AISERVICES_OPT_OUT_POLICY"]
}

resource "aws_organizations_policy" "test" {
  depends_on = [aws_organizations_organization.test]

  content = %[2]s

  name = %[1]q
}

data "aws_organizations_policy" "test" {
  policy_id = aws_organizations_policy.test.id
}
`, rName, policyHeredocAllowAll)
}

func TestOrganizationsPolicyDataSource(t *testing.T) {
	const ds = "data.aws_organizations_policy.test"
	Run(t, []Case{{
		Name: "PolicyDataSource/UnattachedPolicy",
		Steps: []Step{{Config: policyDataSourceConfigUnattachedPolicy(orgsRandomName()), Check: []Check{
			AttrPair(policyRes, "id", ds, "policy_id"),
			AttrPair(policyRes, "arn", ds, "arn"),
			AttrPair(policyRes, "content", ds, "content"),
			AttrPair(policyRes, "type", ds, "type"),
			AttrPair(policyRes, "name", ds, "name"),
		}}},
	}})
}
