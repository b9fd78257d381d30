package e2e

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orgconfig/orgconfig/tests/e2e/e2etest"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgconfig/orgconfig/internal/server"
	"github.com/orgconfig/orgconfig/internal/testserver"
)

func testGetCallerIdentityRoot(t *testing.T, backend testserver.Option) {
	srv := testserver.Start(t, backend)
	out, err := sts.NewFromConfig(srv.Config("us-east-1")).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(out.Arn), "arn:aws:iam::"+testserver.AccountID+":root"; got != want {
		t.Errorf("Arn = %s, want %s", got, want)
	}
	if aws.ToString(out.Account) != testserver.AccountID || aws.ToString(out.UserId) != testserver.AccountID {
		t.Errorf("Account/UserId = %s/%s", aws.ToString(out.Account), aws.ToString(out.UserId))
	}
	// Global services accept any region in the credential scope.
	if _, err := sts.NewFromConfig(srv.Config("eu-west-3")).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
}

// skewedSigner signs as if the client's clock were behind by skew.
type skewedSigner struct {
	*v4.Signer
	skew time.Duration
}

func (s skewedSigner) SignHTTP(ctx context.Context, c aws.Credentials, r *http.Request, hash, service, region string, t time.Time, fns ...func(*v4.SignerOptions)) error {
	return s.Signer.SignHTTP(ctx, c, r, hash, service, region, t.Add(-s.skew), fns...)
}

// TestAuthenticationFailures checks AWS's error for each kind of bad signature, on a Query
// service (STS) and on a JSON service (AWS Config).
func testAuthenticationFailures(t *testing.T, backend testserver.Option) {
	srv := testserver.Start(t, backend)
	ctx := context.Background()
	type client struct {
		name string
		call func(cfg aws.Config, signer *skewedSigner) error
		// codes: wrong secret, unknown key, missing signature, expired
		codes [4]string
	}
	clients := []client{
		{"sts", func(cfg aws.Config, s *skewedSigner) error {
			_, err := sts.NewFromConfig(cfg, func(o *sts.Options) {
				if s != nil {
					o.HTTPSignerV4 = s
				}
			}).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		}, [4]string{"SignatureDoesNotMatch", "InvalidClientTokenId", "MissingAuthenticationToken", "SignatureDoesNotMatch"}},
		{"config", func(cfg aws.Config, s *skewedSigner) error {
			_, err := configservice.NewFromConfig(cfg, func(o *configservice.Options) {
				if s != nil {
					o.HTTPSignerV4 = s
				}
			}).DescribeConfigurationAggregators(ctx, &configservice.DescribeConfigurationAggregatorsInput{})
			return err
		}, [4]string{"InvalidSignatureException", "UnrecognizedClientException", "MissingAuthenticationTokenException", "InvalidSignatureException"}},
	}
	for _, c := range clients {
		t.Run(c.name, func(t *testing.T) {
			wrong := srv.ConfigFor("us-east-1", testserver.AccessKey, "not-the-secret", "")
			e2etest.APIError(t, c.call(wrong, nil), c.codes[0], 403)

			unknown := srv.ConfigFor("us-east-1", "AKIAUNKNOWNKEY000000", testserver.SecretKey, "")
			e2etest.APIError(t, c.call(unknown, nil), c.codes[1], 403)

			anon := srv.Config("us-east-1")
			anon.Credentials = aws.AnonymousCredentials{}
			e2etest.APIError(t, c.call(anon, nil), c.codes[2], 403)

			old := srv.Config("us-east-1")
			ae := e2etest.APIError(t, c.call(old, &skewedSigner{Signer: v4.NewSigner(), skew: 20 * time.Minute}), c.codes[3], 403)
			if !strings.Contains(ae.ErrorMessage(), "Signature expired") {
				t.Errorf("expired request message = %q", ae.ErrorMessage())
			}
		})
	}
}

