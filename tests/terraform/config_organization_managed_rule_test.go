package terraform

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"testing"
	"time"
)

// Ported from internal/service/configservice/organization_managed_rule_test.go. The provider's
// PreCheck (PreCheckOrganizationsAccount) wants an account outside any organization: a new
// server's bootstrap account is one. Each configuration creates the organization with trusted
// access for config-multiaccountsetup.amazonaws.com, and a recorder whose role the rule's
// deployment to the management account needs.

const orgManagedRuleRes = "aws_config_organization_managed_rule.test"

// orgRandomName is sdkacctest.RandomWithPrefix: the prefix, a hyphen and a random number.
func orgRandomName(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, rand.Int64N(1<<62))
}

// orgRuleDisappears is acctest.CheckResourceDisappears for the organization rule and pack
// resources: their delete function deletes and waits until the object is gone, so the
// refresh that follows finds nothing.
func orgRuleDisappears(name string) Check {
	return func(e *Env, s *State) error {
		if err := Disappears(name)(e, s); err != nil {
			return err
		}
		typ := s.Type(name)
		deadline := time.Now().Add(5 * time.Minute)
		for {
			ok, err := e.exists(typ, s.Resource(name))
			if err != nil {
				return fmt.Errorf("%s: %v", name, err)
			}
			if !ok {
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s: still exists 5 minutes after its deletion", name)
			}
			time.Sleep(time.Second)
		}
	}
}

func orgManagedRuleConfigBase(rName string) string {
	return fmt.Sprintf(`
data "aws_partition" "current" {
}

resource "aws_config_configuration_recorder" "test" {
  depends_on = [aws_iam_role_policy_attachment.test]

  name     = %[1]q
  role_arn = aws_iam_role.test.arn
}

resource "aws_iam_role" "test" {
  name = %[1]q

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

resource "aws_iam_role_policy_attachment" "test" {
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWS_ConfigRole"
  role       = aws_iam_role.test.name
}

resource "aws_organizations_organization" "test" {
  aws_service_access_principals = ["config-multiaccountsetup.amazonaws.com"]
  feature_set                   = "ALL"
}
`, rName)
}

func orgManagedRuleConfigDescription(rName, description string) string {
	return orgManagedRuleConfigBase(rName) + fmt.Sprintf(`
resource "aws_config_organization_managed_rule" "test" {
  depends_on = [aws_config_configuration_recorder.test, aws_organizations_organization.test]

  description     = %[2]q
  name            = %[1]q
  rule_identifier = "IAM_PASSWORD_POLICY"
}
`, rName, description)
}

func orgManagedRuleConfigErrorHandling(rName string) string {
	return fmt.Sprintf(`
resource "aws_organizations_organization" "test" {
  aws_service_access_principals = ["config-multiaccountsetup.amazonaws.com"]
  feature_set                   = "ALL"
}

resource "aws_config_organization_managed_rule" "test" {
  depends_on = [aws_organizations_organization.test]

  name            = %[1]q
  rule_identifier = "IAM_PASSWORD_POLICY"
}
`, rName)
}

func orgManagedRuleConfigExcludedAccounts1(rName string) string {
	return orgManagedRuleConfigBase(rName) + fmt.Sprintf(`
resource "aws_config_organization_managed_rule" "test" {
  depends_on = [aws_config_configuration_recorder.test, aws_organizations_organization.test]

  excluded_accounts = ["111111111111"]
  name              = %[1]q
  rule_identifier   = "IAM_PASSWORD_POLICY"
}
`, rName)
}

func orgManagedRuleConfigExcludedAccounts2(rName string) string {
	return orgManagedRuleConfigBase(rName) + fmt.Sprintf(`
resource "aws_config_organization_managed_rule" "test" {
  depends_on = [aws_config_configuration_recorder.test, aws_organizations_organization.test]

  excluded_accounts = ["111111111111", "222222222222"]
  name              = %[1]q
  rule_identifier   = "IAM_PASSWORD_POLICY"
}
`, rName)
}

func orgManagedRuleConfigInputParameters(rName, inputParameters string) string {
	return orgManagedRuleConfigBase(rName) + fmt.Sprintf(`
resource "aws_config_organization_managed_rule" "test" {
  depends_on = [aws_config_configuration_recorder.test, aws_organizations_organization.test]

  input_parameters = <<PARAMS
%[2]s
PARAMS

  name            = %[1]q
  rule_identifier = "REQUIRED_TAGS"
}
`, rName, inputParameters)
}

func orgManagedRuleConfigMaximumExecutionFrequency(rName, maximumExecutionFrequency string) string {
	return orgManagedRuleConfigBase(rName) + fmt.Sprintf(`
resource "aws_config_organization_managed_rule" "test" {
  depends_on = [aws_config_configuration_recorder.test, aws_organizations_organization.test]

  maximum_execution_frequency = %[2]q
  name                        = %[1]q
  rule_identifier             = "IAM_PASSWORD_POLICY"
}
`, rName, maximumExecutionFrequency)
}

