package rules

import (
	_ "embed"
	"encoding/json"
)

// This file lists AWS managed rules orgconfig accepts in PutConfigRule but does not evaluate:
// their identifiers, scopes, triggers and parameters as AWS's "List of AWS Config Managed Rules"
// gives them. A parameter marked required is one AWS rejects the rule without, even where its
// documentation shows a default (ACCESS_KEYS_ROTATED's maxAccessKeyAge, for example).

// known is one catalogue entry.
type known struct {
	id       string
	name     string // default name, when it is not the identifier in lower case with hyphens
	triggers Trigger
	types    []string // empty for account-level rules
	params   []Param
}

// opt, optDefault, req and reqDefault describe catalogue parameters.
func opt(name string) Param                      { return Param{Name: name} }
func optDefault(name, defaultValue string) Param { return Param{Name: name, Default: defaultValue} }
func req(name string) Param                      { return Param{Name: name, Required: true} }
func reqDefault(name, defaultValue string) Param {
	return Param{Name: name, Required: true, Default: defaultValue}
}

// opts describes optional parameters without defaults.
func opts(names ...string) []Param {
	ps := make([]Param, len(names))
	for i, n := range names {
		ps[i] = opt(n)
	}
	return ps
}

// scope lists resource types.
func scope(t ...string) []string { return t }

// changeAndPeriodic is the trigger of rules that run on changes and periodically.
const changeAndPeriodic = ChangeTriggered | Periodic

// Resource types shared by several catalogue entries.
const (
	tBucket        = "AWS::S3::Bucket"
	tInstance      = "AWS::EC2::Instance"
	tVolume        = "AWS::EC2::Volume"
	tSecurityGroup = "AWS::EC2::SecurityGroup"
	tVPC           = "AWS::EC2::VPC"
	tUser          = "AWS::IAM::User"
	tGroup         = "AWS::IAM::Group"
	tRole          = "AWS::IAM::Role"
	tPolicy        = "AWS::IAM::Policy"
	tDBInstance    = "AWS::RDS::DBInstance"
	tDBCluster     = "AWS::RDS::DBCluster"
	tTable         = "AWS::DynamoDB::Table"
	tTrail         = "AWS::CloudTrail::Trail"
	tAlarm         = "AWS::CloudWatch::Alarm"
	tFunction      = "AWS::Lambda::Function"
	tCLB           = "AWS::ElasticLoadBalancing::LoadBalancer"
	tALB           = "AWS::ElasticLoadBalancingV2::LoadBalancer"
	tRedshift      = "AWS::Redshift::Cluster"
	tSSMInventory  = "AWS::SSM::ManagedInstanceInventory"
	tESDomain      = "AWS::Elasticsearch::Domain"
	tNotebook      = "AWS::SageMaker::NotebookInstance"
	tSecret        = "AWS::SecretsManager::Secret"
	tKMSKey        = "AWS::KMS::Key"
	tLogGroup      = "AWS::Logs::LogGroup"
	tEFS           = "AWS::EFS::FileSystem"
	tEKS           = "AWS::EKS::Cluster"
	tStage         = "AWS::ApiGateway::Stage"
	tStack         = "AWS::CloudFormation::Stack"
	tCodeBuild     = "AWS::CodeBuild::Project"
)

