package configorg

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orgconfig/orgconfig/tests/e2e/e2etest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgconfig/orgconfig/internal/clock"
	"github.com/orgconfig/orgconfig/internal/server"
	"github.com/orgconfig/orgconfig/internal/testserver"
)

// TestConfigAggregator runs the AWS Config aggregator suite on both store backends: an
// organization of five accounts recording in three regions seen through one organization
// aggregator, account aggregators and their authorizations, delegated administrators, the ways
// an organization source fails, and request validation. Background work (rule evaluations,
// aggregator refreshes) runs through the job queue and a manual clock; nothing sleeps.
func TestConfigAggregator(t *testing.T) {
	testserver.Backends(t, func(t *testing.T, backend testserver.Backend) {
		for _, c := range []struct {
			name string
			fn   func(*testing.T, testserver.Option)
		}{
			{"WholeMission", testAggWholeMission},
			{"AccountAggregator", testAggAccountAggregator},
			{"DelegatedAdministrator", testAggDelegatedAdministrator},
			{"OrganizationSourceFailures", testAggOrganizationSourceFailures},
			{"Validation", testAggValidation},
			{"SourcesKeepTheirOrder", testAggSourcesKeepTheirOrder},
		} {
			t.Run(c.name, func(t *testing.T) { c.fn(t, backend(t)) })
		}
	})
}

const (
	// aggDelay is how long an aggregator keeps a source's data after losing its entitlement
	// (server.Options.AggregatorDataDelay; AWS's is 24 hours).
	aggDelay = 2 * time.Hour
	// aggRefresh is the period of the aggregator refresh job.
	aggRefresh = 5 * time.Minute
	// aggDroneType is the third-party type every source records.
	aggDroneType cfgtypes.ResourceType = "Acme::Fleet::Drone"
	// aggRule is the Guard rule (guardPolicy: drones must be registered) of every source.
	aggRule = "drones-registered"
	// orgAggregatorPolicy is the AWS managed policy an organization aggregator's role needs.
	orgAggregatorPolicy = "arn:aws:iam::aws:policy/service-role/AWSConfigRoleForOrganizations"
	configPrincipal     = "config.amazonaws.com"
)

var (
	aggRegions    = []string{"us-east-1", "eu-west-1", "ap-southeast-2"}
	aggregatorARN = regexp.MustCompile(`^arn:aws:config:us-east-1:(\d{12}):config-aggregator/config-aggregator-[a-z0-9]{8}$`)
)

// aggEnv is an organizations test environment (manual clock, jobs run by the test) whose
// server keeps lost sources' data for aggDelay.
type aggEnv struct {
	*e2etest.OrgEnv
}

func newAggEnv(t *testing.T, backend testserver.Option) *aggEnv {
	clk := clock.NewManual(time.Now().UTC().Truncate(time.Millisecond))
	srv := testserver.Start(t, backend, testserver.WithClock(clk), func(o *server.Options) {
		o.NoJobLoop = true
		o.AggregatorDataDelay = aggDelay
	})
	return &aggEnv{&e2etest.OrgEnv{T: t, Ctx: context.Background(), Srv: srv, Clk: clk, Org: organizations.NewFromConfig(srv.Config("us-east-1"))}}
}

// advance moves the clock and runs whatever became due (evaluations, aggregator refreshes).
func (e *aggEnv) advance(d time.Duration) {
	e.T.Helper()
	e.Clk.Advance(d)
	e.RunJobs()
}

// aggAccount is an account and long-term credentials of an administrator in it. The tests
// move the clock by days, past the expiry of any session, so every account gets a key.
type aggAccount struct{ id, akid, secret string }

// mgmt is the bootstrap account, management account of the organization when there is one.
func (e *aggEnv) mgmt() aggAccount {
	return aggAccount{testserver.AccountID, testserver.AccessKey, testserver.SecretKey}
}

func (e *aggEnv) config(a aggAccount, region string) *configservice.Client {
	return configservice.NewFromConfig(e.Srv.ConfigFor(region, a.akid, a.secret, ""))
}

func (e *aggEnv) iamClient(a aggAccount) *iam.Client {
	return iam.NewFromConfig(e.Srv.ConfigFor("us-east-1", a.akid, a.secret, ""))
}

func (e *aggEnv) orgClient(a aggAccount) *organizations.Client {
	return organizations.NewFromConfig(e.Srv.ConfigFor("us-east-1", a.akid, a.secret, ""))
}

// memberAdmin reaches a created member as AWS users do, through OrganizationAccountAccessRole,
// and makes there an administrator user with an access key.
func (e *aggEnv) memberAdmin(acct string) aggAccount {
	e.T.Helper()
	out, err := sts.NewFromConfig(e.Srv.Config("us-east-1")).AssumeRole(e.Ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + acct + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("aggregator-setup"),
	})
	if err != nil {
		e.T.Fatalf("AssumeRole into %s: %v", acct, err)
	}
	c := out.Credentials
	ic := iam.NewFromConfig(e.Srv.ConfigFor("us-east-1", aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)))
	if _, err := ic.CreateUser(e.Ctx, &iam.CreateUserInput{UserName: aws.String("admin")}); err != nil {
		e.T.Fatalf("CreateUser in %s: %v", acct, err)
	}
	if _, err := ic.AttachUserPolicy(e.Ctx, &iam.AttachUserPolicyInput{UserName: aws.String("admin"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}); err != nil {
		e.T.Fatalf("AttachUserPolicy in %s: %v", acct, err)
	}
	key, err := ic.CreateAccessKey(e.Ctx, &iam.CreateAccessKeyInput{UserName: aws.String("admin")})
	if err != nil {
		e.T.Fatalf("CreateAccessKey in %s: %v", acct, err)
	}
	return aggAccount{acct, aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey)}
}

// standaloneAccount creates an account outside any organization, with root credentials.
func (e *aggEnv) standaloneAccount(name string) aggAccount {
	e.T.Helper()
	a, cred, err := e.Srv.Directory().CreateAccount(e.Ctx, "", name, name+"@example.com", "cli")
	if err != nil {
		e.T.Fatalf("creating account %s: %v", name, err)
	}
	return aggAccount{a.ID, cred.AccessKeyID, cred.SecretAccessKey}
}

// recordIn starts recording in (a, region) with the account's AWS Config service-linked role:
// a recorder for every supported type (the global IAM types excluded, so that the roles and
// users the tests create are no resources), a delivery channel, and the recorder started.
func (e *aggEnv) recordIn(a aggAccount, region string) *configservice.Client {
	e.T.Helper()
	cfg := e.config(a, region)
	_, err := cfg.PutConfigurationRecorder(e.Ctx, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cfgtypes.ConfigurationRecorder{
		Name:           aws.String("default"),
		RoleARN:        aws.String("arn:aws:iam::" + a.id + ":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"),
		RecordingGroup: &cfgtypes.RecordingGroup{AllSupported: true},
	}})
	if err != nil {
		e.T.Fatalf("PutConfigurationRecorder in %s/%s: %v", a.id, region, err)
	}
	if _, err := cfg.PutDeliveryChannel(e.Ctx, &configservice.PutDeliveryChannelInput{DeliveryChannel: &cfgtypes.DeliveryChannel{
		Name: aws.String("default"), S3BucketName: aws.String("config-bucket-" + a.id),
	}}); err != nil {
		e.T.Fatalf("PutDeliveryChannel in %s/%s: %v", a.id, region, err)
	}
	if _, err := cfg.StartConfigurationRecorder(e.Ctx, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")}); err != nil {
		e.T.Fatalf("StartConfigurationRecorder in %s/%s: %v", a.id, region, err)
	}
	return cfg
}

// droneID is a resource ID unique across the accounts and regions of a test.
func droneID(acct, region string, n int) string {
	return fmt.Sprintf("drone-%s-%s-%d", acct, region, n)
}

// aggKey names a resource of an aggregator "account/region/id".
func aggKey(acct, region, id string) string { return acct + "/" + region + "/" + id }

func (e *aggEnv) putDrone(cfg *configservice.Client, id string, registered bool) {
	e.T.Helper()
	if err := e2etest.PutCustom(e.T, cfg, string(aggDroneType), id, fmt.Sprintf(`{"registered":%t}`, registered)); err != nil {
		e.T.Fatalf("PutResourceConfig %s: %v", id, err)
	}
}

// putDroneRule creates the change-triggered Guard rule that wants every drone registered.
func (e *aggEnv) putDroneRule(cfg *configservice.Client) {
	e.T.Helper()
	r := e2etest.GuardRule(aggRule, e2etest.GuardPolicy, []string{string(aggDroneType)})
	if _, err := cfg.PutConfigRule(e.Ctx, &configservice.PutConfigRuleInput{ConfigRule: &r}); err != nil {
		e.T.Fatalf("PutConfigRule: %v", err)
	}
}

// aggregatorRole creates in a's account a role trusting service, with the policy organization
// aggregators need when withPolicy, and returns its ARN.
func (e *aggEnv) aggregatorRole(a aggAccount, name, service string, withPolicy bool) string {
	e.T.Helper()
	ic := e.iamClient(a)
	arn := e2etest.CreateRole(e.T, ic, name, "", e2etest.TrustPolicy(`{"Service":"`+service+`"}`, ""), 0)
	if withPolicy {
		if _, err := ic.AttachRolePolicy(e.Ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(orgAggregatorPolicy)}); err != nil {
			e.T.Fatalf("AttachRolePolicy %s: %v", name, err)
		}
	}
	return arn
}

func orgAggregatorInput(name, role string, regions ...string) *configservice.PutConfigurationAggregatorInput {
	return &configservice.PutConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String(name),
		OrganizationAggregationSource: &cfgtypes.OrganizationAggregationSource{RoleArn: aws.String(role), AwsRegions: regions}}
}

func accountAggregatorInput(name string, accounts []string, regions ...string) *configservice.PutConfigurationAggregatorInput {
	return &configservice.PutConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String(name),
		AccountAggregationSources: []cfgtypes.AccountAggregationSource{{AccountIds: accounts, AwsRegions: regions}}}
}

