package terraform

// The port of internal/service/configservice/configuration_recorder_status_test.go
// (TestAccConfigService_serial, ConfigurationRecorderStatus/*) would be here. None of its cases
// is ported: their one configuration (testAccConfigurationRecorderStatusConfig_basic) needs a
// delivery channel on an S3 bucket (aws_s3_bucket), and orgconfig does not serve S3.
func init() {
	const s3 = "needs Amazon S3 (aws_s3_bucket for the delivery channel), which orgconfig does not serve"
	notPorted = append(notPorted,
		NotPorted{"ConfigurationRecorderStatus/basic", s3},
		NotPorted{"ConfigurationRecorderStatus/startEnabled", s3},
		NotPorted{"ConfigurationRecorderStatus/disappears", s3},
	)
}