// catalogue is every known but not evaluated managed rule, by identifier.
var catalogue = []known{
	// Account-level rules.
	{id: "ACCOUNT_PART_OF_ORGANIZATIONS", triggers: Periodic, params: opts("MasterAccountId")},
	{id: ProcessCheckIdentifier, triggers: Periodic},
	{id: "CLOUD_TRAIL_ENABLED", name: "cloudtrail-enabled", triggers: Periodic, params: opts("s3BucketName", "snsTopicArn", "cloudWatchLogsLogGroupArn")},
	{id: "CLOUDTRAIL_S3_DATAEVENTS_ENABLED", triggers: Periodic, params: opts("S3BucketNames")},
	{id: "CLOUDTRAIL_SECURITY_TRAIL_ENABLED", triggers: Periodic},
	{id: "DYNAMODB_THROUGHPUT_LIMIT_CHECK", triggers: Periodic, params: []Param{optDefault("accountRCUThresholdPercentage", "80"), optDefault("accountWCUThresholdPercentage", "80")}},
	{id: "EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK", triggers: Periodic},
	{id: "EC2_EBS_ENCRYPTION_BY_DEFAULT", triggers: Periodic},
	{id: "EMR_BLOCK_PUBLIC_ACCESS", triggers: Periodic},
	{id: "GUARDDUTY_ENABLED_CENTRALIZED", triggers: Periodic, params: opts("CentralMonitoringAccount")},
	{id: "GUARDDUTY_NON_ARCHIVED_FINDINGS", triggers: Periodic, params: []Param{optDefault("daysLowSev", "30"), optDefault("daysMediumSev", "7"), optDefault("daysHighSev", "1")}},
	{id: "IAM_EXTERNAL_ACCESS_ANALYZER_ENABLED", triggers: Periodic},
	{id: "IAM_ROOT_ACCESS_KEY_CHECK", triggers: Periodic},
	{id: "MULTI_REGION_CLOUD_TRAIL_ENABLED", name: "multi-region-cloudtrail-enabled", triggers: Periodic, params: opts("s3BucketName", "snsTopicArn", "cloudWatchLogsLogGroupArn", "includeManagementEvents", "readWriteType")},
	{id: "ROOT_ACCOUNT_HARDWARE_MFA_ENABLED", triggers: Periodic},
	{id: "ROOT_ACCOUNT_MFA_ENABLED", triggers: Periodic},
	{id: "S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC", triggers: Periodic, params: opts("IgnorePublicAcls", "BlockPublicPolicy", "BlockPublicAcls", "RestrictPublicBuckets")},
	{id: "SECURITYHUB_ENABLED", triggers: Periodic},
	{id: "SHIELD_ADVANCED_ENABLED_AUTORENEW", triggers: Periodic},
	{id: "SHIELD_DRT_ACCESS", triggers: Periodic},

	// Resource rules.
	{id: "ACCESS_KEYS_ROTATED", triggers: Periodic, types: scope(tUser), params: []Param{reqDefault("maxAccessKeyAge", "90")}},
	{id: "ACM_CERTIFICATE_EXPIRATION_CHECK", triggers: changeAndPeriodic, types: scope("AWS::ACM::Certificate"), params: []Param{optDefault("daysToExpiration", "14")}},
	{id: "ALB_HTTP_DROP_INVALID_HEADER_ENABLED", triggers: ChangeTriggered, types: scope(tALB)},
	{id: "ALB_HTTP_TO_HTTPS_REDIRECTION_CHECK", triggers: Periodic, types: scope(tALB)},
	{id: "ALB_WAF_ENABLED", triggers: ChangeTriggered, types: scope(tALB), params: opts("wafWebAclIds")},
	{id: "API_GW_CACHE_ENABLED_AND_ENCRYPTED", triggers: ChangeTriggered, types: scope(tStage)},
	{id: "API_GW_ENDPOINT_TYPE_CHECK", triggers: ChangeTriggered, types: scope("AWS::ApiGateway::RestApi"), params: []Param{req("endpointConfigurationTypes")}},
	{id: "API_GW_EXECUTION_LOGGING_ENABLED", triggers: ChangeTriggered, types: scope(tStage, "AWS::ApiGatewayV2::Stage"), params: []Param{optDefault("loggingLevel", "ERROR,INFO")}},
	{id: "API_GW_XRAY_ENABLED", triggers: ChangeTriggered, types: scope(tStage)},
	{id: "APPROVED_AMIS_BY_TAG", triggers: ChangeTriggered, types: scope(tInstance), params: []Param{reqDefault("amisByTagKeyAndValue", "tag-key:tag-value,other-tag-key")}},
	{id: "AUTOSCALING_GROUP_ELB_HEALTHCHECK_REQUIRED", triggers: ChangeTriggered, types: scope("AWS::AutoScaling::AutoScalingGroup")},
	{id: "AUTOSCALING_LAUNCH_CONFIG_PUBLIC_IP_DISABLED", triggers: ChangeTriggered, types: scope("AWS::AutoScaling::LaunchConfiguration")},
	{id: "CLOUDFORMATION_STACK_DRIFT_DETECTION_CHECK", triggers: changeAndPeriodic, types: scope(tStack), params: []Param{req("cloudformationRoleArn")}},
	{id: "CLOUDFORMATION_STACK_NOTIFICATION_CHECK", triggers: ChangeTriggered, types: scope(tStack), params: opts("snsTopic1", "snsTopic2", "snsTopic3", "snsTopic4", "snsTopic5")},
	{id: "CLOUDWATCH_ALARM_ACTION_CHECK", triggers: ChangeTriggered, types: scope(tAlarm), params: append([]Param{
		reqDefault("alarmActionRequired", "true"), reqDefault("insufficientDataActionRequired", "true"), reqDefault("okActionRequired", "false"),
	}, opts("action1", "action2", "action3", "action4", "action5")...)},
	{id: "CLOUDWATCH_ALARM_RESOURCE_CHECK", triggers: Periodic, types: scope(tInstance, tDBCluster, tBucket, tVolume), params: []Param{req("resourceType"), req("metricName")}},
	{id: "CLOUDWATCH_ALARM_SETTINGS_CHECK", triggers: ChangeTriggered, types: scope(tAlarm), params: []Param{
		req("metricName"), opt("threshold"), opt("evaluationPeriods"), optDefault("period", "300"), opt("comparisonOperator"), opt("statistic"),
	}},
	{id: "CLOUDWATCH_LOG_GROUP_ENCRYPTED", triggers: Periodic, types: scope(tLogGroup), params: opts("KmsKeyId")},
	{id: "CLOUD_TRAIL_CLOUD_WATCH_LOGS_ENABLED", triggers: Periodic, types: scope(tTrail), params: opts("expectedDeliveryWindowAge")},
	{id: "CLOUD_TRAIL_ENCRYPTION_ENABLED", triggers: Periodic, types: scope(tTrail)},
	{id: "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED", triggers: Periodic, types: scope(tTrail)},
	{id: "CMK_BACKING_KEY_ROTATION_ENABLED", triggers: Periodic, types: scope(tKMSKey)},
	{id: "CODEBUILD_PROJECT_ENVVAR_AWSCRED_CHECK", triggers: ChangeTriggered, types: scope(tCodeBuild)},
	{id: "CODEBUILD_PROJECT_SOURCE_REPO_URL_CHECK", triggers: ChangeTriggered, types: scope(tCodeBuild)},
	{id: "CODEPIPELINE_DEPLOYMENT_COUNT_CHECK", triggers: ChangeTriggered, types: scope("AWS::CodePipeline::Pipeline"), params: opts("deploymentLimit")},
	{id: "CW_LOGGROUP_RETENTION_PERIOD_CHECK", triggers: Periodic, types: scope(tLogGroup), params: opts("LogGroupNames", "MinRetentionTime")},
	{id: "DB_INSTANCE_BACKUP_ENABLED", triggers: ChangeTriggered, types: scope(tDBInstance), params: opts("backupRetentionPeriod", "backupRetentionMinimum", "preferredBackupWindow", "checkReadReplicas")},
	{id: "DESIRED_INSTANCE_TENANCY", triggers: ChangeTriggered, types: scope(tInstance), params: []Param{req("tenancy"), opt("imageId"), opt("hostId")}},
	{id: "DMS_REPLICATION_NOT_PUBLIC", triggers: Periodic, types: scope("AWS::DMS::ReplicationInstance")},
	{id: "DYNAMODB_AUTOSCALING_ENABLED", triggers: Periodic, types: scope(tTable), params: opts(
		"minProvisionedReadCapacity", "maxProvisionedReadCapacity", "targetReadUtilization",
		"minProvisionedWriteCapacity", "maxProvisionedWriteCapacity", "targetWriteUtilization")},
	{id: "DYNAMODB_IN_BACKUP_PLAN", triggers: Periodic, types: scope(tTable)},
	{id: "DYNAMODB_PITR_ENABLED", triggers: ChangeTriggered, types: scope(tTable)},
	{id: "DYNAMODB_TABLE_ENCRYPTED_KMS", triggers: ChangeTriggered, types: scope(tTable), params: opts("kmsKeyArns")},
	{id: "DYNAMODB_TABLE_ENCRYPTION_ENABLED", triggers: ChangeTriggered, types: scope(tTable)},
	{id: "EBS_IN_BACKUP_PLAN", triggers: Periodic, types: scope(tVolume)},
	{id: "EBS_OPTIMIZED_INSTANCE", triggers: ChangeTriggered, types: scope(tInstance)},
	{id: "EC2_IMDSV2_CHECK", triggers: ChangeTriggered, types: scope(tInstance)},
	{id: "EC2_INSTANCE_DETAILED_MONITORING_ENABLED", triggers: ChangeTriggered, types: scope(tInstance)},
	{id: "EC2_INSTANCE_MANAGED_BY_SSM", name: "ec2-instance-managed-by-systems-manager", triggers: ChangeTriggered, types: scope(tInstance, tSSMInventory)},
	{id: "EC2_INSTANCE_PROFILE_ATTACHED", triggers: ChangeTriggered, types: scope(tInstance), params: opts("IamInstanceProfileArnList")},
	{id: "EC2_MANAGEDINSTANCE_APPLICATIONS_BLACKLISTED", triggers: ChangeTriggered, types: scope(tSSMInventory), params: []Param{req("applicationNames"), opt("platformType")}},
	{id: "EC2_MANAGEDINSTANCE_APPLICATIONS_REQUIRED", triggers: ChangeTriggered, types: scope(tSSMInventory), params: []Param{req("applicationNames"), opt("platformType")}},
	{id: "EC2_MANAGEDINSTANCE_ASSOCIATION_COMPLIANCE_STATUS_CHECK", triggers: ChangeTriggered, types: scope("AWS::SSM::AssociationCompliance")},
	{id: "EC2_MANAGEDINSTANCE_INVENTORY_BLACKLISTED", triggers: ChangeTriggered, types: scope(tSSMInventory), params: []Param{req("inventoryNames"), opt("platformType")}},
	{id: "EC2_MANAGEDINSTANCE_PATCH_COMPLIANCE_STATUS_CHECK", triggers: ChangeTriggered, types: scope("AWS::SSM::PatchCompliance")},
	{id: "EC2_MANAGEDINSTANCE_PLATFORM_CHECK", triggers: ChangeTriggered, types: scope(tSSMInventory), params: []Param{req("platformType"), opt("platformVersion"), opt("agentVersion"), opt("platformName")}},
	{id: "EC2_SECURITY_GROUP_ATTACHED_TO_ENI", triggers: ChangeTriggered, types: scope(tSecurityGroup)},
	{id: "EC2_STOPPED_INSTANCE", triggers: Periodic, types: scope(tInstance), params: []Param{optDefault("AllowedDays", "30")}},
	{id: "ECR_PRIVATE_IMAGE_SCANNING_ENABLED", triggers: Periodic, types: scope("AWS::ECR::Repository")},
	{id: "ECS_TASK_DEFINITION_USER_FOR_HOST_MODE_CHECK", triggers: ChangeTriggered, types: scope("AWS::ECS::TaskDefinition"), params: opts("SkipInactiveTaskDefinitions")},
	{id: "EFS_ENCRYPTED_CHECK", triggers: Periodic, types: scope(tEFS), params: opts("KmsKeyId")},
	{id: "EFS_IN_BACKUP_PLAN", triggers: Periodic, types: scope(tEFS)},
	{id: "EKS_ENDPOINT_NO_PUBLIC_ACCESS", triggers: Periodic, types: scope(tEKS)},
	{id: "EKS_SECRETS_ENCRYPTED", triggers: Periodic, types: scope(tEKS), params: opts("kmsKeyArns")},
	{id: "ELASTICACHE_REDIS_CLUSTER_AUTOMATIC_BACKUP_CHECK", triggers: Periodic, types: scope("AWS::ElastiCache::CacheCluster", "AWS::ElastiCache::ReplicationGroup"), params: []Param{optDefault("snapshotRetentionPeriod", "15")}},
	{id: "ELASTICSEARCH_ENCRYPTED_AT_REST", triggers: Periodic, types: scope(tESDomain)},
	{id: "ELASTICSEARCH_IN_VPC_ONLY", triggers: Periodic, types: scope(tESDomain)},
	{id: "ELASTICSEARCH_NODE_TO_NODE_ENCRYPTION_CHECK", triggers: ChangeTriggered, types: scope(tESDomain)},
	{id: "ELASTIC_BEANSTALK_MANAGED_UPDATES_ENABLED", triggers: ChangeTriggered, types: scope("AWS::ElasticBeanstalk::Environment"), params: opts("UpdateLevel")},
	{id: "ELB_ACM_CERTIFICATE_REQUIRED", triggers: ChangeTriggered, types: scope(tCLB)},
	{id: "ELB_CROSS_ZONE_LOAD_BALANCING_ENABLED", triggers: ChangeTriggered, types: scope(tCLB)},
	{id: "ELB_CUSTOM_SECURITY_POLICY_SSL_CHECK", triggers: ChangeTriggered, types: scope(tCLB), params: []Param{req("sslProtocolsAndCiphers")}},
	{id: "ELB_DELETION_PROTECTION_ENABLED", triggers: ChangeTriggered, types: scope(tALB)},
	{id: "ELB_LOGGING_ENABLED", triggers: ChangeTriggered, types: scope(tCLB, tALB), params: opts("s3BucketNames")},
	{id: "ELB_PREDEFINED_SECURITY_POLICY_SSL_CHECK", triggers: ChangeTriggered, types: scope(tCLB), params: []Param{req("predefinedPolicyName")}},
	{id: "ELB_TLS_HTTPS_LISTENERS_ONLY", triggers: ChangeTriggered, types: scope(tCLB)},
	{id: "EMR_KERBEROS_ENABLED", triggers: Periodic, types: scope("AWS::EMR::Cluster"), params: opts("TicketLifetimeInHours", "Realm", "Domain", "AdminServer", "KdcServer")},
	{id: "EMR_MASTER_NO_PUBLIC_IP", triggers: Periodic, types: scope("AWS::EMR::Cluster", tInstance)},
	{id: "IAM_CUSTOMER_POLICY_BLOCKED_KMS_ACTIONS", triggers: ChangeTriggered, types: scope(tPolicy), params: []Param{req("blockedActionsPatterns"), opt("excludePermissionBoundaryPolicy")}},
	{id: "IAM_GROUP_HAS_USERS_CHECK", triggers: ChangeTriggered, types: scope(tGroup)},
	{id: "IAM_INLINE_POLICY_BLOCKED_KMS_ACTIONS", triggers: ChangeTriggered, types: scope(tGroup, tRole, tUser), params: []Param{req("blockedActionsPatterns"), opt("excludeRoleByManagementAccount")}},
	{id: "IAM_NO_INLINE_POLICY_CHECK", triggers: ChangeTriggered, types: scope(tUser, tRole, tGroup)},
	{id: "IAM_POLICY_BLACKLISTED_CHECK", triggers: ChangeTriggered, types: scope(tUser, tGroup, tRole), params: []Param{reqDefault("policyArns", "arn:aws:iam::aws:policy/AdministratorAccess"), opt("exceptionList")}},
	{id: "IAM_POLICY_IN_USE", triggers: Periodic, types: scope(tPolicy), params: []Param{req("policyARN"), opt("policyUsageType")}},
	{id: "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS", triggers: ChangeTriggered, types: scope(tPolicy), params: opts("excludePermissionBoundaryPolicy")},
	{id: "IAM_POLICY_NO_STATEMENTS_WITH_FULL_ACCESS", triggers: ChangeTriggered, types: scope(tPolicy), params: opts("excludePermissionBoundaryPolicy")},
	{id: "IAM_ROLE_MANAGED_POLICY_CHECK", triggers: ChangeTriggered, types: scope(tRole), params: []Param{req("managedPolicyArns")}},
	{id: "IAM_USER_GROUP_MEMBERSHIP_CHECK", triggers: ChangeTriggered, types: scope(tUser), params: opts("groupNames")},
	{id: "IAM_USER_MFA_ENABLED", triggers: Periodic, types: scope(tUser)},
	{id: "IAM_USER_UNUSED_CREDENTIALS_CHECK", triggers: Periodic, types: scope(tUser), params: []Param{reqDefault("maxCredentialUsageAge", "90")}},
	{id: "INSTANCES_IN_VPC", name: "ec2-instances-in-vpc", triggers: ChangeTriggered, types: scope(tInstance), params: opts("vpcId")},
	{id: "INTERNET_GATEWAY_AUTHORIZED_VPC_ONLY", triggers: ChangeTriggered, types: scope("AWS::EC2::InternetGateway"), params: opts("AuthorizedVpcIds")},
	{id: "KMS_CMK_NOT_SCHEDULED_FOR_DELETION", triggers: Periodic, types: scope(tKMSKey), params: opts("kmsKeyIds")},
	{id: "LAMBDA_CONCURRENCY_CHECK", triggers: ChangeTriggered, types: scope(tFunction), params: opts("ConcurrencyLimitLow", "ConcurrencyLimitHigh")},
	{id: "LAMBDA_DLQ_CHECK", triggers: ChangeTriggered, types: scope(tFunction), params: opts("dlqArns")},
	{id: "LAMBDA_FUNCTION_PUBLIC_ACCESS_PROHIBITED", triggers: ChangeTriggered, types: scope(tFunction)},
	{id: "LAMBDA_FUNCTION_SETTINGS_CHECK", triggers: ChangeTriggered, types: scope(tFunction), params: []Param{req("runtime"), opt("role"), optDefault("timeout", "3"), optDefault("memorySize", "128")}},
	{id: "LAMBDA_INSIDE_VPC", triggers: ChangeTriggered, types: scope(tFunction), params: opts("subnetIds")},
	{id: "MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS", triggers: Periodic, types: scope(tUser)},
	{id: "NACL_NO_UNRESTRICTED_SSH_RDP", triggers: ChangeTriggered, types: scope("AWS::EC2::NetworkAcl")},
	{id: "NO_UNRESTRICTED_ROUTE_TO_IGW", triggers: ChangeTriggered, types: scope("AWS::EC2::RouteTable"), params: opts("routeTableIds")},
	{id: "RDS_AUTOMATIC_MINOR_VERSION_UPGRADE_ENABLED", triggers: ChangeTriggered, types: scope(tDBInstance)},
	{id: "RDS_CLUSTER_DELETION_PROTECTION_ENABLED", triggers: ChangeTriggered, types: scope(tDBCluster)},
	{id: "RDS_ENHANCED_MONITORING_ENABLED", triggers: ChangeTriggered, types: scope(tDBInstance), params: opts("monitoringInterval")},
	{id: "RDS_INSTANCE_DELETION_PROTECTION_ENABLED", triggers: ChangeTriggered, types: scope(tDBInstance), params: opts("databaseEngines")},
	{id: "RDS_INSTANCE_IAM_AUTHENTICATION_ENABLED", triggers: ChangeTriggered, types: scope(tDBInstance)},
	{id: "RDS_INSTANCE_PUBLIC_ACCESS_CHECK", triggers: ChangeTriggered, types: scope(tDBInstance)},
	{id: "RDS_IN_BACKUP_PLAN", triggers: Periodic, types: scope(tDBInstance)},
	{id: "RDS_LOGGING_ENABLED", triggers: ChangeTriggered, types: scope(tDBInstance), params: opts("additionalLogs")},
	{id: "RDS_MULTI_AZ_SUPPORT", triggers: ChangeTriggered, types: scope(tDBInstance)},
	{id: "RDS_SNAPSHOTS_PUBLIC_PROHIBITED", triggers: ChangeTriggered, types: scope("AWS::RDS::DBSnapshot", "AWS::RDS::DBClusterSnapshot")},
	{id: "RDS_SNAPSHOT_ENCRYPTED", triggers: ChangeTriggered, types: scope("AWS::RDS::DBSnapshot", "AWS::RDS::DBClusterSnapshot")},
	{id: "REDSHIFT_BACKUP_ENABLED", triggers: ChangeTriggered, types: scope(tRedshift), params: opts("MinRetentionPeriod", "MaxRetentionPeriod")},
	{id: "REDSHIFT_CLUSTER_CONFIGURATION_CHECK", triggers: ChangeTriggered, types: scope(tRedshift), params: []Param{
		reqDefault("clusterDbEncrypted", "true"), reqDefault("loggingEnabled", "true"), optDefault("nodeTypes", "dc1.large"),
	}},
	{id: "REDSHIFT_CLUSTER_MAINTENANCESETTINGS_CHECK", triggers: ChangeTriggered, types: scope(tRedshift), params: []Param{
		reqDefault("allowVersionUpgrade", "true"), opt("preferredMaintenanceWindow"), optDefault("automatedSnapshotRetentionPeriod", "1"),
	}},
	{id: "REDSHIFT_CLUSTER_PUBLIC_ACCESS_CHECK", triggers: ChangeTriggered, types: scope(tRedshift)},
	{id: "REDSHIFT_REQUIRE_TLS_SSL", triggers: ChangeTriggered, types: scope(tRedshift, "AWS::Redshift::ClusterParameterGroup")},
	{id: "S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS", triggers: ChangeTriggered, types: scope("AWS::S3::AccountPublicAccessBlock"), params: []Param{
		optDefault("IgnorePublicAcls", "True"), optDefault("BlockPublicPolicy", "True"), optDefault("BlockPublicAcls", "True"), optDefault("RestrictPublicBuckets", "True"),
	}},
	{id: "S3_BUCKET_ACL_PROHIBITED", triggers: ChangeTriggered, types: scope(tBucket)},
	{id: "S3_BUCKET_BLACKLISTED_ACTIONS_PROHIBITED", triggers: ChangeTriggered, types: scope(tBucket), params: []Param{req("blacklistedActionPattern")}},
	{id: "S3_BUCKET_DEFAULT_LOCK_ENABLED", triggers: ChangeTriggered, types: scope(tBucket), params: opts("mode")},
	{id: "S3_BUCKET_POLICY_GRANTEE_CHECK", triggers: ChangeTriggered, types: scope(tBucket), params: opts("awsPrincipals", "servicePrincipals", "federatedUsers", "ipAddresses", "vpcIds")},
	{id: "S3_BUCKET_POLICY_NOT_MORE_PERMISSIVE", triggers: ChangeTriggered, types: scope(tBucket), params: []Param{req("controlPolicy")}},
	{id: "S3_BUCKET_PUBLIC_WRITE_PROHIBITED", triggers: changeAndPeriodic, types: scope(tBucket)},
	{id: "S3_BUCKET_REPLICATION_ENABLED", triggers: ChangeTriggered, types: scope(tBucket), params: opts("ReplicationType")},
	{id: "S3_BUCKET_SSL_REQUESTS_ONLY", triggers: ChangeTriggered, types: scope(tBucket)},
	{id: "S3_DEFAULT_ENCRYPTION_KMS", triggers: ChangeTriggered, types: scope(tBucket, tKMSKey), params: opts("kmsKeyArns")},
	{id: "SAGEMAKER_ENDPOINT_CONFIGURATION_KMS_KEY_CONFIGURED", triggers: Periodic, types: scope("AWS::SageMaker::EndpointConfig"), params: opts("kmsKeyArns")},
	{id: "SAGEMAKER_NOTEBOOK_INSTANCE_KMS_KEY_CONFIGURED", triggers: Periodic, types: scope(tNotebook), params: opts("kmsKeyArns")},
	{id: "SAGEMAKER_NOTEBOOK_NO_DIRECT_INTERNET_ACCESS", triggers: Periodic, types: scope(tNotebook)},
	{id: "SECRETSMANAGER_ROTATION_ENABLED_CHECK", triggers: ChangeTriggered, types: scope(tSecret), params: opts("maximumAllowedRotationFrequency", "maximumAllowedRotationFrequencyInHours")},
	{id: "SECRETSMANAGER_SCHEDULED_ROTATION_SUCCESS_CHECK", triggers: ChangeTriggered, types: scope(tSecret)},
	{id: "SECRETSMANAGER_USING_CMK", triggers: ChangeTriggered, types: scope(tSecret), params: opts("kmsKeyArns")},
	{id: "SERVICE_VPC_ENDPOINT_ENABLED", triggers: Periodic, types: scope(tVPC), params: []Param{req("serviceName")}},
	{id: "SNS_ENCRYPTED_KMS", triggers: ChangeTriggered, types: scope("AWS::SNS::Topic"), params: opts("kmsKeyIds")},
	{id: "SSM_DOCUMENT_NOT_PUBLIC", triggers: Periodic, types: scope("AWS::SSM::Document")},
	{id: "SUBNET_AUTO_ASSIGN_PUBLIC_IP_DISABLED", triggers: ChangeTriggered, types: scope("AWS::EC2::Subnet")},
	{id: "VPC_FLOW_LOGS_ENABLED", triggers: Periodic, types: scope(tVPC), params: opts("trafficType")},
	{id: "VPC_NETWORK_ACL_UNUSED_CHECK", triggers: ChangeTriggered, types: scope("AWS::EC2::NetworkAcl")},
	{id: "VPC_SG_PORT_RESTRICTION_CHECK", triggers: Periodic, types: scope(tSecurityGroup), params: opts("restrictPorts", "protocolType", "excludeExternalSecurityGroups", "ipType")},
	{id: "VPC_VPN_2_TUNNELS_UP", triggers: ChangeTriggered, types: scope("AWS::EC2::VPNConnection")},
	{id: "WAFV2_LOGGING_ENABLED", triggers: Periodic, types: scope("AWS::WAFv2::WebACL"), params: opts("KinesisFirehoseDeliveryStreamArns")},
}

