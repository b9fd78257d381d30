package config

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/orgconfig/orgconfig/tests/e2e/e2etest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/orgconfig/orgconfig/internal/testserver"
)

// fixtureSnapshot is an AWS Config snapshot in the delivery dialect, gzipped, as AWS puts it in
// S3: an EC2 instance, an S3 bucket with supplementary configuration and an IAM role (global) of
// account 111111111111 in us-east-1, and a bucket of account 222222222222 (which does not exist
// on the test server).
const fixtureSnapshot = "testdata/111111111111_Config_us-east-1_ConfigSnapshot_20260115T103000Z_5b9d2e4c-3a1f-4f6e-9a51-0c2d6f8e7a10.json.gz"

// startSnapshotRecording gives the caller's (account, region) a recorder of every type, a delivery
// channel to bucket/prefix, and starts the recorder.
func startSnapshotRecording(t *testing.T, c *configservice.Client, account, bucket, prefix string) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.PutConfigurationRecorder(ctx, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cfgtypes.ConfigurationRecorder{
		Name: aws.String("default"), RoleARN: aws.String("arn:aws:iam::" + account + ":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"),
		RecordingGroup: &cfgtypes.RecordingGroup{AllSupported: true, IncludeGlobalResourceTypes: true},
	}}); err != nil {
		t.Fatalf("PutConfigurationRecorder: %v", err)
	}
	if _, err := c.PutDeliveryChannel(ctx, &configservice.PutDeliveryChannelInput{DeliveryChannel: &cfgtypes.DeliveryChannel{
		Name: aws.String("default"), S3BucketName: aws.String(bucket), S3KeyPrefix: aws.String(prefix),
	}}); err != nil {
		t.Fatalf("PutDeliveryChannel: %v", err)
	}
	if _, err := c.StartConfigurationRecorder(ctx, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")}); err != nil {
		t.Fatalf("StartConfigurationRecorder: %v", err)
	}
}

