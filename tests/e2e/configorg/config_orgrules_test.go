package configorg

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/orgconfig/orgconfig/tests/e2e/e2etest"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/orgconfig/orgconfig/internal/testserver"
)

// TestConfigOrgRules runs the suite of AWS Config's organization rules and conformance packs on
// both store backends: organization rules deployed to the members of an organization in two
// regions and read back through an organization aggregator, the status sequence Terraform's
// waiters poll and the errors of the organization APIs, a conformance pack of one account, and
// an organization conformance pack. Deployments and evaluations run as background jobs driven by
// the test (a manual clock and RunDue); nothing sleeps.
func TestConfigOrgRules(t *testing.T) {
	testserver.Backends(t, func(t *testing.T, backend testserver.Backend) {
		for _, c := range []struct {
			name string
			fn   func(*testing.T, testserver.Option)
		}{
			{"OrganizationRuleAcrossAccounts", testOrgRuleAcrossAccounts},
			{"StatusWaitersAndErrors", testOrgRuleStatusWaitersAndErrors},
			{"ConformancePack", testConformancePack},
			{"OrganizationConformancePack", testOrgConformancePack},
		} {
			t.Run(c.name, func(t *testing.T) { c.fn(t, backend(t)) })
		}
	})
}

const (
	// multiSetupPrincipal is the service principal of organization rules and packs; it owns
	// the member rules they deploy.
	multiSetupPrincipal = "config-multiaccountsetup.amazonaws.com"
	// conformsPrincipal owns the rules of conformance packs.
	conformsPrincipal = "config-conforms.amazonaws.com"
	// serviceOwnedMessage is AWS's answer to an account changing a service-linked rule.
	serviceOwnedMessage = "An AWS service owns ServiceLinkedConfigRule. You do not have permissions to take action on this rule."
	// gone is what the status readers report once the object no longer exists.
	gone = "gone"
)

var (
	orRegions         = []string{"us-east-1", "eu-west-1"}
	memberRuleARN     = regexp.MustCompile(`^arn:aws:config:([a-z0-9-]+):(\d{12}):config-rule/aws-service-rule/config-multiaccountsetup\.amazonaws\.com/(config-rule-[a-z0-9]{6})$`)
	packRuleARN       = regexp.MustCompile(`^arn:aws:config:([a-z0-9-]+):(\d{12}):config-rule/aws-service-rule/config-conforms\.amazonaws\.com/(config-rule-[a-z0-9]{6})$`)
	conformancePackID = regexp.MustCompile(`^conformance-pack-[a-z0-9]{9}$`)
)

// orEnv is an aggregator environment (an organization, accounts with long-term credentials,
// recorders, a manual clock, jobs run by the test) with the helpers of organization rules and
// conformance packs.
type orEnv struct {
	*aggEnv
}

func newOREnv(t *testing.T, backend testserver.Option) *orEnv {
	return &orEnv{newAggEnv(t, backend)}
}

// importInto records native items in (acct, region) through the admin import, as the
// bootstrap account's root, who may import into any existing account. The import is signed at
// the wall clock's time: call it before the test moves the manual clock.
func (e *orEnv) importInto(acct, region string, items ...map[string]any) {
	e.T.Helper()
	for _, it := range items {
		it["configurationItemVersion"] = "1.3"
		it["awsAccountId"] = acct
		it["awsRegion"] = region
		it["configurationItemStatus"] = "OK"
		it["configurationItemCaptureTime"] = e.Clk.Now().UTC().Format(time.RFC3339Nano)
		it["configurationStateId"] = e.Clk.Now().UnixMilli()
	}
	body, err := json.Marshal(map[string]any{"fileVersion": "1.0", "configSnapshotId": "s", "configurationItems": items})
	if err != nil {
		e.T.Fatal(err)
	}
	res := e2etest.DecodeImport(e.T, e2etest.AdminImport(e.T, e.Srv, testserver.AccessKey, testserver.SecretKey, region, "?name=items.json", body))
	if res.Imported != len(items) {
		e.T.Fatalf("import into %s/%s: %+v, want %d items", acct, region, res, len(items))
	}
}

func orTags(tags map[string]string) map[string]string {
	if tags == nil {
		return map[string]string{}
	}
	return tags
}

// orVolume is an attached EBS volume.
func orVolume(id string, encrypted, deleteOnTermination bool, tags map[string]string) map[string]any {
	return map[string]any{"resourceType": "AWS::EC2::Volume", "resourceId": id,
		"configuration": map[string]any{"volumeId": id, "encrypted": encrypted, "state": "in-use", "attachments": []map[string]any{
			{"instanceId": "i-1", "device": "/dev/xvda", "state": "attached", "deleteOnTermination": deleteOnTermination}}},
		"tags": orTags(tags)}
}

// orBucket is an S3 bucket whose versioning is Enabled, Suspended or Off.
func orBucket(name, versioning string, tags map[string]string) map[string]any {
	return map[string]any{"resourceType": "AWS::S3::Bucket", "resourceId": name, "resourceName": name,
		"configuration":              map[string]any{"name": name},
		"supplementaryConfiguration": map[string]any{"BucketVersioningConfiguration": map[string]any{"status": versioning}},
		"tags":                       orTags(tags)}
}

// params decodes a rule's InputParameters.
func params(t *testing.T, s *string) map[string]string {
	t.Helper()
	out := map[string]string{}
	if aws.ToString(s) == "" {
		return out
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(s)), &m); err != nil {
		t.Errorf("InputParameters %q: %v", aws.ToString(s), err)
		return out
	}
	for k, v := range m {
		out[k] = fmt.Sprint(v)
	}
	return out
}

// requiredTagsOrgRule is an organization rule of REQUIRED_TAGS over volumes and buckets.
func requiredTagsOrgRule(name, tagKey string, excluded ...string) *configservice.PutOrganizationConfigRuleInput {
	return &configservice.PutOrganizationConfigRuleInput{
		OrganizationConfigRuleName: aws.String(name),
		OrganizationManagedRuleMetadata: &cfgtypes.OrganizationManagedRuleMetadata{
			RuleIdentifier:     aws.String("REQUIRED_TAGS"),
			Description:        aws.String("Volumes and buckets carry the " + tagKey + " tag."),
			InputParameters:    aws.String(`{"tag1Key":"` + tagKey + `"}`),
			ResourceTypesScope: []string{"AWS::EC2::Volume", "AWS::S3::Bucket"},
		},
		ExcludedAccounts: excluded,
	}
}

// putOrgRule creates or updates an organization rule and returns its ARN.
func (e *orEnv) putOrgRule(cfg *configservice.Client, in *configservice.PutOrganizationConfigRuleInput) string {
	e.T.Helper()
	out, err := cfg.PutOrganizationConfigRule(e.Ctx, in)
	if err != nil {
		e.T.Fatalf("PutOrganizationConfigRule %s: %v", aws.ToString(in.OrganizationConfigRuleName), err)
	}
	return aws.ToString(out.OrganizationConfigRuleArn)
}

func checkOrgRuleARN(t *testing.T, arn, region, owner, name string) {
	t.Helper()
	re := regexp.MustCompile(`^arn:aws:config:` + regexp.QuoteMeta(region) + `:` + owner + `:organization-config-rule/` + regexp.QuoteMeta(name) + `-[a-z0-9]{8}$`)
	if !re.MatchString(arn) {
		t.Errorf("organization rule ARN %q, want arn:aws:config:%s:%s:organization-config-rule/%s-<8 lowercase alphanumerics>", arn, region, owner, name)
	}
}

// orgRuleState reads an organization rule's status as Terraform's waiters do; gone once
// DescribeOrganizationConfigRuleStatuses no longer knows the rule.
func (e *orEnv) orgRuleState(cfg *configservice.Client, name string) string {
	e.T.Helper()
	out, err := cfg.DescribeOrganizationConfigRuleStatuses(e.Ctx, &configservice.DescribeOrganizationConfigRuleStatusesInput{OrganizationConfigRuleNames: []string{name}})
	if e2etest.IsCode(err, "NoSuchOrganizationConfigRuleException") {
		return gone
	}
	if err != nil {
		e.T.Fatalf("DescribeOrganizationConfigRuleStatuses %s: %v", name, err)
	}
	if len(out.OrganizationConfigRuleStatuses) != 1 || aws.ToString(out.OrganizationConfigRuleStatuses[0].OrganizationConfigRuleName) != name {
		e.T.Fatalf("DescribeOrganizationConfigRuleStatuses %s: %+v", name, out.OrganizationConfigRuleStatuses)
	}
	st := out.OrganizationConfigRuleStatuses[0]
	if st.LastUpdateTime == nil {
		e.T.Errorf("status of %s without LastUpdateTime: %+v", name, st)
	}
	return string(st.OrganizationRuleStatus)
}

// waitStates polls a status the way Terraform's waiters do: while it is in progress, the
// background work runs and the status is read again. It returns every status read, a final
// DELETE_SUCCESSFUL counted as gone (Terraform accepts both).
func (e *orEnv) waitStates(read func() string) []string {
	e.T.Helper()
	var seq []string
	for range 5 {
		s := read()
		if s == "DELETE_SUCCESSFUL" {
			s = gone
		}
		seq = append(seq, s)
		if !strings.HasSuffix(s, "_IN_PROGRESS") {
			return seq
		}
		e.RunJobs()
	}
	e.T.Fatalf("still in progress after 5 polls: %v", seq)
	return nil
}

func wantSeq(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: statuses %v, want %v", what, got, want)
	}
}

