package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/orgconfig/orgconfig/internal/configservice/aggregation"
	"github.com/orgconfig/orgconfig/internal/configservice/core"
	"github.com/orgconfig/orgconfig/internal/configservice/evaluation"
	"github.com/orgconfig/orgconfig/internal/configservice/recording"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/cfntemplate"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Conformance packs: a template (a CloudFormation subset, package cfntemplate) declares Config
// rules (and remediation configurations); the pack creates them in its (account, region) as
// rules owned by config-conforms.amazonaws.com, named <template rule name>-<pack ID>. A
// background job (jobPackDeploy) does it after each Put and removes them after a Delete; the
// pack's state follows AWS: CREATE_IN_PROGRESS, then CREATE_COMPLETE or CREATE_FAILED;
// DELETE_IN_PROGRESS, then gone.

// KindPack holds a conformance pack: scope = Scope(account, region), id = name, body packRec.
const KindPack = "config-conformance-pack"

// jobPackDeploy deploys or removes a conformance pack. Key: scope + "|" + name.
const jobPackDeploy = "config-pack-deploy"

// conformsPrincipal owns the rules of conformance packs.
const conformsPrincipal = "config-conforms.amazonaws.com"

// Quotas of conformance packs: packs per account and region, template size, input parameters.
const (
	maxPacks           = 50
	maxTemplateBytes   = 51200
	maxPackInputParams = 60
)

// Conformance pack states.
const (
	packCreating  = string(configapi.ConformancePackStateCreateInProgress)
	packComplete  = string(configapi.ConformancePackStateCreateComplete)
	packFailed    = string(configapi.ConformancePackStateCreateFailed)
	packDeleting  = string(configapi.ConformancePackStateDeleteInProgress)
	packDelFailed = string(configapi.ConformancePackStateDeleteFailed)
)

// packRec is a stored conformance pack.
type packRec struct {
	Name      string                                    `json:"name"`
	ID        string                                    `json:"id"`
	ARN       string                                    `json:"arn"`
	Body      string                                    `json:"body"`
	Params    []configapi.ConformancePackInputParameter `json:"params,omitempty"`
	Bucket    string                                    `json:"bucket,omitempty"`
	Prefix    string                                    `json:"prefix,omitempty"`
	CreatedBy string                                    `json:"createdBy,omitempty"`
	State     string                                    `json:"state"`
	Reason    string                                    `json:"reason,omitempty"`
	Requested time.Time                                 `json:"requested"`
	Completed time.Time                                 `json:"completed,omitzero"`
	// Rules maps the template's rule names to the rules the pack created.
	Rules map[string]string `json:"rules,omitempty"`
}

func (p *packRec) detail() configapi.ConformancePackDetail {
	return configapi.ConformancePackDetail{ConformancePackName: p.Name, ConformancePackArn: p.ARN, ConformancePackId: p.ID,
		DeliveryS3Bucket: p.Bucket, DeliveryS3KeyPrefix: p.Prefix, ConformancePackInputParameters: p.Params,
		LastUpdateRequestedTime: core.APITime(p.Requested), CreatedBy: p.CreatedBy}
}

func (p *packRec) status(account, region string) configapi.ConformancePackStatusDetail {
	return configapi.ConformancePackStatusDetail{ConformancePackName: p.Name, ConformancePackId: p.ID, ConformancePackArn: p.ARN,
		ConformancePackState: configapi.ConformancePackState(p.State), ConformancePackStatusReason: p.Reason,
		StackArn:                fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/awsconfigconforms-%s/%s", region, account, p.Name, p.ID),
		LastUpdateRequestedTime: core.APITime(p.Requested), LastUpdateCompletedTime: core.APITime(p.Completed)}
}

