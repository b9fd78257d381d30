package query

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// ids is the expected result of "SELECT resourceId ..." returning these rows in this order.
func ids(rs ...string) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = `{"resourceId":"` + r + `"}`
	}
	return out
}

// The table test runs AWS's documented example queries and our own over the fixed dataset.
// Each query's results are written out; they must come out the same three ways: matching every
// row (naive), through the in-memory index (Entries + PlanWhere + Match on the candidates),
// and as written.
var tableQueries = []struct {
	name string
	expr string
	want []string
}{
	// AWS: Query Components examples.
	{"components: instances", `SELECT resourceId WHERE resourceType='AWS::EC2::Instance'`,
		ids("i-01", "i-02", "i-06", "i-03", "i-04", "i-05")},
	// AWS: Example Queries.
	{"example: instances with an AMI", `SELECT
    resourceId,
    resourceType,
    configuration.instanceType,
    configuration.placement.tenancy,
    configuration.imageId,
    availabilityZone
WHERE
    resourceType = 'AWS::EC2::Instance'
AND
    configuration.imageId = 'ami-12345'`, []string{
		`{"resourceId":"i-01","resourceType":"AWS::EC2::Instance","configuration":{"instanceType":"t2.micro","placement":{"tenancy":"default"},"imageId":"ami-12345"},"availabilityZone":"us-east-1a"}`,
		`{"resourceId":"i-02","resourceType":"AWS::EC2::Instance","configuration":{"instanceType":"t2.micro","placement":{"tenancy":"default"},"imageId":"ami-12345"},"availabilityZone":"us-east-1b"}`,
		`{"resourceId":"i-06","resourceType":"AWS::EC2::Instance","configuration":{"instanceType":"c5.xlarge","placement":{"tenancy":"default"},"imageId":"ami-12345"},"availabilityZone":"us-east-1a"}`,
		`{"resourceId":"i-04","resourceType":"AWS::EC2::Instance","configuration":{"instanceType":"t3.small","placement":{"tenancy":"default"},"imageId":"ami-12345"},"availabilityZone":"us-east-1c"}`,
	}},
	{"example: compliance counts", `SELECT
    configuration.complianceType,
    COUNT(*)
WHERE
    resourceType = 'AWS::Config::ResourceCompliance'
GROUP BY
    configuration.complianceType`, []string{
		`{"COUNT(*)":2,"configuration":{"complianceType":"COMPLIANT"}}`,
		`{"COUNT(*)":4,"configuration":{"complianceType":"NON_COMPLIANT"}}`,
	}},
	{"example: conformance packs", `SELECT resourceId, resourceName, resourceType, configuration.complianceType WHERE resourceType = 'AWS::Config::ConformancePackCompliance'`, []string{
		`{"resourceId":"conformance-pack-1","resourceName":"MyConformancePack1","resourceType":"AWS::Config::ConformancePackCompliance","configuration":{"complianceType":"COMPLIANT"}}`,
		`{"resourceId":"conformance-pack-2","resourceName":"MyConformancePack2","resourceType":"AWS::Config::ConformancePackCompliance","configuration":{"complianceType":"NON_COMPLIANT"}}`,
	}},
	{"example: counts by account", `SELECT COUNT(*), accountId group by accountId`, []string{
		`{"COUNT(*)":25,"accountId":"111111111111"}`,
		`{"COUNT(*)":17,"accountId":"222222222222"}`,
	}},
	{"example: volumes not in use", `SELECT
    resourceId,
    accountId,
    awsRegion,
    resourceType,
    configuration.volumeType,
    configuration.size,
    resourceCreationTime,
    tags,
    configuration.encrypted,
    configuration.availabilityZone,
    configuration.state.value
WHERE
    resourceType = 'AWS::EC2::Volume'
AND
    configuration.state.value = 'available'`, []string{
		`{"resourceId":"vol-02","accountId":"111111111111","awsRegion":"us-east-1","resourceType":"AWS::EC2::Volume","configuration":{"volumeType":"gp3","size":8,"encrypted":true,"availabilityZone":"us-east-1b","state":{"value":"available"}},"resourceCreationTime":"2021-02-21T07:39:43.771Z","tags":[{"key":"Name","value":"scratch"}]}`,
		`{"resourceId":"vol-04","accountId":"222222222222","awsRegion":"us-east-1","resourceType":"AWS::EC2::Volume","configuration":{"volumeType":"gp2","size":100,"encrypted":false,"availabilityZone":"us-east-1c","state":{"value":"available"}},"resourceCreationTime":"2020-02-21T07:28:40.639Z","tags":[{"key":"env","value":"dev"}]}`,
		`{"resourceId":"vol-05","accountId":"222222222222","awsRegion":"us-west-2","resourceType":"AWS::EC2::Volume","configuration":{"volumeType":"st1","size":2000,"encrypted":false,"availabilityZone":"us-west-2b","state":{"value":"available"}},"resourceCreationTime":"2020-02-21T07:39:31.800Z","tags":[]}`,
	}},
	// Volumes in use, with <>; numbers keep their JSON text (100.0).
	{"volumes in use", `SELECT resourceId, configuration.size WHERE resourceType = 'AWS::EC2::Volume' AND configuration.state.value <> 'available'`, []string{
		`{"resourceId":"vol-01","configuration":{"size":100.0}}`,
		`{"resourceId":"vol-03","configuration":{"size":500}}`,
		`{"resourceId":"vol-06","configuration":{"size":"50"}}`,
	}},
	{"number equality across 100 and 100.0", `SELECT resourceId WHERE resourceType = 'AWS::EC2::Volume' AND configuration.size = 100`,
		ids("vol-01", "vol-04")},
	{"numbers compare numerically", `SELECT resourceId WHERE configuration.size > 99 AND resourceType = 'AWS::EC2::Volume'`,
		ids("vol-01", "vol-03", "vol-04", "vol-05")},
	{"string literal matches a string value", `SELECT resourceId WHERE configuration.size = '50'`, ids("vol-06")},
	{"number literal matches a numeric string", `SELECT resourceId WHERE configuration.size < 60`, ids("vol-02", "vol-06")},
	{"boolean false", `SELECT resourceId WHERE resourceType = 'AWS::EC2::Volume' AND configuration.encrypted = false`,
		ids("vol-01", "vol-04", "vol-05")},
	{"boolean true, also as a string", `SELECT resourceId WHERE configuration.encrypted = true`,
		ids("vol-02", "snap-1", "vol-03", "vol-06")},
	{"'true' matches booleans", `SELECT resourceId WHERE configuration.encrypted = 'true'`,
		ids("vol-02", "snap-1", "vol-03", "vol-06")},
	// Security groups: predicates on array elements are independent (sg-3 opens 3389 to the
	// world and 22 to one address).
	{"ssh open to the world", `SELECT resourceId WHERE resourceType = 'AWS::EC2::SecurityGroup' AND configuration.ipPermissions.fromPort = 22 AND configuration.ipPermissions.ipRanges = '0.0.0.0/0'`,
		ids("sg-1", "sg-3")},
	{"cidr contains an address", `SELECT resourceId WHERE configuration.ipPermissions.ipRanges = '10.0.0.5'`,
		ids("sg-1", "sg-2", "sg-3", "sg-4", "sg-6")},
	{"doc: exact CIDR block 10.0.0.0/24", `SELECT resourceId WHERE resourceType = 'AWS::EC2::SecurityGroup'
  AND configuration.ipPermissions.ipRanges BETWEEN '10.0.0.0'
  AND '10.0.0.255'
  AND NOT configuration.ipPermissions.ipRanges < '10.0.0.0'
  AND NOT configuration.ipPermissions.ipRanges > '10.0.0.255'`, ids("sg-2")},
	{"doc: exact address 192.168.0.2/32", `SELECT resourceId WHERE resourceType = 'AWS::EC2::SecurityGroup'
  AND configuration.ipPermissions.ipRanges = '192.168.0.2'
  AND NOT configuration.ipPermissions.ipRanges > '192.168.0.2'
  AND NOT configuration.ipPermissions.ipRanges < '192.168.0.2'`, ids("sg-5")},
	{"ipv6 block", `SELECT resourceId WHERE configuration.ipPermissions.ipv6Ranges.cidrIpv6 = '2001:db8::1'`, ids("sg-4")},
	{"address in a CIDR literal", `SELECT resourceId WHERE configuration.privateIpAddress = '10.0.1.0/24'`, ids("i-01", "i-02", "eni-1")},
	{"address BETWEEN", `SELECT resourceId WHERE configuration.privateIpAddress BETWEEN '10.0.0.0' AND '10.0.255.255'`,
		ids("i-01", "i-02", "i-06", "eni-1")},
	{"cidr contains a CIDR literal", `SELECT resourceId WHERE configuration.ipPermissions.ipRanges = '10.0.0.0/24'`,
		ids("sg-1", "sg-2", "sg-3", "sg-6")},
	{"cidr above an address", `SELECT resourceId WHERE configuration.ipPermissions.ipRanges > '192.168.0.1'`,
		ids("sg-1", "sg-3", "sg-5")},
	{"ipv4Ranges.cidrIp", `SELECT resourceId, configuration.ipPermissions.ipv4Ranges.cidrIp WHERE configuration.ipPermissions.ipv4Ranges.cidrIp = '0.0.0.0/0'`, []string{
		`{"resourceId":"sg-1","configuration":{"ipPermissions":[{"ipv4Ranges":[{"cidrIp":"0.0.0.0/0"}]},{"ipv4Ranges":[{"cidrIp":"10.0.0.0/16"}]}]}}`,
	}},
	// Tags.
	{"tags.tag", `SELECT resourceId WHERE tags.tag = 'env=prod'`,
		ids("i-01", "i-03", "sg-3", "vol-03", "bucket-data", "bucket-archive")},
	{"tags.key", `SELECT resourceId WHERE tags.key = 'team'`, ids("fn-old", "widget-1", "i-03")},
	{"tags.value LIKE", `SELECT resourceId, tags WHERE tags.key = 'Name' AND tags.value LIKE 'web%'`, []string{
		`{"resourceId":"i-01","tags":[{"key":"Name","value":"web-1"},{"key":"env","value":"prod"}]}`,
		`{"resourceId":"i-02","tags":[{"key":"Name","value":"web-2"},{"key":"env","value":"dev"}]}`,
		`{"resourceId":"sg-1","tags":[{"key":"Name","value":"web-sg"}]}`,
	}},
	{"instances without a Name tag (NOT)", `SELECT resourceId WHERE resourceType = 'AWS::EC2::Instance' AND NOT tags.key = 'Name'`,
		ids("i-04", "i-05")},
	{"instances with a tag other than Name (!=)", `SELECT resourceId WHERE resourceType = 'AWS::EC2::Instance' AND tags.key != 'Name'`,
		ids("i-01", "i-02", "i-06", "i-03", "i-04")},
	{"number literal against a tag value", `SELECT resourceId WHERE tags.value = 42`, ids("i-06")},
	{"tag sub-property projection", `SELECT resourceId, tags.key WHERE resourceType = 'AWS::S3::Bucket'`, []string{
		`{"resourceId":"bucket-logs","tags":[{"key":"Name"}]}`,
		`{"resourceId":"bucket-data","tags":[{"key":"env"},{"key":"owner"}]}`,
		`{"resourceId":"bucket-archive","tags":[{"key":"env"}]}`,
		`{"resourceId":"bucket-public"}`,
	}},
	// LIKE.
	{"LIKE 'AWS::EC2::%'", `SELECT COUNT(*) WHERE resourceType LIKE 'AWS::EC2::%'`, []string{`{"COUNT(*)":21}`}},
	{"LIKE with _", `SELECT resourceId WHERE resourceType LIKE 'AWS::S3::Bucke_'`,
		ids("bucket-logs", "bucket-data", "bucket-archive", "bucket-public")},
	{"LIKE '_' counts characters", `SELECT resourceId WHERE resourceId LIKE 'vol-0_'`,
		ids("vol-01", "vol-02", "vol-03", "vol-04", "vol-05", "vol-06")},
	{"LIKE without wildcard is equality", `SELECT resourceId WHERE resourceId LIKE 'i-0'`, nil},
	// Relationships: AWS's Example Relationship Queries.
	{"relationships: EIP of an instance", `SELECT resourceId WHERE resourceType = 'AWS::EC2::EIP' AND relationships.resourceId = 'i-01'`,
		ids("eipalloc-1")},
	{"relationships: IN and a security group", `SELECT
    resourceId
WHERE
    resourceType IN ('AWS::EC2::Instance', 'AWS::EC2::NetworkInterface')
    AND relationships.resourceId = 'sg-1'`, ids("i-01", "i-06", "eni-1")},
	{"relationships: VPC", `SELECT resourceId WHERE resourceType IN ('AWS::EC2::Instance', 'AWS::EC2::InternetGateway', 'AWS::EC2::NetworkACL', 'AWS::EC2::NetworkInterface', 'AWS::EC2::RouteTable', 'AWS::EC2::Subnet', 'AWS::EC2::SecurityGroup') AND relationships.resourceId = 'vpc-1'`,
		ids("i-01", "i-02", "i-06", "eni-1", "sg-1", "sg-2")},
	{"relationships: type and name", `SELECT resourceId WHERE relationships.resourceType = 'AWS::EC2::Volume' AND relationships.name = 'Is attached to Volume'`,
		ids("i-01", "i-03")},
	{"relationships projection", `SELECT resourceId, relationships WHERE resourceId = 'eipalloc-1'`, []string{
		`{"resourceId":"eipalloc-1","relationships":[{"name":"Is attached to Instance","resourceId":"i-01","resourceType":"AWS::EC2::Instance"}]}`,
	}},
	{"instances in a VPC", `SELECT resourceId, configuration.vpcId WHERE resourceType = 'AWS::EC2::Instance' AND configuration.vpcId = 'vpc-1'`, []string{
		`{"resourceId":"i-01","configuration":{"vpcId":"vpc-1"}}`,
		`{"resourceId":"i-02","configuration":{"vpcId":"vpc-1"}}`,
		`{"resourceId":"i-06","configuration":{"vpcId":"vpc-1"}}`,
	}},
	// Compliance.
	{"compliance: rule and status are independent", `SELECT resourceId WHERE resourceType = 'AWS::Config::ResourceCompliance' AND configuration.configRuleList.configRuleName = 'required-tags' AND configuration.configRuleList.complianceType = 'NON_COMPLIANT'`,
		ids("AWS::EC2::Instance/i-01", "AWS::EC2::Volume/vol-04")},
	{"doc: multiple properties within an array", `SELECT configuration WHERE configuration.configRuleList.complianceType = 'NON_COMPLIANT'
AND configuration.configRuleList.configRuleName = 'ec2-imdsv2-check'`, []string{
		`{"configuration":{"complianceType":"NON_COMPLIANT","configRuleList":[{"complianceType":"NON_COMPLIANT","configRuleName":"required-tags"},{"complianceType":"COMPLIANT","configRuleName":"ec2-imdsv2-check"}],"resourceId":"i-01","resourceType":"AWS::EC2::Instance"}}`,
	}},
	{"compliance: non-compliant counts per rule", `SELECT configuration.configRuleList.configRuleName, COUNT(*) WHERE resourceType = 'AWS::Config::ResourceCompliance' AND configuration.complianceType = 'NON_COMPLIANT' GROUP BY configuration.configRuleList.configRuleName`, []string{
		`{"COUNT(*)":1,"configuration":{"configRuleList":{"configRuleName":"ec2-imdsv2-check"}}}`,
		`{"COUNT(*)":2,"configuration":{"configRuleList":{"configRuleName":"encrypted-volumes"}}}`,
		`{"COUNT(*)":2,"configuration":{"configRuleList":{"configRuleName":"required-tags"}}}`,
		`{"COUNT(*)":1,"configuration":{"configRuleList":{"configRuleName":"restricted-ssh"}}}`,
	}},
	// Dates.
	{"snapshots BETWEEN dates", `SELECT resourceId WHERE resourceType = 'AWS::RDS::DBSnapshot' AND configuration.snapshotCreateTime BETWEEN '2019-05-14T00:00' AND '2019-06-15T00:00' AND configuration.snapshotType = 'manual' AND configuration.encrypted = true`,
		ids("snap-1")},
	{"created in 2020", `SELECT resourceId WHERE resourceCreationTime BETWEEN '2020-01-01' AND '2020-12-31'`,
		ids("i-01", "i-02", "vol-01", "bucket-data", "vol-04", "vol-05")},
	{"dates compare as instants", `SELECT resourceId WHERE resourceCreationTime < '2020-01-01T00:00:00+01:00'`,
		ids("AIDAALICE", "fn-old", "bucket-logs", "bucket-archive")},
	{"capture time", `SELECT resourceId WHERE configurationItemCaptureTime > '2024-01-10T09:00:00Z'`, ids("i-05", "vol-06")},
	// ORDER BY.
	{"ORDER BY DESC, kinds and ties", `SELECT resourceId, configuration.size WHERE resourceType = 'AWS::EC2::Volume' ORDER BY configuration.size DESC`, []string{
		`{"resourceId":"vol-06","configuration":{"size":"50"}}`,
		`{"resourceId":"vol-05","configuration":{"size":2000}}`,
		`{"resourceId":"vol-03","configuration":{"size":500}}`,
		`{"resourceId":"vol-01","configuration":{"size":100.0}}`,
		`{"resourceId":"vol-04","configuration":{"size":100}}`,
		`{"resourceId":"vol-02","configuration":{"size":8}}`,
	}},
	{"ORDER BY two keys", `SELECT resourceId, configuration.instanceType WHERE resourceType = 'AWS::EC2::Instance' ORDER BY configuration.instanceType ASC, resourceId DESC`, []string{
		`{"resourceId":"i-06","configuration":{"instanceType":"c5.xlarge"}}`,
		`{"resourceId":"i-03","configuration":{"instanceType":"m5.large"}}`,
		`{"resourceId":"i-05","configuration":{"instanceType":"t2.micro"}}`,
		`{"resourceId":"i-02","configuration":{"instanceType":"t2.micro"}}`,
		`{"resourceId":"i-01","configuration":{"instanceType":"t2.micro"}}`,
		`{"resourceId":"i-04","configuration":{"instanceType":"t3.small"}}`,
	}},
	{"ORDER BY BETWEEN numbers", `SELECT resourceId, configuration.memorySize WHERE configuration.memorySize BETWEEN 100 AND 2000 ORDER BY configuration.memorySize DESC`, []string{
		`{"resourceId":"fn-new","configuration":{"memorySize":1024}}`,
		`{"resourceId":"fn-old","configuration":{"memorySize":128}}`,
	}},
	{"ORDER BY a property that is not selected, missing last", `SELECT resourceId WHERE resourceType = 'AWS::S3::Bucket' OR resourceType = 'AWS::Config::ConformancePackCompliance' ORDER BY resourceCreationTime`,
		ids("bucket-archive", "bucket-logs", "bucket-data", "bucket-public", "conformance-pack-1", "conformance-pack-2")},
	// Aggregates.
	{"count instances by type ORDER BY COUNT(*) DESC", `SELECT configuration.instanceType, COUNT(*) WHERE resourceType = 'AWS::EC2::Instance' GROUP BY configuration.instanceType ORDER BY COUNT(*) DESC`, []string{
		`{"COUNT(*)":3,"configuration":{"instanceType":"t2.micro"}}`,
		`{"COUNT(*)":1,"configuration":{"instanceType":"c5.xlarge"}}`,
		`{"COUNT(*)":1,"configuration":{"instanceType":"m5.large"}}`,
		`{"COUNT(*)":1,"configuration":{"instanceType":"t3.small"}}`,
	}},
	{"SUM MIN MAX AVG by region", `SELECT awsRegion, SUM(configuration.size), MIN(configuration.size), MAX(configuration.size), AVG(configuration.size), COUNT(*) WHERE resourceType = 'AWS::EC2::Volume' GROUP BY awsRegion`, []string{
		`{"SUM(configuration.size)":208,"MIN(configuration.size)":8,"MAX(configuration.size)":100.0,"AVG(configuration.size)":69.33333333333333,"COUNT(*)":3,"awsRegion":"us-east-1"}`,
		`{"SUM(configuration.size)":2500,"MIN(configuration.size)":500,"MAX(configuration.size)":"50","AVG(configuration.size)":1250,"COUNT(*)":3,"awsRegion":"us-west-2"}`,
	}},
	{"count running instances", `SELECT COUNT(*) WHERE resourceType = 'AWS::EC2::Instance' AND configuration.state.name = 'running'`, []string{`{"COUNT(*)":5}`}},
	{"count by resource type ORDER BY COUNT(*) DESC", `SELECT resourceType, COUNT(*) GROUP BY resourceType ORDER BY COUNT(*) DESC`, []string{
		`{"COUNT(*)":7,"resourceType":"AWS::EC2::SecurityGroup"}`,
		`{"COUNT(*)":6,"resourceType":"AWS::Config::ResourceCompliance"}`,
		`{"COUNT(*)":6,"resourceType":"AWS::EC2::Instance"}`,
		`{"COUNT(*)":6,"resourceType":"AWS::EC2::Volume"}`,
		`{"COUNT(*)":4,"resourceType":"AWS::S3::Bucket"}`,
		`{"COUNT(*)":3,"resourceType":"AWS::IAM::User"}`,
		`{"COUNT(*)":2,"resourceType":"AWS::Config::ConformancePackCompliance"}`,
		`{"COUNT(*)":2,"resourceType":"AWS::Lambda::Function"}`,
		`{"COUNT(*)":2,"resourceType":"AWS::RDS::DBSnapshot"}`,
		`{"COUNT(*)":2,"resourceType":"MyCompany::Custom::Widget"}`,
		`{"COUNT(*)":1,"resourceType":"AWS::EC2::EIP"}`,
		`{"COUNT(*)":1,"resourceType":"AWS::EC2::NetworkInterface"}`,
	}},
	{"GROUP BY two properties", `SELECT accountId, awsRegion, COUNT(*) WHERE resourceType = 'AWS::EC2::Volume' GROUP BY accountId, awsRegion`, []string{
		`{"COUNT(*)":2,"accountId":"111111111111","awsRegion":"us-east-1"}`,
		`{"COUNT(*)":1,"accountId":"111111111111","awsRegion":"us-west-2"}`,
		`{"COUNT(*)":1,"accountId":"222222222222","awsRegion":"us-east-1"}`,
		`{"COUNT(*)":2,"accountId":"222222222222","awsRegion":"us-west-2"}`,
	}},
	{"GROUP BY an array property, missing last", `SELECT tags.key, COUNT(*) WHERE resourceType = 'AWS::EC2::Instance' GROUP BY tags.key`, []string{
		`{"COUNT(*)":4,"tags":{"key":"Name"}}`,
		`{"COUNT(*)":1,"tags":{"key":"cost-center"}}`,
		`{"COUNT(*)":4,"tags":{"key":"env"}}`,
		`{"COUNT(*)":1,"tags":{"key":"team"}}`,
		`{"COUNT(*)":1}`,
	}},
	{"COUNT of a property", `SELECT COUNT(configuration.attachments), COUNT(*) WHERE resourceType = 'AWS::EC2::Volume'`,
		[]string{`{"COUNT(configuration.attachments)":3,"COUNT(*)":6}`}},
	{"COUNT over no rows", `SELECT COUNT(*) WHERE resourceType = 'AWS::Nothing::Here'`, []string{`{"COUNT(*)":0}`}},
	{"GROUP BY over no rows", `SELECT resourceType, COUNT(*) WHERE resourceType = 'AWS::Nothing::Here' GROUP BY resourceType`, nil},
	{"GROUP BY without aggregate", `SELECT configuration.runtime WHERE resourceType = 'AWS::Lambda::Function' GROUP BY configuration.runtime`, []string{
		`{"configuration":{"runtime":"python3.12"}}`,
		`{"configuration":{"runtime":"python3.8"}}`,
	}},
	{"MIN and MAX of dates", `SELECT MIN(resourceCreationTime), MAX(resourceCreationTime) WHERE resourceType = 'AWS::S3::Bucket'`, []string{
		`{"MIN(resourceCreationTime)":"2018-03-03T03:03:03.000Z","MAX(resourceCreationTime)":"2023-07-07T07:07:07.000Z"}`,
	}},
	{"aggregate ORDER BY the group, DESC", `SELECT awsRegion, COUNT(*) WHERE accountId = '222222222222' GROUP BY awsRegion ORDER BY awsRegion DESC`, []string{
		`{"COUNT(*)":5,"awsRegion":"us-west-2"}`,
		`{"COUNT(*)":11,"awsRegion":"us-east-1"}`,
		`{"COUNT(*)":1,"awsRegion":"global"}`,
	}},
	// Logic.
	{"OR", `SELECT resourceId WHERE configuration.instanceType = 't3.small' OR configuration.volumeType = 'st1'`, ids("i-04", "vol-05")},
	{"NOT of a parenthesized OR", `SELECT resourceId WHERE resourceType = 'AWS::EC2::Volume' AND NOT (configuration.volumeType = 'gp2' OR configuration.volumeType = 'gp3')`,
		ids("vol-03", "vol-05")},
	{"NOT IN", `SELECT resourceId WHERE resourceType = 'AWS::EC2::Instance' AND configuration.instanceType NOT IN ('t2.micro', 't3.small')`,
		ids("i-06", "i-03")},
	{"NOT BETWEEN", `SELECT resourceId WHERE resourceType = 'AWS::Lambda::Function' AND configuration.memorySize NOT BETWEEN 256 AND 2048`, ids("fn-old")},
	{"NOT LIKE", `SELECT resourceId WHERE resourceType = 'AWS::Lambda::Function' AND configuration.runtime NOT LIKE 'python3.1%'`, ids("fn-old")},
	{"IN of numbers", `SELECT resourceId WHERE configuration.state.code IN (16, 80) AND configuration.state.name = 'stopped'`, ids("i-02")},
	{"OR across types", `SELECT resourceId WHERE configuration.cpuOptions.coreCount >= 2 OR tags.tag = 'cost-center=42'`, ids("i-06")},
	{"lower-case keywords", `select resourceId where resourceType = 'AWS::Lambda::Function' and configuration.timeout >= 30`, ids("fn-new")},
	// IAM and S3.
	{"IAM users are global", `SELECT resourceId, resourceName WHERE resourceType = 'AWS::IAM::User' AND awsRegion = 'global'`, []string{
		`{"resourceId":"AIDAALICE","resourceName":"alice"}`,
		`{"resourceId":"AIDABOB","resourceName":"bob"}`,
		`{"resourceId":"AIDACAROL","resourceName":"carol"}`,
	}},
	{"IAM administrators", `SELECT resourceName WHERE resourceType = 'AWS::IAM::User' AND configuration.attachedManagedPolicies.policyName = 'AdministratorAccess'`,
		[]string{`{"resourceName":"alice"}`}},
	{"S3 versioning off", `SELECT resourceId, supplementaryConfiguration.BucketVersioningConfiguration.status WHERE resourceType = 'AWS::S3::Bucket' AND supplementaryConfiguration.BucketVersioningConfiguration.status = 'Off'`, []string{
		`{"resourceId":"bucket-logs","supplementaryConfiguration":{"BucketVersioningConfiguration":{"status":"Off"}}}`,
		`{"resourceId":"bucket-public","supplementaryConfiguration":{"BucketVersioningConfiguration":{"status":"Off"}}}`,
	}},
	{"S3 without default encryption", `SELECT resourceId WHERE resourceType = 'AWS::S3::Bucket' AND NOT supplementaryConfiguration.ServerSideEncryptionConfiguration.rules.applyServerSideEncryptionByDefault.sseAlgorithm IN ('AES256', 'aws:kms')`,
		ids("bucket-archive", "bucket-public")},
	{"S3 public ACLs allowed", `SELECT resourceId WHERE supplementaryConfiguration.PublicAccessBlockConfiguration.blockPublicAcls = false`, ids("bucket-public")},
	// Shaping.
	{"SELECT *", `SELECT * WHERE resourceId = 'i-01'`, []string{
		`{"accountId":"111111111111","awsRegion":"us-east-1","arn":"arn:aws:ec2:us-east-1:111111111111:i-01","availabilityZone":"us-east-1a","configurationItemCaptureTime":"2024-01-10T08:00:00.000Z","resourceCreationTime":"2020-01-15T10:00:00.000Z","resourceId":"i-01","resourceType":"AWS::EC2::Instance","version":"1.3"}`,
	}},
	{"arrays through the path, empty elements dropped", `SELECT resourceId, configuration.ipPermissions.fromPort, configuration.ipPermissions.ipRanges WHERE resourceType = 'AWS::EC2::SecurityGroup' AND accountId = '222222222222'`, []string{
		`{"resourceId":"sg-4","configuration":{"ipPermissions":[{"fromPort":80,"ipRanges":["10.0.0.0/25"]},{"fromPort":22,"ipRanges":[]}]}}`,
		`{"resourceId":"sg-5","configuration":{"ipPermissions":[{"fromPort":22,"ipRanges":["192.168.0.2/32"]}]}}`,
		`{"resourceId":"sg-6","configuration":{"ipPermissions":[{"fromPort":0,"ipRanges":["10.0.0.0/8"]}]}}`,
		`{"resourceId":"sg-7"}`,
	}},
	{"whole object and a part of it", `SELECT configuration.state, configuration.state.name WHERE resourceId = 'i-02'`,
		[]string{`{"configuration":{"state":{"code":80,"name":"stopped"}}}`}},
	// Unknown properties, case and third-party types.
	{"unknown property never matches", `SELECT resourceId WHERE configuration.doesNotExist = 'x'`, nil},
	{"unknown property under NOT", `SELECT resourceId WHERE resourceType = 'AWS::EC2::EIP' AND NOT configuration.doesNotExist = 'x'`, ids("eipalloc-1")},
	{"property names are case-sensitive", `SELECT resourceId WHERE configuration.InstanceType = 't2.micro'`, nil},
	{"string values are case-sensitive", `SELECT resourceId WHERE tags.value = 'PROD'`, nil},
	{"third-party configuration is not selectable", `SELECT resourceId, configuration WHERE resourceType = 'MyCompany::Custom::Widget'`,
		ids("widget-1", "widget-2")},
	{"third-party tags are", `SELECT resourceId, resourceName, tags WHERE resourceType = 'MyCompany::Custom::Widget' AND tags.tag = 'team=data'`,
		[]string{`{"resourceId":"widget-1","resourceName":"Widget One","tags":[{"key":"team","value":"data"}]}`}},
}

