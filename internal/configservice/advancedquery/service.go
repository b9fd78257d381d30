package advancedquery

import (
	"github.com/orgconfig/orgconfig/internal/configservice/aggregation"
	"github.com/orgconfig/orgconfig/internal/query"
)

// Service implements advanced queries (SelectResourceConfig, SelectAggregateResourceConfig) and
// stored queries over the query index the recording area keeps.
type Service struct {
	*aggregation.Service
	// queries remembers parsed query expressions.
	queries query.Cache
}

// New returns the advanced query area over agg.
func New(agg *aggregation.Service) *Service { return &Service{Service: agg} }
