// Package organizations implements AWS Organizations: the organization and its root, OUs and
// accounts, asynchronous account creation, invitations and handshakes, policies, delegated
// administrators and trusted access for AWS services. It is the source of truth that AWS Config
// and IAM consult about membership, trusted access and delegated administration.
package organizations

import (
	"github.com/orgconfig/orgconfig/internal/api/organizationsapi"
	"github.com/orgconfig/orgconfig/internal/auth"
	"github.com/orgconfig/orgconfig/internal/clock"
	"github.com/orgconfig/orgconfig/internal/iam"
	"github.com/orgconfig/orgconfig/internal/ids"
	"github.com/orgconfig/orgconfig/internal/jobs"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Service implements organizationsapi.API.
type Service struct {
	organizationsapi.Unimplemented
	store store.Store
	clock clock.Clock
	ids   ids.Generator
	dir   *auth.Directory
	iam   *iam.Service
	jobs  *jobs.Runner
}

// New returns the Organizations service. It registers its background job kinds on runner.
func New(st store.Store, c clock.Clock, g ids.Generator, dir *auth.Directory, iamSvc *iam.Service, runner *jobs.Runner) *Service {
	return &Service{store: st, clock: c, ids: g, dir: dir, iam: iamSvc, jobs: runner}
}

// ServiceAccessEnabled implements iam.OrgInfo.
func (s *Service) ServiceAccessEnabled(tx store.Tx, account, servicePrincipal string) (bool, error) {
	return false, nil
}

// SCPLevelsTx returns the service control policies that bound a member account's principals:
// one list of policy documents per level of the tree, from the root down to the account
// itself. applies is false when SCPs do not apply: the account is in no organization, is the
// management account, or the organization does not have the SCP policy type enabled.
func (s *Service) SCPLevelsTx(tx store.Tx, account string) (levels [][]string, applies bool, err error) {
	return nil, false, nil
}
