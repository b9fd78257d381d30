package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orgconfig/orgconfig/internal/store"
	"github.com/orgconfig/orgconfig/internal/store/postgres"
	"github.com/orgconfig/orgconfig/internal/store/sqlite"
)

// The store-write scenario measures the store itself, without HTTP: configuration-item-shaped
// writes through store.Store.Write on each backend. Per item, in one transaction (one Write):
//
//   - the current item: kind "config-item", scope "<account>/<region>", id
//     "<resourceType>/<resourceId>", a ~1.1 KB JSON body shaped like an AWS Config
//     configuration item (version, configurationItemCaptureTime, configurationItemStatus,
//     configurationStateId, accountId, arn, resourceType, resourceId, resourceName, awsRegion,
//     availabilityZone, tags, two relationships, and an EC2 instance's configuration with
//     nested objects and arrays), written with Put;
//   - one history record: kind "config-item-history", same scope, id "<resourceId>/<capture
//     time as 20-digit Unix milliseconds>", the same body, written with Create;
//   - six index records: kind "ci-index", same scope, id "<path>=<value>\x00<resourceId>" for
//     resourceType, resourceName, tags.Name, tags.env, configuration.vpcId and
//     configuration.instanceType, empty body, written with Put.
//
// That is 8 records per item. Every item is a new resource (random-looking, unique resource
// IDs, so inserts spread over the key space as real IDs do). The batched variant puts
// -store-batch items (default 100) in one Write. Each cell opens a fresh store: SQLite in a new
// directory under -store-dir with the default options (WAL, synchronous=FULL, group commit);
// PostgreSQL in a new schema of -database-url created and dropped by the harness, opened with
// the default options, as `orgconfig serve` opens them.
func init() {
	register(&Scenario{
		Name: "store-write",
		Summary: "configuration-item writes (1 current + 1 history + 6 index records per item) straight into the store, " +
			"SQLite and PostgreSQL (-backends), 1 item per Write and -store-batch items per Write",
		Direct: storeWrite,
	})
}

// Store backends.
const (
	backendSQLite   = "sqlite"
	backendPostgres = "postgres"
)

const (
	ciAccount = "111111111111"
	ciRegion  = "us-east-1"
	ciScope   = ciAccount + "/" + ciRegion
	// recordsPerItem is the number of records one item writes.
	recordsPerItem = 8
)

// StoreCell is one measurement of the store-write scenario: one backend, one items-per-Write,
// one concurrency.
type StoreCell struct {
	Scenario      string  `json:"scenario"`
	Backend       string  `json:"backend"`
	ItemsPerWrite int     `json:"items_per_write"`
	Concurrency   int     `json:"concurrency"`
	Writes        int     `json:"writes"`
	Items         int     `json:"items"`
	Records       int     `json:"records"`
	Errors        int     `json:"errors"`
	Seconds       float64 `json:"seconds"`
	WritesPerSec  float64 `json:"writes_per_second"`
	ItemsPerSec   float64 `json:"items_per_second"`
	RecordsPerSec float64 `json:"records_per_second"`
	// P50us and P99us are the latencies of one Write call (of ItemsPerWrite items).
	P50us float64 `json:"p50_us"`
	P99us float64 `json:"p99_us"`
	// BodyBytes is the average size of an item's JSON body.
	BodyBytes int `json:"body_bytes"`
	// SQLite's group commit during the timed loop: Write calls, transactions (batches) they ran
	// in, and the average Write calls per transaction.
	GroupWrites  int64   `json:"group_writes,omitempty"`
	GroupBatches int64   `json:"group_batches,omitempty"`
	GroupAvg     float64 `json:"group_avg_batch,omitempty"`
	FirstError   string  `json:"first_error,omitempty"`
	Skipped      string  `json:"skipped,omitempty"`
}

// storeBackend opens fresh stores of one backend, one per cell.
type storeBackend struct {
	name string
	note string
	// open returns a fresh, empty store and the function that closes and removes it.
	open func(ctx context.Context) (store.Store, func() error, error)
}

