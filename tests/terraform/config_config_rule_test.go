package terraform

import (
	"fmt"
	"testing"
)

// Ported from internal/service/configservice/config_rule_test.go (TestAccConfigService_serial,
// ConfigRule/*), but for ConfigRule/customlambda: its configuration needs a Lambda function
// (aws_lambda_function, aws_lambda_permission) and an S3 bucket for the delivery channel
// (aws_s3_bucket), and orgconfig serves neither Lambda nor S3.
func init() {
	notPorted = append(notPorted, NotPorted{"ConfigRule/customlambda",
		"needs AWS Lambda and Amazon S3 (aws_lambda_function, aws_lambda_permission, aws_s3_bucket), which orgconfig does not serve"})
}

const configRuleName = "tf-acc-test-6041877436129353142"

const configRuleRes = "aws_config_config_rule.test"

func configRuleConfigBase(rName string) string {
	return fmt.Sprintf(`
data "aws_partition" "current" {}

resource "aws_config_configuration_recorder" "test" {
  name     = %[1]q
  role_arn = aws_iam_role.test.arn
}

resource "aws_iam_role" "test" {
  name = %[1]q

  assume_role_policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Action": "sts:AssumeRole",
      "Principal": {
        "Service": "config.${data.aws_partition.current.dns_suffix}"
      },
      "Effect": "Allow",
      "Sid": ""
    }
  ]
}
EOF
}

resource "aws_iam_role_policy_attachment" "test" {
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWS_ConfigRole"
  role       = aws_iam_role.test.name
}
`, rName)
}

func configRuleConfigBasic(rName string) string {
	return configRuleConfigBase(rName) + fmt.Sprintf(`
resource "aws_config_config_rule" "test" {
  name = %[1]q

  source {
    owner             = "AWS"
    source_identifier = "S3_BUCKET_VERSIONING_ENABLED"
  }

  depends_on = [aws_config_configuration_recorder.test]
}
`, rName)
}

func configRuleConfigOwnerAWS(rName string) string {
	return configRuleConfigBase(rName) + fmt.Sprintf(`
resource "aws_config_config_rule" "test" {
  name        = %[1]q
  description = "Terraform Acceptance tests"

  source {
    owner             = "AWS"
    source_identifier = "REQUIRED_TAGS"
  }

  scope {
    compliance_resource_id    = "blablah"
    compliance_resource_types = ["AWS::EC2::Instance"]
  }

  input_parameters = <<PARAMS
{
  "tag1Key": "CostCenter",
  "tag2Key": "Owner"
}
PARAMS

  depends_on = [aws_config_configuration_recorder.test]
}
`, rName)
}

func configRuleConfigOwnerPolicy(rName string, enableDebugLogDelivery bool) string {
	return configRuleConfigBase(rName) + fmt.Sprintf(`
resource "aws_config_config_rule" "test" {
  name = %[1]q

  source {
    owner = "CUSTOM_POLICY"

    source_detail {
      message_type = "ConfigurationItemChangeNotification"
    }

    custom_policy_details {
      policy_runtime = "guard-2.x.x"
      policy_text    = <<EOF
	  rule tableisactive when
		  resourceType == "AWS::DynamoDB::Table" {
		  configuration.tableStatus == ['ACTIVE']
	  }

	  rule checkcompliance when
		  resourceType == "AWS::DynamoDB::Table"
		  tableisactive {
			  supplementaryConfiguration.ContinuousBackupsDescription.pointInTimeRecoveryDescription.pointInTimeRecoveryStatus == "ENABLED"
	  }
EOF

      enable_debug_log_delivery = %[2]t
    }
  }

  depends_on = [aws_config_configuration_recorder.test]
}
`, rName, enableDebugLogDelivery)
}

func configRuleConfigScopeTagKey(rName, tagKey string) string {
	return configRuleConfigBase(rName) + fmt.Sprintf(`
resource "aws_config_config_rule" "test" {
  name = %[1]q

  scope {
    tag_key = %[2]q
  }

  source {
    owner             = "AWS"
    source_identifier = "S3_BUCKET_VERSIONING_ENABLED"
  }

  depends_on = [aws_config_configuration_recorder.test]
}
`, rName, tagKey)
}

