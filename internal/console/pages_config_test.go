package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/orgconfig/orgconfig/internal/testserver"
)

// TestAggregatorAndQueryPages: the aggregator form's errors are the API's, an account aggregator
// shows its unauthorized source with AWS's error code, and the query editor shows results, the
// API's error for a bad expression, and a CSV of every page.
func TestAggregatorAndQueryPages(t *testing.T) {
	srv := testserver.Start(t)
	ctx := context.Background()
	cfg := configservice.NewFromConfig(srv.Config("us-east-1"))
	testserver.StartRecording(t, cfg, testserver.AccountID, &cfgtypes.RecordingGroup{AllSupported: true})
	for _, id := range []string{"w1", "w2", "w3"} {
		if _, err := cfg.PutResourceConfig(ctx, &configservice.PutResourceConfigInput{ResourceType: aws.String("Acme::Shop::Widget"), SchemaVersionId: aws.String("1"),
			ResourceId: aws.String(id), ResourceName: aws.String("widget " + id), Configuration: aws.String(`{"size":1}`)}); err != nil {
			t.Fatal(err)
		}
	}

	b := newBrowser(t, srv.Endpoint)
	csrf := b.signIn(testserver.AccessKey, testserver.SecretKey)

	// A bad account ID: the API's validation error, on the form, which keeps what was typed.
	form := url.Values{"csrf": {csrf}, "name": {"partners"}, "source": {"accounts"}, "accounts": {"12345"}, "regions": {"us-east-1"}}
	status, _, body := b.do("POST", "/console/config/aggregators", form, nil)
	if status != http.StatusBadRequest || !strings.Contains(body, "ValidationException") || !strings.Contains(body, `value="partners"`) {
		t.Errorf("bad account ID: %d\n%s", status, body)
	}
	// A well-formed account that has not authorized the aggregator: created, and its source
	// FAILED with AUTHORIZATION_NOT_FOUND on the dashboard; the own account SUCCEEDED.
	form.Set("accounts", "222222222222, "+testserver.AccountID)
	status, h, body := b.do("POST", "/console/config/aggregators", form, nil)
	if status != http.StatusSeeOther || h.Get("Location") != "/console/config/aggregators/partners" {
		t.Fatalf("create aggregator: %d %s\n%s", status, h.Get("Location"), body)
	}
	status, _, body = b.do("GET", "/console/config/aggregators/partners", nil, nil)
	if status != http.StatusOK || !strings.Contains(body, "AUTHORIZATION_NOT_FOUND") || !strings.Contains(body, `data-status="SUCCEEDED"`) || !strings.Contains(body, `data-status="FAILED"`) {
		t.Errorf("dashboard: %d\n%s", status, body)
	}
	// The source panel refreshes alone.
	status, _, body = b.do("GET", "/console/config/aggregators/partners/sources", nil, map[string]string{"HX-Request": "true", "HX-Target": "sources"})
	if status != http.StatusOK || !strings.HasPrefix(strings.TrimSpace(body), `<section id="sources"`) {
		t.Errorf("sources fragment: %d\n%s", status, body)
	}
	// An aggregator that does not exist: the API's error and status.
	if status, _, body := b.do("GET", "/console/config/aggregators/nope", nil, nil); status != http.StatusBadRequest || !strings.Contains(body, "NoSuchConfigurationAggregatorException") {
		t.Errorf("missing aggregator: %d\n%s", status, body)
	}

	// The query editor: results for htmx, the API's error for a bad expression, CSV.
	hx := map[string]string{"HX-Request": "true", "HX-Target": "results", "X-CSRF-Token": csrf}
	q := url.Values{"expression": {"SELECT resourceId, resourceName WHERE resourceType = 'Acme::Shop::Widget' ORDER BY resourceId"}}
	status, _, body = b.do("POST", "/console/config/query", q, hx)
	if status != http.StatusOK || !strings.HasPrefix(strings.TrimSpace(body), `<section id="results"`) || strings.Count(body, "<td>widget w") != 3 {
		t.Errorf("query: %d\n%s", status, body)
	}
	status, h, body = b.do("POST", "/console/config/query", url.Values{"expression": {"SELECT resourceId WHERE"}}, hx)
	if status != http.StatusBadRequest || !strings.Contains(body, "InvalidExpressionException") || h.Get("HX-Retarget") != "#flash" {
		t.Errorf("bad query: %d %v\n%s", status, h, body)
	}
	status, h, body = b.do("GET", "/console/config/query.csv?"+url.Values{"expression": q["expression"]}.Encode(), nil, nil)
	if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || !strings.Contains(h.Get("Content-Disposition"), "attachment") ||
		body != "resourceId,resourceName\nw1,widget w1\nw2,widget w2\nw3,widget w3\n" {
		t.Errorf("CSV: %d %v\n%q", status, h, body)
	}
}

// TestIAMUserSession: an IAM user signs in with its access key and is held to its policy: a
// read-only Config policy shows the Config pages and refuses to create an aggregator with the
// API's AccessDeniedException.
func TestIAMUserSession(t *testing.T) {
	srv := testserver.Start(t)
	ctx := context.Background()
	ic := iam.NewFromConfig(srv.Config("us-east-1"))
	if _, err := ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("auditor")}); err != nil {
		t.Fatal(err)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["config:Describe*","config:Get*","config:List*","config:Select*","iam:ListRoles"],"Resource":"*"}]}`
	if _, err := ic.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("auditor"), PolicyName: aws.String("read-config"), PolicyDocument: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	key, err := ic.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("auditor")})
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, srv.Endpoint)
	csrf := b.signIn(aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey))
	status, _, body := b.do("GET", "/console/config", nil, nil)
	if status != http.StatusOK || !strings.Contains(body, "arn:aws:iam::"+testserver.AccountID+":user/auditor") {
		t.Errorf("auditor's Config page: %d\n%s", status, body)
	}
	form := url.Values{"csrf": {csrf}, "name": {"mine"}, "source": {"accounts"}, "accounts": {testserver.AccountID}, "regions": {"us-east-1"}}
	status, _, body = b.do("POST", "/console/config/aggregators", form, nil)
	if status != http.StatusForbidden || !strings.Contains(body, "AccessDeniedException") || !strings.Contains(body, "config:PutConfigurationAggregator") {
		t.Errorf("auditor creating an aggregator: %d\n%s", status, body)
	}
}
