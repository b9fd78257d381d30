package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/orgconfig/orgconfig/tests/e2e/e2etest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgconfig/orgconfig/internal/clock"
	"github.com/orgconfig/orgconfig/internal/server"
	"github.com/orgconfig/orgconfig/internal/testserver"
)

// TestIAM runs the IAM suite on both store backends.
func TestIAM(t *testing.T) {
	testserver.Backends(t, func(t *testing.T, backend testserver.Backend) {
		for _, c := range []struct {
			name string
			fn   func(*testing.T, testserver.Option)
		}{
			{"RoleRoundTrip", testIAMRoleRoundTrip},
			{"ListRolesPagination", testIAMListRolesPagination},
			{"RolePolicies", testIAMRolePolicies},
			{"ManagedPolicies", testIAMManagedPolicies},
			{"PolicyTags", testIAMPolicyTags},
			{"InstanceProfiles", testIAMInstanceProfiles},
			{"TerraformRoleDestroy", testIAMTerraformRoleDestroy},
			{"ServiceLinkedRoles", testIAMServiceLinkedRoles},
			{"UsersAndAccessKeys", testIAMUsersAndAccessKeys},
			{"PasswordPolicy", testIAMPasswordPolicy},
			{"CLIDecodesDocuments", testIAMCLIDecodesDocuments},
		} {
			t.Run(c.name, func(t *testing.T) { c.fn(t, backend(t)) })
		}
	})
}

// sameJSON reports whether two JSON texts encode the same value.
func sameJSON(t *testing.T, a, b string) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal([]byte(a), &x); err != nil {
		t.Fatalf("not JSON: %q", a)
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatalf("not JSON: %q", b)
	}
	return fmt.Sprint(x) == fmt.Sprint(y)
}

func decodeDoc(t *testing.T, s *string) string {
	t.Helper()
	d, err := url.QueryUnescape(aws.ToString(s))
	if err != nil {
		t.Fatalf("document not URL-encoded: %q", aws.ToString(s))
	}
	return d
}

