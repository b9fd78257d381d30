// Package sts implements the AWS Security Token Service subset orgconfig needs: who am I
// (GetCallerIdentity) now, and temporary credentials (AssumeRole, GetSessionToken) with the
// Organizations work. It answers only from the authenticated call; it never trusts input for
// identity.
package sts

import (
	"context"

	"github.com/orgconfig/orgconfig/internal/api/stsapi"
	"github.com/orgconfig/orgconfig/internal/auth"
	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/call"
	"github.com/orgconfig/orgconfig/internal/clock"
	"github.com/orgconfig/orgconfig/internal/iam"
	"github.com/orgconfig/orgconfig/internal/ids"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Service implements stsapi.API.
type Service struct {
	stsapi.Unimplemented
	store store.Store
	clock clock.Clock
	ids   ids.Generator
	dir   *auth.Directory
	iam   *iam.Service
}

// New returns the STS service.
func New(st store.Store, c clock.Clock, g ids.Generator, dir *auth.Directory, iamSvc *iam.Service) *Service {
	return &Service{store: st, clock: c, ids: g, dir: dir, iam: iamSvc}
}

// GetCallerIdentity reports the principal that signed the request.
func (s *Service) GetCallerIdentity(ctx context.Context, _ *stsapi.GetCallerIdentityRequest) (*stsapi.GetCallerIdentityResponse, error) {
	info := call.From(ctx)
	if info == nil || info.Principal == nil {
		return nil, awsproto.ErrMissingAuthenticationToken("Request is missing Authentication Token")
	}
	p := info.Principal
	return &stsapi.GetCallerIdentityResponse{Account: p.Account, Arn: p.ARN, UserId: p.UserID}, nil
}