func TestTable(t *testing.T) {
	items := dataset()
	docs := make([]*Doc, len(items))
	for i, it := range items {
		docs[i] = NewDoc(it)
	}
	if !slices.IsSortedFunc(items, func(a, b *Item) int {
		return strings.Compare(a.AccountID+"|"+a.AwsRegion+"|"+a.ResourceType+"|"+a.ResourceID,
			b.AccountID+"|"+b.AwsRegion+"|"+b.ResourceType+"|"+b.ResourceID)
	}) {
		t.Fatal("the dataset is not in (accountId, awsRegion, resourceType, resourceId) order")
	}
	idx := newMemIndex(docs)
	if len(tableQueries) < 60 {
		t.Fatalf("only %d table queries", len(tableQueries))
	}
	for _, tc := range tableQueries {
		t.Run(tc.name, func(t *testing.T) {
			q, err := Parse(tc.expr)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			q2, err := Parse(q.String())
			if err != nil || !reflect.DeepEqual(q, q2) {
				t.Fatalf("canonical text %q does not parse back to the same query (err %v)", q.String(), err)
			}
			naive := selectNaive(q.Where, docs)
			indexed := idx.selectIndexed(q.Where, docs)
			if !slices.Equal(naive, indexed) {
				t.Fatalf("index and scan disagree:\n naive   %v\n indexed %v\n plan    %+v", naive, indexed, PlanWhere(q.Where))
			}
			got := run(q, docs, naive)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("results\n got  %s\n want %s", strings.Join(got, "\n      "), strings.Join(tc.want, "\n      "))
			}
			for _, r := range got {
				if !json.Valid([]byte(r)) {
					t.Fatalf("result %s is not JSON", r)
				}
			}
		})
	}
}

