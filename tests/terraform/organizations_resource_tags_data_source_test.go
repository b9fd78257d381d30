package terraform

import (
	"fmt"
	"testing"
)

// Ported from internal/service/organizations/resource_tags_data_source_test.go
// (PreCheckOrganizationsAccount: the configuration creates the organization).

func resourceTagsDataSourceConfigBasic(rName string) string {
	return fmt.Sprintf(`
resource "aws_organizations_organization" "test" {}

resource "aws_organizations_policy" "test" {
  content = %[2]s

  name = %[1]q

  depends_on = [aws_organizations_organization.test]

  tags = {
    TerraformProviderAwsTest = true
    Alpha                    = 1
  }
}

data "aws_organizations_resource_tags" "test" {
  resource_id = aws_organizations_policy.test.id
}
`, rName, policyHeredocAllowAll)
}

func TestOrganizationsResourceTagsDataSource(t *testing.T) {
	Run(t, []Case{{
		Name: "ResourceTags/basic",
		Steps: []Step{{Config: resourceTagsDataSourceConfigBasic(orgsRandomName()), Check: []Check{
			AttrPair(policyRes, "tags.#", "data.aws_organizations_resource_tags.test", "tags.#"),
		}}},
	}})
}