// catalogueRules turns the catalogue into (not evaluable) rules: the entries above, then every
// other identifier of AWS's full list (managed_rules.json, written by gencatalogue).
func catalogueRules() []*Rule {
	rules := make([]*Rule, len(catalogue))
	seen := map[string]bool{}
	for _, r := range managedRules() {
		seen[r.Identifier] = true
	}
	for i, k := range catalogue {
		rules[i] = &Rule{
			Identifier:    k.id,
			DefaultName:   k.name,
			ResourceTypes: k.types,
			Triggers:      k.triggers,
			Params:        k.params,
		}
		seen[k.id] = true
	}
	var full []struct {
		ID       string   `json:"id"`
		Change   bool     `json:"change"`
		Periodic bool     `json:"periodic"`
		Types    []string `json:"types"`
		Params   []struct {
			Name     string `json:"name"`
			Required bool   `json:"required"`
			Default  string `json:"default"`
		} `json:"params"`
	}
	if err := json.Unmarshal(managedRulesJSON, &full); err != nil {
		panic("rules: managed_rules.json: " + err.Error())
	}
	for _, e := range full {
		if seen[e.ID] {
			continue
		}
		r := &Rule{Identifier: e.ID, ResourceTypes: e.Types}
		if e.Change {
			r.Triggers |= ChangeTriggered
		}
		if e.Periodic || !e.Change {
			r.Triggers |= Periodic
		}
		for _, p := range e.Params {
			// A required parameter's documented default is documentation only: AWS rejects the
			// rule without it.
			r.Params = append(r.Params, Param{Name: p.Name, Required: p.Required, Default: p.Default})
		}
		rules = append(rules, r)
	}
	return rules
}

// managedRulesJSON is AWS's full list of managed rules, generated by gencatalogue from
// catalogue/managed_rules.txt.
//
//go:generate go run ./gencatalogue -in catalogue/managed_rules.txt -out managed_rules.json
//go:embed managed_rules.json
var managedRulesJSON []byte
