package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orgconfig/orgconfig/bench/gen"
	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/sdkhttp"
	"github.com/orgconfig/orgconfig/internal/server"
)

// The query scenario measures advanced queries over an organization aggregator of 100 accounts
// × 4 regions holding -count items (default 1,000,000), on SQLite and on PostgreSQL
// (-store-backends; PostgreSQL needs ORGCONFIG_TEST_DATABASE_URL): each query's latency beside
// the store's own answer to the same question in the same run — a hand-written SQL GROUP BY over
// the item rows, and direct lookups of the query index. Each pair (query, store's answer) first
// runs unmeasured for -warmup, then -query-runs times (default 20), alternating.
func init() {
	register(&Scenario{
		Name:    "query",
		Summary: "SelectAggregateResourceConfig over -count items (default 1M) in an aggregator, vs the store's own SQL, SQLite and PostgreSQL",
		Direct:  queryRun,
	})
}

const queryRuns = 20

// genItem is a generated configuration item.
type genItem = configapi.ConfigurationItem

type benchQuery struct {
	name, expr string
	direct     func(ctx context.Context, db storeSQL, scopes []string) (int, error)
}

// storeSQL runs the store's own statements on either backend.
type storeSQL interface {
	groupByType(ctx context.Context) (int, error)
	indexPrefix(ctx context.Context, scope, prefix string, limit int) (int, error)
}

func queryRun(ctx context.Context, o *Options, progress io.Writer) (*directResult, error) {
	n := o.Count
	if n <= 0 {
		n = 1000000
	}
	res := &directResult{}
	for _, backend := range o.Backends {
		notes, info, err := queryBackend(ctx, o, backend, n, progress)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", backend, err)
		}
		res.Backends = append(res.Backends, info)
		res.Notes = append(res.Notes, notes...)
	}
	return res, nil
}

