package query

import (
	"encoding/json"
	"sort"
	"strings"
)

// The fixed dataset of the table test: 42 items of several types, listed in the order the
// caller hands rows over (accountId, awsRegion, resourceType, resourceId), which is the result
// order of queries without ORDER BY.

const (
	acct1 = "111111111111"
	acct2 = "222222222222"
)

type opt func(*Item)

func name(n string) opt     { return func(it *Item) { it.ResourceName = n } }
func az(z string) opt       { return func(it *Item) { it.AvailabilityZone = z } }
func created(t string) opt  { return func(it *Item) { it.ResourceCreationTime = t } }
func captured(t string) opt { return func(it *Item) { it.ConfigurationItemCaptureTime = t } }
func conf(js string) opt    { return func(it *Item) { it.Configuration = json.RawMessage(js) } }
func tags(kv ...string) opt {
	return func(it *Item) {
		it.Tags = map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			it.Tags[kv[i]] = kv[i+1]
		}
	}
}
func supp(kv ...string) opt {
	return func(it *Item) {
		it.Supplementary = map[string]json.RawMessage{}
		for i := 0; i+1 < len(kv); i += 2 {
			it.Supplementary[kv[i]] = json.RawMessage(kv[i+1])
		}
	}
}

// rel adds a relationship: "type id name".
func rel(typ, id, relName string) opt {
	return func(it *Item) {
		it.Relationships = append(it.Relationships, Relationship{ResourceType: typ, ResourceID: id, Name: relName})
	}
}

func ci(acct, region, typ, id string, opts ...opt) *Item {
	svc := strings.ToLower(strings.Split(typ, "::")[1])
	it := &Item{
		AccountID: acct, AwsRegion: region, ResourceType: typ, ResourceID: id,
		Arn:                          "arn:aws:" + svc + ":" + region + ":" + acct + ":" + id,
		ConfigurationItemCaptureTime: "2024-01-10T08:00:00.000Z",
		ConfigurationItemStatus:      "OK",
		ConfigurationStateID:         "1704873600000",
		Version:                      "1.3",
		RecordingFrequency:           "CONTINUOUS",
	}
	for _, o := range opts {
		o(it)
	}
	return it
}

const (
	tInstance = "AWS::EC2::Instance"
	tVolume   = "AWS::EC2::Volume"
	tSG       = "AWS::EC2::SecurityGroup"
	tBucket   = "AWS::S3::Bucket"
	tUser     = "AWS::IAM::User"
	tRC       = "AWS::Config::ResourceCompliance"
	tPack     = "AWS::Config::ConformancePackCompliance"
	tWidget   = "MyCompany::Custom::Widget"
	tVPC      = "AWS::EC2::VPC"
	tSubnet   = "AWS::EC2::Subnet"
)

func rc(acct, target, compliance, rules string) *Item {
	typ, id, _ := strings.Cut(target, "/")
	return ci(acct, "us-east-1", tRC, target, conf(`{"complianceType":"`+compliance+`","resourceId":"`+id+
		`","resourceType":"`+typ+`","configRuleList":`+rules+`}`))
}

