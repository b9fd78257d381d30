package config

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orgconfig/orgconfig/tests/e2e/e2etest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/orgconfig/orgconfig/internal/clock"
	"github.com/orgconfig/orgconfig/internal/server"
	"github.com/orgconfig/orgconfig/internal/store"
	"github.com/orgconfig/orgconfig/internal/testserver"
)

// TestConfigItems runs the configuration item suite (custom resources, history, discovery,
// counts, batch reads, IAM self-recording) on both store backends.
func TestConfigItems(t *testing.T) {
	testserver.Backends(t, func(t *testing.T, backend testserver.Backend) {
		for _, c := range []struct {
			name string
			fn   func(*testing.T, testserver.Option)
		}{
			{"PutResourceConfigErrors", testItemsPutErrors},
			{"CustomResources", testItemsCustomResources},
			{"IAMSelfRecording", testItemsIAMSelfRecording},
			{"HistoryPagination", testItemsHistoryPagination},
			{"DiscoveryPaginationAndCounts", testItemsDiscovery},
			{"BatchGet", testItemsBatchGet},
			{"ConcurrentWrites", testItemsConcurrentWrites},
			{"RetentionPrunesHistory", testItemsRetention},
		} {
			t.Run(c.name, func(t *testing.T) { c.fn(t, backend(t)) })
		}
	})
}

const itemsRegion = "us-east-1"

// startRecording creates, gives a channel to and starts a recorder that records every type,
// the global IAM types included.
func startRecording(t *testing.T, cfg *configservice.Client) {
	t.Helper()
	ctx := context.Background()
	_, err := cfg.PutConfigurationRecorder(ctx, &configservice.PutConfigurationRecorderInput{
		ConfigurationRecorder: &cfgtypes.ConfigurationRecorder{
			Name:    aws.String("default"),
			RoleARN: aws.String("arn:aws:iam::" + testserver.AccountID + ":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"),
			RecordingGroup: &cfgtypes.RecordingGroup{
				AllSupported: true, IncludeGlobalResourceTypes: true,
			},
		},
	})
	if err != nil {
		t.Fatalf("PutConfigurationRecorder: %v", err)
	}
	if _, err := cfg.PutDeliveryChannel(ctx, &configservice.PutDeliveryChannelInput{DeliveryChannel: &cfgtypes.DeliveryChannel{
		Name: aws.String("default"), S3BucketName: aws.String("config-bucket"),
	}}); err != nil {
		t.Fatalf("PutDeliveryChannel: %v", err)
	}
	if _, err := cfg.StartConfigurationRecorder(ctx, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")}); err != nil {
		t.Fatalf("StartConfigurationRecorder: %v", err)
	}
}