func storeWrite(ctx context.Context, o *Options, progress io.Writer) (*directResult, error) {
	res := &directResult{}
	var backends []*storeBackend
	for _, name := range o.Backends {
		var (
			b   *storeBackend
			err error
		)
		switch name {
		case backendSQLite:
			b, err = sqliteBackend(o)
		case backendPostgres:
			b, err = postgresBackend(ctx, o)
		}
		if err != nil {
			res.Notes = append(res.Notes, fmt.Sprintf("store-write on %s: not measured: %v", name, err))
			fmt.Fprintf(progress, "bench: store-write: %s skipped: %v\n", name, err)
			continue
		}
		backends = append(backends, b)
		res.Backends = append(res.Backends, targetInfo{Name: b.name, Note: b.note})
		fmt.Fprintf(progress, "bench: store-write on %s (%s)\n", b.name, b.note)
	}
	sizes := []int{1}
	if o.StoreBatch > 1 {
		sizes = append(sizes, o.StoreBatch)
	}
	for _, b := range backends {
		for _, per := range sizes {
			for _, conc := range o.Concurrency {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				fmt.Fprintf(progress, "bench: store-write %s %d item(s)/Write c=%d ... ", b.name, per, conc)
				cell, err := measureStore(ctx, o, b, per, conc)
				if err != nil {
					cell.Skipped = err.Error()
					fmt.Fprintf(progress, "FAILED: %v\n", err)
				} else {
					group := ""
					if cell.GroupBatches > 0 {
						group = fmt.Sprintf(", group commit %.1f Writes/transaction", cell.GroupAvg)
					}
					fmt.Fprintf(progress, "%.0f items/s, %.0f records/s, Write p50 %.0fµs p99 %.0fµs, %d errors%s\n",
						cell.ItemsPerSec, cell.RecordsPerSec, cell.P50us, cell.P99us, cell.Errors, group)
				}
				res.StoreCells = append(res.StoreCells, cell)
			}
		}
	}
	return res, nil
}

// sqliteBackend opens each cell's store in a new directory under -store-dir with the default
// options: WAL, synchronous=FULL, group commit.
func sqliteBackend(o *Options) (*storeBackend, error) {
	parent := o.StoreDir
	if parent == "" {
		parent = os.TempDir()
	}
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return nil, err
	}
	return &storeBackend{
		name: backendSQLite,
		note: fmt.Sprintf("store/sqlite with default options (WAL, synchronous=FULL, group commit of up to 128 Writes), "+
			"a fresh database per cell under %s (%s)", parent, fsType(parent)),
		open: func(ctx context.Context) (store.Store, func() error, error) {
			dir, err := os.MkdirTemp(parent, "orgconfig-storebench-")
			if err != nil {
				return nil, nil, err
			}
			st, err := sqlite.Open(ctx, filepath.Join(dir, "orgconfig.db"), sqlite.Options{})
			if err != nil {
				os.RemoveAll(dir)
				return nil, nil, err
			}
			return st, func() error {
				err := st.Close()
				if rerr := os.RemoveAll(dir); err == nil {
					err = rerr
				}
				return err
			}, nil
		},
	}, nil
}

// postgresBackend opens each cell's store in a new schema of -database-url, dropped after the
// cell, with the default options (as `orgconfig serve --database-url` does).
func postgresBackend(ctx context.Context, o *Options) (*storeBackend, error) {
	base := o.DatabaseURL
	if base == "" {
		return nil, fmt.Errorf("no -database-url (or ORGCONFIG_TEST_DATABASE_URL)")
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, fmt.Errorf("-database-url must be a postgres:// URL")
	}
	if h := u.Hostname(); h != "127.0.0.1" && h != "localhost" && h != "::1" {
		return nil, fmt.Errorf("-database-url must be on the loopback interface, got host %q", h)
	}
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(cctx, base)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	settings := map[string]string{}
	for _, k := range []string{"server_version", "fsync", "synchronous_commit", "full_page_writes"} {
		var v string
		if err := admin.QueryRow(cctx, "SHOW "+k).Scan(&v); err != nil {
			admin.Close(ctx)
			return nil, fmt.Errorf("SHOW %s: %w", k, err)
		}
		settings[k] = v
	}
	admin.Close(ctx)
	note := fmt.Sprintf("store/postgres with default options (SERIALIZABLE, pgxpool default of max(4, NumCPU)=%d connections), "+
		"PostgreSQL %s on %s, fsync=%s, synchronous_commit=%s, full_page_writes=%s; a fresh schema per cell",
		max(4, runtime.NumCPU()), settings["server_version"], u.Host, settings["fsync"], settings["synchronous_commit"], settings["full_page_writes"])
	if settings["fsync"] == "off" || settings["synchronous_commit"] == "off" {
		note += " (durability settings OFF: commits do not wait for the disk, unlike SQLite's synchronous=FULL)"
	}
	return &storeBackend{
		name: backendPostgres,
		note: note,
		open: func(ctx context.Context) (store.Store, func() error, error) {
			schema := "orgconfig_bench_" + strings.ToLower(rand.Text()[:12])
			exec := func(q string) error {
				cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				c, err := pgx.Connect(cctx, base)
				if err != nil {
					return err
				}
				defer c.Close(context.Background())
				_, err = c.Exec(cctx, q)
				return err
			}
			if err := exec("CREATE SCHEMA " + schema); err != nil {
				return nil, nil, fmt.Errorf("create schema: %w", err)
			}
			drop := func() error { return exec("DROP SCHEMA " + schema + " CASCADE") }
			su := *u
			q := su.Query()
			q.Set("search_path", schema)
			su.RawQuery = q.Encode()
			st, err := postgres.Open(ctx, su.String(), postgres.Options{})
			if err != nil {
				drop()
				return nil, nil, err
			}
			return st, func() error {
				err := st.Close()
				if derr := drop(); err == nil {
					err = derr
				}
				return err
			}, nil
		},
	}, nil
}

