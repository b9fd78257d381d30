// Package configservice implements AWS Config in every account and region: configuration
// recorders and delivery channels, configuration items with their history, discovery, the
// import of native resource types and snapshot delivery; Config rules with their evaluation
// (managed rules, Guard policies, Lambda rules through HTTP endpoints), results and compliance,
// proactive evaluation and remediation records. Later: aggregators, organization rules and
// conformance packs.
//
// Every Config object lives in exactly one (account, region): the caller's account and the
// region of the request's signature (call.From(ctx)). Records use scope Scope(account, region).
package configservice

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/call"
	"github.com/orgconfig/orgconfig/internal/clock"
	"github.com/orgconfig/orgconfig/internal/iam"
	"github.com/orgconfig/orgconfig/internal/identity"
	"github.com/orgconfig/orgconfig/internal/ids"
	"github.com/orgconfig/orgconfig/internal/jobs"
	"github.com/orgconfig/orgconfig/internal/memo"
	"github.com/orgconfig/orgconfig/internal/organizations"
	"github.com/orgconfig/orgconfig/internal/query"
	"github.com/orgconfig/orgconfig/internal/regions"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Options configure the AWS Config service.
type Options struct {
	// SnapshotDir is the directory that stands in for delivery channels' S3 buckets:
	// DeliverConfigSnapshot writes <SnapshotDir>/<bucket>/<prefix>/AWSLogs/... files there.
	SnapshotDir string
	// LambdaEndpoints maps Lambda function ARNs ("*": any function) to the HTTP endpoints that
	// receive the invocation events of CUSTOM_LAMBDA rules (see lambda.go).
	LambdaEndpoints map[string]string
	// HTTPClient delivers those events (http.DefaultClient when nil).
	HTTPClient *http.Client
	// AggregatorDataDelay is how long aggregators keep showing the data of a source that lost
	// its entitlement (DefaultAggregatorDataDelay when zero).
	AggregatorDataDelay time.Duration
	// Sealer seals the service's own keys at rest (nil: stored as they are).
	Sealer store.Sealer
}

// Service implements configapi.API.
type Service struct {
	configapi.Unimplemented
	store   store.Store
	clock   clock.Clock
	ids     ids.Generator
	dir     *identity.Directory
	iam     *iam.Service
	orgs    *organizations.Service
	jobs    *jobs.Runner
	regions *regions.Set
	opts    Options
	ingest  ingester
	// tokenKeyCache is the HMAC key of result tokens, once read from the store.
	tokenKeyCache atomic.Pointer[[]byte]
	// qidxReady is set once the query index is known to cover every item (backfill done).
	qidxReady atomic.Bool
	// queries remembers parsed query expressions.
	queries query.Cache
	// views remembers organization aggregators' sources (viewWithTx), by caller scope and name.
	views memo.Map[*viewEntry]
	// itemsChanged is told, in the transaction of every item write, which resources of a scope
	// with rules changed, so that they are evaluated.
	itemsChanged func(tx store.Tx, account, region string, itemIDs []string) error
}

// New returns the AWS Config service and registers its background job kinds on runner.
func New(st store.Store, c clock.Clock, g ids.Generator, dir *identity.Directory, iamSvc *iam.Service, orgs *organizations.Service, runner *jobs.Runner, rs *regions.Set, opts Options) *Service {
	s := &Service{store: st, clock: c, ids: g, dir: dir, iam: iamSvc, orgs: orgs, jobs: runner, regions: rs, opts: opts}
	s.itemsChanged = s.markChangedTx
	if runner != nil {
		runner.Register(jobRetention, s.runRetention)
		s.registerEvaluationJobs()
		runner.Register(jobAggregatorRefresh, s.runAggregatorRefresh)
		runner.Register(jobOrgDeploy, s.runOrgDeploy)
		runner.Register(jobPackDeploy, s.runPackDeploy)
		runner.Register(jobQueryIndexBackfill, s.runQueryIndexBackfill)
	}
	if iamSvc != nil {
		// AWS Config records the account's IAM roles, users and policies when a recorder covers them.
		iamSvc.OnChange(s.recordIAMChangeTx)
		// A recorder using AWSServiceRoleForConfig keeps it from being deleted.
		s.registerRecorderGuards()
	}
	if orgs != nil {
		// Organization rules and packs follow the organization's membership.
		orgs.OnMembershipChange(s.membershipChangedTx)
	}
	return s
}

// Scope is the record scope of an (account, region).
func Scope(account, region string) string { return account + "/" + region }

// where returns the caller's account and region.
func where(ctx context.Context) (account, region string, err error) {
	info := call.From(ctx)
	if info == nil || info.Principal == nil {
		return "", "", awsproto.ErrMissingAuthenticationToken("Missing Authentication Token")
	}
	return info.Principal.Account, info.Region, nil
}