func testIAMRoleRoundTrip(t *testing.T, backend testserver.Option) {
	ctx := context.Background()
	srv := testserver.Start(t, backend)
	cl := iam.NewFromConfig(srv.Config("us-east-1"))
	created, err := cl.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String("ConfigRecorder"), Path: aws.String("/service/"), AssumeRolePolicyDocument: aws.String(e2etest.IAMTrust),
		Description: aws.String("recorder role"), MaxSessionDuration: aws.Int32(7200),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("platform")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := created.Role
	if aws.ToString(r.Arn) != "arn:aws:iam::"+testserver.AccountID+":role/service/ConfigRecorder" || !strings.HasPrefix(aws.ToString(r.RoleId), "AROA") {
		t.Fatalf("created %+v", r)
	}
	got, err := cl.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("configrecorder")})
	if err != nil {
		t.Fatal(err)
	}
	g := got.Role
	if aws.ToString(g.RoleName) != "ConfigRecorder" || aws.ToString(g.Path) != "/service/" || aws.ToString(g.RoleId) != aws.ToString(r.RoleId) ||
		aws.ToString(g.Arn) != aws.ToString(r.Arn) || aws.ToString(g.Description) != "recorder role" || aws.ToInt32(g.MaxSessionDuration) != 7200 ||
		!g.CreateDate.Equal(*r.CreateDate) || len(g.Tags) != 1 || aws.ToString(g.Tags[0].Value) != "platform" {
		t.Fatalf("GetRole = %+v", g)
	}
	if doc := decodeDoc(t, g.AssumeRolePolicyDocument); doc != e2etest.IAMTrust {
		t.Fatalf("trust policy = %s", doc)
	}
	_, err = cl.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("CONFIGRECORDER"), AssumeRolePolicyDocument: aws.String(e2etest.IAMTrust)})
	if ae := e2etest.APIError(t, err, "EntityAlreadyExists", 409); ae.ErrorMessage() != "Role with name CONFIGRECORDER already exists." {
		t.Errorf("message %q", ae.ErrorMessage())
	}
	_, err = cl.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bad"), AssumeRolePolicyDocument: aws.String(`{"Statement": nope}`)})
	e2etest.APIError(t, err, "MalformedPolicyDocument", 400)

	if _, err := cl.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("ConfigRecorder"), MaxSessionDuration: aws.Int32(3600)}); err != nil {
		t.Fatal(err)
	}
	upd, err := cl.UpdateRoleDescription(ctx, &iam.UpdateRoleDescriptionInput{RoleName: aws.String("ConfigRecorder"), Description: aws.String("new")})
	if err != nil || aws.ToString(upd.Role.Description) != "new" || aws.ToInt32(upd.Role.MaxSessionDuration) != 3600 {
		t.Fatalf("UpdateRoleDescription %+v %v", upd, err)
	}
	newTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}`
	if _, err := cl.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("ConfigRecorder"), PolicyDocument: aws.String(newTrust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("ConfigRecorder"), Tags: []iamtypes.Tag{
		{Key: aws.String("team"), Value: aws.String("security")}, {Key: aws.String("env"), Value: aws.String("test")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String("ConfigRecorder"), TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := cl.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("ConfigRecorder")})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != "security" {
		t.Fatalf("ListRoleTags %+v %v", tags, err)
	}
	got, err = cl.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("ConfigRecorder")})
	if err != nil || decodeDoc(t, got.Role.AssumeRolePolicyDocument) != newTrust || aws.ToString(got.Role.Description) != "new" {
		t.Fatalf("after updates %+v %v", got, err)
	}
	if _, err := cl.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("ConfigRecorder")}); err != nil {
		t.Fatal(err)
	}
	_, err = cl.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("ConfigRecorder")})
	if ae := e2etest.APIError(t, err, "NoSuchEntity", 404); ae.ErrorMessage() != "The role with name ConfigRecorder cannot be found." {
		t.Errorf("message %q", ae.ErrorMessage())
	}
}

func testIAMListRolesPagination(t *testing.T, backend testserver.Option) {
	ctx := context.Background()
	srv := testserver.Start(t, backend)
	cl := iam.NewFromConfig(srv.Config("us-east-1"))
	for i := range 10 {
		if _, err := cl.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(fmt.Sprintf("role-%02d", i)), AssumeRolePolicyDocument: aws.String(e2etest.IAMTrust)}); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]int{}
	markers := map[string]bool{}
	var marker *string
	pages := 0
	for {
		pages++
		if pages > 10 {
			t.Fatal("ListRoles never ends")
		}
		out, err := cl.ListRoles(ctx, &iam.ListRolesInput{MaxItems: aws.Int32(3), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Roles) > 3 {
			t.Fatalf("page of %d", len(out.Roles))
		}
		for _, r := range out.Roles {
			seen[aws.ToString(r.RoleName)]++
		}
		if !out.IsTruncated {
			break
		}
		if markers[aws.ToString(out.Marker)] || aws.ToString(out.Marker) == "" {
			t.Fatalf("marker %q repeated or empty", aws.ToString(out.Marker))
		}
		markers[aws.ToString(out.Marker)] = true
		marker = out.Marker
	}
	if pages != 4 || len(seen) != 10 {
		t.Fatalf("%d pages, roles %v", pages, seen)
	}
	for n, c := range seen {
		if c != 1 {
			t.Errorf("%s listed %d times", n, c)
		}
	}
	// The SDK paginator sees the same.
	p := iam.NewListRolesPaginator(cl, &iam.ListRolesInput{MaxItems: aws.Int32(4)})
	n := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.Roles)
	}
	if n != 10 {
		t.Fatalf("paginator saw %d roles", n)
	}
}

func testIAMRolePolicies(t *testing.T, backend testserver.Option) {
	ctx := context.Background()
	srv := testserver.Start(t, backend)
	cl := iam.NewFromConfig(srv.Config("us-east-1"))
	role := aws.String("AggregatorRole")
	if _, err := cl.CreateRole(ctx, &iam.CreateRoleInput{RoleName: role, AssumeRolePolicyDocument: aws.String(e2etest.IAMTrust)}); err != nil {
		t.Fatal(err)
	}
	inline := `{"Version":"2012-10-17","Statement":[{"Sid":"Read all","Effect":"Allow","Action":["config:Get*","config:Describe*"],"Resource":"*"}]}`
	if _, err := cl.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: role, PolicyName: aws.String("read"), PolicyDocument: aws.String(inline)}); err != nil {
		t.Fatal(err)
	}
	rp, err := cl.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: role, PolicyName: aws.String("read")})
	if err != nil || decodeDoc(t, rp.PolicyDocument) != inline || aws.ToString(rp.RoleName) != "AggregatorRole" {
		t.Fatalf("GetRolePolicy %+v %v", rp, err)
	}
	lp, err := cl.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: role})
	if err != nil || len(lp.PolicyNames) != 1 || lp.PolicyNames[0] != "read" {
		t.Fatalf("ListRolePolicies %+v %v", lp, err)
	}
	_, err = cl.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: role, PolicyName: aws.String("nope")})
	e2etest.APIError(t, err, "NoSuchEntity", 404)

	orgPolicy := "arn:aws:iam::aws:policy/service-role/AWSConfigRoleForOrganizations"
	if _, err := cl.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: role, PolicyArn: aws.String(orgPolicy)}); err != nil {
		t.Fatal(err)
	}
	_, err = cl.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: role, PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AWSConfigRole")})
	e2etest.APIError(t, err, "NoSuchEntity", 404)
	la, err := cl.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: role})
	if err != nil || len(la.AttachedPolicies) != 1 || aws.ToString(la.AttachedPolicies[0].PolicyArn) != orgPolicy ||
		aws.ToString(la.AttachedPolicies[0].PolicyName) != "AWSConfigRoleForOrganizations" {
		t.Fatalf("ListAttachedRolePolicies %+v %v", la, err)
	}

	_, err = cl.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: role})
	if ae := e2etest.APIError(t, err, "DeleteConflict", 409); ae.ErrorMessage() != "Cannot delete entity, must detach all policies first." {
		t.Errorf("message %q", ae.ErrorMessage())
	}
	if _, err := cl.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: role, PolicyArn: aws.String(orgPolicy)}); err != nil {
		t.Fatal(err)
	}
	_, err = cl.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: role, PolicyArn: aws.String(orgPolicy)})
	e2etest.APIError(t, err, "NoSuchEntity", 404)
	_, err = cl.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: role})
	if ae := e2etest.APIError(t, err, "DeleteConflict", 409); ae.ErrorMessage() != "Cannot delete entity, must delete policies first." {
		t.Errorf("message %q", ae.ErrorMessage())
	}
	if _, err := cl.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: role, PolicyName: aws.String("read")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: role}); err != nil {
		t.Fatal(err)
	}
}

func testIAMManagedPolicies(t *testing.T, backend testserver.Option) {
	ctx := context.Background()
	srv := testserver.Start(t, backend)
	cl := iam.NewFromConfig(srv.Config("us-east-1"))
	arn := "arn:aws:iam::aws:policy/service-role/AWSConfigRoleForOrganizations"
	p, err := cl.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil || aws.ToString(p.Policy.DefaultVersionId) != "v1" || aws.ToString(p.Policy.Path) != "/service-role/" {
		t.Fatalf("GetPolicy %+v %v", p, err)
	}
	v, err := cl.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")})
	if err != nil {
		t.Fatal(err)
	}
	doc := decodeDoc(t, v.PolicyVersion.Document)
	for _, a := range []string{"organizations:ListAccounts", "organizations:DescribeOrganization", "organizations:ListAWSServiceAccessForOrganization", "organizations:ListDelegatedAdministrators"} {
		if !strings.Contains(doc, a) {
			t.Errorf("document lacks %s: %s", a, doc)
		}
	}
	_, err = cl.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AWSConfigRole")})
	e2etest.APIError(t, err, "NoSuchEntity", 404)
	list, err := cl.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeAws, PathPrefix: aws.String("/aws-service-role/")})
	if err != nil || len(list.Policies) < 4 {
		t.Fatalf("ListPolicies %+v %v", list, err)
	}

	// A customer managed policy with versions, attachment count and delete conflict.
	doc1 := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"config:*","Resource":"*"}]}`
	cp, err := cl.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("ConfigAdmin"), PolicyDocument: aws.String(doc1)})
	if err != nil {
		t.Fatal(err)
	}
	parn := cp.Policy.Arn
	if aws.ToString(parn) != "arn:aws:iam::"+testserver.AccountID+":policy/ConfigAdmin" {
		t.Fatalf("arn %s", aws.ToString(parn))
	}
	_, err = cl.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("ConfigAdmin"), PolicyDocument: aws.String(doc1)})
	e2etest.APIError(t, err, "EntityAlreadyExists", 409)
	for i := 2; i <= 5; i++ {
		if _, err := cl.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: parn, PolicyDocument: aws.String(doc1), SetAsDefault: i == 3}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = cl.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: parn, PolicyDocument: aws.String(doc1)})
	e2etest.APIError(t, err, "LimitExceeded", 409)
	_, err = cl.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: parn, VersionId: aws.String("v3")})
	e2etest.APIError(t, err, "DeleteConflict", 409)
	vs, err := cl.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: parn})
	if err != nil || len(vs.Versions) != 5 {
		t.Fatalf("ListPolicyVersions %+v %v", vs, err)
	}
	if _, err := cl.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(e2etest.IAMTrust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: parn}); err != nil {
		t.Fatal(err)
	}
	gp, err := cl.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: parn})
	if err != nil || aws.ToInt32(gp.Policy.AttachmentCount) != 1 || aws.ToString(gp.Policy.DefaultVersionId) != "v3" {
		t.Fatalf("GetPolicy %+v %v", gp, err)
	}
	ents, err := cl.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: parn})
	if err != nil || len(ents.PolicyRoles) != 1 || aws.ToString(ents.PolicyRoles[0].RoleName) != "r" {
		t.Fatalf("ListEntitiesForPolicy %+v %v", ents, err)
	}
	_, err = cl.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: parn})
	e2etest.APIError(t, err, "DeleteConflict", 409)
	if _, err := cl.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: parn}); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"v1", "v2", "v4", "v5"} {
		if _, err := cl.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: parn, VersionId: aws.String(v)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cl.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: parn}); err != nil {
		t.Fatal(err)
	}
}

