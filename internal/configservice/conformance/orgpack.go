package conformance

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/orgconfig/orgconfig/internal/configservice/core"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/store"
)

// maxOrgPacks is AWS's quota of organization conformance packs per organization.
const maxOrgPacks = 50

// orgPackRec is a stored organization conformance pack and its deployment.
type orgPackRec struct {
	Name       string                                    `json:"name"`
	ARN        string                                    `json:"arn"`
	Body       string                                    `json:"body"`
	Params     []configapi.ConformancePackInputParameter `json:"params,omitempty"`
	Bucket     string                                    `json:"bucket,omitempty"`
	Prefix     string                                    `json:"prefix,omitempty"`
	Excluded   []string                                  `json:"excluded,omitempty"`
	Deleting   bool                                      `json:"deleting,omitempty"`
	Deployment deployment                                `json:"deployment"`
}

func (o *orgPackRec) name() string { return o.Name }

func (o *orgPackRec) api() configapi.OrganizationConformancePack {
	return configapi.OrganizationConformancePack{OrganizationConformancePackName: o.Name, OrganizationConformancePackArn: o.ARN,
		DeliveryS3Bucket: o.Bucket, DeliveryS3KeyPrefix: o.Prefix, ConformancePackInputParameters: o.Params,
		ExcludedAccounts: o.Excluded, LastUpdateTime: core.APITime(o.Deployment.Updated)}
}

// memberPackName is the name of the pack in each member account.
func (o *orgPackRec) memberPackName() string {
	return "OrgConformsPack-" + o.Name + "-" + o.Deployment.Suffix
}

// orgPackDeployer deploys an organization pack's member packs.
type orgPackDeployer struct {
	s *Service
	o *orgPackRec
}

func (d orgPackDeployer) kind() string       { return KindOrgPack }
func (d orgPackDeployer) excluded() []string { return d.o.Excluded }

// deployTx creates or updates the member pack and its rules at once.
func (d orgPackDeployer) deployTx(tx store.Tx, dep *deployment, account string) (string, error) {
	name := d.o.memberPackName()
	existing, err := packTx(tx, account, dep.Region, name)
	if err != nil {
		return name, err
	}
	p := &packRec{Name: name, Body: d.o.Body, Params: d.o.Params, Bucket: d.o.Bucket, Prefix: d.o.Prefix, CreatedBy: multiAccountPrincipal}
	if existing != nil {
		existing.State = "" // a member pack is deployed by the organization's job, never in transition
	}
	if err := d.s.preparePackTx(tx, account, dep.Region, p, existing); err != nil {
		return name, err
	}
	if err := d.s.deployPackTx(tx, account, dep.Region, p); err != nil {
		return name, err
	}
	if p.State == packFailed {
		return name, configapi.ErrConformancePackTemplateValidation("%s", p.Reason)
	}
	return name, nil
}

func (d orgPackDeployer) removeTx(tx store.Tx, dep *deployment, account string, m *memberStatus) error {
	p, err := packTx(tx, account, dep.Region, d.o.memberPackName())
	if err != nil || p == nil {
		return err
	}
	return d.s.removePackTx(tx, account, dep.Region, p)
}

func noSuchOrgPack(name string) error {
	return configapi.ErrNoSuchOrganizationConformancePack("One or more organization conformance packs do not exist: %s.", name)
}

func orgPackTx(tx store.Tx, account, region, name string) (*orgPackRec, error) {
	return core.GetRecTx[orgPackRec](tx, KindOrgPack, core.Scope(account, region), name)
}

func saveOrgPackTx(tx store.Tx, account, region string, o *orgPackRec) error {
	return core.PutRecTx(tx, KindOrgPack, core.Scope(account, region), o.Name, o)
}

