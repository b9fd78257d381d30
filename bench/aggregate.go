package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	_ "modernc.org/sqlite"

	"github.com/orgconfig/orgconfig/bench/gen"
	"github.com/orgconfig/orgconfig/internal/sdkhttp"
	"github.com/orgconfig/orgconfig/internal/server"
)

// The aggregate scenario measures an organization aggregator over 100 accounts × 4 regions
// holding -count items (default 100,000; docs/BENCHMARKS.md records 1M too):
//   - freshness: the time from a PutResourceConfig's acknowledgement in a member account to the
//     item's visibility through GetAggregateResourceConfig in the management account's
//     aggregator, over many puts;
//   - GetAggregateDiscoveredResourceCounts grouped by ACCOUNT_ID, beside the store's own GROUP BY
//     over the same rows (SQL on the SQLite file, in the same run).
func init() {
	register(&Scenario{
		Name:    "aggregate",
		Summary: "organization aggregator over 100 accounts x 4 regions: freshness p99, counts by ACCOUNT_ID vs the store's GROUP BY",
		Direct:  aggregateRun,
	})
}

const (
	aggregateAccounts = 100
	aggregateSamples  = 500 // freshness puts
	aggregateCalls    = 200 // counts calls
	aggregateGroupBys = 20  // the store's GROUP BY runs
)

var aggregateRegions = []string{"ap-southeast-2", "eu-west-1", "us-east-1", "us-west-2"}

// aggregateFixture is a server holding an organization of aggregateAccounts accounts, its items
// and the management account's organization aggregator "org" in us-east-1.
type aggregateFixture struct {
	srv      *server.Server
	dir      string
	endpoint string
	root     aws.Credentials
	cfgFor   func(region string, c aws.Credentials) aws.Config
	accounts []string
	agg      *configservice.Client
	res      *directResult
}

func (f *aggregateFixture) close() {
	f.srv.Shutdown(context.Background())
	os.RemoveAll(f.dir)
}

func newAggregateFixture(ctx context.Context, o *Options, progress io.Writer, name string, n int) (_ *aggregateFixture, err error) {
	dir, err := os.MkdirTemp(o.StoreDir, "orgconfig-"+name+"-")
	if err != nil {
		return nil, err
	}
	srv, err := server.New(ctx, server.Options{
		DataDir: dir, AccountID: benchAccount, RootAccessKeyID: benchKey, RootSecretAccessKey: benchSecret,
		Logger: slog.New(slog.DiscardHandler), Version: "bench", MaxAccountsPerOrganization: aggregateAccounts + 10,
	})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	f := &aggregateFixture{srv: srv, dir: dir}
	defer func() {
		if err != nil {
			f.close()
		}
	}()
	ln, err := listenLoopback()
	if err != nil {
		return nil, err
	}
	serveLabeled("server", srv, ln)
	f.endpoint = "http://" + ln.Addr().String()
	f.root = credentials(benchKey, benchSecret)
	f.cfgFor = func(region string, c aws.Credentials) aws.Config {
		return aws.Config{Region: region, BaseEndpoint: aws.String(f.endpoint), RetryMaxAttempts: 1,
			Credentials: awscreds.StaticCredentialsProvider{Value: c},
			HTTPClient:  sdkhttp.Client(60*time.Second, &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 4})}
	}
	f.res = &directResult{Backends: []targetInfo{{Name: targetOrgconfig, Endpoint: f.endpoint,
		Note: "in-process internal/server, SQLite (synchronous=FULL) in " + dir + ", strict SigV4, logging off"}}}

	// The organization: the bench account and 99 members.
	t0 := time.Now()
	fmt.Fprintf(progress, "bench: %s: organization of %d accounts ... ", name, aggregateAccounts)
	if f.accounts, err = aggregateOrganization(ctx, f.cfgFor("us-east-1", f.root)); err != nil {
		return nil, err
	}
	fmt.Fprintf(progress, "%.1fs\n", time.Since(t0).Seconds())

	// The items, a quarter per region, round-robin over the accounts.
	t0 = time.Now()
	fmt.Fprintf(progress, "bench: %s: generating and importing %d items ... ", name, n)
	for _, r := range aggregateRegions {
		var snap bytes.Buffer
		if err := gen.Snapshot(&snap, n/len(aggregateRegions), f.accounts, r); err != nil {
			return nil, err
		}
		if err := evaluateImport(ctx, f.endpoint, f.root, r, snap.Bytes()); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(progress, "%.1fs\n", time.Since(t0).Seconds())

	// The aggregator, in the management account's us-east-1.
	mgmt := f.cfgFor("us-east-1", f.root)
	roleARN, err := aggregateRole(ctx, mgmt)
	if err != nil {
		return nil, err
	}
	f.agg = configservice.NewFromConfig(mgmt)
	if _, err := f.agg.PutConfigurationAggregator(ctx, &configservice.PutConfigurationAggregatorInput{
		ConfigurationAggregatorName:   aws.String("org"),
		OrganizationAggregationSource: &cfgtypes.OrganizationAggregationSource{RoleArn: aws.String(roleARN), AwsRegions: aggregateRegions},
	}); err != nil {
		return nil, fmt.Errorf("PutConfigurationAggregator: %w", err)
	}
	return f, nil
}

