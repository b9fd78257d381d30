package terraform

import (
	"fmt"
	"testing"
)

// Ported from internal/service/organizations/resource_policy_test.go. PreCheckAlternateAccount and
// PreCheckOrganizationManagementAccount: setupAlternateAccount; the provider's
// provider = "awsalternate" is provider = aws.awsalternate here (see AlternateProviderConfig).

const resourcePolicyRes = "aws_organizations_resource_policy.test"

var resourcePolicyConfigBasic = organizationsDelegationPolicy("") + "}\n"

func resourcePolicyConfigTags1(k1, v1 string) string {
	return organizationsDelegationPolicy("") + fmt.Sprintf(`
  tags = {
    %[1]q = %[2]q
  }
}
`, k1, v1)
}

func resourcePolicyConfigTags2(k1, v1, k2, v2 string) string {
	return organizationsDelegationPolicy("") + fmt.Sprintf(`
  tags = {
    %[1]q = %[2]q
    %[3]q = %[4]q
  }
}
`, k1, v1, k2, v2)
}

func TestOrganizationsResourcePolicy(t *testing.T) {
	importResourcePolicy := Step{ImportState: true, ResourceName: resourcePolicyRes, ImportStateVerify: true}
	Run(t, []Case{
		{
			Name:  "ResourcePolicy/basic",
			Setup: setupAlternateAccount,
			Steps: []Step{
				{Config: resourcePolicyConfigBasic, Check: []Check{
					Exists(resourcePolicyRes),
					GlobalARN(resourcePolicyRes, "arn", "organizations", `resourcepolicy/o-.+/rp-.+`),
					AttrSet(resourcePolicyRes, "content"),
					Attr(resourcePolicyRes, "tags.%", "0"),
				}},
				importResourcePolicy,
			},
		},
		{
			Name:  "ResourcePolicy/disappears",
			Setup: setupAlternateAccount,
			Steps: []Step{
				{Config: resourcePolicyConfigBasic, Check: []Check{Exists(resourcePolicyRes), Disappears(resourcePolicyRes)}, ExpectNonEmptyPlan: true},
			},
		},
		{
			Name:  "ResourcePolicy/tags",
			Setup: setupAlternateAccount,
			Steps: []Step{
				{Config: resourcePolicyConfigTags1("key1", "value1"), Check: []Check{
					Exists(resourcePolicyRes),
					Attr(resourcePolicyRes, "tags.%", "1"),
					Attr(resourcePolicyRes, "tags.key1", "value1"),
				}},
				importResourcePolicy,
				{Config: resourcePolicyConfigTags2("key1", "value1updated", "key2", "value2"), Check: []Check{
					Exists(resourcePolicyRes),
					Attr(resourcePolicyRes, "tags.%", "2"),
					Attr(resourcePolicyRes, "tags.key1", "value1updated"),
					Attr(resourcePolicyRes, "tags.key2", "value2"),
				}},
				{Config: resourcePolicyConfigTags1("key2", "value2"), Check: []Check{
					Exists(resourcePolicyRes),
					Attr(resourcePolicyRes, "tags.%", "1"),
					Attr(resourcePolicyRes, "tags.key2", "value2"),
				}},
			},
		},
	})
}