// ruleNames returns the pack's rules, in name order.
func (p *packRec) ruleNames() []string {
	out := make([]string, 0, len(p.Rules))
	for _, n := range p.Rules {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

var packName = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]*$`)

func noSuchPack(name string) error {
	return configapi.ErrNoSuchConformancePack("One or more conformance packs do not exist: %s.", name)
}

func packTx(tx store.Tx, account, region, name string) (*packRec, error) {
	return core.GetRecTx[packRec](tx, KindPack, core.Scope(account, region), name)
}

func savePackTx(tx store.Tx, account, region string, p *packRec) error {
	return core.PutRecTx(tx, KindPack, core.Scope(account, region), p.Name, p)
}

// templateBody returns the template a Put names: the body, or the object of an s3:// URI in the
// directory that stands in for S3 (Options.SnapshotDir, as delivery channels' buckets).
//
// invalid is the operation's template validation error, badParam its error for a request that
// names no template or two (InvalidParameterValueException for PutConformancePack,
// ValidationException for PutOrganizationConformancePack, whose model lists no other).
func (s *Service) templateBody(body, s3URI string, ssm *configapi.TemplateSSMDocumentDetails, invalid, badParam func(string, ...any) *awsproto.Error) (string, error) {
	n := 0
	for _, set := range []bool{body != "", s3URI != "", ssm != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return "", badParam("Exactly one of TemplateBody, TemplateS3Uri and TemplateSSMDocumentDetails is required.")
	}
	switch {
	case ssm != nil:
		return "", badParam("orgconfig has no Systems Manager: templates from SSM documents are not supported; use TemplateBody or TemplateS3Uri.")
	case s3URI != "":
		// The URI is checked before anything touches the filesystem, and no answer says
		// whether a path exists: only objects of valid buckets under the snapshot directory
		// can be read.
		p, err := recording.ParseS3URI(s3URI)
		if err != nil || s.Opts.SnapshotDir == "" {
			return "", invalid("The template S3 URI is not valid: want s3://bucket/key with a valid bucket name.")
		}
		b, err := recording.ReadRegular(filepath.Join(s.Opts.SnapshotDir, p), 1<<20)
		if err != nil {
			return "", invalid("The template could not be read from %s: orgconfig reads s3://bucket/key from its snapshot directory (bucket/key under it).", s3URI)
		}
		body = string(b)
	}
	if len(body) > maxTemplateBytes {
		return "", invalid("The template is larger than %d bytes.", maxTemplateBytes)
	}
	return body, nil
}

func packParams(ps []configapi.ConformancePackInputParameter) map[string]string {
	out := make(map[string]string, len(ps))
	for _, p := range ps {
		out[p.ParameterName] = p.ParameterValue
	}
	return out
}

// parsePack parses a pack's template for (account, region).
func parsePack(body string, params []configapi.ConformancePackInputParameter, account, region, name string) (*cfntemplate.Template, error) {
	return cfntemplate.Parse([]byte(body), packParams(params), cfntemplate.Context{AccountID: account, Region: region, Partition: "aws", StackName: "awsconfigconforms-" + name})
}

// PutConformancePack creates or updates a conformance pack; its rules are (re)deployed by a
// background job.
func (s *Service) PutConformancePack(ctx context.Context, in *configapi.PutConformancePackRequest) (*configapi.PutConformancePackResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	if !packName.MatchString(in.ConformancePackName) {
		return nil, configapi.ErrInvalidParameterValue("The ConformancePackName %q is not valid: a letter, then letters, digits and hyphens.", in.ConformancePackName)
	}
	if len(in.ConformancePackInputParameters) > maxPackInputParams {
		return nil, configapi.ErrInvalidParameterValue("At most %d ConformancePackInputParameters are allowed.", maxPackInputParams)
	}
	body, err := s.templateBody(in.TemplateBody, in.TemplateS3Uri, in.TemplateSSMDocumentDetails, configapi.ErrConformancePackTemplateValidation, configapi.ErrInvalidParameterValue)
	if err != nil {
		return nil, err
	}
	if _, err := parsePack(body, in.ConformancePackInputParameters, account, region, in.ConformancePackName); err != nil {
		return nil, configapi.ErrConformancePackTemplateValidation("%s", err.Error())
	}
	if err := core.ValidateTags(in.Tags); err != nil {
		return nil, err
	}
	var arn string
	err = s.Store.Write(ctx, func(tx store.Tx) error {
		existing, err := packTx(tx, account, region, in.ConformancePackName)
		if err != nil {
			return err
		}
		if existing != nil && existing.CreatedBy != "" {
			return awsproto.ErrAccessDenied("The conformance pack %s is owned by %s and cannot be changed in this account.", existing.Name, existing.CreatedBy)
		}
		p := &packRec{Name: in.ConformancePackName, Body: body, Params: in.ConformancePackInputParameters,
			Bucket: in.DeliveryS3Bucket, Prefix: in.DeliveryS3KeyPrefix}
		if err := s.preparePackTx(tx, account, region, p, existing); err != nil {
			return err
		}
		if existing == nil {
			if err := core.CreateResourceTagsTx(tx, p.ARN, in.Tags); err != nil {
				return err
			}
		}
		arn = p.ARN
		if err := savePackTx(tx, account, region, p); err != nil {
			return err
		}
		return s.enqueuePackJobTx(tx, account, region, p.Name)
	})
	if err != nil {
		return nil, err
	}
	return &configapi.PutConformancePackResponse{ConformancePackArn: arn}, nil
}

// preparePackTx gives a new or updated pack its identity and the CREATE_IN_PROGRESS state,
// checking the quota, the transition in progress, and the service-linked role.
func (s *Service) preparePackTx(tx store.Tx, account, region string, p, existing *packRec) error {
	now := s.Clock.Now().UTC()
	if existing != nil {
		if existing.State == packCreating || existing.State == packDeleting {
			return configapi.ErrResourceInUse("The conformance pack %s is being created, updated or deleted. Please retry after some time.", existing.Name)
		}
		p.ID, p.ARN, p.Rules = existing.ID, existing.ARN, existing.Rules
	} else {
		n, err := tx.Count(KindPack, core.Scope(account, region))
		if err != nil {
			return err
		}
		if n >= maxPacks {
			return configapi.ErrMaxNumberOfConformancePacksExceeded("You have reached the limit of %d conformance packs in this account and region.", maxPacks)
		}
		p.ID = "conformance-pack-" + s.IDs.Lower(9)
		p.ARN = fmt.Sprintf("arn:aws:config:%s:%s:conformance-pack/%s/%s", region, account, p.Name, p.ID)
	}
	if s.IAM != nil {
		if _, err := s.IAM.EnsureServiceLinkedRoleTx(tx, account, conformsPrincipal); err != nil {
			return err
		}
	}
	p.State, p.Reason, p.Requested = packCreating, "", now
	return nil
}

func (s *Service) enqueuePackJobTx(tx store.Tx, account, region, name string) error {
	b, err := json.Marshal(aggregation.AggregatorJob{Account: account, Region: region, Name: name})
	if err != nil {
		return err
	}
	return tx.Enqueue(store.Job{Kind: jobPackDeploy, Key: core.Scope(account, region) + "|" + name, Payload: b, RunAt: s.Clock.Now()})
}

// runPackDeploy deploys a pack in CREATE_IN_PROGRESS, or removes one in DELETE_IN_PROGRESS.
func (s *Service) runPackDeploy(ctx context.Context, job store.Job) error {
	var p aggregation.AggregatorJob
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return fmt.Errorf("configservice: conformance pack job payload: %w", err)
	}
	return s.Store.Write(ctx, func(tx store.Tx) error {
		pk, err := packTx(tx, p.Account, p.Region, p.Name)
		if err != nil {
			return err
		}
		switch {
		case pk == nil:
		case pk.State == packCreating:
			if err := s.deployPackTx(tx, p.Account, p.Region, pk); err != nil {
				return err
			}
		case pk.State == packDeleting:
			if err := s.removePackTx(tx, p.Account, p.Region, pk); err != nil {
				return err
			}
		}
		return tx.CompleteJob(job.Lease())
	})
}

// deployPackTx creates or updates the pack's rules (and remediation configurations) and sets its
// state: CREATE_COMPLETE, or CREATE_FAILED with the reason. A refusal of the deployment is
// returned as an AWS error too, for organization packs' member status.
func (s *Service) deployPackTx(tx store.Tx, account, region string, p *packRec) error {
	now := s.Clock.Now().UTC()
	fail := func(err error) error {
		p.State, p.Reason, p.Completed = packFailed, err.Error(), now
		if e := awsErr(err); e != nil {
			p.Reason = e.Message
		}
		if serr := savePackTx(tx, account, region, p); serr != nil {
			return serr
		}
		return nil
	}
	rec, err := s.RecorderTx(tx, account, region)
	if err != nil {
		return err
	}
	if rec == nil {
		return fail(configapi.ErrNoAvailableConfigurationRecorder("There is no configuration recorder in account %s and region %s.", account, region))
	}
	tmpl, err := parsePack(p.Body, p.Params, account, region, p.Name)
	if err != nil {
		return fail(configapi.ErrConformancePackTemplateValidation("%s", err.Error()))
	}
	want := map[string]string{}
	for _, tr := range tmpl.Rules {
		def := templateRule(tr, p.ID)
		if _, err := s.PutServiceRuleTx(tx, account, region, def, conformsPrincipal); err != nil {
			if awsErr(err) == nil {
				return err
			}
			return fail(err)
		}
		want[tr.ConfigRuleName] = def.ConfigRuleName
	}
	for tmplName, name := range p.Rules {
		if _, ok := want[tmplName]; !ok {
			if err := s.DeleteServiceRuleTx(tx, account, region, name); err != nil {
				return err
			}
		}
	}
	p.Rules = want
	for _, rm := range tmpl.Remediations {
		name, ok := want[rm.ConfigRuleName]
		if !ok {
			continue
		}
		if err := s.putPackRemediationTx(tx, account, region, name, rm); err != nil {
			return err
		}
	}
	p.State, p.Reason, p.Completed = packComplete, "", now
	return savePackTx(tx, account, region, p)
}

// templateRule is the Config rule of a template rule in pack packID.
func templateRule(tr cfntemplate.Rule, packID string) configapi.ConfigRule {
	r := configapi.ConfigRule{ConfigRuleName: tr.ConfigRuleName + "-" + packID, Description: tr.Description,
		MaximumExecutionFrequency: configapi.MaximumExecutionFrequency(tr.MaximumExecutionFrequency)}
	if len(tr.InputParameters) > 0 {
		b, _ := json.Marshal(tr.InputParameters)
		r.InputParameters = string(b)
	}
	if sc := tr.Scope; sc != nil {
		r.Scope = &configapi.Scope{ComplianceResourceTypes: sc.ComplianceResourceTypes, ComplianceResourceId: sc.ComplianceResourceId,
			TagKey: sc.TagKey, TagValue: sc.TagValue}
	}
	src := &configapi.Source{Owner: configapi.Owner(tr.Owner), SourceIdentifier: tr.SourceIdentifier}
	for _, d := range tr.SourceDetails {
		src.SourceDetails = append(src.SourceDetails, configapi.SourceDetail{EventSource: configapi.EventSource(d.EventSource),
			MessageType: configapi.MessageType(d.MessageType), MaximumExecutionFrequency: configapi.MaximumExecutionFrequency(d.MaximumExecutionFrequency)})
	}
	if cp := tr.CustomPolicy; cp != nil {
		debug := cp.EnableDebugLogDelivery
		src.CustomPolicyDetails = &configapi.CustomPolicyDetails{PolicyRuntime: cp.PolicyRuntime, PolicyText: cp.PolicyText, EnableDebugLogDelivery: &debug}
	}
	r.Source = src
	for _, m := range tr.EvaluationModes {
		r.EvaluationModes = append(r.EvaluationModes, configapi.EvaluationModeConfiguration{Mode: configapi.EvaluationMode(m)})
	}
	return r
}

// putPackRemediationTx stores the remediation configuration a template declares for a rule.
func (s *Service) putPackRemediationTx(tx store.Tx, account, region, rule string, rm cfntemplate.Remediation) error {
	params := map[string]configapi.RemediationParameterValue{}
	b, err := json.Marshal(rm.Parameters)
	if err == nil {
		_ = json.Unmarshal(b, &params) // the template's shape is the API's; anything else is left out
	}
	auto := rm.Automatic
	c := configapi.RemediationConfiguration{ConfigRuleName: rule, TargetType: configapi.RemediationTargetType(rm.TargetType),
		TargetId: rm.TargetID, TargetVersion: rm.TargetVersion, ResourceType: rm.ResourceType, Automatic: &auto, Parameters: params,
		CreatedByService: conformsPrincipal, Arn: evaluation.RemediationConfigARN(account, region, rule, s.IDs.RequestID())}
	if rm.MaximumAutomaticAttempts > 0 {
		n := int32(rm.MaximumAutomaticAttempts)
		c.MaximumAutomaticAttempts = &n
	}
	if rm.RetryAttemptSeconds > 0 {
		n := int64(rm.RetryAttemptSeconds)
		c.RetryAttemptSeconds = &n
	}
	out, err := json.Marshal(evaluation.RemediationRec{Config: c, Created: s.Clock.Now().UTC()})
	if err != nil {
		return err
	}
	return tx.Put(evaluation.KindRemediation, core.Scope(account, region), rule, out)
}

// removePackTx deletes a pack's rules and the pack.
func (s *Service) removePackTx(tx store.Tx, account, region string, p *packRec) error {
	for _, name := range p.Rules {
		if err := s.DeleteServiceRuleTx(tx, account, region, name); err != nil {
			return err
		}
	}
	if _, err := tx.Delete(KindPack, core.Scope(account, region), p.Name); err != nil {
		return err
	}
	return core.DeleteResourceTagsTx(tx, p.ARN)
}

// DeleteConformancePack deletes a pack and its rules (DELETE_IN_PROGRESS until the job ran).
func (s *Service) DeleteConformancePack(ctx context.Context, in *configapi.DeleteConformancePackRequest) error {
	account, region, err := core.Where(ctx)
	if err != nil {
		return err
	}
	return s.Store.Write(ctx, func(tx store.Tx) error {
		p, err := packTx(tx, account, region, in.ConformancePackName)
		if err != nil {
			return err
		}
		if p == nil {
			return noSuchPack(in.ConformancePackName)
		}
		if p.CreatedBy != "" {
			return awsproto.ErrAccessDenied("The conformance pack %s is owned by %s and cannot be deleted in this account.", p.Name, p.CreatedBy)
		}
		if p.State == packCreating || p.State == packDeleting {
			return configapi.ErrResourceInUse("The conformance pack %s is being created, updated or deleted. Please retry after some time.", p.Name)
		}
		p.State, p.Requested = packDeleting, s.Clock.Now().UTC()
		if err := savePackTx(tx, account, region, p); err != nil {
			return err
		}
		return s.enqueuePackJobTx(tx, account, region, p.Name)
	})
}

// selectPacksTx returns the packs named (all when names is empty), in name order.
func selectPacksTx(tx store.Tx, account, region string, names []string) ([]*packRec, error) {
	out, err := core.SelectRecsTx[packRec](tx, KindPack, core.Scope(account, region), names, noSuchPack)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b *packRec) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// existingPacksTx is selectPacksTx without the error: the named packs that exist.
func existingPacksTx(tx store.Tx, account, region string, names []string) ([]*packRec, error) {
	if len(names) == 0 {
		return selectPacksTx(tx, account, region, nil)
	}
	var out []*packRec
	for _, n := range names {
		p, err := core.GetRecTx[packRec](tx, KindPack, core.Scope(account, region), n)
		if err != nil {
			return nil, err
		}
		if p != nil && !slices.ContainsFunc(out, func(q *packRec) bool { return q.Name == p.Name }) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b *packRec) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// DescribeConformancePacks returns the packs named, or every pack, Limit (at most 20) per page.
func (s *Service) DescribeConformancePacks(ctx context.Context, in *configapi.DescribeConformancePacksRequest) (*configapi.DescribeConformancePacksResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	out := &configapi.DescribeConformancePacksResponse{ConformancePackDetails: []configapi.ConformancePackDetail{}}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		all, err := selectPacksTx(tx, account, region, in.ConformancePackNames)
		if err != nil {
			return err
		}
		page, next, err := pageByName(all, func(p *packRec) string { return p.Name }, in.NextToken, core.LimitOr(in.Limit, 20), false)
		if err != nil {
			return err
		}
		out.ConformancePackDetails, out.NextToken = out.ConformancePackDetails[:0], next
		for _, p := range page {
			out.ConformancePackDetails = append(out.ConformancePackDetails, p.detail())
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DescribeConformancePackStatus returns the deployment state of the packs named, or of every
// pack. Unlike DescribeConformancePacks it has no NoSuchConformancePackException: AWS leaves a
// named pack that does not exist out of the answer (clients waiting for a deletion see an
// empty list).
func (s *Service) DescribeConformancePackStatus(ctx context.Context, in *configapi.DescribeConformancePackStatusRequest) (*configapi.DescribeConformancePackStatusResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	out := &configapi.DescribeConformancePackStatusResponse{ConformancePackStatusDetails: []configapi.ConformancePackStatusDetail{}}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		all, err := existingPacksTx(tx, account, region, in.ConformancePackNames)
		if err != nil {
			return err
		}
		page, next, err := pageByName(all, func(p *packRec) string { return p.Name }, in.NextToken, core.LimitOr(in.Limit, 20), false)
		if err != nil {
			return err
		}
		out.ConformancePackStatusDetails, out.NextToken = out.ConformancePackStatusDetails[:0], next
		for _, p := range page {
			out.ConformancePackStatusDetails = append(out.ConformancePackStatusDetails, p.status(account, region))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
