package terraform

// The port of internal/service/configservice/remediation_configuration_test.go
// (TestAccConfigService_serial, RemediationConfiguration/*) would be here. None of its cases is
// ported: each of its configurations (testAccRemediationConfigurationConfig_basic, _olderSchema
// and _values) declares an SNS topic (aws_sns_topic "test"), and orgconfig does not serve SNS.
func init() {
	const sns = "needs Amazon SNS (an aws_sns_topic in every configuration), which orgconfig does not serve"
	for _, name := range []string{"basic", "basicBackward", "disappears", "updates", "values"} {
		notPorted = append(notPorted, NotPorted{"RemediationConfiguration/" + name, sns})
	}
}
