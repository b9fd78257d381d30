package testserver

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/orgconfig/orgconfig/internal/clock"
	"github.com/orgconfig/orgconfig/internal/sdkhttp"
	"github.com/orgconfig/orgconfig/internal/server"
	"github.com/orgconfig/orgconfig/internal/sigv4"
	"github.com/orgconfig/orgconfig/internal/store/postgres/pgtest"
)

// Default root credentials of the bootstrap account in tests.
const (
	AccountID = "111111111111"
	AccessKey = "AKIAORGCONFIGTEST001"
	SecretKey = "orgconfig/test/secret/key/00000000000000"
)

// EnvBackend names the environment variable that selects the store of suites that do not choose
// one themselves: "postgres" (a fresh schema of ORGCONFIG_TEST_DATABASE_URL) or empty for SQLite.
const EnvBackend = "ORGCONFIG_TEST_BACKEND"

// Server is a running test server.
type Server struct {
	*server.Server
	// Endpoint is the base URL, http://127.0.0.1:port.
	Endpoint string
	// DataDir is the server's data directory.
	DataDir string
	Options server.Options
}

// Option adjusts the server's options before it starts.
type Option func(*server.Options)

// WithAuth sets the authentication mode.
func WithAuth(mode string) Option { return func(o *server.Options) { o.Auth = mode } }

// WithClock injects a clock.
func WithClock(c clock.Clock) Option { return func(o *server.Options) { o.Clock = c } }

// WithDataDir reuses a data directory (for restart tests).
func WithDataDir(dir string) Option { return func(o *server.Options) { o.DataDir = dir } }

// WithoutRootCredentials leaves the root credentials unset, so the server generates them.
func WithoutRootCredentials() Option {
	return func(o *server.Options) { o.RootAccessKeyID, o.RootSecretAccessKey = "", "" }
}

// WithDatabaseURL selects the PostgreSQL backend.
func WithDatabaseURL(url string) Option { return func(o *server.Options) { o.DatabaseURL = url } }

// Start runs a server until the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	o := server.Options{
		DataDir:   t.TempDir(),
		AccountID: AccountID, RootAccessKeyID: AccessKey, RootSecretAccessKey: SecretKey,
		Version: "test",
	}
	defaultDir := o.DataDir
	for _, fn := range opts {
		fn(&o)
	}
	// A suite that does not choose a backend runs on the one ORGCONFIG_TEST_BACKEND names, so
	// scripts/test.sh can run it on PostgreSQL too.
	if os.Getenv(EnvBackend) == "postgres" && o.DatabaseURL == "" && o.DataDir == defaultDir && o.Store == nil {
		o.DatabaseURL = pgtest.FreshSchema(t)
	}
	// Every error the server answers must be one its operation's model lists: record them and
	// check when the test ends (after the shutdown below, registered later, has run).
	rec := NewErrorRecorder(nil)
	if o.Logger != nil {
		rec = NewErrorRecorder(o.Logger.Handler())
	}
	o.Logger = slog.New(rec)
	t.Cleanup(func() { checkErrors(t, rec) })
	ctx := context.Background()
	srv, err := server.New(ctx, o)
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	ts := &Server{Server: srv, Endpoint: "http://" + ln.Addr().String(), DataDir: o.DataDir, Options: o}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return ts
}

// Config returns an aws.Config for the bootstrap account's root user in region.
func (s *Server) Config(region string) aws.Config {
	return s.ConfigFor(region, AccessKey, SecretKey, "")
}

// ConfigFor returns an aws.Config for the given credentials. Retries are off so that every
// test sees exactly the server's first answer; request bodies are detached (see sdkhttp) so
// that no answer is lost to the SDK's body-close race.
func (s *Server) ConfigFor(region, akid, secret, token string) aws.Config {
	client := sdkhttp.Client(30*time.Second, http.DefaultTransport)
	if m, ok := s.Options.Clock.(*clock.Manual); ok {
		// The server checks signatures against its own clock: sign with it, so that a test
		// may move the clock by days and keep calling.
		client.Transport = &resigner{clock: m, creds: aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret, SessionToken: token}}
	}
	return aws.Config{
		Region:           region,
		Credentials:      credentials.NewStaticCredentialsProvider(akid, secret, token),
		BaseEndpoint:     aws.String(s.Endpoint),
		RetryMaxAttempts: 1,
		HTTPClient:       client,
	}
}

var detachedDefault = sdkhttp.DetachBody(http.DefaultTransport)

// resigner signs every request again at the time of a manual clock, keeping the service and
// region of the SDK's signature.
type resigner struct {
	clock *clock.Manual
	creds aws.Credentials
}

func (r *resigner) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.Contains(req.Header.Get("Authorization"), "Credential=") {
		return detachedDefault.RoundTrip(req)
	}
	// ResignRequest sends a copy of the body, detached from the SDK's.
	out, _, err := sigv4.ResignRequest(req, r.creds, r.clock.Now())
	if err != nil {
		return nil, err
	}
	return http.DefaultTransport.RoundTrip(out)
}

// Backend makes a fresh, empty store for one test and returns the option that selects it; the
// same option given to several Start calls in one test shares that store (restart and
// two-replica tests).
type Backend func(t testing.TB) Option

// Backends runs fn once per store backend, as subtests "sqlite" and "postgres": every suite that
// touches the store runs on both. Each call of the Backend gives a fresh store: a new data
// directory, or a new PostgreSQL schema. Without ORGCONFIG_TEST_DATABASE_URL the PostgreSQL
// subtest skips (fails under CI=true).
func Backends(t *testing.T, fn func(t *testing.T, backend Backend)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, func(t testing.TB) Option { return WithDataDir(t.TempDir()) })
	})
	t.Run("postgres", func(t *testing.T) {
		pgtest.DatabaseURL(t)
		fn(t, func(t testing.TB) Option { return WithDatabaseURL(pgtest.FreshSchema(t)) })
	})
}

// WithoutJobLoop stops background jobs from running on their own; the test runs them with
// Jobs().RunDue, usually with a manual clock, and so observes every intermediate state.
func WithoutJobLoop() Option { return func(o *server.Options) { o.NoJobLoop = true } }

// StartRecording sets up and starts account's AWS Config recorder in cl's region: the recorder
// "default" (with group; nil leaves the recording group out) on the account's service-linked
// role, a delivery channel, and the start.
func StartRecording(t testing.TB, cl *configservice.Client, account string, group *cfgtypes.RecordingGroup) {
	t.Helper()
	ctx := context.Background()
	if _, err := cl.PutConfigurationRecorder(ctx, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cfgtypes.ConfigurationRecorder{
		Name:           aws.String("default"),
		RoleARN:        aws.String("arn:aws:iam::" + account + ":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"),
		RecordingGroup: group,
	}}); err != nil {
		t.Fatalf("PutConfigurationRecorder: %v", err)
	}
	if _, err := cl.PutDeliveryChannel(ctx, &configservice.PutDeliveryChannelInput{DeliveryChannel: &cfgtypes.DeliveryChannel{
		Name: aws.String("default"), S3BucketName: aws.String("config-bucket")}}); err != nil {
		t.Fatalf("PutDeliveryChannel: %v", err)
	}
	if _, err := cl.StartConfigurationRecorder(ctx, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")}); err != nil {
		t.Fatalf("StartConfigurationRecorder: %v", err)
	}
}
