package config

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orgconfig/orgconfig/tests/e2e/e2etest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/orgconfig/orgconfig/internal/query"
	"github.com/orgconfig/orgconfig/internal/testserver"
)

// TestConfigQuery runs the advanced query suite (SelectResourceConfig,
// SelectAggregateResourceConfig, stored queries) on both backends: answers from the store's
// query index are checked against the query language's naive evaluator over the same items.
func TestConfigQuery(t *testing.T) {
	testserver.Backends(t, func(t *testing.T, backend testserver.Backend) {
		for _, c := range []struct {
			name string
			fn   func(*testing.T, testserver.Option)
		}{
			{"SelectIndexedAgreesWithNaive", testQuerySelect},
			{"StoredQueries", testQueryStored},
		} {
			t.Run(c.name, func(t *testing.T) { c.fn(t, backend(t)) })
		}
	})
}

// queryItems imports a small inventory: security groups, volumes, instances, a bucket.
func queryItems(e *rulesEnv) {
	var items []map[string]any
	for i := range 6 {
		items = append(items, e2etest.SecurityGroup(fmt.Sprintf("sg-%02d", i), fmt.Sprintf("group-%d", i), e2etest.Ingress("tcp", 20+i, 22+i, []string{"0.0.0.0/0", "10.0.0.0/8"}[i%2])))
		items = append(items, volume(fmt.Sprintf("vol-%02d", i), i%2 == 0, i%3 != 0))
		inst := map[string]any{"resourceType": "AWS::EC2::Instance", "resourceId": fmt.Sprintf("i-%02d", i),
			"configuration": map[string]any{"instanceId": fmt.Sprintf("i-%02d", i), "instanceType": []string{"t3.micro", "m5.large"}[i%2],
				"state": map[string]any{"name": []string{"running", "stopped"}[i%3/2]}, "privateIpAddress": fmt.Sprintf("10.0.%d.5", i),
				"cpuOptions": map[string]any{"coreCount": i + 1}},
			"tags": map[string]string{"env": []string{"prod", "dev", "test"}[i%3], "team": fmt.Sprintf("team-%d", i%2)}}
		items = append(items, inst)
	}
	items = append(items, map[string]any{"resourceType": "AWS::S3::Bucket", "resourceId": "logs", "resourceName": "logs",
		"configuration": map[string]any{"name": "logs"}, "tags": map[string]string{"env": "prod"}})
	e.importItems(items...)
}

var queryCases = []string{
	"SELECT resourceId, resourceType",
	"SELECT * WHERE resourceType = 'AWS::EC2::Volume'",
	"SELECT resourceId WHERE resourceType = 'AWS::EC2::Instance' AND configuration.instanceType = 't3.micro'",
	"SELECT resourceId, configuration.instanceType WHERE configuration.instanceType IN ('m5.large', 't2.nano')",
	"SELECT resourceId WHERE tags.tag = 'env=prod'",
	"SELECT resourceId, tags WHERE tags.key = 'team' AND tags.value = 'team-1'",
	"SELECT resourceId WHERE resourceType LIKE 'AWS::EC2::%'",
	"SELECT resourceId WHERE configuration.encrypted = true",
	"SELECT resourceId WHERE NOT configuration.encrypted = true AND resourceType = 'AWS::EC2::Volume'",
	"SELECT resourceId WHERE configuration.cpuOptions.coreCount BETWEEN 2 AND 4",
	"SELECT resourceId WHERE configuration.cpuOptions.coreCount > 3",
	"SELECT resourceId WHERE configuration.ipPermissions.fromPort <= 22 AND configuration.ipPermissions.toPort >= 22",
	"SELECT resourceId WHERE configuration.privateIpAddress BETWEEN '10.0.1.0' AND '10.0.3.255'",
	"SELECT resourceId WHERE resourceType = 'AWS::S3::Bucket' OR tags.tag = 'env=dev'",
	"SELECT resourceType, COUNT(*) GROUP BY resourceType",
	"SELECT configuration.instanceType, COUNT(*) WHERE resourceType = 'AWS::EC2::Instance' GROUP BY configuration.instanceType ORDER BY COUNT(*) DESC",
	"SELECT resourceId ORDER BY resourceId DESC",
	"SELECT COUNT(*) WHERE tags.tag = 'env=prod'",
	"SELECT SUM(configuration.cpuOptions.coreCount), MAX(configuration.cpuOptions.coreCount) WHERE resourceType = 'AWS::EC2::Instance'",
	// Answered from the index keys alone (an exact plan, key properties only).
	"SELECT resourceId, accountId, awsRegion WHERE tags.tag = 'env=prod'",
	"SELECT resourceId, resourceType WHERE tags.key = 'team' ORDER BY resourceId DESC",
	"SELECT resourceType, COUNT(*) WHERE tags.tag IN ('env=prod', 'env=dev') GROUP BY resourceType",
	"SELECT accountId, awsRegion, COUNT(*) WHERE resourceType = 'AWS::EC2::Volume' GROUP BY accountId, awsRegion",
	"SELECT resourceId WHERE tags.tag = 'env=prod' OR tags.tag = 'team=team-1'",
	"SELECT resourceId WHERE tags.tag = 'env=nowhere'",
}

