package terraform

import (
	"fmt"
	"testing"
)

// Ported from internal/service/configservice/organization_conformance_pack_test.go, but for
// the cases whose configurations create an S3 bucket (aws_s3_bucket, and aws_s3_object for a
// template): orgconfig does not serve S3.

func init() {
	notPorted = append(notPorted,
		NotPorted{"OrganizationConformancePack/S3Delivery", "needs Amazon S3 (aws_s3_bucket for delivery_s3_bucket), which orgconfig does not serve"},
		NotPorted{"OrganizationConformancePack/S3Template", "needs Amazon S3 (aws_s3_bucket, aws_s3_object for template_s3_uri), which orgconfig does not serve"},
		NotPorted{"OrganizationConformancePack/updateS3Delivery", "needs Amazon S3 (aws_s3_bucket for delivery_s3_bucket), which orgconfig does not serve"},
		NotPorted{"OrganizationConformancePack/updateS3Template", "needs Amazon S3 (aws_s3_bucket, aws_s3_object for template_s3_uri), which orgconfig does not serve"},
	)
}

const orgPackRes = "aws_config_organization_conformance_pack.test"

func orgPackConfigBase(rName string) string {
	return fmt.Sprintf(`
data "aws_partition" "current" {}

resource "aws_config_configuration_recorder" "test" {
  depends_on = [aws_iam_role_policy_attachment.test]
  name       = %[1]q
  role_arn   = aws_iam_role.test.arn
}

resource "aws_iam_role" "test" {
  name               = %[1]q
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
  aws_service_access_principals = ["config-multiaccountsetup.${data.aws_partition.current.dns_suffix}"]
  feature_set                   = "ALL"
}
`, rName)
}

func orgPackConfigBasic(rName string) string {
	return orgPackConfigBase(rName) + fmt.Sprintf(`
resource "aws_config_organization_conformance_pack" "test" {
  depends_on    = [aws_config_configuration_recorder.test, aws_organizations_organization.test]
  name          = %[1]q
  template_body = <<EOT
Resources:
  IAMPasswordPolicy:
    Properties:
      ConfigRuleName: IAMPasswordPolicy
      Source:
        Owner: AWS
        SourceIdentifier: IAM_PASSWORD_POLICY
    Type: AWS::Config::ConfigRule
EOT
}
`, rName)
}

func orgPackConfigInputParameter(rName, pKey, pValue string) string {
	return orgPackConfigBase(rName) + fmt.Sprintf(`
resource "aws_config_organization_conformance_pack" "test" {
  depends_on = [aws_config_configuration_recorder.test, aws_organizations_organization.test]
  name       = %[1]q

  input_parameter {
    parameter_name  = %[2]q
    parameter_value = %[3]q
  }

  template_body = <<EOT
Parameters:
  %[2]s:
    Type: String
Resources:
  IAMPasswordPolicy:
    Properties:
      ConfigRuleName: IAMPasswordPolicy
      Source:
        Owner: AWS
        SourceIdentifier: IAM_PASSWORD_POLICY
    Type: AWS::Config::ConfigRule
EOT
}
`, rName, pKey, pValue)
}

func orgPackConfigUpdateInputParameter(rName, pName1, pName2 string) string {
	return orgPackConfigBase(rName) + fmt.Sprintf(`
resource "aws_config_organization_conformance_pack" "test" {
  depends_on = [aws_config_configuration_recorder.test, aws_organizations_organization.test]
  name       = %[1]q

  input_parameter {
    parameter_name  = %[2]q
    parameter_value = "TestValue1"
  }

  input_parameter {
    parameter_name  = %[3]q
    parameter_value = "TestValue2"
  }

  template_body = <<EOT
Parameters:
  %[2]s:
    Type: String
  %[3]s:
    Type: String
Resources:
  IAMPasswordPolicy:
    Properties:
      ConfigRuleName: IAMPasswordPolicy
      Source:
        Owner: AWS
        SourceIdentifier: IAM_PASSWORD_POLICY
    Type: AWS::Config::ConfigRule
EOT
}
`, rName, pName1, pName2)
}

func orgPackConfigUpdate(rName string) string {
	return orgPackConfigBase(rName) + fmt.Sprintf(`
resource "aws_config_organization_conformance_pack" "test" {
  depends_on    = [aws_config_configuration_recorder.test, aws_organizations_organization.test]
  name          = %[1]q
  template_body = <<EOT
Resources:
  IAMGroupHasUsersCheck:
    Properties:
      ConfigRuleName: IAMGroupHasUsersCheck
      Source:
        Owner: AWS
        SourceIdentifier: IAM_GROUP_HAS_USERS_CHECK
    Type: AWS::Config::ConfigRule
EOT
}
`, rName)
}

func orgPackConfigExcludedAccounts(rName, accounts string) string {
	return orgPackConfigBase(rName) + fmt.Sprintf(`
resource "aws_config_organization_conformance_pack" "test" {
  depends_on = [aws_config_configuration_recorder.test, aws_organizations_organization.test]

  excluded_accounts = [%[2]s]
  name              = %[1]q

  template_body = <<EOT
Resources:
  IAMPasswordPolicy:
    Properties:
      ConfigRuleName: IAMPasswordPolicy
      Source:
        Owner: AWS
        SourceIdentifier: IAM_PASSWORD_POLICY
    Type: AWS::Config::ConfigRule
EOT
}
`, rName, accounts)
}

