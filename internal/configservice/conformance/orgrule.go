package conformance

import (
	"context"
	"fmt"
	"regexp"
	"slices"

	"github.com/orgconfig/orgconfig/internal/configservice/core"
	"github.com/orgconfig/orgconfig/internal/configservice/evaluation"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/store"
)

// maxOrgRules is AWS's quota of organization rules per organization.
const maxOrgRules = 150

// orgRuleRec is a stored organization rule: the API object (custom policy metadata with its
// policy text, which Describe leaves out) and its deployment.
type orgRuleRec struct {
	Name       string                                          `json:"name"`
	ARN        string                                          `json:"arn"`
	Managed    *configapi.OrganizationManagedRuleMetadata      `json:"managed,omitempty"`
	Custom     *configapi.OrganizationCustomRuleMetadata       `json:"custom,omitempty"`
	Policy     *configapi.OrganizationCustomPolicyRuleMetadata `json:"policy,omitempty"`
	Excluded   []string                                        `json:"excluded,omitempty"`
	Deleting   bool                                            `json:"deleting,omitempty"`
	Deployment deployment                                      `json:"deployment"`
}

func (o *orgRuleRec) name() string { return o.Name }

func (o *orgRuleRec) api() configapi.OrganizationConfigRule {
	out := configapi.OrganizationConfigRule{OrganizationConfigRuleName: o.Name, OrganizationConfigRuleArn: o.ARN,
		OrganizationManagedRuleMetadata: o.Managed, OrganizationCustomRuleMetadata: o.Custom, ExcludedAccounts: o.Excluded,
		LastUpdateTime: core.APITime(o.Deployment.Updated)}
	if p := o.Policy; p != nil {
		out.OrganizationCustomPolicyRuleMetadata = &configapi.OrganizationCustomPolicyRuleMetadataNoPolicy{
			Description: p.Description, OrganizationConfigRuleTriggerTypes: p.OrganizationConfigRuleTriggerTypes,
			InputParameters: p.InputParameters, MaximumExecutionFrequency: p.MaximumExecutionFrequency,
			ResourceTypesScope: p.ResourceTypesScope, ResourceIdScope: p.ResourceIdScope, TagKeyScope: p.TagKeyScope,
			TagValueScope: p.TagValueScope, PolicyRuntime: p.PolicyRuntime, DebugLogDeliveryAccounts: p.DebugLogDeliveryAccounts}
	}
	return out
}

// memberRule is the definition of the rule an organization rule puts in each member.
func (o *orgRuleRec) memberRule() configapi.ConfigRule {
	name := "OrgConfigRule-" + o.Name + "-" + o.Deployment.Suffix
	scope := func(types []string, id, tagKey, tagValue string) *configapi.Scope {
		if len(types) == 0 && id == "" && tagKey == "" {
			return nil
		}
		return &configapi.Scope{ComplianceResourceTypes: types, ComplianceResourceId: id, TagKey: tagKey, TagValue: tagValue}
	}
	r := configapi.ConfigRule{ConfigRuleName: name}
	switch {
	case o.Managed != nil:
		m := o.Managed
		r.Description, r.InputParameters, r.MaximumExecutionFrequency = m.Description, m.InputParameters, m.MaximumExecutionFrequency
		r.Scope = scope(m.ResourceTypesScope, m.ResourceIdScope, m.TagKeyScope, m.TagValueScope)
		r.Source = &configapi.Source{Owner: configapi.OwnerAws, SourceIdentifier: m.RuleIdentifier}
	case o.Custom != nil:
		m := o.Custom
		r.Description, r.InputParameters = m.Description, m.InputParameters
		r.Scope = scope(m.ResourceTypesScope, m.ResourceIdScope, m.TagKeyScope, m.TagValueScope)
		src := &configapi.Source{Owner: configapi.OwnerCustomLambda, SourceIdentifier: m.LambdaFunctionArn}
		for _, t := range m.OrganizationConfigRuleTriggerTypes {
			d := configapi.SourceDetail{EventSource: configapi.EventSourceAwsConfig, MessageType: configapi.MessageType(t)}
			if t == configapi.OrganizationConfigRuleTriggerTypeScheduledNotification {
				d.MaximumExecutionFrequency = m.MaximumExecutionFrequency
			}
			src.SourceDetails = append(src.SourceDetails, d)
		}
		r.Source = src
	case o.Policy != nil:
		m := o.Policy
		r.Description, r.InputParameters = m.Description, m.InputParameters
		r.Scope = scope(m.ResourceTypesScope, m.ResourceIdScope, m.TagKeyScope, m.TagValueScope)
		src := &configapi.Source{Owner: configapi.OwnerCustomPolicy,
			CustomPolicyDetails: &configapi.CustomPolicyDetails{PolicyRuntime: m.PolicyRuntime, PolicyText: m.PolicyText}}
		for _, t := range m.OrganizationConfigRuleTriggerTypes {
			src.SourceDetails = append(src.SourceDetails, configapi.SourceDetail{EventSource: configapi.EventSourceAwsConfig, MessageType: configapi.MessageType(t)})
		}
		r.Source = src
	}
	return r
}