// testIAMPolicyTags covers the tag calls of Terraform's aws_iam_policy: tags given to
// CreatePolicy come back from GetPolicy, TagPolicy and UntagPolicy change them.
func testIAMPolicyTags(t *testing.T, backend testserver.Option) {
	ctx := context.Background()
	srv := testserver.Start(t, backend)
	cl := iam.NewFromConfig(srv.Config("us-east-1"))
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"config:Get*","Resource":"*"}]}`
	cp, err := cl.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Tagged"), PolicyDocument: aws.String(doc),
		Tags: []iamtypes.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := cp.Policy.Arn
	if len(cp.Policy.Tags) != 1 || aws.ToString(cp.Policy.Tags[0].Value) != "dev" {
		t.Fatalf("CreatePolicy tags %+v", cp.Policy.Tags)
	}
	gp, err := cl.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: arn})
	if err != nil || len(gp.Policy.Tags) != 1 || aws.ToString(gp.Policy.Tags[0].Key) != "env" {
		t.Fatalf("GetPolicy %+v %v", gp, err)
	}
	if _, err := cl.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: arn, Tags: []iamtypes.Tag{
		{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("team"), Value: aws.String("security")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.UntagPolicy(ctx, &iam.UntagPolicyInput{PolicyArn: arn, TagKeys: []string{"team", "absent"}}); err != nil {
		t.Fatal(err)
	}
	lt, err := cl.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: arn})
	if err != nil || len(lt.Tags) != 1 || aws.ToString(lt.Tags[0].Value) != "prod" || lt.IsTruncated {
		t.Fatalf("ListPolicyTags %+v %v", lt, err)
	}
	gp, err = cl.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: arn})
	if err != nil || len(gp.Policy.Tags) != 1 || aws.ToString(gp.Policy.Tags[0].Value) != "prod" {
		t.Fatalf("GetPolicy after tagging %+v %v", gp, err)
	}
	missing := aws.String("arn:aws:iam::" + testserver.AccountID + ":policy/Missing")
	_, err = cl.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: missing})
	e2etest.APIError(t, err, "NoSuchEntity", 404)
	_, err = cl.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: missing, Tags: []iamtypes.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
	e2etest.APIError(t, err, "NoSuchEntity", 404)
	_, err = cl.UntagPolicy(ctx, &iam.UntagPolicyInput{PolicyArn: missing, TagKeys: []string{"a"}})
	e2etest.APIError(t, err, "NoSuchEntity", 404)
	if _, err := cl.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: arn}); err != nil {
		t.Fatal(err)
	}
}

func testIAMInstanceProfiles(t *testing.T, backend testserver.Option) {
	ctx := context.Background()
	srv := testserver.Start(t, backend)
	cl := iam.NewFromConfig(srv.Config("us-east-1"))
	ec2Trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if _, err := cl.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("AppRole"), Path: aws.String("/app/"), AssumeRolePolicyDocument: aws.String(ec2Trust)}); err != nil {
		t.Fatal(err)
	}
	created, err := cl.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("AppProfile"), Path: aws.String("/app/"),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("app")}}})
	if err != nil {
		t.Fatal(err)
	}
	p := created.InstanceProfile
	if aws.ToString(p.Arn) != "arn:aws:iam::"+testserver.AccountID+":instance-profile/app/AppProfile" ||
		!strings.HasPrefix(aws.ToString(p.InstanceProfileId), "AIPA") || aws.ToString(p.Path) != "/app/" || len(p.Roles) != 0 || len(p.Tags) != 1 {
		t.Fatalf("CreateInstanceProfile %+v", p)
	}
	_, err = cl.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("appprofile")})
	if ae := e2etest.APIError(t, err, "EntityAlreadyExists", 409); ae.ErrorMessage() != "Instance Profile appprofile already exists." {
		t.Errorf("message %q", ae.ErrorMessage())
	}
	_, err = cl.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("bad name")})
	e2etest.APIError(t, err, "ValidationError", 400)

	lr, err := cl.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("AppRole")})
	if err != nil || len(lr.InstanceProfiles) != 0 || lr.IsTruncated {
		t.Fatalf("ListInstanceProfilesForRole without profiles %+v %v", lr, err)
	}
	_, err = cl.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("Ghost")})
	if ae := e2etest.APIError(t, err, "NoSuchEntity", 404); ae.ErrorMessage() != "The role with name Ghost cannot be found." {
		t.Errorf("message %q", ae.ErrorMessage())
	}

	if _, err := cl.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("AppProfile"), RoleName: aws.String("AppRole")}); err != nil {
		t.Fatal(err)
	}
	_, err = cl.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("AppProfile"), RoleName: aws.String("AppRole")})
	if ae := e2etest.APIError(t, err, "LimitExceeded", 409); ae.ErrorMessage() != "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1" {
		t.Errorf("message %q", ae.ErrorMessage())
	}
	_, err = cl.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("Nope"), RoleName: aws.String("AppRole")})
	if ae := e2etest.APIError(t, err, "NoSuchEntity", 404); ae.ErrorMessage() != "Instance Profile Nope cannot be found." {
		t.Errorf("message %q", ae.ErrorMessage())
	}
	got, err := cl.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("AppProfile")})
	if err != nil {
		t.Fatal(err)
	}
	g := got.InstanceProfile
	if len(g.Roles) != 1 || aws.ToString(g.Roles[0].RoleName) != "AppRole" || aws.ToString(g.Roles[0].Path) != "/app/" ||
		aws.ToString(g.Roles[0].Arn) != "arn:aws:iam::"+testserver.AccountID+":role/app/AppRole" || !strings.HasPrefix(aws.ToString(g.Roles[0].RoleId), "AROA") ||
		g.Roles[0].CreateDate == nil || decodeDoc(t, g.Roles[0].AssumeRolePolicyDocument) != ec2Trust ||
		aws.ToString(g.InstanceProfileId) != aws.ToString(p.InstanceProfileId) || !g.CreateDate.Equal(*p.CreateDate) ||
		len(g.Tags) != 1 || aws.ToString(g.Tags[0].Value) != "app" {
		t.Fatalf("GetInstanceProfile %+v", g)
	}
	lr, err = cl.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("approle")})
	if err != nil || len(lr.InstanceProfiles) != 1 || aws.ToString(lr.InstanceProfiles[0].InstanceProfileName) != "AppProfile" ||
		len(lr.InstanceProfiles[0].Roles) != 1 {
		t.Fatalf("ListInstanceProfilesForRole %+v %v", lr, err)
	}

	_, err = cl.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("AppRole")})
	if ae := e2etest.APIError(t, err, "DeleteConflict", 409); ae.ErrorMessage() != "Cannot delete entity, must remove roles from instance profile first." {
		t.Errorf("message %q", ae.ErrorMessage())
	}
	_, err = cl.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("AppProfile")})
	if ae := e2etest.APIError(t, err, "DeleteConflict", 409); ae.ErrorMessage() != "Cannot delete entity, must remove roles from instance profile first." {
		t.Errorf("message %q", ae.ErrorMessage())
	}

	// Tags.
	if _, err := cl.TagInstanceProfile(ctx, &iam.TagInstanceProfileInput{InstanceProfileName: aws.String("AppProfile"), Tags: []iamtypes.Tag{
		{Key: aws.String("team"), Value: aws.String("platform")}, {Key: aws.String("env"), Value: aws.String("test")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.UntagInstanceProfile(ctx, &iam.UntagInstanceProfileInput{InstanceProfileName: aws.String("AppProfile"), TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := cl.ListInstanceProfileTags(ctx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("AppProfile")})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != "platform" || tags.IsTruncated {
		t.Fatalf("ListInstanceProfileTags %+v %v", tags, err)
	}
	_, err = cl.ListInstanceProfileTags(ctx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("Nope")})
	e2etest.APIError(t, err, "NoSuchEntity", 404)

	// Listing with a path prefix and pages.
	for i := range 5 {
		if _, err := cl.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String(fmt.Sprintf("batch-%d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	byPath, err := cl.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{PathPrefix: aws.String("/app/")})
	if err != nil || len(byPath.InstanceProfiles) != 1 || len(byPath.InstanceProfiles[0].Roles) != 1 || len(byPath.InstanceProfiles[0].Tags) != 0 {
		t.Fatalf("ListInstanceProfiles by path %+v %v", byPath, err)
	}
	pages, seen := 0, map[string]bool{}
	for pg := iam.NewListInstanceProfilesPaginator(cl, &iam.ListInstanceProfilesInput{MaxItems: aws.Int32(2)}); pg.HasMorePages(); {
		out, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if pages++; pages > 10 || len(out.InstanceProfiles) > 2 {
			t.Fatalf("page %d of %d profiles", pages, len(out.InstanceProfiles))
		}
		for _, ip := range out.InstanceProfiles {
			if seen[aws.ToString(ip.InstanceProfileName)] {
				t.Fatalf("%s listed twice", aws.ToString(ip.InstanceProfileName))
			}
			seen[aws.ToString(ip.InstanceProfileName)] = true
		}
	}
	if pages != 3 || len(seen) != 6 {
		t.Fatalf("%d pages, %v", pages, seen)
	}

	if _, err := cl.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("AppProfile"), RoleName: aws.String("AppRole")}); err != nil {
		t.Fatal(err)
	}
	_, err = cl.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("AppProfile"), RoleName: aws.String("AppRole")})
	e2etest.APIError(t, err, "NoSuchEntity", 404)
	if _, err := cl.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("AppProfile")}); err != nil {
		t.Fatal(err)
	}
	_, err = cl.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("AppProfile")})
	if ae := e2etest.APIError(t, err, "NoSuchEntity", 404); ae.ErrorMessage() != "Instance Profile AppProfile cannot be found." {
		t.Errorf("message %q", ae.ErrorMessage())
	}
	if _, err := cl.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("AppRole")}); err != nil {
		t.Fatal(err)
	}
}

// testIAMTerraformRoleDestroy replays the calls the Terraform AWS provider (5.x) makes to
// destroy an aws_iam_role with an inline policy, an attached policy and an instance profile:
// ListInstanceProfilesForRole and RemoveRoleFromInstanceProfile, ListAttachedRolePolicies and
// DetachRolePolicy, ListRolePolicies and DeleteRolePolicy, then DeleteRole; a second destroy
// finds nothing and ends at NoSuchEntity, which the provider treats as done.
func testIAMTerraformRoleDestroy(t *testing.T, backend testserver.Option) {
	ctx := context.Background()
	srv := testserver.Start(t, backend)
	cl := iam.NewFromConfig(srv.Config("us-east-1"))
	role := aws.String("tf-role")
	if _, err := cl.CreateRole(ctx, &iam.CreateRoleInput{RoleName: role, AssumeRolePolicyDocument: aws.String(e2etest.IAMTrust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: role, PolicyName: aws.String("inline"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: role, PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("tf-profile")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("tf-profile"), RoleName: role}); err != nil {
		t.Fatal(err)
	}

	destroy := func() error {
		for pg := iam.NewListInstanceProfilesForRolePaginator(cl, &iam.ListInstanceProfilesForRoleInput{RoleName: role}); pg.HasMorePages(); {
			out, err := pg.NextPage(ctx)
			if err != nil {
				return err
			}
			for _, ip := range out.InstanceProfiles {
				if _, err := cl.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: ip.InstanceProfileName, RoleName: role}); err != nil {
					return err
				}
			}
		}
		for pg := iam.NewListAttachedRolePoliciesPaginator(cl, &iam.ListAttachedRolePoliciesInput{RoleName: role}); pg.HasMorePages(); {
			out, err := pg.NextPage(ctx)
			if err != nil {
				return err
			}
			for _, ap := range out.AttachedPolicies {
				if _, err := cl.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: role, PolicyArn: ap.PolicyArn}); err != nil {
					return err
				}
			}
		}
		for pg := iam.NewListRolePoliciesPaginator(cl, &iam.ListRolePoliciesInput{RoleName: role}); pg.HasMorePages(); {
			out, err := pg.NextPage(ctx)
			if err != nil {
				return err
			}
			for _, name := range out.PolicyNames {
				if _, err := cl.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: role, PolicyName: aws.String(name)}); err != nil {
					return err
				}
			}
		}
		_, err := cl.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: role})
		return err
	}
	if err := destroy(); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	_, err := cl.GetRole(ctx, &iam.GetRoleInput{RoleName: role})
	e2etest.APIError(t, err, "NoSuchEntity", 404)
	e2etest.APIError(t, destroy(), "NoSuchEntity", 404)
	ip, err := cl.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("tf-profile")})
	if err != nil || len(ip.InstanceProfile.Roles) != 0 {
		t.Fatalf("profile after destroy %+v %v", ip, err)
	}
}

func testIAMServiceLinkedRoles(t *testing.T, backend testserver.Option) {
	ctx := context.Background()
	clk := clock.NewManual(time.Now())
	srv := testserver.Start(t, backend, testserver.WithClock(clk), func(o *server.Options) { o.NoJobLoop = true })
	cl := iam.NewFromConfig(srv.Config("us-east-1"))
	out, err := cl.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("config.amazonaws.com")})
	if err != nil {
		t.Fatal(err)
	}
	wantARN := "arn:aws:iam::" + testserver.AccountID + ":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
	if aws.ToString(out.Role.Arn) != wantARN || aws.ToString(out.Role.Path) != "/aws-service-role/config.amazonaws.com/" {
		t.Fatalf("SLR %+v", out.Role)
	}
	if !sameJSON(t, decodeDoc(t, out.Role.AssumeRolePolicyDocument),
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"config.amazonaws.com"},"Action":"sts:AssumeRole"}]}`) {
		t.Errorf("trust %s", decodeDoc(t, out.Role.AssumeRolePolicyDocument))
	}
	_, err = cl.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("config.amazonaws.com")})
	if ae := e2etest.APIError(t, err, "InvalidInput", 400); ae.ErrorMessage() != "Service role name AWSServiceRoleForConfig has been taken in this account, please try a different suffix." {
		t.Errorf("message %q", ae.ErrorMessage())
	}
	_, err = cl.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("config.amazonaws.com"), CustomSuffix: aws.String("x")})
	if ae := e2etest.APIError(t, err, "InvalidInput", 400); ae.ErrorMessage() != "Custom suffix is not allowed for config.amazonaws.com" {
		t.Errorf("message %q", ae.ErrorMessage())
	}
	slr := aws.String("AWSServiceRoleForConfig")
	protectedMsg := "Cannot perform the operation on the protected role 'AWSServiceRoleForConfig' - this role is only modifiable by AWS"
	for name, call := range map[string]func() error{
		"DeleteRole": func() error { _, err := cl.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: slr}); return err },
		"UpdateAssumeRolePolicy": func() error {
			_, err := cl.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: slr, PolicyDocument: aws.String(e2etest.IAMTrust)})
			return err
		},
		"AttachRolePolicy": func() error {
			_, err := cl.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: slr, PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
			return err
		},
		"PutRolePolicy": func() error {
			_, err := cl.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: slr, PolicyName: aws.String("p"), PolicyDocument: aws.String(e2etest.IAMTrust)})
			return err
		},
	} {
		if ae := e2etest.APIError(t, call(), "UnmodifiableEntity", 400); ae.ErrorMessage() != protectedMsg {
			t.Errorf("%s: message %q", name, ae.ErrorMessage())
		}
	}
	// Description and tags remain editable.
	if _, err := cl.UpdateRoleDescription(ctx, &iam.UpdateRoleDescriptionInput{RoleName: slr, Description: aws.String("mine")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.TagRole(ctx, &iam.TagRoleInput{RoleName: slr, Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}); err != nil {
		t.Fatal(err)
	}
	lr, err := cl.ListRoles(ctx, &iam.ListRolesInput{PathPrefix: aws.String("/aws-service-role/")})
	if err != nil || len(lr.Roles) != 1 {
		t.Fatalf("ListRoles by path %+v %v", lr, err)
	}

	del, err := cl.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: slr})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(del.DeletionTaskId)
	if !strings.HasPrefix(id, "task/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig/") {
		t.Fatalf("task id %s", id)
	}
	again, err := cl.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: slr})
	if err != nil || aws.ToString(again.DeletionTaskId) != id {
		t.Fatalf("second DeleteServiceLinkedRole: %v %v", again, err)
	}
	st, err := cl.GetServiceLinkedRoleDeletionStatus(ctx, &iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: aws.String(id)})
	if err != nil || st.Status != iamtypes.DeletionTaskStatusTypeNotStarted {
		t.Fatalf("first poll %+v %v", st, err)
	}
	if _, err := cl.GetRole(ctx, &iam.GetRoleInput{RoleName: slr}); err != nil {
		t.Fatalf("role removed synchronously: %v", err)
	}
	if _, err := srv.Jobs().RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	st, err = cl.GetServiceLinkedRoleDeletionStatus(ctx, &iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: aws.String(id)})
	if err != nil || st.Status != iamtypes.DeletionTaskStatusTypeSucceeded {
		t.Fatalf("after jobs %+v %v", st, err)
	}
	_, err = cl.GetRole(ctx, &iam.GetRoleInput{RoleName: slr})
	e2etest.APIError(t, err, "NoSuchEntity", 404)
	_, err = cl.GetServiceLinkedRoleDeletionStatus(ctx, &iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: aws.String("not-a-task")})
	e2etest.APIError(t, err, "InvalidInput", 400)
	_, err = cl.GetServiceLinkedRoleDeletionStatus(ctx, &iam.GetServiceLinkedRoleDeletionStatusInput{
		DeletionTaskId: aws.String("task/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig/11111111-2222-3333-4444-555555555555")})
	e2etest.APIError(t, err, "NoSuchEntity", 404)
	_, err = cl.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: slr})
	e2etest.APIError(t, err, "NoSuchEntity", 404)
}