// PutOrganizationConformancePack creates or updates a conformance pack deployed to every account
// of the organization but the excluded ones, in the caller's region.
func (s *Service) PutOrganizationConformancePack(ctx context.Context, in *configapi.PutOrganizationConformancePackRequest) (*configapi.PutOrganizationConformancePackResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	if !packName.MatchString(in.OrganizationConformancePackName) {
		return nil, configapi.ErrInvalidParameterValue("The OrganizationConformancePackName %q is not valid: a letter, then letters, digits and hyphens.", in.OrganizationConformancePackName)
	}
	if in.DeliveryS3Bucket != "" && !strings.HasPrefix(in.DeliveryS3Bucket, "awsconfigconforms") {
		return nil, configapi.ErrInvalidParameterValue("The DeliveryS3Bucket of an organization conformance pack must start with awsconfigconforms.")
	}
	if len(in.ConformancePackInputParameters) > maxPackInputParams {
		return nil, configapi.ErrInvalidParameterValue("At most %d ConformancePackInputParameters are allowed.", maxPackInputParams)
	}
	body := in.TemplateBody
	if in.TemplateS3Uri != "" {
		body = "" // given both, AWS uses the template at the S3 URI
	}
	body, err = s.templateBody(body, in.TemplateS3Uri, nil, configapi.ErrOrganizationConformancePackTemplateValidation, configapi.ErrValidation)
	if err != nil {
		return nil, err
	}
	if _, err := parsePack(body, in.ConformancePackInputParameters, account, region, in.OrganizationConformancePackName); err != nil {
		return nil, configapi.ErrOrganizationConformancePackTemplateValidation("%s", err.Error())
	}
	o := &orgPackRec{Name: in.OrganizationConformancePackName, Body: body, Params: in.ConformancePackInputParameters,
		Bucket: in.DeliveryS3Bucket, Prefix: in.DeliveryS3KeyPrefix, Excluded: slices.Compact(slices.Sorted(slices.Values(in.ExcludedAccounts)))}
	var arn string
	err = s.Store.Write(ctx, func(tx store.Tx) error {
		orgID, err := s.orgCallerTx(tx, account, true)
		if err != nil {
			return err
		}
		existing, err := orgPackTx(tx, account, region, o.Name)
		if err != nil {
			return err
		}
		now := s.Clock.Now().UTC()
		phase := phaseCreate
		if existing != nil {
			if existing.Deleting || strings.HasSuffix(existing.Deployment.Status, "_IN_PROGRESS") {
				return configapi.ErrResourceInUse("The organization conformance pack %s is being created, updated or deleted. Please retry after some time.", o.Name)
			}
			o.ARN, o.Deployment = existing.ARN, existing.Deployment
			phase = phaseUpdate
		} else {
			recs, err := tx.ListPrefix(KindOrgDeployIndex, orgID, KindOrgPack+"|", "", 0)
			if err != nil {
				return err
			}
			if len(recs) >= maxOrgPacks {
				return configapi.ErrMaxNumberOfOrganizationConformancePacksExceeded("You have reached the limit of %d organization conformance packs.", maxOrgPacks)
			}
			o.Deployment = deployment{OrgID: orgID, Creator: account, Region: region, Name: o.Name, Suffix: s.IDs.Lower(8)}
			o.ARN = fmt.Sprintf("arn:aws:config:%s:%s:organization-conformance-pack/%s-%s", region, account, o.Name, o.Deployment.Suffix)
			if err := tx.Put(KindOrgDeployIndex, orgID, deployIndexID(KindOrgPack, account, region, o.Name), nil); err != nil {
				return err
			}
		}
		if err := s.startDeploymentTx(tx, &o.Deployment, phase, now); err != nil {
			return err
		}
		arn = o.ARN
		if err := saveOrgPackTx(tx, account, region, o); err != nil {
			return err
		}
		return s.enqueueDeployTx(tx, KindOrgPack, account, region, o.Name, now)
	})
	if err != nil {
		return nil, err
	}
	return &configapi.PutOrganizationConformancePackResponse{OrganizationConformancePackArn: arn}, nil
}

// reconcileOrgPackTx is the deployment job of an organization conformance pack.
func (s *Service) reconcileOrgPackTx(tx store.Tx, creator, region, name string) error {
	o, err := orgPackTx(tx, creator, region, name)
	if err != nil || o == nil {
		return err
	}
	return s.reconcileObjectTx(tx, KindOrgPack, creator, region, name, &o.Deployment, orgPackDeployer{s, o}, o.Deleting,
		func() error { return saveOrgPackTx(tx, creator, region, o) })
}

func selectOrgPacksTx(tx store.Tx, account, region string, names []string) ([]*orgPackRec, error) {
	return core.SelectRecsTx[orgPackRec](tx, KindOrgPack, core.Scope(account, region), names, noSuchOrgPack)
}