func (e *aggEnv) putAgg(cfg *configservice.Client, in *configservice.PutConfigurationAggregatorInput) (*cfgtypes.ConfigurationAggregator, error) {
	out, err := cfg.PutConfigurationAggregator(e.Ctx, in)
	if err != nil {
		return nil, err
	}
	return out.ConfigurationAggregator, nil
}

func (e *aggEnv) mustPutAgg(cfg *configservice.Client, in *configservice.PutConfigurationAggregatorInput) *cfgtypes.ConfigurationAggregator {
	e.T.Helper()
	agg, err := e.putAgg(cfg, in)
	if err != nil {
		e.T.Fatalf("PutConfigurationAggregator %s: %v", aws.ToString(in.ConfigurationAggregatorName), err)
	}
	if agg == nil {
		e.T.Fatalf("PutConfigurationAggregator %s returned no aggregator", aws.ToString(in.ConfigurationAggregatorName))
	}
	return agg
}

// checkAggregator asserts the identity of an aggregator of owner in us-east-1.
func checkAggregator(t *testing.T, agg *cfgtypes.ConfigurationAggregator, name, owner string) {
	t.Helper()
	m := aggregatorARN.FindStringSubmatch(aws.ToString(agg.ConfigurationAggregatorArn))
	if m == nil || m[1] != owner {
		t.Errorf("aggregator ARN %q, want arn:aws:config:us-east-1:%s:config-aggregator/config-aggregator-<8 lowercase alphanumerics>", aws.ToString(agg.ConfigurationAggregatorArn), owner)
	}
	if aws.ToString(agg.ConfigurationAggregatorName) != name || agg.CreationTime == nil || agg.LastUpdatedTime == nil || agg.CreatedBy != nil {
		t.Errorf("aggregator %+v", agg)
	}
}

// aggPages pages through a listing until a page has no token: no page may exceed limit (when
// positive), no token may repeat and the last page must omit the token.
func aggPages[T any](t *testing.T, what string, limit int, fetch func(token *string) ([]T, *string, error)) []T {
	t.Helper()
	var all []T
	var token *string
	seen := map[string]bool{}
	for page := 0; ; page++ {
		if page > 200 {
			t.Fatalf("%s: the pages never end", what)
		}
		items, next, err := fetch(token)
		if err != nil {
			t.Fatalf("%s: page %d: %v", what, page, err)
		}
		if limit > 0 && len(items) > limit {
			t.Fatalf("%s: page %d has %d entries, limit %d", what, page, len(items), limit)
		}
		all = append(all, items...)
		if next == nil {
			return all
		}
		if *next == "" || seen[*next] {
			t.Fatalf("%s: page %d: next token %q empty or repeated", what, page, *next)
		}
		seen[*next] = true
		token = next
	}
}