func orgManagedRuleConfigResourceIdScope(rName, resourceIdScope string) string {
	return orgManagedRuleConfigBase(rName) + fmt.Sprintf(`
resource "aws_config_organization_managed_rule" "test" {
  depends_on = [aws_config_configuration_recorder.test, aws_organizations_organization.test]

  name                 = %[1]q
  resource_id_scope    = %[2]q
  resource_types_scope = ["AWS::EC2::Instance"]
  rule_identifier      = "EC2_INSTANCE_DETAILED_MONITORING_ENABLED"
}
`, rName, resourceIdScope)
}

func orgManagedRuleConfigResourceTypesScope1(rName string) string {
	return orgManagedRuleConfigBase(rName) + fmt.Sprintf(`
resource "aws_config_organization_managed_rule" "test" {
  depends_on = [aws_config_configuration_recorder.test, aws_organizations_organization.test]

  input_parameters = <<EOF
{
  "tag1Key": "CostCenter",
  "tag2Key": "Owner"
}
EOF

  name                 = %[1]q
  resource_types_scope = ["AWS::EC2::Instance"]
  rule_identifier      = "REQUIRED_TAGS"
}
`, rName)
}

func orgManagedRuleConfigResourceTypesScope2(rName string) string {
	return orgManagedRuleConfigBase(rName) + fmt.Sprintf(`
resource "aws_config_organization_managed_rule" "test" {
  depends_on = [aws_config_configuration_recorder.test, aws_organizations_organization.test]

  input_parameters = <<EOF
{
  "tag1Key": "CostCenter",
  "tag2Key": "Owner"
}
EOF

  name                 = %[1]q
  resource_types_scope = ["AWS::EC2::Instance", "AWS::EC2::VPC"]
  rule_identifier      = "REQUIRED_TAGS"
}
`, rName)
}

func orgManagedRuleConfigIdentifier(rName, ruleIdentifier string) string {
	return orgManagedRuleConfigBase(rName) + fmt.Sprintf(`
resource "aws_config_organization_managed_rule" "test" {
  depends_on = [aws_config_configuration_recorder.test, aws_organizations_organization.test]

  name            = %[1]q
  rule_identifier = %[2]q
}
`, rName, ruleIdentifier)
}

func orgManagedRuleConfigTagKeyScope(rName, tagKeyScope string) string {
	return orgManagedRuleConfigBase(rName) + fmt.Sprintf(`
resource "aws_config_organization_managed_rule" "test" {
  depends_on = [aws_config_configuration_recorder.test, aws_organizations_organization.test]

  name            = %[1]q
  rule_identifier = "EC2_INSTANCE_DETAILED_MONITORING_ENABLED"
  tag_key_scope   = %[2]q
}
`, rName, tagKeyScope)
}

func orgManagedRuleConfigTagValueScope(rName, tagValueScope string) string {
	return orgManagedRuleConfigBase(rName) + fmt.Sprintf(`
resource "aws_config_organization_managed_rule" "test" {
  depends_on = [aws_config_configuration_recorder.test, aws_organizations_organization.test]

  name            = %[1]q
  rule_identifier = "EC2_INSTANCE_DETAILED_MONITORING_ENABLED"
  tag_key_scope   = "key1"
  tag_value_scope = %[2]q
}
`, rName, tagValueScope)
}

var importOrgManagedRule = Step{ImportState: true, ResourceName: orgManagedRuleRes, ImportStateVerify: true}

// orgManagedRuleUpdateCase is the shape most of the provider's cases share: apply, import,
// apply a change, each apply checked by one attribute.
func orgManagedRuleUpdateCase(name, key string, config func(string, string) string, v1, v2 string) Case {
	rName := orgRandomName("tf-acc-test")
	return Case{
		Name: name,
		Steps: []Step{
			{Config: config(rName, v1), Check: []Check{Exists(orgManagedRuleRes), Attr(orgManagedRuleRes, key, v1)}},
			importOrgManagedRule,
			{Config: config(rName, v2), Check: []Check{Exists(orgManagedRuleRes), Attr(orgManagedRuleRes, key, v2)}},
		},
	}
}