// countingTransport counts the HTTP requests a client sends.
type countingTransport struct {
	n    atomic.Int32
	next http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

// TestUnimplementedOperationFailsAtOnce: an operation of the model that orgconfig does not
// implement yet answers a clear 4xx naming it, so SDKs (with their default retries) do not retry.
func testUnimplementedOperationFailsAtOnce(t *testing.T, backend testserver.Option) {
	srv := testserver.Start(t, backend)
	ctx := context.Background()
	ct := &countingTransport{next: http.DefaultTransport}
	cfg := srv.Config("us-east-1")
	cfg.RetryMaxAttempts = 3
	cfg.HTTPClient = &http.Client{Transport: ct}

	// Every AWS Config and Organizations operation is implemented: the unimplemented ones are
	// in STS and IAM (Query protocol).
	_, err := sts.NewFromConfig(cfg).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("deployer")})
	ae := e2etest.APIError(t, err, "NotImplemented", 400)
	if !strings.Contains(ae.ErrorMessage(), "GetFederationToken") {
		t.Errorf("message does not name the operation: %q", ae.ErrorMessage())
	}
	if n := ct.n.Load(); n != 1 {
		t.Errorf("client sent %d requests, want 1 (no retry)", n)
	}

	ct.n.Store(0)
	_, err = iam.NewFromConfig(cfg).ListSAMLProviders(ctx, &iam.ListSAMLProvidersInput{})
	ae = e2etest.APIError(t, err, "NotImplemented", 400)
	if !strings.Contains(ae.ErrorMessage(), "ListSAMLProviders") {
		t.Errorf("message does not name the operation: %q", ae.ErrorMessage())
	}
	if n := ct.n.Load(); n != 1 {
		t.Errorf("client sent %d requests, want 1 (no retry)", n)
	}
}

// TestModelValidation: inputs that break a model constraint get the service's validation error.
func testModelValidation(t *testing.T, backend testserver.Option) {
	srv := testserver.Start(t, backend)
	ctx := context.Background()
	cfg := srv.Config("us-east-1")

	// AWS Config: ValidationException naming the member in lowerCamel.
	_, err := configservice.NewFromConfig(cfg).DeleteConfigurationAggregator(ctx, &configservice.DeleteConfigurationAggregatorInput{
		ConfigurationAggregatorName: aws.String("bad name with spaces"),
	})
	ae := e2etest.APIError(t, err, "ValidationException", 400)
	if !strings.Contains(ae.ErrorMessage(), "configurationAggregatorName") || !strings.Contains(ae.ErrorMessage(), "regular expression pattern") {
		t.Errorf("message = %q", ae.ErrorMessage())
	}

	// Organizations: InvalidInputException with a Reason, never ValidationException.
	_, err = organizations.NewFromConfig(cfg).CreateAccount(ctx, &organizations.CreateAccountInput{
		AccountName: aws.String("x"), Email: aws.String("a@b"),
	})
	var iie *orgtypes.InvalidInputException
	if !errors.As(err, &iie) {
		t.Fatalf("want InvalidInputException, got %v", err)
	}
	if iie.Reason != orgtypes.InvalidInputExceptionReasonMinLengthExceeded {
		t.Errorf("Reason = %q, want MIN_LENGTH_EXCEEDED (%s)", iie.Reason, aws.ToString(iie.Message))
	}

	// IAM (Query): ValidationError.
	_, err = iam.NewFromConfig(cfg).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("has space")})
	e2etest.APIError(t, err, "ValidationError", 400)
}

