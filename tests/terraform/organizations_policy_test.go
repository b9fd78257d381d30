package terraform

import (
	"fmt"
	"regexp"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
)

// Ported from internal/service/organizations/policy_test.go. The provider's PreCheck
// (PreCheckOrganizationsAccount) wants an account outside any organization: the configurations
// create the organization.

const policyRes = "aws_organizations_policy.test"

var importPolicy = Step{ImportState: true, ResourceName: policyRes, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"skip_destroy"}}

// policyContentAllowAll is the SCP most of the provider's policy tests use.
const policyContentAllowAll = `{"Version": "2012-10-17", "Statement": { "Effect": "Allow", "Action": "*", "Resource": "*"}}`

// policyHeredocAllowAll is the same SCP as the configurations' heredoc.
const policyHeredocAllowAll = `<<EOF
{
  "Version": "2012-10-17",
  "Statement": {
    "Effect": "Allow",
    "Action": "*",
    "Resource": "*"
  }
}
EOF`

func policyConfigDescription(rName, description string) string {
	return fmt.Sprintf(`
resource "aws_organizations_organization" "test" {}

resource "aws_organizations_policy" "test" {
  content = %[3]s

  description = %[1]q
  name        = %[2]q

  depends_on = [aws_organizations_organization.test]
}
`, description, rName, policyHeredocAllowAll)
}

func policyConfigTags1(rName, k1, v1 string) string {
	return fmt.Sprintf(`
resource "aws_organizations_organization" "test" {}

resource "aws_organizations_policy" "test" {
  content = %[4]s

  name = %[1]q

  depends_on = [aws_organizations_organization.test]

  tags = {
    %[2]q = %[3]q
  }
}
`, rName, k1, v1, policyHeredocAllowAll)
}

func policyConfigTags2(rName, k1, v1, k2, v2 string) string {
	return fmt.Sprintf(`
resource "aws_organizations_organization" "test" {}

resource "aws_organizations_policy" "test" {
  content = %[6]s

  name = %[1]q

  depends_on = [aws_organizations_organization.test]

  tags = {
    %[2]q = %[3]q
    %[4]q = %[5]q
  }
}
`, rName, k1, v1, k2, v2, policyHeredocAllowAll)
}

func policyConfigRequired(rName, content string) string {
	return fmt.Sprintf(`
resource "aws_organizations_organization" "test" {}

resource "aws_organizations_policy" "test" {
  content = %[1]s
  name    = %[2]q

  depends_on = [aws_organizations_organization.test]
}
`, strconv.Quote(content), rName)
}

func policyConfigConcurrent(rName string) string {
	policy := func(n int, action string) string {
		return fmt.Sprintf(`
resource "aws_organizations_policy" "test%[1]d" {
  content = <<EOF
{
  "Version": "2012-10-17",
  "Statement": {
    "Effect": "Deny",
    "Action": %[2]q,
    "Resource": "*"
  }
}
EOF

  name = "%[3]s%[1]d"

  depends_on = [aws_organizations_organization.test]
}
`, n, action, rName)
	}
	return `
resource "aws_organizations_organization" "test" {}
` + policy(1, "cloudtrail:StopLogging") + policy(2, "ec2:DeleteFlowLogs") + policy(3, "logs:DeleteLogGroup") +
		policy(4, "config:DeleteConfigRule") + policy(5, "iam:DeleteRolePermissionsBoundary")
}

func policyConfigType(rName, content, policyType string) string {
	return fmt.Sprintf(`
resource "aws_organizations_organization" "test" {}

resource "aws_organizations_policy" "test" {
  content = %[1]s
  name    = %[2]q
  type    = %[3]q

  depends_on = [aws_organizations_organization.test]
}
`, strconv.Quote(content), rName, policyType)
}

func policyConfigSkipDestroy(rName, content string) string {
	return fmt.Sprintf(`
resource "aws_organizations_organization" "test" {}

resource "aws_organizations_policy" "test" {
  content = %[1]s
  name    = %[2]q

  skip_destroy = true

  depends_on = [aws_organizations_organization.test]
}
`, strconv.Quote(content), rName)
}

const policyConfigManagedSetup = `
resource "aws_organizations_organization" "test" {
  enabled_policy_types = ["SERVICE_CONTROL_POLICY"]
}
`

