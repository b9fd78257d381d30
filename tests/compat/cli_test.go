package compat

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/orgconfig/orgconfig/internal/server"
	"github.com/orgconfig/orgconfig/internal/testserver"
)

type callerIdentity struct {
	UserID  string `json:"UserId"`
	Account string `json:"Account"`
	Arn     string `json:"Arn"`
}

// getCallerIdentity runs `aws sts get-caller-identity` and decodes its JSON output.
func getCallerIdentity(t *testing.T, c *cliRunner) callerIdentity {
	t.Helper()
	r := c.run("sts", "get-caller-identity")
	if r.code != 0 {
		t.Fatalf("aws sts get-caller-identity: exit %d\nstderr: %s", r.code, r.stderr)
	}
	var id callerIdentity
	if err := json.Unmarshal([]byte(r.stdout), &id); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, r.stdout)
	}
	return id
}

func TestCLIGetCallerIdentity(t *testing.T) {
	awsCLI(t)
	srv := testserver.Start(t)
	c := newCLI(t, srv.Endpoint, testserver.AccessKey, testserver.SecretKey)
	id := getCallerIdentity(t, c)
	if want := "arn:aws:iam::" + testserver.AccountID + ":root"; id.Arn != want {
		t.Errorf("Arn = %q, want %q", id.Arn, want)
	}
	if id.Account != testserver.AccountID || id.UserID != testserver.AccountID {
		t.Errorf("Account/UserId = %s/%s, want %s", id.Account, id.UserID, testserver.AccountID)
	}
	// STS is global: any region in the credential scope is accepted.
	c.region = "eu-west-3"
	if id := getCallerIdentity(t, c); id.Account != testserver.AccountID {
		t.Errorf("eu-west-3: Account = %s", id.Account)
	}
}

// TestCLIAuthenticationFailures: each kind of bad signature gets AWS's error, on a Query
// service (STS) and on a JSON service (AWS Config), in exactly one request although the CLI
// retries (standard mode, 3 attempts). A request 20 minutes old cannot be made with the CLI
// (it has no clock override): foundation.py does it with boto3.
func TestCLIAuthenticationFailures(t *testing.T) {
	awsCLI(t)
	srv := testserver.Start(t)
	base := newCLI(t, srv.Endpoint, testserver.AccessKey, testserver.SecretKey)
	services := []struct {
		name string
		args []string
		op   string
		// wrong secret, unknown key, missing signature
		codes [3]string
	}{
		{"sts", []string{"sts", "get-caller-identity"}, "GetCallerIdentity",
			[3]string{"SignatureDoesNotMatch", "InvalidClientTokenId", "MissingAuthenticationToken"}},
		{"config", []string{"configservice", "describe-configuration-aggregators"}, "DescribeConfigurationAggregators",
			[3]string{"InvalidSignatureException", "UnrecognizedClientException", "MissingAuthenticationTokenException"}},
	}
	for _, s := range services {
		t.Run(s.name, func(t *testing.T) {
			cases := []struct {
				name string
				cli  *cliRunner
				args []string
				code string
			}{
				{"wrong secret", base.with(testserver.AccessKey, "not-the-secret"), s.args, s.codes[0]},
				{"unknown key", base.with("AKIAUNKNOWNKEY000000", testserver.SecretKey), s.args, s.codes[1]},
				{"no signature", base, append(append([]string{}, s.args...), "--no-sign-request"), s.codes[2]},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					before := requestsServed(t, srv.Endpoint)
					r := tc.cli.run(tc.args...)
					expectError(t, r, tc.code, s.op)
					if n := requestsServed(t, srv.Endpoint) - before; n != 1 {
						t.Errorf("server saw %d requests, want 1 (the CLI must not retry)", n)
					}
				})
			}
		})
	}
}

// TestCLIUnimplementedOperation: an operation orgconfig does not implement yet fails at once
// (one request, no retry) with an error naming it.
func TestCLIUnimplementedOperation(t *testing.T) {
	awsCLI(t)
	srv := testserver.Start(t)
	c := newCLI(t, srv.Endpoint, testserver.AccessKey, testserver.SecretKey)
	for _, tc := range []struct {
		args     []string
		code, op string
	}{
		{[]string{"sts", "get-federation-token", "--name", "deployer"}, "NotImplemented", "GetFederationToken"},
		{[]string{"iam", "list-saml-providers"}, "NotImplemented", "ListSAMLProviders"},
	} {
		t.Run(tc.op, func(t *testing.T) {
			before := requestsServed(t, srv.Endpoint)
			r := c.run(tc.args...)
			expectError(t, r, tc.code, tc.op)
			if !strings.Contains(r.stderr, "operation: ") || !strings.Contains(r.stderr[strings.Index(r.stderr, "operation: "):], tc.op) {
				t.Errorf("message does not name the operation: %s", r.stderr)
			}
			if n := requestsServed(t, srv.Endpoint) - before; n != 1 {
				t.Errorf("server saw %d requests, want 1 (no retry)", n)
			}
		})
	}
}

// TestCLIModelValidation: inputs that break a model constraint the CLI does not check itself
// (patterns) get the service's validation error.
func TestCLIModelValidation(t *testing.T) {
	awsCLI(t)
	srv := testserver.Start(t)
	c := newCLI(t, srv.Endpoint, testserver.AccessKey, testserver.SecretKey)

	r := c.run("configservice", "delete-configuration-aggregator", "--configuration-aggregator-name", "bad name with spaces")
	expectError(t, r, "ValidationException", "DeleteConfigurationAggregator")
	if !strings.Contains(r.stderr, "configurationAggregatorName") || !strings.Contains(r.stderr, "regular expression pattern") {
		t.Errorf("message: %s", r.stderr)
	}

	r = c.run("iam", "get-role", "--role-name", "has space")
	expectError(t, r, "ValidationError", "GetRole")
}

// TestCLIPermissiveMode: in permissive mode the CLI works with the dummy credentials test
// suites written for moto use, and a 12-digit access key means that account.
func TestCLIPermissiveMode(t *testing.T) {
	awsCLI(t)
	srv := testserver.Start(t, testserver.WithAuth(server.AuthPermissive))
	c := newCLI(t, srv.Endpoint, "testing", "testing")
	if id := getCallerIdentity(t, c); id.Arn != "arn:aws:iam::123456789012:root" {
		t.Errorf("dummy key: Arn = %q, want the default account's root", id.Arn)
	}
	if id := getCallerIdentity(t, c.with("222233334444", "anything")); id.Account != "222233334444" {
		t.Errorf("12-digit key: Account = %q", id.Account)
	}
	if id := getCallerIdentity(t, c.with(testserver.AccessKey, "wrong secret")); id.Account != testserver.AccountID {
		t.Errorf("issued key, wrong secret: Account = %q", id.Account)
	}
}
