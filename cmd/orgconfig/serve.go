package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/orgconfig/orgconfig/internal/gogc"
	"github.com/orgconfig/orgconfig/internal/server"
)

type serveCommand struct {
	stdout, stderr io.Writer

	addr          string
	dataDir       string
	databaseURL   string
	keyFile       string
	accountID     string
	rootKeyID     string
	rootSecret    string
	authMode      string
	defaultAcct   string
	extraRegions  string
	consoleRegion string
	shortSecret   bool
	maxAccounts   int
	snapshotDir   string
	sqliteSync    string
	lambdaEndpts  string
	aggDelay      string
	logLevel      string
	logFormat     string
}

func (c *serveCommand) ParseFlags(args []string) error {
	fs := newFlagSet("serve [flags]", `Runs the orgconfig server: AWS Config, Organizations, IAM and STS on one port, and the web
console at /console on the same port (sign in with an access key).

On first start with an empty data directory it creates the bootstrap account. Without
ORGCONFIG_ROOT_ACCESS_KEY_ID/ORGCONFIG_ROOT_SECRET_ACCESS_KEY it generates root credentials,
writes them to <data-dir>/root-credentials (mode 0600) and prints the export lines once.`, c.stderr)
	stringFlag(fs, &c.addr, "addr", "ORGCONFIG_ADDR", "127.0.0.1:4566", "address to listen on")
	stringFlag(fs, &c.dataDir, "data-dir", "ORGCONFIG_DATA_DIR", "./orgconfig-data", "directory for the embedded database and generated credentials")
	stringFlag(fs, &c.databaseURL, "database-url", "ORGCONFIG_DATABASE_URL", "", "PostgreSQL URL (postgres://...) to use instead of the embedded store")
	stringFlag(fs, &c.keyFile, "secrets-key-file", "ORGCONFIG_SECRETS_KEY_FILE", "", "the key file that seals secrets at rest (default <data-dir>/secrets.key; keep it apart from database backups)")
	stringFlag(fs, &c.accountID, "account-id", "ORGCONFIG_ACCOUNT_ID", "", "12-digit ID of the bootstrap account (default 123456789012)")
	stringFlag(fs, &c.rootKeyID, "root-access-key-id", "ORGCONFIG_ROOT_ACCESS_KEY_ID", "", "access key ID of the bootstrap account's root user")
	secretFlag(fs, &c.rootSecret, "root-secret-access-key", "ORGCONFIG_ROOT_SECRET_ACCESS_KEY", "secret access key of the bootstrap account's root user (40 characters, as AWS's)")
	boolFlag(fs, &c.shortSecret, "allow-short-root-secret", "ORGCONFIG_ALLOW_SHORT_ROOT_SECRET", false, "accept a root secret access key shorter than AWS's 40 characters (for fixed test credentials; never on a shared machine)")
	stringFlag(fs, &c.authMode, "auth", "ORGCONFIG_AUTH", server.AuthStrict, "authentication: strict (verify every signature) or permissive (for test suites written against other emulators)")
	stringFlag(fs, &c.defaultAcct, "default-account-id", "ORGCONFIG_DEFAULT_ACCOUNT_ID", "123456789012", "permissive mode: account of unknown access keys")
	stringFlag(fs, &c.consoleRegion, "console-region", "ORGCONFIG_CONSOLE_REGION", "us-east-1", "the region a web console session starts in")
	stringFlag(fs, &c.extraRegions, "extra-regions", "ORGCONFIG_EXTRA_REGIONS", "", "comma-separated regions to accept for AWS Config beyond AWS's list")
	stringFlag(fs, &c.sqliteSync, "sqlite-synchronous", "ORGCONFIG_SQLITE_SYNCHRONOUS", "full", "embedded store durability: full (survives machine crashes) or normal (survives process crashes such as kill -9, fewer fsyncs)")
	stringFlag(fs, &c.snapshotDir, "snapshot-dir", "ORGCONFIG_SNAPSHOT_DIR", "", "directory standing in for delivery channels' S3 buckets (default <data-dir>/snapshots)")
	stringFlag(fs, &c.lambdaEndpts, "lambda-endpoints", "ORGCONFIG_LAMBDA_ENDPOINTS", "", "comma-separated FUNCTION_ARN=URL pairs (FUNCTION_ARN may be *): where the events of CUSTOM_LAMBDA Config rules are POSTed; the endpoint answers with PutEvaluations")
	stringFlag(fs, &c.aggDelay, "aggregator-data-delay", "ORGCONFIG_AGGREGATOR_DATA_DELAY", "24h", "how long aggregators keep showing the data of a source that lost its entitlement (AWS: 24h)")
	intFlag(fs, &c.maxAccounts, "max-accounts-per-organization", "ORGCONFIG_MAX_ACCOUNTS_PER_ORGANIZATION", 10, "default account quota of an organization (AWS's default: 10)")
	stringFlag(fs, &c.logLevel, "log-level", "ORGCONFIG_LOG_LEVEL", "info", "debug, info, warn or error")
	stringFlag(fs, &c.logFormat, "log-format", "ORGCONFIG_LOG_FORMAT", "text", "text or json")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve takes no arguments, got %q", fs.Args())
	}
	if d, err := time.ParseDuration(c.aggDelay); err != nil || d <= 0 {
		return fmt.Errorf("aggregator data delay %q: want a positive duration such as 24h or 30m", c.aggDelay)
	}
	_, err := parseLambdaEndpoints(c.lambdaEndpts)
	return err
}

