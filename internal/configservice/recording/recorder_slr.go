package recording

import (
	"context"
	"errors"

	"github.com/orgconfig/orgconfig/internal/configservice/core"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/iam"
	"github.com/orgconfig/orgconfig/internal/store"
)

// configPrincipal is the service principal of AWS Config, whose service-linked role
// AWSServiceRoleForConfig service-linked recorders use.
const configPrincipal = "config.amazonaws.com"

// slrARN is the ARN of account's AWSServiceRoleForConfig.
func slrARN(account string) string {
	return "arn:aws:iam::" + account + ":role/aws-service-role/" + configPrincipal + "/AWSServiceRoleForConfig"
}

// serviceLinkedRecorderTx returns the service-linked recorder of principal, or nil.
func serviceLinkedRecorderTx(tx store.Tx, account, region, principal string) (*Recorder, error) {
	all, err := recordersTx(tx, account, region)
	if err != nil {
		return nil, err
	}
	for _, r := range all {
		if r.ServicePrincipal == principal {
			return r, nil
		}
	}
	return nil, nil
}

// PutServiceLinkedConfigurationRecorder creates the service-linked recorder of a service in
// the caller's region, and the AWSServiceRoleForConfig role when the account lacks it. The
// recorder records at once and only its linked service changes it. Any service principal
// is accepted, and the recording group is left to the linked service: an empty inclusion list.
func (s *Service) PutServiceLinkedConfigurationRecorder(ctx context.Context, in *configapi.PutServiceLinkedConfigurationRecorderRequest) (*configapi.PutServiceLinkedConfigurationRecorderResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	if err := core.ValidateTags(in.Tags); err != nil {
		return nil, err
	}
	out := &configapi.PutServiceLinkedConfigurationRecorderResponse{}
	err = s.Store.Write(ctx, func(tx store.Tx) error {
		cur, err := serviceLinkedRecorderTx(tx, account, region, in.ServicePrincipal)
		if err != nil {
			return err
		}
		if cur != nil {
			return configapi.ErrConflict("A service-linked configuration recorder for the service principal '%s' already exists.", in.ServicePrincipal)
		}
		role, err := s.IAM.EnsureServiceLinkedRoleTx(tx, account, configPrincipal)
		if err != nil {
			var ae *awsproto.Error
			if errors.As(err, &ae) {
				// An IAM refusal (a customer role already holds the name) is Config's permission error.
				return configapi.ErrInsufficientPermissions("Config cannot create the service-linked role AWSServiceRoleForConfig: %s", ae.Message)
			}
			return err
		}
		now := s.Clock.Now().UTC()
		name := serviceLinkedPrefix + in.ServicePrincipal
		r := &Recorder{
			Name: name, ARN: recorderARN(account, region, name, s.IDs.Lower(16)), RoleARN: role.ARN,
			ServicePrincipal: in.ServicePrincipal, RecordingScope: string(configapi.RecordingScopeInternal),
			Strategy:           string(configapi.RecordingStrategyTypeInclusionByResourceTypes),
			RecordingFrequency: string(configapi.RecordingFrequencyContinuous),
			Recording:          true, LastStartTime: now, LastStatus: string(configapi.RecorderStatusSuccess), LastStatusChange: now,
			Created: now,
		}
		if err := core.CreateResourceTagsTx(tx, r.ARN, in.Tags); err != nil {
			return err
		}
		out.Arn, out.Name = r.ARN, r.Name
		return saveRecorderTx(tx, account, region, r)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteServiceLinkedConfigurationRecorder deletes the service-linked recorder of a service.
// No linked service runs inside orgconfig, so none ever holds the recorder
// (ConflictException is never returned).
func (s *Service) DeleteServiceLinkedConfigurationRecorder(ctx context.Context, in *configapi.DeleteServiceLinkedConfigurationRecorderRequest) (*configapi.DeleteServiceLinkedConfigurationRecorderResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	out := &configapi.DeleteServiceLinkedConfigurationRecorderResponse{}
	err = s.Store.Write(ctx, func(tx store.Tx) error {
		r, err := serviceLinkedRecorderTx(tx, account, region, in.ServicePrincipal)
		if err != nil {
			return err
		}
		if r == nil {
			return configapi.ErrNoSuchConfigurationRecorder("Cannot find a service-linked configuration recorder for the service principal '%s'.", in.ServicePrincipal)
		}
		if err := deleteRecorderTx(tx, account, region, r.Name); err != nil {
			return err
		}
		out.Arn, out.Name = r.ARN, r.Name
		return core.DeleteResourceTagsTx(tx, r.ARN)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// registerRecorderGuards tells IAM when AWSServiceRoleForConfig is still in use (spec §2.3):
// in every region, the recorders whose role is that service-linked role and every
// service-linked recorder. New must call it once, before serving.
func (s *Service) registerRecorderGuards() {
	s.IAM.RegisterServiceLinkedRoleUsage(configPrincipal, s.recorderRoleUsageTx)
}

// recorderRoleUsageTx is the iam.UsageCheck of AWSServiceRoleForConfig.
func (s *Service) recorderRoleUsageTx(tx store.Tx, account string) ([]iam.RoleUsage, error) {
	if s.Regions == nil {
		return nil, nil
	}
	role := slrARN(account)
	var usage []iam.RoleUsage
	for _, region := range s.Regions.All() {
		all, err := recordersTx(tx, account, region)
		if err != nil {
			return nil, err
		}
		var arns []string
		for _, r := range all {
			if r.ServiceLinked() || r.RoleARN == role {
				arns = append(arns, r.ARN)
			}
		}
		if len(arns) > 0 {
			usage = append(usage, iam.RoleUsage{Region: region, Resources: arns})
		}
	}
	return usage, nil
}