// orgRuleDeployer deploys an organization rule's member rules.
type orgRuleDeployer struct {
	s *Service
	o *orgRuleRec
}

func (d orgRuleDeployer) kind() string       { return KindOrgRule }
func (d orgRuleDeployer) excluded() []string { return d.o.Excluded }

func (d orgRuleDeployer) deployTx(tx store.Tx, dep *deployment, account string) (string, error) {
	def := d.o.memberRule()
	rec, err := d.s.RecorderTx(tx, account, dep.Region)
	if err != nil {
		return def.ConfigRuleName, err
	}
	if rec == nil && def.Source.Owner != configapi.OwnerCustomLambda {
		return def.ConfigRuleName, configapi.ErrNoAvailableConfigurationRecorder("There is no configuration recorder in account %s and region %s.", account, dep.Region)
	}
	_, err = d.s.PutServiceRuleTx(tx, account, dep.Region, def, multiAccountPrincipal)
	return def.ConfigRuleName, err
}

func (d orgRuleDeployer) removeTx(tx store.Tx, dep *deployment, account string, m *memberStatus) error {
	name := m.Name
	if name == "" {
		name = d.o.memberRule().ConfigRuleName
	}
	return d.s.DeleteServiceRuleTx(tx, account, dep.Region, name)
}

var orgRuleName = regexp.MustCompile(`^[A-Za-z0-9-_]{1,64}$`)

func noSuchOrgRule(name string) error {
	return configapi.ErrNoSuchOrganizationConfigRule("The OrganizationConfigRule '%s' provided in the request is invalid. Please check the OrganizationConfigRule name.", name)
}

func orgRuleTx(tx store.Tx, account, region, name string) (*orgRuleRec, error) {
	return core.GetRecTx[orgRuleRec](tx, KindOrgRule, core.Scope(account, region), name)
}

func saveOrgRuleTx(tx store.Tx, account, region string, o *orgRuleRec) error {
	return core.PutRecTx(tx, KindOrgRule, core.Scope(account, region), o.Name, o)
}

