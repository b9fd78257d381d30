package rules

import (
	"fmt"
	"strings"
)

// checkUserNoPolicies (IAM_USER_NO_POLICIES_CHECK): an IAM user must have no inline policies
// (userPolicyList) and no attached managed policies (attachedManagedPolicies).
func checkUserNoPolicies(_ Env, _ *Item, c value, _ Params) verdict {
	if c.get("userPolicyList").nonEmptyList() || c.get("attachedManagedPolicies").nonEmptyList() {
		return nonCompliant("The user has inline or attached managed policies.")
	}
	return compliant()
}

// passwordPolicyParams are the parameters of IAM_PASSWORD_POLICY with AWS's defaults.
var passwordPolicyParams = []Param{
	{Name: "RequireUppercaseCharacters", Default: "true", Description: `"true" requires at least one uppercase letter.`},
	{Name: "RequireLowercaseCharacters", Default: "true", Description: `"true" requires at least one lowercase letter.`},
	{Name: "RequireSymbols", Default: "true", Description: `"true" requires at least one symbol.`},
	{Name: "RequireNumbers", Default: "true", Description: `"true" requires at least one number.`},
	{Name: "MinimumPasswordLength", Default: "14", Description: "The shortest password length the policy may allow."},
	{Name: "PasswordReusePrevention", Default: "24", Description: "The fewest previous passwords the policy may remember."},
	{Name: "MaxPasswordAge", Default: "90", Description: "The longest password lifetime, in days, the policy may allow."},
}

// evaluatePasswordPolicy (IAM_PASSWORD_POLICY) checks the account's password policy: each flag
// parameter that is "true" requires the flag; the length and reuse prevention must be at least
// their parameters; passwords must expire within MaxPasswordAge days. An account without a
// password policy is non-compliant. A numeric parameter that is not an integer is not checked.
func evaluatePasswordPolicy(env Env, accountID string, p Params) Result {
	res := Result{ResourceType: AccountResourceType, ResourceID: accountID, Compliance: Compliant}
	var pp *PasswordPolicy
	if env != nil {
		pp = env.PasswordPolicy()
	}
	if pp == nil {
		res.Compliance, res.Annotation = NonCompliant, "The account has no IAM password policy."
		return res
	}
	if failed := passwordPolicyFailures(pp, p); len(failed) > 0 {
		res.Compliance = NonCompliant
		res.Annotation = annotation("The password policy does not meet: " + strings.Join(failed, ", ") + ".")
	}
	return res
}

// passwordPolicyFailures lists the requirements of p that pp does not meet.
func passwordPolicyFailures(pp *PasswordPolicy, p Params) []string {
	var failed []string
	for _, f := range []struct {
		param string
		have  bool
	}{
		{"RequireUppercaseCharacters", pp.RequireUppercaseCharacters},
		{"RequireLowercaseCharacters", pp.RequireLowercaseCharacters},
		{"RequireSymbols", pp.RequireSymbols},
		{"RequireNumbers", pp.RequireNumbers},
	} {
		if p.flag(f.param) && !f.have {
			failed = append(failed, f.param)
		}
	}
	for _, m := range []struct {
		param string
		have  int
	}{
		{"MinimumPasswordLength", pp.MinimumPasswordLength},
		{"PasswordReusePrevention", pp.PasswordReusePrevention},
	} {
		if want, ok := p.integer(m.param); ok && m.have < want {
			failed = append(failed, fmt.Sprintf("%s %d < %d", m.param, m.have, want))
		}
	}
	if want, ok := p.integer("MaxPasswordAge"); ok && (pp.MaxPasswordAge <= 0 || pp.MaxPasswordAge > want) {
		failed = append(failed, fmt.Sprintf("MaxPasswordAge %d not within 1-%d", pp.MaxPasswordAge, want))
	}
	return failed
}