func testHealthAndMetrics(t *testing.T, backend testserver.Option) {
	srv := testserver.Start(t, backend)
	resp, err := http.Get(srv.Endpoint + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("healthz: %d", resp.StatusCode)
	}
	if _, err := sts.NewFromConfig(srv.Config("us-east-1")).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	resp, err = http.Get(srv.Endpoint + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `orgconfig_requests_total{code="",operation="GetCallerIdentity",service="sts"} 1`) {
		t.Errorf("metrics lack the GetCallerIdentity counter:\n%s", b)
	}
	// In strict mode the moto reset endpoint does not exist.
	resp, err = http.Post(srv.Endpoint+"/moto-api/reset", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == 200 {
		t.Errorf("reset endpoint answered 200 in strict mode")
	}
}

// TestStateSurvivesRestart: generated root credentials and created accounts are still there
// after the server restarts on the same data directory.
func testStateSurvivesRestart(t *testing.T, backend testserver.Option) {
	dir := t.TempDir()
	ctx := context.Background()
	first := testserver.Start(t, backend, testserver.WithDataDir(dir), testserver.WithoutRootCredentials())
	akid, secret, ok := first.GeneratedCredentials()
	if !ok {
		t.Fatal("no credentials generated on first start")
	}
	acct, cred, err := first.Directory().CreateAccount(ctx, "", "second", "second@example.com", "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}

	again := testserver.Start(t, backend, testserver.WithDataDir(dir), testserver.WithoutRootCredentials())
	if _, _, ok := again.GeneratedCredentials(); ok {
		t.Fatal("credentials generated again on restart")
	}
	for _, c := range []struct{ akid, secret, account string }{{akid, secret, testserver.AccountID}, {cred.AccessKeyID, cred.SecretAccessKey, acct.ID}} {
		out, err := sts.NewFromConfig(again.ConfigFor("us-east-1", c.akid, c.secret, "")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("after restart: %v", err)
		}
		if aws.ToString(out.Account) != c.account {
			t.Errorf("account = %s, want %s", aws.ToString(out.Account), c.account)
		}
	}
}

// TestPermissiveMode: unsigned or wrongly signed requests are accepted; a 12-digit key means
// that account; the moto reset endpoint wipes state.
func testPermissiveMode(t *testing.T, backend testserver.Option) {
	srv := testserver.Start(t, backend, testserver.WithAuth(server.AuthPermissive))
	ctx := context.Background()
	who := func(akid, secret string) string {
		t.Helper()
		out, err := sts.NewFromConfig(srv.ConfigFor("us-east-1", akid, secret, "")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.Account)
	}
	if got := who("222233334444", "anything"); got != "222233334444" {
		t.Errorf("12-digit key: account %s", got)
	}
	if got := who("AKIAWHATEVER", "x"); got != "123456789012" {
		t.Errorf("unknown key: account %s, want the default", got)
	}
	if got := who(testserver.AccessKey, "wrong secret"); got != testserver.AccountID {
		t.Errorf("issued key: account %s", got)
	}
	resp, err := http.Post(srv.Endpoint+"/moto-api/reset", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("reset: %d", resp.StatusCode)
	}
	accts, err := srv.Directory().Accounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(accts) != 1 || accts[0].ID != testserver.AccountID {
		t.Errorf("after reset: accounts %v, want only the bootstrap account", accts)
	}
	if got := who(testserver.AccessKey, testserver.SecretKey); got != testserver.AccountID {
		t.Errorf("root key after reset: account %s", got)
	}
}

// TestFoundation runs the foundation suite on both store backends.
func TestFoundation(t *testing.T) {
	testserver.Backends(t, func(t *testing.T, backend testserver.Backend) {
		for _, c := range []struct {
			name string
			fn   func(*testing.T, testserver.Option)
		}{
			{"GetCallerIdentityRoot", testGetCallerIdentityRoot},
			{"AuthenticationFailures", testAuthenticationFailures},
			{"UnimplementedOperationFailsAtOnce", testUnimplementedOperationFailsAtOnce},
			{"ModelValidation", testModelValidation},
			{"HealthAndMetrics", testHealthAndMetrics},
			{"StateSurvivesRestart", testStateSurvivesRestart},
			{"PermissiveMode", testPermissiveMode},
		} {
			t.Run(c.name, func(t *testing.T) { c.fn(t, backend(t)) })
		}
	})
}
