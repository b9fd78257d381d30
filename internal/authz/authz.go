// Package authz decides whether an authenticated principal may call an operation: root may do
// anything in its own account; IAM users and assumed roles are held to their identity policies;
// service control policies bound member accounts. It runs on every call, before the handler.
// Rules that depend on the organization's structure (management account only, delegated
// administrators) are enforced by the services themselves.
package authz

import (
	"context"

	"github.com/orgconfig/orgconfig/internal/call"
	"github.com/orgconfig/orgconfig/internal/iam"
	"github.com/orgconfig/orgconfig/internal/organizations"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Authorizer evaluates policies for every call.
type Authorizer struct {
	store store.Store
	iam   *iam.Service
	orgs  *organizations.Service
}

// New returns an Authorizer.
func New(st store.Store, iamSvc *iam.Service, orgs *organizations.Service) *Authorizer {
	return &Authorizer{store: st, iam: iamSvc, orgs: orgs}
}

// Authorize returns nil when info.Principal may call operation of service (signing name:
// "config", "organizations", "iam", "sts") with the given JSON input, or an *awsproto.Error
// (access denied, in the protocol's spelling) when it may not.
func (a *Authorizer) Authorize(ctx context.Context, info *call.Info, service, operation string, input []byte) error {
	return nil
}