func queryBackend(ctx context.Context, o *Options, backend string, n int, progress io.Writer) ([]string, targetInfo, error) {
	dir, err := os.MkdirTemp(o.StoreDir, "orgconfig-query-")
	if err != nil {
		return nil, targetInfo{}, err
	}
	defer os.RemoveAll(dir)
	so := server.Options{DataDir: dir, AccountID: benchAccount, RootAccessKeyID: benchKey, RootSecretAccessKey: benchSecret,
		Logger: slog.New(slog.DiscardHandler), Version: "bench", MaxAccountsPerOrganization: aggregateAccounts + 10}
	var db storeSQL
	switch backend {
	case "sqlite":
	case "postgres":
		if o.DatabaseURL == "" {
			return nil, targetInfo{}, errors.New("-database-url (or ORGCONFIG_TEST_DATABASE_URL) is needed to measure PostgreSQL")
		}
		// A fresh schema, dropped at the end.
		admin, err := pgxpool.New(ctx, o.DatabaseURL)
		if err != nil {
			return nil, targetInfo{}, err
		}
		defer admin.Close()
		schema := "orgconfig_bench_" + strings.ToLower(rand.Text()[:12])
		if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
			return nil, targetInfo{}, err
		}
		defer admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		u, err := url.Parse(o.DatabaseURL)
		if err != nil {
			return nil, targetInfo{}, err
		}
		qv := u.Query()
		qv.Set("search_path", schema)
		u.RawQuery = qv.Encode()
		so.DatabaseURL = u.String()
		pool, err := pgxpool.New(ctx, so.DatabaseURL)
		if err != nil {
			return nil, targetInfo{}, err
		}
		defer pool.Close()
		db = pgSQL{pool}
	default:
		return nil, targetInfo{}, fmt.Errorf("unknown backend %q", backend)
	}
	srv, err := server.New(ctx, so)
	if err != nil {
		return nil, targetInfo{}, err
	}
	defer srv.Shutdown(context.Background())
	if backend == "sqlite" {
		sdb, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "orgconfig.db")+"?mode=ro&_pragma=busy_timeout(5000)")
		if err != nil {
			return nil, targetInfo{}, err
		}
		defer sdb.Close()
		db = sqliteSQL{sdb}
	}
	ln, err := listenLoopback()
	if err != nil {
		return nil, targetInfo{}, err
	}
	serveLabeled("server", srv, ln)
	endpoint := "http://" + ln.Addr().String()
	root := credentials(benchKey, benchSecret)
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), RetryMaxAttempts: 1,
		Credentials: awscreds.StaticCredentialsProvider{Value: root}, HTTPClient: sdkhttp.Client(60*time.Second, nil)}
	info := targetInfo{Name: targetOrgconfig + "/" + backend, Endpoint: endpoint, Note: "in-process internal/server on " + backend}

	t0 := time.Now()
	accounts, err := aggregateOrganization(ctx, cfg)
	if err != nil {
		return nil, info, err
	}
	fmt.Fprintf(progress, "bench: query/%s: importing %d items over %d accounts x %d regions ... ", backend, n, len(accounts), len(aggregateRegions))
	for _, r := range aggregateRegions {
		for part := 0; part < 4; part++ { // in parts, to bound the request size
			// The items of gen.Snapshot, grouped by account (in the generator's order within
			// an account): the same items land in the same scopes, but each write transaction
			// of the import (500 items) touches one or two scopes' index ranges instead of a
			// hundred, which makes the load several times faster.
			var items []*genItem
			if err := gen.Items(n/len(aggregateRegions)/4, accounts, r, 0, func(ci *genItem) error {
				items = append(items, ci)
				return nil
			}); err != nil {
				return nil, info, err
			}
			slices.SortStableFunc(items, func(a, b *genItem) int { return strings.Compare(a.AccountId, b.AccountId) })
			var snap bytes.Buffer
			if err := gen.WriteSnapshot(&snap, items); err != nil {
				return nil, info, err
			}
			// Distinct resources per part: the generator numbers items from 0, so parts differ by region only;
			// import each part under its own region and part by rotating the accounts.
			accounts = append(accounts[1:], accounts[0])
			if err := evaluateImport(ctx, endpoint, root, r, snap.Bytes()); err != nil {
				return nil, info, err
			}
		}
	}
	fmt.Fprintf(progress, "%.1fs\n", time.Since(t0).Seconds())
	roleARN, err := aggregateRole(ctx, cfg)
	if err != nil {
		return nil, info, err
	}
	agg := configservice.NewFromConfig(cfg)
	if _, err := agg.PutConfigurationAggregator(ctx, &configservice.PutConfigurationAggregatorInput{
		ConfigurationAggregatorName:   aws.String("org"),
		OrganizationAggregationSource: &cfgtypes.OrganizationAggregationSource{RoleArn: aws.String(roleARN), AwsRegions: aggregateRegions},
	}); err != nil {
		return nil, info, err
	}
	var scopes []string
	slices.Sort(accounts)
	for _, a := range accounts {
		for _, r := range aggregateRegions {
			scopes = append(scopes, a+"/"+r)
		}
	}
	queries := []benchQuery{
		{"GROUP BY resourceType", "SELECT resourceType, COUNT(*) GROUP BY resourceType",
			func(ctx context.Context, db storeSQL, _ []string) (int, error) { return db.groupByType(ctx) }},
		{"selective equality", "SELECT resourceId, resourceType, accountId WHERE resourceId = 'i-00000000000000003'",
			func(ctx context.Context, db storeSQL, scopes []string) (int, error) {
				return lookupAll(ctx, db, scopes, "resourceId\x00si-00000000000000003\x00", 0)
			}},
		{"tag filter (first page)", "SELECT resourceId, accountId, awsRegion WHERE tags.tag = 'team=team-7'",
			func(ctx context.Context, db storeSQL, scopes []string) (int, error) {
				return lookupAll(ctx, db, scopes, "tags.tag\x00steam=team-7\x00", 25)
			}},
	}
	var notes []string
	for _, q := range queries {
		if o.QueryOnly != "" && !strings.Contains(q.name, o.QueryOnly) {
			continue
		}
		var ours, theirs []time.Duration
		rows, direct := 0, 0
		stopProfile, err := startProfile(o, &Target{Name: targetOrgconfig}, &Call{Name: "query-" + backend + "-" + strings.ReplaceAll(q.name, " ", "-")}, 1, 0)
		if err != nil {
			return nil, info, err
		}
		runs := o.QueryRuns
		if runs <= 0 {
			runs = queryRuns
		}
		// Warm-up, not measured, the same for both sides: the pair runs until -warmup has
		// passed, at least once (connection caches, first-use statement preparation).
		for warm := time.Now(); ; {
			if _, err := agg.SelectAggregateResourceConfig(ctx, &configservice.SelectAggregateResourceConfigInput{
				ConfigurationAggregatorName: aws.String("org"), Expression: aws.String(q.expr)}); err != nil {
				return nil, info, fmt.Errorf("%s: %w", q.name, err)
			}
			if _, err := q.direct(ctx, db, scopes); err != nil {
				return nil, info, fmt.Errorf("%s (store): %w", q.name, err)
			}
			if time.Since(warm) >= o.Warmup {
				break
			}
		}
		for range runs {
			start := time.Now()
			out, err := agg.SelectAggregateResourceConfig(ctx, &configservice.SelectAggregateResourceConfigInput{
				ConfigurationAggregatorName: aws.String("org"), Expression: aws.String(q.expr)})
			if err != nil {
				return nil, info, fmt.Errorf("%s: %w", q.name, err)
			}
			ours = append(ours, time.Since(start))
			rows = len(out.Results)
			start = time.Now()
			if direct, err = q.direct(ctx, db, scopes); err != nil {
				return nil, info, fmt.Errorf("%s (store): %w", q.name, err)
			}
			theirs = append(theirs, time.Since(start))
		}
		stopProfile()
		slices.Sort(ours)
		slices.Sort(theirs)
		line := fmt.Sprintf("query/%s: %s over %d items: %d results, p50 %.2f ms, p99 %.2f ms; the store's own answer (%d rows): p50 %.2f ms, p99 %.2f ms; ratio of p99s %.2f",
			backend, q.name, n, rows, ms(percentileDur(ours, 0.5)), ms(percentileDur(ours, 0.99)), direct,
			ms(percentileDur(theirs, 0.5)), ms(percentileDur(theirs, 0.99)), float64(percentileDur(ours, 0.99))/float64(percentileDur(theirs, 0.99)))
		fmt.Fprintln(progress, "bench: "+line)
		if o.QueryDist {
			for _, p := range []float64{0.5, 0.75, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999} {
				fmt.Fprintf(progress, "  p%v ours %.3f theirs %.3f\n", p*100, ms(percentileDur(ours, p)), ms(percentileDur(theirs, p)))
			}
		}
		notes = append(notes, line)
	}
	// The floor under every answer: one signed call through the same client that reads one
	// record (the aggregator), for reading the ratios of the short queries.
	var floor []time.Duration
	for range queryRuns {
		start := time.Now()
		if _, err := agg.DescribeConfigurationAggregators(ctx, &configservice.DescribeConfigurationAggregatorsInput{
			ConfigurationAggregatorNames: []string{"org"}}); err != nil {
			return nil, info, fmt.Errorf("DescribeConfigurationAggregators: %w", err)
		}
		floor = append(floor, time.Since(start))
	}
	slices.Sort(floor)
	line := fmt.Sprintf("query/%s: API floor (DescribeConfigurationAggregators of the aggregator, same client): p50 %.2f ms, p99 %.2f ms",
		backend, ms(percentileDur(floor, 0.5)), ms(percentileDur(floor, 0.99)))
	fmt.Fprintln(progress, "bench: "+line)
	notes = append(notes, line)
	return notes, info, nil
}