func aggregateRun(ctx context.Context, o *Options, progress io.Writer) (*directResult, error) {
	n := o.Count
	if n <= 0 {
		n = 100000
	}
	f, err := newAggregateFixture(ctx, o, progress, "aggregate", n)
	if err != nil {
		return nil, err
	}
	defer f.close()
	dir, root, cfgFor, accounts, agg, res := f.dir, f.root, f.cfgFor, f.accounts, f.agg, f.res

	// Counts by account, and the store's GROUP BY over the same rows.
	var lat []time.Duration
	var total int64
	for range aggregateCalls {
		start := time.Now()
		out, err := agg.GetAggregateDiscoveredResourceCounts(ctx, &configservice.GetAggregateDiscoveredResourceCountsInput{
			ConfigurationAggregatorName: aws.String("org"), GroupByKey: cfgtypes.ResourceCountGroupKeyAccountId})
		if err != nil {
			return nil, fmt.Errorf("GetAggregateDiscoveredResourceCounts: %w", err)
		}
		lat = append(lat, time.Since(start))
		total = out.TotalDiscoveredResources
		if len(out.GroupedResourceCounts) != aggregateAccounts {
			return nil, fmt.Errorf("GetAggregateDiscoveredResourceCounts: %d groups, want %d", len(out.GroupedResourceCounts), aggregateAccounts)
		}
	}
	groupBy, rows, err := storeGroupBy(ctx, filepath.Join(dir, "orgconfig.db"))
	if err != nil {
		return nil, err
	}
	slices.Sort(lat)
	slices.Sort(groupBy)
	line := fmt.Sprintf("aggregate: GetAggregateDiscoveredResourceCounts GroupByKey=ACCOUNT_ID over %d items (%d groups), %d calls: p50 %.2f ms, p99 %.2f ms; "+
		"the store's GROUP BY over the same %d rows (SQL on the SQLite file), %d runs: p50 %.2f ms, p99 %.2f ms; ratio of p99s %.2f",
		total, aggregateAccounts, aggregateCalls, ms(percentileDur(lat, 0.5)), ms(percentileDur(lat, 0.99)),
		rows, aggregateGroupBys, ms(percentileDur(groupBy, 0.5)), ms(percentileDur(groupBy, 0.99)),
		float64(percentileDur(lat, 0.99))/float64(percentileDur(groupBy, 0.99)))
	fmt.Fprintln(progress, "bench: "+line)
	res.Notes = append(res.Notes, line)

	// Freshness: puts in 10 members × 4 regions, each followed at once by reads of the
	// aggregator until the item is there.
	line, err = aggregateFreshness(ctx, cfgFor, root, accounts[1:11], agg)
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(progress, "bench: "+line)
	res.Notes = append(res.Notes, line)
	return res, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func percentileDur(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p)
	return sorted[i]
}

// aggregateOrganization creates the organization (all features) and its member accounts, and
// returns every account ID, management first.
func aggregateOrganization(ctx context.Context, cfg aws.Config) ([]string, error) {
	org := organizations.NewFromConfig(cfg)
	if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		return nil, fmt.Errorf("CreateOrganization: %w", err)
	}
	accounts := []string{benchAccount}
	for i := 1; i < aggregateAccounts; i++ {
		out, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{
			AccountName: aws.String(fmt.Sprintf("member-%03d", i)), Email: aws.String(fmt.Sprintf("member-%03d@example.com", i))})
		if err != nil {
			return nil, fmt.Errorf("CreateAccount: %w", err)
		}
		id := out.CreateAccountStatus.Id
		for deadline := time.Now().Add(time.Minute); ; {
			st, err := org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: id})
			if err != nil {
				return nil, err
			}
			if st.CreateAccountStatus.State == orgtypes.CreateAccountStateSucceeded {
				accounts = append(accounts, aws.ToString(st.CreateAccountStatus.AccountId))
				break
			}
			if st.CreateAccountStatus.State == orgtypes.CreateAccountStateFailed || time.Now().After(deadline) {
				return nil, fmt.Errorf("CreateAccount: %s", st.CreateAccountStatus.State)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	return accounts, nil
}

// aggregateRole creates the organization aggregator's role in the management account.
func aggregateRole(ctx context.Context, cfg aws.Config) (string, error) {
	c := iam.NewFromConfig(cfg)
	out, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("config-org-aggregator"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"config.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		return "", fmt.Errorf("CreateRole: %w", err)
	}
	if _, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("config-org-aggregator"),
		PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AWSConfigRoleForOrganizations")}); err != nil {
		return "", fmt.Errorf("AttachRolePolicy: %w", err)
	}
	return aws.ToString(out.Role.Arn), nil
}