func dataset() []*Item {
	return []*Item{
		// 111111111111 global
		ci(acct1, "global", tUser, "AIDAALICE", name("alice"), created("2018-05-01T00:00:00.000Z"),
			conf(`{"userName":"alice","path":"/","attachedManagedPolicies":[{"policyName":"AdministratorAccess","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}],"groupList":["admins"]}`)),
		ci(acct1, "global", tUser, "AIDABOB", name("bob"), created("2021-09-09T09:09:09.000Z"),
			conf(`{"userName":"bob","path":"/eng/","attachedManagedPolicies":[],"groupList":["dev","ops"]}`)),
		// 111111111111 us-east-1
		ci(acct1, "us-east-1", tPack, "conformance-pack-1", name("MyConformancePack1"), conf(`{"complianceType":"COMPLIANT"}`)),
		rc(acct1, "AWS::EC2::Instance/i-01", "NON_COMPLIANT",
			`[{"configRuleName":"required-tags","complianceType":"NON_COMPLIANT"},{"configRuleName":"ec2-imdsv2-check","complianceType":"COMPLIANT"}]`),
		rc(acct1, "AWS::EC2::SecurityGroup/sg-1", "NON_COMPLIANT", `[{"configRuleName":"restricted-ssh","complianceType":"NON_COMPLIANT"}]`),
		rc(acct1, "AWS::EC2::Volume/vol-01", "NON_COMPLIANT", `[{"configRuleName":"encrypted-volumes","complianceType":"NON_COMPLIANT"}]`),
		rc(acct1, "AWS::S3::Bucket/bucket-logs", "COMPLIANT", `[{"configRuleName":"s3-bucket-versioning-enabled","complianceType":"COMPLIANT"}]`),
		ci(acct1, "us-east-1", "AWS::EC2::EIP", "eipalloc-1",
			conf(`{"allocationId":"eipalloc-1","publicIp":"54.1.2.3","instanceId":"i-01","domain":"vpc"}`),
			rel(tInstance, "i-01", "Is attached to Instance")),
		ci(acct1, "us-east-1", tInstance, "i-01", az("us-east-1a"), created("2020-01-15T10:00:00.000Z"),
			conf(`{"instanceId":"i-01","instanceType":"t2.micro","imageId":"ami-12345","vpcId":"vpc-1","subnetId":"subnet-a",
				"state":{"code":16,"name":"running"},"placement":{"availabilityZone":"us-east-1a","tenancy":"default"},
				"privateIpAddress":"10.0.1.10","launchTime":"2020-01-15T10:00:00.000Z","securityGroups":[{"groupId":"sg-1","groupName":"web"}],
				"cpuOptions":{"coreCount":1,"threadsPerCore":2},"monitoring":{"state":"disabled"}}`),
			tags("Name", "web-1", "env", "prod"),
			rel(tSG, "sg-1", "Is associated with SecurityGroup"), rel(tVPC, "vpc-1", "Is contained in Vpc"),
			rel(tSubnet, "subnet-a", "Is contained in Subnet"), rel(tVolume, "vol-01", "Is attached to Volume")),
		ci(acct1, "us-east-1", tInstance, "i-02", az("us-east-1b"), created("2020-03-01T12:00:00.000Z"),
			conf(`{"instanceId":"i-02","instanceType":"t2.micro","imageId":"ami-12345","vpcId":"vpc-1","subnetId":"subnet-b",
				"state":{"code":80,"name":"stopped"},"placement":{"availabilityZone":"us-east-1b","tenancy":"default"},
				"privateIpAddress":"10.0.1.20","launchTime":"2020-03-01T12:00:00.000Z","securityGroups":[{"groupId":"sg-2","groupName":"ssh"}],
				"cpuOptions":{"coreCount":1}}`),
			tags("Name", "web-2", "env", "dev"),
			rel(tSG, "sg-2", "Is associated with SecurityGroup"), rel(tVPC, "vpc-1", "Is contained in Vpc")),
		ci(acct1, "us-east-1", tInstance, "i-06", az("us-east-1a"), created("2022-11-11T11:11:11.111Z"),
			conf(`{"instanceId":"i-06","instanceType":"c5.xlarge","imageId":"ami-12345","vpcId":"vpc-1","subnetId":"subnet-a",
				"state":{"code":16,"name":"running"},"placement":{"availabilityZone":"us-east-1a","tenancy":"default"},
				"privateIpAddress":"10.0.2.30","launchTime":"2022-11-11T11:11:11.111Z","securityGroups":[{"groupId":"sg-1"},{"groupId":"sg-2"}],
				"cpuOptions":{"coreCount":2}}`),
			tags("Name", "batch", "cost-center", "42"),
			rel(tSG, "sg-1", "Is associated with SecurityGroup"), rel(tSG, "sg-2", "Is associated with SecurityGroup"),
			rel(tVPC, "vpc-1", "Is contained in Vpc")),
		ci(acct1, "us-east-1", "AWS::EC2::NetworkInterface", "eni-1",
			conf(`{"networkInterfaceId":"eni-1","privateIpAddress":"10.0.1.10","privateIpAddresses":[{"privateIpAddress":"10.0.1.10","primary":true},{"privateIpAddress":"10.0.1.11","primary":false}]}`),
			rel(tSG, "sg-1", "Is associated with SecurityGroup"), rel(tVPC, "vpc-1", "Is contained in Vpc"),
			rel(tSubnet, "subnet-a", "Is contained in Subnet"), rel(tInstance, "i-01", "Is attached to Instance")),
		ci(acct1, "us-east-1", tSG, "sg-1",
			conf(`{"groupId":"sg-1","groupName":"web","description":"web servers","vpcId":"vpc-1",
				"ipPermissions":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":["0.0.0.0/0"],"ipv4Ranges":[{"cidrIp":"0.0.0.0/0"}]},
					{"ipProtocol":"tcp","fromPort":443,"toPort":443,"ipRanges":["10.0.0.0/16"],"ipv4Ranges":[{"cidrIp":"10.0.0.0/16"}]}],
				"ipPermissionsEgress":[{"ipProtocol":"-1","ipRanges":["0.0.0.0/0"]}]}`),
			tags("Name", "web-sg"), rel(tVPC, "vpc-1", "Is contained in Vpc")),
		ci(acct1, "us-east-1", tSG, "sg-2",
			conf(`{"groupId":"sg-2","groupName":"ssh","vpcId":"vpc-1","ipPermissions":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":["10.0.0.0/24"]}],"ipPermissionsEgress":[]}`),
			rel(tVPC, "vpc-1", "Is contained in Vpc")),
		ci(acct1, "us-east-1", tVolume, "vol-01", az("us-east-1a"), created("2020-01-15T10:00:05.000Z"),
			conf(`{"volumeId":"vol-01","volumeType":"gp2","size":100.0,"encrypted":false,"state":{"value":"in-use"},"availabilityZone":"us-east-1a",
				"attachments":[{"instanceId":"i-01","device":"/dev/xvda","state":"attached"}]}`),
			rel(tInstance, "i-01", "Is attached to Instance")),
		ci(acct1, "us-east-1", tVolume, "vol-02", az("us-east-1b"), created("2021-02-21T07:39:43.771Z"),
			conf(`{"volumeId":"vol-02","volumeType":"gp3","size":8,"encrypted":true,"state":{"value":"available"},"availabilityZone":"us-east-1b","attachments":[]}`),
			tags("Name", "scratch")),
		ci(acct1, "us-east-1", "AWS::Lambda::Function", "fn-old", name("fn-old"), created("2019-08-08T08:00:00.000Z"),
			conf(`{"functionName":"fn-old","runtime":"python3.8","memorySize":128,"timeout":3}`), tags("team", "data")),
		ci(acct1, "us-east-1", "AWS::RDS::DBSnapshot", "snap-1",
			conf(`{"dBSnapshotIdentifier":"snap-1","dBInstanceIdentifier":"db-1","snapshotType":"manual","encrypted":true,"snapshotCreateTime":"2019-05-20T10:00:00.000Z","allocatedStorage":20}`)),
		ci(acct1, "us-east-1", tBucket, "bucket-logs", name("bucket-logs"), created("2019-01-01T00:00:00.000Z"),
			conf(`{"name":"bucket-logs","owner":{"displayName":"ops"}}`),
			supp("BucketVersioningConfiguration", `{"status":"Off"}`,
				"ServerSideEncryptionConfiguration", `{"rules":[{"applyServerSideEncryptionByDefault":{"sseAlgorithm":"AES256"}}]}`,
				"PublicAccessBlockConfiguration", `{"blockPublicAcls":true,"blockPublicPolicy":true}`),
			tags("Name", "logs")),
		// A third-party type: the caller never passes its configuration.
		ci(acct1, "us-east-1", tWidget, "widget-1", name("Widget One"), tags("team", "data")),
		// 111111111111 us-west-2
		ci(acct1, "us-west-2", tInstance, "i-03", az("us-west-2a"), created("2021-06-30T00:00:00.000Z"),
			conf(`{"instanceId":"i-03","instanceType":"m5.large","imageId":"ami-67890","vpcId":"vpc-2","subnetId":"subnet-c",
				"state":{"code":16,"name":"running"},"placement":{"availabilityZone":"us-west-2a","tenancy":"dedicated"},
				"privateIpAddress":"10.1.0.5","launchTime":"2021-06-30T00:00:00.000Z","securityGroups":[{"groupId":"sg-3"}],"cpuOptions":{"coreCount":1}}`),
			tags("Name", "db-1", "env", "prod", "team", "data"),
			rel(tSG, "sg-3", "Is associated with SecurityGroup"), rel(tVPC, "vpc-2", "Is contained in Vpc"),
			rel(tVolume, "vol-03", "Is attached to Volume")),
		ci(acct1, "us-west-2", tSG, "sg-3",
			conf(`{"groupId":"sg-3","groupName":"rdp","vpcId":"vpc-2","ipPermissions":[{"ipProtocol":"tcp","fromPort":3389,"toPort":3389,"ipRanges":["0.0.0.0/0"]},
				{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":["192.168.0.2/32"]}]}`),
			tags("env", "prod")),
		ci(acct1, "us-west-2", tVolume, "vol-03", az("us-west-2a"), created("2021-06-30T00:00:10.000Z"),
			conf(`{"volumeId":"vol-03","volumeType":"io1","size":500,"iops":3000,"encrypted":true,"state":{"value":"in-use"},"availabilityZone":"us-west-2a",
				"attachments":[{"instanceId":"i-03","device":"/dev/sdf","state":"attached"}]}`),
			tags("env", "prod"), rel(tInstance, "i-03", "Is attached to Instance")),
		ci(acct1, "us-west-2", "AWS::RDS::DBSnapshot", "snap-2",
			conf(`{"dBSnapshotIdentifier":"snap-2","dBInstanceIdentifier":"db-2","snapshotType":"automated","encrypted":false,"snapshotCreateTime":"2019-06-20T10:00:00.000Z","allocatedStorage":100}`)),
		ci(acct1, "us-west-2", tBucket, "bucket-data", name("bucket-data"), created("2020-05-05T05:05:05.000Z"),
			conf(`{"name":"bucket-data"}`),
			supp("BucketVersioningConfiguration", `{"status":"Enabled","isMfaDeleteEnabled":false}`,
				"ServerSideEncryptionConfiguration", `{"rules":[{"applyServerSideEncryptionByDefault":{"sseAlgorithm":"aws:kms","kmsMasterKeyID":"key-1"}}]}`),
			tags("env", "prod", "owner", "alice")),
		// 222222222222 global
		ci(acct2, "global", tUser, "AIDACAROL", name("carol"), created("2022-02-02T02:02:02.000Z"),
			conf(`{"userName":"carol","path":"/","attachedManagedPolicies":[{"policyName":"ReadOnlyAccess"}]}`)),
		// 222222222222 us-east-1
		ci(acct2, "us-east-1", tPack, "conformance-pack-2", name("MyConformancePack2"), conf(`{"complianceType":"NON_COMPLIANT"}`)),
		rc(acct2, "AWS::EC2::Instance/i-04", "COMPLIANT", `[{"configRuleName":"required-tags","complianceType":"COMPLIANT"}]`),
		rc(acct2, "AWS::EC2::Volume/vol-04", "NON_COMPLIANT",
			`[{"configRuleName":"encrypted-volumes","complianceType":"NON_COMPLIANT"},{"configRuleName":"required-tags","complianceType":"COMPLIANT"}]`),
		ci(acct2, "us-east-1", tInstance, "i-04", az("us-east-1c"), created("2019-12-31T23:59:59.999Z"),
			conf(`{"instanceId":"i-04","instanceType":"t3.small","imageId":"ami-12345","vpcId":"vpc-3",
				"state":{"code":16,"name":"running"},"placement":{"availabilityZone":"us-east-1c","tenancy":"default"},
				"privateIpAddress":"172.16.0.4","launchTime":"2019-12-31T23:59:59.999Z","securityGroups":[{"groupId":"sg-4"}],"cpuOptions":{"coreCount":1}}`),
			tags("env", "Prod"),
			rel(tSG, "sg-4", "Is associated with SecurityGroup"), rel(tVPC, "vpc-3", "Is contained in Vpc")),
		ci(acct2, "us-east-1", tSG, "sg-4",
			conf(`{"groupId":"sg-4","groupName":"mixed","vpcId":"vpc-3","ipPermissions":[{"ipProtocol":"tcp","fromPort":80,"toPort":80,"ipRanges":["10.0.0.0/25"]},
				{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":[],"ipv6Ranges":[{"cidrIpv6":"::/0"}]}]}`)),
		ci(acct2, "us-east-1", tSG, "sg-5",
			conf(`{"groupId":"sg-5","groupName":"bastion","vpcId":"vpc-3","ipPermissions":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":["192.168.0.2/32"]}]}`)),
		ci(acct2, "us-east-1", tVolume, "vol-04", az("us-east-1c"), created("2020-02-21T07:28:40.639Z"),
			conf(`{"volumeId":"vol-04","volumeType":"gp2","size":100,"encrypted":false,"state":{"value":"available"},"availabilityZone":"us-east-1c","attachments":[]}`),
			tags("env", "dev")),
		ci(acct2, "us-east-1", "AWS::Lambda::Function", "fn-new", name("fn-new"), created("2024-04-04T04:04:04.000Z"),
			conf(`{"functionName":"fn-new","runtime":"python3.12","memorySize":1024,"timeout":30}`)),
		ci(acct2, "us-east-1", tBucket, "bucket-archive", name("bucket-archive"), created("2018-03-03T03:03:03.000Z"),
			conf(`{"name":"bucket-archive"}`), supp("BucketVersioningConfiguration", `{"status":"Suspended"}`), tags("env", "prod")),
		ci(acct2, "us-east-1", tBucket, "bucket-public", name("bucket-public"), created("2023-07-07T07:07:07.000Z"),
			conf(`{"name":"bucket-public"}`),
			supp("BucketVersioningConfiguration", `{"status":"Off"}`,
				"PublicAccessBlockConfiguration", `{"blockPublicAcls":false,"blockPublicPolicy":false}`)),
		ci(acct2, "us-east-1", tWidget, "widget-2"),
		// 222222222222 us-west-2
		ci(acct2, "us-west-2", tInstance, "i-05", az("us-west-2b"), created("2023-02-28T06:30:00.000Z"), captured("2024-02-01T00:00:00.000Z"),
			conf(`{"instanceId":"i-05","instanceType":"t2.micro","imageId":"ami-abcde","vpcId":"vpc-4",
				"state":{"code":16,"name":"running"},"placement":{"availabilityZone":"us-west-2b","tenancy":"default"},
				"privateIpAddress":"10.2.0.9","securityGroups":[],"cpuOptions":{"coreCount":1}}`)),
		ci(acct2, "us-west-2", tSG, "sg-6",
			conf(`{"groupId":"sg-6","groupName":"internal","vpcId":"vpc-4","ipPermissions":[{"ipProtocol":"tcp","fromPort":0,"toPort":65535,"ipRanges":["10.0.0.0/8"]}]}`)),
		ci(acct2, "us-west-2", tSG, "sg-7", conf(`{"groupId":"sg-7","groupName":"empty","vpcId":"vpc-4","ipPermissions":[]}`)),
		ci(acct2, "us-west-2", tVolume, "vol-05", az("us-west-2b"), created("2020-02-21T07:39:31.800Z"),
			conf(`{"volumeId":"vol-05","volumeType":"st1","size":2000,"encrypted":false,"state":{"value":"available"},"availabilityZone":"us-west-2b","attachments":[]}`)),
		// Strings where the others have numbers and booleans.
		ci(acct2, "us-west-2", tVolume, "vol-06", az("us-west-2b"), created("2023-03-01T00:00:00.000Z"), captured("2024-03-01T00:00:00.000Z"),
			conf(`{"volumeId":"vol-06","volumeType":"gp2","size":"50","encrypted":"true","state":{"value":"in-use"},"availabilityZone":"us-west-2b",
				"attachments":[{"instanceId":"i-05"}]}`)),
	}
}

