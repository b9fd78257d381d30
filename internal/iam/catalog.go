package iam

import (
	"crypto/sha256"
	"encoding/base32"
	"sort"
	"strings"
	"time"
)

// awsPolicy is an AWS managed policy of the embedded catalog. AWS managed policies exist in
// every account, have one version (v1) here, and cannot be changed by customers.
type awsPolicy struct {
	Name, Path, Description, Document string
}

func (p awsPolicy) ARN() string { return "arn:aws:iam::aws:policy" + p.Path + p.Name }

// ID is a stable policy ID ("ANPA" + 17 base32 characters) derived from the name, so that it is
// the same in every account and across restarts, as AWS's are.
func (p awsPolicy) ID() string {
	sum := sha256.Sum256([]byte(p.ARN()))
	return "ANPA" + base32.StdEncoding.EncodeToString(sum[:])[:17]
}

// awsPolicyDate is the CreateDate/UpdateDate reported for every catalog policy (AWS's dates are
// per policy and not documented; one fixed date is orgconfig's choice).
var awsPolicyDate = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)

// allow builds a one-statement policy document allowing actions on resources.
func allow(actions []string, resources ...string) string {
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":` + jsonList(actions) + `,"Resource":` + jsonList(resources) + `}]}`
}

func jsonList(xs []string) string {
	if len(xs) == 1 {
		return `"` + xs[0] + `"`
	}
	return `["` + strings.Join(xs, `","`) + `"]`
}

