package terraform

import (
	"testing"
)

// Ported from internal/service/organizations/organization_data_source_test.go.

const organizationDataSourceConfigNewOrganization = `
resource "aws_organizations_organization" "test" {}

data "aws_organizations_organization" "test" {
  depends_on = [aws_organizations_organization.test]
}
`

const organizationDataSourceConfigBasic = `
data "aws_organizations_organization" "test" {}
`

// organizationsDelegationPolicy is the resource-based delegation policy of the provider's tests:
// it lets the alternate account's caller (data.aws_caller_identity.delegated) read the
// organization; extra lists actions beyond the common ones.
func organizationsDelegationPolicy(extra string) string {
	return `
data "aws_caller_identity" "delegated" {
  provider = aws.awsalternate
}

resource "aws_organizations_resource_policy" "test" {
  content = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DelegatingNecessaryDescribeListActions",
      "Effect": "Allow",
      "Principal": {
        "AWS": "${data.aws_caller_identity.delegated.arn}"
      },
      "Action": [
        "organizations:DescribeOrganization",
        "organizations:DescribeOrganizationalUnit",
        "organizations:DescribeAccount",
        "organizations:DescribePolicy",
        "organizations:DescribeEffectivePolicy",
        "organizations:ListRoots",
        "organizations:ListOrganizationalUnitsForParent",
        "organizations:ListParents",
        "organizations:ListChildren",
        "organizations:ListAccounts",
        "organizations:ListAccountsForParent",
        "organizations:ListPolicies",
        "organizations:ListPoliciesForTarget",
        "organizations:ListTargetsForPolicy",
        "organizations:ListTagsForResource"` + extra + `
      ],
      "Resource": "*"
    }
  ]
}
EOF
`
}

// The provider's ConfigAlternateAccountProvider block is added by setupAlternateAccount;
// provider = "awsalternate" becomes provider = aws.awsalternate (see AlternateProviderConfig).
var organizationDataSourceConfigDelegatedAdministrator = organizationsDelegationPolicy(`,
        "organizations:ListAWSServiceAccessForOrganization"`) + `}

data "aws_organizations_organization" "test" {
  provider = aws.awsalternate

  depends_on = [aws_organizations_resource_policy.test]
}
`

func TestOrganizationsOrganizationDataSource(t *testing.T) {
	const resourceName = "aws_organizations_organization.test"
	const dataSourceName = "data.aws_organizations_organization.test"
	Run(t, []Case{
		{
			// PreCheckOrganizationsAccount: the bootstrap account is in no organization.
			Name: "Organization/DataSource_basic",
			Steps: []Step{{Config: organizationDataSourceConfigNewOrganization, Check: []Check{
				AttrPair(resourceName, "accounts.#", dataSourceName, "accounts.#"),
				AttrPair(resourceName, "arn", dataSourceName, "arn"),
				AttrPair(resourceName, "aws_service_access_principals.#", dataSourceName, "aws_service_access_principals.#"),
				AttrPair(resourceName, "enabled_policy_types.#", dataSourceName, "enabled_policy_types.#"),
				AttrPair(resourceName, "feature_set", dataSourceName, "feature_set"),
				AttrPair(resourceName, "id", dataSourceName, "id"),
				AttrPair(resourceName, "master_account_arn", dataSourceName, "master_account_arn"),
				AttrPair(resourceName, "master_account_email", dataSourceName, "master_account_email"),
				AttrPair(resourceName, "master_account_id", dataSourceName, "master_account_id"),
				AttrPair(resourceName, "master_account_name", dataSourceName, "master_account_name"),
				AttrPair(resourceName, "non_master_accounts.#", dataSourceName, "non_master_accounts.#"),
				AttrPair(resourceName, "roots.#", dataSourceName, "roots.#"),
			}}},
		},
		{
			// PreCheckOrganizationMemberAccount: the provider runs as a member account, which
			// may describe its organization but not list its accounts, roots or policies.
			Name:  "Organization/DataSource_memberAccount",
			Setup: setupMemberAccount,
			Steps: []Step{{Config: organizationDataSourceConfigBasic, Check: []Check{
				NoAttr(dataSourceName, "accounts.#"),
				AttrSet(dataSourceName, "arn"),
				NoAttr(dataSourceName, "aws_service_access_principals.#"),
				NoAttr(dataSourceName, "enabled_policy_types.#"),
				AttrSet(dataSourceName, "feature_set"),
				AttrSet(dataSourceName, "master_account_arn"),
				AttrSet(dataSourceName, "master_account_email"),
				AttrSet(dataSourceName, "master_account_id"),
				NoAttr(dataSourceName, "non_master_accounts.#"),
				NoAttr(dataSourceName, "roots.#"),
			}}},
		},
		{
			// PreCheckOrganizationManagementAccount and PreCheckAlternateAccount. The checks want
			// more than two accounts (more than one member): the organization the provider's
			// maintainers run it in has them, so one more member account is created here.
			Name: "Organization/DataSource_delegatedAdministrator",
			Setup: func(t *testing.T, e *Env) {
				setupAlternateAccount(t, e)
				e.CreateMemberAccount("another")
			},
			Steps: []Step{{Config: organizationDataSourceConfigDelegatedAdministrator, Check: []Check{
				AttrGreaterThan(dataSourceName, "accounts.#", 2),
				AttrSet(dataSourceName, "arn"),
				AttrSet(dataSourceName, "aws_service_access_principals.#"),
				AttrSet(dataSourceName, "enabled_policy_types.#"),
				AttrSet(dataSourceName, "feature_set"),
				AttrSet(dataSourceName, "master_account_arn"),
				AttrSet(dataSourceName, "master_account_email"),
				AttrSet(dataSourceName, "master_account_id"),
				AttrGreaterThan(dataSourceName, "non_master_accounts.#", 1),
				AttrSet(dataSourceName, "roots.#"),
			}}},
		},
	})
}
