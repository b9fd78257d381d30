package gen

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
	cs "github.com/orgconfig/orgconfig/internal/configservice"
)

// Accounts returns n account IDs: 111111111111, then 200000000000, 200000000001, ...
func Accounts(n int) []string {
	out := []string{"111111111111"}
	for i := 1; i < n; i++ {
		out = append(out, fmt.Sprintf("%012d", 200000000000+i-1))
	}
	return out
}

// Snapshot writes a gzipped AWS Config snapshot of n items to out, round-robin over accounts:
// EC2 instances, S3 buckets and security groups in equal parts, with realistic configuration
// objects (~1 KB each), tags (env, team) and relationships.
func Snapshot(out io.Writer, n int, accounts []string, region string) error {
	return SnapshotRevision(out, n, accounts, region, 0)
}

// SnapshotRevision is Snapshot of a later state of the same resources: with revision > 0 every
// item has one more tag, "revision", so importing it changes every resource (capture times move
// revision hours later).
func SnapshotRevision(out io.Writer, n int, accounts []string, region string, revision int) error {
	w := cs.NewSnapshotWriter(out, "00000000-0000-4000-8000-000000000001")
	if err := Items(n, accounts, region, revision, w.Write); err != nil {
		return err
	}
	return w.Close()
}

// WriteSnapshot writes items as a gzipped AWS Config snapshot, in the order given.
func WriteSnapshot(out io.Writer, items []*configapi.ConfigurationItem) error {
	w := cs.NewSnapshotWriter(out, "00000000-0000-4000-8000-000000000001")
	for _, ci := range items {
		if err := w.Write(ci); err != nil {
			return err
		}
	}
	return w.Close()
}

// Items calls fn with the items of SnapshotRevision(n, accounts, region, revision), in the
// snapshot's order.
func Items(n int, accounts []string, region string, revision int, fn func(*configapi.ConfigurationItem) error) error {
	capture := time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)
	for i := range n {
		acct := accounts[i%len(accounts)]
		ci := &configapi.ConfigurationItem{
			Version: "1.3", AccountId: acct, AwsRegion: region,
			ConfigurationItemStatus:      configapi.ConfigurationItemStatusResourceDiscovered,
			ConfigurationItemCaptureTime: awsproto.NewTime(capture.Add(time.Duration(i) * time.Millisecond)),
			ConfigurationStateId:         fmt.Sprint(capture.UnixMilli() + int64(i)),
			Tags:                         map[string]string{"env": []string{"prod", "dev", "test"}[i%3], "team": fmt.Sprintf("team-%d", i%40)},
		}
		if revision > 0 {
			ci.Tags["revision"] = fmt.Sprint(revision)
			ci.ConfigurationItemCaptureTime = awsproto.NewTime(ci.ConfigurationItemCaptureTime.Time.Add(time.Duration(revision) * time.Hour))
			ci.ConfigurationStateId = fmt.Sprint(ci.ConfigurationItemCaptureTime.Time.UnixMilli())
		}
		var conf any
		switch i % 3 {
		case 0:
			id := fmt.Sprintf("i-%017x", i)
			ci.ResourceType, ci.ResourceId, ci.AvailabilityZone = "AWS::EC2::Instance", id, region+"a"
			ci.Arn = "arn:aws:ec2:" + region + ":" + acct + ":instance/" + id
			ci.Relationships = []configapi.Relationship{{ResourceType: "AWS::EC2::VPC", ResourceId: fmt.Sprintf("vpc-%08x", i%100), RelationshipName: "Is contained in Vpc"}}
			conf = map[string]any{"instanceId": id, "instanceType": []string{"t3.micro", "m5.large", "c6g.xlarge"}[(i/3)%3], "imageId": "ami-0abcdef1234567890",
				"state": map[string]any{"code": 16, "name": "running"}, "placement": map[string]any{"availabilityZone": region + "a", "tenancy": "default"},
				"privateIpAddress": fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255), "vpcId": fmt.Sprintf("vpc-%08x", i%100),
				"securityGroups":      []any{map[string]any{"groupId": fmt.Sprintf("sg-%08x", i%500), "groupName": "web"}},
				"blockDeviceMappings": []any{map[string]any{"deviceName": "/dev/xvda", "ebs": map[string]any{"volumeId": fmt.Sprintf("vol-%017x", i), "deleteOnTermination": true}}},
				"monitoring":          map[string]any{"state": "disabled"}, "ebsOptimized": false, "launchTime": "2026-01-10T09:00:00.000Z"}
		case 1:
			name := fmt.Sprintf("bucket-%s-%d", acct, i)
			ci.ResourceType, ci.ResourceId, ci.ResourceName, ci.AvailabilityZone = "AWS::S3::Bucket", name, name, "Regional"
			ci.Arn = "arn:aws:s3:::" + name
			conf = map[string]any{"name": name, "owner": map[string]any{"id": strings.Repeat("a1", 32)}, "creationDate": "2025-11-02T08:00:00.000Z"}
			ci.SupplementaryConfiguration = map[string]string{"BucketVersioningConfiguration": `{"status":"Enabled","isMfaDeleteEnabled":null}`,
				"PublicAccessBlockConfiguration": `{"blockPublicAcls":true,"ignorePublicAcls":true,"blockPublicPolicy":true,"restrictPublicBuckets":true}`}
		default:
			id := fmt.Sprintf("sg-%017x", i)
			ci.ResourceType, ci.ResourceId, ci.AvailabilityZone = "AWS::EC2::SecurityGroup", id, "Not Applicable"
			ci.Arn = "arn:aws:ec2:" + region + ":" + acct + ":security-group/" + id
			conf = map[string]any{"groupId": id, "groupName": fmt.Sprintf("sg-%d", i), "description": "generated", "vpcId": fmt.Sprintf("vpc-%08x", i%100),
				"ipPermissions": []any{map[string]any{"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "ipRanges": []any{"0.0.0.0/0"}}}}
		}
		b, _ := json.Marshal(conf)
		ci.Configuration = string(b)
		if err := fn(ci); err != nil {
			return err
		}
	}
	return nil
}
