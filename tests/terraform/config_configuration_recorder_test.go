package terraform

// The port of internal/service/configservice/configuration_recorder_test.go
// (TestAccConfigService_serial, ConfigurationRecorder/*) would be here. None of its cases is
// ported: every configuration of the file (testAccConfigurationRecorderConfig_basic, _allParams
// and _recordStrategy) declares an S3 bucket for its delivery channel (aws_s3_bucket, and
// aws_s3_bucket_ownership_controls in recordStrategy), and orgconfig does not serve S3. The
// recorder itself is applied, imported and destroyed by the ConfigRule and ConformancePack
// cases, whose configurations include one.
func init() {
	const s3 = "needs Amazon S3 (aws_s3_bucket for the delivery channel), which orgconfig does not serve"
	notPorted = append(notPorted,
		NotPorted{"ConfigurationRecorder/basic", s3},
		NotPorted{"ConfigurationRecorder/allParams", s3},
		NotPorted{"ConfigurationRecorder/recordStrategy", "needs Amazon S3 (aws_s3_bucket, aws_s3_bucket_ownership_controls for the delivery channel), which orgconfig does not serve"},
		NotPorted{"ConfigurationRecorder/disappears", s3},
	)
}
