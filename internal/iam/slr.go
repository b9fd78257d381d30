package iam

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/orgconfig/orgconfig/internal/api/iamapi"
	"github.com/orgconfig/orgconfig/internal/call"
	"github.com/orgconfig/orgconfig/internal/store"
)

// slrDef describes the service-linked role of one AWS service principal: its name, its AWS
// managed policy and its description (see "Using service-linked roles for AWS Config",
// https://docs.aws.amazon.com/config/latest/developerguide/using-service-linked-roles.html).
type slrDef struct {
	Principal   string
	RoleName    string
	PolicyARN   string
	Description string
	// SuffixAllowed says whether CreateServiceLinkedRole accepts a CustomSuffix (the Config
	// and Organizations roles do not).
	SuffixAllowed bool
}

var slrDefs = []slrDef{
	{Principal: "config.amazonaws.com", RoleName: "AWSServiceRoleForConfig",
		PolicyARN: "arn:aws:iam::aws:policy/aws-service-role/AWSConfigServiceRolePolicy"},
	{Principal: "config-multiaccountsetup.amazonaws.com", RoleName: "AWSServiceRoleForConfigMultiAccountSetup",
		PolicyARN: "arn:aws:iam::aws:policy/aws-service-role/AWSConfigMultiAccountSetupPolicy"},
	{Principal: "config-conforms.amazonaws.com", RoleName: "AWSServiceRoleForConfigConforms",
		PolicyARN: "arn:aws:iam::aws:policy/aws-service-role/ConfigConformsServiceRolePolicy"},
	{Principal: "organizations.amazonaws.com", RoleName: "AWSServiceRoleForOrganizations",
		PolicyARN:   "arn:aws:iam::aws:policy/aws-service-role/AWSOrganizationsServiceTrustPolicy",
		Description: "Service-linked role used by AWS Organizations to enable integration of other AWS services with Organizations."},
}

func slrByPrincipal(principal string) (slrDef, bool) {
	for _, d := range slrDefs {
		if d.Principal == principal {
			return d, true
		}
	}
	return slrDef{}, false
}

func serviceTrustPolicy(principal string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + principal + `"},"Action":"sts:AssumeRole"}]}`
}

// createSLRTx creates a service-linked role; the caller has checked that the name is free.
func (s *Service) createSLRTx(tx store.Tx, account string, def slrDef, name, description string) (*Role, error) {
	path := "/aws-service-role/" + def.Principal + "/"
	r := &Role{
		Account: account, Name: name, Path: path, ARN: roleARN(account, path, name), RoleID: "AROA" + s.ids.Base32(16),
		AssumeRolePolicyDocument: serviceTrustPolicy(def.Principal), Description: description, MaxSessionDuration: 3600,
		Created: s.clock.Now().UTC().Truncate(time.Second), ServiceLinked: true, ServiceName: def.Principal,
	}
	if err := attachWithID(tx, account, entityRole, name, r.RoleID, &r.AttachedPolicyARNs, def.PolicyARN); err != nil {
		return nil, err
	}
	if err := s.putRoleNotify(tx, r); err != nil {
		return nil, err
	}
	return r, nil
}

// protected refuses an operation AWS reserves for the service on a service-linked role.
func protected(r *Role) error {
	if r.ServiceLinked {
		return iamapi.ErrUnmodifiableEntity("Cannot perform the operation on the protected role '%s' - this role is only modifiable by AWS", r.Name)
	}
	return nil
}