// testSnapshotRoundTrip delivers a snapshot, imports it into a fresh server through the admin
// call, and checks that ListDiscoveredResources and BatchGetResourceConfig answer identically.
func testSnapshotRoundTrip(t *testing.T, backend testserver.Backend) {
	ctx := context.Background()
	const typ = "MyCompany::Inventory::Widget"
	src := testserver.Start(t, backend(t))
	sc := configservice.NewFromConfig(src.Config("us-east-1"))
	startSnapshotRecording(t, sc, testserver.AccountID, "config-bucket", "org/prod")
	// Native types come in through the import of an AWS snapshot, custom ones through
	// PutResourceConfig.
	fixture, err := os.ReadFile(fixtureSnapshot)
	if err != nil {
		t.Fatal(err)
	}
	e2etest.DecodeImport(t, e2etest.AdminImport(t, src, testserver.AccessKey, testserver.SecretKey, "us-east-1", "", fixture))
	for i, id := range []string{"w-1", "w-2", "w-3", "w-4"} {
		if _, err := sc.PutResourceConfig(ctx, &configservice.PutResourceConfigInput{
			ResourceType: aws.String(typ), SchemaVersionId: aws.String("00000001"), ResourceId: aws.String(id),
			ResourceName:  aws.String("widget " + id),
			Configuration: aws.String(`{"size":` + string(rune('1'+i)) + `,"color":"blue","nested":{"a":[1,2,3]}}`),
			Tags:          map[string]string{"owner": "team-" + id},
		}); err != nil {
			t.Fatalf("PutResourceConfig %s: %v", id, err)
		}
	}
	// A later change (status OK) and a deletion: the snapshot holds current, live items only.
	if _, err := sc.PutResourceConfig(ctx, &configservice.PutResourceConfigInput{
		ResourceType: aws.String(typ), SchemaVersionId: aws.String("00000001"), ResourceId: aws.String("w-2"),
		Configuration: aws.String(`{"size":9,"color":"red"}`),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.DeleteResourceConfig(ctx, &configservice.DeleteResourceConfigInput{ResourceType: aws.String(typ), ResourceId: aws.String("w-4")}); err != nil {
		t.Fatal(err)
	}

	if _, err := sc.DeliverConfigSnapshot(ctx, &configservice.DeliverConfigSnapshotInput{DeliveryChannelName: aws.String("nope")}); err == nil {
		t.Fatal("DeliverConfigSnapshot of an unknown channel succeeded")
	} else {
		e2etest.APIError(t, err, "NoSuchDeliveryChannelException", 400)
	}
	out, err := sc.DeliverConfigSnapshot(ctx, &configservice.DeliverConfigSnapshotInput{DeliveryChannelName: aws.String("default")})
	if err != nil {
		t.Fatalf("DeliverConfigSnapshot: %v", err)
	}
	id := aws.ToString(out.ConfigSnapshotId)
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`).MatchString(id) {
		t.Fatalf("configSnapshotId %q is not a UUID", id)
	}
	files, _ := filepath.Glob(filepath.Join(src.DataDir, "snapshots", "config-bucket", "org", "prod", "AWSLogs", testserver.AccountID,
		"Config", "us-east-1", "*", "*", "*", "ConfigSnapshot", testserver.AccountID+"_Config_us-east-1_ConfigSnapshot_*_"+id+".json.gz"))
	if len(files) != 1 {
		t.Fatalf("snapshot files for %s: %v", id, files)
	}
	st, err := sc.DescribeDeliveryChannelStatus(ctx, &configservice.DescribeDeliveryChannelStatusInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.DeliveryChannelsStatus) != 1 || st.DeliveryChannelsStatus[0].ConfigSnapshotDeliveryInfo == nil ||
		st.DeliveryChannelsStatus[0].ConfigSnapshotDeliveryInfo.LastStatus != cfgtypes.DeliveryStatusSuccess {
		t.Errorf("snapshot delivery status after a delivery: %+v", st.DeliveryChannelsStatus)
	}
	body, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}

	dst := testserver.Start(t, backend(t))
	dc := configservice.NewFromConfig(dst.Config("us-east-1"))
	startSnapshotRecording(t, dc, testserver.AccountID, "other-bucket", "")
	res := e2etest.DecodeImport(t, e2etest.AdminImport(t, dst, testserver.AccessKey, testserver.SecretKey, "us-east-1", "?name="+filepath.Base(files[0]), body))
	// The snapshot holds w-1, w-2, w-3, the 3 items of the fixture's account and the recorder's
	// own item (AWS::Config::ConfigurationRecorder).
	if res.Imported != 7 || res.Skipped != 0 || res.Files != 1 {
		t.Fatalf("import: %+v, want 7 items", res)
	}

	// ListDiscoveredResources takes the AWS types of the model's enum.
	for _, typ := range []cfgtypes.ResourceType{cfgtypes.ResourceTypeInstance, cfgtypes.ResourceTypeBucket, cfgtypes.ResourceTypeRole} {
		list := func(c *configservice.Client) *configservice.ListDiscoveredResourcesOutput {
			o, err := c.ListDiscoveredResources(ctx, &configservice.ListDiscoveredResourcesInput{ResourceType: typ})
			if err != nil {
				t.Fatalf("ListDiscoveredResources(%s): %v", typ, err)
			}
			return o
		}
		a, b := list(sc), list(dc)
		if len(a.ResourceIdentifiers) != 1 || !reflect.DeepEqual(a.ResourceIdentifiers, b.ResourceIdentifiers) || aws.ToString(a.NextToken) != aws.ToString(b.NextToken) {
			t.Errorf("ListDiscoveredResources(%s) differ:\nsource   %s\nimported %s", typ, dump(a.ResourceIdentifiers), dump(b.ResourceIdentifiers))
		}
	}
	keys := []cfgtypes.ResourceKey{
		{ResourceType: cfgtypes.ResourceTypeInstance, ResourceId: aws.String("i-0123456789abcdef0")},
		{ResourceType: cfgtypes.ResourceTypeBucket, ResourceId: aws.String("example-logs-111111111111")},
		{ResourceType: cfgtypes.ResourceTypeRole, ResourceId: aws.String("AROAEXAMPLEID0000001")},
	}
	for _, id := range []string{"w-1", "w-2", "w-3", "w-4"} {
		keys = append(keys, cfgtypes.ResourceKey{ResourceType: cfgtypes.ResourceType(typ), ResourceId: aws.String(id)})
	}
	batch := func(c *configservice.Client) *configservice.BatchGetResourceConfigOutput {
		o, err := c.BatchGetResourceConfig(ctx, &configservice.BatchGetResourceConfigInput{ResourceKeys: keys})
		if err != nil {
			t.Fatalf("BatchGetResourceConfig: %v", err)
		}
		return o
	}
	x, y := batch(sc), batch(dc)
	if len(x.BaseConfigurationItems) != 6 || !reflect.DeepEqual(x.BaseConfigurationItems, y.BaseConfigurationItems) ||
		!reflect.DeepEqual(x.UnprocessedResourceKeys, y.UnprocessedResourceKeys) {
		t.Errorf("BatchGetResourceConfig differs:\nsource   %s\nimported %s", dump(x.BaseConfigurationItems), dump(y.BaseConfigurationItems))
	}

	// Importing the same snapshot again changes nothing: same content, no new history.
	res = e2etest.DecodeImport(t, e2etest.AdminImport(t, dst, testserver.AccessKey, testserver.SecretKey, "us-east-1", "", body))
	if res.Imported != 7 {
		t.Fatalf("second import: %+v", res)
	}
	h, err := dc.GetResourceConfigHistory(ctx, &configservice.GetResourceConfigHistoryInput{ResourceType: cfgtypes.ResourceType(typ), ResourceId: aws.String("w-2")})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.ConfigurationItems) != 1 {
		t.Errorf("history of w-2 after importing its snapshot twice: %d items, want 1", len(h.ConfigurationItems))
	}
}

// testImportAWSFixture imports an AWS-format gzipped snapshot with native types through the
// admin call and reads the items back through the AWS API.
func testImportAWSFixture(t *testing.T, backend testserver.Backend) {
	ctx := context.Background()
	srv := testserver.Start(t, backend(t))
	c := configservice.NewFromConfig(srv.Config("us-east-1"))
	startSnapshotRecording(t, c, testserver.AccountID, "config-bucket", "")
	body, err := os.ReadFile(fixtureSnapshot)
	if err != nil {
		t.Fatal(err)
	}
	res := e2etest.DecodeImport(t, e2etest.AdminImport(t, srv, testserver.AccessKey, testserver.SecretKey, "us-east-1", "?name="+filepath.Base(fixtureSnapshot), body))
	if res.Imported != 3 || res.Skipped != 1 {
		t.Fatalf("import: %+v, want 3 imported and the other account's item skipped", res)
	}
	for reason := range res.SkipReasons {
		if !strings.Contains(reason, "222222222222") {
			t.Errorf("skip reason %q does not name the account", reason)
		}
	}

	l, err := c.ListDiscoveredResources(ctx, &configservice.ListDiscoveredResourcesInput{ResourceType: cfgtypes.ResourceTypeInstance})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.ResourceIdentifiers) != 1 || aws.ToString(l.ResourceIdentifiers[0].ResourceId) != "i-0123456789abcdef0" {
		t.Fatalf("ListDiscoveredResources(AWS::EC2::Instance): %s", dump(l.ResourceIdentifiers))
	}
	h, err := c.GetResourceConfigHistory(ctx, &configservice.GetResourceConfigHistoryInput{ResourceType: cfgtypes.ResourceTypeInstance, ResourceId: aws.String("i-0123456789abcdef0")})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.ConfigurationItems) != 1 {
		t.Fatalf("history: %s", dump(h.ConfigurationItems))
	}
	ci := h.ConfigurationItems[0]
	var conf map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(ci.Configuration)), &conf); err != nil || conf["instanceType"] != "t3.micro" {
		t.Errorf("configuration %q (%v): want the file's object as a JSON string", aws.ToString(ci.Configuration), err)
	}
	if aws.ToString(ci.ConfigurationStateId) != "1768472430123" || ci.ConfigurationItemStatus != cfgtypes.ConfigurationItemStatusOk ||
		!aws.ToTime(ci.ConfigurationItemCaptureTime).Equal(time.Date(2026, 1, 15, 10, 20, 30, 123e6, time.UTC)) {
		t.Errorf("state %s, status %s, capture %v: want the file's", aws.ToString(ci.ConfigurationStateId), ci.ConfigurationItemStatus, ci.ConfigurationItemCaptureTime)
	}
	if ci.Tags["Name"] != "web-1" || len(ci.Relationships) != 2 || aws.ToString(ci.Relationships[0].RelationshipName) != "Is attached to Volume" {
		t.Errorf("tags %v, relationships %s", ci.Tags, dump(ci.Relationships))
	}

	bg, err := c.BatchGetResourceConfig(ctx, &configservice.BatchGetResourceConfigInput{ResourceKeys: []cfgtypes.ResourceKey{
		{ResourceType: cfgtypes.ResourceTypeBucket, ResourceId: aws.String("example-logs-111111111111")},
		{ResourceType: cfgtypes.ResourceTypeRole, ResourceId: aws.String("AROAEXAMPLEID0000001")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(bg.BaseConfigurationItems) != 2 {
		t.Fatalf("BatchGetResourceConfig: %s", dump(bg.BaseConfigurationItems))
	}
	for _, it := range bg.BaseConfigurationItems {
		switch it.ResourceType {
		case cfgtypes.ResourceTypeBucket:
			v := it.SupplementaryConfiguration["BucketVersioningConfiguration"]
			if !strings.Contains(v, `"status":"Enabled"`) {
				t.Errorf("bucket supplementary configuration: %v", it.SupplementaryConfiguration)
			}
		case cfgtypes.ResourceTypeRole:
			if aws.ToString(it.AwsRegion) != "global" {
				t.Errorf("IAM role awsRegion %q, want global", aws.ToString(it.AwsRegion))
			}
		}
	}
	counts, err := c.GetDiscoveredResourceCounts(ctx, &configservice.GetDiscoveredResourceCountsInput{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int64{}
	for _, rc := range counts.ResourceCounts {
		seen[string(rc.ResourceType)] = rc.Count
	}
	if seen["AWS::EC2::Instance"] != 1 || seen["AWS::S3::Bucket"] != 1 {
		t.Errorf("GetDiscoveredResourceCounts: %s", dump(counts.ResourceCounts))
	}

	// Another account's root may import into its own account only.
	_, cred, err := srv.Directory().CreateAccount(ctx, "333333333333", "", "", "test")
	if err != nil {
		t.Fatal(err)
	}
	res = e2etest.DecodeImport(t, e2etest.AdminImport(t, srv, cred.AccessKeyID, cred.SecretAccessKey, "us-east-1", "", body))
	if res.Imported != 0 || res.Skipped != 4 {
		t.Errorf("import by another account's root: %+v, want every item refused", res)
	}
	if a := e2etest.AdminImport(t, srv, cred.AccessKeyID, cred.SecretAccessKey, "us-east-1", "?accountId=111111111111", body); a.Status != http.StatusForbidden && a.Status != http.StatusBadRequest || !strings.Contains(string(a.Body), "AccessDenied") {
		t.Errorf("import into another account: HTTP %d %s", a.Status, a.Body)
	}
	if a := e2etest.AdminImport(t, srv, testserver.AccessKey, testserver.SecretKey, "us-east-1", "", []byte(`{"hello":"world"}`)); a.Status != http.StatusBadRequest || !strings.Contains(string(a.Body), "configurationItems") {
		t.Errorf("import of a file without items: HTTP %d %s", a.Status, a.Body)
	}
}

func dump(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestConfigSnapshot(t *testing.T) {
	testserver.Backends(t, func(t *testing.T, backend testserver.Backend) {
		t.Run("RoundTrip", func(t *testing.T) { testSnapshotRoundTrip(t, backend) })
		t.Run("ImportAWSFixture", func(t *testing.T) { testImportAWSFixture(t, backend) })
	})
}
