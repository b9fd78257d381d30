package server

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/api/iamapi"
	"github.com/orgconfig/orgconfig/internal/api/organizationsapi"
	"github.com/orgconfig/orgconfig/internal/api/stsapi"
	"github.com/orgconfig/orgconfig/internal/authz"
	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/clock"
	"github.com/orgconfig/orgconfig/internal/configservice"
	"github.com/orgconfig/orgconfig/internal/console"
	"github.com/orgconfig/orgconfig/internal/identity"
	"github.com/orgconfig/orgconfig/internal/ids"
	"github.com/orgconfig/orgconfig/internal/jobs"
	"github.com/orgconfig/orgconfig/internal/regions"
	"github.com/orgconfig/orgconfig/internal/sealed"
	"github.com/orgconfig/orgconfig/internal/sigv4"
	"github.com/orgconfig/orgconfig/internal/store"
	"github.com/orgconfig/orgconfig/internal/store/sqlite"
)

// minRootSecret is the length of AWS's secret access keys: a configured root secret must be as
// long unless Options.AllowShortRootSecret.
const minRootSecret = 40

// CredentialsFile is the name of the file, in the data directory, that holds generated root
// credentials (mode 0600).
const CredentialsFile = "root-credentials"

// Server is a complete orgconfig server: every service on one handler, over one store.
//
// Lifecycle: New opens the store, applies migrations and bootstraps the first account; Serve
// accepts connections on a listener (it may be called once); Shutdown stops accepting, waits
// for in-flight requests and closes what New opened. The server can run inside a test process.
type Server struct {
	opts      Options
	log       *slog.Logger
	clock     clock.Clock
	ids       ids.Generator
	store     store.Store
	ownsStore bool
	dir       *identity.Directory
	verifier  *sigv4.Verifier
	// bodies bounds the bytes of request bodies in flight (see readBody).
	bodies  *semaphore.Weighted
	imports *semaphore.Weighted // import calls at once (see adminImport)
	health  healthProbe
	// sealKey seals secrets at rest; nil without a data directory or key file.
	sealKey   *sealed.Key
	regions   *regions.Set
	services  map[string]*service // by signing name
	targets   map[string]*service // by JSON target prefix
	metrics   *metrics
	jobs      *jobs.Runner
	authz     *authz.Authorizer
	config    *configservice.Service
	console   *console.Console
	http      *http.Server
	handler   http.Handler
	bootstrap *identity.BootstrapResult
	closing   atomic.Bool
	// jobsStarted makes the job loop start once, and never after Shutdown began.
	jobsStarted atomic.Bool
	closeOnce   sync.Once
	closeErr    error
}

// service binds a model to its handlers.
type service struct {
	model    *awsproto.Service
	handlers map[string]awsproto.Handler
	// messageKey is the JSON member holding an error's message.
	messageKey string
}