// The template body is not returned by the API, so imports cannot verify it.
var importOrgPack = Step{ImportState: true, ResourceName: orgPackRes, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"template_body"}}

// rememberOrgPackARN and orgPackRecreated port testAccCheckOrganizationConformancePackRecreated.
func rememberOrgPackARN(e *Env, s *State) error {
	e.remembered = s.Attr(orgPackRes, "arn")
	return nil
}

func orgPackRecreated(e *Env, s *State) error {
	if arn := s.Attr(orgPackRes, "arn"); arn == e.remembered {
		return fmt.Errorf("ConfigService Organization Conformance Pack was not recreated (%s)", arn)
	}
	return nil
}

func TestOrganizationConformancePack(t *testing.T) {
	rName := orgRandomName("tf-acc-test")
	rNameUpdated := orgRandomName("tf-acc-test-update")
	Run(t, []Case{
		{
			Name: "OrganizationConformancePack/basic",
			Steps: []Step{
				{Config: orgPackConfigBasic(rName), Check: []Check{
					Exists(orgPackRes),
					RegionalARNMatch(orgPackRes, "arn", "config", fmt.Sprintf("organization-conformance-pack/%s-.+", rName)),
					Attr(orgPackRes, "name", rName),
					Attr(orgPackRes, "delivery_s3_bucket", ""),
					Attr(orgPackRes, "delivery_s3_key_prefix", ""),
					Attr(orgPackRes, "input_parameter.#", "0"),
					Attr(orgPackRes, "excluded_accounts.#", "0"),
				}},
				importOrgPack,
			},
		},
		{
			Name: "OrganizationConformancePack/disappears",
			Steps: []Step{
				{Config: orgPackConfigBasic(rName), ExpectNonEmptyPlan: true, Check: []Check{
					Exists(orgPackRes),
					orgRuleDisappears(orgPackRes),
				}},
			},
		},
		{
			Name: "OrganizationConformancePack/excludedAccounts",
			Steps: []Step{
				{Config: orgPackConfigExcludedAccounts(rName, `"111111111111"`), Check: []Check{
					Exists(orgPackRes), Attr(orgPackRes, "excluded_accounts.#", "1"),
				}},
				importOrgPack,
				{Config: orgPackConfigExcludedAccounts(rName, `"111111111111", "222222222222"`), Check: []Check{
					Exists(orgPackRes), Attr(orgPackRes, "excluded_accounts.#", "2"),
				}},
				importOrgPack,
				{Config: orgPackConfigBasic(rName), Check: []Check{
					Exists(orgPackRes), Attr(orgPackRes, "excluded_accounts.#", "0"),
				}},
			},
		},
		{
			Name: "OrganizationConformancePack/updateName",
			Steps: []Step{
				{Config: orgPackConfigBasic(rName), Check: []Check{
					Exists(orgPackRes), Attr(orgPackRes, "name", rName), rememberOrgPackARN,
				}},
				{Config: orgPackConfigBasic(rNameUpdated), Check: []Check{
					Exists(orgPackRes),
					orgPackRecreated,
					RegionalARNMatch(orgPackRes, "arn", "config", fmt.Sprintf("organization-conformance-pack/%s-.+", rNameUpdated)),
					Attr(orgPackRes, "name", rNameUpdated),
					Attr(orgPackRes, "delivery_s3_bucket", ""),
					Attr(orgPackRes, "delivery_s3_key_prefix", ""),
					Attr(orgPackRes, "input_parameter.#", "0"),
					Attr(orgPackRes, "excluded_accounts.#", "0"),
				}},
				importOrgPack,
			},
		},
		{
			Name: "OrganizationConformancePack/inputParameters",
			Steps: []Step{
				{Config: orgPackConfigInputParameter(rName, "ParamKey", "ParamValue"), Check: []Check{
					Exists(orgPackRes),
					Attr(orgPackRes, "input_parameter.#", "1"),
					SetElemNested(orgPackRes, "input_parameter.*", map[string]string{"parameter_name": "ParamKey", "parameter_value": "ParamValue"}),
				}},
				importOrgPack,
			},
		},
		{
			Name: "OrganizationConformancePack/updateInputParameters",
			Steps: []Step{
				{Config: orgPackConfigInputParameter(rName, "TestKey", "TestValue"), Check: []Check{Exists(orgPackRes)}},
				{Config: orgPackConfigUpdateInputParameter(rName, "TestKey1", "TestKey2"), Check: []Check{
					Exists(orgPackRes),
					Attr(orgPackRes, "input_parameter.#", "2"),
					SetElemNested(orgPackRes, "input_parameter.*", map[string]string{"parameter_name": "TestKey1", "parameter_value": "TestValue1"}),
					SetElemNested(orgPackRes, "input_parameter.*", map[string]string{"parameter_name": "TestKey2", "parameter_value": "TestValue2"}),
				}},
				importOrgPack,
				{Config: orgPackConfigBasic(rName), Check: []Check{
					Exists(orgPackRes), Attr(orgPackRes, "input_parameter.#", "0"),
				}},
			},
		},
		{
			Name: "OrganizationConformancePack/updateTemplateBody",
			Steps: []Step{
				{Config: orgPackConfigBasic(rName), Check: []Check{Exists(orgPackRes)}},
				{Config: orgPackConfigUpdate(rName), Check: []Check{Exists(orgPackRes)}},
				importOrgPack,
			},
		},
	})
}