func configRuleConfigScopeTagValue(rName, tagValue string) string {
	return configRuleConfigBase(rName) + fmt.Sprintf(`
resource "aws_config_config_rule" "test" {
  name = %[1]q

  scope {
    tag_key   = "key"
    tag_value = %[2]q
  }

  source {
    owner             = "AWS"
    source_identifier = "S3_BUCKET_VERSIONING_ENABLED"
  }

  depends_on = [aws_config_configuration_recorder.test]
}
`, rName, tagValue)
}

func configRuleConfigTags1(rName, tagKey1, tagValue1 string) string {
	return configRuleConfigBase(rName) + fmt.Sprintf(`
resource "aws_config_config_rule" "test" {
  name = %[1]q

  source {
    owner             = "AWS"
    source_identifier = "S3_BUCKET_VERSIONING_ENABLED"
  }

  tags = {
    %[2]s = %[3]q
  }

  depends_on = [aws_config_configuration_recorder.test]
}
`, rName, tagKey1, tagValue1)
}

func configRuleConfigTags2(rName, tagKey1, tagValue1, tagKey2, tagValue2 string) string {
	return configRuleConfigBase(rName) + fmt.Sprintf(`
resource "aws_config_config_rule" "test" {
  name = %[1]q

  source {
    owner             = "AWS"
    source_identifier = "S3_BUCKET_VERSIONING_ENABLED"
  }

  tags = {
    %[2]s = %[3]q
    %[4]s = %[5]q
  }

  depends_on = [aws_config_configuration_recorder.test]
}
`, rName, tagKey1, tagValue1, tagKey2, tagValue2)
}

func configRuleConfigEvaluationMode(rName, evaluationMode string) string {
	return configRuleConfigBase(rName) + fmt.Sprintf(`
resource "aws_config_config_rule" "test" {
  name = %[1]q

  source {
    owner             = "AWS"
    source_identifier = "EIP_ATTACHED"
  }

%[2]s

  depends_on = [aws_config_configuration_recorder.test]
}
`, rName, evaluationMode)
}

const (
	configRuleEvaluationMode1 = `
  evaluation_mode {
    mode = "DETECTIVE"
  }
`
	configRuleEvaluationMode2 = `
  evaluation_mode {
    mode = "DETECTIVE"
  }

  evaluation_mode {
    mode = "PROACTIVE"
  }
`
)

