package rules

import (
	"regexp"
	"slices"
	"testing"
)

// evaluated are the managed rules orgconfig evaluates from configuration items (the others are
// only accepted and validated).
var evaluated = []string{
	"REQUIRED_TAGS", "S3_BUCKET_VERSIONING_ENABLED", "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED",
	"S3_BUCKET_LOGGING_ENABLED", "S3_BUCKET_PUBLIC_READ_PROHIBITED", "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED",
	"ENCRYPTED_VOLUMES", "EC2_VOLUME_INUSE_CHECK", "INCOMING_SSH_DISABLED", "RESTRICTED_INCOMING_TRAFFIC",
	"VPC_DEFAULT_SECURITY_GROUP_CLOSED", "VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS", "EC2_INSTANCE_NO_PUBLIC_IP",
	"DESIRED_INSTANCE_TYPE", "APPROVED_AMIS_BY_ID", "EIP_ATTACHED", "IAM_USER_NO_POLICIES_CHECK",
	"RDS_STORAGE_ENCRYPTED", "IAM_PASSWORD_POLICY",
}

// TestEvaluatedRules: exactly the 19 rules of evaluated are evaluable, each with the evaluator its
// kind needs.
func TestEvaluatedRules(t *testing.T) {
	var got []string
	for _, id := range Identifiers() {
		r := mustLookup(t, id)
		if !r.Evaluable {
			if r.EvaluateItem != nil || r.EvaluateAccount != nil {
				t.Errorf("%s: not evaluable but has an evaluator", id)
			}
			continue
		}
		got = append(got, id)
		if r.AccountLevel() != (r.EvaluateAccount != nil) || r.AccountLevel() == (r.EvaluateItem != nil) {
			t.Errorf("%s: account-level %v with evaluators item=%v account=%v", id, r.AccountLevel(), r.EvaluateItem != nil, r.EvaluateAccount != nil)
		}
	}
	want := slices.Sorted(slices.Values(evaluated))
	if !slices.Equal(got, want) {
		t.Fatalf("evaluable rules %v, want %v", got, want)
	}
}

// TestCatalogueUnique: no identifier is defined twice, and the catalogue describes (with
// parameters) at least 60 rules besides the evaluated ones.
func TestCatalogueUnique(t *testing.T) {
	all := append(managedRules(), catalogueRules()...)
	seen := map[string]bool{}
	for _, r := range all {
		if seen[r.Identifier] {
			t.Errorf("%s defined twice", r.Identifier)
		}
		seen[r.Identifier] = true
	}
	if len(Identifiers()) != len(all) {
		t.Fatalf("%d identifiers for %d definitions", len(Identifiers()), len(all))
	}
	if n := len(catalogue); n < 60 {
		t.Fatalf("catalogue has %d rules", n)
	}
}

// TestRuleShapes: identifiers, names and parameters are well formed.
func TestRuleShapes(t *testing.T) {
	idForm := regexp.MustCompile(`^[A-Z][A-Z0-9_]+$`)
	nameForm := regexp.MustCompile(`^[a-z][a-z0-9-]+$`)
	for _, id := range Identifiers() {
		r := mustLookup(t, id)
		if !idForm.MatchString(id) || r.Identifier != id {
			t.Errorf("identifier %q (rule says %q)", id, r.Identifier)
		}
		if !nameForm.MatchString(r.DefaultName) {
			t.Errorf("%s: default name %q", id, r.DefaultName)
		}
		if r.Triggers == 0 || r.Triggers&^(ChangeTriggered|Periodic) != 0 {
			t.Errorf("%s: triggers %v", id, r.Triggers)
		}
		if r.AccountLevel() && r.Triggers.Has(ChangeTriggered) {
			t.Errorf("%s: account-level rule triggered by changes", id)
		}
		names := map[string]bool{}
		for _, p := range r.Params {
			if p.Name == "" || names[p.Name] {
				t.Errorf("%s: parameter %q empty or repeated", id, p.Name)
			}
			names[p.Name] = true
		}
	}
}

// TestIdentifiers: sorted, complete, and a copy the caller may change.
func TestIdentifiers(t *testing.T) {
	ids := Identifiers()
	if !slices.IsSorted(ids) {
		t.Fatal("identifiers not sorted")
	}
	for _, id := range []string{
		"CLOUD_TRAIL_ENABLED", "ROOT_ACCOUNT_MFA_ENABLED", "IAM_ROOT_ACCESS_KEY_CHECK", "MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS",
		"ACCESS_KEYS_ROTATED", "CLOUDWATCH_ALARM_ACTION_CHECK", "DYNAMODB_TABLE_ENCRYPTION_ENABLED",
		"RDS_INSTANCE_PUBLIC_ACCESS_CHECK", "LAMBDA_FUNCTION_PUBLIC_ACCESS_PROHIBITED", ProcessCheckIdentifier,
	} {
		if _, ok := slices.BinarySearch(ids, id); !ok {
			t.Errorf("%s missing", id)
		}
	}
	ids[0] = "changed"
	if Identifiers()[0] == "changed" {
		t.Fatal("Identifiers shares its slice")
	}
}