const policyConfigManaged = `
resource "aws_organizations_organization" "test" {
  enabled_policy_types = ["SERVICE_CONTROL_POLICY"]
}

resource "aws_organizations_policy" "test" {
  name = "FullAWSAccess"
}
`

// Reference: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_ai-opt-out_syntax.html
const policyContentAIOptOut = `{ "services": { "rekognition": { "opt_out_policy": { "@@assign": "optOut" } }, "lex": { "opt_out_policy": { "@@assign": "optIn" } } } }`

const policyContentTag = `{ "tags": { "Product": { "tag_key": { "@@assign": "Product" }, "enforced_for": { "@@assign": [ "ec2:instance" ] } } } }`

// policyContentBackup is the provider's backup policy, with acctest.AlternateRegion()
// (us-east-1), acctest.Region() and acctest.Partition().
//
// Reference: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_backup_syntax.html
var policyContentBackup = fmt.Sprintf(`{
   "plans":{
      "PII_Backup_Plan":{
         "regions":{
            "@@assign":[
               "%[1]s",
               "%[2]s"
            ]
         },
         "rules":{
            "Hourly":{
               "schedule_expression":{
                  "@@assign":"cron(0 5/1 ? * * *)"
               },
               "start_backup_window_minutes":{
                  "@@assign":"480"
               },
               "complete_backup_window_minutes":{
                  "@@assign":"10080"
               },
               "lifecycle":{
                  "move_to_cold_storage_after_days":{
                     "@@assign":"180"
                  },
                  "delete_after_days":{
                     "@@assign":"270"
                  }
               },
               "target_backup_vault_name":{
                  "@@assign":"FortKnox"
               },
               "copy_actions":{
                  "arn:%[3]s:backup:%[1]s:$account:backup-vault:secondary_vault":{
                     "target_backup_vault_arn":{
                        "@@assign":"arn:%[3]s:backup:%[1]s:$account:backup-vault:secondary_vault"
                     },
                     "lifecycle":{
                        "delete_after_days":{
                           "@@assign":"100"
                        },
                        "move_to_cold_storage_after_days":{
                           "@@assign":"10"
                        }
                     }
                  }
               }
            }
         },
         "selections":{
            "tags":{
               "datatype":{
                  "iam_role_arn":{
                     "@@assign":"arn:%[3]s:iam::$account:role/MyIamRole"
                  },
                  "tag_key":{
                     "@@assign":"dataType"
                  },
                  "tag_value":{
                     "@@assign":[
                        "PII",
                        "RED"
                     ]
                  }
               }
            }
         }
      }
   }
}`, "us-east-1", Region, "aws")

// policyNoDestroy is testAccCheckPolicyNoDestroy: with skip_destroy the policy outlives the
// destroy, unless the organization went with it.
func policyNoDestroy(e *Env, last *State) error {
	for _, addr := range last.Addresses() {
		if last.Type(addr) != "aws_organizations_policy" {
			continue
		}
		_, err := e.Orgs.DescribePolicy(e.Ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(last.Attr(addr, "id"))})
		if apiCode(err) == "AWSOrganizationsNotInUseException" {
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %v", addr, err)
		}
	}
	return nil
}

