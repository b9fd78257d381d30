package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/orgconfig/orgconfig/internal/clock"
	"github.com/orgconfig/orgconfig/internal/configservice"
	"github.com/orgconfig/orgconfig/internal/identity"
	"github.com/orgconfig/orgconfig/internal/ids"
	"github.com/orgconfig/orgconfig/internal/regions"
	"github.com/orgconfig/orgconfig/internal/server"
)

// importCommand loads AWS Config snapshot and history files into the data store: directly (the
// fast path; the server may be running), or through a server's admin call with --endpoint.
type importCommand struct {
	stdout, stderr io.Writer

	dataDir        string
	databaseURL    string
	keyFile        string
	endpoint       string
	accountID      string
	region         string
	globalRegion   string
	defaultRegion  string
	extraRegions   string
	createAccounts bool
	batch          int
	progress       string
	interval       time.Duration
	paths          []string

	// isTerminal reports whether w is a terminal; tests replace it.
	isTerminal func(w io.Writer) bool
}

const importSynopsis = `Imports configuration items of any resource type (AWS::EC2::Instance, AWS::S3::Bucket...)
from the files AWS Config delivers to S3: configuration snapshots and configuration history
files, gzipped or not, in AWS's format (or lists of items as the AWS Config API returns them).
Each argument is a file or a directory, searched for *.json and *.json.gz files; files are
imported in the order of the timestamps in their AWS names.

Each item goes to its awsAccountId and awsRegion (--account-id and --region override them);
items of global IAM types (awsRegion "global") go to --global-region, else to the region the
file's AWS name states, else to us-east-1. Items of accounts that do not exist are skipped
unless --create-accounts creates them. Imported items are recorded exactly as recorded ones.

A progress bar shows on stderr when it is a terminal (periodic lines otherwise); a summary is
printed at the end. The exit status is 1 when items were skipped.

  orgconfig import [--data-dir DIR | --database-url URL] [flags] FILE|DIR...
  orgconfig import --endpoint http://127.0.0.1:4566 FILE...   (admin call, AWS_* credentials)`

func (c *importCommand) ParseFlags(args []string) error {
	fs := newFlagSet("import [flags] FILE|DIR...", importSynopsis, c.stderr)
	stringFlag(fs, &c.dataDir, "data-dir", "ORGCONFIG_DATA_DIR", "./orgconfig-data", "the server's data directory")
	stringFlag(fs, &c.databaseURL, "database-url", "ORGCONFIG_DATABASE_URL", "", "the server's PostgreSQL URL, when it uses one")
	stringFlag(fs, &c.keyFile, "secrets-key-file", "ORGCONFIG_SECRETS_KEY_FILE", "", "the key file that seals secrets at rest (default <data-dir>/secrets.key; keep it apart from database backups)")
	stringFlag(fs, &c.endpoint, "endpoint", "ORGCONFIG_IMPORT_ENDPOINT", "", "import through this server's admin call (POST /_orgconfig/import) with the credentials of AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, instead of the store")
	fs.StringVar(&c.accountID, "account-id", "", "put every item in this account, whatever the files say")
	fs.StringVar(&c.region, "region", "", "put every item in this region, whatever the files say (with --endpoint also the signature's region)")
	fs.StringVar(&c.globalRegion, "global-region", "", "region of the items of global IAM types (default: the file's region, else us-east-1)")
	fs.StringVar(&c.defaultRegion, "default-region", "", "region of items that state none")
	stringFlag(fs, &c.extraRegions, "extra-regions", "ORGCONFIG_EXTRA_REGIONS", "", "comma-separated regions to accept beyond AWS's list (as serve)")
	fs.BoolVar(&c.createAccounts, "create-accounts", false, "create the accounts that do not exist (origin import); their root credentials are printed once")
	fs.IntVar(&c.batch, "batch-size", configservice.DefaultImportBatch, "items per store transaction")
	fs.StringVar(&c.progress, "progress", "auto", "progress display on stderr: auto (a bar on a terminal, lines otherwise), bar, lines or none")
	fs.DurationVar(&c.interval, "progress-interval", 5*time.Second, "interval of the progress lines")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c.paths = fs.Args()
	if len(c.paths) == 0 {
		fs.Usage()
		return errors.New("import needs at least one file or directory")
	}
	if !slices.Contains([]string{"auto", "bar", "lines", "none"}, c.progress) {
		return fmt.Errorf("--progress %q: want auto, bar, lines or none", c.progress)
	}
	if c.accountID != "" && !identity.ValidAccountID(c.accountID) {
		return fmt.Errorf("--account-id %q is not 12 digits", c.accountID)
	}
	if c.interval <= 0 {
		c.interval = 5 * time.Second
	}
	return nil
}

