package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/orgconfig/orgconfig/bench/gen"
	"github.com/orgconfig/orgconfig/internal/sdkhttp"
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

// generate writes a snapshot of n items (gen.Snapshot) to path.
func generate(n, accounts int, region, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := gen.Snapshot(f, n, gen.Accounts(accounts), region); err != nil {
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
		HTTPClient:  sdkhttp.Client(5*time.Minute, nil),
	})
	// A running recorder, so that GetDiscoveredResourceCounts counts (errors: already set up).
	_, _ = c.PutConfigurationRecorder(ctx, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cfgtypes.ConfigurationRecorder{
		Name: aws.String("default"), RoleARN: aws.String("arn:aws:iam::111111111111:role/config"), RecordingGroup: &cfgtypes.RecordingGroup{AllSupported: true}}})
	_, _ = c.PutDeliveryChannel(ctx, &configservice.PutDeliveryChannelInput{DeliveryChannel: &cfgtypes.DeliveryChannel{Name: aws.String("default"), S3BucketName: aws.String("config-bucket")}})
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
