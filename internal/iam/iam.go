package iam

import (
	"sync"

	"github.com/orgconfig/orgconfig/internal/api/iamapi"
	"github.com/orgconfig/orgconfig/internal/clock"
	"github.com/orgconfig/orgconfig/internal/identity"
	"github.com/orgconfig/orgconfig/internal/ids"
	"github.com/orgconfig/orgconfig/internal/jobs"
	"github.com/orgconfig/orgconfig/internal/store"
)

// OrgInfo answers IAM's questions about AWS Organizations. Package organizations implements it;
// the server wires it with SetOrgInfo.
type OrgInfo interface {
	// ServiceAccessEnabled reports whether account belongs to an organization in which trusted
	// access for servicePrincipal is enabled. It returns false for accounts outside any
	// organization.
	ServiceAccessEnabled(tx store.Tx, account, servicePrincipal string) (bool, error)
}

// Service implements iamapi.API.
type Service struct {
	iamapi.Unimplemented
	store store.Store
	clock clock.Clock
	ids   ids.Generator
	dir   *identity.Directory
	jobs  *jobs.Runner
	orgs  OrgInfo

	changes changeHooks // see hooks.go

	usageMu sync.RWMutex
	usage   map[string][]UsageCheck // service principal -> service-linked role usage checks
}

// New returns the IAM service. It registers its background job kinds on runner.
func New(st store.Store, c clock.Clock, g ids.Generator, dir *identity.Directory, runner *jobs.Runner) *Service {
	s := &Service{store: st, clock: c, ids: g, dir: dir, jobs: runner}
	if runner != nil {
		runner.Register(jobSLRDeletion, s.runDeletion)
	}
	return s
}

// SetOrgInfo wires the Organizations view used by service-linked-role deletion guards.
func (s *Service) SetOrgInfo(o OrgInfo) { s.orgs = o }