// awsPolicies is the catalog, keyed by ARN. Documents are abbreviated versions of AWS's but
// list real actions. The deprecated service-role/AWSConfigRole is deliberately absent: AWS
// answers NoSuchEntity when it is attached.
var awsPolicies = func() map[string]awsPolicy {
	list := []awsPolicy{
		{Name: "AdministratorAccess", Path: "/", Description: "Provides full access to AWS services and resources.",
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
		{Name: "ReadOnlyAccess", Path: "/", Description: "Provides read-only access to AWS services and resources.",
			Document: allow([]string{"config:Describe*", "config:Get*", "config:List*", "config:Select*", "config:BatchGet*",
				"iam:Get*", "iam:List*", "iam:Generate*", "organizations:Describe*", "organizations:List*",
				"sts:GetCallerIdentity", "s3:Get*", "s3:List*", "ec2:Describe*"})},
		{Name: "PowerUserAccess", Path: "/", Description: "Provides full access to AWS services and resources, but does not allow management of Users and groups.",
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*","account:*"],"Resource":"*"},` +
				`{"Effect":"Allow","Action":["iam:CreateServiceLinkedRole","iam:DeleteServiceLinkedRole","iam:ListRoles","organizations:DescribeOrganization","account:ListRegions"],"Resource":"*"}]}`},
		{Name: "AWSConfigRoleForOrganizations", Path: "/service-role/", Description: "Policy for the role that AWS Config uses to read the accounts of an organization for an organization aggregator.",
			Document: allow([]string{"organizations:ListAccounts", "organizations:DescribeOrganization",
				"organizations:ListAWSServiceAccessForOrganization", "organizations:ListDelegatedAdministrators"})},
		{Name: "AWS_ConfigRole", Path: "/service-role/", Description: "The policy for the role that AWS Config uses to record configuration items.",
			Document: allow([]string{"config:Put*", "config:Get*", "config:List*", "config:Describe*", "config:BatchGet*", "config:Select*",
				"iam:GetRole", "iam:GetRolePolicy", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:GetUser", "iam:GetUserPolicy",
				"iam:GetAccountPasswordPolicy", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies", "iam:ListRoles",
				"iam:ListUsers", "iam:ListPolicies", "iam:ListAttachedUserPolicies", "iam:ListUserPolicies",
				"organizations:DescribeOrganization", "organizations:ListAccounts", "s3:GetBucketAcl", "s3:ListAllMyBuckets",
				"ec2:Describe*", "sts:GetCallerIdentity"})},
		{Name: "AWSConfigRulesExecutionRole", Path: "/service-role/", Description: "Allows an AWS Lambda function to access AWS Config and read configuration snapshots.",
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::*/AWSLogs/*/Config/*"},` +
				`{"Effect":"Allow","Action":["config:Put*","config:Get*","config:List*","config:Describe*","config:BatchGet*","config:Select*"],"Resource":"*"}]}`},
		{Name: "AWSConfigServiceRolePolicy", Path: "/aws-service-role/", Description: "Enables AWS Config to call AWS services on your behalf.",
			Document: allow([]string{"config:Put*", "config:Get*", "config:List*", "config:Describe*", "config:BatchGet*", "config:Select*",
				"iam:GetRole", "iam:GetRolePolicy", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:GetUser", "iam:GetUserPolicy",
				"iam:GetAccountPasswordPolicy", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies", "iam:ListRoles",
				"iam:ListUsers", "iam:ListPolicies", "iam:ListAttachedUserPolicies", "iam:ListUserPolicies",
				"organizations:DescribeOrganization", "organizations:ListAccounts", "ec2:Describe*", "s3:GetBucketAcl"})},
		{Name: "AWSConfigMultiAccountSetupPolicy", Path: "/aws-service-role/", Description: "Enables AWS Config to call AWS services and deploy config rules and conformance packs across an organization.",
			Document: `{"Version":"2012-10-17","Statement":[` +
				`{"Effect":"Allow","Action":["config:PutConfigRule","config:DeleteConfigRule"],"Resource":"arn:aws:config:*:*:config-rule/aws-service-rule/config-multiaccountsetup.amazonaws.com/*"},` +
				`{"Effect":"Allow","Action":["config:PutConformancePack","config:DeleteConformancePack"],"Resource":"arn:aws:config:*:*:conformance-pack/aws-service-conformance-pack/config-multiaccountsetup.amazonaws.com/*"},` +
				`{"Effect":"Allow","Action":["config:DescribeConfigurationRecorders","config:DescribeConfigurationRecorderStatus","config:DescribeConformancePackStatus","config:DescribeConfigRules","config:DescribeConformancePacks"],"Resource":"*"},` +
				`{"Effect":"Allow","Action":["organizations:ListAccounts","organizations:DescribeOrganization","organizations:ListAWSServiceAccessForOrganization","organizations:DescribeAccount"],"Resource":"*"},` +
				`{"Effect":"Allow","Action":"iam:CreateServiceLinkedRole","Resource":"*","Condition":{"StringEquals":{"iam:AWSServiceName":"config-conforms.amazonaws.com"}}},` +
				`{"Effect":"Allow","Action":"iam:GetRole","Resource":"arn:aws:iam::*:role/aws-service-role/config-conforms.amazonaws.com/AWSServiceRoleForConfigConforms"}]}`},
		{Name: "ConfigConformsServiceRolePolicy", Path: "/aws-service-role/", Description: "Enables AWS Config to deploy conformance packs.",
			Document: `{"Version":"2012-10-17","Statement":[` +
				`{"Effect":"Allow","Action":["config:PutConfigRule","config:DeleteConfigRule","config:DescribeConfigRules","config:DescribeConfigRuleEvaluationStatus","config:PutRemediationConfigurations","config:DeleteRemediationConfiguration","config:DescribeRemediationConfigurations"],"Resource":"*"},` +
				`{"Effect":"Allow","Action":"iam:GetRole","Resource":"*"}]}`},
		{Name: "AWSOrganizationsServiceTrustPolicy", Path: "/aws-service-role/", Description: "Allows AWS Organizations to manage its service-linked role.",
			Document: `{"Version":"2012-10-17","Statement":[` +
				`{"Sid":"AllowDeletionOfServiceLinkedRoleForOrganizations","Effect":"Allow","Action":"iam:DeleteRole","Resource":"arn:aws:iam::*:role/aws-service-role/organizations.amazonaws.com/*"},` +
				`{"Sid":"AllowCreationOfServiceLinkedRoles","Effect":"Allow","Action":"iam:CreateServiceLinkedRole","Resource":"*"}]}`},
		{Name: "AWSOrganizationsFullAccess", Path: "/", Description: "Provides full access to AWS Organizations.",
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"organizations:*","Resource":"*"},` +
				`{"Effect":"Allow","Action":"iam:CreateServiceLinkedRole","Resource":"*","Condition":{"StringEquals":{"iam:AWSServiceName":"organizations.amazonaws.com"}}}]}`},
		{Name: "AWSOrganizationsReadOnlyAccess", Path: "/", Description: "Provides read-only access to AWS Organizations.",
			Document: allow([]string{"organizations:Describe*", "organizations:List*"})},
		{Name: "AWSConfigUserAccess", Path: "/", Description: "Provides access to use AWS Config, including searching by tags on resources, and reading all tags. This does not provide permission to configure AWS Config, which requires administrative privileges.",
			Document: allow([]string{"config:Get*", "config:Describe*", "config:Deliver*", "config:List*", "config:Select*",
				"config:BatchGet*", "tag:GetResources", "tag:GetTagKeys", "cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "cloudtrail:LookupEvents"})},
	}
	m := make(map[string]awsPolicy, len(list))
	for _, p := range list {
		m[p.ARN()] = p
	}
	return m
}()

// sortedAWSPolicies returns the catalog ordered by name.
func sortedAWSPolicies() []awsPolicy {
	out := make([]awsPolicy, 0, len(awsPolicies))
	for _, p := range awsPolicies {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
