package terraform

import (
	"fmt"
	"testing"
)

// Ported from internal/service/organizations/organizational_units_data_source_test.go
// (PreCheckOrganizationManagementAccount: setupManagementAccount).

func organizationalUnitsDataSourceConfigBasic(rName string) string {
	return fmt.Sprintf(`
data "aws_organizations_organization" "current" {}

resource "aws_organizations_organizational_unit" "test" {
  name      = %[1]q
  parent_id = data.aws_organizations_organization.current.roots[0].id
}

data "aws_organizations_organizational_units" "current" {
  parent_id = aws_organizations_organizational_unit.test.parent_id
}

data "aws_organizations_organizational_units" "test" {
  parent_id = aws_organizations_organizational_unit.test.id
}
`, rName)
}

func TestOrganizationsOrganizationalUnitsDataSource(t *testing.T) {
	Run(t, []Case{{
		Name:  "OrganizationalUnit/PluralDataSource_basic",
		Setup: setupManagementAccount,
		Steps: []Step{{Config: organizationalUnitsDataSourceConfigBasic(orgsRandomName()), Check: []Check{
			AttrGreaterThan("data.aws_organizations_organizational_units.current", "children.#", 0),
			Attr("data.aws_organizations_organizational_units.test", "children.#", "0"),
		}}},
	}})
}