// DescribeOrganizationConformancePacks returns the organization packs the caller created.
func (s *Service) DescribeOrganizationConformancePacks(ctx context.Context, in *configapi.DescribeOrganizationConformancePacksRequest) (*configapi.DescribeOrganizationConformancePacksResponse, error) {
	packs, next, err := listOrgObjects(s, ctx, in.OrganizationConformancePackNames, in.NextToken, in.Limit, selectOrgPacksTx, (*orgPackRec).name, (*orgPackRec).api)
	if err != nil {
		return nil, err
	}
	return &configapi.DescribeOrganizationConformancePacksResponse{OrganizationConformancePacks: packs, NextToken: next}, nil
}

// DescribeOrganizationConformancePackStatuses returns the deployment status of the caller's
// organization packs.
func (s *Service) DescribeOrganizationConformancePackStatuses(ctx context.Context, in *configapi.DescribeOrganizationConformancePackStatusesRequest) (*configapi.DescribeOrganizationConformancePackStatusesResponse, error) {
	statuses, next, err := listOrgObjects(s, ctx, in.OrganizationConformancePackNames, in.NextToken, in.Limit, selectOrgPacksTx, (*orgPackRec).name,
		func(o *orgPackRec) configapi.OrganizationConformancePackStatus {
			d := o.Deployment
			return configapi.OrganizationConformancePackStatus{
				OrganizationConformancePackName: o.Name, Status: configapi.OrganizationResourceStatus(d.Status),
				ErrorCode: d.Code, ErrorMessage: d.Message, LastUpdateTime: core.APITime(d.Updated)}
		})
	if err != nil {
		return nil, err
	}
	return &configapi.DescribeOrganizationConformancePackStatusesResponse{OrganizationConformancePackStatuses: statuses, NextToken: next}, nil
}

// GetOrganizationConformancePackDetailedStatus returns the deployment status in each member.
func (s *Service) GetOrganizationConformancePackDetailedStatus(ctx context.Context, in *configapi.GetOrganizationConformancePackDetailedStatusRequest) (*configapi.GetOrganizationConformancePackDetailedStatusResponse, error) {
	f := in.Filters
	if f == nil {
		f = &configapi.OrganizationResourceDetailedStatusFilters{}
	}
	var o *orgPackRec
	rows, next, err := listMemberStatuses(s, ctx, in.NextToken, in.Limit, f.AccountId, string(f.Status),
		func(tx store.Tx, account, region string) (*deployment, error) {
			var err error
			if o, err = orgPackTx(tx, account, region, in.OrganizationConformancePackName); err != nil {
				return nil, err
			}
			if o == nil {
				return nil, noSuchOrgPack(in.OrganizationConformancePackName)
			}
			return &o.Deployment, nil
		},
		func(acct string, m *memberStatus) configapi.OrganizationConformancePackDetailedStatus {
			return configapi.OrganizationConformancePackDetailedStatus{
				AccountId: acct, ConformancePackName: o.memberPackName(), Status: configapi.OrganizationResourceDetailedStatus(m.Status),
				ErrorCode: m.Code, ErrorMessage: m.Message, LastUpdateTime: core.APITime(m.Updated)}
		})
	if err != nil {
		return nil, err
	}
	return &configapi.GetOrganizationConformancePackDetailedStatusResponse{OrganizationConformancePackDetailedStatuses: rows, NextToken: next}, nil
}

// DeleteOrganizationConformancePack deletes an organization pack and its member packs.
func (s *Service) DeleteOrganizationConformancePack(ctx context.Context, in *configapi.DeleteOrganizationConformancePackRequest) error {
	account, region, err := core.Where(ctx)
	if err != nil {
		return err
	}
	return s.Store.Write(ctx, func(tx store.Tx) error {
		if _, err := s.orgCallerTx(tx, account, false); err != nil {
			return err
		}
		o, err := orgPackTx(tx, account, region, in.OrganizationConformancePackName)
		if err != nil {
			return err
		}
		if o == nil {
			return noSuchOrgPack(in.OrganizationConformancePackName)
		}
		if o.Deleting || strings.HasSuffix(o.Deployment.Status, "_IN_PROGRESS") {
			return configapi.ErrResourceInUse("The organization conformance pack %s is being created, updated or deleted. Please retry after some time.", o.Name)
		}
		now := s.Clock.Now().UTC()
		o.Deleting = true
		if err := s.startDeploymentTx(tx, &o.Deployment, phaseDelete, now); err != nil {
			return err
		}
		if err := saveOrgPackTx(tx, account, region, o); err != nil {
			return err
		}
		return s.enqueueDeployTx(tx, KindOrgPack, account, region, o.Name, now)
	})
}
