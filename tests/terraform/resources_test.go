package terraform

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// resourceAPI says, for one Terraform resource type, how to find the resource through the AWS
// API and how to delete it behind Terraform's back (for the provider's "disappears" tests).
// Both read the resource's flattened attributes from the state.
type resourceAPI struct {
	exists func(e *Env, a map[string]string) (bool, error)
	remove func(e *Env, a map[string]string) error
}

func (e *Env) exists(typ string, a map[string]string) (bool, error) {
	r, ok := resourceAPIs[typ]
	if !ok || r.exists == nil {
		return false, fmt.Errorf("the suite has no existence check for %s", typ)
	}
	return r.exists(e, a)
}

func (e *Env) remove(typ string, a map[string]string) error {
	r, ok := resourceAPIs[typ]
	if !ok || r.remove == nil {
		return fmt.Errorf("the suite cannot delete a %s", typ)
	}
	return r.remove(e, a)
}

var resourceAPIs = map[string]resourceAPI{
	"aws_organizations_organization": {
		exists: func(e *Env, a map[string]string) (bool, error) {
			_, err := e.Orgs.DescribeOrganization(e.Ctx, &organizations.DescribeOrganizationInput{})
			return notFound(err, "AWSOrganizationsNotInUseException")
		},
		remove: func(e *Env, a map[string]string) error {
			_, err := e.Orgs.DeleteOrganization(e.Ctx, &organizations.DeleteOrganizationInput{})
			return err
		},
	},
	"aws_organizations_organizational_unit": {
		exists: func(e *Env, a map[string]string) (bool, error) {
			_, err := e.Orgs.DescribeOrganizationalUnit(e.Ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(a["id"])})
			return notFound(err, "OrganizationalUnitNotFoundException", "AWSOrganizationsNotInUseException")
		},
		remove: func(e *Env, a map[string]string) error {
			_, err := e.Orgs.DeleteOrganizationalUnit(e.Ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: aws.String(a["id"])})
			return err
		},
	},
	"aws_organizations_account": {
		exists: func(e *Env, a map[string]string) (bool, error) {
			out, err := e.Orgs.DescribeAccount(e.Ctx, &organizations.DescribeAccountInput{AccountId: aws.String(a["id"])})
			if err != nil {
				return notFound(err, "AccountNotFoundException", "AWSOrganizationsNotInUseException")
			}
			// A closed account stays visible for a while as SUSPENDED (or PENDING_CLOSURE).
			return out.Account.Status == orgtypes.AccountStatusActive, nil
		},
		remove: func(e *Env, a map[string]string) error {
			_, err := e.Orgs.RemoveAccountFromOrganization(e.Ctx, &organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(a["id"])})
			return err
		},
	},
	"aws_organizations_policy": {
		exists: func(e *Env, a map[string]string) (bool, error) {
			_, err := e.Orgs.DescribePolicy(e.Ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(a["id"])})
			return notFound(err, "PolicyNotFoundException", "AWSOrganizationsNotInUseException")
		},
		remove: func(e *Env, a map[string]string) error {
			_, err := e.Orgs.DeletePolicy(e.Ctx, &organizations.DeletePolicyInput{PolicyId: aws.String(a["id"])})
			return err
		},
	},
	"aws_organizations_policy_attachment": {
		exists: func(e *Env, a map[string]string) (bool, error) {
			out, err := e.Orgs.ListTargetsForPolicy(e.Ctx, &organizations.ListTargetsForPolicyInput{PolicyId: aws.String(a["policy_id"])})
			if err != nil {
				return notFound(err, "PolicyNotFoundException", "AWSOrganizationsNotInUseException", "TargetNotFoundException")
			}
			for _, t := range out.Targets {
				if aws.ToString(t.TargetId) == a["target_id"] {
					return true, nil
				}
			}
			return false, nil
		},
		remove: func(e *Env, a map[string]string) error {
			_, err := e.Orgs.DetachPolicy(e.Ctx, &organizations.DetachPolicyInput{PolicyId: aws.String(a["policy_id"]), TargetId: aws.String(a["target_id"])})
			return err
		},
	},
	"aws_organizations_delegated_administrator": {
		exists: func(e *Env, a map[string]string) (bool, error) {
			out, err := e.Orgs.ListDelegatedAdministrators(e.Ctx, &organizations.ListDelegatedAdministratorsInput{ServicePrincipal: aws.String(a["service_principal"])})
			if err != nil {
				return notFound(err, "AWSOrganizationsNotInUseException")
			}
			for _, d := range out.DelegatedAdministrators {
				if aws.ToString(d.Id) == a["account_id"] {
					return true, nil
				}
			}
			return false, nil
		},
		remove: func(e *Env, a map[string]string) error {
			_, err := e.Orgs.DeregisterDelegatedAdministrator(e.Ctx, &organizations.DeregisterDelegatedAdministratorInput{AccountId: aws.String(a["account_id"]), ServicePrincipal: aws.String(a["service_principal"])})
			return err
		},
	},
	"aws_organizations_resource_policy": {
		exists: func(e *Env, a map[string]string) (bool, error) {
			_, err := e.Orgs.DescribeResourcePolicy(e.Ctx, &organizations.DescribeResourcePolicyInput{})
			return notFound(err, "ResourcePolicyNotFoundException", "AWSOrganizationsNotInUseException")
		},
		remove: func(e *Env, a map[string]string) error {
			_, err := e.Orgs.DeleteResourcePolicy(e.Ctx, &organizations.DeleteResourcePolicyInput{})
			return err
		},
	},

	"aws_config_config_rule": {
		exists: func(e *Env, a map[string]string) (bool, error) {
			_, err := e.Config.DescribeConfigRules(e.Ctx, &configservice.DescribeConfigRulesInput{ConfigRuleNames: []string{a["name"]}})
			return notFound(err, "NoSuchConfigRuleException")
		},
		remove: func(e *Env, a map[string]string) error {
			_, err := e.Config.DeleteConfigRule(e.Ctx, &configservice.DeleteConfigRuleInput{ConfigRuleName: aws.String(a["name"])})
			return err
		},
	},
	"aws_config_configuration_recorder": {
		exists: func(e *Env, a map[string]string) (bool, error) {
			_, err := e.Config.DescribeConfigurationRecorders(e.Ctx, &configservice.DescribeConfigurationRecordersInput{ConfigurationRecorderNames: []string{a["name"]}})
			return notFound(err, "NoSuchConfigurationRecorderException")
		},
		remove: func(e *Env, a map[string]string) error {
			_, err := e.Config.DeleteConfigurationRecorder(e.Ctx, &configservice.DeleteConfigurationRecorderInput{ConfigurationRecorderName: aws.String(a["name"])})
			return err
		},
	},
	"aws_config_configuration_recorder_status": {
		// The status "exists" while the recorder records.
		exists: func(e *Env, a map[string]string) (bool, error) {
			out, err := e.Config.DescribeConfigurationRecorderStatus(e.Ctx, &configservice.DescribeConfigurationRecorderStatusInput{ConfigurationRecorderNames: []string{a["name"]}})
			if err != nil {
				return notFound(err, "NoSuchConfigurationRecorderException")
			}
			return len(out.ConfigurationRecordersStatus) > 0 && out.ConfigurationRecordersStatus[0].Recording, nil
		},
		remove: func(e *Env, a map[string]string) error {
			_, err := e.Config.StopConfigurationRecorder(e.Ctx, &configservice.StopConfigurationRecorderInput{ConfigurationRecorderName: aws.String(a["name"])})
			return err
		},
	},
	"aws_config_delivery_channel": {
		exists: func(e *Env, a map[string]string) (bool, error) {
			_, err := e.Config.DescribeDeliveryChannels(e.Ctx, &configservice.DescribeDeliveryChannelsInput{DeliveryChannelNames: []string{a["name"]}})
			return notFound(err, "NoSuchDeliveryChannelException")
		},
		remove: func(e *Env, a map[string]string) error {
			_, err := e.Config.DeleteDeliveryChannel(e.Ctx, &configservice.DeleteDeliveryChannelInput{DeliveryChannelName: aws.String(a["name"])})
			return err
		},
	},
	"aws_config_retention_configuration": {
		exists: func(e *Env, a map[string]string) (bool, error) {
			out, err := e.Config.DescribeRetentionConfigurations(e.Ctx, &configservice.DescribeRetentionConfigurationsInput{})
			if err != nil {
				return false, err
			}
			return len(out.RetentionConfigurations) > 0, nil
		},
		remove: func(e *Env, a map[string]string) error {
			_, err := e.Config.DeleteRetentionConfiguration(e.Ctx, &configservice.DeleteRetentionConfigurationInput{RetentionConfigurationName: aws.String(a["name"])})
			return err
		},
	},
	"aws_config_conformance_pack": {
		exists: func(e *Env, a map[string]string) (bool, error) {
			_, err := e.Config.DescribeConformancePacks(e.Ctx, &configservice.DescribeConformancePacksInput{ConformancePackNames: []string{a["name"]}})
			return notFound(err, "NoSuchConformancePackException")
		},
		remove: func(e *Env, a map[string]string) error {
			_, err := e.Config.DeleteConformancePack(e.Ctx, &configservice.DeleteConformancePackInput{ConformancePackName: aws.String(a["name"])})
			return err
		},
	},
	"aws_config_organization_conformance_pack": {
		exists: func(e *Env, a map[string]string) (bool, error) {
			_, err := e.Config.DescribeOrganizationConformancePacks(e.Ctx, &configservice.DescribeOrganizationConformancePacksInput{OrganizationConformancePackNames: []string{a["name"]}})
			// Once the organization is gone, so are its packs: the provider's destroy checks
			// count OrganizationAccessDeniedException as gone.
			return notFound(err, "NoSuchOrganizationConformancePackException", "OrganizationAccessDeniedException")
		},
		remove: func(e *Env, a map[string]string) error {
			_, err := e.Config.DeleteOrganizationConformancePack(e.Ctx, &configservice.DeleteOrganizationConformancePackInput{OrganizationConformancePackName: aws.String(a["name"])})
			return err
		},
	},
	"aws_config_organization_managed_rule":       orgConfigRuleAPI,
	"aws_config_organization_custom_rule":        orgConfigRuleAPI,
	"aws_config_organization_custom_policy_rule": orgConfigRuleAPI,
	"aws_config_aggregate_authorization": {
		exists: func(e *Env, a map[string]string) (bool, error) {
			out, err := e.Config.DescribeAggregationAuthorizations(e.Ctx, &configservice.DescribeAggregationAuthorizationsInput{})
			if err != nil {
				return false, err
			}
			for _, x := range out.AggregationAuthorizations {
				if aws.ToString(x.AuthorizedAccountId) == a["account_id"] && aws.ToString(x.AuthorizedAwsRegion) == authorizationRegion(a) {
					return true, nil
				}
			}
			return false, nil
		},
		remove: func(e *Env, a map[string]string) error {
			_, err := e.Config.DeleteAggregationAuthorization(e.Ctx, &configservice.DeleteAggregationAuthorizationInput{AuthorizedAccountId: aws.String(a["account_id"]), AuthorizedAwsRegion: aws.String(authorizationRegion(a))})
			return err
		},
	},
	"aws_config_configuration_aggregator": {
		exists: func(e *Env, a map[string]string) (bool, error) {
			_, err := e.Config.DescribeConfigurationAggregators(e.Ctx, &configservice.DescribeConfigurationAggregatorsInput{ConfigurationAggregatorNames: []string{a["name"]}})
			return notFound(err, "NoSuchConfigurationAggregatorException")
		},
		remove: func(e *Env, a map[string]string) error {
			_, err := e.Config.DeleteConfigurationAggregator(e.Ctx, &configservice.DeleteConfigurationAggregatorInput{ConfigurationAggregatorName: aws.String(a["name"])})
			return err
		},
	},
	"aws_config_remediation_configuration": {
		exists: func(e *Env, a map[string]string) (bool, error) {
			out, err := e.Config.DescribeRemediationConfigurations(e.Ctx, &configservice.DescribeRemediationConfigurationsInput{ConfigRuleNames: []string{a["config_rule_name"]}})
			if err != nil {
				return false, err
			}
			return len(out.RemediationConfigurations) > 0, nil
		},
		remove: func(e *Env, a map[string]string) error {
			_, err := e.Config.DeleteRemediationConfiguration(e.Ctx, &configservice.DeleteRemediationConfigurationInput{ConfigRuleName: aws.String(a["config_rule_name"])})
			return err
		},
	},

	"aws_iam_role": {
		exists: func(e *Env, a map[string]string) (bool, error) {
			_, err := e.IAM.GetRole(e.Ctx, &iam.GetRoleInput{RoleName: aws.String(a["name"])})
			return notFound(err, "NoSuchEntity")
		},
		remove: func(e *Env, a map[string]string) error {
			_, err := e.IAM.DeleteRole(e.Ctx, &iam.DeleteRoleInput{RoleName: aws.String(a["name"])})
			return err
		},
	},
	"aws_iam_role_policy": {
		exists: func(e *Env, a map[string]string) (bool, error) {
			_, err := e.IAM.GetRolePolicy(e.Ctx, &iam.GetRolePolicyInput{RoleName: aws.String(a["role"]), PolicyName: aws.String(a["name"])})
			return notFound(err, "NoSuchEntity")
		},
	},
	"aws_iam_role_policy_attachment": {
		exists: func(e *Env, a map[string]string) (bool, error) {
			out, err := e.IAM.ListAttachedRolePolicies(e.Ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(a["role"])})
			if err != nil {
				return notFound(err, "NoSuchEntity")
			}
			for _, p := range out.AttachedPolicies {
				if aws.ToString(p.PolicyArn) == a["policy_arn"] {
					return true, nil
				}
			}
			return false, nil
		},
	},
	"aws_iam_policy": {
		exists: func(e *Env, a map[string]string) (bool, error) {
			_, err := e.IAM.GetPolicy(e.Ctx, &iam.GetPolicyInput{PolicyArn: aws.String(a["arn"])})
			return notFound(err, "NoSuchEntity")
		},
	},
	"aws_iam_service_linked_role": {
		exists: func(e *Env, a map[string]string) (bool, error) {
			_, err := e.IAM.GetRole(e.Ctx, &iam.GetRoleInput{RoleName: aws.String(a["name"])})
			return notFound(err, "NoSuchEntity")
		},
	},
}