// ruleDetail reads GetOrganizationConfigRuleDetailedStatus, two per page: account -> row.
func (e *orEnv) ruleDetail(cfg *configservice.Client, name string, f *cfgtypes.StatusDetailFilters) map[string]cfgtypes.MemberAccountStatus {
	e.T.Helper()
	rows := aggPages(e.T, "GetOrganizationConfigRuleDetailedStatus "+name, 2, func(token *string) ([]cfgtypes.MemberAccountStatus, *string, error) {
		out, err := cfg.GetOrganizationConfigRuleDetailedStatus(e.Ctx, &configservice.GetOrganizationConfigRuleDetailedStatusInput{
			OrganizationConfigRuleName: aws.String(name), Filters: f, Limit: 2, NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.OrganizationConfigRuleDetailedStatus, out.NextToken, nil
	})
	out := map[string]cfgtypes.MemberAccountStatus{}
	for _, r := range rows {
		acct := aws.ToString(r.AccountId)
		if _, dup := out[acct]; dup {
			e.T.Errorf("detailed status of %s: account %s twice", name, acct)
		}
		if r.LastUpdateTime == nil {
			e.T.Errorf("detailed status of %s: row without LastUpdateTime %+v", name, r)
		}
		out[acct] = r
	}
	return out
}

// ruleDetailStatus is ruleDetail as account -> status.
func (e *orEnv) ruleDetailStatus(cfg *configservice.Client, name string) map[string]string {
	e.T.Helper()
	out := map[string]string{}
	for acct, r := range e.ruleDetail(cfg, name, nil) {
		out[acct] = string(r.MemberAccountRuleStatus)
	}
	return out
}

// allIn maps every account to status.
func allIn(status string, accounts ...aggAccount) map[string]string {
	out := map[string]string{}
	for _, a := range accounts {
		out[a.id] = status
	}
	return out
}

func wantMap(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s:\n got %v\nwant %v", what, got, want)
	}
}

// configRules lists an (account, region)'s rules, name -> rule, whose name starts with prefix.
func (e *orEnv) configRules(cfg *configservice.Client, prefix string) map[string]cfgtypes.ConfigRule {
	e.T.Helper()
	out := map[string]cfgtypes.ConfigRule{}
	p := configservice.NewDescribeConfigRulesPaginator(cfg, &configservice.DescribeConfigRulesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(e.Ctx)
		if err != nil {
			e.T.Fatalf("DescribeConfigRules: %v", err)
		}
		for _, r := range page.ConfigRules {
			if strings.HasPrefix(aws.ToString(r.ConfigRuleName), prefix) {
				out[aws.ToString(r.ConfigRuleName)] = r
			}
		}
	}
	return out
}

// memberRule returns the one member rule an organization rule deployed to cfg's (account,
// region), or nil when there is none.
func (e *orEnv) memberRule(cfg *configservice.Client, orgRule string) *cfgtypes.ConfigRule {
	e.T.Helper()
	rules := e.configRules(cfg, "OrgConfigRule-"+orgRule+"-")
	if len(rules) > 1 {
		e.T.Errorf("%d member rules of %s: %v", len(rules), orgRule, slices.Sorted(maps.Keys(rules)))
	}
	for _, r := range rules {
		return &r
	}
	return nil
}

// checkMemberRule asserts the identity of the rule an organization rule deployed to (acct,
// region).
func checkMemberRule(t *testing.T, r *cfgtypes.ConfigRule, acct, region, orgRule string) {
	t.Helper()
	if r == nil {
		t.Errorf("%s/%s has no member rule of %s", acct, region, orgRule)
		return
	}
	if !regexp.MustCompile(`^OrgConfigRule-` + regexp.QuoteMeta(orgRule) + `-[a-z0-9]{8}$`).MatchString(aws.ToString(r.ConfigRuleName)) {
		t.Errorf("member rule name %q, want OrgConfigRule-%s-<8 lowercase alphanumerics>", aws.ToString(r.ConfigRuleName), orgRule)
	}
	m := memberRuleARN.FindStringSubmatch(aws.ToString(r.ConfigRuleArn))
	if m == nil || m[1] != region || m[2] != acct || m[3] != aws.ToString(r.ConfigRuleId) {
		t.Errorf("member rule %s: ARN %q, ID %q, want arn:aws:config:%s:%s:config-rule/aws-service-rule/%s/<ID>",
			aws.ToString(r.ConfigRuleName), aws.ToString(r.ConfigRuleArn), aws.ToString(r.ConfigRuleId), region, acct, multiSetupPrincipal)
	}
	if aws.ToString(r.CreatedBy) != multiSetupPrincipal || r.ConfigRuleState != cfgtypes.ConfigRuleStateActive {
		t.Errorf("member rule %s: CreatedBy %q, state %s", aws.ToString(r.ConfigRuleName), aws.ToString(r.CreatedBy), r.ConfigRuleState)
	}
}

// ruleResults returns resource ID -> compliance of a rule's results in cfg's (account, region).
func (e *orEnv) ruleResults(cfg *configservice.Client, rule string) map[string]string {
	e.T.Helper()
	out := map[string]string{}
	p := configservice.NewGetComplianceDetailsByConfigRulePaginator(cfg, &configservice.GetComplianceDetailsByConfigRuleInput{ConfigRuleName: aws.String(rule), Limit: 2})
	for p.HasMorePages() {
		page, err := p.NextPage(e.Ctx)
		if err != nil {
			e.T.Fatalf("GetComplianceDetailsByConfigRule %s: %v", rule, err)
		}
		for _, r := range page.EvaluationResults {
			out[aws.ToString(r.EvaluationResultIdentifier.EvaluationResultQualifier.ResourceId)] = string(r.ComplianceType)
		}
	}
	return out
}

// noRule asserts that cfg's (account, region) has no rule named name.
func (e *orEnv) noRule(cfg *configservice.Client, what, name string) {
	e.T.Helper()
	_, err := cfg.DescribeConfigRules(e.Ctx, &configservice.DescribeConfigRulesInput{ConfigRuleNames: []string{name}})
	if !e2etest.IsCode(err, "NoSuchConfigRuleException") {
		e.T.Errorf("%s: DescribeConfigRules %s: %v, want NoSuchConfigRuleException", what, name, err)
	}
}

// serviceAccess reports whether the organization lists trusted access for principal.
func (e *orEnv) serviceAccess(principal string) bool {
	e.T.Helper()
	sps := aggPages(e.T, "ListAWSServiceAccessForOrganization", 0, func(token *string) ([]orgtypes.EnabledServicePrincipal, *string, error) {
		out, err := e.Org.ListAWSServiceAccessForOrganization(e.Ctx, &organizations.ListAWSServiceAccessForOrganizationInput{NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.EnabledServicePrincipals, out.NextToken, nil
	})
	return slices.ContainsFunc(sps, func(sp orgtypes.EnabledServicePrincipal) bool { return aws.ToString(sp.ServicePrincipal) == principal })
}

// rawConfig calls an AWS Config operation as a's user with a JSON body, signed at the server's
// clock, and returns the answer's body: what the SDK's types cannot show (absent members).
func (e *orEnv) rawConfig(a aggAccount, region, op string, in any) []byte {
	e.T.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		e.T.Fatal(err)
	}
	req, err := http.NewRequestWithContext(e.Ctx, http.MethodPost, e.Srv.Endpoint+"/", bytes.NewReader(body))
	if err != nil {
		e.T.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "StarlingDoveService."+op)
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Content-Sha256", hash)
	if err := v4.NewSigner().SignHTTP(e.Ctx, aws.Credentials{AccessKeyID: a.akid, SecretAccessKey: a.secret}, req, hash, "config", region, e.Clk.Now()); err != nil {
		e.T.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.T.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		e.T.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		e.T.Fatalf("%s: HTTP %d: %s", op, resp.StatusCode, out)
	}
	return out
}

// testOrgRuleAcrossAccounts is the whole organization-rule scenario end to end: an organization
// of a management account and five members recording in two regions, a REQUIRED_TAGS
// organization rule in both regions with one member excluded, its results per account through
// an organization aggregator, an account joining and one leaving, an update and the deletion.
func testOrgRuleAcrossAccounts(t *testing.T, backend testserver.Option) {
	e := newOREnv(t, backend)
	ctx := e.Ctx
	e.CreateOrg(orgtypes.OrganizationFeatureSetAll)
	mgmt := e.mgmt()
	accounts := []aggAccount{mgmt}
	for i := 1; i <= 5; i++ {
		accounts = append(accounts, e.memberAdmin(e.CreateAccount(fmt.Sprintf("member-%d", i), fmt.Sprintf("member-%d@example.com", i))))
	}
	m1, m2, m4, excluded := accounts[1], accounts[2], accounts[4], accounts[5]
	targets := slices.Clone(accounts[:5])
	// The management account and m1 tag everything with team; the others leave a bucket
	// without it.
	tagged := func(a aggAccount) bool { return a.id == mgmt.id || a.id == m1.id }
	volID := func(a aggAccount, region string) string { return "vol-" + a.id + "-" + region }
	bucketID := func(a aggAccount, region string) string { return "bucket-" + a.id + "-" + region }
	for _, a := range accounts {
		for _, region := range orRegions {
			e.recordIn(a, region)
			bucketTags := map[string]string{"team": "platform"}
			if !tagged(a) {
				bucketTags = map[string]string{"owner": "nobody"}
			}
			e.importInto(a.id, region,
				orVolume(volID(a, region), true, true, map[string]string{"team": "platform"}),
				orBucket(bucketID(a, region), "Enabled", bucketTags))
		}
	}

	// The organization aggregator of the management account, over both regions.
	cfg := e.config(mgmt, "us-east-1")
	e.mustPutAgg(cfg, orgAggregatorInput("organization", e.aggregatorRole(mgmt, "ConfigAggregatorRole", configPrincipal, true), orRegions...))
	e.RunJobs()
	if e.serviceAccess(multiSetupPrincipal) {
		t.Fatal("trusted access for config-multiaccountsetup.amazonaws.com is enabled before any organization rule")
	}

	// The organization rule, in both regions (organization rules are regional): in progress
	// until the deployment jobs run.
	arns := map[string]string{}
	for _, region := range orRegions {
		rc := e.config(mgmt, region)
		arns[region] = e.putOrgRule(rc, requiredTagsOrgRule("required-tags", "team", excluded.id))
		checkOrgRuleARN(t, arns[region], region, mgmt.id, "required-tags")
		if got := e.orgRuleState(rc, "required-tags"); got != "CREATE_IN_PROGRESS" {
			t.Errorf("%s: status %s before the deployment ran, want CREATE_IN_PROGRESS", region, got)
		}
	}
	if arns["us-east-1"] == arns["eu-west-1"] {
		t.Errorf("the rules of both regions share the ARN %s", arns["us-east-1"])
	}
	if !e.serviceAccess(multiSetupPrincipal) {
		t.Error("the management account's first PutOrganizationConfigRule did not enable trusted access for config-multiaccountsetup.amazonaws.com")
	}
	e.RunJobs()

	// Every account but the excluded one, the management account included, has the rule in
	// both regions.
	memberNames := map[string]map[string]string{} // region -> account -> member rule
	for _, region := range orRegions {
		rc := e.config(mgmt, region)
		if got := e.orgRuleState(rc, "required-tags"); got != "CREATE_SUCCESSFUL" {
			t.Errorf("%s: status %s after the deployment, want CREATE_SUCCESSFUL", region, got)
		}
		detail := e.ruleDetail(rc, "required-tags", nil)
		memberNames[region] = map[string]string{}
		got := map[string]string{}
		for acct, r := range detail {
			got[acct] = string(r.MemberAccountRuleStatus)
			memberNames[region][acct] = aws.ToString(r.ConfigRuleName)
		}
		wantMap(t, region+": detailed status", got, allIn("CREATE_SUCCESSFUL", targets...))
		for _, a := range accounts {
			r := e.memberRule(e.config(a, region), "required-tags")
			if a.id == excluded.id {
				if r != nil {
					t.Errorf("%s: the excluded account has the member rule %s", region, aws.ToString(r.ConfigRuleName))
				}
				continue
			}
			checkMemberRule(t, r, a.id, region, "required-tags")
			if r == nil {
				continue
			}
			if aws.ToString(r.ConfigRuleName) != memberNames[region][a.id] {
				t.Errorf("%s/%s: member rule %s, the detailed status says %s", a.id, region, aws.ToString(r.ConfigRuleName), memberNames[region][a.id])
			}
			if r.Source == nil || r.Source.Owner != cfgtypes.OwnerAws || aws.ToString(r.Source.SourceIdentifier) != "REQUIRED_TAGS" ||
				params(t, r.InputParameters)["tag1Key"] != "team" || r.Scope == nil ||
				!sameSet(r.Scope.ComplianceResourceTypes, []string{"AWS::EC2::Volume", "AWS::S3::Bucket"}) {
				t.Errorf("%s/%s: member rule %+v (source %+v, scope %+v)", a.id, region, r, r.Source, r.Scope)
			}
		}
	}
	desc, err := cfg.DescribeOrganizationConfigRules(ctx, &configservice.DescribeOrganizationConfigRulesInput{OrganizationConfigRuleNames: []string{"required-tags"}})
	if err != nil || len(desc.OrganizationConfigRules) != 1 {
		t.Fatalf("DescribeOrganizationConfigRules: %v %+v", err, desc)
	}
	if r := desc.OrganizationConfigRules[0]; aws.ToString(r.OrganizationConfigRuleArn) != arns["us-east-1"] || !slices.Equal(r.ExcludedAccounts, []string{excluded.id}) ||
		r.LastUpdateTime == nil || r.OrganizationCustomRuleMetadata != nil || r.OrganizationCustomPolicyRuleMetadata != nil ||
		r.OrganizationManagedRuleMetadata == nil || aws.ToString(r.OrganizationManagedRuleMetadata.RuleIdentifier) != "REQUIRED_TAGS" ||
		params(t, r.OrganizationManagedRuleMetadata.InputParameters)["tag1Key"] != "team" ||
		!sameSet(r.OrganizationManagedRuleMetadata.ResourceTypesScope, []string{"AWS::EC2::Volume", "AWS::S3::Bucket"}) {
		t.Errorf("DescribeOrganizationConfigRules: %+v (managed %+v)", r, r.OrganizationManagedRuleMetadata)
	}

	// The members' rules evaluated the members' items.
	for _, a := range targets {
		for _, region := range orRegions {
			want := map[string]string{volID(a, region): "COMPLIANT", bucketID(a, region): "COMPLIANT"}
			if !tagged(a) {
				want[bucketID(a, region)] = "NON_COMPLIANT"
			}
			e2etest.WantResults(t, a.id+"/"+region, e.ruleResults(e.config(a, region), memberNames[region][a.id]), want)
		}
	}

	// The aggregator sees one row per (member rule, account, region), none of the excluded
	// account; the summary by account counts each account's rule.
	rows := e.aggRuleRows(cfg, "organization", nil)
	if len(rows) != len(targets)*len(orRegions) {
		t.Errorf("DescribeAggregateComplianceByConfigRules: %d rows, want %d", len(rows), len(targets)*len(orRegions))
	}
	for _, a := range targets {
		for _, region := range orRegions {
			r, ok := rows[memberNames[region][a.id]+"/"+a.id+"/"+region]
			switch {
			case !ok || r.Compliance == nil:
				t.Errorf("no aggregate compliance row for %s/%s", a.id, region)
			case tagged(a) && r.Compliance.ComplianceType != cfgtypes.ComplianceTypeCompliant:
				t.Errorf("%s/%s: %s, want COMPLIANT", a.id, region, r.Compliance.ComplianceType)
			case !tagged(a) && (r.Compliance.ComplianceType != cfgtypes.ComplianceTypeNonCompliant || capped(r.Compliance.ComplianceContributorCount) != 1):
				t.Errorf("%s/%s: %+v, want NON_COMPLIANT with one resource", a.id, region, r.Compliance)
			}
		}
	}
	if n := len(e.aggRuleRows(cfg, "organization", &cfgtypes.ConfigRuleComplianceFilters{AccountId: aws.String(excluded.id)})); n != 0 {
		t.Errorf("%d aggregate compliance rows of the excluded account", n)
	}
	if n := len(e.aggRuleRows(cfg, "organization", &cfgtypes.ConfigRuleComplianceFilters{ComplianceType: cfgtypes.ComplianceTypeNonCompliant})); n != 6 {
		t.Errorf("NON_COMPLIANT aggregate rows: %d, want 6 (three accounts, two regions)", n)
	}
	wantByAccount := map[string]string{}
	for _, a := range targets {
		wantByAccount[a.id] = "0/1"
		if tagged(a) {
			wantByAccount[a.id] = "1/0"
		}
	}
	for _, region := range orRegions {
		got := e.aggSummary(cfg, "organization", cfgtypes.ConfigRuleComplianceSummaryGroupKeyAccountId, &cfgtypes.ConfigRuleComplianceSummaryFilters{AwsRegion: aws.String(region)})
		// The excluded account has no rule: whether it shows as an empty group is not
		// documented; it may, with nothing counted.
		if got[excluded.id] == "0/0" {
			delete(got, excluded.id)
		}
		wantMap(t, "aggregate rule compliance by account in "+region, got, wantByAccount)
	}

	// A member may read and evaluate its copy, not change or delete it.
	mc := e.config(m2, "us-east-1")
	copyName := memberNames["us-east-1"][m2.id]
	_, err = mc.DeleteConfigRule(ctx, &configservice.DeleteConfigRuleInput{ConfigRuleName: aws.String(copyName)})
	if ae := e2etest.APIError(t, err, "AccessDeniedException", 400); ae.ErrorMessage() != serviceOwnedMessage {
		t.Errorf("DeleteConfigRule of the member rule: %q, want %q", ae.ErrorMessage(), serviceOwnedMessage)
	}
	changed := e2etest.ManagedRule(copyName, "REQUIRED_TAGS", `{"tag1Key":"mine"}`)
	_, err = mc.PutConfigRule(ctx, &configservice.PutConfigRuleInput{ConfigRule: &changed})
	if ae := e2etest.APIError(t, err, "AccessDeniedException", 400); ae.ErrorMessage() != serviceOwnedMessage {
		t.Errorf("PutConfigRule of the member rule: %q, want %q", ae.ErrorMessage(), serviceOwnedMessage)
	}
	if r := e.memberRule(mc, "required-tags"); r == nil || params(t, r.InputParameters)["tag1Key"] != "team" {
		t.Errorf("the member rule after the refused calls: %+v", r)
	}
	if _, err := mc.StartConfigRulesEvaluation(ctx, &configservice.StartConfigRulesEvaluationInput{ConfigRuleNames: []string{copyName}}); err != nil {
		t.Errorf("StartConfigRulesEvaluation of the member rule: %v", err)
	}
	e.RunJobs()

	// An account joins. It has no recorder when its deployment first runs; once it records,
	// Config's retries (AWS Config retries the deployment to a new member without a recorder for
	// up to 7 hours, then marks it failed) deploy the rule there: an hour later it has it.
	m6 := e.memberAdmin(e.CreateAccount("member-6", "member-6@example.com"))
	for _, region := range orRegions {
		r, ok := e.ruleDetail(e.config(mgmt, region), "required-tags", nil)[m6.id]
		switch {
		case !ok:
			t.Errorf("%s: the joined account is not in the detailed status", region)
		case r.MemberAccountRuleStatus == cfgtypes.MemberAccountRuleStatusCreateFailed && aws.ToString(r.ErrorCode) != "NoAvailableConfigurationRecorderException":
			t.Errorf("%s: the joined account without a recorder: %+v, want ErrorCode NoAvailableConfigurationRecorderException", region, r)
		case r.MemberAccountRuleStatus != cfgtypes.MemberAccountRuleStatusCreateFailed && r.MemberAccountRuleStatus != cfgtypes.MemberAccountRuleStatusCreateInProgress:
			t.Errorf("%s: the joined account without a recorder: %s, want CREATE_IN_PROGRESS or CREATE_FAILED", region, r.MemberAccountRuleStatus)
		}
		e.recordIn(m6, region)
		e.importInto(m6.id, region, orVolume(volID(m6, region), true, true, nil))
	}
	e.advance(time.Hour)
	targets = append(targets, m6)
	for _, region := range orRegions {
		rc := e.config(mgmt, region)
		wantMap(t, region+": detailed status after the account joined", e.ruleDetailStatus(rc, "required-tags"), allIn("CREATE_SUCCESSFUL", targets...))
		if got := e.orgRuleState(rc, "required-tags"); got != "CREATE_SUCCESSFUL" {
			t.Errorf("%s: status %s after the account joined, want CREATE_SUCCESSFUL", region, got)
		}
		r := e.memberRule(e.config(m6, region), "required-tags")
		checkMemberRule(t, r, m6.id, region, "required-tags")
		if r != nil {
			e2etest.WantResults(t, "the joined account in "+region, e.ruleResults(e.config(m6, region), aws.ToString(r.ConfigRuleName)),
				map[string]string{volID(m6, region): "NON_COMPLIANT"})
			if d := e.ruleDetail(rc, "required-tags", nil)[m6.id]; aws.ToString(d.ConfigRuleName) != aws.ToString(r.ConfigRuleName) {
				t.Errorf("%s: the detailed status names %s for the joined account, which has %s", region, aws.ToString(d.ConfigRuleName), aws.ToString(r.ConfigRuleName))
			}
		}
	}

	// An account leaves: it loses its member rules and leaves the detailed status.
	if _, err := e.Org.RemoveAccountFromOrganization(ctx, &organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(m4.id)}); err != nil {
		t.Fatalf("RemoveAccountFromOrganization: %v", err)
	}
	e.RunJobs()
	targets = slices.DeleteFunc(targets, func(a aggAccount) bool { return a.id == m4.id })
	for _, region := range orRegions {
		rc := e.config(mgmt, region)
		e.noRule(e.config(m4, region), "the account that left, "+region, memberNames[region][m4.id])
		wantMap(t, region+": detailed status after the account left", e.ruleDetailStatus(rc, "required-tags"), allIn("CREATE_SUCCESSFUL", targets...))
		if got := e.orgRuleState(rc, "required-tags"); got != "CREATE_SUCCESSFUL" {
			t.Errorf("%s: status %s after the account left, want CREATE_SUCCESSFUL", region, got)
		}
	}

	// An update in us-east-1: UPDATE_IN_PROGRESS, then UPDATE_SUCCESSFUL; the same member
	// rules take the new parameters; eu-west-1 is untouched.
	for _, a := range targets {
		if r := e.memberRule(e.config(a, "us-east-1"), "required-tags"); r != nil {
			memberNames["us-east-1"][a.id] = aws.ToString(r.ConfigRuleName)
		}
	}
	if got := e.putOrgRule(cfg, requiredTagsOrgRule("required-tags", "owner", excluded.id)); got != arns["us-east-1"] {
		t.Errorf("the update changed the ARN: %s, was %s", got, arns["us-east-1"])
	}
	if got := e.orgRuleState(cfg, "required-tags"); got != "UPDATE_IN_PROGRESS" {
		t.Errorf("status %s after the update, want UPDATE_IN_PROGRESS", got)
	}
	e.RunJobs()
	if got := e.orgRuleState(cfg, "required-tags"); got != "UPDATE_SUCCESSFUL" {
		t.Errorf("status %s after the update ran, want UPDATE_SUCCESSFUL", got)
	}
	detail := e.ruleDetail(cfg, "required-tags", nil)
	got := map[string]string{}
	for acct, r := range detail {
		got[acct] = string(r.MemberAccountRuleStatus)
	}
	wantMap(t, "detailed status after the update", got, allIn("UPDATE_SUCCESSFUL", targets...))
	for _, a := range targets {
		r := e.memberRule(e.config(a, "us-east-1"), "required-tags")
		checkMemberRule(t, r, a.id, "us-east-1", "required-tags")
		if r == nil {
			continue
		}
		if aws.ToString(r.ConfigRuleName) != memberNames["us-east-1"][a.id] || aws.ToString(detail[a.id].ConfigRuleName) != aws.ToString(r.ConfigRuleName) {
			t.Errorf("%s: member rule %s after the update, was %s (detailed status: %s)", a.id, aws.ToString(r.ConfigRuleName), memberNames["us-east-1"][a.id], aws.ToString(detail[a.id].ConfigRuleName))
		}
		if p := params(t, r.InputParameters); p["tag1Key"] != "owner" {
			t.Errorf("%s: member rule parameters %v after the update, want tag1Key owner", a.id, p)
		}
		if r := e.memberRule(e.config(a, "eu-west-1"), "required-tags"); r == nil || params(t, r.InputParameters)["tag1Key"] != "team" {
			t.Errorf("%s: the eu-west-1 member rule changed with the us-east-1 update: %+v", a.id, r)
		}
	}
	if r := e.memberRule(e.config(excluded, "us-east-1"), "required-tags"); r != nil {
		t.Errorf("the excluded account got the member rule with the update: %s", aws.ToString(r.ConfigRuleName))
	}
	if got := e.orgRuleState(e.config(mgmt, "eu-west-1"), "required-tags"); got != "CREATE_SUCCESSFUL" {
		t.Errorf("eu-west-1: status %s after the us-east-1 update, want CREATE_SUCCESSFUL", got)
	}

	// The deletion in us-east-1: DELETE_IN_PROGRESS, then gone, with the member rules.
	if _, err := cfg.DeleteOrganizationConfigRule(ctx, &configservice.DeleteOrganizationConfigRuleInput{OrganizationConfigRuleName: aws.String("required-tags")}); err != nil {
		t.Fatalf("DeleteOrganizationConfigRule: %v", err)
	}
	if got := e.orgRuleState(cfg, "required-tags"); got != "DELETE_IN_PROGRESS" {
		t.Errorf("status %s after the deletion, want DELETE_IN_PROGRESS", got)
	}
	e.RunJobs()
	_, err = cfg.DescribeOrganizationConfigRules(ctx, &configservice.DescribeOrganizationConfigRulesInput{OrganizationConfigRuleNames: []string{"required-tags"}})
	e2etest.APIError(t, err, "NoSuchOrganizationConfigRuleException", 400)
	if all, err := cfg.DescribeOrganizationConfigRules(ctx, &configservice.DescribeOrganizationConfigRulesInput{}); err != nil || len(all.OrganizationConfigRules) != 0 {
		t.Errorf("DescribeOrganizationConfigRules after the deletion: %v %+v", err, all)
	}
	for _, a := range targets {
		e.noRule(e.config(a, "us-east-1"), a.id+" after the deletion", memberNames["us-east-1"][a.id])
		checkMemberRule(t, e.memberRule(e.config(a, "eu-west-1"), "required-tags"), a.id, "eu-west-1", "required-tags")
	}
	if got := e.orgRuleState(e.config(mgmt, "eu-west-1"), "required-tags"); got != "CREATE_SUCCESSFUL" {
		t.Errorf("eu-west-1: status %s after the us-east-1 deletion, want CREATE_SUCCESSFUL", got)
	}
}

// testOrgRuleStatusWaitersAndErrors: the status sequences Terraform's waiters poll for, a
// member without a recorder, who may call the organization APIs and who sees what, malformed
// requests and unknown names, and a custom policy organization rule.
func testOrgRuleStatusWaitersAndErrors(t *testing.T, backend testserver.Option) {
	e := newOREnv(t, backend)
	ctx := e.Ctx
	e.CreateOrg(orgtypes.OrganizationFeatureSetAll)
	mgmt := e.mgmt()
	recorded := e.memberAdmin(e.CreateAccount("recorded", "recorded@example.com"))
	bare := e.memberAdmin(e.CreateAccount("bare", "bare@example.com")) // records nothing
	delegate := e.memberAdmin(e.CreateAccount("delegate", "delegate@example.com"))
	other := e.memberAdmin(e.CreateAccount("other", "other@example.com"))
	outsider := e.standaloneAccount("outsider")
	withRecorder := []aggAccount{mgmt, recorded, delegate, other}
	for _, a := range withRecorder {
		e.recordIn(a, "us-east-1")
	}
	cfg := e.config(mgmt, "us-east-1")

	// Create, as Terraform waits for it; a deletion is refused while the creation runs.
	checkOrgRuleARN(t, e.putOrgRule(cfg, requiredTagsOrgRule("waited", "team", bare.id)), "us-east-1", mgmt.id, "waited")
	if !e.serviceAccess(multiSetupPrincipal) {
		t.Error("the management account's first PutOrganizationConfigRule did not enable trusted access for config-multiaccountsetup.amazonaws.com")
	}
	_, err := cfg.DeleteOrganizationConfigRule(ctx, &configservice.DeleteOrganizationConfigRuleInput{OrganizationConfigRuleName: aws.String("waited")})
	e2etest.APIError(t, err, "ResourceInUseException", 400)
	wantSeq(t, "create", e.waitStates(func() string { return e.orgRuleState(cfg, "waited") }), "CREATE_IN_PROGRESS", "CREATE_SUCCESSFUL")
	wantMap(t, "detailed status after the creation", e.ruleDetailStatus(cfg, "waited"), allIn("CREATE_SUCCESSFUL", withRecorder...))

	// Update.
	e.putOrgRule(cfg, requiredTagsOrgRule("waited", "owner", bare.id))
	wantSeq(t, "update", e.waitStates(func() string { return e.orgRuleState(cfg, "waited") }), "UPDATE_IN_PROGRESS", "UPDATE_SUCCESSFUL")
	wantMap(t, "detailed status after the update", e.ruleDetailStatus(cfg, "waited"), allIn("UPDATE_SUCCESSFUL", withRecorder...))

	// Delete; a Put is refused while the deletion runs.
	if _, err := cfg.DeleteOrganizationConfigRule(ctx, &configservice.DeleteOrganizationConfigRuleInput{OrganizationConfigRuleName: aws.String("waited")}); err != nil {
		t.Fatalf("DeleteOrganizationConfigRule: %v", err)
	}
	_, err = cfg.PutOrganizationConfigRule(ctx, requiredTagsOrgRule("waited", "team"))
	e2etest.APIError(t, err, "ResourceInUseException", 400)
	wantSeq(t, "delete", e.waitStates(func() string { return e.orgRuleState(cfg, "waited") }), "DELETE_IN_PROGRESS", gone)
	_, err = cfg.DescribeOrganizationConfigRules(ctx, &configservice.DescribeOrganizationConfigRulesInput{OrganizationConfigRuleNames: []string{"waited"}})
	e2etest.APIError(t, err, "NoSuchOrganizationConfigRuleException", 400)
	for _, a := range withRecorder {
		if r := e.memberRule(e.config(a, "us-east-1"), "waited"); r != nil {
			t.Errorf("%s keeps the member rule %s after the deletion", a.id, aws.ToString(r.ConfigRuleName))
		}
	}

	// A member without a recorder fails, and so does the organization rule.
	e.putOrgRule(cfg, requiredTagsOrgRule("needs-recorders", "team"))
	wantSeq(t, "create with a member without a recorder", e.waitStates(func() string { return e.orgRuleState(cfg, "needs-recorders") }), "CREATE_IN_PROGRESS", "CREATE_FAILED")
	want := allIn("CREATE_SUCCESSFUL", withRecorder...)
	want[bare.id] = "CREATE_FAILED"
	wantMap(t, "detailed status with a member without a recorder", e.ruleDetailStatus(cfg, "needs-recorders"), want)
	failedRows := e.ruleDetail(cfg, "needs-recorders", &cfgtypes.StatusDetailFilters{MemberAccountRuleStatus: cfgtypes.MemberAccountRuleStatusCreateFailed})
	if r, ok := failedRows[bare.id]; len(failedRows) != 1 || !ok || aws.ToString(r.ErrorCode) != "NoAvailableConfigurationRecorderException" || aws.ToString(r.ErrorMessage) == "" {
		t.Errorf("CREATE_FAILED rows: %+v, want the account without a recorder with ErrorCode NoAvailableConfigurationRecorderException", failedRows)
	}
	if rows := e.ruleDetail(cfg, "needs-recorders", &cfgtypes.StatusDetailFilters{AccountId: aws.String(recorded.id)}); len(rows) != 1 ||
		rows[recorded.id].MemberAccountRuleStatus != cfgtypes.MemberAccountRuleStatusCreateSuccessful {
		t.Errorf("detailed status of one account: %+v", rows)
	}
	if r := e.memberRule(e.config(bare, "us-east-1"), "needs-recorders"); r != nil {
		t.Errorf("the account without a recorder has the member rule %s", aws.ToString(r.ConfigRuleName))
	}
	checkMemberRule(t, e.memberRule(e.config(recorded, "us-east-1"), "needs-recorders"), recorded.id, "us-east-1", "needs-recorders")

	// Callers: a member that is no delegated administrator, and an account in no
	// organization, may call none of the organization APIs.
	oc := e.config(other, "us-east-1")
	_, err = oc.PutOrganizationConfigRule(ctx, requiredTagsOrgRule("mine", "team"))
	e2etest.APIError(t, err, "OrganizationAccessDeniedException", 400)
	_, err = oc.DescribeOrganizationConfigRules(ctx, &configservice.DescribeOrganizationConfigRulesInput{})
	e2etest.APIError(t, err, "OrganizationAccessDeniedException", 400)
	_, err = oc.DescribeOrganizationConfigRuleStatuses(ctx, &configservice.DescribeOrganizationConfigRuleStatusesInput{})
	e2etest.APIError(t, err, "OrganizationAccessDeniedException", 400)
	_, err = oc.GetOrganizationConfigRuleDetailedStatus(ctx, &configservice.GetOrganizationConfigRuleDetailedStatusInput{OrganizationConfigRuleName: aws.String("needs-recorders")})
	e2etest.APIError(t, err, "OrganizationAccessDeniedException", 400)
	_, err = oc.DeleteOrganizationConfigRule(ctx, &configservice.DeleteOrganizationConfigRuleInput{OrganizationConfigRuleName: aws.String("needs-recorders")})
	e2etest.APIError(t, err, "OrganizationAccessDeniedException", 400)
	_, err = e.config(outsider, "us-east-1").PutOrganizationConfigRule(ctx, requiredTagsOrgRule("mine", "team"))
	if ae := e2etest.APIError(t, err, "OrganizationAccessDeniedException", 400); !strings.Contains(ae.ErrorMessage(), "This action can only be made by accounts in an AWS Organization") {
		t.Errorf("message for an account in no organization: %q", ae.ErrorMessage())
	}

	// A delegated administrator for config-multiaccountsetup.amazonaws.com makes its own
	// organization rules, deployed to the whole organization.
	dc := e.config(delegate, "us-east-1")
	_, err = dc.PutOrganizationConfigRule(ctx, requiredTagsOrgRule("delegated", "team", bare.id))
	e2etest.APIError(t, err, "OrganizationAccessDeniedException", 400)
	if _, err := e.Org.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{
		AccountId: aws.String(delegate.id), ServicePrincipal: aws.String(multiSetupPrincipal)}); err != nil {
		t.Fatalf("RegisterDelegatedAdministrator: %v", err)
	}
	checkOrgRuleARN(t, e.putOrgRule(dc, requiredTagsOrgRule("delegated", "team", bare.id)), "us-east-1", delegate.id, "delegated")
	wantSeq(t, "the delegate's rule", e.waitStates(func() string { return e.orgRuleState(dc, "delegated") }), "CREATE_IN_PROGRESS", "CREATE_SUCCESSFUL")
	wantMap(t, "detailed status of the delegate's rule", e.ruleDetailStatus(dc, "delegated"), allIn("CREATE_SUCCESSFUL", withRecorder...))
	for _, a := range withRecorder {
		checkMemberRule(t, e.memberRule(e.config(a, "us-east-1"), "delegated"), a.id, "us-east-1", "delegated")
	}

	// Neither sees the other's rules.
	names := func(c *configservice.Client) []string {
		out, err := c.DescribeOrganizationConfigRules(ctx, &configservice.DescribeOrganizationConfigRulesInput{})
		if err != nil {
			t.Fatalf("DescribeOrganizationConfigRules: %v", err)
		}
		var ns []string
		for _, r := range out.OrganizationConfigRules {
			ns = append(ns, aws.ToString(r.OrganizationConfigRuleName))
		}
		slices.Sort(ns)
		return ns
	}
	statusNames := func(c *configservice.Client) []string {
		out, err := c.DescribeOrganizationConfigRuleStatuses(ctx, &configservice.DescribeOrganizationConfigRuleStatusesInput{})
		if err != nil {
			t.Fatalf("DescribeOrganizationConfigRuleStatuses: %v", err)
		}
		var ns []string
		for _, s := range out.OrganizationConfigRuleStatuses {
			ns = append(ns, aws.ToString(s.OrganizationConfigRuleName))
		}
		slices.Sort(ns)
		return ns
	}
	if got := names(cfg); !slices.Equal(got, []string{"needs-recorders"}) {
		t.Errorf("the management account's rules: %v, want [needs-recorders]", got)
	}
	if got := names(dc); !slices.Equal(got, []string{"delegated"}) {
		t.Errorf("the delegate's rules: %v, want [delegated]", got)
	}
	if got := statusNames(cfg); !slices.Equal(got, []string{"needs-recorders"}) {
		t.Errorf("the management account's statuses: %v, want [needs-recorders]", got)
	}
	if got := statusNames(dc); !slices.Equal(got, []string{"delegated"}) {
		t.Errorf("the delegate's statuses: %v, want [delegated]", got)
	}
	_, err = cfg.DescribeOrganizationConfigRules(ctx, &configservice.DescribeOrganizationConfigRulesInput{OrganizationConfigRuleNames: []string{"delegated"}})
	e2etest.APIError(t, err, "NoSuchOrganizationConfigRuleException", 400)
	_, err = dc.DescribeOrganizationConfigRules(ctx, &configservice.DescribeOrganizationConfigRulesInput{OrganizationConfigRuleNames: []string{"needs-recorders"}})
	e2etest.APIError(t, err, "NoSuchOrganizationConfigRuleException", 400)

	// Exactly one metadata object.
	for what, in := range map[string]*configservice.PutOrganizationConfigRuleInput{
		"no metadata": {OrganizationConfigRuleName: aws.String("bad")},
		"two metadata": {OrganizationConfigRuleName: aws.String("bad"),
			OrganizationManagedRuleMetadata: requiredTagsOrgRule("bad", "team").OrganizationManagedRuleMetadata,
			OrganizationCustomPolicyRuleMetadata: &cfgtypes.OrganizationCustomPolicyRuleMetadata{PolicyRuntime: aws.String("guard-2.x.x"), PolicyText: aws.String(e2etest.GuardPolicy),
				OrganizationConfigRuleTriggerTypes: []cfgtypes.OrganizationConfigRuleTriggerTypeNoSN{cfgtypes.OrganizationConfigRuleTriggerTypeNoSNConfigurationItemChangeNotification}}},
	} {
		_, err := cfg.PutOrganizationConfigRule(ctx, in)
		if !e2etest.IsCode(err, "InvalidParameterValueException") {
			t.Errorf("%s: %v, want InvalidParameterValueException", what, err)
		}
	}
	if got := names(cfg); !slices.Equal(got, []string{"needs-recorders"}) {
		t.Errorf("the management account's rules after refused Puts: %v", got)
	}

	// Unknown names.
	nope := aws.String("nope")
	for op, call := range map[string]func() error{
		"DescribeOrganizationConfigRules": func() error {
			_, err := cfg.DescribeOrganizationConfigRules(ctx, &configservice.DescribeOrganizationConfigRulesInput{OrganizationConfigRuleNames: []string{"needs-recorders", "nope"}})
			return err
		},
		"DescribeOrganizationConfigRuleStatuses": func() error {
			_, err := cfg.DescribeOrganizationConfigRuleStatuses(ctx, &configservice.DescribeOrganizationConfigRuleStatusesInput{OrganizationConfigRuleNames: []string{"nope"}})
			return err
		},
		"GetOrganizationConfigRuleDetailedStatus": func() error {
			_, err := cfg.GetOrganizationConfigRuleDetailedStatus(ctx, &configservice.GetOrganizationConfigRuleDetailedStatusInput{OrganizationConfigRuleName: nope})
			return err
		},
		"DeleteOrganizationConfigRule": func() error {
			_, err := cfg.DeleteOrganizationConfigRule(ctx, &configservice.DeleteOrganizationConfigRuleInput{OrganizationConfigRuleName: nope})
			return err
		},
		"GetOrganizationCustomRulePolicy": func() error {
			_, err := cfg.GetOrganizationCustomRulePolicy(ctx, &configservice.GetOrganizationCustomRulePolicyInput{OrganizationConfigRuleName: nope})
			return err
		},
	} {
		if err := call(); !e2etest.IsCode(err, "NoSuchOrganizationConfigRuleException") {
			t.Errorf("%s of an unknown rule: %v, want NoSuchOrganizationConfigRuleException", op, err)
		}
	}

	// A custom policy organization rule: Describe leaves the policy text out,
	// GetOrganizationCustomRulePolicy returns it, and the members evaluate with it.
	e.putDrone(e.config(recorded, "us-east-1"), "drone-1", false)
	e.putDrone(e.config(mgmt, "us-east-1"), "drone-2", true)
	e.putOrgRule(cfg, &configservice.PutOrganizationConfigRuleInput{
		OrganizationConfigRuleName: aws.String("guarded"),
		OrganizationCustomPolicyRuleMetadata: &cfgtypes.OrganizationCustomPolicyRuleMetadata{
			PolicyRuntime: aws.String("guard-2.x.x"), PolicyText: aws.String(e2etest.GuardPolicy), Description: aws.String("drones are registered"),
			OrganizationConfigRuleTriggerTypes: []cfgtypes.OrganizationConfigRuleTriggerTypeNoSN{cfgtypes.OrganizationConfigRuleTriggerTypeNoSNConfigurationItemChangeNotification},
			ResourceTypesScope:                 []string{string(aggDroneType)},
		},
		ExcludedAccounts: []string{bare.id},
	})
	wantSeq(t, "custom policy rule", e.waitStates(func() string { return e.orgRuleState(cfg, "guarded") }), "CREATE_IN_PROGRESS", "CREATE_SUCCESSFUL")
	gd, err := cfg.DescribeOrganizationConfigRules(ctx, &configservice.DescribeOrganizationConfigRulesInput{OrganizationConfigRuleNames: []string{"guarded"}})
	if err != nil || len(gd.OrganizationConfigRules) != 1 {
		t.Fatalf("DescribeOrganizationConfigRules guarded: %v %+v", err, gd)
	}
	if r := gd.OrganizationConfigRules[0]; r.OrganizationManagedRuleMetadata != nil || r.OrganizationCustomRuleMetadata != nil || r.OrganizationCustomPolicyRuleMetadata == nil ||
		aws.ToString(r.OrganizationCustomPolicyRuleMetadata.PolicyRuntime) != "guard-2.x.x" ||
		!slices.Equal(r.OrganizationCustomPolicyRuleMetadata.ResourceTypesScope, []string{string(aggDroneType)}) ||
		!slices.Equal(r.OrganizationCustomPolicyRuleMetadata.OrganizationConfigRuleTriggerTypes, []cfgtypes.OrganizationConfigRuleTriggerTypeNoSN{cfgtypes.OrganizationConfigRuleTriggerTypeNoSNConfigurationItemChangeNotification}) {
		t.Errorf("custom policy rule: %+v (metadata %+v)", r, r.OrganizationCustomPolicyRuleMetadata)
	}
	var raw struct {
		OrganizationConfigRules []struct {
			OrganizationCustomPolicyRuleMetadata map[string]json.RawMessage
		}
	}
	if err := json.Unmarshal(e.rawConfig(mgmt, "us-east-1", "DescribeOrganizationConfigRules", map[string]any{"OrganizationConfigRuleNames": []string{"guarded"}}), &raw); err != nil {
		t.Fatalf("DescribeOrganizationConfigRules answer: %v", err)
	}
	if len(raw.OrganizationConfigRules) != 1 || raw.OrganizationConfigRules[0].OrganizationCustomPolicyRuleMetadata == nil {
		t.Errorf("DescribeOrganizationConfigRules answer: %+v", raw)
	} else if text, ok := raw.OrganizationConfigRules[0].OrganizationCustomPolicyRuleMetadata["PolicyText"]; ok {
		t.Errorf("DescribeOrganizationConfigRules returns the PolicyText %s", text)
	}
	pol, err := cfg.GetOrganizationCustomRulePolicy(ctx, &configservice.GetOrganizationCustomRulePolicyInput{OrganizationConfigRuleName: aws.String("guarded")})
	if err != nil || aws.ToString(pol.PolicyText) != e2etest.GuardPolicy {
		t.Errorf("GetOrganizationCustomRulePolicy: %v %+v", err, pol)
	}
	for _, c := range []struct {
		a    aggAccount
		want map[string]string
	}{
		{recorded, map[string]string{"drone-1": "NON_COMPLIANT"}},
		{mgmt, map[string]string{"drone-2": "COMPLIANT"}},
	} {
		r := e.memberRule(e.config(c.a, "us-east-1"), "guarded")
		checkMemberRule(t, r, c.a.id, "us-east-1", "guarded")
		if r == nil {
			continue
		}
		if r.Source == nil || r.Source.Owner != cfgtypes.OwnerCustomPolicy || r.Source.CustomPolicyDetails == nil ||
			aws.ToString(r.Source.CustomPolicyDetails.PolicyRuntime) != "guard-2.x.x" {
			t.Errorf("%s: custom policy member rule source %+v", c.a.id, r.Source)
		}
		e2etest.WantResults(t, "custom policy member rule in "+c.a.id, e.ruleResults(e.config(c.a, "us-east-1"), aws.ToString(r.ConfigRuleName)), c.want)
	}
}

