package recording

import (
	"sync/atomic"

	"github.com/orgconfig/orgconfig/internal/configservice/core"
	"github.com/orgconfig/orgconfig/internal/memo"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Service implements the recording operations of AWS Config.
type Service struct {
	core.Deps
	ingest ingester
	// QidxReady is set once the query index is known to cover every item (backfill done).
	QidxReady atomic.Bool
	// ItemsChanged is told, in the transaction of every item write, which resources of a scope
	// with rules changed, so that they are evaluated. Nil: nobody is told.
	ItemsChanged func(tx store.Tx, account, region string, itemIDs []string) error
	// recorders holds decoded recorders by their stored bytes, so that a batch does not decode
	// the same recorder again.
	recorders memo.Map[*Recorder]
}

// New returns the recording area over deps and registers its background jobs on deps.Jobs.
func New(deps core.Deps) *Service {
	s := &Service{Deps: deps}
	if s.Jobs != nil {
		s.Jobs.Register(jobRetention, s.runRetention)
		s.Jobs.Register(JobQueryIndexBackfill, s.RunQueryIndexBackfill)
	}
	if s.IAM != nil {
		// AWS Config records the account's IAM roles, users and policies when a recorder covers them.
		s.IAM.OnChange(s.recordIAMChangeTx)
		// A recorder using AWSServiceRoleForConfig keeps it from being deleted.
		s.registerRecorderGuards()
	}
	return s
}