func TestOrganizationManagedRule(t *testing.T) {
	rName := orgRandomName("tf-acc-test")
	Run(t, []Case{
		{
			Name: "OrganizationManagedRule/basic",
			Steps: []Step{
				{Config: orgManagedRuleConfigIdentifier(rName, "IAM_PASSWORD_POLICY"), Check: []Check{
					Exists(orgManagedRuleRes),
					RegionalARNMatch(orgManagedRuleRes, "arn", "config", fmt.Sprintf("organization-config-rule/%s-.+", rName)),
					Attr(orgManagedRuleRes, "description", ""),
					Attr(orgManagedRuleRes, "excluded_accounts.#", "0"),
					Attr(orgManagedRuleRes, "input_parameters", ""),
					Attr(orgManagedRuleRes, "maximum_execution_frequency", ""),
					Attr(orgManagedRuleRes, "name", rName),
					Attr(orgManagedRuleRes, "resource_id_scope", ""),
					Attr(orgManagedRuleRes, "resource_types_scope.#", "0"),
					Attr(orgManagedRuleRes, "rule_identifier", "IAM_PASSWORD_POLICY"),
					Attr(orgManagedRuleRes, "tag_key_scope", ""),
					Attr(orgManagedRuleRes, "tag_value_scope", ""),
				}},
				importOrgManagedRule,
			},
		},
		{
			Name: "OrganizationManagedRule/disappears",
			Steps: []Step{
				{Config: orgManagedRuleConfigIdentifier(rName, "IAM_PASSWORD_POLICY"), ExpectNonEmptyPlan: true, Check: []Check{
					Exists(orgManagedRuleRes),
					orgRuleDisappears(orgManagedRuleRes),
				}},
			},
		},
		{
			// Without a recorder, the deployment to the management account fails, and the
			// provider reports the member's error.
			Name: "OrganizationManagedRule/errorHandling",
			Steps: []Step{
				{Config: orgManagedRuleConfigErrorHandling(rName), ExpectError: regexp.MustCompile(`NoAvailableConfigurationRecorder`)},
			},
		},
		orgManagedRuleUpdateCase("OrganizationManagedRule/Description", "description", orgManagedRuleConfigDescription, "description1", "description2"),
		{
			Name: "OrganizationManagedRule/ExcludedAccounts",
			Steps: []Step{
				{Config: orgManagedRuleConfigExcludedAccounts1(rName), Check: []Check{
					Exists(orgManagedRuleRes), Attr(orgManagedRuleRes, "excluded_accounts.#", "1"),
				}},
				importOrgManagedRule,
				{Config: orgManagedRuleConfigExcludedAccounts2(rName), Check: []Check{
					Exists(orgManagedRuleRes), Attr(orgManagedRuleRes, "excluded_accounts.#", "2"),
				}},
			},
		},
		{
			Name: "OrganizationManagedRule/InputParameters",
			Steps: []Step{
				{Config: orgManagedRuleConfigInputParameters(rName, `{"tag1Key":"CostCenter", "tag2Key":"Owner"}`), Check: []Check{
					Exists(orgManagedRuleRes), AttrMatch(orgManagedRuleRes, "input_parameters", `CostCenter`),
				}},
				importOrgManagedRule,
				{Config: orgManagedRuleConfigInputParameters(rName, `{"tag1Key":"Department", "tag2Key":"Owner"}`), Check: []Check{
					Exists(orgManagedRuleRes), AttrMatch(orgManagedRuleRes, "input_parameters", `Department`),
				}},
			},
		},
		orgManagedRuleUpdateCase("OrganizationManagedRule/MaximumExecutionFrequency", "maximum_execution_frequency", orgManagedRuleConfigMaximumExecutionFrequency, "One_Hour", "Three_Hours"),
		orgManagedRuleUpdateCase("OrganizationManagedRule/ResourceIdScope", "resource_id_scope", orgManagedRuleConfigResourceIdScope, "i-12345678", "i-87654321"),
		{
			Name: "OrganizationManagedRule/ResourceTypesScope",
			Steps: []Step{
				{Config: orgManagedRuleConfigResourceTypesScope1(rName), Check: []Check{
					Exists(orgManagedRuleRes), Attr(orgManagedRuleRes, "resource_types_scope.#", "1"),
				}},
				importOrgManagedRule,
				{Config: orgManagedRuleConfigResourceTypesScope2(rName), Check: []Check{
					Exists(orgManagedRuleRes), Attr(orgManagedRuleRes, "resource_types_scope.#", "2"),
				}},
			},
		},
		orgManagedRuleUpdateCase("OrganizationManagedRule/RuleIdentifier", "rule_identifier", orgManagedRuleConfigIdentifier, "EC2_INSTANCE_DETAILED_MONITORING_ENABLED", "EC2_INSTANCE_NO_PUBLIC_IP"),
		orgManagedRuleUpdateCase("OrganizationManagedRule/TagKeyScope", "tag_key_scope", orgManagedRuleConfigTagKeyScope, "key1", "key2"),
		orgManagedRuleUpdateCase("OrganizationManagedRule/TagValueScope", "tag_value_scope", orgManagedRuleConfigTagValueScope, "value1", "value2"),
	})
}