// orgConfigRuleAPI serves the three organization Config rule resources.
var orgConfigRuleAPI = resourceAPI{
	exists: func(e *Env, a map[string]string) (bool, error) {
		_, err := e.Config.DescribeOrganizationConfigRules(e.Ctx, &configservice.DescribeOrganizationConfigRulesInput{OrganizationConfigRuleNames: []string{a["name"]}})
		// Once the organization is gone, so are its rules: the provider's destroy checks count
		// OrganizationAccessDeniedException as gone.
		return notFound(err, "NoSuchOrganizationConfigRuleException", "OrganizationAccessDeniedException")
	},
	remove: func(e *Env, a map[string]string) error {
		_, err := e.Config.DeleteOrganizationConfigRule(e.Ctx, &configservice.DeleteOrganizationConfigRuleInput{OrganizationConfigRuleName: aws.String(a["name"])})
		return err
	},
}

// authorizationRegion is the authorized region of an aws_config_aggregate_authorization:
// "authorized_aws_region" in provider 5.x, "region" before it, and its ID's second part.
func authorizationRegion(a map[string]string) string {
	for _, k := range []string{"authorized_aws_region", "region"} {
		if v := a[k]; v != "" {
			return v
		}
	}
	if _, r, ok := strings.Cut(a["id"], ":"); ok {
		return r
	}
	return ""
}

var _ cfgtypes.ConfigRule
