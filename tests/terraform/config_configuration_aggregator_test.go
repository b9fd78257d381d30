package terraform

import (
	"fmt"
	"testing"
)

// Ported from internal/service/configservice/configuration_aggregator_test.go
// (TestAccConfigServiceConfigurationAggregator_*). The organization cases' PreCheck
// (PreCheckOrganizationsAccount) wants an account outside any organization, which a new
// server's bootstrap account is: their configuration creates the organization itself.

const configurationAggregatorName = "tf-acc-test-4212736498126387"

const configurationAggregatorRes = "aws_config_configuration_aggregator.test"

func configurationAggregatorConfigAccount(rName string) string {
	return fmt.Sprintf(`
data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

resource "aws_config_configuration_aggregator" "test" {
  name = %[1]q

  account_aggregation_source {
    account_ids = [data.aws_caller_identity.current.account_id]
    regions     = [data.aws_region.current.name]
  }
}
`, rName)
}

func configurationAggregatorConfigOrganization(rName string) string {
	return fmt.Sprintf(`
resource "aws_organizations_organization" "test" {
  aws_service_access_principals = ["config.${data.aws_partition.current.dns_suffix}"]
}

resource "aws_config_configuration_aggregator" "test" {
  depends_on = [aws_iam_role_policy_attachment.test, aws_organizations_organization.test]

  name = %[1]q

  organization_aggregation_source {
    all_regions = true
    role_arn    = aws_iam_role.test.arn
  }
}

data "aws_partition" "current" {}

resource "aws_iam_role" "test" {
  name = %[1]q

  assume_role_policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "",
      "Effect": "Allow",
      "Principal": {
        "Service": "config.${data.aws_partition.current.dns_suffix}"
      },
      "Action": "sts:AssumeRole"
    }
  ]
}
EOF
}

resource "aws_iam_role_policy_attachment" "test" {
  role       = aws_iam_role.test.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSConfigRoleForOrganizations"
}
`, rName)
}

func configurationAggregatorConfigTags1(rName, tagKey1, tagValue1 string) string {
	return fmt.Sprintf(`
data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

resource "aws_config_configuration_aggregator" "test" {
  name = %[1]q

  account_aggregation_source {
    account_ids = [data.aws_caller_identity.current.account_id]
    regions     = [data.aws_region.current.name]
  }

  tags = {
    %[2]q = %[3]q
  }
}
`, rName, tagKey1, tagValue1)
}

func configurationAggregatorConfigTags2(rName, tagKey1, tagValue1, tagKey2, tagValue2 string) string {
	return fmt.Sprintf(`
data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

resource "aws_config_configuration_aggregator" "test" {
  name = %[1]q

  account_aggregation_source {
    account_ids = [data.aws_caller_identity.current.account_id]
    regions     = [data.aws_region.current.name]
  }

  tags = {
    %[2]q = %[3]q
    %[4]q = %[5]q
  }
}
`, rName, tagKey1, tagValue1, tagKey2, tagValue2)
}

func TestConfigConfigurationAggregator(t *testing.T) {
	const res = configurationAggregatorRes
	rName := configurationAggregatorName
	Run(t, []Case{
		{
			Name: "ConfigurationAggregator/account",
			Steps: []Step{
				{Config: configurationAggregatorConfigAccount(rName), Check: []Check{
					Exists(res),
					Attr(res, "name", rName),
					RegionalARNMatch(res, "arn", "config", `config-aggregator/config-aggregator-.+`),
					Attr(res, "account_aggregation_source.#", "1"),
					Attr(res, "account_aggregation_source.0.account_ids.#", "1"),
					AccountID(res, "account_aggregation_source.0.account_ids.0"),
					Attr(res, "account_aggregation_source.0.regions.#", "1"),
					AttrPair(res, "account_aggregation_source.0.regions.0", "data.aws_region.current", "name"),
					Attr(res, "tags.%", "0"),
				}},
				{ImportState: true, ResourceName: res, ImportStateVerify: true},
			},
		},
		{
			Name: "ConfigurationAggregator/organization",
			Steps: []Step{
				{Config: configurationAggregatorConfigOrganization(rName), Check: []Check{
					Exists(res),
					Attr(res, "name", rName),
					Attr(res, "organization_aggregation_source.#", "1"),
					AttrPair(res, "organization_aggregation_source.0.role_arn", "aws_iam_role.test", "arn"),
					Attr(res, "organization_aggregation_source.0.all_regions", "true"),
				}},
				{ImportState: true, ResourceName: res, ImportStateVerify: true},
			},
		},
		{
			Name: "ConfigurationAggregator/switch",
			Steps: []Step{
				{Config: configurationAggregatorConfigAccount(rName), Check: []Check{
					Attr(res, "account_aggregation_source.#", "1"),
					Attr(res, "organization_aggregation_source.#", "0"),
				}},
				{Config: configurationAggregatorConfigOrganization(rName), Check: []Check{
					Attr(res, "account_aggregation_source.#", "0"),
					Attr(res, "organization_aggregation_source.#", "1"),
				}},
			},
		},
		{
			Name: "ConfigurationAggregator/tags",
			Steps: []Step{
				{Config: configurationAggregatorConfigTags1(rName, "key1", "value1"), Check: []Check{
					Exists(res),
					Attr(res, "tags.%", "1"),
					Attr(res, "tags.key1", "value1"),
				}},
				{Config: configurationAggregatorConfigTags2(rName, "key1", "value1updated", "key2", "value2"), Check: []Check{
					Exists(res),
					Attr(res, "tags.%", "2"),
					Attr(res, "tags.key1", "value1updated"),
					Attr(res, "tags.key2", "value2"),
				}},
				{ImportState: true, ResourceName: res, ImportStateVerify: true},
				{Config: configurationAggregatorConfigTags1(rName, "key2", "value2"), Check: []Check{
					Exists(res),
					Attr(res, "tags.%", "1"),
					Attr(res, "tags.key2", "value2"),
				}},
			},
		},
		{
			Name: "ConfigurationAggregator/disappears",
			Steps: []Step{
				{Config: configurationAggregatorConfigAccount(rName), Check: []Check{
					Exists(res), Disappears(res),
				}, ExpectNonEmptyPlan: true},
			},
		},
	})
}