func testIAMUsersAndAccessKeys(t *testing.T, backend testserver.Option) {
	ctx := context.Background()
	srv := testserver.Start(t, backend)
	cl := iam.NewFromConfig(srv.Config("us-east-1"))
	u, err := cl.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice"), Path: aws.String("/ops/")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(u.User.Arn) != "arn:aws:iam::"+testserver.AccountID+":user/ops/alice" || !strings.HasPrefix(aws.ToString(u.User.UserId), "AIDA") {
		t.Fatalf("user %+v", u.User)
	}
	_, err = cl.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ALICE")})
	e2etest.APIError(t, err, "EntityAlreadyExists", 409)
	me, err := cl.GetUser(ctx, &iam.GetUserInput{})
	if err != nil || aws.ToString(me.User.Arn) != "arn:aws:iam::"+testserver.AccountID+":root" || aws.ToString(me.User.UserId) != testserver.AccountID {
		t.Fatalf("GetUser as root %+v %v", me, err)
	}
	key, err := cl.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	akid, secret := aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey)
	if !strings.HasPrefix(akid, "AKIA") || len(akid) != 20 || len(secret) != 40 || key.AccessKey.Status != iamtypes.StatusTypeActive {
		t.Fatalf("key %+v", key.AccessKey)
	}
	who, err := sts.NewFromConfig(srv.ConfigFor("us-east-1", akid, secret, "")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(who.Arn) != "arn:aws:iam::"+testserver.AccountID+":user/ops/alice" || aws.ToString(who.UserId) != aws.ToString(u.User.UserId) {
		t.Fatalf("GetCallerIdentity %+v", who)
	}
	if _, err := cl.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	_, err = cl.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
	e2etest.APIError(t, err, "LimitExceeded", 409)
	keys, err := cl.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("alice")})
	if err != nil || len(keys.AccessKeyMetadata) != 2 {
		t.Fatalf("ListAccessKeys %+v %v", keys, err)
	}

	if _, err := cl.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: aws.String(akid), Status: iamtypes.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	_, err = sts.NewFromConfig(srv.ConfigFor("us-east-1", akid, secret, "")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	e2etest.APIError(t, err, "InvalidClientTokenId", 403)

	// Policies on users.
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}]}`
	if _, err := cl.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	up, err := cl.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("p")})
	if err != nil || decodeDoc(t, up.PolicyDocument) != doc {
		t.Fatalf("GetUserPolicy %+v %v", up, err)
	}
	if _, err := cl.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}); err != nil {
		t.Fatal(err)
	}
	au, err := cl.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("alice")})
	if err != nil || len(au.AttachedPolicies) != 1 {
		t.Fatalf("ListAttachedUserPolicies %+v %v", au, err)
	}
	if _, err := cl.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("alice"), Tags: []iamtypes.Tag{{Key: aws.String("a"), Value: aws.String("b")}}}); err != nil {
		t.Fatal(err)
	}
	ut, err := cl.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("alice")})
	if err != nil || len(ut.Tags) != 1 {
		t.Fatalf("ListUserTags %+v %v", ut, err)
	}

	_, err = cl.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")})
	e2etest.APIError(t, err, "DeleteConflict", 409)
	for _, k := range keys.AccessKeyMetadata {
		if _, err := cl.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: k.AccessKeyId}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = cl.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: aws.String(akid)})
	e2etest.APIError(t, err, "NoSuchEntity", 404)
	_, err = cl.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")})
	e2etest.APIError(t, err, "DeleteConflict", 409)
	if _, err := cl.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("p")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	lu, err := cl.ListUsers(ctx, &iam.ListUsersInput{})
	if err != nil || len(lu.Users) != 0 {
		t.Fatalf("ListUsers %+v %v", lu, err)
	}
}

func testIAMPasswordPolicy(t *testing.T, backend testserver.Option) {
	ctx := context.Background()
	srv := testserver.Start(t, backend)
	cl := iam.NewFromConfig(srv.Config("us-east-1"))
	_, err := cl.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	if ae := e2etest.APIError(t, err, "NoSuchEntity", 404); ae.ErrorMessage() != "The Password Policy with domain name "+testserver.AccountID+" cannot be found." {
		t.Errorf("message %q", ae.ErrorMessage())
	}
	if _, err := cl.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(14), RequireSymbols: true, MaxPasswordAge: aws.Int32(90), PasswordReusePrevention: aws.Int32(24)}); err != nil {
		t.Fatal(err)
	}
	pp, err := cl.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	if err != nil {
		t.Fatal(err)
	}
	p := pp.PasswordPolicy
	if aws.ToInt32(p.MinimumPasswordLength) != 14 || !p.RequireSymbols || p.RequireNumbers || !p.ExpirePasswords ||
		aws.ToInt32(p.MaxPasswordAge) != 90 || aws.ToInt32(p.PasswordReusePrevention) != 24 {
		t.Fatalf("policy %+v", p)
	}
	if _, err := cl.DeleteAccountPasswordPolicy(ctx, &iam.DeleteAccountPasswordPolicyInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = cl.DeleteAccountPasswordPolicy(ctx, &iam.DeleteAccountPasswordPolicyInput{})
	e2etest.APIError(t, err, "NoSuchEntity", 404)
}

// testIAMCLIDecodesDocuments checks that the aws CLI (botocore) decodes the URL-encoded trust
// policy into a JSON object, as it does against AWS. It skips when the CLI is missing, unless
// CI=true.
func testIAMCLIDecodesDocuments(t *testing.T, backend testserver.Option) {
	awsBin, err := exec.LookPath("aws")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("aws CLI not installed")
		}
		t.Skip("aws CLI not installed")
	}
	ctx := context.Background()
	srv := testserver.Start(t, backend)
	trust := `{"Version":"2012-10-17","Statement":[{"Sid":"with space+plus","Effect":"Allow","Principal":{"Service":"config.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if _, err := iam.NewFromConfig(srv.Config("us-east-1")).CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String("cli-role"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, awsBin, "iam", "get-role", "--role-name", "cli-role", "--output", "json", "--endpoint-url", srv.Endpoint)
	home := t.TempDir()
	// Nothing of the user's AWS setup leaks in: a temporary HOME, config files that do not exist.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "LANG=C.UTF-8",
		"AWS_CONFIG_FILE=" + home + "/no-such-config", "AWS_SHARED_CREDENTIALS_FILE=" + home + "/no-such-credentials",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_ACCESS_KEY_ID=" + testserver.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + testserver.SecretKey, "AWS_DEFAULT_REGION=us-east-1", "AWS_MAX_ATTEMPTS=1"}
	if v, ok := os.LookupEnv("PYENV_ROOT"); ok {
		cmd.Env = append(cmd.Env, "PYENV_ROOT="+v)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("aws iam get-role: %v: %s%s", err, out, stderr.String())
	}
	var res struct {
		Role struct {
			AssumeRolePolicyDocument json.RawMessage
		}
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("CLI output %s: %v", out, err)
	}
	if !strings.HasPrefix(strings.TrimSpace(string(res.Role.AssumeRolePolicyDocument)), "{") ||
		!sameJSON(t, string(res.Role.AssumeRolePolicyDocument), trust) {
		t.Fatalf("CLI trust policy = %s", res.Role.AssumeRolePolicyDocument)
	}
}
