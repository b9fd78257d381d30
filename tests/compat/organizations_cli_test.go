package compat

import (
	"strings"
	"testing"

	"github.com/orgconfig/orgconfig/internal/testserver"
)

// TestCLITrustedAccessCommands: the commands of AWS's page "AWS Config and AWS Organizations"
// (https://docs.aws.amazon.com/organizations/latest/userguide/services-that-can-integrate-config.html).
// enable-aws-service-access and disable-aws-service-access print nothing and exit 0, for both
// AWS Config principals.
func TestCLITrustedAccessCommands(t *testing.T) {
	awsCLI(t)
	srv := testserver.Start(t)
	c := newCLI(t, srv.Endpoint, testserver.AccessKey, testserver.SecretKey)
	if r := c.run("organizations", "create-organization", "--feature-set", "ALL"); r.code != 0 || !strings.Contains(r.stdout, `"FeatureSet": "ALL"`) {
		t.Fatalf("create-organization: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	principals := []string{"config.amazonaws.com", "config-multiaccountsetup.amazonaws.com"}
	for _, verb := range []string{"enable-aws-service-access", "disable-aws-service-access"} {
		for _, p := range principals {
			r := c.run("organizations", verb, "--service-principal", p)
			if r.code != 0 || r.stdout != "" || r.stderr != "" {
				t.Errorf("aws organizations %s --service-principal %s: exit %d, stdout %q, stderr %q", verb, p, r.code, r.stdout, r.stderr)
			}
		}
		r := c.run("organizations", "list-aws-service-access-for-organization")
		if r.code != 0 {
			t.Fatalf("list-aws-service-access-for-organization: exit %d: %s", r.code, r.stderr)
		}
		enabled := verb == "enable-aws-service-access"
		for _, p := range principals {
			if strings.Contains(r.stdout, `"ServicePrincipal": "`+p+`"`) != enabled {
				t.Errorf("after %s, %s listed = %v:\n%s", verb, p, !enabled, r.stdout)
			}
		}
	}
	// An unknown principal gets AWS's error.
	r := c.run("organizations", "enable-aws-service-access", "--service-principal", "nonexistent.amazonaws.com")
	expectError(t, r, "InvalidInputException", "EnableAWSServiceAccess")
}
