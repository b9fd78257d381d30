package terraform

import (
	"testing"
)

// Ported from internal/service/organizations/organizational_unit_child_accounts_data_source_test.go
// (PreCheckOrganizationManagementAccount: setupManagementAccount; the management account is a
// child of the root).

const organizationalUnitChildAccountsDataSourceConfigBasic = `
data "aws_organizations_organization" "current" {}

data "aws_organizations_organizational_unit_child_accounts" "test" {
  parent_id = data.aws_organizations_organization.current.roots[0].id
}
`

func TestOrganizationsOrganizationalUnitChildAccountsDataSource(t *testing.T) {
	Run(t, []Case{{
		Name:  "OrganizationalUnit/ChildAccountsDataSource_basic",
		Setup: setupManagementAccount,
		Steps: []Step{{Config: organizationalUnitChildAccountsDataSourceConfigBasic, Check: []Check{
			AttrGreaterThan("data.aws_organizations_organizational_unit_child_accounts.test", "accounts.#", 0),
		}}},
	}})
}