// packTemplate is a conformance pack of five managed rules; its parameters choose the required
// tag (default team) and the volumes' expected DeleteOnTermination (default "true").
const packTemplate = `Parameters:
  RequiredTagKey:
    Type: String
    Default: team
  DeleteOnTermination:
    Type: String
    Default: "true"
Resources:
  RequiredTagsRule:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: required-tags
      Description: Volumes and buckets carry the required tag.
      InputParameters:
        tag1Key: !Ref RequiredTagKey
      Scope:
        ComplianceResourceTypes:
          - AWS::EC2::Volume
          - AWS::S3::Bucket
      Source:
        Owner: AWS
        SourceIdentifier: REQUIRED_TAGS
  EncryptedVolumesRule:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: encrypted-volumes
      Scope:
        ComplianceResourceTypes:
          - AWS::EC2::Volume
      Source:
        Owner: AWS
        SourceIdentifier: ENCRYPTED_VOLUMES
  BucketVersioningRule:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: s3-bucket-versioning-enabled
      Scope:
        ComplianceResourceTypes:
          - AWS::S3::Bucket
      Source:
        Owner: AWS
        SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED
  RestrictedSshRule:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: restricted-ssh
      Scope:
        ComplianceResourceTypes:
          - AWS::EC2::SecurityGroup
      Source:
        Owner: AWS
        SourceIdentifier: INCOMING_SSH_DISABLED
  VolumeInUseRule:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: ec2-volume-inuse-check
      InputParameters:
        deleteOnTermination:
          Ref: DeleteOnTermination
      Scope:
        ComplianceResourceTypes:
          - AWS::EC2::Volume
      Source:
        Owner: AWS
        SourceIdentifier: EC2_VOLUME_INUSE_CHECK
`