// importFile is one input file.
type importFile struct {
	path string
	size int64
}

func (c *importCommand) Run(ctx context.Context) error {
	files, err := collectImportFiles(c.paths)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return errors.New("no .json or .json.gz file found in the given paths")
	}
	var total int64
	for _, f := range files {
		total += f.size
	}
	p := newProgress(c.stderr, c.progressMode(), c.interval, total, len(files))
	start := time.Now()
	var res configservice.ImportResult
	if c.endpoint != "" {
		err = c.runEndpoint(ctx, files, p, &res)
	} else {
		err = c.runDirect(ctx, files, p, &res)
	}
	p.stop()
	c.printSummary(&res, total, time.Since(start))
	if err != nil {
		return err
	}
	if res.Skipped > 0 {
		return fmt.Errorf("%d items were skipped (reasons above)", res.Skipped)
	}
	return nil
}

func (c *importCommand) progressMode() string {
	if c.progress != "auto" {
		return c.progress
	}
	term := c.isTerminal
	if term == nil {
		term = isTerminal
	}
	if term(c.stderr) {
		return "bar"
	}
	return "lines"
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// runDirect imports into the store itself: the fast path, for the operator.
func (c *importCommand) runDirect(ctx context.Context, files []importFile, p *progress, res *configservice.ImportResult) error {
	st, err := server.OpenStore(ctx, server.Options{DataDir: c.dataDir, DatabaseURL: c.databaseURL})
	if err != nil {
		return err
	}
	defer st.Close()
	clk, gen := clock.System{}, ids.NewRandom()
	key, err := server.OpenSealKey(ctx, st, server.Options{DataDir: c.dataDir, DatabaseURL: c.databaseURL, SecretsKeyFile: c.keyFile})
	if err != nil {
		return err
	}
	// The services are the server's (server.NewServices), but no job runs here: jobs the import
	// enqueues run on the server.
	svcs := server.NewServices(st, server.ServicesOptions{
		Clock: clk, IDs: gen, SealKey: key, Regions: regions.New(splitList(c.extraRegions)...),
	})
	if _, err := svcs.Directory.BootstrapAccount(ctx); err != nil {
		return errors.New("this data store has not been initialized: start 'orgconfig serve' on it once first")
	}
	svc := svcs.Config

	o := configservice.ImportOptions{
		Account: c.accountID, Region: c.region, GlobalRegion: c.globalRegion, DefaultRegion: c.defaultRegion,
		CreateAccounts: c.createAccounts, BatchSize: c.batch,
		Progress: func(imported, skipped int) { p.items.Store(int64(imported + skipped)) },
	}
	sum := &configservice.ImportSummary{}
	var ferr error
	for i, f := range files {
		p.file.Store(int64(i + 1))
		fh, err := os.Open(f.path)
		if err != nil {
			ferr = err
			break
		}
		err = svc.ImportFile(ctx, &countingReader{r: fh, n: &p.bytes}, f.path, o, sum)
		fh.Close()
		if err != nil {
			ferr = fmt.Errorf("%s: %w", f.path, err)
			break
		}
	}
	// Report what was imported even after an error: those items are stored.
	notRecording, err := svc.ScopesNotRecording(ctx, sum)
	*res = sum.Result(notRecording)
	return cmp.Or(ferr, err)
}

// runEndpoint sends each file to a server's admin call, signed with the environment's
// credentials.
func (c *importCommand) runEndpoint(ctx context.Context, files []importFile, p *progress, res *configservice.ImportResult) error {
	creds := aws.Credentials{AccessKeyID: os.Getenv("AWS_ACCESS_KEY_ID"), SecretAccessKey: os.Getenv("AWS_SECRET_ACCESS_KEY"), SessionToken: os.Getenv("AWS_SESSION_TOKEN")}
	if creds.AccessKeyID == "" || creds.SecretAccessKey == "" {
		return errors.New("--endpoint needs the credentials of an account's root user in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	}
	region := cmp.Or(c.region, os.Getenv("AWS_REGION"), os.Getenv("AWS_DEFAULT_REGION"), "us-east-1")
	base, err := url.Parse(strings.TrimSuffix(c.endpoint, "/") + server.PathImport)
	if err != nil {
		return fmt.Errorf("--endpoint: %w", err)
	}
	client := &http.Client{Timeout: 30 * time.Minute}
	signer := v4.NewSigner()
	for i, f := range files {
		p.file.Store(int64(i + 1))
		body, err := os.ReadFile(f.path)
		if err != nil {
			return err
		}
		q := url.Values{"name": {filepath.Base(f.path)}}
		for k, v := range map[string]string{"accountId": c.accountID, "region": c.region, "globalRegion": c.globalRegion} {
			if v != "" {
				q.Set(k, v)
			}
		}
		if c.createAccounts {
			q.Set("createAccounts", "true")
		}
		u := *base
		u.RawQuery = q.Encode()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/octet-stream")
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])
		req.Header.Set("X-Amz-Content-Sha256", hash)
		if err := signer.SignHTTP(ctx, creds, req, hash, "config", region, time.Now()); err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		answer, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			var e struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			_ = json.Unmarshal(answer, &e)
			return fmt.Errorf("%s: %s: %s %s", f.path, resp.Status, e.Type, cmp.Or(e.Message, strings.TrimSpace(string(answer))))
		}
		var r configservice.ImportResult
		if err := json.Unmarshal(answer, &r); err != nil {
			return fmt.Errorf("%s: the server's answer: %w", f.path, err)
		}
		res.Merge(r)
		p.bytes.Add(f.size)
		p.items.Store(int64(res.Imported + res.Skipped))
	}
	return nil
}

