// Package terraform runs the Terraform AWS provider's own acceptance tests for AWS Config and
// AWS Organizations against orgconfig.
//
// The provider's maintainers run those tests against real AWS accounts, so they are the best
// record of what AWS answers to the calls a Terraform user makes. Each case here is one of
// them, ported from the provider's sources (internal/service/configservice and
// internal/service/organizations of hashicorp/terraform-provider-aws): the same configuration,
// the same steps, the same attribute checks, imports verified against the applied state, and a
// check that destroy left nothing. The ported cases keep the provider's names
// (TestAccConfigService_serial/ConfigRule/basic becomes ConfigRule/basic).
//
// Every case runs the real terraform binary (ORGCONFIG_TERRAFORM, default
// /usr/local/bin/terraform) with the AWS provider from a filesystem mirror
// (ORGCONFIG_TF_PLUGINS, default /opt/tf-plugins) against an orgconfig server started for that
// case, following the provider test framework: after every apply the checks hold and the plan
// is empty; an import step imports into a separate state and compares it with the applied one;
// after the last step terraform destroy runs and the resources of the last state must be gone.
// No case reaches a registry or the internet.
//
// Every (operation, error code) pair the suite's servers answer is recorded; the suite fails
// when an operation answered an error its API model does not list (protocol-wide errors such
// as throttling or validation aside), since SDKs cannot type such an error.
//
// Without terraform or the provider mirror the suite skips, saying what is missing; under
// CI=true it fails instead. ORGCONFIG_TERRAFORM_CASES, a regular expression, selects cases by
// name (go test's -run works too).
//
// This package must never special-case Terraform in the server: it only observes what the
// server answers to an unmodified client.
package terraform
