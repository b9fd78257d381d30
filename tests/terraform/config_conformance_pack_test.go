package terraform

import (
	"fmt"
	"testing"
)

// Ported from internal/service/configservice/conformance_pack_test.go
// (TestAccConfigService_serial, ConformancePack/*), but for the cases whose configurations need
// S3, which orgconfig does not serve: S3Delivery and updateS3Delivery (a delivery bucket),
// S3Template, updateS3Template and S3TemplateAndTemplateBody (a template in an S3 object).
func init() {
	const delivery = "needs Amazon S3 (aws_s3_bucket for delivery_s3_bucket), which orgconfig does not serve"
	const template = "needs Amazon S3 (aws_s3_bucket, aws_s3_object for template_s3_uri), which orgconfig does not serve"
	notPorted = append(notPorted,
		NotPorted{"ConformancePack/S3Delivery", delivery},
		NotPorted{"ConformancePack/updateS3Delivery", delivery},
		NotPorted{"ConformancePack/S3Template", template},
		NotPorted{"ConformancePack/updateS3Template", template},
		NotPorted{"ConformancePack/S3TemplateAndTemplateBody", template},
	)
}

const (
	conformancePackName        = "tf-acc-test-2750382691054730081"
	conformancePackNameUpdated = "tf-acc-test-update-5290618810034775902"
)

const conformancePackRes = "aws_config_conformance_pack.test"

func conformancePackConfigBase(rName string) string {
	return fmt.Sprintf(`
data "aws_partition" "current" {}

resource "aws_config_configuration_recorder" "test" {
  depends_on = [aws_iam_role_policy_attachment.test]
  name       = %[1]q
  role_arn   = aws_iam_role.test.arn
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
`, rName)
}

func conformancePackConfigBasic(rName string) string {
	return conformancePackConfigBase(rName) + fmt.Sprintf(`
resource "aws_config_conformance_pack" "test" {
  depends_on    = [aws_config_configuration_recorder.test]
  name          = %q
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

func conformancePackConfigUpdate(rName string) string {
	return conformancePackConfigBase(rName) + fmt.Sprintf(`
resource "aws_config_conformance_pack" "test" {
  depends_on    = [aws_config_configuration_recorder.test]
  name          = %q
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

func conformancePackConfigInputParameter(rName, pName, pValue string) string {
	return conformancePackConfigBase(rName) + fmt.Sprintf(`
resource "aws_config_conformance_pack" "test" {
  depends_on = [aws_config_configuration_recorder.test]
  name       = %q

  input_parameter {
    parameter_name  = %[2]q
    parameter_value = %q
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
`, rName, pName, pValue)
}

func conformancePackConfigUpdateInputParameter(rName, pName1, pName2 string) string {
	return conformancePackConfigBase(rName) + fmt.Sprintf(`
resource "aws_config_conformance_pack" "test" {
  depends_on = [
  aws_config_configuration_recorder.test]
  name = %[1]q

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

func TestConfigConformancePack(t *testing.T) {
	const res = conformancePackRes
	rName, rNameUpdated := conformancePackName, conformancePackNameUpdated
	importPack := Step{ImportState: true, ResourceName: res, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"template_body"}}
	packChecks := func(name string, extra ...Check) []Check {
		return append([]Check{
			Exists(res),
			RegionalARNMatch(res, "arn", "config", "conformance-pack/"+name+"/.+"),
			Attr(res, "name", name),
			Attr(res, "delivery_s3_bucket", ""),
			Attr(res, "delivery_s3_key_prefix", ""),
		}, extra...)
	}
	Run(t, []Case{
		{
			Name: "ConformancePack/basic",
			Steps: []Step{
				{Config: conformancePackConfigBasic(rName), Check: packChecks(rName, Attr(res, "input_parameter.#", "0"))},
				importPack,
			},
		},
		{
			Name: "ConformancePack/updateName",
			Steps: []Step{
				{Config: conformancePackConfigBasic(rName), Check: []Check{
					Exists(res), Attr(res, "name", rName), conformancePackRemember,
				}},
				{Config: conformancePackConfigBasic(rNameUpdated), Check: packChecks(rNameUpdated,
					conformancePackRecreated,
					Attr(res, "input_parameter.#", "0"),
				)},
				importPack,
			},
		},
		{
			Name: "ConformancePack/disappears",
			Steps: []Step{
				{Config: conformancePackConfigBasic(rName), Check: []Check{Exists(res), Disappears(res)}, ExpectNonEmptyPlan: true},
			},
		},
		{
			Name: "ConformancePack/inputParameters",
			Steps: []Step{
				{Config: conformancePackConfigInputParameter(rName, "TestKey", "TestValue"), Check: packChecks(rName,
					Attr(res, "input_parameter.#", "1"),
					SetElemNested(res, "input_parameter.*", map[string]string{
						"parameter_name":  "TestKey",
						"parameter_value": "TestValue",
					}),
				)},
				importPack,
			},
		},
		{
			Name: "ConformancePack/updateInputParameters",
			Steps: []Step{
				{Config: conformancePackConfigInputParameter(rName, "TestKey", "TestValue"), Check: []Check{Exists(res)}},
				{Config: conformancePackConfigUpdateInputParameter(rName, "TestKey1", "TestKey2"), Check: []Check{
					Exists(res),
					Attr(res, "input_parameter.#", "2"),
					SetElemNested(res, "input_parameter.*", map[string]string{
						"parameter_name":  "TestKey1",
						"parameter_value": "TestValue1",
					}),
					SetElemNested(res, "input_parameter.*", map[string]string{
						"parameter_name":  "TestKey2",
						"parameter_value": "TestValue2",
					}),
				}},
				importPack,
				{Config: conformancePackConfigBasic(rName), Check: []Check{
					Exists(res),
					Attr(res, "input_parameter.#", "0"),
				}},
			},
		},
		{
			Name: "ConformancePack/updateTemplateBody",
			Steps: []Step{
				{Config: conformancePackConfigBasic(rName), Check: []Check{Exists(res)}},
				{Config: conformancePackConfigUpdate(rName), Check: packChecks(rName, Attr(res, "input_parameter.#", "0"))},
				importPack,
			},
		},
	})
}

// conformancePackRemember and conformancePackRecreated port
// testAccCheckConformancePackRecreated: the pack's ARN after the step differs from the one
// remembered before it.
func conformancePackRemember(e *Env, s *State) error {
	e.remembered = s.Attr(conformancePackRes, "arn")
	return nil
}

func conformancePackRecreated(e *Env, s *State) error {
	if arn := s.Attr(conformancePackRes, "arn"); arn == e.remembered {
		return fmt.Errorf("%s: not recreated (ARN %s)", conformancePackRes, arn)
	}
	return nil
}
