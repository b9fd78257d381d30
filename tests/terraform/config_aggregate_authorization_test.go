package terraform

import (
	"fmt"
	"testing"
)

// Ported from internal/service/configservice/aggregate_authorization_test.go
// (TestAccConfigServiceAggregateAuthorization_*). The provider authorizes a random account ID;
// any well-formed one will do, since AWS does not check that the account exists.

const aggregateAuthorizationAccountID = "385749103614"

const aggregateAuthorizationRes = "aws_config_aggregate_authorization.test"

func aggregateAuthorizationConfigBasic(accountID string) string {
	return fmt.Sprintf(`
resource "aws_config_aggregate_authorization" "test" {
  account_id = %[1]q
  region     = %[2]q
}
`, accountID, Region)
}

func aggregateAuthorizationConfigTags1(accountID, tagKey1, tagValue1 string) string {
	return fmt.Sprintf(`
resource "aws_config_aggregate_authorization" "test" {
  account_id = %[1]q
  region     = %[2]q

  tags = {
    %[3]q = %[4]q
  }
}
`, accountID, Region, tagKey1, tagValue1)
}

func aggregateAuthorizationConfigTags2(accountID, tagKey1, tagValue1, tagKey2, tagValue2 string) string {
	return fmt.Sprintf(`
resource "aws_config_aggregate_authorization" "test" {
  account_id = %[1]q
  region     = %[2]q

  tags = {
    %[3]q = %[4]q
    %[5]q = %[6]q
  }
}
`, accountID, Region, tagKey1, tagValue1, tagKey2, tagValue2)
}

func TestConfigAggregateAuthorization(t *testing.T) {
	const res = aggregateAuthorizationRes
	accountID := aggregateAuthorizationAccountID
	Run(t, []Case{
		{
			Name: "AggregateAuthorization/basic",
			Steps: []Step{
				{Config: aggregateAuthorizationConfigBasic(accountID), Check: []Check{
					Exists(res),
					AttrSet(res, "arn"),
					Attr(res, "account_id", accountID),
					Attr(res, "region", Region),
				}},
				{ImportState: true, ResourceName: res, ImportStateVerify: true},
			},
		},
		{
			Name: "AggregateAuthorization/disappears",
			Steps: []Step{
				{Config: aggregateAuthorizationConfigBasic(accountID), Check: []Check{
					Exists(res), Disappears(res),
				}, ExpectNonEmptyPlan: true},
			},
		},
		{
			Name: "AggregateAuthorization/tags",
			Steps: []Step{
				{Config: aggregateAuthorizationConfigTags1(accountID, "key1", "value1"), Check: []Check{
					Exists(res),
					Attr(res, "tags.%", "1"),
					Attr(res, "tags.key1", "value1"),
				}},
				{ImportState: true, ResourceName: res, ImportStateVerify: true},
				{Config: aggregateAuthorizationConfigTags2(accountID, "key1", "value1updated", "key2", "value2"), Check: []Check{
					Exists(res),
					Attr(res, "tags.%", "2"),
					Attr(res, "tags.key1", "value1updated"),
					Attr(res, "tags.key2", "value2"),
				}},
				{Config: aggregateAuthorizationConfigTags1(accountID, "key2", "value2"), Check: []Check{
					Exists(res),
					Attr(res, "tags.%", "1"),
					Attr(res, "tags.key2", "value2"),
				}},
			},
		},
	})
}