// packRules are the template's rule names and the managed rules they use.
var packRules = map[string]string{
	"required-tags":                "REQUIRED_TAGS",
	"encrypted-volumes":            "ENCRYPTED_VOLUMES",
	"s3-bucket-versioning-enabled": "S3_BUCKET_VERSIONING_ENABLED",
	"restricted-ssh":               "INCOMING_SSH_DISABLED",
	"ec2-volume-inuse-check":       "EC2_VOLUME_INUSE_CHECK",
}

// packOverride sets the required tag to owner.
var packOverride = []cfgtypes.ConformancePackInputParameter{{ParameterName: aws.String("RequiredTagKey"), ParameterValue: aws.String("owner")}}

// packItems are what every account of the pack tests holds: a volume and a bucket that pass
// every rule of packTemplate (with the owner tag) and a closed security group; with bad, a
// volume failing three rules (untagged, unencrypted, DeleteOnTermination false) and a bucket
// failing two (tagged team, versioning suspended); with open, a security group open to SSH.
func packItems(bad, open bool) []map[string]any {
	items := []map[string]any{
		orVolume("vol-good", true, true, map[string]string{"owner": "ops"}),
		orBucket("bucket-good", "Enabled", map[string]string{"owner": "ops"}),
		e2etest.SecurityGroup("sg-closed", "db", e2etest.Ingress("tcp", 5432, 5432, "10.0.0.0/8")),
	}
	if bad {
		items = append(items, orVolume("vol-bad", false, false, nil), orBucket("bucket-bad", "Suspended", map[string]string{"team": "ops"}))
	}
	if open {
		items = append(items, e2etest.SecurityGroup("sg-open", "web", e2etest.Ingress("tcp", 22, 22, "0.0.0.0/0")))
	}
	return items
}

