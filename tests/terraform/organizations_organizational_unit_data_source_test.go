package terraform

import (
	"fmt"
	"testing"
)

// Ported from internal/service/organizations/organizational_unit_data_source_test.go
// (PreCheckOrganizationManagementAccount: setupManagementAccount).

func organizationalUnitDataSourceConfigBasic(rName string) string {
	return fmt.Sprintf(`
data "aws_organizations_organization" "current" {}

resource "aws_organizations_organizational_unit" "parent" {
  name      = %[1]q
  parent_id = data.aws_organizations_organization.current.roots[0].id
}

resource "aws_organizations_organizational_unit" "child" {
  name      = %[1]q
  parent_id = aws_organizations_organizational_unit.parent.id
}

data "aws_organizations_organizational_unit" "test" {
  name      = aws_organizations_organizational_unit.child.name
  parent_id = aws_organizations_organizational_unit.parent.id
}
`, rName)
}

func TestOrganizationsOrganizationalUnitDataSource(t *testing.T) {
	Run(t, []Case{{
		Name:  "OrganizationalUnit/DataSource_basic",
		Setup: setupManagementAccount,
		Steps: []Step{{Config: organizationalUnitDataSourceConfigBasic(orgsRandomName()), Check: []Check{
			AttrPair("data.aws_organizations_organizational_unit.test", "arn", "aws_organizations_organizational_unit.child", "arn"),
		}}},
	}})
}