func TestOrganizationsPolicy(t *testing.T) {
	rName := orgsRandomName()
	content2 := `{"Version": "2012-10-17", "Statement": { "Effect": "Allow", "Action": "s3:*", "Resource": "*"}}`
	typeCase := func(name, content, policyType string) Case {
		return Case{
			Name: name,
			Steps: []Step{
				{Config: policyConfigType(rName, content, policyType), Check: []Check{Exists(policyRes), Attr(policyRes, "type", policyType)}},
				importPolicy,
			},
		}
	}
	Run(t, []Case{
		{
			Name: "Policy/basic",
			Steps: []Step{
				{Config: policyConfigRequired(rName, policyContentAllowAll), Check: []Check{
					Exists(policyRes),
					GlobalARN(policyRes, "arn", "organizations", `policy/o-.+/service_control_policy/p-.+`),
					Attr(policyRes, "content", policyContentAllowAll),
					Attr(policyRes, "description", ""),
					Attr(policyRes, "name", rName),
					Attr(policyRes, "type", "SERVICE_CONTROL_POLICY"),
				}},
				{Config: policyConfigRequired(rName, content2), Check: []Check{Exists(policyRes), Attr(policyRes, "content", content2)}},
				importPolicy,
			},
		},
		{
			// Reference: https://github.com/hashicorp/terraform-provider-aws/issues/5073
			Name: "Policy/concurrent",
			Steps: []Step{{Config: policyConfigConcurrent(rName), Check: []Check{
				Exists("aws_organizations_policy.test1"),
				Exists("aws_organizations_policy.test2"),
				Exists("aws_organizations_policy.test3"),
				Exists("aws_organizations_policy.test4"),
				Exists("aws_organizations_policy.test5"),
			}}},
		},
		{
			Name: "Policy/Description",
			Steps: []Step{
				{Config: policyConfigDescription(rName, "description1"), Check: []Check{Exists(policyRes), Attr(policyRes, "description", "description1")}},
				{Config: policyConfigDescription(rName, "description2"), Check: []Check{Exists(policyRes), Attr(policyRes, "description", "description2")}},
				importPolicy,
			},
		},
		{
			Name: "Policy/Tags",
			Steps: []Step{
				{Config: policyConfigTags1(rName, "key1", "value1"), Check: []Check{
					Exists(policyRes),
					Attr(policyRes, "tags.%", "1"),
					Attr(policyRes, "tags.key1", "value1"),
				}},
				importPolicy,
				{Config: policyConfigTags2(rName, "key1", "value1updated", "key2", "value2"), Check: []Check{
					Exists(policyRes),
					Attr(policyRes, "tags.%", "2"),
					Attr(policyRes, "tags.key1", "value1updated"),
					Attr(policyRes, "tags.key2", "value2"),
				}},
				{Config: policyConfigTags1(rName, "key2", "value2"), Check: []Check{
					Exists(policyRes),
					Attr(policyRes, "tags.%", "1"),
					Attr(policyRes, "tags.key2", "value2"),
				}},
			},
		},
		{
			Name: "Policy/SkipDestroy",
			Steps: []Step{{Config: policyConfigSkipDestroy(rName, policyContentAllowAll), Check: []Check{
				Exists(policyRes),
				GlobalARN(policyRes, "arn", "organizations", `policy/o-.+/service_control_policy/p-.+`),
				Attr(policyRes, "content", policyContentAllowAll),
				Attr(policyRes, "description", ""),
				Attr(policyRes, "name", rName),
				Attr(policyRes, "skip_destroy", "true"),
				Attr(policyRes, "type", "SERVICE_CONTROL_POLICY"),
			}}},
			CheckDestroy: policyNoDestroy,
		},
		{
			Name: "Policy/disappears",
			Steps: []Step{
				{Config: policyConfigDescription(rName, ""), Check: []Check{Exists(policyRes), Disappears(policyRes)}, ExpectNonEmptyPlan: true},
			},
		},
		typeCase("Policy/Type_AI_OPT_OUT", policyContentAIOptOut, "AISERVICES_OPT_OUT_POLICY"),
		typeCase("Policy/Type_Backup", policyContentBackup, "BACKUP_POLICY"),
		{
			Name: "Policy/Type_SCP",
			Steps: []Step{
				{Config: policyConfigType(rName, policyContentAllowAll, "SERVICE_CONTROL_POLICY"), Check: []Check{Exists(policyRes), Attr(policyRes, "type", "SERVICE_CONTROL_POLICY")}},
				{Config: policyConfigRequired(rName, policyContentAllowAll), Check: []Check{Exists(policyRes), Attr(policyRes, "type", "SERVICE_CONTROL_POLICY")}},
				importPolicy,
			},
		},
		typeCase("Policy/Type_Tag", policyContentTag, "TAG_POLICY"),
		{
			Name: "Policy/ImportAwsManagedPolicy",
			Steps: []Step{
				{Config: policyConfigManagedSetup},
				{Config: policyConfigManaged, ImportState: true, ResourceName: policyRes, ImportStateId: "p-FullAWSAccess",
					ExpectError: regexp.MustCompile(regexp.QuoteMeta("AWS-managed Organizations policy (p-FullAWSAccess) cannot be imported."))},
			},
		},
	})
}
