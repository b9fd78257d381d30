package server

import (
	"log/slog"

	"github.com/orgconfig/orgconfig/internal/authz"
	"github.com/orgconfig/orgconfig/internal/clock"
	"github.com/orgconfig/orgconfig/internal/configservice"
	"github.com/orgconfig/orgconfig/internal/iam"
	"github.com/orgconfig/orgconfig/internal/identity"
	"github.com/orgconfig/orgconfig/internal/ids"
	"github.com/orgconfig/orgconfig/internal/jobs"
	"github.com/orgconfig/orgconfig/internal/organizations"
	"github.com/orgconfig/orgconfig/internal/regions"
	"github.com/orgconfig/orgconfig/internal/sealed"
	"github.com/orgconfig/orgconfig/internal/store"
	"github.com/orgconfig/orgconfig/internal/sts"
)

// Services are orgconfig's services over one store, wired to one another as the server runs
// them. New builds the server's with NewServices, and so does every other program that works on
// a store directly (the CLI's offline import), so that they all write what the server would.
type Services struct {
	// Directory holds accounts, credentials and principals.
	Directory *identity.Directory
	// Jobs runs the background work the services enqueue; each service registers its job
	// kinds on it. NewServices does not start it.
	Jobs          *jobs.Runner
	IAM           *iam.Service
	Organizations *organizations.Service
	Config        *configservice.Service
	STS           *sts.Service
	// Authz authorizes every API call before its handler runs.
	Authz *authz.Authorizer
}

// ServicesOptions configure NewServices. Every field may be left zero.
type ServicesOptions struct {
	// Clock and IDs default to the system clock and crypto/rand.
	Clock clock.Clock
	IDs   ids.Generator
	// Logger receives the job runner's logs; nil means slog.Default().
	Logger *slog.Logger
	// SealKey seals secrets at rest (credentials, and AWS Config's through Config.Sealer when
	// that is nil); nil seals nothing.
	SealKey *sealed.Key
	// Regions are the regions AWS Config accepts; nil means AWS's list.
	Regions *regions.Set
	// MaxAccountsPerOrganization replaces Organizations' default account quota when positive.
	MaxAccountsPerOrganization int
	// Config configures AWS Config.
	Config configservice.Options
}

// NewServices builds the services over st and wires them to one another: IAM asks
// Organizations about trusted access, AWS Config follows IAM's changes and the organization's
// membership, and every service registers its job kinds on the one runner. It reads and writes
// nothing: the store is first used by the caller (the server bootstraps the first account).
func NewServices(st store.Store, o ServicesOptions) *Services {
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.IDs == nil {
		o.IDs = ids.NewRandom()
	}
	if o.Regions == nil {
		o.Regions = regions.New()
	}
	if o.Config.Sealer == nil {
		o.Config.Sealer = Sealer(o.SealKey)
	}
	s := &Services{}
	s.Directory = identity.NewDirectory(st, o.Clock, o.IDs, o.SealKey)
	s.Jobs = jobs.New(st, jobs.Options{Clock: o.Clock, Logger: o.Logger})
	s.IAM = iam.New(st, o.Clock, o.IDs, s.Directory, s.Jobs)
	s.Organizations = organizations.New(st, o.Clock, o.IDs, s.Directory, s.IAM, s.Jobs)
	if o.MaxAccountsPerOrganization > 0 {
		limits := organizations.DefaultLimits
		limits.MaxAccounts = o.MaxAccountsPerOrganization
		s.Organizations.SetLimits(limits)
	}
	s.IAM.SetOrgInfo(s.Organizations)
	s.Authz = authz.New(st, s.IAM, s.Organizations)
	s.Config = configservice.New(st, o.Clock, o.IDs, s.Directory, s.IAM, s.Organizations, s.Jobs, o.Regions, o.Config)
	s.STS = sts.New(st, o.Clock, o.IDs, s.Directory, s.IAM, s.Organizations)
	return s
}