// aggDrones lists the drones an aggregator holds, limit per page.
func (e *aggEnv) aggDrones(cfg *configservice.Client, agg string, f *cfgtypes.ResourceFilters, limit int32) []cfgtypes.AggregateResourceIdentifier {
	e.T.Helper()
	return aggPages(e.T, "ListAggregateDiscoveredResources "+agg, int(limit), func(token *string) ([]cfgtypes.AggregateResourceIdentifier, *string, error) {
		out, err := cfg.ListAggregateDiscoveredResources(e.Ctx, &configservice.ListAggregateDiscoveredResourcesInput{
			ConfigurationAggregatorName: aws.String(agg), ResourceType: aggDroneType, Filters: f, Limit: limit, NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.ResourceIdentifiers, out.NextToken, nil
	})
}

// aggKeys names identifiers "account/region/id", sorted.
func aggKeys(ids []cfgtypes.AggregateResourceIdentifier) []string {
	out := []string{}
	for _, r := range ids {
		out = append(out, aggKey(aws.ToString(r.SourceAccountId), aws.ToString(r.SourceRegion), aws.ToString(r.ResourceId)))
	}
	slices.Sort(out)
	return out
}

// droneKeys lists the keys of an aggregator's drones, limit per page.
func (e *aggEnv) droneKeys(cfg *configservice.Client, agg string, f *cfgtypes.ResourceFilters) []string {
	e.T.Helper()
	return aggKeys(e.aggDrones(cfg, agg, f, 3))
}

// sameSet reports whether two lists hold the same strings, in any order.
func sameSet(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}

func wantKeys(t *testing.T, what string, got, want []string) {
	t.Helper()
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s: %d resources %v, want %d %v", what, len(got), got, len(want), want)
	}
}

// aggCounts returns GetAggregateDiscoveredResourceCounts' total and groups, paged by limit.
// Without a key, the answer must have no key and no groups.
func (e *aggEnv) aggCounts(cfg *configservice.Client, agg string, key cfgtypes.ResourceCountGroupKey, f *cfgtypes.ResourceCountFilters, limit int32) (int64, map[string]int64) {
	e.T.Helper()
	var total int64 = -1
	groups := map[string]int64{}
	aggPages(e.T, "GetAggregateDiscoveredResourceCounts "+agg, int(limit), func(token *string) ([]cfgtypes.GroupedResourceCount, *string, error) {
		out, err := cfg.GetAggregateDiscoveredResourceCounts(e.Ctx, &configservice.GetAggregateDiscoveredResourceCountsInput{
			ConfigurationAggregatorName: aws.String(agg), GroupByKey: key, Filters: f, Limit: limit, NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		if total >= 0 && out.TotalDiscoveredResources != total {
			e.T.Errorf("counts by %q: total %d on one page, %d on another", key, total, out.TotalDiscoveredResources)
		}
		total = out.TotalDiscoveredResources
		if key == "" && (out.GroupByKey != nil || len(out.GroupedResourceCounts) != 0) {
			e.T.Errorf("counts without a key: key %v, groups %+v", aws.ToString(out.GroupByKey), out.GroupedResourceCounts)
		}
		if key != "" && aws.ToString(out.GroupByKey) != string(key) {
			e.T.Errorf("counts by %s: GroupByKey %q", key, aws.ToString(out.GroupByKey))
		}
		for _, g := range out.GroupedResourceCounts {
			if _, dup := groups[aws.ToString(g.GroupName)]; dup {
				e.T.Errorf("counts by %s: group %s twice", key, aws.ToString(g.GroupName))
			}
			groups[aws.ToString(g.GroupName)] = g.ResourceCount
		}
		return out.GroupedResourceCounts, out.NextToken, nil
	})
	return total, groups
}

// sourceCounts is what one (account, region) itself counts, by resource type.
func (e *aggEnv) sourceCounts(cfg *configservice.Client) map[string]int64 {
	e.T.Helper()
	counts := map[string]int64{}
	all := aggPages(e.T, "GetDiscoveredResourceCounts", 0, func(token *string) ([]cfgtypes.ResourceCount, *string, error) {
		out, err := cfg.GetDiscoveredResourceCounts(e.Ctx, &configservice.GetDiscoveredResourceCountsInput{NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.ResourceCounts, out.NextToken, nil
	})
	for _, c := range all {
		counts[string(c.ResourceType)] += c.Count
	}
	return counts
}

// sourceRows is the expected DescribeConfigurationAggregatorSourcesStatus answer, keyed
// "<SourceType> <SourceId>/<region>", valued "SUCCEEDED" or "FAILED <LastErrorCode>".
type sourceRows map[string]string

func (r sourceRows) add(typ cfgtypes.AggregatedSourceType, source, status string, regions ...string) sourceRows {
	for _, region := range regions {
		r[string(typ)+" "+source+"/"+region] = status
	}
	return r
}

// aggStatus reads an aggregator's source status rows, two per page.
func (e *aggEnv) aggStatus(cfg *configservice.Client, agg string, only ...cfgtypes.AggregatedSourceStatusType) sourceRows {
	e.T.Helper()
	rows := aggPages(e.T, "DescribeConfigurationAggregatorSourcesStatus "+agg, 2, func(token *string) ([]cfgtypes.AggregatedSourceStatus, *string, error) {
		out, err := cfg.DescribeConfigurationAggregatorSourcesStatus(e.Ctx, &configservice.DescribeConfigurationAggregatorSourcesStatusInput{
			ConfigurationAggregatorName: aws.String(agg), UpdateStatus: only, Limit: 2, NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.AggregatedSourceStatusList, out.NextToken, nil
	})
	got := sourceRows{}
	for _, r := range rows {
		status := string(r.LastUpdateStatus)
		if r.LastUpdateStatus == cfgtypes.AggregatedSourceStatusTypeFailed {
			status += " " + aws.ToString(r.LastErrorCode)
		}
		if r.LastUpdateTime == nil && r.LastUpdateStatus == cfgtypes.AggregatedSourceStatusTypeSucceeded {
			e.T.Errorf("%s: a SUCCEEDED source without LastUpdateTime: %+v", agg, r)
		}
		got.add(r.SourceType, aws.ToString(r.SourceId), status, aws.ToString(r.AwsRegion))
	}
	if len(got) != len(rows) {
		e.T.Errorf("%s: %d status rows for %d sources: %+v", agg, len(rows), len(got), rows)
	}
	return got
}

func wantStatus(t *testing.T, what string, got, want sourceRows) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: sources status\n got %v\nwant %v", what, got, want)
	}
}

// aggRuleRows reads DescribeAggregateComplianceByConfigRules, keyed "rule/account/region".
func (e *aggEnv) aggRuleRows(cfg *configservice.Client, agg string, f *cfgtypes.ConfigRuleComplianceFilters) map[string]cfgtypes.AggregateComplianceByConfigRule {
	e.T.Helper()
	rows := aggPages(e.T, "DescribeAggregateComplianceByConfigRules "+agg, 4, func(token *string) ([]cfgtypes.AggregateComplianceByConfigRule, *string, error) {
		out, err := cfg.DescribeAggregateComplianceByConfigRules(e.Ctx, &configservice.DescribeAggregateComplianceByConfigRulesInput{
			ConfigurationAggregatorName: aws.String(agg), Filters: f, Limit: 4, NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.AggregateComplianceByConfigRules, out.NextToken, nil
	})
	out := map[string]cfgtypes.AggregateComplianceByConfigRule{}
	for _, r := range rows {
		k := aws.ToString(r.ConfigRuleName) + "/" + aws.ToString(r.AccountId) + "/" + aws.ToString(r.AwsRegion)
		if _, dup := out[k]; dup {
			e.T.Errorf("compliance by rule: %s twice", k)
		}
		out[k] = r
	}
	return out
}

// aggDetails reads GetAggregateComplianceDetailsByConfigRule: resource ID -> compliance.
func (e *aggEnv) aggDetails(cfg *configservice.Client, agg, rule, acct, region string, only cfgtypes.ComplianceType) map[string]string {
	e.T.Helper()
	results := aggPages(e.T, "GetAggregateComplianceDetailsByConfigRule "+agg, 1, func(token *string) ([]cfgtypes.AggregateEvaluationResult, *string, error) {
		out, err := cfg.GetAggregateComplianceDetailsByConfigRule(e.Ctx, &configservice.GetAggregateComplianceDetailsByConfigRuleInput{
			ConfigurationAggregatorName: aws.String(agg), ConfigRuleName: aws.String(rule), AccountId: aws.String(acct), AwsRegion: aws.String(region),
			ComplianceType: only, Limit: 1, NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.AggregateEvaluationResults, out.NextToken, nil
	})
	out := map[string]string{}
	for _, r := range results {
		var q *cfgtypes.EvaluationResultQualifier
		if r.EvaluationResultIdentifier != nil {
			q = r.EvaluationResultIdentifier.EvaluationResultQualifier
		}
		if q == nil || aws.ToString(q.ConfigRuleName) != rule || q.ResourceType == nil || aws.ToString(q.ResourceType) != string(aggDroneType) ||
			aws.ToString(r.AccountId) != acct || aws.ToString(r.AwsRegion) != region || r.ResultRecordedTime == nil || r.ConfigRuleInvokedTime == nil {
			e.T.Errorf("aggregate evaluation result %+v (qualifier %+v)", r, q)
			continue
		}
		out[aws.ToString(q.ResourceId)] = string(r.ComplianceType)
	}
	return out
}

func capped(c *cfgtypes.ComplianceContributorCount) int32 {
	if c == nil {
		return 0
	}
	return c.CappedCount
}

// aggSummary reads GetAggregateConfigRuleComplianceSummary: group -> "<compliant rules>/<noncompliant rules>".
func (e *aggEnv) aggSummary(cfg *configservice.Client, agg string, key cfgtypes.ConfigRuleComplianceSummaryGroupKey, f *cfgtypes.ConfigRuleComplianceSummaryFilters) map[string]string {
	e.T.Helper()
	groups := aggPages(e.T, "GetAggregateConfigRuleComplianceSummary "+agg, 2, func(token *string) ([]cfgtypes.AggregateComplianceCount, *string, error) {
		out, err := cfg.GetAggregateConfigRuleComplianceSummary(e.Ctx, &configservice.GetAggregateConfigRuleComplianceSummaryInput{
			ConfigurationAggregatorName: aws.String(agg), GroupByKey: key, Filters: f, Limit: 2, NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		if aws.ToString(out.GroupByKey) != string(key) {
			e.T.Errorf("compliance summary by %s: GroupByKey %q", key, aws.ToString(out.GroupByKey))
		}
		return out.AggregateComplianceCounts, out.NextToken, nil
	})
	out := map[string]string{}
	for _, g := range groups {
		s := g.ComplianceSummary
		if s == nil {
			e.T.Errorf("compliance summary group %s without a summary", aws.ToString(g.GroupName))
			continue
		}
		out[aws.ToString(g.GroupName)] = fmt.Sprintf("%d/%d", capped(s.CompliantResourceCount), capped(s.NonCompliantResourceCount))
	}
	return out
}

// pendingRequests lists the pending aggregation requests a source (account, region) sees, as
// "requester account/requester region".
func (e *aggEnv) pendingRequests(cfg *configservice.Client) []string {
	e.T.Helper()
	reqs := aggPages(e.T, "DescribePendingAggregationRequests", 1, func(token *string) ([]cfgtypes.PendingAggregationRequest, *string, error) {
		out, err := cfg.DescribePendingAggregationRequests(e.Ctx, &configservice.DescribePendingAggregationRequestsInput{Limit: 1, NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.PendingAggregationRequests, out.NextToken, nil
	})
	out := []string{}
	for _, r := range reqs {
		out = append(out, aws.ToString(r.RequesterAccountId)+"/"+aws.ToString(r.RequesterAwsRegion))
	}
	slices.Sort(out)
	return out
}

func (e *aggEnv) authorizations(cfg *configservice.Client) []cfgtypes.AggregationAuthorization {
	e.T.Helper()
	return aggPages(e.T, "DescribeAggregationAuthorizations", 1, func(token *string) ([]cfgtypes.AggregationAuthorization, *string, error) {
		out, err := cfg.DescribeAggregationAuthorizations(e.Ctx, &configservice.DescribeAggregationAuthorizationsInput{Limit: 1, NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.AggregationAuthorizations, out.NextToken, nil
	})
}

// configTrustedAccess reports whether the organization lists trusted access for AWS Config.
func (e *aggEnv) configTrustedAccess() bool {
	e.T.Helper()
	sps := aggPages(e.T, "ListAWSServiceAccessForOrganization", 0, func(token *string) ([]orgtypes.EnabledServicePrincipal, *string, error) {
		out, err := e.Org.ListAWSServiceAccessForOrganization(e.Ctx, &organizations.ListAWSServiceAccessForOrganizationInput{NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.EnabledServicePrincipals, out.NextToken, nil
	})
	for _, sp := range sps {
		if aws.ToString(sp.ServicePrincipal) == configPrincipal {
			return sp.DateEnabled != nil
		}
	}
	return false
}

// testAggWholeMission is the whole aggregation scenario end to end: a management account and
// four members, each recording custom items and a Guard rule in three regions, seen whole
// through one organization aggregator; then a member leaves and its data ages out.
func testAggWholeMission(t *testing.T, backend testserver.Option) {
	e := newAggEnv(t, backend)
	ctx := e.Ctx
	orgID := aws.ToString(e.CreateOrg(orgtypes.OrganizationFeatureSetAll).Id)
	mgmt := e.mgmt()
	accounts := []aggAccount{mgmt}
	for i := 1; i <= 4; i++ {
		accounts = append(accounts, e.memberAdmin(e.CreateAccount(fmt.Sprintf("member-%d", i), fmt.Sprintf("member-%d@example.com", i))))
	}
	m1, m2, m3, m4 := accounts[1], accounts[2], accounts[3], accounts[4]
	if e.configTrustedAccess() {
		t.Fatal("trusted access for AWS Config is enabled before any aggregator")
	}

	// Every account records in three regions, holds two drones there and checks them with the
	// Guard rule. The management account's drones are all registered: its rule is COMPLIANT
	// everywhere, the members' NON_COMPLIANT (one drone of two unregistered).
	var all []string
	for _, a := range accounts {
		for _, region := range aggRegions {
			cfg := e.recordIn(a, region)
			e.putDroneRule(cfg)
			for n, registered := range []bool{true, a.id == mgmt.id} {
				id := droneID(a.id, region, n+1)
				e.putDrone(cfg, id, registered)
				all = append(all, aggKey(a.id, region, id))
			}
		}
	}
	e.RunJobs()
	if len(all) != 30 {
		t.Fatalf("%d drones put, want 30", len(all))
	}

	// What the sources hold, as each counts it: the aggregator must add up to exactly this.
	byType, byAccount, byRegion := map[string]int64{}, map[string]int64{}, map[string]int64{}
	var total int64
	for _, a := range accounts {
		for _, region := range aggRegions {
			counts := e.sourceCounts(e.config(a, region))
			if counts[string(aggDroneType)] != 2 {
				t.Fatalf("%s/%s counts its own resources %v, want 2 drones", a.id, region, counts)
			}
			for typ, n := range counts {
				byType[typ] += n
				byAccount[a.id] += n
				byRegion[region] += n
				total += n
			}
		}
	}

	// The organization aggregator, with a role trusting AWS Config that carries
	// AWSConfigRoleForOrganizations.
	role := e.aggregatorRole(mgmt, "ConfigAggregatorRole", configPrincipal, true)
	cfg := e.config(mgmt, "us-east-1")
	agg := e.mustPutAgg(cfg, orgAggregatorInput("organization", role, aggRegions...))
	checkAggregator(t, agg, "organization", mgmt.id)
	if src := agg.OrganizationAggregationSource; src == nil || aws.ToString(src.RoleArn) != role || src.AllAwsRegions ||
		!sameSet(src.AwsRegions, aggRegions) || len(agg.AccountAggregationSources) != 0 {
		t.Errorf("organization source %+v, account sources %+v", agg.OrganizationAggregationSource, agg.AccountAggregationSources)
	}
	e.RunJobs()
	desc, err := cfg.DescribeConfigurationAggregators(ctx, &configservice.DescribeConfigurationAggregatorsInput{ConfigurationAggregatorNames: []string{"organization"}})
	if err != nil || len(desc.ConfigurationAggregators) != 1 ||
		aws.ToString(desc.ConfigurationAggregators[0].ConfigurationAggregatorArn) != aws.ToString(agg.ConfigurationAggregatorArn) ||
		!desc.ConfigurationAggregators[0].CreationTime.Equal(*agg.CreationTime) {
		t.Fatalf("DescribeConfigurationAggregators: %v %+v", err, desc)
	}

	// The management account's aggregator turned trusted access for AWS Config on.
	if !e.configTrustedAccess() {
		t.Error("trusted access for config.amazonaws.com is not enabled after the organization aggregator")
	}
	succeeded := sourceRows{}.add(cfgtypes.AggregatedSourceTypeOrganization, orgID, "SUCCEEDED", aggRegions...)
	wantStatus(t, "organization aggregator", e.aggStatus(cfg, "organization"), succeeded)
	wantStatus(t, "organization aggregator, FAILED only", e.aggStatus(cfg, "organization", cfgtypes.AggregatedSourceStatusTypeFailed), sourceRows{})

	// Every drone, seven per page, each with its account and region.
	ids := e.aggDrones(cfg, "organization", nil, 7)
	wantKeys(t, "all drones", aggKeys(ids), all)
	for _, r := range ids {
		if r.ResourceType != aggDroneType || aws.ToString(r.ResourceName) != "name-"+aws.ToString(r.ResourceId) {
			t.Errorf("identifier %+v", r)
		}
	}
	wantKeys(t, "drones of a member in eu-west-1", e.droneKeys(cfg, "organization", &cfgtypes.ResourceFilters{AccountId: aws.String(m1.id), Region: aws.String("eu-west-1")}),
		[]string{aggKey(m1.id, "eu-west-1", droneID(m1.id, "eu-west-1", 1)), aggKey(m1.id, "eu-west-1", droneID(m1.id, "eu-west-1", 2))})
	one := droneID(m3.id, "ap-southeast-2", 2)
	wantKeys(t, "drone by ID", e.droneKeys(cfg, "organization", &cfgtypes.ResourceFilters{ResourceId: aws.String(one)}), []string{aggKey(m3.id, "ap-southeast-2", one)})
	named := droneID(mgmt.id, "us-east-1", 1)
	wantKeys(t, "drone by name", e.droneKeys(cfg, "organization", &cfgtypes.ResourceFilters{ResourceName: aws.String("name-" + named)}), []string{aggKey(mgmt.id, "us-east-1", named)})
	wantKeys(t, "drones of an unknown account", e.droneKeys(cfg, "organization", &cfgtypes.ResourceFilters{AccountId: aws.String("999999999999")}), nil)
	_, err = cfg.ListAggregateDiscoveredResources(ctx, &configservice.ListAggregateDiscoveredResourcesInput{
		ConfigurationAggregatorName: aws.String("organization"), ResourceType: aggDroneType, NextToken: aws.String("garbage!")})
	e2etest.APIError(t, err, "InvalidNextTokenException", 400)

	// Counts: by account, region and type (two per page), and the total alone.
	for _, c := range []struct {
		key  cfgtypes.ResourceCountGroupKey
		want map[string]int64
	}{
		{cfgtypes.ResourceCountGroupKeyAccountId, byAccount},
		{cfgtypes.ResourceCountGroupKeyAwsRegion, byRegion},
		{cfgtypes.ResourceCountGroupKeyResourceType, byType},
	} {
		tot, groups := e.aggCounts(cfg, "organization", c.key, nil, 2)
		if tot != total || fmt.Sprint(groups) != fmt.Sprint(c.want) {
			t.Errorf("counts by %s: total %d groups %v, want %d %v", c.key, tot, groups, total, c.want)
		}
	}
	if byType[string(aggDroneType)] != 30 {
		t.Errorf("the sources count %d drones, want 30", byType[string(aggDroneType)])
	}
	if tot, groups := e.aggCounts(cfg, "organization", "", nil, 0); tot != total || len(groups) != 0 {
		t.Errorf("counts without a key: total %d groups %v, want %d and none", tot, groups, total)
	}
	if tot, _ := e.aggCounts(cfg, "organization", "", &cfgtypes.ResourceCountFilters{ResourceType: aggDroneType}, 0); tot != 30 {
		t.Errorf("drone count %d, want 30", tot)
	}
	if tot, groups := e.aggCounts(cfg, "organization", cfgtypes.ResourceCountGroupKeyAwsRegion,
		&cfgtypes.ResourceCountFilters{AccountId: aws.String(m1.id), ResourceType: aggDroneType}, 0); tot != 6 ||
		fmt.Sprint(groups) != fmt.Sprint(map[string]int64{"ap-southeast-2": 2, "eu-west-1": 2, "us-east-1": 2}) {
		t.Errorf("drones of one member by region: %d %v", tot, groups)
	}
	wantByAccount := map[string]int64{}
	for _, a := range accounts {
		wantByAccount[a.id] = 2
	}
	if tot, groups := e.aggCounts(cfg, "organization", cfgtypes.ResourceCountGroupKeyAccountId,
		&cfgtypes.ResourceCountFilters{Region: aws.String("ap-southeast-2"), ResourceType: aggDroneType}, 0); tot != 10 || fmt.Sprint(groups) != fmt.Sprint(wantByAccount) {
		t.Errorf("drones in ap-southeast-2 by account: %d %v", tot, groups)
	}

	// One item in full, tags included.
	target := droneID(m2.id, "eu-west-1", 2)
	ident := func(acct aggAccount, region, id string) *cfgtypes.AggregateResourceIdentifier {
		return &cfgtypes.AggregateResourceIdentifier{SourceAccountId: aws.String(acct.id), SourceRegion: aws.String(region), ResourceId: aws.String(id), ResourceType: aggDroneType}
	}
	got, err := cfg.GetAggregateResourceConfig(ctx, &configservice.GetAggregateResourceConfigInput{
		ConfigurationAggregatorName: aws.String("organization"), ResourceIdentifier: ident(m2, "eu-west-1", target)})
	if err != nil {
		t.Fatalf("GetAggregateResourceConfig: %v", err)
	}
	if ci := got.ConfigurationItem; ci == nil || aws.ToString(ci.AccountId) != m2.id || aws.ToString(ci.AwsRegion) != "eu-west-1" ||
		aws.ToString(ci.ResourceId) != target || ci.ResourceType != aggDroneType || aws.ToString(ci.ResourceName) != "name-"+target ||
		aws.ToString(ci.Configuration) != `{"registered":false}` || ci.Tags["team"] != "a" || ci.ConfigurationItemStatus == cfgtypes.ConfigurationItemStatusResourceDeleted {
		t.Errorf("GetAggregateResourceConfig: %+v", got.ConfigurationItem)
	}
	for _, bad := range []*cfgtypes.AggregateResourceIdentifier{ident(m2, "eu-west-1", "drone-nope"), ident(m3, "eu-west-1", target), ident(m2, "us-east-1", target)} {
		_, err = cfg.GetAggregateResourceConfig(ctx, &configservice.GetAggregateResourceConfigInput{ConfigurationAggregatorName: aws.String("organization"), ResourceIdentifier: bad})
		e2etest.APIError(t, err, "ResourceNotDiscoveredException", 400)
	}

	// A batch: the known items come back without tags; the unknown one is left out or listed
	// as unprocessed.
	batch := []cfgtypes.AggregateResourceIdentifier{*ident(mgmt, "us-east-1", droneID(mgmt.id, "us-east-1", 1)),
		*ident(m1, "ap-southeast-2", droneID(m1.id, "ap-southeast-2", 2)), *ident(m4, "eu-west-1", droneID(m4.id, "eu-west-1", 1)),
		*ident(m4, "eu-west-1", "drone-nope")}
	bg, err := cfg.BatchGetAggregateResourceConfig(ctx, &configservice.BatchGetAggregateResourceConfigInput{
		ConfigurationAggregatorName: aws.String("organization"), ResourceIdentifiers: batch})
	if err != nil {
		t.Fatalf("BatchGetAggregateResourceConfig: %v", err)
	}
	var batchKeys []string
	for _, it := range bg.BaseConfigurationItems {
		batchKeys = append(batchKeys, aggKey(aws.ToString(it.AccountId), aws.ToString(it.AwsRegion), aws.ToString(it.ResourceId)))
		if it.ResourceType != aggDroneType || !strings.Contains(aws.ToString(it.Configuration), `"registered"`) {
			t.Errorf("batch item %+v", it)
		}
	}
	slices.Sort(batchKeys)
	wantKeys(t, "BatchGetAggregateResourceConfig", batchKeys, aggKeys(batch[:3]))
	if u := bg.UnprocessedResourceIdentifiers; len(u) > 1 || (len(u) == 1 && aws.ToString(u[0].ResourceId) != "drone-nope") {
		t.Errorf("unprocessed identifiers %+v", u)
	}

	// Compliance: one row per (rule, account, region), four per page.
	rows := e.aggRuleRows(cfg, "organization", nil)
	if len(rows) != 15 {
		t.Errorf("DescribeAggregateComplianceByConfigRules: %d rows, want 15", len(rows))
	}
	for _, a := range accounts {
		for _, region := range aggRegions {
			r, ok := rows[aggRule+"/"+a.id+"/"+region]
			switch {
			case !ok || r.Compliance == nil:
				t.Errorf("no compliance row for %s/%s", a.id, region)
			case a.id == mgmt.id && r.Compliance.ComplianceType != cfgtypes.ComplianceTypeCompliant:
				t.Errorf("%s/%s: %s, want COMPLIANT", a.id, region, r.Compliance.ComplianceType)
			case a.id != mgmt.id && (r.Compliance.ComplianceType != cfgtypes.ComplianceTypeNonCompliant || capped(r.Compliance.ComplianceContributorCount) != 1):
				t.Errorf("%s/%s: %+v, want NON_COMPLIANT with one resource", a.id, region, r.Compliance)
			}
		}
	}
	if n := len(e.aggRuleRows(cfg, "organization", &cfgtypes.ConfigRuleComplianceFilters{ComplianceType: cfgtypes.ComplianceTypeNonCompliant})); n != 12 {
		t.Errorf("NON_COMPLIANT rows: %d, want 12", n)
	}
	if n := len(e.aggRuleRows(cfg, "organization", &cfgtypes.ConfigRuleComplianceFilters{AccountId: aws.String(m1.id), AwsRegion: aws.String("eu-west-1"), ConfigRuleName: aws.String(aggRule)})); n != 1 {
		t.Errorf("rows of one account and region: %d, want 1", n)
	}
	_, err = cfg.DescribeAggregateComplianceByConfigRules(ctx, &configservice.DescribeAggregateComplianceByConfigRulesInput{
		ConfigurationAggregatorName: aws.String("organization"), Filters: &cfgtypes.ConfigRuleComplianceFilters{ComplianceType: cfgtypes.ComplianceTypeNotApplicable}})
	e2etest.APIError(t, err, "ValidationException", 400)
	d1, d2 := droneID(m1.id, "eu-west-1", 1), droneID(m1.id, "eu-west-1", 2)
	if got := e.aggDetails(cfg, "organization", aggRule, m1.id, "eu-west-1", ""); fmt.Sprint(got) != fmt.Sprint(map[string]string{d1: "COMPLIANT", d2: "NON_COMPLIANT"}) {
		t.Errorf("GetAggregateComplianceDetailsByConfigRule: %v", got)
	}
	if got := e.aggDetails(cfg, "organization", aggRule, m1.id, "eu-west-1", cfgtypes.ComplianceTypeNonCompliant); fmt.Sprint(got) != fmt.Sprint(map[string]string{d2: "NON_COMPLIANT"}) {
		t.Errorf("GetAggregateComplianceDetailsByConfigRule NON_COMPLIANT: %v", got)
	}
	// Summaries count rules; filtered to one region (or one account), each group holds one
	// (rule, account, region).
	wantByAcct := map[string]string{mgmt.id: "1/0"}
	for _, m := range accounts[1:] {
		wantByAcct[m.id] = "0/1"
	}
	if got := e.aggSummary(cfg, "organization", cfgtypes.ConfigRuleComplianceSummaryGroupKeyAccountId, &cfgtypes.ConfigRuleComplianceSummaryFilters{AwsRegion: aws.String("us-east-1")}); fmt.Sprint(got) != fmt.Sprint(wantByAcct) {
		t.Errorf("compliance summary by account in us-east-1: %v, want %v", got, wantByAcct)
	}
	if got := e.aggSummary(cfg, "organization", cfgtypes.ConfigRuleComplianceSummaryGroupKeyAwsRegion, &cfgtypes.ConfigRuleComplianceSummaryFilters{AccountId: aws.String(m2.id)}); fmt.Sprint(got) !=
		fmt.Sprint(map[string]string{"ap-southeast-2": "0/1", "eu-west-1": "0/1", "us-east-1": "0/1"}) {
		t.Errorf("compliance summary of a member by region: %v", got)
	}

	// An item put now is visible at once, without any background work.
	late := "drone-late"
	e.putDrone(e.config(m2, "ap-southeast-2"), late, true)
	wantKeys(t, "a drone put after the aggregator", e.droneKeys(cfg, "organization", &cfgtypes.ResourceFilters{ResourceId: aws.String(late)}),
		[]string{aggKey(m2.id, "ap-southeast-2", late)})

	// A member leaves: its data stays for the delay, then goes; its own data is untouched.
	if _, err := e.Org.RemoveAccountFromOrganization(ctx, &organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(m4.id)}); err != nil {
		t.Fatalf("RemoveAccountFromOrganization: %v", err)
	}
	leaver := &cfgtypes.ResourceFilters{AccountId: aws.String(m4.id)}
	if n := len(e.aggDrones(cfg, "organization", leaver, 0)); n != 6 {
		t.Errorf("right after the removal: %d drones of the removed account, want 6", n)
	}
	e.advance(aggDelay - time.Minute)
	if n := len(e.aggDrones(cfg, "organization", leaver, 0)); n != 6 {
		t.Errorf("a minute before the delay ends: %d drones of the removed account, want 6", n)
	}
	if n := len(e.aggRuleRows(cfg, "organization", &cfgtypes.ConfigRuleComplianceFilters{AccountId: aws.String(m4.id)})); n != 3 {
		t.Errorf("a minute before the delay ends: %d compliance rows of the removed account, want 3", n)
	}
	e.advance(2 * time.Minute)
	if n := len(e.aggDrones(cfg, "organization", leaver, 0)); n != 0 {
		t.Errorf("after the delay: %d drones of the removed account, want 0", n)
	}
	if n := len(e.aggDrones(cfg, "organization", nil, 0)); n != 25 {
		t.Errorf("after the delay: %d drones, want 25 (the four remaining accounts and the late one)", n)
	}
	if n := len(e.aggRuleRows(cfg, "organization", &cfgtypes.ConfigRuleComplianceFilters{AccountId: aws.String(m4.id)})); n != 0 {
		t.Errorf("after the delay: %d compliance rows of the removed account", n)
	}
	if _, groups := e.aggCounts(cfg, "organization", cfgtypes.ResourceCountGroupKeyAccountId, nil, 0); groups[m4.id] != 0 || len(groups) != 4 {
		t.Errorf("after the delay: counts by account %v", groups)
	}
	_, err = cfg.GetAggregateResourceConfig(ctx, &configservice.GetAggregateResourceConfigInput{
		ConfigurationAggregatorName: aws.String("organization"), ResourceIdentifier: ident(m4, "eu-west-1", droneID(m4.id, "eu-west-1", 1))})
	e2etest.APIError(t, err, "ResourceNotDiscoveredException", 400)
	if counts := e.sourceCounts(e.config(m4, "eu-west-1")); counts[string(aggDroneType)] != 2 {
		t.Errorf("the removed account's own data changed: %v", counts)
	}
	wantStatus(t, "organization aggregator after the removal", e.aggStatus(cfg, "organization"), succeeded)
}

// testAggAccountAggregator: an account aggregator in A over B and C in two regions; B
// authorizes, C does not and sees pending requests that it declines or that expire; B then
// withdraws one authorization and that data ages out.
func testAggAccountAggregator(t *testing.T, backend testserver.Option) {
	e := newAggEnv(t, backend)
	ctx := e.Ctx
	a := e.mgmt() // in no organization
	b, c := e.standaloneAccount("source-b"), e.standaloneAccount("source-c")
	regions := []string{"us-east-1", "eu-west-1"}
	drones := map[string][]string{} // account -> keys
	for _, src := range []aggAccount{b, c} {
		for _, region := range regions {
			cfg := e.recordIn(src, region)
			for n := 1; n <= 2; n++ {
				id := droneID(src.id, region, n)
				e.putDrone(cfg, id, n == 1)
				drones[src.id] = append(drones[src.id], aggKey(src.id, region, id))
			}
		}
	}
	cfg := e.recordIn(a, "us-east-1")
	own := droneID(a.id, "us-east-1", 1)
	e.putDrone(cfg, own, true)

	agg := e.mustPutAgg(cfg, accountAggregatorInput("accounts", []string{b.id, c.id}, regions...))
	checkAggregator(t, agg, "accounts", a.id)
	if src := agg.AccountAggregationSources; len(src) != 1 || !sameSet(src[0].AccountIds, []string{b.id, c.id}) || src[0].AllAwsRegions ||
		!sameSet(src[0].AwsRegions, regions) || agg.OrganizationAggregationSource != nil {
		t.Errorf("account sources %+v, organization source %+v", agg.AccountAggregationSources, agg.OrganizationAggregationSource)
	}
	// The aggregator's own account needs no authorization.
	e.mustPutAgg(cfg, accountAggregatorInput("self", []string{a.id}, "us-east-1"))
	e.RunJobs()
	wantKeys(t, "own account", e.droneKeys(cfg, "self", nil), []string{aggKey(a.id, "us-east-1", own)})
	wantStatus(t, "own account", e.aggStatus(cfg, "self"), sourceRows{}.add(cfgtypes.AggregatedSourceTypeAccount, a.id, "SUCCEEDED", "us-east-1"))

	// Nothing is authorized yet: both sources see A's request in both regions.
	requester := []string{a.id + "/us-east-1"}
	for _, src := range []aggAccount{b, c} {
		for _, region := range regions {
			if got := e.pendingRequests(e.config(src, region)); !slices.Equal(got, requester) {
				t.Errorf("pending requests in %s/%s: %v, want %v", src.id, region, got, requester)
			}
		}
	}
	wantKeys(t, "before any authorization", e.droneKeys(cfg, "accounts", nil), nil)

	// B authorizes A's aggregators in us-east-1, from both its regions; the Put is idempotent.
	for _, region := range regions {
		bc := e.config(b, region)
		put := func() *cfgtypes.AggregationAuthorization {
			out, err := bc.PutAggregationAuthorization(ctx, &configservice.PutAggregationAuthorizationInput{
				AuthorizedAccountId: aws.String(a.id), AuthorizedAwsRegion: aws.String("us-east-1")})
			if err != nil {
				t.Fatalf("PutAggregationAuthorization in %s: %v", region, err)
			}
			return out.AggregationAuthorization
		}
		first := put()
		wantARN := "arn:aws:config:" + region + ":" + b.id + ":aggregation-authorization/" + a.id + "/us-east-1"
		if aws.ToString(first.AggregationAuthorizationArn) != wantARN || aws.ToString(first.AuthorizedAccountId) != a.id ||
			aws.ToString(first.AuthorizedAwsRegion) != "us-east-1" || first.CreationTime == nil {
			t.Errorf("authorization %+v, want ARN %s", first, wantARN)
		}
		e.Clk.Advance(time.Second)
		if again := put(); aws.ToString(again.AggregationAuthorizationArn) != wantARN || again.CreationTime == nil || !again.CreationTime.Equal(*first.CreationTime) {
			t.Errorf("a second Put changed the authorization: %+v, then %+v", first, again)
		}
		auths := e.authorizations(bc)
		if len(auths) != 1 || aws.ToString(auths[0].AggregationAuthorizationArn) != wantARN {
			t.Errorf("DescribeAggregationAuthorizations in %s/%s: %+v", b.id, region, auths)
		}
		if got := e.pendingRequests(bc); len(got) != 0 {
			t.Errorf("pending requests in %s/%s after authorizing: %v", b.id, region, got)
		}
	}
	e.advance(aggRefresh)

	// B's data is in, C's is not.
	wantKeys(t, "after B's authorizations", e.droneKeys(cfg, "accounts", nil), drones[b.id])
	wantKeys(t, "C's drones", e.droneKeys(cfg, "accounts", &cfgtypes.ResourceFilters{AccountId: aws.String(c.id)}), nil)
	var bTotal int64
	for _, region := range regions {
		for _, n := range e.sourceCounts(e.config(b, region)) {
			bTotal += n
		}
	}
	if tot, groups := e.aggCounts(cfg, "accounts", cfgtypes.ResourceCountGroupKeyAccountId, nil, 0); tot != bTotal || fmt.Sprint(groups) != fmt.Sprint(map[string]int64{b.id: bTotal}) {
		t.Errorf("counts by account: %d %v, want %d, all B's", tot, groups, bTotal)
	}
	_, err := cfg.GetAggregateResourceConfig(ctx, &configservice.GetAggregateResourceConfigInput{ConfigurationAggregatorName: aws.String("accounts"),
		ResourceIdentifier: &cfgtypes.AggregateResourceIdentifier{SourceAccountId: aws.String(c.id), SourceRegion: aws.String("us-east-1"),
			ResourceId: aws.String(droneID(c.id, "us-east-1", 1)), ResourceType: aggDroneType}})
	e2etest.APIError(t, err, "ResourceNotDiscoveredException", 400)
	failedC := sourceRows{}.add(cfgtypes.AggregatedSourceTypeAccount, c.id, "FAILED AUTHORIZATION_NOT_FOUND", regions...)
	wantStatus(t, "account aggregator", e.aggStatus(cfg, "accounts"),
		sourceRows{}.add(cfgtypes.AggregatedSourceTypeAccount, b.id, "SUCCEEDED", regions...).add(cfgtypes.AggregatedSourceTypeAccount, c.id, "FAILED AUTHORIZATION_NOT_FOUND", regions...))
	wantStatus(t, "account aggregator, FAILED only", e.aggStatus(cfg, "accounts", cfgtypes.AggregatedSourceStatusTypeFailed), failedC)

	// C declines the request in us-east-1; the one in eu-west-1 expires after 7 days.
	cUS, cEU := e.config(c, "us-east-1"), e.config(c, "eu-west-1")
	if _, err := cUS.DeletePendingAggregationRequest(ctx, &configservice.DeletePendingAggregationRequestInput{
		RequesterAccountId: aws.String(a.id), RequesterAwsRegion: aws.String("us-east-1")}); err != nil {
		t.Fatalf("DeletePendingAggregationRequest: %v", err)
	}
	if got := e.pendingRequests(cUS); len(got) != 0 {
		t.Errorf("pending requests in C's us-east-1 after declining: %v", got)
	}
	if got := e.pendingRequests(cEU); !slices.Equal(got, requester) {
		t.Errorf("pending requests in C's eu-west-1: %v, want %v", got, requester)
	}
	e.advance(6 * 24 * time.Hour)
	if got := e.pendingRequests(cEU); !slices.Equal(got, requester) {
		t.Errorf("pending requests in C's eu-west-1 after 6 days: %v, want %v", got, requester)
	}
	e.advance(24 * time.Hour)
	for region, cc := range map[string]*configservice.Client{"us-east-1": cUS, "eu-west-1": cEU} {
		if got := e.pendingRequests(cc); len(got) != 0 {
			t.Errorf("pending requests in C's %s after 7 days: %v", region, got)
		}
	}
	wantKeys(t, "a week later", e.droneKeys(cfg, "accounts", nil), drones[b.id])

	// B withdraws its us-east-1 authorization (twice: no error); that data ages out.
	bUS := e.config(b, "us-east-1")
	for range 2 {
		if _, err := bUS.DeleteAggregationAuthorization(ctx, &configservice.DeleteAggregationAuthorizationInput{
			AuthorizedAccountId: aws.String(a.id), AuthorizedAwsRegion: aws.String("us-east-1")}); err != nil {
			t.Fatalf("DeleteAggregationAuthorization: %v", err)
		}
	}
	if auths := e.authorizations(bUS); len(auths) != 0 {
		t.Errorf("authorizations in B's us-east-1 after the deletion: %+v", auths)
	}
	if auths := e.authorizations(e.config(b, "eu-west-1")); len(auths) != 1 {
		t.Errorf("authorizations in B's eu-west-1: %+v", auths)
	}
	bUSFilter := &cfgtypes.ResourceFilters{AccountId: aws.String(b.id), Region: aws.String("us-east-1")}
	bEUFilter := &cfgtypes.ResourceFilters{AccountId: aws.String(b.id), Region: aws.String("eu-west-1")}
	if n := len(e.aggDrones(cfg, "accounts", bUSFilter, 0)); n != 2 {
		t.Errorf("right after the deletion: %d drones of B's us-east-1, want 2", n)
	}
	e.advance(aggDelay - time.Minute)
	if n := len(e.aggDrones(cfg, "accounts", bUSFilter, 0)); n != 2 {
		t.Errorf("a minute before the delay ends: %d drones of B's us-east-1, want 2", n)
	}
	e.advance(2 * time.Minute)
	if n := len(e.aggDrones(cfg, "accounts", bUSFilter, 0)); n != 0 {
		t.Errorf("after the delay: %d drones of B's us-east-1, want 0", n)
	}
	if n := len(e.aggDrones(cfg, "accounts", bEUFilter, 0)); n != 2 {
		t.Errorf("after the delay: %d drones of B's eu-west-1, want 2", n)
	}
	wantStatus(t, "after B's withdrawal", e.aggStatus(cfg, "accounts"), sourceRows{}.
		add(cfgtypes.AggregatedSourceTypeAccount, b.id, "FAILED AUTHORIZATION_NOT_FOUND", "us-east-1").
		add(cfgtypes.AggregatedSourceTypeAccount, b.id, "SUCCEEDED", "eu-west-1").
		add(cfgtypes.AggregatedSourceTypeAccount, c.id, "FAILED AUTHORIZATION_NOT_FOUND", regions...))
}

// testAggDelegatedAdministrator: a member registered as AWS Config's delegated administrator
// aggregates the organization; another member and an account outside any organization may
// not; once deregistered, the delegate's aggregator fails and its data ages out.
func testAggDelegatedAdministrator(t *testing.T, backend testserver.Option) {
	e := newAggEnv(t, backend)
	ctx := e.Ctx
	orgID := aws.ToString(e.CreateOrg(orgtypes.OrganizationFeatureSetAll).Id)
	mgmt := e.mgmt()
	d := e.memberAdmin(e.CreateAccount("delegate", "delegate@example.com"))
	other := e.memberAdmin(e.CreateAccount("other", "other@example.com"))
	outsider := e.standaloneAccount("outsider")
	var all []string
	for _, acct := range []aggAccount{mgmt, d, other} {
		id := droneID(acct.id, "us-east-1", 1)
		e.putDrone(e.recordIn(acct, "us-east-1"), id, true)
		all = append(all, aggKey(acct.id, "us-east-1", id))
	}

	// Delegation for AWS Config needs its trusted access first.
	register := func() error {
		_, err := e.Org.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(d.id), ServicePrincipal: aws.String(configPrincipal)})
		return err
	}
	e2etest.OrgReason(t, register(), "ConstraintViolationException", "SERVICE_ACCESS_NOT_ENABLED")
	if _, err := e.Org.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(configPrincipal)}); err != nil {
		t.Fatalf("EnableAWSServiceAccess: %v", err)
	}
	if err := register(); err != nil {
		t.Fatalf("RegisterDelegatedAdministrator: %v", err)
	}

	// The delegate aggregates the whole organization with its own role.
	dc := e.config(d, "us-east-1")
	role := e.aggregatorRole(d, "ConfigAggregatorRole", configPrincipal, true)
	agg := e.mustPutAgg(dc, orgAggregatorInput("organization", role, "us-east-1"))
	checkAggregator(t, agg, "organization", d.id)
	e.RunJobs()
	wantStatus(t, "delegate's aggregator", e.aggStatus(dc, "organization"), sourceRows{}.add(cfgtypes.AggregatedSourceTypeOrganization, orgID, "SUCCEEDED", "us-east-1"))
	wantKeys(t, "delegate's aggregator", e.droneKeys(dc, "organization", nil), all)

	// A member that is not a delegated administrator may not.
	oc := e.config(other, "us-east-1")
	_, err := e.putAgg(oc, orgAggregatorInput("organization", e.aggregatorRole(other, "ConfigAggregatorRole", configPrincipal, true), "us-east-1"))
	e2etest.APIError(t, err, "OrganizationAccessDeniedException", 400)
	if out, err := oc.DescribeConfigurationAggregators(ctx, &configservice.DescribeConfigurationAggregatorsInput{}); err != nil || len(out.ConfigurationAggregators) != 0 {
		t.Errorf("after a refused Put: %v %+v", err, out)
	}
	// Nor may an account in no organization (Terraform matches this message).
	_, err = e.putAgg(e.config(outsider, "us-east-1"), orgAggregatorInput("organization", e.aggregatorRole(outsider, "ConfigAggregatorRole", configPrincipal, true), "us-east-1"))
	if ae := e2etest.APIError(t, err, "OrganizationAccessDeniedException", 400); !strings.Contains(ae.ErrorMessage(), "This action can only be made by accounts in an AWS Organization") {
		t.Errorf("message for an account in no organization: %q", ae.ErrorMessage())
	}

	// The delegation ends: no more updates; the sources fail at the next refresh and the
	// data ages out after the delay.
	if _, err := e.Org.DeregisterDelegatedAdministrator(ctx, &organizations.DeregisterDelegatedAdministratorInput{AccountId: aws.String(d.id), ServicePrincipal: aws.String(configPrincipal)}); err != nil {
		t.Fatalf("DeregisterDelegatedAdministrator: %v", err)
	}
	_, err = e.putAgg(dc, orgAggregatorInput("organization", role, "us-east-1"))
	e2etest.APIError(t, err, "OrganizationAccessDeniedException", 400)
	e.advance(aggRefresh)
	wantStatus(t, "after the deregistration", e.aggStatus(dc, "organization"),
		sourceRows{}.add(cfgtypes.AggregatedSourceTypeOrganization, orgID, "FAILED ORGANIZATION_ACCESS_DENIED", "us-east-1"))
	wantKeys(t, "within the delay", e.droneKeys(dc, "organization", nil), all)
	e.advance(aggDelay + time.Minute)
	wantKeys(t, "after the delay", e.droneKeys(dc, "organization", nil), nil)
}

// testAggOrganizationSourceFailures: role ARNs refused at Put, roles Config cannot use (FAILED
// ROLE_NOT_VALID until fixed), trusted access disabled afterwards (FAILED
// TRUSTED_ACCESS_DISABLED, data aging out), and an organization without all features.
func testAggOrganizationSourceFailures(t *testing.T, backend testserver.Option) {
	e := newAggEnv(t, backend)
	ctx := e.Ctx
	orgID := aws.ToString(e.CreateOrg(orgtypes.OrganizationFeatureSetAll).Id)
	mgmt := e.mgmt()
	m := e.memberAdmin(e.CreateAccount("member", "member@example.com"))
	var all []string
	for _, acct := range []aggAccount{mgmt, m} {
		id := droneID(acct.id, "us-east-1", 1)
		e.putDrone(e.recordIn(acct, "us-east-1"), id, true)
		all = append(all, aggKey(acct.id, "us-east-1", id))
	}
	cfg := e.config(mgmt, "us-east-1")
	regions := []string{"us-east-1", "eu-west-1"}

	// What is not an IAM role ARN is refused at once.
	for _, arn := range []string{"", "not-an-arn", "arn:aws:iam::" + mgmt.id + ":user/alice", "arn:aws:s3:::config-bucket"} {
		_, err := e.putAgg(cfg, orgAggregatorInput("refused", arn, regions...))
		if !e2etest.IsCode(err, "InvalidRoleException") {
			t.Errorf("role ARN %q: %v, want InvalidRoleException", arn, err)
		}
	}

	// Roles Config cannot use are accepted, and the sources fail.
	noPolicy := e.aggregatorRole(mgmt, "NoPolicyRole", configPrincipal, false)
	roles := map[string]string{
		"no-policy":     noPolicy,
		"untrusted":     e.aggregatorRole(mgmt, "Ec2Role", "ec2.amazonaws.com", true),
		"missing":       "arn:aws:iam::" + mgmt.id + ":role/NoSuchRole",
		"other-account": "arn:aws:iam::" + m.id + ":role/OrganizationAccountAccessRole",
		"good":          e.aggregatorRole(mgmt, "ConfigAggregatorRole", configPrincipal, true),
	}
	for name, role := range roles {
		e.mustPutAgg(cfg, orgAggregatorInput(name, role, regions...))
	}
	e.RunJobs()
	rows := func(status string) sourceRows {
		return sourceRows{}.add(cfgtypes.AggregatedSourceTypeOrganization, orgID, status, regions...)
	}
	for name := range roles {
		want := rows("FAILED ROLE_NOT_VALID")
		if name == "good" {
			want = rows("SUCCEEDED")
		}
		wantStatus(t, name, e.aggStatus(cfg, name), want)
	}
	wantKeys(t, "good role", e.droneKeys(cfg, "good", nil), all)

	// Attaching the policy fixes the role at the next refresh.
	if _, err := e.iamClient(mgmt).AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("NoPolicyRole"), PolicyArn: aws.String(orgAggregatorPolicy)}); err != nil {
		t.Fatal(err)
	}
	e.advance(aggRefresh)
	wantStatus(t, "no-policy once fixed", e.aggStatus(cfg, "no-policy"), rows("SUCCEEDED"))
	wantKeys(t, "no-policy once fixed", e.droneKeys(cfg, "no-policy", nil), all)

	// Trusted access turned off: the sources fail; the data stays for the delay.
	if _, err := e.Org.DisableAWSServiceAccess(ctx, &organizations.DisableAWSServiceAccessInput{ServicePrincipal: aws.String(configPrincipal)}); err != nil {
		t.Fatalf("DisableAWSServiceAccess: %v", err)
	}
	e.advance(aggRefresh)
	wantStatus(t, "trusted access disabled", e.aggStatus(cfg, "good"), rows("FAILED TRUSTED_ACCESS_DISABLED"))
	wantKeys(t, "trusted access disabled, within the delay", e.droneKeys(cfg, "good", nil), all)
	e.advance(aggDelay + time.Minute)
	wantKeys(t, "trusted access disabled, after the delay", e.droneKeys(cfg, "good", nil), nil)
	if e.configTrustedAccess() {
		t.Error("the aggregator's refresh turned trusted access back on")
	}

	// An organization without all features.
	billing := e.standaloneAccount("billing")
	if _, err := e.orgClient(billing).CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetConsolidatedBilling}); err != nil {
		t.Fatalf("CreateOrganization: %v", err)
	}
	_, err := e.putAgg(e.config(billing, "us-east-1"), orgAggregatorInput("organization", e.aggregatorRole(billing, "ConfigAggregatorRole", configPrincipal, true), "us-east-1"))
	e2etest.APIError(t, err, "OrganizationAllFeaturesNotEnabledException", 400)
}

// testAggValidation: malformed aggregators, unknown names, the update contract, the ARN, and
// DescribeConfigurationAggregators' pages.
func testAggValidation(t *testing.T, backend testserver.Option) {
	e := newAggEnv(t, backend)
	ctx := e.Ctx
	a := e.mgmt()
	cfg := e.config(a, "us-east-1")
	role := "arn:aws:iam::" + a.id + ":role/ConfigAggregatorRole"
	acctSrc := func(ids []string, all bool, regions ...string) []cfgtypes.AccountAggregationSource {
		return []cfgtypes.AccountAggregationSource{{AccountIds: ids, AllAwsRegions: all, AwsRegions: regions}}
	}
	in := func(accounts []cfgtypes.AccountAggregationSource, org *cfgtypes.OrganizationAggregationSource) *configservice.PutConfigurationAggregatorInput {
		return &configservice.PutConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String("bad"), AccountAggregationSources: accounts, OrganizationAggregationSource: org}
	}
	others := []string{"222222222222"}
	for _, c := range []struct {
		name string
		in   *configservice.PutConfigurationAggregatorInput
		code string
	}{
		{"both sources", in(acctSrc(others, false, "us-east-1"), &cfgtypes.OrganizationAggregationSource{RoleArn: aws.String(role), AwsRegions: []string{"us-east-1"}}), "InvalidParameterValueException"},
		{"no source", in(nil, nil), "InvalidParameterValueException"},
		{"account source with all regions and a list", in(acctSrc(others, true, "us-east-1"), nil), "InvalidParameterValueException"},
		{"account source without regions", in(acctSrc(others, false), nil), "InvalidParameterValueException"},
		{"organization source with all regions and a list", in(nil, &cfgtypes.OrganizationAggregationSource{RoleArn: aws.String(role), AllAwsRegions: true, AwsRegions: []string{"us-east-1"}}), "InvalidParameterValueException"},
		{"organization source without regions", in(nil, &cfgtypes.OrganizationAggregationSource{RoleArn: aws.String(role)}), "InvalidParameterValueException"},
		{"unknown region", in(acctSrc(others, false, "us-east-1", "mars-north-1"), nil), "InvalidParameterValueException"},
		{"two account sources", in(append(acctSrc(others, false, "us-east-1"), acctSrc([]string{"333333333333"}, true)...), nil), "ValidationException"},
		{"account ID not 12 digits", in(acctSrc([]string{"1234"}, false, "us-east-1"), nil), "ValidationException"},
		{"name not a word", func() *configservice.PutConfigurationAggregatorInput {
			r := in(acctSrc(others, false, "us-east-1"), nil)
			r.ConfigurationAggregatorName = aws.String("bad name!")
			return r
		}(), "ValidationException"},
	} {
		if _, err := e.putAgg(cfg, c.in); !e2etest.IsCode(err, c.code) {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	if out, err := cfg.DescribeConfigurationAggregators(ctx, &configservice.DescribeConfigurationAggregatorsInput{}); err != nil || len(out.ConfigurationAggregators) != 0 || out.NextToken != nil {
		t.Fatalf("after refused Puts: %v %+v", err, out)
	}

	// An update replaces the sources, keeps the ARN and the creation time, moves the update
	// time, and ignores new tags.
	create := accountAggregatorInput("agg-1", others, "us-east-1")
	create.Tags = []cfgtypes.Tag{{Key: aws.String("env"), Value: aws.String("test")}}
	first := e.mustPutAgg(cfg, create)
	checkAggregator(t, first, "agg-1", a.id)
	e.Clk.Advance(time.Minute)
	update := &configservice.PutConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String("agg-1"),
		AccountAggregationSources: acctSrc([]string{"333333333333", "444444444444"}, true),
		Tags:                      []cfgtypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}
	second := e.mustPutAgg(cfg, update)
	if aws.ToString(second.ConfigurationAggregatorArn) != aws.ToString(first.ConfigurationAggregatorArn) || second.CreationTime == nil ||
		!second.CreationTime.Equal(*first.CreationTime) || second.LastUpdatedTime == nil || !second.LastUpdatedTime.After(*first.LastUpdatedTime) {
		t.Errorf("update: %+v after %+v", second, first)
	}
	if src := second.AccountAggregationSources; len(src) != 1 || !sameSet(src[0].AccountIds, []string{"333333333333", "444444444444"}) || !src[0].AllAwsRegions || len(src[0].AwsRegions) != 0 {
		t.Errorf("updated sources %+v", second.AccountAggregationSources)
	}
	desc, err := cfg.DescribeConfigurationAggregators(ctx, &configservice.DescribeConfigurationAggregatorsInput{ConfigurationAggregatorNames: []string{"agg-1"}})
	if err != nil || len(desc.ConfigurationAggregators) != 1 || !desc.ConfigurationAggregators[0].LastUpdatedTime.Equal(*second.LastUpdatedTime) ||
		len(desc.ConfigurationAggregators[0].AccountAggregationSources) != 1 ||
		!sameSet(desc.ConfigurationAggregators[0].AccountAggregationSources[0].AccountIds, []string{"333333333333", "444444444444"}) {
		t.Errorf("DescribeConfigurationAggregators after the update: %v %+v", err, desc)
	}
	tags, err := cfg.ListTagsForResource(ctx, &configservice.ListTagsForResourceInput{ResourceArn: first.ConfigurationAggregatorArn})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "env" || aws.ToString(tags.Tags[0].Value) != "test" {
		t.Errorf("tags after the update: %v %+v", err, tags)
	}

	// Pages of two.
	arns := map[string]bool{aws.ToString(first.ConfigurationAggregatorArn): true}
	for _, name := range []string{"agg-2", "agg-3"} {
		agg := e.mustPutAgg(cfg, accountAggregatorInput(name, others, "us-east-1"))
		checkAggregator(t, agg, name, a.id)
		arns[aws.ToString(agg.ConfigurationAggregatorArn)] = true
	}
	if len(arns) != 3 {
		t.Errorf("three aggregators share ARNs: %v", arns)
	}
	list := func() []string {
		aggs := aggPages(t, "DescribeConfigurationAggregators", 2, func(token *string) ([]cfgtypes.ConfigurationAggregator, *string, error) {
			out, err := cfg.DescribeConfigurationAggregators(ctx, &configservice.DescribeConfigurationAggregatorsInput{Limit: 2, NextToken: token})
			if err != nil {
				return nil, nil, err
			}
			return out.ConfigurationAggregators, out.NextToken, nil
		})
		var names []string
		for _, agg := range aggs {
			names = append(names, aws.ToString(agg.ConfigurationAggregatorName))
		}
		slices.Sort(names)
		return names
	}
	if got := list(); fmt.Sprint(got) != "[agg-1 agg-2 agg-3]" {
		t.Errorf("DescribeConfigurationAggregators pages: %v", got)
	}
	page, err := cfg.DescribeConfigurationAggregators(ctx, &configservice.DescribeConfigurationAggregatorsInput{Limit: 2})
	if err != nil || len(page.ConfigurationAggregators) != 2 || page.NextToken == nil {
		t.Errorf("first page of two: %v %+v", err, page)
	}
	_, err = cfg.DescribeConfigurationAggregators(ctx, &configservice.DescribeConfigurationAggregatorsInput{NextToken: aws.String("garbage!")})
	e2etest.APIError(t, err, "InvalidNextTokenException", 400)

	// Unknown names; an aggregator lives in one region.
	for _, names := range [][]string{{"nope"}, {"agg-1", "nope"}} {
		_, err = cfg.DescribeConfigurationAggregators(ctx, &configservice.DescribeConfigurationAggregatorsInput{ConfigurationAggregatorNames: names})
		e2etest.APIError(t, err, "NoSuchConfigurationAggregatorException", 400)
	}
	_, err = e.config(a, "eu-west-1").DescribeConfigurationAggregators(ctx, &configservice.DescribeConfigurationAggregatorsInput{ConfigurationAggregatorNames: []string{"agg-1"}})
	e2etest.APIError(t, err, "NoSuchConfigurationAggregatorException", 400)
	_, err = cfg.DeleteConfigurationAggregator(ctx, &configservice.DeleteConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String("nope")})
	e2etest.APIError(t, err, "NoSuchConfigurationAggregatorException", 400)
	if _, err := cfg.DeleteConfigurationAggregator(ctx, &configservice.DeleteConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String("agg-3")}); err != nil {
		t.Fatalf("DeleteConfigurationAggregator: %v", err)
	}
	_, err = cfg.DescribeConfigurationAggregators(ctx, &configservice.DescribeConfigurationAggregatorsInput{ConfigurationAggregatorNames: []string{"agg-3"}})
	e2etest.APIError(t, err, "NoSuchConfigurationAggregatorException", 400)
	if got := list(); fmt.Sprint(got) != "[agg-1 agg-2]" {
		t.Errorf("after the deletion: %v", got)
	}

	// Every aggregate read of an unknown (or deleted) aggregator.
	for _, name := range []string{"nope", "agg-3"} {
		n := aws.String(name)
		ident := cfgtypes.AggregateResourceIdentifier{SourceAccountId: aws.String(a.id), SourceRegion: aws.String("us-east-1"), ResourceId: aws.String("x"), ResourceType: aggDroneType}
		for op, call := range map[string]func() error{
			"ListAggregateDiscoveredResources": func() error {
				_, err := cfg.ListAggregateDiscoveredResources(ctx, &configservice.ListAggregateDiscoveredResourcesInput{ConfigurationAggregatorName: n, ResourceType: aggDroneType})
				return err
			},
			"GetAggregateDiscoveredResourceCounts": func() error {
				_, err := cfg.GetAggregateDiscoveredResourceCounts(ctx, &configservice.GetAggregateDiscoveredResourceCountsInput{ConfigurationAggregatorName: n})
				return err
			},
			"GetAggregateResourceConfig": func() error {
				_, err := cfg.GetAggregateResourceConfig(ctx, &configservice.GetAggregateResourceConfigInput{ConfigurationAggregatorName: n, ResourceIdentifier: &ident})
				return err
			},
			"BatchGetAggregateResourceConfig": func() error {
				_, err := cfg.BatchGetAggregateResourceConfig(ctx, &configservice.BatchGetAggregateResourceConfigInput{ConfigurationAggregatorName: n, ResourceIdentifiers: []cfgtypes.AggregateResourceIdentifier{ident}})
				return err
			},
			"DescribeAggregateComplianceByConfigRules": func() error {
				_, err := cfg.DescribeAggregateComplianceByConfigRules(ctx, &configservice.DescribeAggregateComplianceByConfigRulesInput{ConfigurationAggregatorName: n})
				return err
			},
			"GetAggregateComplianceDetailsByConfigRule": func() error {
				_, err := cfg.GetAggregateComplianceDetailsByConfigRule(ctx, &configservice.GetAggregateComplianceDetailsByConfigRuleInput{ConfigurationAggregatorName: n,
					ConfigRuleName: aws.String(aggRule), AccountId: aws.String(a.id), AwsRegion: aws.String("us-east-1")})
				return err
			},
			"GetAggregateConfigRuleComplianceSummary": func() error {
				_, err := cfg.GetAggregateConfigRuleComplianceSummary(ctx, &configservice.GetAggregateConfigRuleComplianceSummaryInput{ConfigurationAggregatorName: n})
				return err
			},
			"DescribeConfigurationAggregatorSourcesStatus": func() error {
				_, err := cfg.DescribeConfigurationAggregatorSourcesStatus(ctx, &configservice.DescribeConfigurationAggregatorSourcesStatusInput{ConfigurationAggregatorName: n})
				return err
			},
		} {
			if err := call(); !e2etest.IsCode(err, "NoSuchConfigurationAggregatorException") {
				t.Errorf("%s of aggregator %q: %v, want NoSuchConfigurationAggregatorException", op, name, err)
			}
		}
	}
}

// testAggSourcesKeepTheirOrder: an aggregator answers its accounts and regions in the order
// they were given, as AWS does (Terraform's account_ids and regions are lists, so a reordered
// answer is a change to apply on every plan); a repeated account counts once.
func testAggSourcesKeepTheirOrder(t *testing.T, backend testserver.Option) {
	e := newAggEnv(t, backend)
	e.CreateOrg(orgtypes.OrganizationFeatureSetAll)
	mgmt := e.mgmt()
	cfg := e.config(mgmt, "us-east-1")
	accounts := []string{"444444444444", mgmt.id, "222222222222", "333333333333"}
	regions := []string{"us-west-2", "eu-west-1", "ap-southeast-2", "us-east-1"}
	in := accountAggregatorInput("ordered", append(slices.Clone(accounts), "222222222222"), regions...)
	check := func(what string, got []cfgtypes.ConfigurationAggregator, wantAccounts, wantRegions []string) {
		t.Helper()
		if len(got) != 1 {
			t.Fatalf("%s: %d aggregators", what, len(got))
		}
		var ids, rs []string
		if src := got[0].AccountAggregationSources; len(src) == 1 {
			ids, rs = src[0].AccountIds, src[0].AwsRegions
		} else if o := got[0].OrganizationAggregationSource; o != nil {
			rs = o.AwsRegions
		}
		if !slices.Equal(ids, wantAccounts) || !slices.Equal(rs, wantRegions) {
			t.Errorf("%s: accounts %v regions %v, want %v %v", what, ids, rs, wantAccounts, wantRegions)
		}
	}
	describe := func(name string) []cfgtypes.ConfigurationAggregator {
		t.Helper()
		out, err := cfg.DescribeConfigurationAggregators(e.Ctx, &configservice.DescribeConfigurationAggregatorsInput{ConfigurationAggregatorNames: []string{name}})
		if err != nil {
			t.Fatalf("DescribeConfigurationAggregators: %v", err)
		}
		return out.ConfigurationAggregators
	}
	put := e.mustPutAgg(cfg, in)
	check("PutConfigurationAggregator", []cfgtypes.ConfigurationAggregator{*put}, accounts, regions)
	check("DescribeConfigurationAggregators", describe("ordered"), accounts, regions)

	// An update's new order is kept too.
	slices.Reverse(accounts)
	slices.Reverse(regions)
	e.mustPutAgg(cfg, accountAggregatorInput("ordered", accounts, regions...))
	check("after an update", describe("ordered"), accounts, regions)

	// So are an organization source's regions.
	role := e.aggregatorRole(mgmt, "ConfigAggregatorRole", configPrincipal, true)
	e.mustPutAgg(cfg, orgAggregatorInput("organization", role, regions...))
	check("organization source", describe("organization"), nil, regions)
}