func testQuerySelect(t *testing.T, backend testserver.Option) {
	e := newRulesEnv(t, backend)
	// A recorder of the four types only, so that its own AWS::Config::ConfigurationRecorder
	// item is not recorded (queries leave not-recorded items out).
	if _, err := e.cfg.PutConfigurationRecorder(e.ctx, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cfgtypes.ConfigurationRecorder{
		Name: aws.String("default"), RoleARN: aws.String("arn:aws:iam::" + testserver.AccountID + ":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"),
		RecordingGroup: &cfgtypes.RecordingGroup{ResourceTypes: []cfgtypes.ResourceType{"AWS::EC2::SecurityGroup", "AWS::EC2::Volume", "AWS::EC2::Instance", "AWS::S3::Bucket"},
			RecordingStrategy: &cfgtypes.RecordingStrategy{UseOnly: cfgtypes.RecordingStrategyTypeInclusionByResourceTypes}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.cfg.PutDeliveryChannel(e.ctx, &configservice.PutDeliveryChannelInput{DeliveryChannel: &cfgtypes.DeliveryChannel{
		Name: aws.String("default"), S3BucketName: aws.String("config-bucket")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.cfg.StartConfigurationRecorder(e.ctx, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")}); err != nil {
		t.Fatal(err)
	}
	queryItems(e)

	// The naive answer: every current item, through the query language's evaluator.
	var docs []*query.Doc
	for _, typ := range []cfgtypes.ResourceType{"AWS::EC2::SecurityGroup", "AWS::EC2::Volume", "AWS::EC2::Instance", "AWS::S3::Bucket"} {
		p := configservice.NewListDiscoveredResourcesPaginator(e.cfg, &configservice.ListDiscoveredResourcesInput{ResourceType: typ})
		for p.HasMorePages() {
			page, err := p.NextPage(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range page.ResourceIdentifiers {
				h, err := e.cfg.GetResourceConfigHistory(e.ctx, &configservice.GetResourceConfigHistoryInput{ResourceType: typ, ResourceId: id.ResourceId, Limit: 1})
				if err != nil || len(h.ConfigurationItems) != 1 {
					t.Fatalf("history of %s: %v", aws.ToString(id.ResourceId), err)
				}
				docs = append(docs, query.NewDoc(sdkQueryItem(h.ConfigurationItems[0])))
			}
		}
	}

	for _, expr := range queryCases {
		q, err := query.Parse(expr)
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		want := naiveAnswer(q, docs)
		var got []string
		var tok *string
		for pages := 0; ; pages++ {
			out, err := e.cfg.SelectResourceConfig(e.ctx, &configservice.SelectResourceConfigInput{Expression: aws.String(expr), Limit: 4, NextToken: tok})
			if err != nil {
				t.Fatalf("%s: %v", expr, err)
			}
			got = append(got, out.Results...)
			if aws.ToString(out.NextToken) == "" || pages > 100 {
				break
			}
			tok = out.NextToken
		}
		if len(q.OrderBy) == 0 {
			slices.Sort(got)
			slices.Sort(want)
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s:\n got  %v\n want %v", expr, got, want)
		}
	}

	// QueryInfo, errors.
	out, err := e.cfg.SelectResourceConfig(e.ctx, &configservice.SelectResourceConfigInput{Expression: aws.String("SELECT resourceId, COUNT(*) GROUP BY resourceId")})
	if err != nil || len(out.QueryInfo.SelectFields) != 2 || aws.ToString(out.QueryInfo.SelectFields[1].Name) != "COUNT(*)" {
		t.Errorf("QueryInfo: %v %+v", err, out)
	}
	for _, bad := range []string{"SELECT", "SELECT DISTINCT resourceId", "SELECT resourceId FROM x", "SELECT resourceId WHERE resourceType LIKE '%::Instance'"} {
		_, err := e.cfg.SelectResourceConfig(e.ctx, &configservice.SelectResourceConfigInput{Expression: aws.String(bad)})
		e2etest.APIError(t, err, "InvalidExpressionException", 400)
	}
	_, err = e.cfg.SelectResourceConfig(e.ctx, &configservice.SelectResourceConfigInput{Expression: aws.String("SELECT resourceId"), NextToken: aws.String("garbage!")})
	e2etest.APIError(t, err, "InvalidNextTokenException", 400)

	// The same through an aggregator over the account's own region.
	if _, err := e.cfg.PutConfigurationAggregator(e.ctx, &configservice.PutConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String("self"),
		AccountAggregationSources: []cfgtypes.AccountAggregationSource{{AccountIds: []string{testserver.AccountID}, AwsRegions: []string{itemsRegion}}}}); err != nil {
		t.Fatal(err)
	}
	agg, err := e.cfg.SelectAggregateResourceConfig(e.ctx, &configservice.SelectAggregateResourceConfigInput{ConfigurationAggregatorName: aws.String("self"),
		Expression: aws.String("SELECT resourceType, COUNT(*) GROUP BY resourceType")})
	if err != nil {
		t.Fatal(err)
	}
	q, _ := query.Parse("SELECT resourceType, COUNT(*) GROUP BY resourceType")
	if want := naiveAnswer(q, docs); strings.Join(agg.Results, "\n") != strings.Join(want, "\n") {
		t.Errorf("aggregate query: got %v, want %v", agg.Results, want)
	}
	_, err = e.cfg.SelectAggregateResourceConfig(e.ctx, &configservice.SelectAggregateResourceConfigInput{ConfigurationAggregatorName: aws.String("nope"), Expression: aws.String("SELECT resourceId")})
	e2etest.APIError(t, err, "NoSuchConfigurationAggregatorException", 400)

	// An item too large to index (over 1,000 entries) is still found, and counted.
	var big []map[string]any
	for i := range 1200 {
		big = append(big, map[string]any{"v": fmt.Sprintf("x-%d", i)})
	}
	e.importItems(map[string]any{"resourceType": "AWS::EC2::Instance", "resourceId": "i-big",
		"configuration": map[string]any{"instanceId": "i-big", "big": big}, "tags": map[string]string{}})
	out, err = e.cfg.SelectResourceConfig(e.ctx, &configservice.SelectResourceConfigInput{Expression: aws.String("SELECT resourceId WHERE configuration.big.v = 'x-1100'")})
	if err != nil || len(out.Results) != 1 || out.Results[0] != `{"resourceId":"i-big"}` {
		t.Errorf("unindexed item: %v %v", err, out)
	}
	out, err = e.cfg.SelectResourceConfig(e.ctx, &configservice.SelectResourceConfigInput{Expression: aws.String("SELECT resourceType, COUNT(*) WHERE resourceType = 'AWS::EC2::Instance' GROUP BY resourceType")})
	if err != nil || len(out.Results) != 1 || !strings.Contains(out.Results[0], `"COUNT(*)":7`) {
		t.Errorf("count with the unindexed item: %v %v", err, out)
	}
	out, err = e.cfg.SelectResourceConfig(e.ctx, &configservice.SelectResourceConfigInput{Expression: aws.String("SELECT resourceType, COUNT(*) GROUP BY resourceType")})
	if err != nil || !strings.Contains(strings.Join(out.Results, " "), `"COUNT(*)":7`) {
		t.Errorf("index-only count with the unindexed item: %v %v", err, out)
	}

	// A deleted resource leaves the answers at once.
	e.clk.Advance(time.Minute)
	del := volume("vol-00", true, true)
	del["configurationItemStatus"] = "ResourceDeleted"
	e.importItems(del)
	out, err = e.cfg.SelectResourceConfig(e.ctx, &configservice.SelectResourceConfigInput{Expression: aws.String("SELECT resourceId WHERE resourceId = 'vol-00'")})
	if err != nil || len(out.Results) != 0 {
		t.Errorf("deleted volume still answers: %v %v", err, out.Results)
	}
}

// naiveAnswer evaluates q over every doc: the reference the server's answers must equal.
func naiveAnswer(q *query.Query, docs []*query.Doc) []string {
	var match []*query.Doc
	for _, d := range docs {
		if query.Match(q.Where, d) {
			match = append(match, d)
		}
	}
	var out []string
	if q.Aggregate() {
		a := query.NewAggregator(q)
		for _, d := range match {
			a.Add(d)
		}
		for _, r := range a.Results() {
			out = append(out, string(r))
		}
		return out
	}
	query.SortRows(q, match)
	for _, d := range match {
		out = append(out, string(query.Project(q, d)))
	}
	return out
}

// sdkQueryItem is the query language's view of an item the SDK returned.
func sdkQueryItem(ci cfgtypes.ConfigurationItem) *query.Item {
	it := &query.Item{AccountID: aws.ToString(ci.AccountId), AwsRegion: aws.ToString(ci.AwsRegion), Arn: aws.ToString(ci.Arn),
		AvailabilityZone: aws.ToString(ci.AvailabilityZone), ConfigurationItemStatus: string(ci.ConfigurationItemStatus),
		ConfigurationStateID: aws.ToString(ci.ConfigurationStateId), ResourceID: aws.ToString(ci.ResourceId),
		ResourceName: aws.ToString(ci.ResourceName), ResourceType: string(ci.ResourceType), Version: aws.ToString(ci.Version),
		RecordingFrequency: string(ci.RecordingFrequency), Tags: ci.Tags}
	if ci.ConfigurationItemCaptureTime != nil {
		it.ConfigurationItemCaptureTime = ci.ConfigurationItemCaptureTime.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	if ci.ResourceCreationTime != nil {
		it.ResourceCreationTime = ci.ResourceCreationTime.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	if c := aws.ToString(ci.Configuration); c != "" && strings.HasPrefix(string(ci.ResourceType), "AWS::") {
		it.Configuration = json.RawMessage(c)
	}
	for k, v := range ci.SupplementaryConfiguration {
		if it.Supplementary == nil {
			it.Supplementary = map[string]json.RawMessage{}
		}
		it.Supplementary[k] = json.RawMessage(v)
	}
	for _, r := range ci.Relationships {
		it.Relationships = append(it.Relationships, query.Relationship{ResourceID: aws.ToString(r.ResourceId),
			ResourceName: aws.ToString(r.ResourceName), ResourceType: string(r.ResourceType), Name: aws.ToString(r.RelationshipName)})
	}
	return it
}

func testQueryStored(t *testing.T, backend testserver.Option) {
	srv := testserver.Start(t, backend)
	cfg := configservice.NewFromConfig(srv.Config(itemsRegion))
	ctx := t.Context()
	put, err := cfg.PutStoredQuery(ctx, &configservice.PutStoredQueryInput{StoredQuery: &cfgtypes.StoredQuery{
		QueryName: aws.String("volumes"), Description: aws.String("all volumes"), Expression: aws.String("SELECT resourceId WHERE resourceType = 'AWS::EC2::Volume'")}})
	if err != nil || !strings.HasPrefix(aws.ToString(put.QueryArn), "arn:aws:config:us-east-1:"+testserver.AccountID+":stored-query/volumes/query-") {
		t.Fatalf("PutStoredQuery: %v %+v", err, put)
	}
	again, err := cfg.PutStoredQuery(ctx, &configservice.PutStoredQueryInput{StoredQuery: &cfgtypes.StoredQuery{
		QueryName: aws.String("volumes"), Expression: aws.String("SELECT resourceId WHERE resourceType = 'AWS::EC2::Volume' AND configuration.encrypted = true")}})
	if err != nil || aws.ToString(again.QueryArn) != aws.ToString(put.QueryArn) {
		t.Errorf("update keeps the ARN: %v %+v", err, again)
	}
	got, err := cfg.GetStoredQuery(ctx, &configservice.GetStoredQueryInput{QueryName: aws.String("volumes")})
	if err != nil || !strings.Contains(aws.ToString(got.StoredQuery.Expression), "encrypted") {
		t.Errorf("GetStoredQuery: %v %+v", err, got)
	}
	for i := range 3 {
		if _, err := cfg.PutStoredQuery(ctx, &configservice.PutStoredQueryInput{StoredQuery: &cfgtypes.StoredQuery{
			QueryName: aws.String(fmt.Sprintf("q%d", i)), Expression: aws.String("SELECT resourceId")}}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	lp := configservice.NewListStoredQueriesPaginator(cfg, &configservice.ListStoredQueriesInput{MaxResults: aws.Int32(2)})
	for lp.HasMorePages() {
		page, err := lp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range page.StoredQueryMetadata {
			names = append(names, aws.ToString(m.QueryName))
		}
	}
	if strings.Join(names, ",") != "q0,q1,q2,volumes" {
		t.Errorf("ListStoredQueries: %v", names)
	}
	// PutStoredQuery's model has no InvalidExpressionException: a bad expression fails validation.
	_, err = cfg.PutStoredQuery(ctx, &configservice.PutStoredQueryInput{StoredQuery: &cfgtypes.StoredQuery{QueryName: aws.String("bad"), Expression: aws.String("SELECT FROM")}})
	e2etest.APIError(t, err, "ValidationException", 400)
	if _, err := cfg.DeleteStoredQuery(ctx, &configservice.DeleteStoredQueryInput{QueryName: aws.String("volumes")}); err != nil {
		t.Fatal(err)
	}
	_, err = cfg.GetStoredQuery(ctx, &configservice.GetStoredQueryInput{QueryName: aws.String("volumes")})
	e2etest.APIError(t, err, "ResourceNotFoundException", 400)
	_, err = cfg.DeleteStoredQuery(ctx, &configservice.DeleteStoredQueryInput{QueryName: aws.String("volumes")})
	e2etest.APIError(t, err, "ResourceNotFoundException", 400)
}
