package terraform

import (
	"fmt"
	"testing"
)

// Ported from internal/service/organizations/policies_for_target_data_source_test.go
// (TestAccOrganizationsPoliciesForTargetDataSource_basic; PreCheckOrganizationsAccount: the
// configuration creates the organization).

func policiesForTargetDataSourceConfigAttachQuery(rName string) string {
	return fmt.Sprintf(`
resource "aws_organizations_organization" "test" {
  feature_set          = "ALL"
  enabled_policy_types = ["SERVICE_CONTROL_POLICY", "TAG_POLICY", "BACKUP_POLICY", "AISERVICES_OPT_OUT_POLICY"]
}

resource "aws_organizations_organizational_unit" "test" {
  name      = %[1]q
  parent_id = aws_organizations_organization.test.roots[0].id
}

resource "aws_organizations_policy" "test" {
  depends_on = [aws_organizations_organization.test]

  content = %[2]s

  name = %[1]q
}

resource "aws_organizations_policy_attachment" "test" {
  depends_on = [aws_organizations_policy.test]
  policy_id  = aws_organizations_policy.test.id
  target_id  = aws_organizations_organizational_unit.test.id
}

data "aws_organizations_policies_for_target" "test" {
  depends_on = [aws_organizations_policy_attachment.test]
  target_id  = aws_organizations_organizational_unit.test.id
  filter     = "SERVICE_CONTROL_POLICY"
}

data "aws_organizations_policy" "test" {
  policy_id = data.aws_organizations_policies_for_target.test.ids[0]
}
`, rName, policyHeredocAllowAll)
}

func TestOrganizationsPoliciesForTargetDataSource(t *testing.T) {
	Run(t, []Case{{
		Name: "PoliciesForTargetDataSource/basic",
		Steps: []Step{{Config: policiesForTargetDataSourceConfigAttachQuery(orgsRandomName()), Check: []Check{
			AttrGreaterThan("data.aws_organizations_policies_for_target.test", "ids.#", 0),
		}}},
	}})
}
