package server

import (
	"log/slog"
	"time"

	"github.com/orgconfig/orgconfig/internal/clock"
	"github.com/orgconfig/orgconfig/internal/ids"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Auth modes.
const (
	AuthStrict     = "strict"
	AuthPermissive = "permissive"
)

// Options configure a Server. The zero value of every field has a sensible default, except
// that DataDir or DatabaseURL (or Store) must say where state lives.
type Options struct {
	// DataDir holds the embedded SQLite database and the generated root-credentials file.
	DataDir string
	// DatabaseURL selects the PostgreSQL backend (postgres://...). When set, DataDir still holds
	// the root-credentials file.
	DatabaseURL string
	// SecretsKeyFile is the key file that seals secrets at rest (default
	// <DataDir>/secrets.key, created on first start); keep it apart from database backups.
	SecretsKeyFile string
	// Store, when set, is used instead of opening DataDir or DatabaseURL; the server does not
	// close it on Shutdown.
	Store store.Store

	// AccountID is the bootstrap account's 12-digit ID.
	AccountID string
	// RootAccessKeyID and RootSecretAccessKey are the bootstrap account's root credentials;
	// generated on first start when empty.
	RootAccessKeyID     string
	RootSecretAccessKey string
	// AllowShortRootSecret accepts a configured RootSecretAccessKey shorter than AWS's 40
	// characters; without it New refuses to start, since such a secret is guessable.
	AllowShortRootSecret bool

	// Auth is AuthStrict (default: every signature verified) or AuthPermissive.
	Auth string
	// DefaultAccountID is the account of unknown access keys in permissive mode.
	DefaultAccountID string
	// SnapshotDir stands in for delivery channels' S3 buckets (DeliverConfigSnapshot); default
	// <DataDir>/snapshots.
	SnapshotDir string
	// AggregatorDataDelay is how long an aggregator keeps showing the data of a source that lost
	// its entitlement (authorization deleted, account out of the organization, organization
	// access lost); AWS's is 24 hours, the default.
	AggregatorDataDelay time.Duration
	// LambdaEndpoints maps Lambda function ARNs ("*": every function) to the HTTP endpoints that
	// receive the invocation events of CUSTOM_LAMBDA Config rules.
	LambdaEndpoints map[string]string
	// SQLiteSynchronous is the embedded store's synchronous mode: "full" (the default: a
	// commit survives a crash of the process and of the machine) or "normal" (WAL mode: a commit
	// survives a crash of the process, such as kill -9, but the last commits may be lost on
	// power loss; fewer fsyncs).
	SQLiteSynchronous string
	// MaxAccountsPerOrganization is the default account quota of an organization (AWS's
	// default is 10); 0 keeps AWS's.
	MaxAccountsPerOrganization int
	// ConsoleRegion is the region a console session starts in; default us-east-1.
	ConsoleRegion string
	// ExtraRegions extends the list of regions accepted for AWS Config.
	ExtraRegions []string

	// Endpoint is the URL clients reach the server at (http://127.0.0.1:4566), written with the
	// region into the root-credentials file so that sourcing it points clients here; empty
	// when unknown (tests, the CLI's offline commands).
	Endpoint string

	// BodyTimeout bounds the time a client may take to send a request's body (default 60
	// seconds; 10 minutes for an import's); a slower one is answered RequestTimeout and its
	// connection closed.
	BodyTimeout time.Duration

	// Logger receives one line per request; nil discards.
	Logger *slog.Logger
	// Clock and IDs are injected for tests; nil means the system clock and crypto/rand.
	Clock clock.Clock
	IDs   ids.Generator
	// NoJobLoop keeps background jobs from running on their own: tests drive them with
	// Jobs().RunDue and the injected clock.
	NoJobLoop bool
	// Version is reported by the version endpoint and metrics.
	Version string
}
