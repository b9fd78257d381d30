package terraform

// The port of internal/service/configservice/delivery_channel_test.go
// (TestAccConfigService_serial, DeliveryChannel/*) would be here. None of its cases is ported:
// their configurations declare an S3 bucket and a KMS key (aws_s3_bucket, aws_kms_key in
// testAccDeliveryChannelConfig_base), and allParams an SNS topic too (aws_sns_topic); orgconfig
// serves none of S3, KMS and SNS.
func init() {
	const s3kms = "needs Amazon S3 and AWS KMS (aws_s3_bucket, aws_kms_key), which orgconfig does not serve"
	notPorted = append(notPorted,
		NotPorted{"DeliveryChannel/basic", s3kms},
		NotPorted{"DeliveryChannel/allParams", "needs Amazon S3, AWS KMS and Amazon SNS (aws_s3_bucket, aws_kms_key, aws_sns_topic), which orgconfig does not serve"},
		NotPorted{"DeliveryChannel/disappears", s3kms},
	)
}
