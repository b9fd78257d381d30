package core

import (
	"net/http"
	"time"

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
