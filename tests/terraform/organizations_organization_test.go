package terraform

import (
	"fmt"
	"testing"
)

// Ported from internal/service/organizations/organization_test.go. The provider's PreCheck
// (PreCheckOrganizationsAccount) wants an account outside any organization: a new server's
// bootstrap account is one.

const organizationConfigBasic = `
resource "aws_organizations_organization" "test" {}
`

func organizationConfigServiceAccessPrincipals(principals ...string) string {
	list := ""
	for i, p := range principals {
		if i > 0 {
			list += ", "
		}
		list += fmt.Sprintf("%q", p)
	}
	return fmt.Sprintf(`
resource "aws_organizations_organization" "test" {
  aws_service_access_principals = [%s]
}
`, list)
}

func organizationConfigEnabledPolicyTypes(policyType string) string {
	return fmt.Sprintf(`
resource "aws_organizations_organization" "test" {
  enabled_policy_types = [%q]
}
`, policyType)
}

func organizationConfigFeatureSet(featureSet string) string {
	return fmt.Sprintf(`
resource "aws_organizations_organization" "test" {
  feature_set = %q
}
`, featureSet)
}

const orgRes = "aws_organizations_organization.test"

var importOrganization = Step{ImportState: true, ResourceName: orgRes, ImportStateVerify: true}

