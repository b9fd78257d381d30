package configservice

import (
	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/clock"
	"github.com/orgconfig/orgconfig/internal/configservice/advancedquery"
	"github.com/orgconfig/orgconfig/internal/configservice/aggregation"
	"github.com/orgconfig/orgconfig/internal/configservice/conformance"
	"github.com/orgconfig/orgconfig/internal/configservice/core"
	"github.com/orgconfig/orgconfig/internal/configservice/evaluation"
	"github.com/orgconfig/orgconfig/internal/configservice/importer"
	"github.com/orgconfig/orgconfig/internal/configservice/recording"
	"github.com/orgconfig/orgconfig/internal/iam"
	"github.com/orgconfig/orgconfig/internal/identity"
	"github.com/orgconfig/orgconfig/internal/ids"
	"github.com/orgconfig/orgconfig/internal/jobs"
	"github.com/orgconfig/orgconfig/internal/organizations"
	"github.com/orgconfig/orgconfig/internal/regions"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Options configure the AWS Config service.
type Options = core.Options

// The areas, under names of their own: each area's type is called Service, and an embedded
// field takes its type's name.
type (
	recordingArea     = recording.Service
	evaluationArea    = evaluation.Service
	aggregationArea   = aggregation.Service
	conformanceArea   = conformance.Service
	advancedQueryArea = advancedquery.Service
	importerArea      = importer.Service
)

// Service implements configapi.API: every operation is a method of one area, promoted from the
// area embedded here.
type Service struct {
	*recordingArea
	*evaluationArea
	*aggregationArea
	*conformanceArea
	*advancedQueryArea
	*importerArea
}

var _ configapi.API = (*Service)(nil)

// New returns the AWS Config service and registers its background job kinds on runner.
func New(st store.Store, c clock.Clock, g ids.Generator, dir *identity.Directory, iamSvc *iam.Service, orgs *organizations.Service, runner *jobs.Runner, rs *regions.Set, opts Options) *Service {
	rec := recording.New(core.Deps{Store: st, Clock: c, IDs: g, Dir: dir, IAM: iamSvc, Orgs: orgs, Jobs: runner, Regions: rs, Opts: opts})
	ev := evaluation.New(rec)
	agg := aggregation.New(ev)
	return &Service{
		recordingArea:     rec,
		evaluationArea:    ev,
		aggregationArea:   agg,
		conformanceArea:   conformance.New(agg),
		advancedQueryArea: advancedquery.New(agg),
		importerArea:      importer.New(rec),
	}
}

// The import of native resource snapshots, for orgconfig import and the admin endpoint.
type (
	ImportOptions = importer.ImportOptions
	ImportResult  = importer.ImportResult
	ImportSummary = importer.ImportSummary
)

// DefaultImportBatch is the number of items an import writes per transaction by default.
const DefaultImportBatch = importer.DefaultImportBatch

// ErrNotImportable reports a snapshot file the import cannot read.
var ErrNotImportable = importer.ErrNotImportable

// NewSnapshotWriter writes a snapshot file in the format the import reads.
var NewSnapshotWriter = recording.NewSnapshotWriter