// CreateServiceLinkedRole creates the service-linked role of a supported service principal.
func (s *Service) CreateServiceLinkedRole(ctx context.Context, in *iamapi.CreateServiceLinkedRoleRequest) (*iamapi.CreateServiceLinkedRoleResponse, error) {
	who, err := call.Caller(ctx)
	if err != nil {
		return nil, err
	}
	account := who.Principal.Account
	def, ok := slrByPrincipal(in.AWSServiceName)
	if !ok {
		// AWS does not document its text for unsupported principals; this wording is orgconfig's.
		return nil, iamapi.ErrInvalidInput("Service %s is not a supported service for service-linked roles.", in.AWSServiceName)
	}
	name := def.RoleName
	if in.CustomSuffix != "" {
		if !def.SuffixAllowed {
			return nil, iamapi.ErrInvalidInput("Custom suffix is not allowed for %s", def.Principal)
		}
		name += "_" + in.CustomSuffix
	}
	description := in.Description
	if description == "" {
		description = def.Description
	}
	var out *Role
	err = s.store.Write(ctx, func(tx store.Tx) error {
		if _, err := GetRoleTx(tx, account, name); err == nil {
			return iamapi.ErrInvalidInput("Service role name %s has been taken in this account, please try a different suffix.", name)
		} else if !errors.Is(err, ErrNoSuchRole) {
			return err
		}
		out, err = s.createSLRTx(tx, account, def, name, description)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateServiceLinkedRoleResponse{Role: out.api(false)}, nil
}

// Deletion task lifecycle (AWS documents the states, not when they change; these steps are
// orgconfig's choice). DeleteServiceLinkedRole stores the task NOT_STARTED and
// enqueues a job due at once. The job's first run moves the task to IN_PROGRESS and enqueues
// the decisive run, also due at once; the decisive run evaluates the guards against the state
// at that time and ends the task SUCCEEDED (role deleted) or FAILED (role kept, reason given).
// Neither enqueue wakes the job loop (no Runner.Notify): each step waits for the loop's next
// poll, so a client polling right after DeleteServiceLinkedRole observes the unfinished states
// as with AWS, while Runner.RunDue (tests) runs both steps in one call.
const jobSLRDeletion = "iam.slr-deletion"

// deletionTask is a DeleteServiceLinkedRole task (record kind KindDeletionTask, id = task ID).
type deletionTask struct {
	ID        string                 `json:"id"`
	Account   string                 `json:"account"`
	RoleName  string                 `json:"roleName"`
	Principal string                 `json:"principal"`
	Status    string                 `json:"status"`
	Reason    string                 `json:"reason,omitempty"`
	Usage     []iamapi.RoleUsageType `json:"usage,omitempty"`
	Created   time.Time              `json:"created"`
}

type deletionJob struct {
	Account string `json:"account"`
	TaskID  string `json:"taskId"`
}

var taskIDPattern = regexp.MustCompile(`^task/aws-service-role/[\w+=,.@-]+/[\w+=,.@-]+/[0-9a-fA-F-]{36}$`)

func finished(status string) bool {
	return status == string(iamapi.DeletionTaskStatusTypeSucceeded) || status == string(iamapi.DeletionTaskStatusTypeFailed)
}

// DeleteServiceLinkedRole starts (or returns the unfinished) deletion task of a
// service-linked role. The role is not removed synchronously.
func (s *Service) DeleteServiceLinkedRole(ctx context.Context, in *iamapi.DeleteServiceLinkedRoleRequest) (*iamapi.DeleteServiceLinkedRoleResponse, error) {
	who, err := call.Caller(ctx)
	if err != nil {
		return nil, err
	}
	account := who.Principal.Account
	var id string
	err = s.store.Write(ctx, func(tx store.Tx) error {
		r, err := GetRoleTx(tx, account, in.RoleName)
		if errors.Is(err, ErrNoSuchRole) {
			return noSuchRole(in.RoleName)
		}
		if err != nil {
			return err
		}
		if !r.ServiceLinked {
			// AWS refuses non-service-linked roles; it does not document the exact text, so
			// this wording is orgconfig's.
			return iamapi.ErrInvalidInput("Role %s is not a service-linked role.", r.Name)
		}
		if r.DeletionTaskID != "" {
			t, err := getJSON[deletionTask](tx, KindDeletionTask, account, r.DeletionTaskID)
			if err == nil && !finished(t.Status) {
				id = t.ID
				return nil
			}
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		id = "task/aws-service-role/" + r.ServiceName + "/" + r.Name + "/" + s.ids.RequestID()
		t := &deletionTask{ID: id, Account: account, RoleName: r.Name, Principal: r.ServiceName,
			Status: string(iamapi.DeletionTaskStatusTypeNotStarted), Created: s.clock.Now().UTC()}
		if err := putJSON(tx, KindDeletionTask, account, id, t); err != nil {
			return err
		}
		r.DeletionTaskID = id
		if err := putRole(tx, r); err != nil {
			return err
		}
		payload, _ := json.Marshal(deletionJob{Account: account, TaskID: id})
		return tx.Enqueue(store.Job{Kind: jobSLRDeletion, Key: account + "|" + id, Payload: payload, RunAt: s.clock.Now()})
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeleteServiceLinkedRoleResponse{DeletionTaskId: id}, nil
}

// GetServiceLinkedRoleDeletionStatus reports a deletion task of the caller's account.
func (s *Service) GetServiceLinkedRoleDeletionStatus(ctx context.Context, in *iamapi.GetServiceLinkedRoleDeletionStatusRequest) (*iamapi.GetServiceLinkedRoleDeletionStatusResponse, error) {
	who, err := call.Caller(ctx)
	if err != nil {
		return nil, err
	}
	account := who.Principal.Account
	if !taskIDPattern.MatchString(in.DeletionTaskId) {
		return nil, iamapi.ErrInvalidInput("Invalid deletion task id %s.", in.DeletionTaskId)
	}
	var t *deletionTask
	err = s.store.Read(ctx, func(tx store.Tx) error {
		var err error
		t, err = getJSON[deletionTask](tx, KindDeletionTask, account, in.DeletionTaskId)
		if errors.Is(err, store.ErrNotFound) {
			return iamapi.ErrNoSuchEntity("Deletion task %s does not exist.", in.DeletionTaskId)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &iamapi.GetServiceLinkedRoleDeletionStatusResponse{Status: iamapi.DeletionTaskStatusType(t.Status)}
	if t.Status == string(iamapi.DeletionTaskStatusTypeFailed) {
		out.Reason = &iamapi.DeletionTaskFailureReasonType{Reason: t.Reason, RoleUsageList: t.Usage}
	}
	return out, nil
}

// runDeletion is the job handler of jobSLRDeletion. It is idempotent: a finished or missing
// task completes the job without effect.
func (s *Service) runDeletion(ctx context.Context, job store.Job) error {
	var p deletionJob
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return fmt.Errorf("iam: deletion job payload: %w", err)
	}
	return s.store.Write(ctx, func(tx store.Tx) error {
		t, err := getJSON[deletionTask](tx, KindDeletionTask, p.Account, p.TaskID)
		if errors.Is(err, store.ErrNotFound) {
			return tx.CompleteJob(job.Lease())
		}
		if err != nil {
			return err
		}
		switch t.Status {
		case string(iamapi.DeletionTaskStatusTypeNotStarted):
			t.Status = string(iamapi.DeletionTaskStatusTypeInProgress)
			if err := tx.Enqueue(store.Job{Kind: jobSLRDeletion, Key: p.Account + "|" + p.TaskID, Payload: job.Payload,
				RunAt: s.clock.Now()}); err != nil {
				return err
			}
		case string(iamapi.DeletionTaskStatusTypeInProgress):
			if err := s.finishDeletionTx(tx, t); err != nil {
				return err
			}
		default:
			return tx.CompleteJob(job.Lease())
		}
		if err := putJSON(tx, KindDeletionTask, p.Account, t.ID, t); err != nil {
			return err
		}
		return tx.CompleteJob(job.Lease())
	})
}

// finishDeletionTx decides an IN_PROGRESS task: FAILED while the service still uses the role,
// otherwise the role is deleted and the task SUCCEEDED.
func (s *Service) finishDeletionTx(tx store.Tx, t *deletionTask) error {
	r, err := GetRoleTx(tx, t.Account, t.RoleName)
	if errors.Is(err, ErrNoSuchRole) {
		t.Status = string(iamapi.DeletionTaskStatusTypeSucceeded) // already gone: the goal is met
		return nil
	}
	if err != nil {
		return err
	}
	reason, usage, err := s.slrInUseTx(tx, t.Account, r)
	if err != nil {
		return err
	}
	if reason != "" {
		t.Status, t.Reason, t.Usage = string(iamapi.DeletionTaskStatusTypeFailed), reason, usage
		if len(t.Reason) > 1000 {
			t.Reason = t.Reason[:1000]
		}
		r.DeletionTaskID = ""
		return putRole(tx, r)
	}
	t.Status = string(iamapi.DeletionTaskStatusTypeSucceeded)
	return s.deleteRoleNotify(tx, r)
}

// RoleUsage is one region's resources that still use a service-linked role.
type RoleUsage struct {
	Region    string
	Resources []string
}

// UsageCheck reports the resources of account that still use the service-linked role of one
// service principal; none means the role may be deleted. Package configservice registers the
// checks for recorders and conformance packs: AWS Config keeps its roles while a configuration
// recorder or a conformance pack uses them.
type UsageCheck func(tx store.Tx, account string) ([]RoleUsage, error)

// RegisterServiceLinkedRoleUsage adds a usage check for the service-linked role of
// servicePrincipal, consulted when a deletion task of that role is decided. Call it while
// wiring the server, before serving.
func (s *Service) RegisterServiceLinkedRoleUsage(servicePrincipal string, check UsageCheck) {
	s.usageMu.Lock()
	defer s.usageMu.Unlock()
	if s.usage == nil {
		s.usage = map[string][]UsageCheck{}
	}
	s.usage[servicePrincipal] = append(s.usage[servicePrincipal], check)
}

// orgARNer is optionally implemented by the OrgInfo to name the organization in RoleUsageList.
type orgARNer interface {
	OrganizationARN(tx store.Tx, account string) (string, error)
}

// usageRegion is the region reported for organization-level usage, because Organizations is a
// global service homed in us-east-1 (AWS does not document the region; this is orgconfig's
// choice).
const usageRegion = "us-east-1"

// slrInUseTx applies the deletion guards and returns why the role is still in use, or "": the
// Config roles are in use while trusted access for their principal is enabled in the account's
// organization, AWSServiceRoleForOrganizations while the account is in an organization with all
// features, and any role while a registered UsageCheck reports resources that use it.
func (s *Service) slrInUseTx(tx store.Tx, account string, r *Role) (string, []iamapi.RoleUsageType, error) {
	orgUsage := func() []iamapi.RoleUsageType {
		u := iamapi.RoleUsageType{Region: usageRegion}
		if a, ok := s.orgs.(orgARNer); ok {
			if arn, err := a.OrganizationARN(tx, account); err == nil && arn != "" {
				u.Resources = []string{arn}
			}
		}
		return []iamapi.RoleUsageType{u}
	}
	if s.orgs != nil {
		switch r.ServiceName {
		case "config.amazonaws.com", "config-multiaccountsetup.amazonaws.com":
			on, err := s.orgs.ServiceAccessEnabled(tx, account, r.ServiceName)
			if err != nil {
				return "", nil, err
			}
			if on {
				return fmt.Sprintf("Service-linked role %s is in use: trusted access for %s is enabled in the organization of account %s.",
					r.Name, r.ServiceName, account), orgUsage(), nil
			}
		case "organizations.amazonaws.com":
			on, err := s.orgs.ServiceAccessEnabled(tx, account, r.ServiceName)
			if err != nil {
				return "", nil, err
			}
			if on {
				return fmt.Sprintf("Service-linked role %s is in use: account %s is a member of an organization with all features enabled.",
					r.Name, account), orgUsage(), nil
			}
		}
	}
	s.usageMu.RLock()
	checks := s.usage[r.ServiceName]
	s.usageMu.RUnlock()
	var usage []iamapi.RoleUsageType
	for _, check := range checks {
		us, err := check(tx, account)
		if err != nil {
			return "", nil, err
		}
		for _, u := range us {
			usage = append(usage, iamapi.RoleUsageType{Region: u.Region, Resources: u.Resources})
		}
	}
	if len(usage) > 0 {
		return fmt.Sprintf("Service-linked role %s is in use by %s resources in account %s.", r.Name, r.ServiceName, account), usage, nil
	}
	return "", nil, nil
}