// New builds a server from opts. It opens (and migrates) the store and bootstraps the first
// account; it does not listen.
func New(ctx context.Context, opts Options) (*Server, error) {
	if opts.Auth == "" {
		opts.Auth = AuthStrict
	}
	if opts.Auth != AuthStrict && opts.Auth != AuthPermissive {
		return nil, fmt.Errorf("auth mode %q: want %q or %q", opts.Auth, AuthStrict, AuthPermissive)
	}
	switch opts.SQLiteSynchronous {
	case "", "full", "normal":
	default:
		return nil, fmt.Errorf("SQLite synchronous mode %q: want full or normal", opts.SQLiteSynchronous)
	}
	if opts.SnapshotDir == "" && opts.DataDir != "" {
		opts.SnapshotDir = filepath.Join(opts.DataDir, "snapshots")
	}
	if opts.DefaultAccountID == "" {
		opts.DefaultAccountID = identity.DefaultAccountID
	}
	if !identity.ValidAccountID(opts.DefaultAccountID) {
		return nil, fmt.Errorf("default account ID %q must be 12 digits", opts.DefaultAccountID)
	}
	if n := len(opts.RootSecretAccessKey); n > 0 && n < minRootSecret && !opts.AllowShortRootSecret {
		return nil, fmt.Errorf("the root secret access key has %d characters; AWS's have %d, and a shorter one is guessable (allow it with --allow-short-root-secret)", n, minRootSecret)
	}
	s := &Server{opts: opts, log: opts.Logger, clock: opts.Clock, ids: opts.IDs}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.clock == nil {
		s.clock = clock.System{}
	}
	if s.ids == nil {
		s.ids = ids.NewRandom()
	}
	s.regions = regions.New(opts.ExtraRegions...)

	st, owns, err := openStore(ctx, opts, s.clock.Now)
	if err != nil {
		return nil, err
	}
	s.store, s.ownsStore = st, owns
	warnOpenDataDir(opts.DataDir, s.log)
	if keyFile := secretsKeyFile(opts); keyFile != "" {
		if s.sealKey, err = openSealing(ctx, st, keyFile, true, s.log); err != nil {
			s.closeStore()
			return nil, err
		}
	}
	svcs := NewServices(st, ServicesOptions{
		Clock: s.clock, IDs: s.ids, Logger: s.log, SealKey: s.sealKey, Regions: s.regions,
		MaxAccountsPerOrganization: opts.MaxAccountsPerOrganization,
		Config: configservice.Options{
			SnapshotDir: opts.SnapshotDir, LambdaEndpoints: opts.LambdaEndpoints, AggregatorDataDelay: opts.AggregatorDataDelay,
		},
	})
	s.dir, s.jobs, s.authz, s.config = svcs.Directory, svcs.Jobs, svcs.Authz, svcs.Config
	s.verifier = &sigv4.Verifier{Keys: s.dir, Now: s.clock.Now}
	s.bodies = semaphore.NewWeighted(maxBodiesInFlight)
	s.imports = semaphore.NewWeighted(maxImportsInFlight)

	if err := s.runBootstrap(ctx); err != nil {
		s.closeStore()
		return nil, err
	}

	s.services = map[string]*service{}
	s.targets = map[string]*service{}
	// Items written before the query index existed get their entries in the background.
	if err := s.config.StartQueryIndexBackfill(ctx); err != nil {
		s.closeStore()
		return nil, fmt.Errorf("query index backfill: %w", err)
	}
	s.register(configapi.Service, configapi.Handlers(svcs.Config), "message")
	s.register(organizationsapi.Service, organizationsapi.Handlers(svcs.Organizations), "Message")
	s.register(iamapi.Service, iamapi.Handlers(svcs.IAM), "Message")
	s.register(stsapi.Service, stsapi.Handlers(svcs.STS), "Message")

	s.metrics = newMetrics(opts.Version)
	if err := s.newConsole(ctx); err != nil {
		s.closeStore()
		return nil, err
	}
	s.handler = s.routes()
	// The http.Server exists from the start, so that a Shutdown that comes before (or while)
	// Serve starts still stops it: http.Server.Serve after Shutdown returns at once.
	s.http = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// secretsKeyFile is where the key that seals secrets at rest lives: o.SecretsKeyFile, or the
// data directory's SecretsKeyFile; "" when there is neither.
func secretsKeyFile(o Options) string {
	if o.SecretsKeyFile != "" {
		return o.SecretsKeyFile
	}
	if o.DataDir == "" {
		return ""
	}
	return filepath.Join(o.DataDir, SecretsKeyFile)
}

// Sealer is key as a store.Sealer: nil (no sealing) when key is nil, so that no typed nil
// pointer hides in the interface.
func Sealer(key *sealed.Key) store.Sealer {
	if key == nil {
		return nil
	}
	return key
}

// Jobs is the server's background-job runner. Services register their job kinds on it in New;
// tests with a manual clock call RunDue instead of waiting for the loop.
func (s *Server) Jobs() *jobs.Runner { return s.jobs }

// OpenStore opens the store that opts point to (DatabaseURL, else DataDir), migrated. The CLI
// uses it to work on a data store directly.
func OpenStore(ctx context.Context, opts Options) (store.Store, error) {
	st, _, err := openStore(ctx, opts, time.Now)
	return st, err
}

// openStore opens the store; now is the clock the store stamps enqueued jobs with, so that jobs
// become due on the server's (possibly injected) clock.
func openStore(ctx context.Context, opts Options, now func() time.Time) (store.Store, bool, error) {
	if opts.Store != nil {
		return opts.Store, false, nil
	}
	if opts.DatabaseURL != "" {
		st, err := openPostgres(ctx, opts.DatabaseURL, now)
		return st, true, err
	}
	if opts.DataDir == "" {
		return nil, false, errors.New("no data directory or database URL given")
	}
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, false, fmt.Errorf("create data directory: %w", err)
	}
	dbPath := filepath.Join(opts.DataDir, "orgconfig.db")
	if err := privateFiles(dbPath); err != nil {
		return nil, false, err
	}
	st, err := sqlite.Open(ctx, dbPath, sqlite.Options{Now: now, NormalSync: opts.SQLiteSynchronous == "normal"})
	if err != nil {
		return nil, false, err
	}
	return st, true, nil
}

