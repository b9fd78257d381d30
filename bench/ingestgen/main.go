// Command ingestgen supports the ingest benchmarks (docs/BENCHMARKS.md): it generates AWS Config
// snapshot files of any size, in AWS's delivery format, for `orgconfig import`; and it reads a
// loaded server (ListDiscoveredResources, GetDiscoveredResourceCounts) while reporting the
// server process's peak resident memory (VmHWM).
//
//	go run ./bench/ingestgen -items 1000000 -out /tmp/snap.json.gz
//	go run ./bench/ingestgen -read -endpoint http://127.0.0.1:4566 -pid 1234
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
	cs "github.com/orgconfig/orgconfig/internal/configservice"
)

func main() {
	items := flag.Int("items", 1000000, "generate: number of configuration items")
	accounts := flag.Int("accounts", 1, "generate: spread the items over this many accounts (111111111111, 200000000000, 200000000001, ...)")
	region := flag.String("region", "us-east-1", "generate: awsRegion of the items")
	out := flag.String("out", "/tmp/snap.json.gz", "generate: output file")
	read := flag.Bool("read", false, "read a server instead: ListDiscoveredResources (every page of each type) and GetDiscoveredResourceCounts")
	endpoint := flag.String("endpoint", "http://127.0.0.1:4566", "read: the server")
	pid := flag.Int("pid", 0, "read: the server's process ID, for its VmHWM/VmRSS (0: not reported)")
	flag.Parse()
	var err error
	if *read {
		err = readServer(*endpoint, *region, *pid)
	} else {
		err = generate(*items, *accounts, *region, *out)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ingestgen:", err)
		os.Exit(1)
	}
}

// generate writes a snapshot of n items: EC2 instances, S3 buckets and security groups with
// realistic configuration objects (~1 KB each), tags and relationships.
func generate(n, accounts int, region, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := cs.NewSnapshotWriter(f, "00000000-0000-4000-8000-000000000001")
	capture := time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)
	for i := range n {
		acct := "111111111111"
		if a := i % accounts; a > 0 {
			acct = fmt.Sprintf("%012d", 200000000000+a-1)
		}
		ci := &configapi.ConfigurationItem{
			Version: "1.3", AccountId: acct, AwsRegion: region,
			ConfigurationItemStatus:      configapi.ConfigurationItemStatusResourceDiscovered,
			ConfigurationItemCaptureTime: awsproto.NewTime(capture.Add(time.Duration(i) * time.Millisecond)),
			ConfigurationStateId:         fmt.Sprint(capture.UnixMilli() + int64(i)),
			Tags:                         map[string]string{"env": []string{"prod", "dev", "test"}[i%3], "team": fmt.Sprintf("team-%d", i%40)},
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
		if err := w.Write(ci); err != nil {
			return err
		}
	}
	if err := w.Close(); err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		return err
	}
	fmt.Printf("wrote %d items to %s (%d bytes)\n", n, path, st.Size())
	return f.Close()
}

// readServer pages through ListDiscoveredResources for the generated types and calls
// GetDiscoveredResourceCounts with the environment's credentials, then prints the server's
// memory figures.
func readServer(endpoint, region string, pid int) error {
	ctx := context.Background()
	c := configservice.NewFromConfig(aws.Config{
		Region: region, BaseEndpoint: aws.String(endpoint), RetryMaxAttempts: 1,
		Credentials: awscreds.NewStaticCredentialsProvider(os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), ""),
		HTTPClient:  &http.Client{Timeout: 5 * time.Minute, Transport: &http.Transport{Proxy: nil}},
	})
	// A running recorder, so that GetDiscoveredResourceCounts counts (errors: already set up).
	_, _ = c.PutConfigurationRecorder(ctx, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cfgtypes.ConfigurationRecorder{
		Name: aws.String("default"), RoleARN: aws.String("arn:aws:iam::111111111111:role/config"), RecordingGroup: &cfgtypes.RecordingGroup{AllSupported: true}}})
	_, _ = c.PutDeliveryChannel(ctx, &configservice.PutDeliveryChannelInput{DeliveryChannel: &cfgtypes.DeliveryChannel{Name: aws.String("default"), S3BucketName: aws.String("b")}})
	_, _ = c.StartConfigurationRecorder(ctx, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")})
	start := time.Now()
	counts, err := c.GetDiscoveredResourceCounts(ctx, &configservice.GetDiscoveredResourceCountsInput{})
	if err != nil {
		return err
	}
	fmt.Printf("GetDiscoveredResourceCounts: total %d in %s\n", counts.TotalDiscoveredResources, time.Since(start).Round(time.Millisecond))
	for _, typ := range []cfgtypes.ResourceType{cfgtypes.ResourceTypeInstance, cfgtypes.ResourceTypeBucket, cfgtypes.ResourceTypeSecurityGroup} {
		start, n, pages := time.Now(), 0, 0
		p := configservice.NewListDiscoveredResourcesPaginator(c, &configservice.ListDiscoveredResourcesInput{ResourceType: typ})
		for p.HasMorePages() && pages < 2000 {
			out, err := p.NextPage(ctx)
			if err != nil {
				return err
			}
			n += len(out.ResourceIdentifiers)
			pages++
		}
		fmt.Printf("ListDiscoveredResources %s: %d resources in %d pages, %s\n", typ, n, pages, time.Since(start).Round(time.Millisecond))
	}
	if pid > 0 {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			return err
		}
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "VmHWM") || strings.HasPrefix(l, "VmRSS") {
				fmt.Println(l)
			}
		}
	}
	return nil
}
