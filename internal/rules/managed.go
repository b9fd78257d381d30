package rules

// Resource types the evaluated rules apply to.
var (
	bucketTypes        = []string{"AWS::S3::Bucket"}
	securityGroupTypes = []string{"AWS::EC2::SecurityGroup"}
	volumeTypes        = []string{"AWS::EC2::Volume"}
	instanceTypes      = []string{"AWS::EC2::Instance"}
)

// managedRules are the rules orgconfig evaluates, grouped by the resource type they evaluate
// (tags, S3 buckets, EBS volumes, security groups, instances, Elastic IPs, IAM users, RDS, then
// the account's password policy).
func managedRules() []*Rule {
	return []*Rule{
		itemRule("REQUIRED_TAGS", requiredTagsTypes, ChangeTriggered, requiredTagsParams(), checkRequiredTags),
		itemRule("S3_BUCKET_VERSIONING_ENABLED", bucketTypes, ChangeTriggered, []Param{
			{Name: "isMfaDeleteEnabled", Description: `"true" also requires MFA delete to be enabled.`},
		}, checkBucketVersioning),
		itemRule("S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED", bucketTypes, ChangeTriggered, nil, checkBucketEncryption),
		itemRule("S3_BUCKET_LOGGING_ENABLED", bucketTypes, ChangeTriggered, []Param{
			{Name: "targetBucket", Description: "The bucket server access logs must be delivered to."},
			{Name: "targetPrefix", Description: "The prefix of the delivered logs."},
		}, checkBucketLogging),
		itemRule("S3_BUCKET_PUBLIC_READ_PROHIBITED", bucketTypes, ChangeTriggered|Periodic, nil, checkBucketPublicRead),
		itemRule("S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED", bucketTypes, ChangeTriggered, []Param{
			{Name: "excludedPublicBuckets", Description: "Comma-separated names of buckets allowed to be public."},
		}, checkBucketLevelPublicAccess),
		itemRule("ENCRYPTED_VOLUMES", volumeTypes, ChangeTriggered, []Param{
			{Name: "kmsId", Description: "ID or ARN of the KMS key the volumes must be encrypted with."},
		}, checkEncryptedVolume),
		itemRule("EC2_VOLUME_INUSE_CHECK", volumeTypes, ChangeTriggered, []Param{
			{Name: "deleteOnTermination", Description: `"true" or "false": the DeleteOnTermination every attachment must have.`},
		}, checkVolumeInUse),
		named("restricted-ssh", itemRule("INCOMING_SSH_DISABLED", securityGroupTypes, ChangeTriggered|Periodic, nil, checkIncomingSSH)),
		named("restricted-common-ports", itemRule("RESTRICTED_INCOMING_TRAFFIC", securityGroupTypes, ChangeTriggered|Periodic, blockedPortParams(), checkRestrictedPorts)),
		itemRule("VPC_DEFAULT_SECURITY_GROUP_CLOSED", securityGroupTypes, ChangeTriggered, nil, checkDefaultSecurityGroup),
		// AWS's older documentation lists this rule as change-triggered; its current catalogue
		// adds a periodic trigger, as for the two rules above, and so do we.
		itemRule("VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS", securityGroupTypes, ChangeTriggered|Periodic, []Param{
			{Name: "authorizedTcpPorts", Description: `TCP ports open to 0.0.0.0/0 may use, e.g. "443,1020-1025".`},
			{Name: "authorizedUdpPorts", Description: `UDP ports open to 0.0.0.0/0 may use, e.g. "500,1020-1025".`},
		}, checkAuthorizedPorts),
		itemRule("EC2_INSTANCE_NO_PUBLIC_IP", instanceTypes, ChangeTriggered, nil, checkInstanceNoPublicIP),
		itemRule("DESIRED_INSTANCE_TYPE", instanceTypes, ChangeTriggered, []Param{
			{Name: "instanceType", Required: true, Description: "Comma-separated allowed instance types, e.g. t2.small,m4.large."},
		}, checkInstanceType),
		itemRule("APPROVED_AMIS_BY_ID", instanceTypes, ChangeTriggered, []Param{
			{Name: "amiIds", Required: true, Description: "Comma-separated approved AMI IDs (at most 21 IDs, 1024 characters)."},
		}, checkApprovedAMI),
		itemRule("EIP_ATTACHED", []string{"AWS::EC2::EIP"}, ChangeTriggered, nil, checkEIPAttached),
		itemRule("IAM_USER_NO_POLICIES_CHECK", []string{"AWS::IAM::User"}, ChangeTriggered, nil, checkUserNoPolicies),
		itemRule("RDS_STORAGE_ENCRYPTED", []string{"AWS::RDS::DBInstance"}, ChangeTriggered, []Param{
			{Name: "kmsKeyId", Description: "ID or ARN of the KMS key the storage must be encrypted with."},
		}, checkRDSStorageEncrypted),
		{
			Identifier:      "IAM_PASSWORD_POLICY",
			Triggers:        Periodic,
			Params:          passwordPolicyParams,
			Evaluable:       true,
			EvaluateAccount: evaluatePasswordPolicy,
		},
	}
}