// aggregateFreshness measures the time from PutResourceConfig's answer in a member account to
// the item's first visibility in the aggregator.
func aggregateFreshness(ctx context.Context, cfgFor func(string, aws.Credentials) aws.Config, root aws.Credentials, members []string, agg *configservice.Client) (string, error) {
	type scope struct {
		account, region string
		c               *configservice.Client
	}
	var scopes []scope
	for _, acct := range members {
		out, err := sts.NewFromConfig(cfgFor("us-east-1", root)).AssumeRole(ctx, &sts.AssumeRoleInput{
			RoleArn: aws.String("arn:aws:iam::" + acct + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("bench")})
		if err != nil {
			return "", fmt.Errorf("AssumeRole %s: %w", acct, err)
		}
		creds := aws.Credentials{AccessKeyID: aws.ToString(out.Credentials.AccessKeyId), SecretAccessKey: aws.ToString(out.Credentials.SecretAccessKey),
			SessionToken: aws.ToString(out.Credentials.SessionToken)}
		for _, r := range aggregateRegions {
			c := configservice.NewFromConfig(cfgFor(r, creds))
			if _, err := c.PutConfigurationRecorder(ctx, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cfgtypes.ConfigurationRecorder{
				Name: aws.String("default"), RoleARN: aws.String("arn:aws:iam::" + acct + ":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"),
				RecordingGroup: &cfgtypes.RecordingGroup{AllSupported: true}}}); err != nil {
				return "", fmt.Errorf("PutConfigurationRecorder %s/%s: %w", acct, r, err)
			}
			if _, err := c.PutDeliveryChannel(ctx, &configservice.PutDeliveryChannelInput{DeliveryChannel: &cfgtypes.DeliveryChannel{
				Name: aws.String("default"), S3BucketName: aws.String("bench")}}); err != nil {
				return "", err
			}
			if _, err := c.StartConfigurationRecorder(ctx, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")}); err != nil {
				return "", err
			}
			scopes = append(scopes, scope{acct, r, c})
		}
	}
	var lat []time.Duration
	reads := 0
	for i := range aggregateSamples {
		sc := scopes[i%len(scopes)]
		id := fmt.Sprintf("fresh-%05d", i)
		if _, err := sc.c.PutResourceConfig(ctx, &configservice.PutResourceConfigInput{ResourceType: aws.String("BenchCo::Fleet::Probe"),
			SchemaVersionId: aws.String("00000001"), ResourceId: aws.String(id), Configuration: aws.String(fmt.Sprintf(`{"n":%d}`, i))}); err != nil {
			return "", fmt.Errorf("PutResourceConfig: %w", err)
		}
		acked := time.Now()
		for {
			reads++
			_, err := agg.GetAggregateResourceConfig(ctx, &configservice.GetAggregateResourceConfigInput{ConfigurationAggregatorName: aws.String("org"),
				ResourceIdentifier: &cfgtypes.AggregateResourceIdentifier{SourceAccountId: aws.String(sc.account), SourceRegion: aws.String(sc.region),
					ResourceId: aws.String(id), ResourceType: cfgtypes.ResourceType("BenchCo::Fleet::Probe")}})
			if err == nil {
				break
			}
			var nd *cfgtypes.ResourceNotDiscoveredException
			if !errors.As(err, &nd) {
				return "", fmt.Errorf("GetAggregateResourceConfig: %w", err)
			}
			if time.Since(acked) > 30*time.Second {
				return "", fmt.Errorf("item %s not visible after 30 s", id)
			}
		}
		lat = append(lat, time.Since(acked))
	}
	slices.Sort(lat)
	return fmt.Sprintf("aggregate: freshness over %d PutResourceConfig in %d (account, region) sources: from the acknowledgement to visibility in the aggregator p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d aggregator reads in all)",
		aggregateSamples, len(scopes), ms(percentileDur(lat, 0.5)), ms(percentileDur(lat, 0.99)), ms(lat[len(lat)-1]), reads), nil
}

// storeGroupBy runs the store's own GROUP BY of the current items by account over the SQLite
// file (a read-only connection beside the server's) and returns its latencies and row count.
func storeGroupBy(ctx context.Context, path string) ([]time.Duration, int64, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, 0, err
	}
	defer db.Close()
	const q = `SELECT substr(scope, 1, 12) AS account, count(*) FROM records WHERE kind = 'config-item' GROUP BY account`
	var lat []time.Duration
	var rows int64
	for range aggregateGroupBys {
		start := time.Now()
		r, err := db.QueryContext(ctx, q)
		if err != nil {
			return nil, 0, err
		}
		rows = 0
		for r.Next() {
			var acct string
			var n int64
			if err := r.Scan(&acct, &n); err != nil {
				r.Close()
				return nil, 0, err
			}
			rows += n
		}
		r.Close()
		lat = append(lat, time.Since(start))
	}
	return lat, rows, nil
}
