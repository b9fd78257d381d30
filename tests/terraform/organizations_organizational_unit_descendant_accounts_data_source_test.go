package terraform

import (
	"fmt"
	"testing"
)

// Ported from internal/service/organizations/organizational_unit_descendant_accounts_data_source_test.go
// (PreCheckOrganizationManagementAccount: setupManagementAccount).

func organizationalUnitDescendantAccountsDataSourceConfigBasic(rName string) string {
	return fmt.Sprintf(`
data "aws_organizations_organization" "current" {}

resource "aws_organizations_organizational_unit" "test0" {
  name      = "%[1]s-0"
  parent_id = data.aws_organizations_organization.current.roots[0].id
}

resource "aws_organizations_organizational_unit" "test1" {
  name      = "%[1]s-1"
  parent_id = aws_organizations_organizational_unit.test0.id
}

data "aws_organizations_organizational_unit_descendant_accounts" "current" {
  parent_id = data.aws_organizations_organization.current.roots[0].id

  depends_on = [aws_organizations_organizational_unit.test0, aws_organizations_organizational_unit.test1]
}

data "aws_organizations_organizational_unit_descendant_accounts" "test0" {
  parent_id = aws_organizations_organizational_unit.test0.id

  depends_on = [aws_organizations_organizational_unit.test1]
}

data "aws_organizations_organizational_unit_descendant_accounts" "test1" {
  parent_id = aws_organizations_organizational_unit.test1.id
}
`, rName)
}

func TestOrganizationsOrganizationalUnitDescendantAccountsDataSource(t *testing.T) {
	const ds = "data.aws_organizations_organizational_unit_descendant_accounts."
	Run(t, []Case{{
		Name:  "OrganizationalUnit/DescendantAccountsDataSource_basic",
		Setup: setupManagementAccount,
		Steps: []Step{{Config: organizationalUnitDescendantAccountsDataSourceConfigBasic(orgsRandomName()), Check: []Check{
			AttrGreaterThan(ds+"current", "accounts.#", 0),
			Attr(ds+"test0", "accounts.#", "0"),
			Attr(ds+"test1", "accounts.#", "0"),
		}}},
	}})
}