func TestOrganization(t *testing.T) {
	Run(t, []Case{
		{
			Name: "Organization/basic",
			Steps: []Step{
				{Config: organizationConfigBasic, Check: []Check{
					Exists(orgRes),
					Attr(orgRes, "accounts.#", "1"),
					AttrPair(orgRes, "accounts.0.arn", orgRes, "master_account_arn"),
					AttrPair(orgRes, "accounts.0.email", orgRes, "master_account_email"),
					AttrPair(orgRes, "accounts.0.id", orgRes, "master_account_id"),
					GlobalARN(orgRes, "arn", "organizations", `organization/o-.+`),
					Attr(orgRes, "aws_service_access_principals.#", "0"),
					Attr(orgRes, "feature_set", "ALL"),
					GlobalARN(orgRes, "master_account_arn", "organizations", `account/o-.+/.+`),
					AttrMatch(orgRes, "master_account_email", `.+@.+`),
					AccountID(orgRes, "master_account_id"),
					Attr(orgRes, "non_master_accounts.#", "0"),
					Attr(orgRes, "roots.#", "1"),
					AttrMatch(orgRes, "roots.0.id", `r-[0-9a-z]{4,32}`),
					AttrSet(orgRes, "roots.0.name"),
					AttrSet(orgRes, "roots.0.arn"),
					Attr(orgRes, "roots.0.policy_types.#", "0"),
				}},
				importOrganization,
			},
		},
		{
			Name: "Organization/disappears",
			Steps: []Step{
				{Config: organizationConfigBasic, Check: []Check{Exists(orgRes), Disappears(orgRes)}, ExpectNonEmptyPlan: true},
			},
		},
		{
			Name: "Organization/AwsServiceAccessPrincipals",
			Steps: []Step{
				{Config: organizationConfigServiceAccessPrincipals("config.amazonaws.com"), Check: []Check{
					Exists(orgRes),
					Attr(orgRes, "aws_service_access_principals.#", "1"),
					SetElem(orgRes, "aws_service_access_principals.*", "config.amazonaws.com"),
				}},
				importOrganization,
				{Config: organizationConfigServiceAccessPrincipals("config.amazonaws.com", "ds.amazonaws.com"), Check: []Check{
					Exists(orgRes),
					Attr(orgRes, "aws_service_access_principals.#", "2"),
					SetElem(orgRes, "aws_service_access_principals.*", "config.amazonaws.com"),
					SetElem(orgRes, "aws_service_access_principals.*", "ds.amazonaws.com"),
				}},
				{Config: organizationConfigServiceAccessPrincipals("fms.amazonaws.com"), Check: []Check{
					Exists(orgRes),
					Attr(orgRes, "aws_service_access_principals.#", "1"),
					SetElem(orgRes, "aws_service_access_principals.*", "fms.amazonaws.com"),
				}},
			},
		},
		{
			Name: "Organization/EnabledPolicyTypes",
			Steps: []Step{
				{Config: organizationConfigEnabledPolicyTypes("SERVICE_CONTROL_POLICY"), Check: []Check{
					Exists(orgRes),
					Attr(orgRes, "enabled_policy_types.#", "1"),
					Attr(orgRes, "enabled_policy_types.0", "SERVICE_CONTROL_POLICY"),
				}},
				importOrganization,
				{Config: organizationConfigBasic, Check: []Check{Exists(orgRes), Attr(orgRes, "enabled_policy_types.#", "0")}},
				{Config: organizationConfigEnabledPolicyTypes("AISERVICES_OPT_OUT_POLICY"), Check: []Check{
					Exists(orgRes),
					Attr(orgRes, "enabled_policy_types.#", "1"),
					Attr(orgRes, "enabled_policy_types.0", "AISERVICES_OPT_OUT_POLICY"),
				}},
				{Config: organizationConfigEnabledPolicyTypes("SERVICE_CONTROL_POLICY"), Check: []Check{
					Exists(orgRes),
					Attr(orgRes, "enabled_policy_types.#", "1"),
					Attr(orgRes, "enabled_policy_types.0", "SERVICE_CONTROL_POLICY"),
				}},
				{Config: organizationConfigEnabledPolicyTypes("BACKUP_POLICY"), Check: []Check{
					Exists(orgRes),
					Attr(orgRes, "enabled_policy_types.#", "1"),
					Attr(orgRes, "enabled_policy_types.0", "BACKUP_POLICY"),
				}},
				{Config: organizationConfigEnabledPolicyTypes("TAG_POLICY"), Check: []Check{
					Exists(orgRes),
					Attr(orgRes, "enabled_policy_types.#", "1"),
					Attr(orgRes, "enabled_policy_types.0", "TAG_POLICY"),
				}},
				importOrganization,
				{Config: organizationConfigBasic, Check: []Check{Exists(orgRes), Attr(orgRes, "enabled_policy_types.#", "0")}},
				{Config: organizationConfigEnabledPolicyTypes("TAG_POLICY"), Check: []Check{
					Exists(orgRes),
					Attr(orgRes, "enabled_policy_types.#", "1"),
				}},
			},
		},
		{
			Name: "Organization/FeatureSet_Basic",
			Steps: []Step{
				{Config: organizationConfigFeatureSet("CONSOLIDATED_BILLING"), Check: []Check{
					Exists(orgRes),
					Attr(orgRes, "feature_set", "CONSOLIDATED_BILLING"),
				}},
				importOrganization,
			},
		},
		{
			Name: "Organization/FeatureSet_Update",
			Steps: []Step{
				{Config: organizationConfigFeatureSet("CONSOLIDATED_BILLING"), Check: []Check{
					Exists(orgRes), Attr(orgRes, "feature_set", "CONSOLIDATED_BILLING"), rememberOrganizationID,
				}},
				importOrganization,
				// Moving to ALL features needs every member's consent in the console: until then
				// DescribeOrganization keeps answering CONSOLIDATED_BILLING, a perpetual difference.
				{Config: organizationConfigFeatureSet("ALL"), ExpectNonEmptyPlan: true, Check: []Check{
					Exists(orgRes), sameOrganizationID(true),
				}},
			},
		},
		{
			Name: "Organization/FeatureSet_ForcesNew",
			Steps: []Step{
				{Config: organizationConfigFeatureSet("ALL"), Check: []Check{
					Exists(orgRes), Attr(orgRes, "feature_set", "ALL"), rememberOrganizationID,
				}},
				importOrganization,
				{Config: organizationConfigFeatureSet("CONSOLIDATED_BILLING"), Check: []Check{
					Exists(orgRes), Attr(orgRes, "feature_set", "CONSOLIDATED_BILLING"), sameOrganizationID(false),
				}},
			},
		},
	})
}

// rememberOrganizationID and sameOrganizationID port testAccOrganizationRecreated and
// testAccOrganizationNotRecreated.
func rememberOrganizationID(e *Env, s *State) error {
	e.remembered = s.Attr(orgRes, "id")
	return nil
}

func sameOrganizationID(same bool) Check {
	return func(e *Env, s *State) error {
		id := s.Attr(orgRes, "id")
		if same && id != e.remembered {
			return fmt.Errorf("organization %s recreated as %s", e.remembered, id)
		}
		if !same && id == e.remembered {
			return fmt.Errorf("organization %s not recreated", id)
		}
		return nil
	}
}
