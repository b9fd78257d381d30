package browser

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/orgconfig/orgconfig/internal/testserver"
)

const (
	droneType = "Acme::Fleet::Drone"
	ruleName  = "drones-registered"
	guard     = `rule drone_registered when resourceType == "Acme::Fleet::Drone" {
    configuration.registered == true <<drones must be registered>>
}`
	region = "us-east-1"
)

// chromiumPath finds Debian's Chromium (ORGCONFIG_CHROMIUM overrides). Without one the tests
// skip, except under CI=true, where a missing browser is a failure.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("ORGCONFIG_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium: install Debian's chromium package (scripts/test.sh does) or set ORGCONFIG_CHROMIUM")
	}
	t.Skip("no Chromium found (install Debian's chromium package or set ORGCONFIG_CHROMIUM)")
	return ""
}

// artifactDir is where screenshots go: ORGCONFIG_ARTIFACTS, else artifacts/browser at the
// repository's root.
func artifactDir(t *testing.T) string {
	dir := os.Getenv("ORGCONFIG_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "artifacts", "browser")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("artifacts: %v", err)
	}
	return dir
}

// browserCtx starts a fresh headless Chromium (its own profile directory) for one test.
func browserCtx(t *testing.T, downloads string) context.Context {
	t.Helper()
	// The profile is removed after Chromium has exited (t.TempDir could race its last writes).
	profile, err := os.MkdirTemp("", "orgconfig-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.UserDataDir(profile),
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 1000),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(func() {
		_ = chromedp.Cancel(ctx) // closes the browser and waits for it
		cancelTimeout()
		cancel()
		cancelAlloc()
		os.RemoveAll(profile)
	})
	if err := chromedp.Run(ctx, browser.SetDownloadBehavior(browser.SetDownloadBehaviorBehaviorAllow).WithDownloadPath(downloads).WithEventsEnabled(true)); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// shot saves a full-page screenshot as an artifact (and, with ORGCONFIG_UPDATE_SCREENSHOTS=1,
// as the README's picture of that screen).
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	var png []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(artifactDir(t), name+".png"), png, 0o644); err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if os.Getenv("ORGCONFIG_UPDATE_SCREENSHOTS") == "1" {
		dir := filepath.Join("..", "..", "docs", "screenshots")
		_ = os.MkdirAll(dir, 0o755)
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
	}
}

func run(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(ctx, actions...); err != nil {
		shot(t, ctx, "failure-"+strings.ReplaceAll(what, " ", "-"))
		t.Fatalf("%s: %v", what, err)
	}
}

// text returns the visible text of the first element matching sel.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	var s string
	run(t, ctx, "read "+sel, chromedp.Text(sel, &s, chromedp.ByQuery))
	return s
}

// signIn fills the sign-in form with credentials and waits for the console home.
func signIn(t *testing.T, ctx context.Context, endpoint, akid, secret, token string) {
	t.Helper()
	steps := []chromedp.Action{
		chromedp.Navigate(endpoint + "/console/signin"),
		chromedp.WaitVisible("#akid", chromedp.ByQuery),
		chromedp.SendKeys("#akid", akid, chromedp.ByQuery),
		chromedp.SendKeys("#secret", secret, chromedp.ByQuery),
	}
	if token != "" {
		steps = append(steps, chromedp.SetValue("#token", token, chromedp.ByQuery))
	}
	run(t, ctx, "sign in", append(steps,
		chromedp.Submit("#secret", chromedp.ByQuery),
		chromedp.WaitVisible(`a[href="/console/organizations"]`, chromedp.ByQuery),
	)...)
}

// env is an organization with two members that record drones and evaluate the Guard rule.
type env struct {
	srv     *testserver.Server
	ctx     context.Context
	members []string
	orgID   string
}