// fsType names the filesystem that holds dir (from /proc/mounts), or "filesystem unknown".
func fsType(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "filesystem unknown"
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		abs = r
	}
	f, err := os.Open("/proc/mounts")
	if err != nil {
		return "filesystem unknown"
	}
	defer f.Close()
	best, typ := "", ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 {
			continue
		}
		mp := fields[1]
		if (abs == mp || strings.HasPrefix(abs, strings.TrimSuffix(mp, "/")+"/")) && len(mp) >= len(best) {
			best, typ = mp, fields[2]
		}
	}
	if typ == "" {
		return "filesystem unknown"
	}
	return typ + " filesystem"
}

// measureStore runs one cell on a fresh store: a warm-up, then the timed loop.
func measureStore(ctx context.Context, o *Options, b *storeBackend, per, conc int) (StoreCell, error) {
	cell := StoreCell{Scenario: "store-write", Backend: b.name, ItemsPerWrite: per, Concurrency: conc}
	st, closeStore, err := b.open(ctx)
	if err != nil {
		return cell, fmt.Errorf("open %s: %w", b.name, err)
	}
	defer func() {
		if cerr := closeStore(); cerr != nil {
			fmt.Fprintf(os.Stderr, "bench: closing %s store: %v\n", b.name, cerr)
		}
	}()
	gen := &itemGen{start: time.Now().UTC()}
	if o.Warmup > 0 {
		storeLoop(ctx, st, gen, per, conc, o.Warmup, 0)
	}
	var before sqlite.Stats
	ss, isSQLite := st.(*sqlite.Store)
	if isSQLite {
		before = ss.Stats()
	}
	r := storeLoop(ctx, st, gen, per, conc, o.Duration, o.Count)
	if isSQLite {
		after := ss.Stats()
		cell.GroupWrites = after.Writes - before.Writes
		cell.GroupBatches = after.Batches - before.Batches
		if cell.GroupBatches > 0 {
			cell.GroupAvg = float64(cell.GroupWrites) / float64(cell.GroupBatches)
		}
	}
	cell.Writes = len(r.lat)
	cell.Items = cell.Writes * per
	cell.Records = cell.Items * recordsPerItem
	cell.Errors = r.errors
	cell.FirstError = r.firstErr
	cell.Seconds = r.elapsed.Seconds()
	if cell.Seconds > 0 {
		cell.WritesPerSec = float64(cell.Writes) / cell.Seconds
		cell.ItemsPerSec = float64(cell.Items) / cell.Seconds
		cell.RecordsPerSec = float64(cell.Records) / cell.Seconds
	}
	if n := gen.n.Load(); n > 0 {
		cell.BodyBytes = int(gen.bodyBytes.Load() / n)
	}
	slices.Sort(r.lat)
	cell.P50us = percentile(r.lat, 0.50)
	cell.P99us = percentile(r.lat, 0.99)
	if cell.Writes == 0 {
		return cell, fmt.Errorf("no Write succeeded (%d errors, first: %s)", r.errors, r.firstErr)
	}
	return cell, nil
}

type storeResult struct {
	lat      []time.Duration // of the Writes that succeeded
	errors   int
	firstErr string
	elapsed  time.Duration
}