// PutOrganizationConfigRule creates or updates a rule deployed to every account of the
// organization but the excluded ones, in the caller's region.
func (s *Service) PutOrganizationConfigRule(ctx context.Context, in *configapi.PutOrganizationConfigRuleRequest) (*configapi.PutOrganizationConfigRuleResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	n := 0
	for _, set := range []bool{in.OrganizationManagedRuleMetadata != nil, in.OrganizationCustomRuleMetadata != nil, in.OrganizationCustomPolicyRuleMetadata != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return nil, configapi.ErrInvalidParameterValue("Exactly one of OrganizationManagedRuleMetadata, OrganizationCustomRuleMetadata and OrganizationCustomPolicyRuleMetadata is required.")
	}
	if !orgRuleName.MatchString(in.OrganizationConfigRuleName) {
		return nil, configapi.ErrInvalidParameterValue("The OrganizationConfigRuleName %q is not valid: 1 to 64 letters, digits, hyphens and underscores.", in.OrganizationConfigRuleName)
	}
	o := &orgRuleRec{Name: in.OrganizationConfigRuleName, Managed: in.OrganizationManagedRuleMetadata,
		Custom: in.OrganizationCustomRuleMetadata, Policy: in.OrganizationCustomPolicyRuleMetadata,
		Excluded: slices.Compact(slices.Sorted(slices.Values(in.ExcludedAccounts)))}
	if c := o.Custom; c != nil && len(c.OrganizationConfigRuleTriggerTypes) == 0 {
		return nil, configapi.ErrInvalidParameterValue("OrganizationConfigRuleTriggerTypes are required for a custom rule.")
	}
	// The member rule must be valid as a rule of its own.
	probe := *o
	probe.Deployment.Suffix = "abcdefgh"
	def := probe.memberRule()
	if _, err := evaluation.ValidateRule(&def); err != nil {
		return nil, err
	}
	var arn string
	err = s.Store.Write(ctx, func(tx store.Tx) error {
		orgID, err := s.orgCallerTx(tx, account, true)
		if err != nil {
			return err
		}
		existing, err := orgRuleTx(tx, account, region, o.Name)
		if err != nil {
			return err
		}
		now := s.Clock.Now().UTC()
		phase := phaseCreate
		if existing != nil {
			if existing.Deleting {
				return configapi.ErrResourceInUse("The organization rule %s is being deleted.", o.Name)
			}
			o.ARN, o.Deployment = existing.ARN, existing.Deployment
			phase = phaseUpdate
		} else {
			count, err := tx.Count(KindOrgDeployIndex, orgID)
			if err != nil {
				return err
			}
			if count >= maxOrgRules {
				return configapi.ErrMaxNumberOfOrganizationConfigRulesExceeded("You have reached the limit of %d organization config rules.", maxOrgRules)
			}
			o.Deployment = deployment{OrgID: orgID, Creator: account, Region: region, Name: o.Name, Suffix: s.IDs.Lower(8)}
			o.ARN = fmt.Sprintf("arn:aws:config:%s:%s:organization-config-rule/%s-%s", region, account, o.Name, o.Deployment.Suffix)
			if err := tx.Put(KindOrgDeployIndex, orgID, deployIndexID(KindOrgRule, account, region, o.Name), nil); err != nil {
				return err
			}
		}
		if err := s.startDeploymentTx(tx, &o.Deployment, phase, now); err != nil {
			return err
		}
		arn = o.ARN
		if err := saveOrgRuleTx(tx, account, region, o); err != nil {
			return err
		}
		return s.enqueueDeployTx(tx, KindOrgRule, account, region, o.Name, now)
	})
	if err != nil {
		return nil, err
	}
	return &configapi.PutOrganizationConfigRuleResponse{OrganizationConfigRuleArn: arn}, nil
}

// reconcileOrgRuleTx is the deployment job of an organization rule.
func (s *Service) reconcileOrgRuleTx(tx store.Tx, creator, region, name string) error {
	o, err := orgRuleTx(tx, creator, region, name)
	if err != nil || o == nil {
		return err
	}
	return s.reconcileObjectTx(tx, KindOrgRule, creator, region, name, &o.Deployment, orgRuleDeployer{s, o}, o.Deleting,
		func() error { return saveOrgRuleTx(tx, creator, region, o) })
}

// selectOrgRulesTx returns the caller's organization rules named (all when names is empty).
func selectOrgRulesTx(tx store.Tx, account, region string, names []string) ([]*orgRuleRec, error) {
	return core.SelectRecsTx[orgRuleRec](tx, KindOrgRule, core.Scope(account, region), names, noSuchOrgRule)
}

// pageByName pages names (sorted) after the token.
func pageByName[T any](items []T, name func(T) string, tok string, limit int, named bool) ([]T, string, error) {
	if named {
		return items, "", nil // limit and token are ignored when names are given
	}
	after, err := core.DecodeToken(tok)
	if err != nil {
		return nil, "", err
	}
	var out []T
	for _, it := range items {
		if after != "" && name(it) <= after {
			continue
		}
		if len(out) == limit {
			return out, core.EncodeToken(name(out[limit-1])), nil
		}
		out = append(out, it)
	}
	return out, "", nil
}

// DescribeOrganizationConfigRules returns the organization rules the caller created.
func (s *Service) DescribeOrganizationConfigRules(ctx context.Context, in *configapi.DescribeOrganizationConfigRulesRequest) (*configapi.DescribeOrganizationConfigRulesResponse, error) {
	rules, next, err := listOrgObjects(s, ctx, in.OrganizationConfigRuleNames, in.NextToken, in.Limit, selectOrgRulesTx, (*orgRuleRec).name, (*orgRuleRec).api)
	if err != nil {
		return nil, err
	}
	return &configapi.DescribeOrganizationConfigRulesResponse{OrganizationConfigRules: rules, NextToken: next}, nil
}