func setup(t *testing.T) *env {
	t.Helper()
	srv := testserver.Start(t)
	e := &env{srv: srv, ctx: context.Background()}
	org := organizations.NewFromConfig(srv.Config(region))
	out, err := org.CreateOrganization(e.ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
	if err != nil {
		t.Fatalf("CreateOrganization: %v", err)
	}
	e.orgID = aws.ToString(out.Organization.Id)
	for i := range 2 {
		ca, err := org.CreateAccount(e.ctx, &organizations.CreateAccountInput{AccountName: aws.String(fmt.Sprintf("member-%d", i)), Email: aws.String(fmt.Sprintf("member%d@example.com", i))})
		if err != nil {
			t.Fatalf("CreateAccount: %v", err)
		}
		id := aws.ToString(ca.CreateAccountStatus.Id)
		for deadline := time.Now().Add(30 * time.Second); ; {
			st, err := org.DescribeCreateAccountStatus(e.ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: aws.String(id)})
			if err != nil {
				t.Fatalf("DescribeCreateAccountStatus: %v", err)
			}
			if st.CreateAccountStatus.State == orgtypes.CreateAccountStateSucceeded {
				e.members = append(e.members, aws.ToString(st.CreateAccountStatus.AccountId))
				break
			}
			if st.CreateAccountStatus.State == orgtypes.CreateAccountStateFailed || time.Now().After(deadline) {
				t.Fatalf("CreateAccount: %s", st.CreateAccountStatus.State)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	// Each member records drones in two regions; one drone of each is unregistered.
	for _, acct := range e.members {
		creds := e.assume(t, acct)
		for _, reg := range []string{"us-east-1", "eu-west-1"} {
			cfg := configservice.NewFromConfig(srv.ConfigFor(reg, aws.ToString(creds.AccessKeyId), aws.ToString(creds.SecretAccessKey), aws.ToString(creds.SessionToken)))
			record(t, cfg, acct)
			rule := cfgtypes.ConfigRule{ConfigRuleName: aws.String(ruleName), Scope: &cfgtypes.Scope{ComplianceResourceTypes: []string{droneType}},
				Source: &cfgtypes.Source{Owner: cfgtypes.OwnerCustomPolicy,
					SourceDetails:       []cfgtypes.SourceDetail{{EventSource: cfgtypes.EventSourceAwsConfig, MessageType: cfgtypes.MessageTypeConfigurationItemChangeNotification}},
					CustomPolicyDetails: &cfgtypes.CustomPolicyDetails{PolicyRuntime: aws.String("guard-2.x.x"), PolicyText: aws.String(guard)}}}
			if _, err := cfg.PutConfigRule(e.ctx, &configservice.PutConfigRuleInput{ConfigRule: &rule}); err != nil {
				t.Fatalf("PutConfigRule: %v", err)
			}
			for i, registered := range []bool{true, true, false} {
				_, err := cfg.PutResourceConfig(e.ctx, &configservice.PutResourceConfigInput{ResourceType: aws.String(droneType), SchemaVersionId: aws.String("1"),
					ResourceId: aws.String(fmt.Sprintf("drone-%s-%d", reg, i)), Configuration: aws.String(fmt.Sprintf(`{"registered":%t,"model":"X%d"}`, registered, i))})
				if err != nil {
					t.Fatalf("PutResourceConfig: %v", err)
				}
			}
		}
		// A second version of one drone, for the resource timeline.
		cfg := configservice.NewFromConfig(srv.ConfigFor(region, aws.ToString(creds.AccessKeyId), aws.ToString(creds.SecretAccessKey), aws.ToString(creds.SessionToken)))
		if _, err := cfg.PutResourceConfig(e.ctx, &configservice.PutResourceConfigInput{ResourceType: aws.String(droneType), SchemaVersionId: aws.String("1"),
			ResourceId: aws.String("drone-us-east-1-0"), Configuration: aws.String(`{"registered":true,"model":"X9","firmware":"2.1"}`)}); err != nil {
			t.Fatalf("PutResourceConfig: %v", err)
		}
	}
	return e
}

func (e *env) assume(t *testing.T, acct string) *ststypes.Credentials {
	t.Helper()
	out, err := sts.NewFromConfig(e.srv.Config(region)).AssumeRole(e.ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + acct + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("console-test")})
	if err != nil {
		t.Fatalf("AssumeRole into %s: %v", acct, err)
	}
	return out.Credentials
}

func record(t *testing.T, cfg *configservice.Client, acct string) {
	t.Helper()
	testserver.StartRecording(t, cfg, acct, &cfgtypes.RecordingGroup{AllSupported: true})
}

// TestConsoleMission is the administrator's path through the console: sign in as the management
// account, enable trusted access for AWS Config from Settings, create an organization
// aggregator, watch its sources succeed, read the compliance dashboard, run an advanced query
// and download it as CSV.
func TestConsoleMission(t *testing.T) {
	downloads := t.TempDir()
	ctx := browserCtx(t, downloads)
	e := setup(t)
	base := e.srv.Endpoint

	signIn(t, ctx, base, testserver.AccessKey, testserver.SecretKey, "")
	shot(t, ctx, "home")

	// The organization's tree shows the members.
	run(t, ctx, "organization tree", chromedp.Navigate(base+"/console/organizations"), chromedp.WaitVisible(".tree", chromedp.ByQuery))
	tree := text(t, ctx, ".tree")
	for _, m := range e.members {
		if !strings.Contains(tree, m) {
			t.Errorf("the tree does not show member %s:\n%s", m, tree)
		}
	}
	shot(t, ctx, "organizations")

	// Add an account and watch its status page (it polls itself) reach SUCCEEDED.
	run(t, ctx, "create account",
		chromedp.Navigate(base+"/console/organizations/accounts/new"),
		chromedp.WaitVisible("#name", chromedp.ByQuery),
		chromedp.SendKeys("#name", "audit", chromedp.ByQuery),
		chromedp.SendKeys("#email", "audit@example.com", chromedp.ByQuery),
		chromedp.Submit("#email", chromedp.ByQuery),
		chromedp.WaitVisible(`#status [data-state="SUCCEEDED"]`, chromedp.ByQuery),
	)
	shot(t, ctx, "account-created")

	// Settings: enable trusted access for AWS Config with the keyboard-reachable button.
	enable := `button[aria-label="Enable access for config.amazonaws.com"]`
	run(t, ctx, "enable trusted access",
		chromedp.Navigate(base+"/console/organizations/settings"),
		chromedp.WaitVisible(enable, chromedp.ByQuery),
		chromedp.Click(enable, chromedp.ByQuery),
		chromedp.WaitVisible(`button[aria-label="Disable access for config.amazonaws.com"]`, chromedp.ByQuery),
	)
	if got := text(t, ctx, `tr[data-principal="config.amazonaws.com"]`); !strings.Contains(got, "Access enabled") {
		t.Errorf("config.amazonaws.com row after Enable access: %q", got)
	}
	shot(t, ctx, "settings-trusted-access")
	enabled := false
	out, err := organizations.NewFromConfig(e.srv.Config(region)).ListAWSServiceAccessForOrganization(e.ctx, &organizations.ListAWSServiceAccessForOrganizationInput{})
	if err != nil {
		t.Fatalf("ListAWSServiceAccessForOrganization: %v", err)
	}
	for _, p := range out.EnabledServicePrincipals {
		enabled = enabled || aws.ToString(p.ServicePrincipal) == "config.amazonaws.com"
	}
	if !enabled {
		t.Fatal("the API does not list config.amazonaws.com after Enable access")
	}

	// Create the organization aggregator: the organization, all regions, a new role.
	run(t, ctx, "create aggregator",
		chromedp.Navigate(base+"/console/config/aggregators/new"),
		chromedp.WaitVisible("#agg-name", chromedp.ByQuery),
		chromedp.SendKeys("#agg-name", "org-aggregator", chromedp.ByQuery),
		chromedp.Click(`input[name="source"][value="organization"]`, chromedp.ByQuery),
		chromedp.Click(`input[name="role_choice"][value="create"]`, chromedp.ByQuery),
		chromedp.Submit("#agg-name", chromedp.ByQuery),
		chromedp.WaitVisible("#sources", chromedp.ByQuery),
	)
	// Its sources: SUCCEEDED for every region of the organization source.
	deadline := time.Now().Add(60 * time.Second)
	for {
		var succeeded, all int
		run(t, ctx, "count sources",
			chromedp.Evaluate(`document.querySelectorAll('#source-status [data-status="SUCCEEDED"]').length`, &succeeded),
			chromedp.Evaluate(`document.querySelectorAll('#source-status [data-status]').length`, &all))
		st := text(t, ctx, "#sources > p")
		if all > 0 && succeeded == all {
			break
		}
		if time.Now().After(deadline) {
			shot(t, ctx, "failure-sources")
			t.Fatalf("aggregator sources did not succeed:\n%s", st)
		}
		time.Sleep(time.Second)
		run(t, ctx, "reload dashboard", chromedp.Reload(), chromedp.WaitVisible("#sources", chromedp.ByQuery))
	}

	// The compliance dashboard: the rule is noncompliant in every source (one bad drone each),
	// and the resource counts cover both members in both regions.
	deadline = time.Now().Add(60 * time.Second)
	for {
		rules := text(t, ctx, "#compliance-by-rule")
		if strings.Contains(rules, ruleName) && strings.Contains(rules, "4") {
			break
		}
		if time.Now().After(deadline) {
			shot(t, ctx, "failure-compliance")
			t.Fatalf("the dashboard shows no compliance for %s:\n%s", ruleName, rules)
		}
		time.Sleep(time.Second)
		run(t, ctx, "reload dashboard", chromedp.Reload(), chromedp.WaitVisible("#sources", chromedp.ByQuery))
	}
	var byType string
	run(t, ctx, "resource counts", chromedp.Text("#resources-by-type", &byType, chromedp.ByQuery))
	if !strings.Contains(byType, droneType) || !strings.Contains(byType, "12") { // 2 members x 2 regions x 3 drones
		t.Errorf("resource counts by type do not show 12 drones: %q", byType)
	}
	shot(t, ctx, "aggregator-dashboard")

	// Advanced query over the aggregator, then CSV. (A custom type's configuration is not
	// queryable in AWS's dialect; its top-level properties are.)
	query := "SELECT resourceId, accountId, awsRegion WHERE resourceType = '" + droneType + "' AND awsRegion = 'eu-west-1' ORDER BY resourceId"
	run(t, ctx, "run advanced query",
		chromedp.Navigate(base+"/console/config/query?aggregator=org-aggregator"),
		chromedp.WaitVisible("#q-expr", chromedp.ByQuery),
		chromedp.SetValue("#q-expr", query, chromedp.ByQuery),
		chromedp.Click("#q-run", chromedp.ByQuery),
		chromedp.WaitVisible("#results-table td", chromedp.ByQuery),
		chromedp.WaitVisible("#csv-download", chromedp.ByQuery),
	)
	results := text(t, ctx, "#results-table")
	if n := strings.Count(results, "drone-eu-west-1-"); n != 6 {
		t.Errorf("query results show %d drones, want the 6 in eu-west-1:\n%s", n, results)
	}
	shot(t, ctx, "advanced-query")

	done := make(chan struct{}, 1)
	chromedp.ListenTarget(ctx, func(ev any) {
		if e, ok := ev.(*browser.EventDownloadProgress); ok && e.State == browser.DownloadProgressStateCompleted {
			select {
			case done <- struct{}{}:
			default:
			}
		}
	})
	run(t, ctx, "download CSV", chromedp.Click("#csv-download", chromedp.ByQuery))
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the CSV download did not complete")
	}
	csvBody, err := os.ReadFile(filepath.Join(downloads, "query-results.csv"))
	if err != nil {
		matches, _ := filepath.Glob(filepath.Join(downloads, "*"))
		t.Fatalf("read the downloaded CSV: %v (downloads: %v)", err, matches)
	}
	lines := strings.Split(strings.TrimSpace(string(csvBody)), "\n")
	if len(lines) != 7 || lines[0] != "resourceId,accountId,awsRegion" {
		t.Errorf("CSV:\n%s", csvBody)
	}
	for i, l := range lines[1:] {
		if want := fmt.Sprintf("drone-eu-west-1-%d,", i/2); !strings.HasPrefix(l, want) || !strings.HasSuffix(l, ",eu-west-1") {
			t.Errorf("CSV row %q, want %s...,eu-west-1", l, want)
		}
	}
	_ = os.WriteFile(filepath.Join(artifactDir(t), "query-results.csv"), csvBody, 0o644)
}

// TestConsoleRefusals: a member's session cannot reach the management account's pages or
// actions; forged cookies are refused; a form posted from another site is refused.
func TestConsoleRefusals(t *testing.T) {
	ctx := browserCtx(t, t.TempDir())
	e := setup(t)
	base := e.srv.Endpoint

	// A member signs in with an assumed role's temporary credentials.
	creds := e.assume(t, e.members[0])
	signIn(t, ctx, base, aws.ToString(creds.AccessKeyId), aws.ToString(creds.SecretAccessKey), aws.ToString(creds.SessionToken))
	if who := text(t, ctx, ".identity"); !strings.Contains(who, "assumed-role/OrganizationAccountAccessRole") {
		t.Errorf("identity shown: %q", who)
	}
	for _, page := range []string{"/console/organizations", "/console/organizations/settings"} {
		run(t, ctx, "member opens "+page, chromedp.Navigate(base+page), chromedp.WaitVisible("#flash .error", chromedp.ByQuery))
		got := text(t, ctx, "#flash .error")
		if !strings.Contains(got, "AccessDeniedException") || !strings.Contains(got, "You don't have permissions to access this resource.") {
			t.Errorf("member on %s sees %q, want AWS's access-denied message", page, got)
		}
	}
	shot(t, ctx, "member-access-denied")

	// The member's own AWS Config pages work: its rules, and a resource's timeline with the
	// difference between its two versions.
	run(t, ctx, "member rules", chromedp.Navigate(base+"/console/config/rules"), chromedp.WaitVisible("main table", chromedp.ByQuery))
	if got := text(t, ctx, "main"); !strings.Contains(got, ruleName) {
		t.Errorf("member's rules page does not list %s:\n%s", ruleName, got)
	}
	shot(t, ctx, "rules")
	run(t, ctx, "resource timeline",
		chromedp.Navigate(base+"/console/config/resource?type="+droneType+"&id=drone-us-east-1-0"),
		chromedp.WaitVisible("#diff", chromedp.ByQuery))
	if got := text(t, ctx, "#diff"); !strings.Contains(got, "+") || !strings.Contains(got, "X9") || !strings.Contains(got, "firmware") {
		t.Errorf("resource diff:\n%s", got)
	}
	shot(t, ctx, "resource-timeline")

	// The member posts the management account's action with its own valid session and token:
	// the API refuses it.
	var csrf string
	run(t, ctx, "read token", chromedp.Navigate(base+"/console/"), chromedp.AttributeValue(`input[name="csrf"]`, "value", &csrf, nil, chromedp.ByQuery))
	res := postInPage(t, ctx, "/console/organizations/settings/trusted-access", "csrf="+csrf+"&principal=config.amazonaws.com&action=enable")
	if !strings.Contains(res, "403") || !strings.Contains(res, "AccessDeniedException") {
		t.Errorf("member enabling trusted access: %s", res)
	}

	// A cross-site form post: a page on another origin submits the form with the browser's
	// cookie. The console refuses it before anything runs.
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><form id="f" method="post" action="%s/console/organizations/settings/trusted-access">
<input name="principal" value="config.amazonaws.com"><input name="action" value="disable"><input name="csrf" value="%s"></form>
<button id="go" onclick="document.getElementById('f').submit()">go</button>`, base, csrf)
	}))
	defer evil.Close()
	run(t, ctx, "cross-site post",
		// Same site (127.0.0.1), another origin (port): the SameSite cookie goes along, so the
		// console's own origin check is what refuses it.
		chromedp.Navigate(evil.URL),
		chromedp.Click("#go", chromedp.ByQuery),
		chromedp.WaitVisible("#flash .error", chromedp.ByQuery),
	)
	if got := text(t, ctx, "#flash .error"); !strings.Contains(got, "CrossSiteRequestRefused") {
		t.Errorf("cross-site post answered %q", got)
	}
	shot(t, ctx, "cross-site-refused")

	// A forged cookie is refused: the console sends the browser to sign in again.
	u := strings.TrimPrefix(base, "http://")
	host := u[:strings.LastIndex(u, ":")]
	run(t, ctx, "forge cookie",
		network.SetCookie("orgconfig_session", "eyJrIjoiQUtJQUZPUkdFRCJ9").WithDomain(host).WithPath("/console"),
		chromedp.Navigate(base+"/console/config"),
		chromedp.WaitVisible("#akid", chromedp.ByQuery),
	)
	if got := text(t, ctx, ".signin"); !strings.Contains(got, "was not valid") {
		t.Errorf("forged cookie: sign-in page says %q", got)
	}
}

// postInPage posts a form body from the page with fetch (same origin) and returns
// "status body".
func postInPage(t *testing.T, ctx context.Context, path, body string) string {
	t.Helper()
	var res string
	js := fmt.Sprintf(`fetch(%q, {method: "POST", headers: {"Content-Type": "application/x-www-form-urlencoded"}, body: %q}).then(r => r.text().then(b => r.status + " " + b))`, path, body)
	run(t, ctx, "post "+path, chromedp.Evaluate(js, &res, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
	return res
}