// packState reads a conformance pack's state; gone once DescribeConformancePackStatus no longer
// lists it.
func (e *orEnv) packState(cfg *configservice.Client, name string) string {
	e.T.Helper()
	out, err := cfg.DescribeConformancePackStatus(e.Ctx, &configservice.DescribeConformancePackStatusInput{ConformancePackNames: []string{name}})
	if e2etest.IsCode(err, "NoSuchConformancePackException") {
		return gone
	}
	if err != nil {
		e.T.Fatalf("DescribeConformancePackStatus %s: %v", name, err)
	}
	switch len(out.ConformancePackStatusDetails) {
	case 0:
		return gone
	case 1:
		return string(out.ConformancePackStatusDetails[0].ConformancePackState)
	}
	e.T.Fatalf("DescribeConformancePackStatus %s: %+v", name, out.ConformancePackStatusDetails)
	return ""
}

// pack describes one conformance pack.
func (e *orEnv) pack(cfg *configservice.Client, name string) cfgtypes.ConformancePackDetail {
	e.T.Helper()
	out, err := cfg.DescribeConformancePacks(e.Ctx, &configservice.DescribeConformancePacksInput{ConformancePackNames: []string{name}})
	if err != nil || len(out.ConformancePackDetails) != 1 {
		e.T.Fatalf("DescribeConformancePacks %s: %v %+v", name, err, out)
	}
	return out.ConformancePackDetails[0]
}