// DescribeOrganizationConfigRuleStatuses returns the deployment status of the caller's
// organization rules.
func (s *Service) DescribeOrganizationConfigRuleStatuses(ctx context.Context, in *configapi.DescribeOrganizationConfigRuleStatusesRequest) (*configapi.DescribeOrganizationConfigRuleStatusesResponse, error) {
	statuses, next, err := listOrgObjects(s, ctx, in.OrganizationConfigRuleNames, in.NextToken, in.Limit, selectOrgRulesTx, (*orgRuleRec).name,
		func(o *orgRuleRec) configapi.OrganizationConfigRuleStatus {
			d := o.Deployment
			return configapi.OrganizationConfigRuleStatus{
				OrganizationConfigRuleName: o.Name, OrganizationRuleStatus: configapi.OrganizationRuleStatus(d.Status),
				ErrorCode: d.Code, ErrorMessage: d.Message, LastUpdateTime: core.APITime(d.Updated)}
		})
	if err != nil {
		return nil, err
	}
	return &configapi.DescribeOrganizationConfigRuleStatusesResponse{OrganizationConfigRuleStatuses: statuses, NextToken: next}, nil
}

// GetOrganizationConfigRuleDetailedStatus returns the deployment status in each member account.
func (s *Service) GetOrganizationConfigRuleDetailedStatus(ctx context.Context, in *configapi.GetOrganizationConfigRuleDetailedStatusRequest) (*configapi.GetOrganizationConfigRuleDetailedStatusResponse, error) {
	f := in.Filters
	if f == nil {
		f = &configapi.StatusDetailFilters{}
	}
	var o *orgRuleRec
	rows, next, err := listMemberStatuses(s, ctx, in.NextToken, in.Limit, f.AccountId, string(f.MemberAccountRuleStatus),
		func(tx store.Tx, account, region string) (*deployment, error) {
			var err error
			if o, err = orgRuleTx(tx, account, region, in.OrganizationConfigRuleName); err != nil {
				return nil, err
			}
			if o == nil {
				return nil, noSuchOrgRule(in.OrganizationConfigRuleName)
			}
			return &o.Deployment, nil
		},
		func(acct string, m *memberStatus) configapi.MemberAccountStatus {
			name := m.Name
			if name == "" {
				name = o.memberRule().ConfigRuleName
			}
			return configapi.MemberAccountStatus{
				AccountId: acct, ConfigRuleName: name, MemberAccountRuleStatus: configapi.MemberAccountRuleStatus(m.Status),
				ErrorCode: m.Code, ErrorMessage: m.Message, LastUpdateTime: core.APITime(m.Updated)}
		})
	if err != nil {
		return nil, err
	}
	return &configapi.GetOrganizationConfigRuleDetailedStatusResponse{OrganizationConfigRuleDetailedStatus: rows, NextToken: next}, nil
}

// DeleteOrganizationConfigRule deletes an organization rule: DELETE_IN_PROGRESS until the job has
// removed the member rules, then gone.
func (s *Service) DeleteOrganizationConfigRule(ctx context.Context, in *configapi.DeleteOrganizationConfigRuleRequest) error {
	account, region, err := core.Where(ctx)
	if err != nil {
		return err
	}
	return s.Store.Write(ctx, func(tx store.Tx) error {
		if _, err := s.orgCallerTx(tx, account, false); err != nil {
			return err
		}
		o, err := orgRuleTx(tx, account, region, in.OrganizationConfigRuleName)
		if err != nil {
			return err
		}
		if o == nil {
			return noSuchOrgRule(in.OrganizationConfigRuleName)
		}
		if o.Deleting || o.Deployment.Status == inProgress(phaseCreate) {
			return configapi.ErrResourceInUse("The organization rule %s is being created or deleted. Please retry after some time.", o.Name)
		}
		now := s.Clock.Now().UTC()
		o.Deleting = true
		if err := s.startDeploymentTx(tx, &o.Deployment, phaseDelete, now); err != nil {
			return err
		}
		if err := saveOrgRuleTx(tx, account, region, o); err != nil {
			return err
		}
		return s.enqueueDeployTx(tx, KindOrgRule, account, region, o.Name, now)
	})
}

// GetOrganizationCustomRulePolicy returns the Guard policy of an organization custom policy rule.
func (s *Service) GetOrganizationCustomRulePolicy(ctx context.Context, in *configapi.GetOrganizationCustomRulePolicyRequest) (*configapi.GetOrganizationCustomRulePolicyResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	out := &configapi.GetOrganizationCustomRulePolicyResponse{}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		if _, err := s.orgCallerTx(tx, account, false); err != nil {
			return err
		}
		o, err := orgRuleTx(tx, account, region, in.OrganizationConfigRuleName)
		if err != nil {
			return err
		}
		if o == nil {
			return noSuchOrgRule(in.OrganizationConfigRuleName)
		}
		if o.Policy != nil {
			out.PolicyText = o.Policy.PolicyText
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
