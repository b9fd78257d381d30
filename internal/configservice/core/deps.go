package core

import (
	"github.com/orgconfig/orgconfig/internal/clock"
	"github.com/orgconfig/orgconfig/internal/iam"
	"github.com/orgconfig/orgconfig/internal/identity"
	"github.com/orgconfig/orgconfig/internal/ids"
	"github.com/orgconfig/orgconfig/internal/jobs"
	"github.com/orgconfig/orgconfig/internal/organizations"
	"github.com/orgconfig/orgconfig/internal/regions"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Deps are what every area of the Config service works with. They are set once, when the
// service is built, and never changed.
type Deps struct {
	Store store.Store
	Clock clock.Clock
	IDs   ids.Generator
	// Dir knows the accounts orgconfig hosts.
	Dir *identity.Directory
	// IAM holds the roles recorders assume and the resources Config records (nil in tests that
	// need none).
	IAM *iam.Service
	// Orgs is the source of truth for organization membership (nil when not wired).
	Orgs *organizations.Service
	// Jobs runs the areas' background work (nil: nothing runs in the background).
	Jobs    *jobs.Runner
	Regions *regions.Set
	Opts    Options
}