// printSummary prints what was imported, skipped and created.
func (c *importCommand) printSummary(res *configservice.ImportResult, total int64, d time.Duration) {
	rate := 0.0
	if d > 0 {
		rate = float64(res.Imported) / d.Seconds()
	}
	fmt.Fprintf(c.stdout, "Imported %d configuration items from %d %s (%s) in %s: %.0f items/s.\n",
		res.Imported, res.Files, plural(res.Files, "file", "files"), formatBytes(total), d.Round(time.Millisecond), rate)
	if len(res.Counts) > 0 {
		fmt.Fprintln(c.stdout)
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ACCOUNT\tREGION\tRESOURCE TYPE\tITEMS")
		for _, r := range res.Counts {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\n", r.Account, r.Region, r.ResourceType, r.Items)
		}
		tw.Flush()
	}
	if res.Skipped > 0 {
		fmt.Fprintf(c.stdout, "\nSkipped %d %s:\n", res.Skipped, plural(res.Skipped, "item", "items"))
		reasons := make([]string, 0, len(res.SkipReasons))
		for r := range res.SkipReasons {
			reasons = append(reasons, r)
		}
		slices.SortFunc(reasons, func(a, b string) int {
			return cmp.Or(cmp.Compare(res.SkipReasons[b], res.SkipReasons[a]), cmp.Compare(a, b))
		})
		for _, r := range reasons {
			fmt.Fprintf(c.stdout, "  %8d  %s\n", res.SkipReasons[r], r)
		}
	}
	if len(res.CreatedAccounts) > 0 {
		fmt.Fprintf(c.stdout, "\nCreated %d %s (origin import). Their root credentials, shown once:\n", len(res.CreatedAccounts), plural(len(res.CreatedAccounts), "account", "accounts"))
		for _, a := range res.CreatedAccounts {
			fmt.Fprintf(c.stdout, "  %s  AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s\n", a.ID, a.AccessKeyID, a.SecretAccessKey)
		}
	}
	if len(res.NotRecording) > 0 {
		fmt.Fprintf(c.stdout, "\nNo configuration recorder is running in %s: the items are stored, and GetDiscoveredResourceCounts lists them once one runs.\n",
			strings.Join(res.NotRecording, ", "))
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// fileTime finds the timestamp in an AWS Config file name (ConfigSnapshot_<time>_…,
// ConfigHistory_<type>_<from>_<to>_…), so that files are imported in time order.
var fileTime = regexp.MustCompile(`\d{8}T\d{6}Z`)

// collectImportFiles expands the arguments into the files to import: every file named, and the
// *.json and *.json.gz files under every directory named (hidden files, such as a snapshot
// being written, are left out). They are ordered by the time in their AWS names, then by path.
func collectImportFiles(paths []string) ([]importFile, error) {
	var out []importFile
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, importFile{path: p, size: st.Size()})
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if d.IsDir() || strings.HasPrefix(name, ".") || !(strings.HasSuffix(name, ".json") || strings.HasSuffix(name, ".json.gz")) {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			out = append(out, importFile{path: path, size: info.Size()})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	slices.SortStableFunc(out, func(a, b importFile) int {
		return cmp.Or(cmp.Compare(fileTime.FindString(filepath.Base(a.path)), fileTime.FindString(filepath.Base(b.path))), cmp.Compare(a.path, b.path))
	})
	return slices.CompactFunc(out, func(a, b importFile) bool { return a.path == b.path }), nil
}

// countingReader counts the bytes read from a file, for the progress display.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
