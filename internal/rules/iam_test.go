package rules

import (
	"strings"
	"testing"
)

// TestUserNoPolicies: IAM_USER_NO_POLICIES_CHECK.
func TestUserNoPolicies(t *testing.T) {
	user := func(inline, managed string) Item {
		return Item{ResourceID: "AIDA1", Region: "global", Configuration: raw(`{"userName":"u","groupList":["g"],"userPolicyList":` + inline + `,"attachedManagedPolicies":` + managed + `}`)}
	}
	runCases(t, "IAM_USER_NO_POLICIES_CHECK", []evalCase{
		{name: "no policies", item: user(`[]`, `[]`), want: Compliant},
		{name: "null lists", item: user(`null`, `null`), want: Compliant},
		{name: "inline policy", item: user(`[{"policyName":"p","policyDocument":"%7B%7D"}]`, `[]`), want: NonCompliant},
		{name: "managed policy", item: user(`[]`, `[{"policyName":"ReadOnly","policyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}]`), want: NonCompliant},
		{name: "group type out of scope", item: Item{ResourceType: "AWS::IAM::Group"}},
	})
}

// TestPasswordPolicy: IAM_PASSWORD_POLICY against the account's password policy, with each
// parameter.
func TestPasswordPolicy(t *testing.T) {
	strong := PasswordPolicy{
		MinimumPasswordLength: 14, RequireSymbols: true, RequireNumbers: true,
		RequireUppercaseCharacters: true, RequireLowercaseCharacters: true,
		MaxPasswordAge: 90, PasswordReusePrevention: 24,
	}
	with := func(change func(*PasswordPolicy)) *PasswordPolicy {
		pp := strong
		change(&pp)
		return &pp
	}
	r := mustLookup(t, "IAM_PASSWORD_POLICY")
	for _, c := range []struct {
		name, params string
		policy       *PasswordPolicy
		want         string
	}{
		{"defaults met", "", &strong, Compliant},
		{"no policy", "", nil, NonCompliant},
		{"no symbols", "", with(func(p *PasswordPolicy) { p.RequireSymbols = false }), NonCompliant},
		{"symbols not required", `{"RequireSymbols":"false"}`, with(func(p *PasswordPolicy) { p.RequireSymbols = false }), Compliant},
		{"only lowercase true counts", `{"RequireNumbers":"TRUE"}`, with(func(p *PasswordPolicy) { p.RequireNumbers = false }), Compliant},
		{"no uppercase", "", with(func(p *PasswordPolicy) { p.RequireUppercaseCharacters = false }), NonCompliant},
		{"no lowercase", "", with(func(p *PasswordPolicy) { p.RequireLowercaseCharacters = false }), NonCompliant},
		{"no numbers", "", with(func(p *PasswordPolicy) { p.RequireNumbers = false }), NonCompliant},
		{"too short", "", with(func(p *PasswordPolicy) { p.MinimumPasswordLength = 8 }), NonCompliant},
		{"short allowed", `{"MinimumPasswordLength":"8"}`, with(func(p *PasswordPolicy) { p.MinimumPasswordLength = 8 }), Compliant},
		{"longer than required", `{"MinimumPasswordLength":8}`, &strong, Compliant},
		{"reuse too low", "", with(func(p *PasswordPolicy) { p.PasswordReusePrevention = 5 }), NonCompliant},
		{"reuse unset", "", with(func(p *PasswordPolicy) { p.PasswordReusePrevention = 0 }), NonCompliant},
		{"reuse low allowed", `{"PasswordReusePrevention":"5"}`, with(func(p *PasswordPolicy) { p.PasswordReusePrevention = 5 }), Compliant},
		{"never expires", "", with(func(p *PasswordPolicy) { p.MaxPasswordAge = 0 }), NonCompliant},
		{"expires too late", "", with(func(p *PasswordPolicy) { p.MaxPasswordAge = 120 }), NonCompliant},
		{"expires sooner", "", with(func(p *PasswordPolicy) { p.MaxPasswordAge = 30 }), Compliant},
		{"later expiry allowed", `{"MaxPasswordAge":"180"}`, with(func(p *PasswordPolicy) { p.MaxPasswordAge = 120 }), Compliant},
		{"non-integer parameter not checked", `{"MinimumPasswordLength":"long"}`, with(func(p *PasswordPolicy) { p.MinimumPasswordLength = 1 }), Compliant},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := ParseParams(r, c.params)
			if err != nil {
				t.Fatal(err)
			}
			res := r.EvaluateAccount(fakeEnv{policy: c.policy}, "111111111111", p)
			if res.Compliance != c.want {
				t.Fatalf("%s (%q), want %s", res.Compliance, res.Annotation, c.want)
			}
			checkResult(t, res, AccountResourceType, "111111111111")
		})
	}
	weak := &PasswordPolicy{MinimumPasswordLength: 6}
	res := r.EvaluateAccount(fakeEnv{policy: weak}, "1", Params{"RequireSymbols": "true", "MinimumPasswordLength": "14"})
	if !strings.Contains(res.Annotation, "RequireSymbols") || !strings.Contains(res.Annotation, "MinimumPasswordLength 6 < 14") {
		t.Fatalf("annotation %q", res.Annotation)
	}
	if res := r.EvaluateAccount(nil, "1", Params{}); res.Compliance != NonCompliant {
		t.Fatalf("nil env: %+v", res)
	}
}
