package terraform

import (
	"fmt"
	"testing"
)

// Ported from internal/service/configservice/organization_custom_policy_rule_test.go: an
// organization rule whose member rules evaluate a CloudFormation Guard policy.

const orgCustomPolicyRuleRes = "aws_config_organization_custom_policy_rule.test"

func orgCustomPolicyRuleConfigBase(rName string) string {
	return fmt.Sprintf(`
data "aws_partition" "current" {}

resource "aws_config_configuration_recorder" "test" {
  depends_on = [aws_iam_role_policy_attachment.config]

  name     = %[1]q
  role_arn = aws_iam_role.config.arn
}

resource "aws_iam_role" "config" {
  name = "%[1]s-config"

  assume_role_policy = <<POLICY
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Action": "sts:AssumeRole",
      "Principal": {
        "Service": "config.amazonaws.com"
      },
      "Effect": "Allow",
      "Sid": ""
    }
  ]
}
POLICY
}

resource "aws_iam_role_policy_attachment" "config" {
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWS_ConfigRole"
  role       = aws_iam_role.config.name
}

resource "aws_organizations_organization" "test" {
  aws_service_access_principals = ["config-multiaccountsetup.amazonaws.com"]
  feature_set                   = "ALL"
}
`, rName)
}

func orgCustomPolicyRuleConfigPolicyText(rName, policy string) string {
	return orgCustomPolicyRuleConfigBase(rName) + fmt.Sprintf(`
resource "aws_config_organization_custom_policy_rule" "test" {
  depends_on = [aws_config_configuration_recorder.test, aws_organizations_organization.test]

  name = %[1]q

  trigger_types  = ["ConfigurationItemChangeNotification"]
  policy_runtime = "guard-2.x.x"
  policy_text    = %[2]q
}
`, rName, policy)
}

// orgCustomPolicyRuleConfigBasic is testAccOrganizationCustomPolicyRuleConfig_basic.
func orgCustomPolicyRuleConfigBasic(rName string) string {
	return orgCustomPolicyRuleConfigPolicyText(rName, "let var = 5")
}

var importOrgCustomPolicyRule = Step{ImportState: true, ResourceName: orgCustomPolicyRuleRes, ImportStateVerify: true}

func TestOrganizationCustomPolicyRule(t *testing.T) {
	rName := orgRandomName("tf-acc-test")
	Run(t, []Case{
		{
			Name: "OrganizationCustomPolicyRule/basic",
			Steps: []Step{
				{Config: orgCustomPolicyRuleConfigBasic(rName), Check: []Check{
					Exists(orgCustomPolicyRuleRes),
					RegionalARNMatch(orgCustomPolicyRuleRes, "arn", "config", fmt.Sprintf("organization-config-rule/%s-.+", rName)),
					Attr(orgCustomPolicyRuleRes, "description", ""),
					Attr(orgCustomPolicyRuleRes, "excluded_accounts.#", "0"),
					Attr(orgCustomPolicyRuleRes, "input_parameters", ""),
					Attr(orgCustomPolicyRuleRes, "maximum_execution_frequency", ""),
					Attr(orgCustomPolicyRuleRes, "name", rName),
					Attr(orgCustomPolicyRuleRes, "policy_text", "let var = 5"),
					Attr(orgCustomPolicyRuleRes, "policy_runtime", "guard-2.x.x"),
					Attr(orgCustomPolicyRuleRes, "resource_id_scope", ""),
					Attr(orgCustomPolicyRuleRes, "resource_types_scope.#", "0"),
					Attr(orgCustomPolicyRuleRes, "tag_key_scope", ""),
					Attr(orgCustomPolicyRuleRes, "tag_value_scope", ""),
					Attr(orgCustomPolicyRuleRes, "trigger_types.#", "1"),
				}},
				importOrgCustomPolicyRule,
			},
		},
		{
			Name: "OrganizationCustomPolicyRule/disappears",
			Steps: []Step{
				{Config: orgCustomPolicyRuleConfigBasic(rName), ExpectNonEmptyPlan: true, Check: []Check{
					Exists(orgCustomPolicyRuleRes),
					orgRuleDisappears(orgCustomPolicyRuleRes),
				}},
			},
		},
		{
			Name: "OrganizationCustomPolicyRule/policyText",
			Steps: []Step{
				{Config: orgCustomPolicyRuleConfigPolicyText(rName, "let var = 5"), Check: []Check{
					Exists(orgCustomPolicyRuleRes), Attr(orgCustomPolicyRuleRes, "policy_text", "let var = 5"),
				}},
				importOrgCustomPolicyRule,
				{Config: orgCustomPolicyRuleConfigPolicyText(rName, "let var = 6"), Check: []Check{
					Exists(orgCustomPolicyRuleRes), Attr(orgCustomPolicyRuleRes, "policy_text", "let var = 6"),
				}},
			},
		},
	})
}
