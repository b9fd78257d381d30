package terraform

import (
	"os"
	"strings"
	"testing"

	"github.com/orgconfig/orgconfig/internal/testserver"
)

// TestReadmeExample applies, plans and destroys the README's Terraform example exactly as
// written, but for the endpoint (this test's server) and the credentials (from the
// environment, as the README says).
func TestReadmeExample(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- readme-terraform-example: begin -->", "<!-- readme-terraform-example: end -->"
	_, rest, ok1 := strings.Cut(string(b), begin)
	block, _, ok2 := strings.Cut(rest, end)
	if !ok1 || !ok2 {
		t.Fatal("README.md has no Terraform example between the readme-terraform-example markers")
	}
	block = strings.TrimSpace(block)
	block = strings.TrimPrefix(block, "```hcl")
	block = strings.TrimSuffix(block, "```")
	if !strings.Contains(block, `"http://127.0.0.1:4566"`) {
		t.Fatal("the README's example does not use the default endpoint http://127.0.0.1:4566")
	}
	const org = "aws_organizations_organization.org"
	Run(t, []Case{{
		Name:        "README",
		OwnProvider: true,
		Region:      "us-east-1",
		ExtraEnv: []string{
			"AWS_ACCESS_KEY_ID=" + testserver.AccessKey,
			"AWS_SECRET_ACCESS_KEY=" + testserver.SecretKey,
		},
		Steps: []Step{{
			PreConfig: func(t *testing.T, e *Env) {
				e.lastConfig = strings.ReplaceAll(block, "http://127.0.0.1:4566", e.Srv.Endpoint)
			},
			Check: []Check{
				Exists(org),
				Attr(org, "aws_service_access_principals.#", "2"),
				Attr(org, "roots.0.policy_types.#", "0"),
				Exists("aws_iam_role.aggregator"),
				Exists("aws_iam_role_policy_attachment.aggregator"),
				Exists("aws_config_configuration_aggregator.organization"),
				Attr("aws_config_configuration_aggregator.organization", "organization_aggregation_source.0.all_regions", "true"),
				Exists("aws_config_configuration_recorder.main"),
				Exists("aws_config_organization_managed_rule.password_policy"),
			},
		}},
	}})
}
