package terraform

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
)

// Ported from internal/service/organizations/policy_attachment_test.go. The provider's PreCheck
// (PreCheckOrganizationsAccount) wants an account outside any organization: the configurations
// create the organization.

const policyAttachmentRes = "aws_organizations_policy_attachment.test"

var importPolicyAttachment = Step{ImportState: true, ResourceName: policyAttachmentRes, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"skip_destroy"}}

func policyAttachmentConfigAccount(rName, policyType, policyContent string) string {
	return fmt.Sprintf(`
resource "aws_organizations_organization" "test" {
  enabled_policy_types = ["SERVICE_CONTROL_POLICY", "TAG_POLICY"]
}

resource "aws_organizations_policy" "test" {
  depends_on = [aws_organizations_organization.test]

  name    = "%s"
  type    = "%s"
  content = %s
}

resource "aws_organizations_policy_attachment" "test" {
  policy_id = aws_organizations_policy.test.id
  target_id = aws_organizations_organization.test.master_account_id
}
`, rName, policyType, strconv.Quote(policyContent))
}

func policyAttachmentConfigOrganizationalUnit(rName string) string {
	return fmt.Sprintf(`
resource "aws_organizations_organization" "test" {
  enabled_policy_types = ["SERVICE_CONTROL_POLICY"]
}

resource "aws_organizations_organizational_unit" "test" {
  name      = %[1]q
  parent_id = aws_organizations_organization.test.roots[0].id
}

resource "aws_organizations_policy" "test" {
  depends_on = [aws_organizations_organization.test]

  content = %[2]s

  name = %[1]q
}

resource "aws_organizations_policy_attachment" "test" {
  policy_id = aws_organizations_policy.test.id
  target_id = aws_organizations_organizational_unit.test.id
}
`, rName, policyHeredocAllowAll)
}

func policyAttachmentConfigRoot(rName string) string {
	return fmt.Sprintf(`
resource "aws_organizations_organization" "test" {
  enabled_policy_types = ["SERVICE_CONTROL_POLICY"]
}

resource "aws_organizations_policy" "test" {
  depends_on = [aws_organizations_organization.test]

  content = %[2]s

  name = %[1]q
}

resource "aws_organizations_policy_attachment" "test" {
  policy_id = aws_organizations_policy.test.id
  target_id = aws_organizations_organization.test.roots[0].id
}
`, rName, policyHeredocAllowAll)
}

func policyAttachmentConfigSkipDestroy(rName, policyType, policyContent string) string {
	return fmt.Sprintf(`
resource "aws_organizations_organization" "test" {
  enabled_policy_types = ["SERVICE_CONTROL_POLICY", "TAG_POLICY"]
}

resource "aws_organizations_policy" "test" {
  depends_on = [aws_organizations_organization.test]

  name    = "%s"
  type    = "%s"
  content = %s

  skip_destroy = true
}

resource "aws_organizations_policy_attachment" "test" {
  policy_id = aws_organizations_policy.test.id
  target_id = aws_organizations_organization.test.master_account_id

  skip_destroy = true
}
`, rName, policyType, strconv.Quote(policyContent))
}

// policyAttachmentNoDestroy is testAccCheckPolicyAttachmentNoDestroy: with skip_destroy the
// attachment outlives the destroy, unless the organization went with it.
func policyAttachmentNoDestroy(e *Env, last *State) error {
	for _, addr := range last.Addresses() {
		if last.Type(addr) != "aws_organizations_policy_attachment" {
			continue
		}
		a := last.Resource(addr)
		out, err := e.Orgs.ListTargetsForPolicy(e.Ctx, &organizations.ListTargetsForPolicyInput{PolicyId: aws.String(a["policy_id"])})
		if apiCode(err) == "AWSOrganizationsNotInUseException" {
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %v", addr, err)
		}
		found := false
		for _, t := range out.Targets {
			found = found || aws.ToString(t.TargetId) == a["target_id"]
		}
		if !found {
			return fmt.Errorf("%s: not attached after destroy", addr)
		}
	}
	return nil
}

func TestOrganizationsPolicyAttachment(t *testing.T) {
	rName := orgsRandomName()
	Run(t, []Case{
		{
			Name: "PolicyAttachment/Account",
			Steps: []Step{
				{Config: policyAttachmentConfigAccount(rName, "SERVICE_CONTROL_POLICY", policyContentAllowAll), Check: []Check{
					Exists(policyAttachmentRes),
					AttrPair(policyAttachmentRes, "policy_id", policyRes, "id"),
					AttrPair(policyAttachmentRes, "target_id", orgRes, "master_account_id"),
				}},
				{Config: policyAttachmentConfigAccount(rName, "TAG_POLICY", policyContentTag), Check: []Check{
					Exists(policyAttachmentRes),
					AttrPair(policyAttachmentRes, "policy_id", policyRes, "id"),
					AttrPair(policyAttachmentRes, "target_id", orgRes, "master_account_id"),
				}},
				importPolicyAttachment,
			},
		},
		{
			Name: "PolicyAttachment/OrganizationalUnit",
			Steps: []Step{
				{Config: policyAttachmentConfigOrganizationalUnit(rName), Check: []Check{
					Exists(policyAttachmentRes),
					AttrPair(policyAttachmentRes, "policy_id", policyRes, "id"),
					AttrPair(policyAttachmentRes, "target_id", "aws_organizations_organizational_unit.test", "id"),
				}},
				importPolicyAttachment,
			},
		},
		{
			Name: "PolicyAttachment/Root",
			Steps: []Step{
				{Config: policyAttachmentConfigRoot(rName), Check: []Check{
					Exists(policyAttachmentRes),
					AttrPair(policyAttachmentRes, "policy_id", policyRes, "id"),
					AttrPair(policyAttachmentRes, "target_id", orgRes, "roots.0.id"),
				}},
				importPolicyAttachment,
			},
		},
		{
			Name: "PolicyAttachment/SkipDestroy",
			Steps: []Step{{Config: policyAttachmentConfigSkipDestroy(rName, "SERVICE_CONTROL_POLICY", policyContentAllowAll), Check: []Check{
				Exists(policyAttachmentRes),
				AttrPair(policyAttachmentRes, "policy_id", policyRes, "id"),
				AttrPair(policyAttachmentRes, "target_id", orgRes, "master_account_id"),
				Attr(policyAttachmentRes, "skip_destroy", "true"),
			}}},
			CheckDestroy: policyAttachmentNoDestroy,
		},
		{
			Name: "PolicyAttachment/disappears",
			Steps: []Step{{Config: policyAttachmentConfigOrganizationalUnit(rName), Check: []Check{
				Exists(policyAttachmentRes), Disappears(policyAttachmentRes),
			}, ExpectNonEmptyPlan: true}},
		},
	})
}
