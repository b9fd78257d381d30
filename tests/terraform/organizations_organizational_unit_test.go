package terraform

import (
	"fmt"
	"testing"
)

// Ported from internal/service/organizations/organizational_unit_test.go. The provider's
// PreCheck (PreCheckOrganizationManagementAccount) wants an existing organization whose
// management account runs the test: setupManagementAccount.

const ouRes = "aws_organizations_organizational_unit.test"

var importOU = Step{ImportState: true, ResourceName: ouRes, ImportStateVerify: true}

func organizationalUnitConfigBasic(rName string) string {
	return fmt.Sprintf(`
data "aws_organizations_organization" "current" {}

resource "aws_organizations_organizational_unit" "test" {
  name      = %[1]q
  parent_id = data.aws_organizations_organization.current.roots[0].id
}
`, rName)
}

func organizationalUnitConfigTags1(rName, k1, v1 string) string {
	return fmt.Sprintf(`
data "aws_organizations_organization" "current" {}

resource "aws_organizations_organizational_unit" "test" {
  name      = %[1]q
  parent_id = data.aws_organizations_organization.current.roots[0].id

  tags = {
    %[2]q = %[3]q
  }
}
`, rName, k1, v1)
}

func organizationalUnitConfigTags2(rName, k1, v1, k2, v2 string) string {
	return fmt.Sprintf(`
data "aws_organizations_organization" "current" {}

resource "aws_organizations_organizational_unit" "test" {
  name      = %[1]q
  parent_id = data.aws_organizations_organization.current.roots[0].id

  tags = {
    %[2]q = %[3]q
    %[4]q = %[5]q
  }
}
`, rName, k1, v1, k2, v2)
}

func TestOrganizationsOrganizationalUnit(t *testing.T) {
	rName, rName2 := orgsRandomName(), orgsRandomName()
	Run(t, []Case{
		{
			Name:  "OrganizationalUnit/basic",
			Setup: setupManagementAccount,
			Steps: []Step{
				{Config: organizationalUnitConfigBasic(rName), Check: []Check{
					Exists(ouRes),
					Attr(ouRes, "accounts.#", "0"),
					AttrSet(ouRes, "arn"),
					Attr(ouRes, "name", rName),
					Attr(ouRes, "tags.%", "0"),
				}},
				importOU,
			},
		},
		{
			Name:  "OrganizationalUnit/disappears",
			Setup: setupManagementAccount,
			Steps: []Step{
				{Config: organizationalUnitConfigBasic(rName), Check: []Check{Exists(ouRes), Disappears(ouRes)}, ExpectNonEmptyPlan: true},
			},
		},
		{
			Name:  "OrganizationalUnit/update",
			Setup: setupManagementAccount,
			Steps: []Step{
				{Config: organizationalUnitConfigBasic(rName), Check: []Check{Exists(ouRes), Attr(ouRes, "name", rName)}},
				importOU,
				{Config: organizationalUnitConfigBasic(rName2), Check: []Check{Exists(ouRes), Attr(ouRes, "name", rName2)}},
			},
		},
		{
			Name:  "OrganizationalUnit/tags",
			Setup: setupManagementAccount,
			Steps: []Step{
				{Config: organizationalUnitConfigTags1(rName, "key1", "value1"), Check: []Check{
					Exists(ouRes),
					Attr(ouRes, "tags.%", "1"),
					Attr(ouRes, "tags.key1", "value1"),
				}},
				importOU,
				{Config: organizationalUnitConfigTags2(rName, "key1", "value1updated", "key2", "value2"), Check: []Check{
					Exists(ouRes),
					Attr(ouRes, "tags.%", "2"),
					Attr(ouRes, "tags.key1", "value1updated"),
					Attr(ouRes, "tags.key2", "value2"),
				}},
				{Config: organizationalUnitConfigTags1(rName, "key2", "value2"), Check: []Check{
					Exists(ouRes),
					Attr(ouRes, "tags.%", "1"),
					Attr(ouRes, "tags.key2", "value2"),
				}},
			},
		},
	})
}