// privateFiles makes the database file and its companions readable by their owner only,
// whatever the umask: a new database is created 0600 (SQLite gives its -wal and -shm files the
// database's mode), an existing one is set to 0600.
func privateFiles(dbPath string) error {
	f, err := os.OpenFile(dbPath, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("create %s: %w", dbPath, err)
	}
	f.Close()
	for _, p := range []string{dbPath, dbPath + "-wal", dbPath + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

func (s *Server) register(m *awsproto.Service, h map[string]awsproto.Handler, messageKey string) {
	svc := &service{model: m, handlers: h, messageKey: messageKey}
	s.services[m.Name] = svc
	if m.TargetPrefix != "" {
		s.targets[m.TargetPrefix] = svc
	}
}

// runBootstrap creates the first account and, on first start without configured credentials,
// writes the generated ones to the data directory.
func (s *Server) runBootstrap(ctx context.Context) error {
	res, err := s.dir.Bootstrap(ctx, identity.BootstrapOptions{
		AccountID: s.opts.AccountID, AccessKeyID: s.opts.RootAccessKeyID, SecretAccessKey: s.opts.RootSecretAccessKey,
	})
	if err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	s.bootstrap = res
	if s.opts.DataDir == "" {
		return nil
	}
	if res.Generated != nil {
		body := credentialsFileBody(res.AccountID, res.Generated.AccessKeyID, res.Generated.SecretAccessKey,
			cmp.Or(s.opts.ConsoleRegion, "us-east-1"), s.opts.Endpoint)
		return writeCredentialsFile(s.opts.DataDir, body)
	}
	if s.opts.Endpoint != "" {
		return refreshCredentialsEndpoint(s.opts.DataDir, s.opts.Endpoint)
	}
	return nil
}

// BootstrapAccountID is the ID of the first account.
func (s *Server) BootstrapAccountID() string { return s.bootstrap.AccountID }

// GeneratedCredentials returns the root credentials generated by this start, or nil when none
// were generated (they were configured, or generated by an earlier start).
func (s *Server) GeneratedCredentials() (accessKeyID, secret string, ok bool) {
	if s.bootstrap.Generated == nil {
		return "", "", false
	}
	return s.bootstrap.Generated.AccessKeyID, s.bootstrap.Generated.SecretAccessKey, true
}

// Directory exposes the account directory (for the CLI and tests).
func (s *Server) Directory() *identity.Directory { return s.dir }

// Store exposes the store (for tests).
func (s *Server) Store() store.Store { return s.store }

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve accepts connections on ln until Shutdown. It returns nil after a clean shutdown.
func (s *Server) Serve(ln net.Listener) error {
	if !s.opts.NoJobLoop && s.jobsStarted.CompareAndSwap(false, true) {
		s.jobs.Start(context.Background())
	}
	err := s.http.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting requests, waits for in-flight ones (until ctx ends) and closes the
// store if the server opened it.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closing.Store(true)
	s.jobsStarted.Store(true)
	err := s.http.Shutdown(ctx)
	if jerr := s.jobs.Stop(ctx); err == nil {
		err = jerr
	}
	if cerr := s.closeStore(); err == nil {
		err = cerr
	}
	return err
}

// closeStore closes the store the server opened, once, however often Shutdown is called.
func (s *Server) closeStore() error {
	s.closeOnce.Do(func() {
		if s.ownsStore && s.store != nil {
			s.closeErr = s.store.Close()
		}
	})
	return s.closeErr
}