// memIndex is the test's stand-in for the store's index: per path, the sorted (value, item)
// pairs of Entries, with items that hit MaxEntries kept aside as candidates of every plan.
type memIndex struct {
	n          int
	byPath     map[string][]memEntry
	unindexed  []int
	entryCount int
}

type memEntry struct {
	value string
	item  int
}

func newMemIndex(docs []*Doc) *memIndex {
	x := &memIndex{n: len(docs), byPath: map[string][]memEntry{}}
	for i, d := range docs {
		es := Entries(d)
		if len(es) >= MaxEntries {
			x.unindexed = append(x.unindexed, i)
			continue
		}
		for _, e := range es {
			x.byPath[e.Path] = append(x.byPath[e.Path], memEntry{e.Value, i})
			x.entryCount++
		}
	}
	for _, es := range x.byPath {
		sort.Slice(es, func(a, b int) bool {
			if es[a].value != es[b].value {
				return es[a].value < es[b].value
			}
			return es[a].item < es[b].item
		})
	}
	return x
}

// lookup returns the candidates of a plan, in item order.
func (x *memIndex) lookup(p Plan) []int {
	if p.Scan {
		all := make([]int, x.n)
		for i := range all {
			all[i] = i
		}
		return all
	}
	set := map[int]bool{}
	for _, i := range x.unindexed {
		set[i] = true
	}
	for _, r := range p.Ranges {
		es := x.byPath[r.Path]
		if r.Prefix != "" {
			k := sort.Search(len(es), func(i int) bool { return es[i].value >= r.Prefix })
			for ; k < len(es) && strings.HasPrefix(es[k].value, r.Prefix); k++ {
				set[es[k].item] = true
			}
			continue
		}
		k := 0
		if r.Lo != "" {
			k = sort.Search(len(es), func(i int) bool {
				return es[i].value > r.Lo || (r.LoInclusive && es[i].value == r.Lo)
			})
		}
		for ; k < len(es); k++ {
			v := es[k].value
			if r.Hi != "" && (v > r.Hi || (v == r.Hi && !r.HiInclusive)) {
				break
			}
			set[es[k].item] = true
		}
	}
	out := make([]int, 0, len(set))
	for i := range set {
		out = append(out, i)
	}
	sort.Ints(out)
	return out
}

// selectIndexed answers a WHERE clause through the index: candidates, then Match.
func (x *memIndex) selectIndexed(c Cond, docs []*Doc) []int {
	var out []int
	for _, i := range x.lookup(PlanWhere(c)) {
		if Match(c, docs[i]) {
			out = append(out, i)
		}
	}
	return out
}

// selectNaive answers a WHERE clause by matching every row.
func selectNaive(c Cond, docs []*Doc) []int {
	var out []int
	for i, d := range docs {
		if Match(c, d) {
			out = append(out, i)
		}
	}
	return out
}
