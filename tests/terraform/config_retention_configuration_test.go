package terraform

import (
	"fmt"
	"testing"
)

// Ported from internal/service/configservice/retention_configuration_test.go
// (TestAccConfigService_serial, RetentionConfiguration/*).

const retentionConfigurationRes = "aws_config_retention_configuration.test"

func retentionConfigurationConfigBasic(days int) string {
	return fmt.Sprintf(`
resource "aws_config_retention_configuration" "test" {
  retention_period_in_days = %[1]d
}
`, days)
}

func TestConfigRetentionConfiguration(t *testing.T) {
	const res = retentionConfigurationRes
	Run(t, []Case{
		{
			Name: "RetentionConfiguration/basic",
			Steps: []Step{
				{Config: retentionConfigurationConfigBasic(90), Check: []Check{
					Exists(res),
					Attr(res, "name", "default"),
					Attr(res, "retention_period_in_days", "90"),
				}},
				{ImportState: true, ResourceName: res, ImportStateVerify: true},
				{Config: retentionConfigurationConfigBasic(180), Check: []Check{
					Exists(res),
					Attr(res, "name", "default"),
					Attr(res, "retention_period_in_days", "180"),
				}},
			},
		},
		{
			Name: "RetentionConfiguration/disappears",
			Steps: []Step{
				{Config: retentionConfigurationConfigBasic(90), Check: []Check{Exists(res), Disappears(res)}, ExpectNonEmptyPlan: true},
			},
		},
	})
}