// run produces a query's results from the rows that matched, as the API layer does.
func run(q *Query, docs []*Doc, rows []int) []string {
	var out []string
	if q.Aggregate() {
		a := NewAggregator(q)
		for _, i := range rows {
			a.Add(docs[i])
		}
		for _, r := range a.Results() {
			out = append(out, string(r))
		}
		return out
	}
	sel := make([]*Doc, len(rows))
	for i, r := range rows {
		sel[i] = docs[r]
	}
	SortRows(q, sel)
	for _, d := range sel {
		out = append(out, string(Project(q, d)))
	}
	return out
}

func TestSelectFields(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want []string
	}{
		{"SELECT resourceId, configuration.placement.tenancy, count( * )", nil},
		{"SELECT resourceId, configuration . placement . tenancy WHERE resourceId = 'x'",
			[]string{"resourceId", "configuration.placement.tenancy"}},
		{"select count( * ), sum(configuration.size) ,accountId group by accountId",
			[]string{"COUNT(*)", "SUM(configuration.size)", "accountId"}},
		{"SELECT *", []string{"accountId", "awsRegion", "arn", "availabilityZone", "configurationItemCaptureTime",
			"resourceCreationTime", "resourceId", "resourceName", "resourceType", "version"}},
	} {
		q, err := Parse(tc.expr)
		if tc.want == nil {
			if err == nil {
				t.Errorf("%s: want an error (resourceId is not grouped)", tc.expr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.expr, err)
		}
		if got := q.SelectFields(); !slices.Equal(got, tc.want) {
			t.Errorf("%s: SelectFields %q, want %q", tc.expr, got, tc.want)
		}
	}
}

// TestQueryAggregatorAddN: AddN(d, n) gives the results of n calls of Add(d), for every aggregate of the table.
func TestQueryAggregatorAddN(t *testing.T) {
	items := dataset()
	docs := make([]*Doc, len(items))
	for i, it := range items {
		docs[i] = NewDoc(it)
	}
	n := 0
	for _, tc := range tableQueries {
		q, err := Parse(tc.expr)
		if err != nil || !q.Aggregate() {
			continue
		}
		n++
		one, many := NewAggregator(q), NewAggregator(q)
		for i, d := range docs {
			k := int64(i%4 + 1)
			for range k {
				one.Add(d)
			}
			many.AddN(d, k)
			many.AddN(d, 0)
		}
		a, b := one.Results(), many.Results()
		if len(a) != len(b) {
			t.Fatalf("%s: %d results with Add, %d with AddN", tc.expr, len(a), len(b))
		}
		for i := range a {
			if string(a[i]) != string(b[i]) {
				t.Fatalf("%s: result %d: Add gives %s, AddN %s", tc.expr, i, a[i], b[i])
			}
		}
	}
	if n < 5 {
		t.Fatalf("only %d aggregate queries in the table", n)
	}
}