// noPack asserts cfg's (account, region) has no pack named name.
func (e *orEnv) noPack(cfg *configservice.Client, what, name string) {
	e.T.Helper()
	_, err := cfg.DescribeConformancePacks(e.Ctx, &configservice.DescribeConformancePacksInput{ConformancePackNames: []string{name}})
	if !e2etest.IsCode(err, "NoSuchConformancePackException") {
		e.T.Errorf("%s: DescribeConformancePacks %s: %v, want NoSuchConformancePackException", what, name, err)
	}
	st, err := cfg.DescribeConformancePackStatus(e.Ctx, &configservice.DescribeConformancePackStatusInput{ConformancePackNames: []string{name}})
	if err != nil || len(st.ConformancePackStatusDetails) != 0 {
		e.T.Errorf("%s: DescribeConformancePackStatus %s: %v %+v, want an empty list", what, name, err, st)
	}
}

// checkPackRules asserts the rules of a pack in (acct, region): one per template rule, named
// <template name>-<pack ID>, owned by config-conforms.amazonaws.com, with the parameters
// resolved (the required tag overridden to owner, DeleteOnTermination at its default). It
// returns template name -> rule name.
func (e *orEnv) checkPackRules(cfg *configservice.Client, acct, region, packID string) map[string]string {
	e.T.Helper()
	names := map[string]string{}
	for name, r := range e.configRules(cfg, "") {
		if !strings.HasSuffix(name, "-"+packID) {
			continue
		}
		tmpl := strings.TrimSuffix(name, "-"+packID)
		names[tmpl] = name
		m := packRuleARN.FindStringSubmatch(aws.ToString(r.ConfigRuleArn))
		if m == nil || m[1] != region || m[2] != acct || m[3] != aws.ToString(r.ConfigRuleId) || aws.ToString(r.CreatedBy) != conformsPrincipal {
			e.T.Errorf("pack rule %s: ARN %q, ID %q, CreatedBy %q", name, aws.ToString(r.ConfigRuleArn), aws.ToString(r.ConfigRuleId), aws.ToString(r.CreatedBy))
		}
		if r.Source == nil || r.Source.Owner != cfgtypes.OwnerAws || aws.ToString(r.Source.SourceIdentifier) != packRules[tmpl] {
			e.T.Errorf("pack rule %s: source %+v, want AWS %s", name, r.Source, packRules[tmpl])
		}
		switch p := params(e.T, r.InputParameters); tmpl {
		case "required-tags":
			if p["tag1Key"] != "owner" {
				e.T.Errorf("pack rule %s: parameters %v, want tag1Key owner (the input parameter)", name, p)
			}
		case "ec2-volume-inuse-check":
			if p["deleteOnTermination"] != "true" {
				e.T.Errorf("pack rule %s: parameters %v, want deleteOnTermination true (the default)", name, p)
			}
		}
	}
	if !sameSet(slices.Collect(maps.Keys(names)), slices.Collect(maps.Keys(packRules))) {
		e.T.Errorf("%s/%s: rules of pack %s: %v, want one per template rule", acct, region, packID, names)
	}
	return names
}

