package evaluation

import (
	"sync/atomic"

	"github.com/orgconfig/orgconfig/internal/configservice/recording"
	"github.com/orgconfig/orgconfig/internal/memo"
)

// Service implements the evaluation operations of AWS Config over the recording area.
type Service struct {
	*recording.Service
	// tokenKeyCache is the HMAC key of result tokens, once read from the store.
	tokenKeyCache atomic.Pointer[[]byte]
	// policies holds parsed Guard policies by their text (bounded by maxCachedPolicies).
	policies memo.Map[*policyEntry]
}

// New returns the evaluation area over rec, registers its background jobs and has rec tell it
// of every changed resource.
func New(rec *recording.Service) *Service {
	s := &Service{Service: rec}
	rec.ItemsChanged = s.markChangedTx
	if s.Jobs != nil {
		s.registerEvaluationJobs()
	}
	return s
}