// lookupAll runs the direct index lookup of prefix in every scope (stopping after limit rows
// when limit > 0) and returns the rows found.
func lookupAll(ctx context.Context, db storeSQL, scopes []string, prefix string, limit int) (int, error) {
	total := 0
	for _, sc := range scopes {
		left := 0
		if limit > 0 {
			left = limit - total
		}
		n, err := db.indexPrefix(ctx, sc, prefix, left)
		if err != nil {
			return 0, err
		}
		total += n
		if limit > 0 && total >= limit {
			break
		}
	}
	return total, nil
}

type sqliteSQL struct{ db *sql.DB }

func (s sqliteSQL) groupByType(ctx context.Context) (int, error) {
	return countRows(s.db.QueryContext(ctx, `SELECT substr(id, 1, instr(id, char(0)) - 1) AS t, count(*) FROM records WHERE kind = 'config-item' GROUP BY t`))
}

func (s sqliteSQL) indexPrefix(ctx context.Context, scope, prefix string, limit int) (int, error) {
	q := `SELECT id FROM records WHERE kind = 'config-qidx' AND scope = ? AND id >= ? AND id < ?`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	return countRows(s.db.QueryContext(ctx, q, scope, prefix, prefix+"\xff"))
}

type pgSQL struct{ pool *pgxpool.Pool }

func (p pgSQL) groupByType(ctx context.Context) (int, error) {
	return pgCountRows(p.pool.Query(ctx, `SELECT substring(id FROM 1 FOR position('\x00'::bytea IN id) - 1) AS t, count(*) FROM records WHERE kind = 'config-item' GROUP BY t`))
}

func (p pgSQL) indexPrefix(ctx context.Context, scope, prefix string, limit int) (int, error) {
	q := `SELECT id FROM records WHERE kind = 'config-qidx' AND scope = $1 AND id >= $2 AND id < $3`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	return pgCountRows(p.pool.Query(ctx, q, scope, []byte(prefix), append([]byte(prefix), 0xff)))
}

// pgCountRows counts a PostgreSQL answer's rows (countRows for pgx).
func pgCountRows(rows pgx.Rows, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}

func countRows(rows *sql.Rows, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}
