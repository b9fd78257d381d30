package iam

import (
	"fmt"
	"strings"
	"testing"

	"github.com/orgconfig/orgconfig/internal/api/iamapi"
	"github.com/orgconfig/orgconfig/internal/store"
)

func TestInstanceProfileLifecycle(t *testing.T) {
	f := newFixture(t)
	created, err := f.svc.CreateInstanceProfile(f.ctx, &iamapi.CreateInstanceProfileRequest{InstanceProfileName: "Web", Path: "/app/",
		Tags: []iamapi.Tag{{Key: "team", Value: "web"}}})
	if err != nil {
		t.Fatal(err)
	}
	p := created.InstanceProfile
	if p.Arn != "arn:aws:iam::"+acct+":instance-profile/app/Web" || !strings.HasPrefix(p.InstanceProfileId, "AIPA") ||
		len(p.InstanceProfileId) != 21 || p.Roles == nil || len(p.Roles) != 0 || len(p.Tags) != 1 {
		t.Fatalf("created %+v", p)
	}
	_, err = f.svc.CreateInstanceProfile(f.ctx, &iamapi.CreateInstanceProfileRequest{InstanceProfileName: "WEB"})
	wantCode(t, err, "EntityAlreadyExists")
	if !strings.Contains(err.Error(), "Instance Profile WEB already exists.") {
		t.Errorf("message %v", err)
	}
	_, err = f.svc.GetInstanceProfile(f.ctx, &iamapi.GetInstanceProfileRequest{InstanceProfileName: "nope"})
	wantCode(t, err, "NoSuchEntity")
	if !strings.Contains(err.Error(), "Instance Profile nope cannot be found.") {
		t.Errorf("message %v", err)
	}

	if _, err := f.svc.CreateRole(f.ctx, &iamapi.CreateRoleRequest{RoleName: "WebRole", AssumeRolePolicyDocument: trust}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateRole(f.ctx, &iamapi.CreateRoleRequest{RoleName: "Other", AssumeRolePolicyDocument: trust}); err != nil {
		t.Fatal(err)
	}
	forRole, err := f.svc.ListInstanceProfilesForRole(f.ctx, &iamapi.ListInstanceProfilesForRoleRequest{RoleName: "WebRole"})
	if err != nil || forRole.InstanceProfiles == nil || len(forRole.InstanceProfiles) != 0 || *forRole.IsTruncated {
		t.Fatalf("for a role without profiles: %+v %v", forRole, err)
	}
	_, err = f.svc.ListInstanceProfilesForRole(f.ctx, &iamapi.ListInstanceProfilesForRoleRequest{RoleName: "ghost"})
	wantCode(t, err, "NoSuchEntity")

	wantCode(t, f.svc.AddRoleToInstanceProfile(f.ctx, &iamapi.AddRoleToInstanceProfileRequest{InstanceProfileName: "nope", RoleName: "WebRole"}), "NoSuchEntity")
	wantCode(t, f.svc.AddRoleToInstanceProfile(f.ctx, &iamapi.AddRoleToInstanceProfileRequest{InstanceProfileName: "Web", RoleName: "ghost"}), "NoSuchEntity")
	if err := f.svc.AddRoleToInstanceProfile(f.ctx, &iamapi.AddRoleToInstanceProfileRequest{InstanceProfileName: "web", RoleName: "webrole"}); err != nil {
		t.Fatal(err)
	}
	for _, role := range []string{"Other", "WebRole"} {
		err := f.svc.AddRoleToInstanceProfile(f.ctx, &iamapi.AddRoleToInstanceProfileRequest{InstanceProfileName: "Web", RoleName: role})
		wantCode(t, err, "LimitExceeded")
		if !strings.Contains(err.Error(), "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1") {
			t.Errorf("message %v", err)
		}
	}
	got, err := f.svc.GetInstanceProfile(f.ctx, &iamapi.GetInstanceProfileRequest{InstanceProfileName: "WEB"})
	if err != nil {
		t.Fatal(err)
	}
	if g := got.InstanceProfile; g.InstanceProfileName != "Web" || len(g.Roles) != 1 || g.Roles[0].RoleName != "WebRole" ||
		g.Roles[0].Arn != "arn:aws:iam::"+acct+":role/WebRole" || g.Roles[0].AssumeRolePolicyDocument != encodeDoc(trust) ||
		len(g.Tags) != 1 || g.Tags[0].Value != "web" {
		t.Fatalf("GetInstanceProfile %+v", g)
	}
	forRole, err = f.svc.ListInstanceProfilesForRole(f.ctx, &iamapi.ListInstanceProfilesForRoleRequest{RoleName: "WEBROLE"})
	if err != nil || len(forRole.InstanceProfiles) != 1 || forRole.InstanceProfiles[0].InstanceProfileName != "Web" ||
		len(forRole.InstanceProfiles[0].Roles) != 1 || forRole.InstanceProfiles[0].Tags != nil {
		t.Fatalf("ListInstanceProfilesForRole %+v %v", forRole, err)
	}

	// The role cannot go while in the profile, nor the profile while it holds the role.
	err = f.svc.DeleteRole(f.ctx, &iamapi.DeleteRoleRequest{RoleName: "WebRole"})
	wantCode(t, err, "DeleteConflict")
	if !strings.Contains(err.Error(), "Cannot delete entity, must remove roles from instance profile first.") {
		t.Errorf("message %v", err)
	}
	err = f.svc.DeleteInstanceProfile(f.ctx, &iamapi.DeleteInstanceProfileRequest{InstanceProfileName: "Web"})
	wantCode(t, err, "DeleteConflict")
	if !strings.Contains(err.Error(), "Cannot delete entity, must remove roles from instance profile first.") {
		t.Errorf("message %v", err)
	}

	wantCode(t, f.svc.RemoveRoleFromInstanceProfile(f.ctx, &iamapi.RemoveRoleFromInstanceProfileRequest{InstanceProfileName: "Web", RoleName: "Other"}), "NoSuchEntity")
	wantCode(t, f.svc.RemoveRoleFromInstanceProfile(f.ctx, &iamapi.RemoveRoleFromInstanceProfileRequest{InstanceProfileName: "Web", RoleName: "ghost"}), "NoSuchEntity")
	if err := f.svc.RemoveRoleFromInstanceProfile(f.ctx, &iamapi.RemoveRoleFromInstanceProfileRequest{InstanceProfileName: "Web", RoleName: "WebRole"}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.svc.RemoveRoleFromInstanceProfile(f.ctx, &iamapi.RemoveRoleFromInstanceProfileRequest{InstanceProfileName: "Web", RoleName: "WebRole"}), "NoSuchEntity")
	forRole, err = f.svc.ListInstanceProfilesForRole(f.ctx, &iamapi.ListInstanceProfilesForRoleRequest{RoleName: "WebRole"})
	if err != nil || len(forRole.InstanceProfiles) != 0 {
		t.Fatalf("after removal %+v %v", forRole, err)
	}
	// Another role may take its place.
	if err := f.svc.AddRoleToInstanceProfile(f.ctx, &iamapi.AddRoleToInstanceProfileRequest{InstanceProfileName: "Web", RoleName: "Other"}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeleteRole(f.ctx, &iamapi.DeleteRoleRequest{RoleName: "WebRole"}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RemoveRoleFromInstanceProfile(f.ctx, &iamapi.RemoveRoleFromInstanceProfileRequest{InstanceProfileName: "Web", RoleName: "Other"}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeleteInstanceProfile(f.ctx, &iamapi.DeleteInstanceProfileRequest{InstanceProfileName: "Web"}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.svc.DeleteInstanceProfile(f.ctx, &iamapi.DeleteInstanceProfileRequest{InstanceProfileName: "Web"}), "NoSuchEntity")
	if err := f.svc.DeleteRole(f.ctx, &iamapi.DeleteRoleRequest{RoleName: "Other"}); err != nil {
		t.Fatal(err)
	}
	err = f.st.Read(f.ctx, func(tx store.Tx) error {
		for _, kind := range []string{KindInstanceProfile, KindRoleProfile} {
			if n, err := tx.Count(kind, acct); err != nil || n != 0 {
				t.Errorf("%s records left: %d %v", kind, n, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestInstanceProfileServiceLinkedRole(t *testing.T) {
	f := newFixture(t)
	if _, err := f.svc.CreateServiceLinkedRole(f.ctx, &iamapi.CreateServiceLinkedRoleRequest{AWSServiceName: "config.amazonaws.com"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateInstanceProfile(f.ctx, &iamapi.CreateInstanceProfileRequest{InstanceProfileName: "p"}); err != nil {
		t.Fatal(err)
	}
	err := f.svc.AddRoleToInstanceProfile(f.ctx, &iamapi.AddRoleToInstanceProfileRequest{InstanceProfileName: "p", RoleName: "AWSServiceRoleForConfig"})
	wantCode(t, err, "UnmodifiableEntity")
}

func TestListInstanceProfilesPagination(t *testing.T) {
	f := newFixture(t)
	for i := range 7 {
		path := "/a/"
		if i%2 == 1 {
			path = "/b/"
		}
		if _, err := f.svc.CreateInstanceProfile(f.ctx, &iamapi.CreateInstanceProfileRequest{InstanceProfileName: fmt.Sprintf("p%d", i), Path: path}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	marker := ""
	for pages := 0; ; pages++ {
		if pages > 7 {
			t.Fatal("pagination does not end")
		}
		out, err := f.svc.ListInstanceProfiles(f.ctx, &iamapi.ListInstanceProfilesRequest{Marker: marker, MaxItems: ptr(int32(2))})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.InstanceProfiles) > 2 {
			t.Fatalf("page of %d", len(out.InstanceProfiles))
		}
		for _, p := range out.InstanceProfiles {
			if p.Tags != nil || p.Roles == nil {
				t.Errorf("listed %+v", p)
			}
			names = append(names, p.InstanceProfileName)
		}
		if !*out.IsTruncated {
			break
		}
		marker = out.Marker
	}
	if strings.Join(names, ",") != "p0,p1,p2,p3,p4,p5,p6" {
		t.Fatalf("listed %v", names)
	}
	out, err := f.svc.ListInstanceProfiles(f.ctx, &iamapi.ListInstanceProfilesRequest{PathPrefix: "/b/"})
	if err != nil || len(out.InstanceProfiles) != 3 || *out.IsTruncated {
		t.Fatalf("by path %+v %v", out, err)
	}
	_, err = f.svc.ListInstanceProfiles(f.ctx, &iamapi.ListInstanceProfilesRequest{Marker: "!!"})
	wantCode(t, err, "InvalidInput")
}

func TestInstanceProfileTags(t *testing.T) {
	f := newFixture(t)
	if _, err := f.svc.CreateInstanceProfile(f.ctx, &iamapi.CreateInstanceProfileRequest{InstanceProfileName: "p"}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.TagInstanceProfile(f.ctx, &iamapi.TagInstanceProfileRequest{InstanceProfileName: "p",
		Tags: []iamapi.Tag{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}, {Key: "c", Value: "3"}}}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.TagInstanceProfile(f.ctx, &iamapi.TagInstanceProfileRequest{InstanceProfileName: "p", Tags: []iamapi.Tag{{Key: "a", Value: "9"}}}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.UntagInstanceProfile(f.ctx, &iamapi.UntagInstanceProfileRequest{InstanceProfileName: "p", TagKeys: []string{"b", "zz"}}); err != nil {
		t.Fatal(err)
	}
	first, err := f.svc.ListInstanceProfileTags(f.ctx, &iamapi.ListInstanceProfileTagsRequest{InstanceProfileName: "p", MaxItems: ptr(int32(1))})
	if err != nil || len(first.Tags) != 1 || first.Tags[0] != (iamapi.Tag{Key: "a", Value: "9"}) || !*first.IsTruncated {
		t.Fatalf("first page %+v %v", first, err)
	}
	rest, err := f.svc.ListInstanceProfileTags(f.ctx, &iamapi.ListInstanceProfileTagsRequest{InstanceProfileName: "p", Marker: first.Marker})
	if err != nil || len(rest.Tags) != 1 || rest.Tags[0] != (iamapi.Tag{Key: "c", Value: "3"}) || *rest.IsTruncated {
		t.Fatalf("second page %+v %v", rest, err)
	}
	many := make([]iamapi.Tag, maxTags)
	for i := range many {
		many[i] = iamapi.Tag{Key: fmt.Sprintf("k%d", i), Value: "v"}
	}
	wantCode(t, f.svc.TagInstanceProfile(f.ctx, &iamapi.TagInstanceProfileRequest{InstanceProfileName: "p", Tags: many}), "LimitExceeded")
	wantCode(t, f.svc.TagInstanceProfile(f.ctx, &iamapi.TagInstanceProfileRequest{InstanceProfileName: "q", Tags: many[:1]}), "NoSuchEntity")
	wantCode(t, f.svc.UntagInstanceProfile(f.ctx, &iamapi.UntagInstanceProfileRequest{InstanceProfileName: "q", TagKeys: []string{"a"}}), "NoSuchEntity")
	_, err = f.svc.ListInstanceProfileTags(f.ctx, &iamapi.ListInstanceProfileTagsRequest{InstanceProfileName: "q"})
	wantCode(t, err, "NoSuchEntity")
}

func TestInstanceProfileQuota(t *testing.T) {
	f := newFixture(t)
	err := f.write(t, func(tx store.Tx) error {
		for i := range maxInstanceProfiles {
			if err := tx.Put(KindInstanceProfile, acct, fmt.Sprintf("p%04d", i), []byte(`{}`)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.CreateInstanceProfile(f.ctx, &iamapi.CreateInstanceProfileRequest{InstanceProfileName: "one-more"})
	wantCode(t, err, "LimitExceeded")
	if !strings.Contains(err.Error(), "Cannot exceed quota for InstanceProfilesPerAccount: 1000") {
		t.Errorf("message %v", err)
	}
}

func TestPolicyTags(t *testing.T) {
	f := newFixture(t)
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"config:*","Resource":"*"}]}`
	cp, err := f.svc.CreatePolicy(f.ctx, &iamapi.CreatePolicyRequest{PolicyName: "p", PolicyDocument: doc,
		Tags: []iamapi.Tag{{Key: "env", Value: "dev"}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := cp.Policy.Arn
	if len(cp.Policy.Tags) != 1 {
		t.Fatalf("CreatePolicy tags %+v", cp.Policy.Tags)
	}
	if err := f.svc.TagPolicy(f.ctx, &iamapi.TagPolicyRequest{PolicyArn: arn, Tags: []iamapi.Tag{{Key: "env", Value: "prod"}, {Key: "team", Value: "sec"}}}); err != nil {
		t.Fatal(err)
	}
	gp, err := f.svc.GetPolicy(f.ctx, &iamapi.GetPolicyRequest{PolicyArn: arn})
	if err != nil || len(gp.Policy.Tags) != 2 || gp.Policy.Tags[0] != (iamapi.Tag{Key: "env", Value: "prod"}) {
		t.Fatalf("GetPolicy %+v %v", gp, err)
	}
	if err := f.svc.UntagPolicy(f.ctx, &iamapi.UntagPolicyRequest{PolicyArn: arn, TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	lt, err := f.svc.ListPolicyTags(f.ctx, &iamapi.ListPolicyTagsRequest{PolicyArn: arn})
	if err != nil || len(lt.Tags) != 1 || lt.Tags[0] != (iamapi.Tag{Key: "team", Value: "sec"}) || *lt.IsTruncated {
		t.Fatalf("ListPolicyTags %+v %v", lt, err)
	}
	aws := "arn:aws:iam::aws:policy/ReadOnlyAccess"
	lt, err = f.svc.ListPolicyTags(f.ctx, &iamapi.ListPolicyTagsRequest{PolicyArn: aws})
	if err != nil || lt.Tags == nil || len(lt.Tags) != 0 {
		t.Fatalf("ListPolicyTags of an AWS managed policy %+v %v", lt, err)
	}
	wantCode(t, f.svc.TagPolicy(f.ctx, &iamapi.TagPolicyRequest{PolicyArn: aws, Tags: []iamapi.Tag{{Key: "a", Value: "b"}}}), "AccessDenied")
	missing := "arn:aws:iam::" + acct + ":policy/missing"
	wantCode(t, f.svc.TagPolicy(f.ctx, &iamapi.TagPolicyRequest{PolicyArn: missing, Tags: []iamapi.Tag{{Key: "a", Value: "b"}}}), "NoSuchEntity")
	wantCode(t, f.svc.UntagPolicy(f.ctx, &iamapi.UntagPolicyRequest{PolicyArn: missing, TagKeys: []string{"a"}}), "NoSuchEntity")
	_, err = f.svc.ListPolicyTags(f.ctx, &iamapi.ListPolicyTagsRequest{PolicyArn: missing})
	wantCode(t, err, "NoSuchEntity")
	many := make([]iamapi.Tag, maxTags)
	for i := range many {
		many[i] = iamapi.Tag{Key: fmt.Sprintf("k%d", i), Value: "v"}
	}
	wantCode(t, f.svc.TagPolicy(f.ctx, &iamapi.TagPolicyRequest{PolicyArn: arn, Tags: many}), "LimitExceeded")
	_, err = f.svc.CreatePolicy(f.ctx, &iamapi.CreatePolicyRequest{PolicyName: "q", PolicyDocument: doc, Tags: append(many, iamapi.Tag{Key: "x", Value: "y"})})
	wantCode(t, err, "LimitExceeded")
}
