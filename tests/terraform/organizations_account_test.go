package terraform

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// Ported from internal/service/organizations/account_test.go. The provider's PreCheck
// (PreCheckOrganizationsEnabled) wants the account to be in an organization already, as its
// management account: setupManagementAccount. TEST_AWS_ORGANIZATION_ACCOUNT_EMAIL_DOMAIN is
// example.com.

func init() {
	// Account/GovCloud is not ported: it creates an account in the AWS GovCloud (US) partition,
	// which orgconfig does not host.
	notPorted = append(notPorted, NotPorted{"Account/GovCloud",
		"creates an AWS GovCloud (US) account (create_govcloud): orgconfig hosts no GovCloud partition, and CreateGovCloudAccount answers UnsupportedAPIEndpointException"})
}

const accountRes = "aws_organizations_account.test"

var importAccount = Step{ImportState: true, ResourceName: accountRes, ImportStateVerify: true,
	ImportStateVerifyIgnore: []string{"close_on_deletion", "create_govcloud", "govcloud_id"}}

// accountNameEmail is the provider's name and email of a test account.
func accountNameEmail() (string, string) {
	n := rand.Int64N(1 << 62)
	return fmt.Sprintf("tf_acctest_%d", n), fmt.Sprintf("tf-acctest+%d@example.com", n)
}

func accountConfigBasic(name, email string) string {
	return fmt.Sprintf(`
resource "aws_organizations_account" "test" {
  name  = %[1]q
  email = %[2]q
}
`, name, email)
}

func accountConfigCloseOnDeletion(name, email string) string {
	return fmt.Sprintf(`
resource "aws_organizations_account" "test" {
  name              = %[1]q
  email             = %[2]q
  close_on_deletion = true
}
`, name, email)
}

func accountConfigParentID(name, email, parent string) string {
	return fmt.Sprintf(`
data "aws_organizations_organization" "test" {}

resource "aws_organizations_organizational_unit" "test1" {
  name      = "test1"
  parent_id = data.aws_organizations_organization.test.roots[0].id
}

resource "aws_organizations_organizational_unit" "test2" {
  name      = "test2"
  parent_id = data.aws_organizations_organization.test.roots[0].id
}

resource "aws_organizations_account" "test" {
  name              = %[1]q
  email             = %[2]q
  parent_id         = aws_organizations_organizational_unit.%[3]s.id
  close_on_deletion = true
}
`, name, email, parent)
}

func accountConfigTags1(name, email, k1, v1 string) string {
	return fmt.Sprintf(`
resource "aws_organizations_account" "test" {
  name              = %[1]q
  email             = %[2]q
  close_on_deletion = true

  tags = {
    %[3]q = %[4]q
  }
}
`, name, email, k1, v1)
}

func accountConfigTags2(name, email, k1, v1, k2, v2 string) string {
	return fmt.Sprintf(`
resource "aws_organizations_account" "test" {
  name              = %[1]q
  email             = %[2]q
  close_on_deletion = true

  tags = {
    %[3]q = %[4]q
    %[5]q = %[6]q
  }
}
`, name, email, k1, v1, k2, v2)
}

func TestOrganizationsAccount(t *testing.T) {
	name, email := accountNameEmail()
	Run(t, []Case{
		{
			Name:  "Account/basic",
			Setup: setupManagementAccount,
			Steps: []Step{
				{Config: accountConfigBasic(name, email), Check: []Check{
					Exists(accountRes),
					AttrSet(accountRes, "arn"),
					Attr(accountRes, "email", email),
					AttrSet(accountRes, "joined_method"),
					AttrRFC3339(accountRes, "joined_timestamp"),
					Attr(accountRes, "name", name),
					AttrSet(accountRes, "parent_id"),
					Attr(accountRes, "status", "ACTIVE"),
					Attr(accountRes, "tags.%", "0"),
				}},
				importAccount,
			},
		},
		{
			Name:  "Account/CloseOnDeletion",
			Setup: setupManagementAccount,
			Steps: []Step{
				{Config: accountConfigCloseOnDeletion(name, email), Check: []Check{
					Exists(accountRes),
					AttrSet(accountRes, "arn"),
					Attr(accountRes, "email", email),
					Attr(accountRes, "govcloud_id", ""),
					AttrSet(accountRes, "joined_method"),
					AttrRFC3339(accountRes, "joined_timestamp"),
					Attr(accountRes, "name", name),
					AttrSet(accountRes, "parent_id"),
					Attr(accountRes, "status", "ACTIVE"),
					Attr(accountRes, "tags.%", "0"),
				}},
				importAccount,
			},
		},
		{
			Name:  "Account/ParentId",
			Setup: setupManagementAccount,
			Steps: []Step{
				{Config: accountConfigParentID(name, email, "test1"), Check: []Check{
					Exists(accountRes),
					AttrPair(accountRes, "parent_id", "aws_organizations_organizational_unit.test1", "id"),
				}},
				importAccount,
				{Config: accountConfigParentID(name, email, "test2"), Check: []Check{
					Exists(accountRes),
					AttrPair(accountRes, "parent_id", "aws_organizations_organizational_unit.test2", "id"),
				}},
			},
		},
		{
			Name:  "Account/Tags",
			Setup: setupManagementAccount,
			Steps: []Step{
				{Config: accountConfigTags1(name, email, "key1", "value1"), Check: []Check{
					Exists(accountRes),
					Attr(accountRes, "tags.%", "1"),
					Attr(accountRes, "tags.key1", "value1"),
				}},
				importAccount,
				{Config: accountConfigTags2(name, email, "key1", "value1updated", "key2", "value2"), Check: []Check{
					Exists(accountRes),
					Attr(accountRes, "tags.%", "2"),
					Attr(accountRes, "tags.key1", "value1updated"),
					Attr(accountRes, "tags.key2", "value2"),
				}},
				{Config: accountConfigTags1(name, email, "key2", "value2"), Check: []Check{
					Exists(accountRes),
					Attr(accountRes, "tags.%", "1"),
					Attr(accountRes, "tags.key2", "value2"),
				}},
			},
		},
	})
}