func testItemsPutErrors(t *testing.T, backend testserver.Option) {
	srv := testserver.Start(t, backend)
	cfg := configservice.NewFromConfig(srv.Config(itemsRegion))
	ctx := context.Background()

	// No recorder at all, then a recorder that is not started.
	e2etest.APIError(t, e2etest.PutCustom(t, cfg, "MyOrg::Test::Widget", "w1", `{"a":1}`), "NoRunningConfigurationRecorderException", 400)
	startRecording(t, cfg)
	for _, typ := range []string{"AWS::EC2::Instance", "Amazon::Test::Widget", "amzn::Test::Widget", "ALEXA::Test::Widget", "Custom::Test::Widget"} {
		ae := e2etest.APIError(t, e2etest.PutCustom(t, cfg, typ, "w1", `{"a":1}`), "ValidationException", 400)
		org := strings.Split(typ, "::")[0]
		if want := fmt.Sprintf("You cannot use the organization name '%s' with custom resource types.", org); ae.ErrorMessage() != want {
			t.Errorf("%s: message %q, want %q", typ, ae.ErrorMessage(), want)
		}
	}
	e2etest.APIError(t, e2etest.PutCustom(t, cfg, "MyOrg::Widget", "w1", `{"a":1}`), "ValidationException", 400)
	e2etest.APIError(t, e2etest.PutCustom(t, cfg, "MyOrg::Test::Widget", "w1", `not json`), "ValidationException", 400)
	e2etest.APIError(t, e2etest.PutCustom(t, cfg, "MyOrg::Test::Widget", "w1", `{"big":"`+strings.Repeat("x", 64*1024)+`"}`), "ValidationException", 400)
	if err := e2etest.PutCustom(t, cfg, "MyOrg::Test::Widget", "w1", `{"a":1}`); err != nil {
		t.Fatal(err)
	}
	// Deleting an unknown resource: DeleteResourceConfig's model lists no not-found error.
	_, err := cfg.DeleteResourceConfig(ctx, &configservice.DeleteResourceConfigInput{ResourceType: aws.String("MyOrg::Test::Widget"), ResourceId: aws.String("nope")})
	e2etest.APIError(t, err, "ValidationException", 400)
	// A stopped recorder refuses both writes.
	if _, err := cfg.StopConfigurationRecorder(ctx, &configservice.StopConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")}); err != nil {
		t.Fatal(err)
	}
	e2etest.APIError(t, e2etest.PutCustom(t, cfg, "MyOrg::Test::Widget", "w1", `{"a":2}`), "NoRunningConfigurationRecorderException", 400)
	_, err = cfg.DeleteResourceConfig(ctx, &configservice.DeleteResourceConfigInput{ResourceType: aws.String("MyOrg::Test::Widget"), ResourceId: aws.String("w1")})
	e2etest.APIError(t, err, "NoRunningConfigurationRecorderException", 400)
}

// testItemsCustomResources puts, updates and deletes a custom resource and reads it back.
func testItemsCustomResources(t *testing.T, backend testserver.Option) {
	srv := testserver.Start(t, backend)
	cfg := configservice.NewFromConfig(srv.Config(itemsRegion))
	ctx := context.Background()
	startRecording(t, cfg)
	const typ = "MyOrg::Test::Widget"
	for i, conf := range []string{`{"size": 1}`, `{"size":1}`, `{"size":2}`} { // the second is identical: no new item
		if err := e2etest.PutCustom(t, cfg, typ, "w1", conf); err != nil {
			t.Fatalf("put %d: %v", i, err)
		}
	}
	counts, err := cfg.GetDiscoveredResourceCounts(ctx, &configservice.GetDiscoveredResourceCountsInput{ResourceTypes: []string{typ}})
	if err != nil {
		t.Fatal(err)
	}
	if counts.TotalDiscoveredResources != 1 || len(counts.ResourceCounts) != 1 || counts.ResourceCounts[0].Count != 1 {
		t.Fatalf("counts = %d %+v", counts.TotalDiscoveredResources, counts.ResourceCounts)
	}
	if _, err := cfg.DeleteResourceConfig(ctx, &configservice.DeleteResourceConfigInput{ResourceType: aws.String(typ), ResourceId: aws.String("w1")}); err != nil {
		t.Fatal(err)
	}
	counts, err = cfg.GetDiscoveredResourceCounts(ctx, &configservice.GetDiscoveredResourceCountsInput{ResourceTypes: []string{typ}})
	if err != nil {
		t.Fatal(err)
	}
	if counts.TotalDiscoveredResources != 0 || len(counts.ResourceCounts) != 0 {
		t.Fatalf("counts after delete = %d %+v", counts.TotalDiscoveredResources, counts.ResourceCounts)
	}

	// Reading custom types through the wire needs the request validator to accept third-party
	// types in ResourceType members (AWS does; the model's enum lists only AWS types).
	hist, err := cfg.GetResourceConfigHistory(ctx, &configservice.GetResourceConfigHistoryInput{
		ResourceType: cfgtypes.ResourceType(typ), ResourceId: aws.String("w1"), ChronologicalOrder: cfgtypes.ChronologicalOrderForward})
	if err != nil && strings.Contains(err.Error(), "enum value set") {
		t.Skip("the wire validator rejects third-party resource types in ResourceType members")
	}
	if err != nil {
		t.Fatal(err)
	}
	wantStatus := []cfgtypes.ConfigurationItemStatus{cfgtypes.ConfigurationItemStatusResourceDiscovered, cfgtypes.ConfigurationItemStatusOk, cfgtypes.ConfigurationItemStatusResourceDeleted}
	if len(hist.ConfigurationItems) != len(wantStatus) {
		t.Fatalf("history has %d items, want %d", len(hist.ConfigurationItems), len(wantStatus))
	}
	for i, ci := range hist.ConfigurationItems {
		if ci.ConfigurationItemStatus != wantStatus[i] {
			t.Errorf("item %d status %s, want %s", i, ci.ConfigurationItemStatus, wantStatus[i])
		}
	}
	if c := aws.ToString(hist.ConfigurationItems[1].Configuration); c != `{"size":2}` {
		t.Errorf("configuration = %q", c)
	}
}

