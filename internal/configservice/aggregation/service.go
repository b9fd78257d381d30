package aggregation

import (
	"github.com/orgconfig/orgconfig/internal/configservice/evaluation"
	"github.com/orgconfig/orgconfig/internal/memo"
)

// Service implements the aggregator operations of AWS Config over the evaluation area (and,
// through it, the recording area).
type Service struct {
	*evaluation.Service
	// views remembers organization aggregators' sources (ViewWithTx), by caller scope and name.
	views memo.Map[*viewEntry]
	// aggregators holds decoded aggregators by their stored bytes, for the read path (every
	// aggregate read decodes its aggregator).
	aggregators memo.Map[*aggregatorRec]
}

// New returns the aggregation area over ev and registers its background jobs.
func New(ev *evaluation.Service) *Service {
	s := &Service{Service: ev}
	if s.Jobs != nil {
		s.Jobs.Register(jobAggregatorRefresh, s.runAggregatorRefresh)
	}
	return s
}