// parseLambdaEndpoints parses FUNCTION_ARN=URL pairs separated by commas.
func parseLambdaEndpoints(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, pair := range splitList(s) {
		arn, u, ok := strings.Cut(pair, "=")
		if !ok || arn == "" || !(strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://")) {
			return nil, fmt.Errorf("lambda endpoint %q: want FUNCTION_ARN=http(s)://host/path", pair)
		}
		out[arn] = u
	}
	return out, nil
}

func (c *serveCommand) logger() (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, fmt.Errorf("log level %q: %w", c.logLevel, err)
	}
	ho := &slog.HandlerOptions{Level: level}
	switch c.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(c.stderr, ho)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(c.stderr, ho)), nil
	}
	return nil, fmt.Errorf("log format %q: want text or json", c.logFormat)
}

func (c *serveCommand) Run(ctx context.Context) error {
	log, err := c.logger()
	if err != nil {
		return err
	}
	lambdaEndpoints, err := parseLambdaEndpoints(c.lambdaEndpts)
	if err != nil {
		return err
	}
	aggDelay, err := time.ParseDuration(c.aggDelay)
	if err != nil {
		return err
	}
	gc := gogc.Tune()
	// Listen first: the endpoint goes into the root-credentials file the first start writes.
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	endpoint := "http://" + ln.Addr().String()
	srv, err := server.New(ctx, server.Options{
		DataDir: c.dataDir, DatabaseURL: c.databaseURL, SecretsKeyFile: c.keyFile,
		AccountID: c.accountID, RootAccessKeyID: c.rootKeyID, RootSecretAccessKey: c.rootSecret, AllowShortRootSecret: c.shortSecret,
		Auth: c.authMode, DefaultAccountID: c.defaultAcct, ExtraRegions: splitList(c.extraRegions), ConsoleRegion: c.consoleRegion,
		MaxAccountsPerOrganization: c.maxAccounts, SnapshotDir: c.snapshotDir, SQLiteSynchronous: c.sqliteSync,
		LambdaEndpoints: lambdaEndpoints, AggregatorDataDelay: aggDelay,
		Endpoint: endpoint, Logger: log, Version: buildVersion(),
	})
	if err != nil {
		ln.Close()
		return err
	}
	if akid, secret, ok := srv.GeneratedCredentials(); ok {
		region := cmp.Or(c.consoleRegion, "us-east-1")
		credFile := strings.TrimSuffix(c.dataDir, "/") + "/" + server.CredentialsFile
		fmt.Fprintf(c.stdout, `orgconfig generated root credentials for account %s.
They are saved, with the region and this endpoint, in %s (mode 0600):
run ". %s" in a shell to use them, or:

export AWS_ACCESS_KEY_ID=%s
export AWS_SECRET_ACCESS_KEY=%s
export AWS_DEFAULT_REGION=%s
export AWS_REGION=%s
export AWS_ENDPOINT_URL=%s

`, srv.BootstrapAccountID(), credFile, credFile, akid, secret, region, region, endpoint)
	}
	log.Info("orgconfig listening", "endpoint", endpoint, "console", endpoint+"/console", "account", srv.BootstrapAccountID(), "auth", c.authMode, "version", buildVersion(), "gogc", gc)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		_ = srv.Shutdown(context.Background())
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	if err := <-errc; err != nil {
		return err
	}
	_ = os.Stdout.Sync()
	return nil
}