func createConfigRole(t *testing.T, client *iam.Client, name string) string {
	t.Helper()
	out, err := client.CreateRole(context.Background(), &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(e2etest.IAMTrust)})
	if err != nil {
		t.Fatalf("CreateRole %s: %v", name, err)
	}
	return aws.ToString(out.Role.RoleId)
}

// testItemsIAMSelfRecording checks that IAM roles are recorded as AWS::IAM::Role items.
func testItemsIAMSelfRecording(t *testing.T, backend testserver.Option) {
	srv := testserver.Start(t, backend)
	cfg := configservice.NewFromConfig(srv.Config(itemsRegion))
	iamc := iam.NewFromConfig(srv.Config(itemsRegion))
	ctx := context.Background()

	// Not recorded before a recorder runs.
	before := createConfigRole(t, iamc, "before-recording")
	startRecording(t, cfg)
	id := createConfigRole(t, iamc, "recorded")

	list, err := cfg.ListDiscoveredResources(ctx, &configservice.ListDiscoveredResourcesInput{ResourceType: cfgtypes.ResourceTypeRole})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range list.ResourceIdentifiers {
		if aws.ToString(r.ResourceId) == before {
			t.Errorf("role created before recording was recorded")
		}
		if aws.ToString(r.ResourceId) == id {
			found = true
			if aws.ToString(r.ResourceName) != "recorded" {
				t.Errorf("resourceName = %q", aws.ToString(r.ResourceName))
			}
		}
	}
	if !found {
		t.Fatalf("role %s not discovered: %+v", id, list.ResourceIdentifiers)
	}

	if _, err := iamc.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("recorded"), PolicyName: aws.String("inline"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := iamc.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("recorded"), PolicyName: aws.String("inline")}); err != nil {
		t.Fatal(err)
	}
	if _, err := iamc.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("recorded")}); err != nil {
		t.Fatal(err)
	}
	hist, err := cfg.GetResourceConfigHistory(ctx, &configservice.GetResourceConfigHistoryInput{
		ResourceType: cfgtypes.ResourceTypeRole, ResourceId: aws.String(id), ChronologicalOrder: cfgtypes.ChronologicalOrderForward})
	if err != nil {
		t.Fatal(err)
	}
	want := []cfgtypes.ConfigurationItemStatus{cfgtypes.ConfigurationItemStatusResourceDiscovered, cfgtypes.ConfigurationItemStatusOk,
		cfgtypes.ConfigurationItemStatusOk, cfgtypes.ConfigurationItemStatusResourceDeleted}
	if len(hist.ConfigurationItems) != len(want) {
		t.Fatalf("history: %d items, want %d", len(hist.ConfigurationItems), len(want))
	}
	prevState := ""
	for i, ci := range hist.ConfigurationItems {
		if ci.ConfigurationItemStatus != want[i] {
			t.Errorf("item %d: status %s, want %s", i, ci.ConfigurationItemStatus, want[i])
		}
		if aws.ToString(ci.AwsRegion) != "global" || aws.ToString(ci.Version) != "1.3" || aws.ToString(ci.AccountId) != testserver.AccountID {
			t.Errorf("item %d: region %q version %q account %q", i, aws.ToString(ci.AwsRegion), aws.ToString(ci.Version), aws.ToString(ci.AccountId))
		}
		st := aws.ToString(ci.ConfigurationStateId)
		if len(st) < len(prevState) || (len(st) == len(prevState) && st <= prevState) {
			t.Errorf("state IDs not increasing: %s after %s", st, prevState)
		}
		prevState = st
	}
	first := hist.ConfigurationItems[0]
	var conf map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(first.Configuration)), &conf); err != nil {
		t.Fatalf("configuration is not a JSON string: %v", err)
	}
	if conf["roleName"] != "recorded" || conf["roleId"] != id || !strings.HasPrefix(conf["assumeRolePolicyDocument"].(string), "%7B") {
		t.Errorf("configuration = %v", conf)
	}
	if aws.ToString(hist.ConfigurationItems[1].Configuration) == aws.ToString(first.Configuration) {
		t.Errorf("the OK item has the same configuration as the first")
	}
	if hist.ConfigurationItems[3].Configuration != nil {
		t.Errorf("deleted item has a configuration")
	}
	// Deleted resources are listed only on request, with their deletion time.
	list, err = cfg.ListDiscoveredResources(ctx, &configservice.ListDiscoveredResourcesInput{ResourceType: cfgtypes.ResourceTypeRole,
		ResourceIds: []string{id}, IncludeDeletedResources: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.ResourceIdentifiers) != 1 || list.ResourceIdentifiers[0].ResourceDeletionTime == nil {
		t.Fatalf("deleted listing = %+v", list.ResourceIdentifiers)
	}
	list, err = cfg.ListDiscoveredResources(ctx, &configservice.ListDiscoveredResourcesInput{ResourceType: cfgtypes.ResourceTypeRole, ResourceIds: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.ResourceIdentifiers) != 0 {
		t.Fatalf("deleted role listed without includeDeletedResources: %+v", list.ResourceIdentifiers)
	}
	// Not recorded in another region without a recorder.
	other := configservice.NewFromConfig(srv.Config("eu-west-1"))
	_, err = other.GetResourceConfigHistory(ctx, &configservice.GetResourceConfigHistoryInput{ResourceType: cfgtypes.ResourceTypeRole, ResourceId: aws.String(id)})
	e2etest.APIError(t, err, "NoAvailableConfigurationRecorderException", 400)
	_, err = cfg.GetResourceConfigHistory(ctx, &configservice.GetResourceConfigHistoryInput{ResourceType: cfgtypes.ResourceTypeRole, ResourceId: aws.String("AROANOPE")})
	e2etest.APIError(t, err, "ResourceNotDiscoveredException", 400)
	_, err = cfg.GetResourceConfigHistory(ctx, &configservice.GetResourceConfigHistoryInput{ResourceType: cfgtypes.ResourceTypeRole, ResourceId: aws.String(id),
		EarlierTime: aws.Time(time.Now().Add(time.Hour)), LaterTime: aws.Time(time.Now())})
	e2etest.APIError(t, err, "InvalidTimeRangeException", 400)
}

// testItemsHistoryPagination pages a long history both ways with small limits.
func testItemsHistoryPagination(t *testing.T, backend testserver.Option) {
	srv := testserver.Start(t, backend)
	cfg := configservice.NewFromConfig(srv.Config(itemsRegion))
	iamc := iam.NewFromConfig(srv.Config(itemsRegion))
	ctx := context.Background()
	startRecording(t, cfg)
	id := createConfigRole(t, iamc, "paged")
	const updates = 6
	for i := range updates {
		if _, err := iamc.UpdateRoleDescription(ctx, &iam.UpdateRoleDescriptionInput{RoleName: aws.String("paged"), Description: aws.String(fmt.Sprintf("v%d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	for _, order := range []cfgtypes.ChronologicalOrder{cfgtypes.ChronologicalOrderForward, cfgtypes.ChronologicalOrderReverse, ""} {
		var states []string
		tokens := map[string]bool{}
		token := (*string)(nil)
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatalf("%s: pagination does not end", order)
			}
			out, err := cfg.GetResourceConfigHistory(ctx, &configservice.GetResourceConfigHistoryInput{
				ResourceType: cfgtypes.ResourceTypeRole, ResourceId: aws.String(id), ChronologicalOrder: order, Limit: 3, NextToken: token})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.ConfigurationItems) > 3 {
				t.Fatalf("page of %d items", len(out.ConfigurationItems))
			}
			for _, ci := range out.ConfigurationItems {
				states = append(states, aws.ToString(ci.ConfigurationStateId))
			}
			if out.NextToken == nil {
				break
			}
			if tokens[*out.NextToken] {
				t.Fatalf("token repeated")
			}
			tokens[*out.NextToken] = true
			token = out.NextToken
		}
		if len(states) != updates+1 {
			t.Fatalf("%s: %d items, want %d", order, len(states), updates+1)
		}
		for i := 1; i < len(states); i++ {
			less := states[i-1] < states[i]
			if (order == cfgtypes.ChronologicalOrderForward) != less {
				t.Fatalf("%s: wrong order %v", order, states)
			}
		}
	}
	_, err := cfg.GetResourceConfigHistory(ctx, &configservice.GetResourceConfigHistoryInput{ResourceType: cfgtypes.ResourceTypeRole, ResourceId: aws.String(id), NextToken: aws.String("garbage!")})
	e2etest.APIError(t, err, "InvalidNextTokenException", 400)
}

// testItemsDiscovery lists many resources with a small limit and counts them.
func testItemsDiscovery(t *testing.T, backend testserver.Option) {
	srv := testserver.Start(t, backend)
	cfg := configservice.NewFromConfig(srv.Config(itemsRegion))
	iamc := iam.NewFromConfig(srv.Config(itemsRegion))
	ctx := context.Background()
	startRecording(t, cfg)
	const n = 7
	ids := map[string]bool{}
	for i := range n {
		ids[createConfigRole(t, iamc, fmt.Sprintf("role-%d", i))] = true
	}
	for i := range 2 {
		if _, err := iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(fmt.Sprintf("user-%d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	// The recorder's service-linked role may be recorded too: count what is listed.
	seen := map[string]bool{}
	var token *string
	for pages := 0; ; pages++ {
		if pages > 20 {
			t.Fatal("pagination does not end")
		}
		out, err := cfg.ListDiscoveredResources(ctx, &configservice.ListDiscoveredResourcesInput{ResourceType: cfgtypes.ResourceTypeRole, Limit: 2, NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.ResourceIdentifiers) > 2 {
			t.Fatalf("page of %d", len(out.ResourceIdentifiers))
		}
		for _, r := range out.ResourceIdentifiers {
			if seen[aws.ToString(r.ResourceId)] {
				t.Fatalf("%s listed twice", aws.ToString(r.ResourceId))
			}
			seen[aws.ToString(r.ResourceId)] = true
		}
		if out.NextToken == nil {
			break
		}
		token = out.NextToken
	}
	for id := range ids {
		if !seen[id] {
			t.Errorf("role %s not listed", id)
		}
	}
	byName, err := cfg.ListDiscoveredResources(ctx, &configservice.ListDiscoveredResourcesInput{ResourceType: cfgtypes.ResourceTypeRole, ResourceName: aws.String("role-3")})
	if err != nil {
		t.Fatal(err)
	}
	if len(byName.ResourceIdentifiers) != 1 || aws.ToString(byName.ResourceIdentifiers[0].ResourceName) != "role-3" {
		t.Fatalf("by name: %+v", byName.ResourceIdentifiers)
	}
	_, err = cfg.ListDiscoveredResources(ctx, &configservice.ListDiscoveredResourcesInput{ResourceType: cfgtypes.ResourceTypeRole, ResourceName: aws.String("role-3"), ResourceIds: []string{"x"}})
	if ae := e2etest.APIError(t, err, "ValidationException", 400); ae.ErrorMessage() != "Both Resource ID and Resource Name cannot be specified in the request" {
		t.Errorf("message = %q", ae.ErrorMessage())
	}

	counts, err := cfg.GetDiscoveredResourceCounts(ctx, &configservice.GetDiscoveredResourceCountsInput{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for i, c := range counts.ResourceCounts {
		got[string(c.ResourceType)] = c.Count
		if i > 0 && counts.ResourceCounts[i-1].Count < c.Count {
			t.Errorf("counts not sorted by count: %+v", counts.ResourceCounts)
		}
	}
	if got["AWS::IAM::Role"] != int64(len(seen)) || got["AWS::IAM::User"] != 2 {
		t.Errorf("counts = %v (roles listed %d)", got, len(seen))
	}
	var total int64
	for _, c := range got {
		total += c
	}
	if counts.TotalDiscoveredResources != total {
		t.Errorf("total = %d, want %d", counts.TotalDiscoveredResources, total)
	}
	page1, err := cfg.GetDiscoveredResourceCounts(ctx, &configservice.GetDiscoveredResourceCountsInput{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(page1.ResourceCounts) != 1 || page1.NextToken == nil || string(page1.ResourceCounts[0].ResourceType) != "AWS::IAM::Role" {
		t.Fatalf("first page = %+v next %v", page1.ResourceCounts, page1.NextToken)
	}
	page2, err := cfg.GetDiscoveredResourceCounts(ctx, &configservice.GetDiscoveredResourceCountsInput{Limit: 1, NextToken: page1.NextToken})
	if err != nil {
		t.Fatal(err)
	}
	if len(page2.ResourceCounts) != 1 || string(page2.ResourceCounts[0].ResourceType) != "AWS::IAM::User" {
		t.Fatalf("second page = %+v", page2.ResourceCounts)
	}
}

// testItemsBatchGet reads current items in a batch; unknown keys are omitted.
func testItemsBatchGet(t *testing.T, backend testserver.Option) {
	srv := testserver.Start(t, backend)
	cfg := configservice.NewFromConfig(srv.Config(itemsRegion))
	iamc := iam.NewFromConfig(srv.Config(itemsRegion))
	ctx := context.Background()
	startRecording(t, cfg)
	a := createConfigRole(t, iamc, "batch-a")
	b := createConfigRole(t, iamc, "batch-b")
	if _, err := iamc.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("batch-b")}); err != nil {
		t.Fatal(err)
	}
	out, err := cfg.BatchGetResourceConfig(ctx, &configservice.BatchGetResourceConfigInput{ResourceKeys: []cfgtypes.ResourceKey{
		{ResourceType: cfgtypes.ResourceTypeRole, ResourceId: aws.String(a)},
		{ResourceType: cfgtypes.ResourceTypeRole, ResourceId: aws.String(b)},
		{ResourceType: cfgtypes.ResourceTypeRole, ResourceId: aws.String("AROAUNKNOWN")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.BaseConfigurationItems) != 1 || aws.ToString(out.BaseConfigurationItems[0].ResourceId) != a {
		t.Fatalf("items = %+v", out.BaseConfigurationItems)
	}
	if ci := out.BaseConfigurationItems[0]; ci.ConfigurationItemStatus != cfgtypes.ConfigurationItemStatusResourceDiscovered || aws.ToString(ci.AwsRegion) != "global" || ci.Configuration == nil {
		t.Errorf("item = %+v", ci)
	}
	if out.UnprocessedResourceKeys == nil || len(out.UnprocessedResourceKeys) != 0 {
		t.Errorf("unprocessedResourceKeys = %v", out.UnprocessedResourceKeys)
	}
	keys := make([]cfgtypes.ResourceKey, 101)
	for i := range keys {
		keys[i] = cfgtypes.ResourceKey{ResourceType: cfgtypes.ResourceTypeRole, ResourceId: aws.String(fmt.Sprint(i))}
	}
	_, err = cfg.BatchGetResourceConfig(ctx, &configservice.BatchGetResourceConfigInput{ResourceKeys: keys})
	e2etest.APIError(t, err, "ValidationException", 400)
}

// testItemsConcurrentWrites sends PutResourceConfig and DeleteResourceConfig from many clients
// at once (they share store writes): writes refused in a region without a recorder leave the
// others alone, every acknowledged change of one resource is in its history with strictly
// increasing state IDs, and the counts match the items.
func testItemsConcurrentWrites(t *testing.T, backend testserver.Option) {
	srv := testserver.Start(t, backend)
	cfg := configservice.NewFromConfig(srv.Config(itemsRegion))
	other := configservice.NewFromConfig(srv.Config("eu-west-1")) // no recorder there
	startRecording(t, cfg)
	ctx := context.Background()
	const (
		workers = 12
		each    = 10
		typ     = "Acme::Fleet::Drone"
	)
	var (
		wg         sync.WaitGroup
		sharedPuts atomic.Int64
		unexpected = make(chan error, workers*each*3)
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				id := fmt.Sprintf("drone-%02d-%02d", w, i)
				if err := e2etest.PutCustom(t, cfg, typ, id, fmt.Sprintf(`{"w":%d,"i":%d}`, w, i)); err != nil {
					unexpected <- fmt.Errorf("put %s: %w", id, err)
				}
				if err := e2etest.PutCustom(t, cfg, typ, "shared", fmt.Sprintf(`{"by":%d,"i":%d}`, w, i)); err != nil {
					unexpected <- fmt.Errorf("put shared: %w", err)
				} else {
					sharedPuts.Add(1)
				}
				if err := e2etest.PutCustom(t, other, typ, id, `{}`); !e2etest.IsCode(err, "NoRunningConfigurationRecorderException") {
					unexpected <- fmt.Errorf("put in a region without a recorder: %v", err)
				}
				if i%2 == 1 {
					if _, err := cfg.DeleteResourceConfig(ctx, &configservice.DeleteResourceConfigInput{
						ResourceType: aws.String(typ), ResourceId: aws.String(id),
					}); err != nil {
						unexpected <- fmt.Errorf("delete %s: %w", id, err)
					}
				}
			}
		}()
	}
	wg.Wait()
	close(unexpected)
	for err := range unexpected {
		t.Error(err)
	}

	// Live: the even-numbered drones of every worker, and the shared one.
	wantLive := int64(workers*each/2 + 1)
	counts, err := cfg.GetDiscoveredResourceCounts(ctx, &configservice.GetDiscoveredResourceCountsInput{ResourceTypes: []string{typ}})
	if err != nil {
		t.Fatalf("GetDiscoveredResourceCounts: %v", err)
	}
	if counts.TotalDiscoveredResources != wantLive {
		t.Errorf("TotalDiscoveredResources = %d, want %d", counts.TotalDiscoveredResources, wantLive)
	}
	var listed int64
	p := configservice.NewListDiscoveredResourcesPaginator(cfg, &configservice.ListDiscoveredResourcesInput{ResourceType: cfgtypes.ResourceType(typ)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListDiscoveredResources: %v", err)
		}
		listed += int64(len(page.ResourceIdentifiers))
	}
	if listed != wantLive {
		t.Errorf("ListDiscoveredResources listed %d, want %d", listed, wantLive)
	}

	var hist []cfgtypes.ConfigurationItem
	hp := configservice.NewGetResourceConfigHistoryPaginator(cfg, &configservice.GetResourceConfigHistoryInput{
		ResourceType: cfgtypes.ResourceType(typ), ResourceId: aws.String("shared"), ChronologicalOrder: cfgtypes.ChronologicalOrderForward,
	})
	for hp.HasMorePages() {
		page, err := hp.NextPage(ctx)
		if err != nil {
			t.Fatalf("GetResourceConfigHistory: %v", err)
		}
		hist = append(hist, page.ConfigurationItems...)
	}
	// Every acknowledged put changed the content (each is distinct), so each is in the history.
	if int64(len(hist)) != sharedPuts.Load() {
		t.Errorf("history of shared has %d items, want %d", len(hist), sharedPuts.Load())
	}
	var prev int64
	for i, ci := range hist {
		n, err := strconv.ParseInt(aws.ToString(ci.ConfigurationStateId), 10, 64)
		if err != nil || n <= prev {
			t.Fatalf("history[%d] state ID %q after %d: not strictly increasing", i, aws.ToString(ci.ConfigurationStateId), prev)
		}
		prev = n
		want := cfgtypes.ConfigurationItemStatusOk
		if i == 0 {
			want = cfgtypes.ConfigurationItemStatusResourceDiscovered
		}
		if ci.ConfigurationItemStatus != want {
			t.Errorf("history[%d] status %s, want %s", i, ci.ConfigurationItemStatus, want)
		}
	}
}

// testItemsRetention: with a 30-day retention configuration, the retention job (driven by a
// manual clock and the job queue) drops history older than 30 days but keeps every resource's
// current item, runs again daily, and stops once the configuration is deleted.
func testItemsRetention(t *testing.T, backend testserver.Option) {
	clk := clock.NewManual(time.Now().UTC().Truncate(time.Millisecond))
	srv := testserver.Start(t, backend, testserver.WithClock(clk), func(o *server.Options) { o.NoJobLoop = true })
	cfg := configservice.NewFromConfig(srv.Config(itemsRegion))
	ctx := context.Background()
	startRecording(t, cfg)
	const typ = "Acme::Fleet::Hangar"
	day := 24 * time.Hour
	put := func(id, conf string) {
		t.Helper()
		if err := e2etest.PutCustom(t, cfg, typ, id, conf); err != nil {
			t.Fatalf("PutResourceConfig %s: %v", id, err)
		}
	}
	history := func(id string) int {
		t.Helper()
		out, err := cfg.GetResourceConfigHistory(ctx, &configservice.GetResourceConfigHistoryInput{
			ResourceType: cfgtypes.ResourceType(typ), ResourceId: aws.String(id), Limit: 100,
		})
		if err != nil {
			t.Fatalf("GetResourceConfigHistory %s: %v", id, err)
		}
		return len(out.ConfigurationItems)
	}
	runJobs := func() {
		t.Helper()
		if _, err := srv.Jobs().RunDue(ctx); err != nil {
			t.Fatalf("RunDue: %v", err)
		}
	}
	put("busy", `{"v":1}`) // day 0
	put("quiet", `{"v":1}`)
	clk.Advance(10 * day)
	put("busy", `{"v":2}`) // day 10
	clk.Advance(25 * day)
	put("busy", `{"v":3}`) // day 35
	if n := history("busy"); n != 3 {
		t.Fatalf("history before retention: %d items, want 3", n)
	}
	if _, err := cfg.PutRetentionConfiguration(ctx, &configservice.PutRetentionConfigurationInput{RetentionPeriodInDays: aws.Int32(30)}); err != nil {
		t.Fatal(err)
	}
	runJobs()
	if n := history("busy"); n != 2 {
		t.Errorf("history of busy after retention: %d items, want 2 (days 10 and 35)", n)
	}
	if n := history("quiet"); n != 1 {
		t.Errorf("history of quiet after retention: %d items, want 1 (its current item, however old)", n)
	}
	// The job comes back daily: a day later, the day-10 item is 26 days old and stays.
	clk.Advance(day + time.Minute)
	runJobs()
	if n := history("busy"); n != 2 {
		t.Errorf("history of busy a day later: %d items, want 2", n)
	}
	clk.Advance(5 * day) // day 41: the day-10 item is 31 days old, but the job runs daily
	runJobs()
	if n := history("busy"); n != 1 {
		t.Errorf("history of busy at day 41: %d items, want 1", n)
	}
	if _, err := cfg.DeleteRetentionConfiguration(ctx, &configservice.DeleteRetentionConfigurationInput{RetentionConfigurationName: aws.String("default")}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(2 * day)
	runJobs()
	n, err := srv.Store().CountJobs(ctx, store.JobFilter{Kind: "config-retention"})
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d retention jobs left after the configuration was deleted", n)
	}
}