// TestLookup: case-sensitive, with the documented names, scopes and triggers.
func TestLookup(t *testing.T) {
	if _, ok := Lookup("required_tags"); ok {
		t.Fatal("lookup is case-insensitive")
	}
	for _, c := range []struct {
		id, name string
		types    []string
		triggers Trigger
	}{
		{"REQUIRED_TAGS", "required-tags", nil, ChangeTriggered},
		{"INCOMING_SSH_DISABLED", "restricted-ssh", []string{"AWS::EC2::SecurityGroup"}, ChangeTriggered | Periodic},
		{"RESTRICTED_INCOMING_TRAFFIC", "restricted-common-ports", []string{"AWS::EC2::SecurityGroup"}, ChangeTriggered | Periodic},
		{"S3_BUCKET_PUBLIC_READ_PROHIBITED", "s3-bucket-public-read-prohibited", []string{"AWS::S3::Bucket"}, ChangeTriggered | Periodic},
		{"IAM_PASSWORD_POLICY", "iam-password-policy", []string{}, Periodic},
		{"CLOUD_TRAIL_ENABLED", "cloudtrail-enabled", []string{}, Periodic},
		{"INSTANCES_IN_VPC", "ec2-instances-in-vpc", []string{"AWS::EC2::Instance"}, ChangeTriggered},
		{ProcessCheckIdentifier, "aws-config-process-check", []string{}, Periodic},
	} {
		r := mustLookup(t, c.id)
		if r.DefaultName != c.name || r.Triggers != c.triggers {
			t.Errorf("%s: name %s triggers %v, want %s %v", c.id, r.DefaultName, r.Triggers, c.name, c.triggers)
		}
		if c.types != nil && !slices.Equal(r.ResourceTypes, c.types) { // nil and empty are equal
			t.Errorf("%s: types %v, want %v", c.id, r.ResourceTypes, c.types)
		}
	}
	if n := len(mustLookup(t, "REQUIRED_TAGS").ResourceTypes); n != 30 {
		t.Errorf("REQUIRED_TAGS has %d resource types, want 30", n)
	}
}

// TestTrigger: Has and String.
func TestTrigger(t *testing.T) {
	both := ChangeTriggered | Periodic
	if !both.Has(Periodic) || !both.Has(ChangeTriggered) || Periodic.Has(ChangeTriggered) {
		t.Fatal("Has")
	}
	for tr, want := range map[Trigger]string{ChangeTriggered: "ChangeTriggered", Periodic: "Periodic", both: "ChangeTriggered|Periodic", 0: ""} {
		if got := tr.String(); got != want {
			t.Errorf("%d: %q, want %q", tr, got, want)
		}
	}
}

// TestNoEvaluation: every change-triggered rule yields no evaluation for a missing item, an item
// not recorded or deleted, and an item of a type outside its scope.
func TestNoEvaluation(t *testing.T) {
	for _, id := range Identifiers() {
		r := mustLookup(t, id)
		if r.EvaluateItem == nil {
			continue
		}
		p := Params{"tag1Key": "k", "instanceType": "t2.micro", "amiIds": "ami-1"}
		if _, ok := r.EvaluateItem(nil, nil, p); ok {
			t.Errorf("%s: evaluated a nil item", id)
		}
		for _, status := range []string{StatusResourceNotRecorded, StatusResourceDeleted, StatusResourceDeletedNotRecorded} {
			it := &Item{ResourceType: r.ResourceTypes[0], ResourceID: "x", Status: status, Configuration: raw(`{}`)}
			if res, ok := r.EvaluateItem(nil, it, p); ok {
				t.Errorf("%s: %s item evaluated: %+v", id, status, res)
			}
		}
		it := &Item{ResourceType: "AWS::Other::Thing", ResourceID: "x", Status: StatusOK, Configuration: raw(`{}`)}
		if res, ok := r.EvaluateItem(nil, it, p); ok {
			t.Errorf("%s: out-of-scope item evaluated: %+v", id, res)
		}
		for _, status := range []string{StatusOK, StatusResourceDiscovered} {
			it := &Item{ResourceType: r.ResourceTypes[len(r.ResourceTypes)-1], ResourceID: "x", Status: status}
			res, ok := r.EvaluateItem(nil, it, p)
			if !ok {
				t.Errorf("%s: %s item not evaluated", id, status)
				continue
			}
			checkResult(t, res, it.ResourceType, "x")
		}
	}
}

// TestAnnotationLength: long annotations are cut to 256 characters.
func TestAnnotationLength(t *testing.T) {
	long := string(make([]rune, 300))
	if got := []rune(annotation(long)); len(got) != maxAnnotation || got[maxAnnotation-1] != '…' {
		t.Fatalf("cut annotation has %d characters", len(got))
	}
	if annotation("short") != "short" {
		t.Fatal("short annotation changed")
	}
	res, ok := mustLookup(t, "REQUIRED_TAGS").EvaluateItem(nil, &Item{ResourceType: "AWS::S3::Bucket", Status: StatusOK},
		Params{"tag1Key": string(make([]byte, 500))})
	if !ok || len([]rune(res.Annotation)) != maxAnnotation {
		t.Fatalf("annotation of %d characters", len([]rune(res.Annotation)))
	}
}