// storeLoop runs Writes of per items from conc goroutines until d has passed or, when
// count > 0, count items were written.
func storeLoop(ctx context.Context, st store.Store, gen *itemGen, per, conc int, d time.Duration, count int) storeResult {
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		res      storeResult
		budget   atomic.Int64
		deadline = time.Now().Add(d)
	)
	budget.Store(int64(count))
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, 1024)
			errs := 0
			var firstErr string
			items := make([]ciItem, per)
			for {
				if count > 0 && budget.Add(-int64(per)) < 0 {
					break
				}
				if ctx.Err() != nil {
					break
				}
				t0 := time.Now()
				if !t0.Before(deadline) {
					break
				}
				for i := range items {
					gen.next(&items[i])
				}
				err := st.Write(ctx, func(tx store.Tx) error {
					for i := range items {
						if err := items[i].write(tx); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					errs++
					if firstErr == "" {
						firstErr = err.Error()
					}
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			res.lat = append(res.lat, lat...)
			res.errors += errs
			if res.firstErr == "" {
				res.firstErr = firstErr
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

// itemGen makes configuration items with unique, random-looking resource IDs.
type itemGen struct {
	start     time.Time
	n         atomic.Int64
	bodyBytes atomic.Int64
}

// ciItem is one configuration item: its body and the ids of its records.
type ciItem struct {
	current string
	history string
	index   [6]string
	body    []byte
}

// mix64 is a bijection of uint64 (the splitmix64 finalizer): distinct inputs give distinct,
// well-spread outputs, so resource IDs are unique and land all over the key space.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

var (
	instanceTypes = []string{"t3.micro", "t3.small", "m6i.large", "c7g.xlarge", "r6i.2xlarge"}
	envs          = []string{"prod", "staging", "dev"}
)

// next fills it with the next item (a fresh EC2 instance).
func (g *itemGen) next(it *ciItem) {
	n := uint64(g.n.Add(1))
	h := mix64(n)
	rid := fmt.Sprintf("i-%016x", h)
	name := fmt.Sprintf("bench-%d", n)
	vpc := fmt.Sprintf("vpc-%08x", uint32(h>>40)%64)
	subnet := fmt.Sprintf("subnet-%08x", uint32(h>>32)%256)
	sg := fmt.Sprintf("sg-%08x", uint32(h>>24)%512)
	itype := instanceTypes[h%uint64(len(instanceTypes))]
	env := envs[(h>>8)%uint64(len(envs))]
	capture := g.start.Add(time.Duration(n) * time.Millisecond)
	ms := capture.UnixMilli()
	ts := capture.Format("2006-01-02T15:04:05.000Z")
	az := ciRegion + string(rune('a'+h%3))
	it.body = fmt.Appendf(it.body[:0], ciTemplate,
		ts, ms, ciAccount, ciRegion, ciAccount, rid, rid, name, az,
		name, env, h%8,
		sg, vpc,
		rid, h%1000, itype, (h>>16)%250, (h>>24)%250, subnet, vpc, az, sg, ms%100000)
	g.bodyBytes.Add(int64(len(it.body)))
	it.current = "AWS::EC2::Instance/" + rid
	it.history = fmt.Sprintf("%s/%020d", rid, ms)
	it.index = [6]string{
		"resourceType=AWS::EC2::Instance\x00" + rid,
		"resourceName=" + name + "\x00" + rid,
		"tags.Name=" + name + "\x00" + rid,
		"tags.env=" + env + "\x00" + rid,
		"configuration.vpcId=" + vpc + "\x00" + rid,
		"configuration.instanceType=" + itype + "\x00" + rid,
	}
}

// write writes the item's 8 records in tx.
func (it *ciItem) write(tx store.Tx) error {
	if err := tx.Put("config-item", ciScope, it.current, it.body); err != nil {
		return err
	}
	if err := tx.Create("config-item-history", ciScope, it.history, it.body); err != nil {
		return err
	}
	for _, id := range it.index {
		if err := tx.Put("ci-index", ciScope, id, nil); err != nil {
			return err
		}
	}
	return nil
}

// ciTemplate is an AWS Config configuration item of an EC2 instance (version 1.3), ~1.1 KB.
const ciTemplate = `{"version":"1.3","configurationItemCaptureTime":"%s","configurationItemStatus":"OK",` +
	`"configurationStateId":"%d","accountId":"%s",` +
	`"arn":"arn:aws:ec2:%s:%s:instance/%s","resourceType":"AWS::EC2::Instance","resourceId":"%s",` +
	`"resourceName":"%s","awsRegion":"us-east-1","availabilityZone":"%s",` +
	`"tags":{"Name":"%s","env":"%s","team":"team-%d"},` +
	`"relationships":[{"resourceType":"AWS::EC2::SecurityGroup","resourceId":"%s","relationshipName":"Is associated with SecurityGroup"},` +
	`{"resourceType":"AWS::EC2::VPC","resourceId":"%s","relationshipName":"Is contained in Vpc"}],` +
	`"configuration":{"instanceId":"%s","imageId":"ami-0abcdef%05d","instanceType":"%s","state":{"code":16,"name":"running"},` +
	`"privateIpAddress":"10.0.%d.%d","subnetId":"%s","vpcId":"%s",` +
	`"placement":{"availabilityZone":"%s"},` +
	`"securityGroups":[{"groupId":"%s","groupName":"default"}],` +
	`"blockDeviceMappings":[{"deviceName":"/dev/xvda","ebs":{"volumeId":"vol-0%016d","status":"attached"}}]}}`
