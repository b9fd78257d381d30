package console_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/orgconfig/orgconfig/internal/server"
	"github.com/orgconfig/orgconfig/internal/testserver"
)

const (
	pagesRegion  = "us-east-1"
	pagesOther   = "eu-west-1"
	droneType    = "Acme::Drone::Drone"
	partType     = "Acme::Drone::Part"
	droneRule    = "drones-registered"
	managedRule  = "s3-versioning"
	pagesPack    = "drone-pack"
	pagesAgg     = "fleet"
	dronesPolicy = `rule drone_registered when resourceType == "Acme::Drone::Drone" {
    configuration.registered == true <<drones must be registered>>
}`
	dronePack = `Resources:
  PackRule:
    Type: AWS::Config::ConfigRule
    Properties:
      ConfigRuleName: pack-bucket-versioning
      Scope:
        ComplianceResourceTypes:
          - AWS::S3::Bucket
      Source:
        Owner: AWS
        SourceIdentifier: S3_BUCKET_VERSIONING_ENABLED
`
)

// consoleUser is a browser signed in to the console: it keeps cookies and does not follow
// redirects.
type consoleUser struct {
	t      *testing.T
	base   string
	client *http.Client
}

var (
	signinCSRF   = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	columnHeader = regexp.MustCompile(`<th[ >]`)
)