// packRuleCompliance reads DescribeConformancePackCompliance, two per page: rule -> compliance.
func (e *orEnv) packRuleCompliance(cfg *configservice.Client, pack string, f *cfgtypes.ConformancePackComplianceFilters) map[string]string {
	e.T.Helper()
	rows := aggPages(e.T, "DescribeConformancePackCompliance "+pack, 2, func(token *string) ([]cfgtypes.ConformancePackRuleCompliance, *string, error) {
		out, err := cfg.DescribeConformancePackCompliance(e.Ctx, &configservice.DescribeConformancePackComplianceInput{ConformancePackName: aws.String(pack), Filters: f, Limit: 2, NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		if aws.ToString(out.ConformancePackName) != pack {
			e.T.Errorf("DescribeConformancePackCompliance: pack %q, want %q", aws.ToString(out.ConformancePackName), pack)
		}
		return out.ConformancePackRuleComplianceList, out.NextToken, nil
	})
	out := map[string]string{}
	for _, r := range rows {
		out[aws.ToString(r.ConfigRuleName)] = string(r.ComplianceType)
	}
	return out
}

// packDetails reads GetConformancePackComplianceDetails, three per page: "rule/resource" -> compliance.
func (e *orEnv) packDetails(cfg *configservice.Client, pack string, f *cfgtypes.ConformancePackEvaluationFilters) map[string]string {
	e.T.Helper()
	rows := aggPages(e.T, "GetConformancePackComplianceDetails "+pack, 3, func(token *string) ([]cfgtypes.ConformancePackEvaluationResult, *string, error) {
		out, err := cfg.GetConformancePackComplianceDetails(e.Ctx, &configservice.GetConformancePackComplianceDetailsInput{ConformancePackName: aws.String(pack), Filters: f, Limit: 3, NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.ConformancePackRuleEvaluationResults, out.NextToken, nil
	})
	out := map[string]string{}
	for _, r := range rows {
		if r.EvaluationResultIdentifier == nil || r.EvaluationResultIdentifier.EvaluationResultQualifier == nil || r.ResultRecordedTime == nil || r.ConfigRuleInvokedTime == nil {
			e.T.Errorf("pack evaluation result %+v", r)
			continue
		}
		q := r.EvaluationResultIdentifier.EvaluationResultQualifier
		out[aws.ToString(q.ConfigRuleName)+"/"+aws.ToString(q.ResourceId)] = string(r.ComplianceType)
	}
	return out
}

// testConformancePack: a conformance pack of five rules in one account, its states, rules and
// compliance, invalid templates, and the deletion.
func testConformancePack(t *testing.T, backend testserver.Option) {
	e := newOREnv(t, backend)
	ctx := e.Ctx
	a := e.mgmt() // in no organization
	cfg := e.recordIn(a, "us-east-1")
	e.importInto(a.id, "us-east-1", packItems(true, false)...)

	put := func(name, body string, in []cfgtypes.ConformancePackInputParameter) (string, error) {
		out, err := cfg.PutConformancePack(ctx, &configservice.PutConformancePackInput{ConformancePackName: aws.String(name), TemplateBody: aws.String(body), ConformancePackInputParameters: in})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.ConformancePackArn), nil
	}
	arn, err := put("baseline", packTemplate, packOverride)
	if err != nil {
		t.Fatalf("PutConformancePack: %v", err)
	}
	m := regexp.MustCompile(`^arn:aws:config:us-east-1:` + a.id + `:conformance-pack/baseline/(conformance-pack-[a-z0-9]{9})$`).FindStringSubmatch(arn)
	if m == nil {
		t.Fatalf("pack ARN %q, want arn:aws:config:us-east-1:%s:conformance-pack/baseline/conformance-pack-<9 lowercase alphanumerics>", arn, a.id)
	}
	packID := m[1]
	if got := e.packState(cfg, "baseline"); got != "CREATE_IN_PROGRESS" {
		t.Errorf("state %s before the deployment ran, want CREATE_IN_PROGRESS", got)
	}
	_, err = cfg.DeleteConformancePack(ctx, &configservice.DeleteConformancePackInput{ConformancePackName: aws.String("baseline")})
	e2etest.APIError(t, err, "ResourceInUseException", 400)

	// Two more packs for the summaries: one whose rule passes, one with nothing in scope.
	if _, err := put("ssh-only", `Resources:
  RestrictedSshRule:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: restricted-ssh
      Source:
        Owner: AWS
        SourceIdentifier: INCOMING_SSH_DISABLED
`, nil); err != nil {
		t.Fatalf("PutConformancePack ssh-only: %v", err)
	}
	if _, err := put("nothing-in-scope", `Resources:
  DatabaseTagsRule:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: database-tags
      InputParameters:
        tag1Key: team
      Scope:
        ComplianceResourceTypes:
          - AWS::RDS::DBInstance
      Source:
        Owner: AWS
        SourceIdentifier: REQUIRED_TAGS
`, nil); err != nil {
		t.Fatalf("PutConformancePack nothing-in-scope: %v", err)
	}
	e.RunJobs()
	for _, name := range []string{"baseline", "ssh-only", "nothing-in-scope"} {
		if got := e.packState(cfg, name); got != "CREATE_COMPLETE" {
			t.Errorf("%s: state %s after the deployment, want CREATE_COMPLETE", name, got)
		}
	}
	// A named pack that does not exist is left out of the status, without an error (the
	// operation has no NoSuchConformancePackException).
	st, err := cfg.DescribeConformancePackStatus(ctx, &configservice.DescribeConformancePackStatusInput{ConformancePackNames: []string{"no-such-pack", "baseline"}})
	if err != nil || len(st.ConformancePackStatusDetails) != 1 {
		t.Fatalf("DescribeConformancePackStatus: %v %+v", err, st)
	}
	if s := st.ConformancePackStatusDetails[0]; aws.ToString(s.ConformancePackId) != packID || aws.ToString(s.ConformancePackArn) != arn ||
		aws.ToString(s.ConformancePackName) != "baseline" || s.LastUpdateRequestedTime == nil || s.LastUpdateCompletedTime == nil ||
		!strings.HasPrefix(aws.ToString(s.StackArn), "arn:aws:cloudformation:us-east-1:"+a.id+":stack/") {
		t.Errorf("pack status %+v", s)
	}
	p := e.pack(cfg, "baseline")
	if aws.ToString(p.ConformancePackId) != packID || !conformancePackID.MatchString(packID) || aws.ToString(p.ConformancePackArn) != arn || p.LastUpdateRequestedTime == nil ||
		len(p.ConformancePackInputParameters) != 1 || aws.ToString(p.ConformancePackInputParameters[0].ParameterName) != "RequiredTagKey" ||
		aws.ToString(p.ConformancePackInputParameters[0].ParameterValue) != "owner" {
		t.Errorf("DescribeConformancePacks: %+v", p)
	}
	rules := e.checkPackRules(cfg, a.id, "us-east-1", packID)

	// The pack's rules belong to AWS Config.
	_, err = cfg.DeleteConfigRule(ctx, &configservice.DeleteConfigRuleInput{ConfigRuleName: aws.String(rules["restricted-ssh"])})
	if ae := e2etest.APIError(t, err, "AccessDeniedException", 400); ae.ErrorMessage() != serviceOwnedMessage {
		t.Errorf("DeleteConfigRule of a pack rule: %q", ae.ErrorMessage())
	}

	// Compliance: every rule but restricted-ssh has a failing resource.
	wantRules := map[string]string{}
	for tmpl, name := range rules {
		wantRules[name] = "NON_COMPLIANT"
		if tmpl == "restricted-ssh" {
			wantRules[name] = "COMPLIANT"
		}
	}
	wantMap(t, "DescribeConformancePackCompliance", e.packRuleCompliance(cfg, "baseline", nil), wantRules)
	wantMap(t, "DescribeConformancePackCompliance COMPLIANT", e.packRuleCompliance(cfg, "baseline", &cfgtypes.ConformancePackComplianceFilters{ComplianceType: cfgtypes.ConformancePackComplianceTypeCompliant}),
		map[string]string{rules["restricted-ssh"]: "COMPLIANT"})
	wantMap(t, "DescribeConformancePackCompliance of one rule", e.packRuleCompliance(cfg, "baseline", &cfgtypes.ConformancePackComplianceFilters{ConfigRuleNames: []string{rules["encrypted-volumes"]}}),
		map[string]string{rules["encrypted-volumes"]: "NON_COMPLIANT"})
	_, err = cfg.DescribeConformancePackCompliance(ctx, &configservice.DescribeConformancePackComplianceInput{ConformancePackName: aws.String("baseline"),
		Filters: &cfgtypes.ConformancePackComplianceFilters{ConfigRuleNames: []string{"no-such-rule"}}})
	e2etest.APIError(t, err, "NoSuchConfigRuleInConformancePackException", 400)
	wantMap(t, "GetConformancePackComplianceDetails", e.packDetails(cfg, "baseline", nil), map[string]string{
		rules["required-tags"] + "/vol-good": "COMPLIANT", rules["required-tags"] + "/vol-bad": "NON_COMPLIANT",
		rules["required-tags"] + "/bucket-good": "COMPLIANT", rules["required-tags"] + "/bucket-bad": "NON_COMPLIANT",
		rules["encrypted-volumes"] + "/vol-good": "COMPLIANT", rules["encrypted-volumes"] + "/vol-bad": "NON_COMPLIANT",
		rules["s3-bucket-versioning-enabled"] + "/bucket-good": "COMPLIANT", rules["s3-bucket-versioning-enabled"] + "/bucket-bad": "NON_COMPLIANT",
		rules["restricted-ssh"] + "/sg-closed":        "COMPLIANT",
		rules["ec2-volume-inuse-check"] + "/vol-good": "COMPLIANT", rules["ec2-volume-inuse-check"] + "/vol-bad": "NON_COMPLIANT",
	})
	wantMap(t, "GetConformancePackComplianceDetails of one rule, NON_COMPLIANT", e.packDetails(cfg, "baseline", &cfgtypes.ConformancePackEvaluationFilters{
		ConfigRuleNames: []string{rules["encrypted-volumes"]}, ComplianceType: cfgtypes.ConformancePackComplianceTypeNonCompliant}),
		map[string]string{rules["encrypted-volumes"] + "/vol-bad": "NON_COMPLIANT"})

	// The summaries of the three packs.
	sum, err := cfg.GetConformancePackComplianceSummary(ctx, &configservice.GetConformancePackComplianceSummaryInput{ConformancePackNames: []string{"baseline", "ssh-only", "nothing-in-scope"}})
	if err != nil {
		t.Fatalf("GetConformancePackComplianceSummary: %v", err)
	}
	gotSum := map[string]string{}
	for _, s := range sum.ConformancePackComplianceSummaryList {
		gotSum[aws.ToString(s.ConformancePackName)] = string(s.ConformancePackComplianceStatus)
	}
	wantMap(t, "GetConformancePackComplianceSummary", gotSum, map[string]string{"baseline": "NON_COMPLIANT", "ssh-only": "COMPLIANT", "nothing-in-scope": "INSUFFICIENT_DATA"})
	scores, err := cfg.ListConformancePackComplianceScores(ctx, &configservice.ListConformancePackComplianceScoresInput{})
	if err != nil {
		t.Fatalf("ListConformancePackComplianceScores: %v", err)
	}
	gotScores := map[string]string{}
	for _, s := range scores.ConformancePackComplianceScores {
		gotScores[aws.ToString(s.ConformancePackName)] = aws.ToString(s.Score)
		if s.LastUpdatedTime == nil {
			t.Errorf("score without LastUpdatedTime: %+v", s)
		}
	}
	// baseline: 6 compliant (rule, resource) pairs of 11.
	for name, want := range map[string]float64{"baseline": 600.0 / 11, "ssh-only": 100} {
		if got, err := strconv.ParseFloat(gotScores[name], 64); err != nil || math.Abs(got-want) > 0.01 {
			t.Errorf("score of %s: %q, want %.2f", name, gotScores[name], want)
		}
	}
	if gotScores["nothing-in-scope"] != "INSUFFICIENT_DATA" || len(gotScores) != 3 {
		t.Errorf("scores %v, want INSUFFICIENT_DATA for the pack without results", gotScores)
	}
	one, err := cfg.ListConformancePackComplianceScores(ctx, &configservice.ListConformancePackComplianceScoresInput{Filters: &cfgtypes.ConformancePackComplianceScoresFilters{ConformancePackNames: []string{"ssh-only"}}})
	if err != nil || len(one.ConformancePackComplianceScores) != 1 || aws.ToString(one.ConformancePackComplianceScores[0].ConformancePackName) != "ssh-only" {
		t.Errorf("ListConformancePackComplianceScores of one pack: %v %+v", err, one)
	}

	// Invalid templates are refused at once.
	for what, body := range map[string]string{
		"not YAML":            "Resources: [unclosed\n  - : :",
		"unknown parameter":   strings.Replace(packTemplate, "!Ref RequiredTagKey", "!Ref NoSuchParameter", 1),
		"resource not a rule": "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: b\n",
		"no resources":        "Parameters:\n  P:\n    Type: String\n",
	} {
		_, err := put("invalid", body, nil)
		if !e2etest.IsCode(err, "ConformancePackTemplateValidationException") {
			t.Errorf("template %s: %v, want ConformancePackTemplateValidationException", what, err)
		}
	}
	e.noPack(cfg, "after invalid templates", "invalid")
	e.noPack(cfg, "unknown pack", "nope")
	_, err = cfg.DescribeConformancePackCompliance(ctx, &configservice.DescribeConformancePackComplianceInput{ConformancePackName: aws.String("nope")})
	e2etest.APIError(t, err, "NoSuchConformancePackException", 400)

	// The deletion: DELETE_IN_PROGRESS, then the pack and its rules are gone.
	if _, err := cfg.DeleteConformancePack(ctx, &configservice.DeleteConformancePackInput{ConformancePackName: aws.String("baseline")}); err != nil {
		t.Fatalf("DeleteConformancePack: %v", err)
	}
	wantSeq(t, "pack deletion", e.waitStates(func() string { return e.packState(cfg, "baseline") }), "DELETE_IN_PROGRESS", gone)
	e.noPack(cfg, "after the deletion", "baseline")
	for _, name := range rules {
		e.noRule(cfg, "after the pack's deletion", name)
	}
	if got := e.packState(cfg, "ssh-only"); got != "CREATE_COMPLETE" {
		t.Errorf("the other pack after the deletion: %s", got)
	}
}

// orgPackState reads an organization pack's status; gone once
// DescribeOrganizationConformancePackStatuses no longer knows it.
func (e *orEnv) orgPackState(cfg *configservice.Client, name string) string {
	e.T.Helper()
	out, err := cfg.DescribeOrganizationConformancePackStatuses(e.Ctx, &configservice.DescribeOrganizationConformancePackStatusesInput{OrganizationConformancePackNames: []string{name}})
	if e2etest.IsCode(err, "NoSuchOrganizationConformancePackException") {
		return gone
	}
	if err != nil {
		e.T.Fatalf("DescribeOrganizationConformancePackStatuses %s: %v", name, err)
	}
	if len(out.OrganizationConformancePackStatuses) != 1 || aws.ToString(out.OrganizationConformancePackStatuses[0].OrganizationConformancePackName) != name {
		e.T.Fatalf("DescribeOrganizationConformancePackStatuses %s: %+v", name, out.OrganizationConformancePackStatuses)
	}
	return string(out.OrganizationConformancePackStatuses[0].Status)
}

// orgPackDetail reads GetOrganizationConformancePackDetailedStatus, two per page: account -> row.
func (e *orEnv) orgPackDetail(cfg *configservice.Client, name string) map[string]cfgtypes.OrganizationConformancePackDetailedStatus {
	e.T.Helper()
	rows := aggPages(e.T, "GetOrganizationConformancePackDetailedStatus "+name, 2, func(token *string) ([]cfgtypes.OrganizationConformancePackDetailedStatus, *string, error) {
		out, err := cfg.GetOrganizationConformancePackDetailedStatus(e.Ctx, &configservice.GetOrganizationConformancePackDetailedStatusInput{
			OrganizationConformancePackName: aws.String(name), Limit: 2, NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.OrganizationConformancePackDetailedStatuses, out.NextToken, nil
	})
	out := map[string]cfgtypes.OrganizationConformancePackDetailedStatus{}
	for _, r := range rows {
		if _, dup := out[aws.ToString(r.AccountId)]; dup {
			e.T.Errorf("detailed status of %s: account %s twice", name, aws.ToString(r.AccountId))
		}
		out[aws.ToString(r.AccountId)] = r
	}
	return out
}

func orgPackDetailStatus(rows map[string]cfgtypes.OrganizationConformancePackDetailedStatus) map[string]string {
	out := map[string]string{}
	for acct, r := range rows {
		out[acct] = string(r.Status)
	}
	return out
}

// testOrgConformancePack is the whole organization-conformance-pack scenario end to end:
// packTemplate as an organization conformance pack, deployed to every account of the
// organization, its statuses, the members' packs and rules, the compliance per account through
// the organization aggregator, an update excluding a member, and the deletion.
func testOrgConformancePack(t *testing.T, backend testserver.Option) {
	e := newOREnv(t, backend)
	ctx := e.Ctx
	e.CreateOrg(orgtypes.OrganizationFeatureSetAll)
	mgmt := e.mgmt()
	accounts := []aggAccount{mgmt}
	for i := 1; i <= 3; i++ {
		accounts = append(accounts, e.memberAdmin(e.CreateAccount(fmt.Sprintf("member-%d", i), fmt.Sprintf("member-%d@example.com", i))))
	}
	m1, m2, m3 := accounts[1], accounts[2], accounts[3]
	// Compliant, noncompliant and all rules of each account's pack: the management account
	// passes every rule; the members fail all but restricted-ssh, m3 (SSH open) every one.
	wantCounts := map[string][3]int32{mgmt.id: {5, 0, 5}, m1.id: {1, 4, 5}, m2.id: {1, 4, 5}, m3.id: {0, 5, 5}}
	for _, a := range accounts {
		e.recordIn(a, "us-east-1")
		e.importInto(a.id, "us-east-1", packItems(a.id != mgmt.id, a.id == m3.id)...)
	}
	cfg := e.config(mgmt, "us-east-1")
	e.mustPutAgg(cfg, orgAggregatorInput("organization", e.aggregatorRole(mgmt, "ConfigAggregatorRole", configPrincipal, true), "us-east-1"))
	e.RunJobs()

	putOrgPack := func(c *configservice.Client, name, body string, excluded ...string) (string, error) {
		out, err := c.PutOrganizationConformancePack(ctx, &configservice.PutOrganizationConformancePackInput{
			OrganizationConformancePackName: aws.String(name), TemplateBody: aws.String(body), ConformancePackInputParameters: packOverride, ExcludedAccounts: excluded})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.OrganizationConformancePackArn), nil
	}
	_, err := putOrgPack(e.config(m1, "us-east-1"), "baseline", packTemplate)
	e2etest.APIError(t, err, "OrganizationAccessDeniedException", 400)
	_, err = putOrgPack(cfg, "invalid", "Resources: [unclosed\n  - : :")
	e2etest.APIError(t, err, "OrganizationConformancePackTemplateValidationException", 400)

	arn, err := putOrgPack(cfg, "baseline", packTemplate)
	if err != nil {
		t.Fatalf("PutOrganizationConformancePack: %v", err)
	}
	if !regexp.MustCompile(`^arn:aws:config:us-east-1:` + mgmt.id + `:organization-conformance-pack/baseline-[a-z0-9]{8}$`).MatchString(arn) {
		t.Errorf("organization pack ARN %q, want arn:aws:config:us-east-1:%s:organization-conformance-pack/baseline-<8 lowercase alphanumerics>", arn, mgmt.id)
	}
	if !e.serviceAccess(multiSetupPrincipal) {
		t.Error("the management account's first PutOrganizationConformancePack did not enable trusted access for config-multiaccountsetup.amazonaws.com")
	}
	_, err = cfg.DeleteOrganizationConformancePack(ctx, &configservice.DeleteOrganizationConformancePackInput{OrganizationConformancePackName: aws.String("baseline")})
	e2etest.APIError(t, err, "ResourceInUseException", 400)
	wantSeq(t, "organization pack creation", e.waitStates(func() string { return e.orgPackState(cfg, "baseline") }), "CREATE_IN_PROGRESS", "CREATE_SUCCESSFUL")
	detail := e.orgPackDetail(cfg, "baseline")
	wantMap(t, "organization pack detailed status", orgPackDetailStatus(detail), allIn("CREATE_SUCCESSFUL", accounts...))
	desc, err := cfg.DescribeOrganizationConformancePacks(ctx, &configservice.DescribeOrganizationConformancePacksInput{OrganizationConformancePackNames: []string{"baseline"}})
	if err != nil || len(desc.OrganizationConformancePacks) != 1 {
		t.Fatalf("DescribeOrganizationConformancePacks: %v %+v", err, desc)
	}
	if p := desc.OrganizationConformancePacks[0]; aws.ToString(p.OrganizationConformancePackArn) != arn || p.LastUpdateTime == nil || len(p.ExcludedAccounts) != 0 ||
		len(p.ConformancePackInputParameters) != 1 || aws.ToString(p.ConformancePackInputParameters[0].ParameterValue) != "owner" {
		t.Errorf("DescribeOrganizationConformancePacks: %+v", p)
	}

	// Every account has the member pack, its rules and its compliance; members cannot delete
	// it.
	memberPacks := map[string]string{}   // account -> member pack name
	memberRules := map[string][]string{} // account -> its rules
	memberPackName := regexp.MustCompile(`^OrgConformsPack-baseline-[a-z0-9]{8}$`)
	for _, a := range accounts {
		ac := e.config(a, "us-east-1")
		name := aws.ToString(detail[a.id].ConformancePackName)
		memberPacks[a.id] = name
		if !memberPackName.MatchString(name) {
			t.Errorf("%s: member pack %q, want OrgConformsPack-baseline-<8 lowercase alphanumerics>", a.id, name)
			continue
		}
		p := e.pack(ac, name)
		if aws.ToString(p.CreatedBy) == "" || !conformancePackID.MatchString(aws.ToString(p.ConformancePackId)) ||
			!strings.HasPrefix(aws.ToString(p.ConformancePackArn), "arn:aws:config:us-east-1:"+a.id+":conformance-pack/"+name+"/") {
			t.Errorf("%s: member pack %+v", a.id, p)
		}
		if got := e.packState(ac, name); got != "CREATE_COMPLETE" {
			t.Errorf("%s: member pack state %s, want CREATE_COMPLETE", a.id, got)
		}
		rules := e.checkPackRules(ac, a.id, "us-east-1", aws.ToString(p.ConformancePackId))
		for _, r := range rules {
			memberRules[a.id] = append(memberRules[a.id], r)
		}
		want := "NON_COMPLIANT"
		if a.id == mgmt.id {
			want = "COMPLIANT"
		}
		sum, err := ac.GetConformancePackComplianceSummary(ctx, &configservice.GetConformancePackComplianceSummaryInput{ConformancePackNames: []string{name}})
		if err != nil || len(sum.ConformancePackComplianceSummaryList) != 1 || string(sum.ConformancePackComplianceSummaryList[0].ConformancePackComplianceStatus) != want {
			t.Errorf("%s: GetConformancePackComplianceSummary: %v %+v, want %s", a.id, err, sum, want)
		}
		if a.id == mgmt.id {
			continue
		}
		_, err = ac.DeleteConformancePack(ctx, &configservice.DeleteConformancePackInput{ConformancePackName: aws.String(name)})
		e2etest.APIError(t, err, "AccessDeniedException", 400)
		_, err = ac.DeleteConfigRule(ctx, &configservice.DeleteConfigRuleInput{ConfigRuleName: aws.String(rules["restricted-ssh"])})
		e2etest.APIError(t, err, "AccessDeniedException", 400)
	}

	// The aggregator: one row per (member pack, account, region), and the summary by account.
	rows := aggPages(t, "DescribeAggregateComplianceByConformancePacks", 2, func(token *string) ([]cfgtypes.AggregateComplianceByConformancePack, *string, error) {
		out, err := cfg.DescribeAggregateComplianceByConformancePacks(ctx, &configservice.DescribeAggregateComplianceByConformancePacksInput{
			ConfigurationAggregatorName: aws.String("organization"), Limit: 2, NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.AggregateComplianceByConformancePacks, out.NextToken, nil
	})
	gotRows := map[string]string{}
	for _, r := range rows {
		k := aws.ToString(r.ConformancePackName) + "/" + aws.ToString(r.AccountId) + "/" + aws.ToString(r.AwsRegion)
		if r.Compliance == nil {
			t.Errorf("aggregate pack row %s without compliance", k)
			continue
		}
		gotRows[k] = fmt.Sprintf("%s %d/%d/%d", r.Compliance.ComplianceType, r.Compliance.CompliantRuleCount, r.Compliance.NonCompliantRuleCount, r.Compliance.TotalRuleCount)
	}
	wantRows := map[string]string{}
	for _, a := range accounts {
		c := wantCounts[a.id]
		typ := "NON_COMPLIANT"
		if c[1] == 0 {
			typ = "COMPLIANT"
		}
		wantRows[memberPacks[a.id]+"/"+a.id+"/us-east-1"] = fmt.Sprintf("%s %d/%d/%d", typ, c[0], c[1], c[2])
	}
	wantMap(t, "DescribeAggregateComplianceByConformancePacks", gotRows, wantRows)
	groups := aggPages(t, "GetAggregateConformancePackComplianceSummary", 2, func(token *string) ([]cfgtypes.AggregateConformancePackComplianceSummary, *string, error) {
		out, err := cfg.GetAggregateConformancePackComplianceSummary(ctx, &configservice.GetAggregateConformancePackComplianceSummaryInput{
			ConfigurationAggregatorName: aws.String("organization"), GroupByKey: cfgtypes.AggregateConformancePackComplianceSummaryGroupKeyAccountId, Limit: 2, NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		if aws.ToString(out.GroupByKey) != "ACCOUNT_ID" {
			t.Errorf("GetAggregateConformancePackComplianceSummary: GroupByKey %q", aws.ToString(out.GroupByKey))
		}
		return out.AggregateConformancePackComplianceSummaries, out.NextToken, nil
	})
	gotGroups := map[string]string{}
	for _, g := range groups {
		if g.ComplianceSummary == nil {
			t.Errorf("pack summary group %s without counts", aws.ToString(g.GroupName))
			continue
		}
		gotGroups[aws.ToString(g.GroupName)] = fmt.Sprintf("%d/%d", g.ComplianceSummary.CompliantConformancePackCount, g.ComplianceSummary.NonCompliantConformancePackCount)
	}
	wantMap(t, "GetAggregateConformancePackComplianceSummary by account", gotGroups, map[string]string{mgmt.id: "1/0", m1.id: "0/1", m2.id: "0/1", m3.id: "0/1"})

	// An update that excludes m2: UPDATE_IN_PROGRESS, then UPDATE_SUCCESSFUL; m2 loses its pack.
	if _, err := putOrgPack(cfg, "baseline", packTemplate, m2.id); err != nil {
		t.Fatalf("PutOrganizationConformancePack (update): %v", err)
	}
	wantSeq(t, "organization pack update", e.waitStates(func() string { return e.orgPackState(cfg, "baseline") }), "UPDATE_IN_PROGRESS", "UPDATE_SUCCESSFUL")
	remaining := []aggAccount{mgmt, m1, m3}
	wantMap(t, "organization pack detailed status after the update", orgPackDetailStatus(e.orgPackDetail(cfg, "baseline")), allIn("UPDATE_SUCCESSFUL", remaining...))
	e.noPack(e.config(m2, "us-east-1"), "the account excluded by the update", memberPacks[m2.id])
	for _, r := range memberRules[m2.id] {
		e.noRule(e.config(m2, "us-east-1"), "the account excluded by the update", r)
	}
	for _, a := range remaining {
		if got := e.packState(e.config(a, "us-east-1"), memberPacks[a.id]); got != "CREATE_COMPLETE" {
			t.Errorf("%s: member pack state %s after the update, want CREATE_COMPLETE", a.id, got)
		}
	}

	// The deletion: DELETE_IN_PROGRESS, then gone, with every member pack and its rules.
	if _, err := cfg.DeleteOrganizationConformancePack(ctx, &configservice.DeleteOrganizationConformancePackInput{OrganizationConformancePackName: aws.String("baseline")}); err != nil {
		t.Fatalf("DeleteOrganizationConformancePack: %v", err)
	}
	wantSeq(t, "organization pack deletion", e.waitStates(func() string { return e.orgPackState(cfg, "baseline") }), "DELETE_IN_PROGRESS", gone)
	_, err = cfg.DescribeOrganizationConformancePacks(ctx, &configservice.DescribeOrganizationConformancePacksInput{OrganizationConformancePackNames: []string{"baseline"}})
	e2etest.APIError(t, err, "NoSuchOrganizationConformancePackException", 400)
	for _, a := range remaining {
		ac := e.config(a, "us-east-1")
		e.noPack(ac, a.id+" after the deletion", memberPacks[a.id])
		for _, r := range memberRules[a.id] {
			e.noRule(ac, a.id+" after the deletion", r)
		}
	}
}