func TestConfigRule(t *testing.T) {
	const res = configRuleRes
	rName := configRuleName
	importRule := Step{ImportState: true, ResourceName: res, ImportStateVerify: true}
	Run(t, []Case{
		{
			Name: "ConfigRule/basic",
			Steps: []Step{
				{Config: configRuleConfigBasic(rName), Check: []Check{
					Exists(res),
					Attr(res, "name", rName),
					Attr(res, "source.#", "1"),
					Attr(res, "source.0.owner", "AWS"),
					Attr(res, "source.0.source_identifier", "S3_BUCKET_VERSIONING_ENABLED"),
					SetElemNested(res, "evaluation_mode.*", map[string]string{"mode": "DETECTIVE"}),
				}},
			},
		},
		{
			Name: "ConfigRule/ownerAws",
			Steps: []Step{
				{Config: configRuleConfigOwnerAWS(rName), Check: []Check{
					Exists(res),
					RegionalARNMatch(res, "arn", "config", `config-rule/config-rule-[0-9a-z]+`),
					Attr(res, "name", rName),
					AttrMatch(res, "rule_id", `config-rule-[0-9a-z]+$`),
					Attr(res, "description", "Terraform Acceptance tests"),
					Attr(res, "source.#", "1"),
					Attr(res, "source.0.owner", "AWS"),
					Attr(res, "source.0.source_identifier", "REQUIRED_TAGS"),
					Attr(res, "source.0.source_detail.#", "0"),
					Attr(res, "scope.#", "1"),
					Attr(res, "scope.0.compliance_resource_id", "blablah"),
					Attr(res, "scope.0.compliance_resource_types.#", "1"),
					SetElem(res, "scope.0.compliance_resource_types.*", "AWS::EC2::Instance"),
				}},
				importRule,
			},
		},
		{
			Name: "ConfigRule/customPolicy",
			Steps: []Step{
				{Config: configRuleConfigOwnerPolicy(rName, false), Check: configRuleOwnerPolicyChecks(rName, "false")},
				{ImportState: true, ResourceName: res, ImportStateVerify: true,
					ImportStateVerifyIgnore: []string{"source.0.custom_policy_details.0.policy_text"}},
				{Config: configRuleConfigOwnerPolicy(rName, true), Check: configRuleOwnerPolicyChecks(rName, "true")},
			},
		},
		{
			Name: "ConfigRule/evaluationMode",
			Steps: []Step{
				{Config: configRuleConfigEvaluationMode(rName, configRuleEvaluationMode1), Check: []Check{
					Exists(res),
					Attr(res, "name", rName),
					SetElemNested(res, "evaluation_mode.*", map[string]string{"mode": "DETECTIVE"}),
				}},
				{Config: configRuleConfigEvaluationMode(rName, configRuleEvaluationMode2), Check: []Check{
					Exists(res),
					Attr(res, "name", rName),
					SetElemNested(res, "evaluation_mode.*", map[string]string{"mode": "DETECTIVE"}),
					SetElemNested(res, "evaluation_mode.*", map[string]string{"mode": "PROACTIVE"}),
				}},
			},
		},
		{
			Name: "ConfigRule/scopeTagKey",
			Steps: []Step{
				{Config: configRuleConfigScopeTagKey(rName, "key1"), Check: []Check{
					Exists(res),
					Attr(res, "scope.#", "1"),
					Attr(res, "scope.0.tag_key", "key1"),
				}},
				{Config: configRuleConfigScopeTagKey(rName, "key2"), Check: []Check{
					Exists(res),
					Attr(res, "scope.#", "1"),
					Attr(res, "scope.0.tag_key", "key2"),
				}},
			},
		},
		{
			Name: "ConfigRule/scopeTagKeyEmpty",
			Steps: []Step{
				{Config: configRuleConfigScopeTagKey(rName, ""), Check: []Check{Exists(res)}},
			},
		},
		{
			Name: "ConfigRule/scopeTagValue",
			Steps: []Step{
				{Config: configRuleConfigScopeTagValue(rName, "value1"), Check: []Check{
					Exists(res),
					Attr(res, "scope.#", "1"),
					Attr(res, "scope.0.tag_value", "value1"),
				}},
				{Config: configRuleConfigScopeTagValue(rName, "value2"), Check: []Check{
					Exists(res),
					Attr(res, "scope.#", "1"),
					Attr(res, "scope.0.tag_value", "value2"),
				}},
			},
		},
		{
			Name: "ConfigRule/tags",
			Steps: []Step{
				{Config: configRuleConfigTags1(rName, "key1", "value1"), Check: []Check{
					Exists(res),
					Attr(res, "tags.%", "1"),
					Attr(res, "tags.key1", "value1"),
				}},
				importRule,
				{Config: configRuleConfigTags2(rName, "key1", "value1updated", "key2", "value2"), Check: []Check{
					Exists(res),
					Attr(res, "tags.%", "2"),
					Attr(res, "tags.key1", "value1updated"),
					Attr(res, "tags.key2", "value2"),
				}},
				{Config: configRuleConfigTags1(rName, "key2", "value2"), Check: []Check{
					Exists(res),
					Attr(res, "tags.%", "1"),
					Attr(res, "tags.key2", "value2"),
				}},
			},
		},
		{
			Name: "ConfigRule/disappears",
			Steps: []Step{
				{Config: configRuleConfigBasic(rName), Check: []Check{Exists(res), Disappears(res)}, ExpectNonEmptyPlan: true},
			},
		},
	})
}

func configRuleOwnerPolicyChecks(rName, debug string) []Check {
	const res = configRuleRes
	return []Check{
		Exists(res),
		RegionalARNMatch(res, "arn", "config", `config-rule/config-rule-[0-9a-z]+`),
		Attr(res, "name", rName),
		AttrMatch(res, "rule_id", `config-rule-[0-9a-z]+$`),
		Attr(res, "scope.#", "0"),
		Attr(res, "source.#", "1"),
		Attr(res, "source.0.owner", "CUSTOM_POLICY"),
		Attr(res, "source.0.source_detail.#", "1"),
		Attr(res, "source.0.source_detail.0.message_type", "ConfigurationItemChangeNotification"),
		Attr(res, "source.0.custom_policy_details.#", "1"),
		Attr(res, "source.0.custom_policy_details.0.enable_debug_log_delivery", debug),
		Attr(res, "source.0.custom_policy_details.0.policy_runtime", "guard-2.x.x"),
	}
}