// signInConsole signs in over HTTP as a browser does: the sign-in form's cookie and hidden
// token, then the form posted from the console's origin.
func signInConsole(t *testing.T, endpoint, akid, secret, region string) *consoleUser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	u := &consoleUser{t: t, base: endpoint, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	status, body := u.get("/console/signin")
	if status != http.StatusOK {
		t.Fatalf("GET /console/signin: %d", status)
	}
	m := signinCSRF.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the sign-in form has no csrf field:\n%s", body)
	}
	form := url.Values{"access_key_id": {akid}, "secret_access_key": {secret}, "region": {region}, "csrf": {m[1]}}
	req, err := http.NewRequest(http.MethodPost, endpoint+"/console/signin", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", endpoint)
	resp, err := u.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/" {
		t.Fatalf("POST /console/signin: %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return u
}

func (u *consoleUser) get(path string) (int, string) {
	u.t.Helper()
	resp, err := u.client.Get(u.base + path)
	if err != nil {
		u.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		u.t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode, string(b)
}

// page gets a page that must answer 200 and contain every string of want; it checks the rules
// every page keeps (no inline style or script, column headers with a scope).
func (u *consoleUser) page(path string, want ...string) string {
	u.t.Helper()
	status, body := u.get(path)
	if status != http.StatusOK {
		u.t.Fatalf("GET %s: status %d\n%s", path, status, body)
	}
	for _, w := range want {
		if !strings.Contains(body, w) {
			u.t.Errorf("GET %s: the page lacks %q\n%s", path, w, body)
		}
	}
	if strings.Contains(body, "style=") || strings.Count(body, "<script") != 1 {
		u.t.Errorf("GET %s: inline style or script", path)
	}
	if len(columnHeader.FindAllString(body, -1)) != strings.Count(body, `<th scope="col"`) {
		u.t.Errorf("GET %s: a column header without scope", path)
	}
	return body
}

// pagesEnv records drones (one with two versions), parts enough for two pages, a drone in a
// second region, a managed rule, a Guard rule with results, a conformance pack and an
// aggregator of the account's two regions.
func pagesEnv(t *testing.T) *testserver.Server {
	ts := testserver.Start(t, func(o *server.Options) { o.NoJobLoop = true })
	ctx := context.Background()
	run := func() {
		t.Helper()
		if _, err := ts.Jobs().RunDue(ctx); err != nil {
			t.Fatalf("RunDue: %v", err)
		}
	}
	record := func(region string) *configservice.Client {
		cfg := configservice.NewFromConfig(ts.Config(region))
		testserver.StartRecording(t, cfg, testserver.AccountID, &cfgtypes.RecordingGroup{AllSupported: true, IncludeGlobalResourceTypes: region == pagesRegion})
		return cfg
	}
	put := func(cfg *configservice.Client, typ, id, conf string) {
		t.Helper()
		if _, err := cfg.PutResourceConfig(ctx, &configservice.PutResourceConfigInput{
			ResourceType: aws.String(typ), SchemaVersionId: aws.String("00000001"), ResourceId: aws.String(id),
			ResourceName: aws.String("name-" + id), Configuration: aws.String(conf), Tags: map[string]string{"team": "fleet"},
		}); err != nil {
			t.Fatalf("PutResourceConfig %s %s: %v", typ, id, err)
		}
	}
	cfg := record(pagesRegion)
	other := record(pagesOther)
	for _, r := range []cfgtypes.ConfigRule{
		{ConfigRuleName: aws.String(managedRule), Description: aws.String("Buckets keep their versions."),
			Scope:  &cfgtypes.Scope{ComplianceResourceTypes: []string{"AWS::S3::Bucket"}},
			Source: &cfgtypes.Source{Owner: cfgtypes.OwnerAws, SourceIdentifier: aws.String("S3_BUCKET_VERSIONING_ENABLED")}},
		{ConfigRuleName: aws.String(droneRule),
			Scope: &cfgtypes.Scope{ComplianceResourceTypes: []string{droneType}},
			Source: &cfgtypes.Source{Owner: cfgtypes.OwnerCustomPolicy,
				SourceDetails:       []cfgtypes.SourceDetail{{EventSource: cfgtypes.EventSourceAwsConfig, MessageType: cfgtypes.MessageTypeConfigurationItemChangeNotification}},
				CustomPolicyDetails: &cfgtypes.CustomPolicyDetails{PolicyRuntime: aws.String("guard-2.x.x"), PolicyText: aws.String(dronesPolicy)}}},
	} {
		if _, err := cfg.PutConfigRule(ctx, &configservice.PutConfigRuleInput{ConfigRule: &r}); err != nil {
			t.Fatalf("PutConfigRule %s: %v", aws.ToString(r.ConfigRuleName), err)
		}
	}
	run()
	put(cfg, droneType, "d1", `{"registered":false,"size":1}`)
	put(cfg, droneType, "d1", `{"registered":false,"size":2}`)
	put(cfg, droneType, "d2", `{"registered":true,"size":1}`)
	for i := range 103 {
		put(cfg, partType, fmt.Sprintf("p%03d", i), `{"part":true}`)
	}
	put(other, droneType, "far", `{"registered":true}`)
	if _, err := cfg.PutConformancePack(ctx, &configservice.PutConformancePackInput{ConformancePackName: aws.String(pagesPack), TemplateBody: aws.String(dronePack)}); err != nil {
		t.Fatalf("PutConformancePack: %v", err)
	}
	if _, err := cfg.PutConfigurationAggregator(ctx, &configservice.PutConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String(pagesAgg),
		AccountAggregationSources: []cfgtypes.AccountAggregationSource{{AccountIds: []string{testserver.AccountID}, AwsRegions: []string{pagesRegion, pagesOther}}}}); err != nil {
		t.Fatalf("PutConfigurationAggregator: %v", err)
	}
	run()
	run()
	return ts
}

func TestRulesAndResourcePages(t *testing.T) {
	ts := pagesEnv(t)
	u := signInConsole(t, ts.Endpoint, testserver.AccessKey, testserver.SecretKey, pagesRegion)
	droneQ := "type=" + url.QueryEscape(droneType)

	t.Run("ResourceInventory", func(t *testing.T) {
		body := u.page("/console/config/resources?"+droneQ,
			"Resource inventory", droneType, partType, `aria-current="true">`+droneType+`</a>`,
			`href="/console/config/resource?id=d1&amp;type=Acme%3A%3ADrone%3A%3ADrone"`, "name-d1", "d2")
		if strings.Contains(body, "Next page") {
			t.Errorf("two drones have a next page")
		}
		// Parts: a hundred on the first page, the other three on the second, which is the last.
		body = u.page("/console/config/resources?type="+url.QueryEscape(partType), "p000", "p099", "Next page")
		if strings.Contains(body, "p100") {
			t.Errorf("the first page shows p100")
		}
		next := regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(body)
		if next == nil {
			t.Fatalf("no next page link")
		}
		body = u.page(strings.ReplaceAll(next[1], "&amp;", "&"), "p100", "p102", "First page")
		if strings.Contains(body, "p099") || strings.Contains(body, "Next page") {
			t.Errorf("the last page repeats p099 or has a next page")
		}
		// The resource types of the session's region only; the aggregator adds the other region.
		if strings.Contains(u.page("/console/config/resources?"+droneQ), ">far<") {
			t.Errorf("a drone of %s listed in %s", pagesOther, pagesRegion)
		}
		u.page("/console/config/resources?aggregator="+pagesAgg+"&"+droneQ,
			`<option value="fleet" selected>`, ">far<", ">d1<", pagesOther,
			`href="/console/config/resource?account=`+testserver.AccountID+`&amp;aggregator=fleet&amp;id=far&amp;region=eu-west-1&amp;type=Acme%3A%3ADrone%3A%3ADrone"`)
		body = u.page("/console/config/resources?aggregator="+pagesAgg+"&region="+pagesOther+"&"+droneQ, ">far<")
		if strings.Contains(body, ">d1<") {
			t.Errorf("the region filter keeps d1 of %s", pagesRegion)
		}
	})

	t.Run("ResourceTimelineAndDiff", func(t *testing.T) {
		body := u.page("/console/config/resource?"+droneQ+"&id=d1",
			"Resource timeline", "Resource details", `class="diff"`, `<span class="del">-     &#34;size&#34;: 1</span>`,
			`<span class="add">+     &#34;size&#34;: 2</span>`, `<span class="add">+   &#34;configurationItemStatus&#34;: &#34;OK&#34;</span>`,
			"2 lines added", "2 lines removed", "name-d1", `&#34;team&#34;: &#34;fleet&#34;`)
		states := regexp.MustCompile(`data-state="([^"]+)"`).FindAllStringSubmatch(body, -1)
		if len(states) != 2 {
			t.Fatalf("timeline of %d versions, want 2", len(states))
		}
		newest, oldest := states[0][1], states[1][1]
		if !strings.Contains(body, `<li aria-current="true" data-state="`+newest+`"`) {
			t.Errorf("the newest version is not the one shown")
		}
		// The oldest version alone has nothing before it; compared the other way, the diff turns.
		u.page("/console/config/resource?"+droneQ+"&id=d1&b="+oldest, "the oldest one in the timeline", `&#34;size&#34;: 1`)
		u.page("/console/config/resource?"+droneQ+"&id=d1&a="+newest+"&b="+oldest, `<span class="del">-     &#34;size&#34;: 2</span>`)
		if status, _ := u.get("/console/config/resource?" + droneQ + "&id=d1&b=nope"); status != http.StatusNotFound {
			t.Errorf("unknown version: status %d, want 404", status)
		}
		body = u.page("/console/config/resource?"+droneQ+"&id=d2", "only recorded version")
		if strings.Contains(body, `class="diff"`) {
			t.Errorf("a single version shows a diff")
		}
		if status, _ := u.get("/console/config/resource?" + droneQ); status != http.StatusBadRequest {
			t.Errorf("no resource ID: status %d, want 400", status)
		}
		// Through the aggregator: the session's own account and region keep the timeline; another
		// region's history stays in its source.
		u.page("/console/config/resource?"+droneQ+"&id=d1&aggregator="+pagesAgg+"&account="+testserver.AccountID+"&region="+pagesRegion,
			"Resource timeline", `class="diff"`)
		body = u.page("/console/config/resource?"+droneQ+"&id=far&aggregator="+pagesAgg+"&account="+testserver.AccountID+"&region="+pagesOther,
			"kept in its source account", "Configuration", `&#34;registered&#34;: true`)
		if strings.Contains(body, "<ol class=\"timeline\"") {
			t.Errorf("a resource of another region shows a timeline")
		}
	})

	t.Run("Rules", func(t *testing.T) {
		u.page("/console/config/rules",
			"<h1>Rules</h1>", `href="/console/config/rules/drones-registered"`, `href="/console/config/rules/s3-versioning"`,
			"1 Noncompliant resource", "S3_BUCKET_VERSIONING_ENABLED", "Custom policy (Guard)", "guard-2.x.x", "Configuration changes",
			`href="/console/config/organization-rules"`, `href="/console/config/conformance-packs"`, "Buckets keep their versions.")
		body := u.page("/console/config/rules/"+droneRule,
			"Rule details", "Evaluation status", "Resources in scope", ">d1</a>", ">d2</a>", "drones must be registered", "Noncompliant", "Compliant", "1 Noncompliant resource")
		if !strings.Contains(body, `href="/console/config/resource?id=d1&amp;type=Acme%3A%3ADrone%3A%3ADrone"`) {
			t.Errorf("the result does not link to the resource")
		}
		body = u.page("/console/config/rules/"+droneRule+"?compliance=NON_COMPLIANT", ">d1</a>", `<option value="NON_COMPLIANT" selected>`)
		if strings.Contains(body, ">d2</a>") {
			t.Errorf("the noncompliant filter shows d2")
		}
		u.page("/console/config/rules/"+managedRule, "S3_BUCKET_VERSIONING_ENABLED", "AWS::S3::Bucket", "No results reported.")
		if status, body := u.get("/console/config/rules/nope"); status != http.StatusNotFound || !strings.Contains(body, "NoSuchConfigRuleException") {
			t.Errorf("unknown rule: status %d\n%s", status, body)
		}
		if status, _ := u.get("/console/config/rules/" + droneRule + "?compliance=BOGUS"); status != http.StatusBadRequest {
			t.Errorf("unknown filter: status %d, want 400", status)
		}
	})

	t.Run("OrganizationRules", func(t *testing.T) {
		// The account is in no organization: the API's answer shows on the page.
		u.page("/console/config/organization-rules", "<h1>Organization rules</h1>", "OrganizationAccessDeniedException")
		u.page("/console/config/organization-rules?rule=x", "OrganizationAccessDeniedException")
	})

	t.Run("ConformancePacks", func(t *testing.T) {
		body := u.page("/console/config/conformance-packs",
			"<h1>Conformance packs</h1>", pagesPack, `href="/console/config/rules/pack-bucket-versioning`, "Organization conformance packs",
			"OrganizationAccessDeniedException")
		if !strings.Contains(body, `data-status="CREATE_COMPLETE"`) {
			t.Errorf("the pack is not deployed:\n%s", body)
		}
	})

	t.Run("InAnOrganization", func(t *testing.T) {
		// The account creates an organization and deploys an organization rule and pack to it.
		ctx := context.Background()
		if _, err := organizations.NewFromConfig(ts.Config(pagesRegion)).CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
			t.Fatalf("CreateOrganization: %v", err)
		}
		cfg := configservice.NewFromConfig(ts.Config(pagesRegion))
		if _, err := cfg.PutOrganizationConfigRule(ctx, &configservice.PutOrganizationConfigRuleInput{
			OrganizationConfigRuleName: aws.String("org-required-tags"),
			OrganizationManagedRuleMetadata: &cfgtypes.OrganizationManagedRuleMetadata{
				RuleIdentifier: aws.String("REQUIRED_TAGS"), InputParameters: aws.String(`{"tag1Key":"team"}`), ResourceTypesScope: []string{"AWS::S3::Bucket"},
			},
		}); err != nil {
			t.Fatalf("PutOrganizationConfigRule: %v", err)
		}
		if _, err := cfg.PutOrganizationConformancePack(ctx, &configservice.PutOrganizationConformancePackInput{
			OrganizationConformancePackName: aws.String("org-pack"), TemplateBody: aws.String(dronePack)}); err != nil {
			t.Fatalf("PutOrganizationConformancePack: %v", err)
		}
		for range 3 {
			if _, err := ts.Jobs().RunDue(ctx); err != nil {
				t.Fatalf("RunDue: %v", err)
			}
		}
		body := u.page("/console/config/organization-rules", `data-rule="org-required-tags"`, "REQUIRED_TAGS", "AWS managed",
			`href="/console/config/organization-rules?rule=org-required-tags#members"`)
		if strings.Contains(body, "OrganizationAccessDeniedException") || !strings.Contains(body, `data-status="CREATE_SUCCESSFUL"`) {
			t.Errorf("organization rules:\n%s", body)
		}
		body = u.page("/console/config/organization-rules?rule=org-required-tags", "Member account status: org-required-tags", "<code>"+testserver.AccountID+"</code>")
		if !strings.Contains(body, `id="member-status"`) || strings.Contains(body, "No member account has a status") {
			t.Errorf("member account status:\n%s", body)
		}
		body = u.page("/console/config/conformance-packs", `data-pack="org-pack"`, pagesPack)
		if strings.Contains(body, "OrganizationAccessDeniedException") {
			t.Errorf("the organization packs section shows an error:\n%s", body)
		}
	})
}
