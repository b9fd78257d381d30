package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/orgconfig/orgconfig/bench/gen"
	"github.com/orgconfig/orgconfig/internal/configservice/core"
	"github.com/orgconfig/orgconfig/internal/configservice/evaluation"
	"github.com/orgconfig/orgconfig/internal/server"
	"github.com/orgconfig/orgconfig/internal/store"
)

// The evaluate scenario measures rule evaluation: -count items (default 100,000: EC2 instances,
// S3 buckets and security groups, one account and region) are imported, then each managed rule
// below is created and its first evaluation (the job a new rule starts) is timed, run by the
// job queue in this process until nothing is due. It reports evaluations/s per rule. moto
// does not evaluate rules and a bare handler has nothing to evaluate: there is no comparison.
func init() {
	register(&Scenario{
		Name:    "evaluate",
		Summary: "evaluations/s of managed rules over -count imported items (default 100k), SQLite",
		Direct:  evaluateRun,
	})
}

// evaluateRules are the rules timed, with the number of the generated items in their scope.
var evaluateRules = []struct {
	name, identifier, params string
	share                    int // 1: every item; 3: one item in three
}{
	{"required-tags", "REQUIRED_TAGS", `{"tag1Key":"team","tag2Key":"env","tag2Value":"prod,dev"}`, 1},
	{"restricted-ssh", "INCOMING_SSH_DISABLED", "", 3},
	{"s3-versioning", "S3_BUCKET_VERSIONING_ENABLED", "", 3},
}

func evaluateRun(ctx context.Context, o *Options, progress io.Writer) (*directResult, error) {
	n := o.Count
	if n <= 0 {
		n = 100000
	}
	dir, err := os.MkdirTemp(o.StoreDir, "orgconfig-evaluate-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	srv, err := server.New(ctx, server.Options{
		DataDir: dir, AccountID: benchAccount, RootAccessKeyID: benchKey, RootSecretAccessKey: benchSecret,
		Logger: slog.New(slog.DiscardHandler), Version: "bench", NoJobLoop: true,
	})
	if err != nil {
		return nil, err
	}
	defer srv.Shutdown(context.Background())
	ln, err := listenLoopback()
	if err != nil {
		return nil, err
	}
	serveLabeled("server", srv, ln)
	endpoint := "http://" + ln.Addr().String()
	const region = "us-east-1"
	creds := credentials(benchKey, benchSecret)
	t := &Target{Name: targetOrgconfig, Endpoint: endpoint, Creds: creds}
	if err := ingestSetup(ctx, t, []ingestScope{{benchAccount, region, creds}}); err != nil {
		return nil, err
	}
	res := &directResult{Backends: []targetInfo{{Name: targetOrgconfig, Endpoint: endpoint,
		Note: "in-process internal/server, SQLite (synchronous=FULL) in " + dir + ", job loop off: the harness runs the jobs"}}}

	fmt.Fprintf(progress, "bench: evaluate: generating and importing %d items ... ", n)
	var snap bytes.Buffer
	if err := gen.Snapshot(&snap, n, gen.Accounts(1), region); err != nil {
		return nil, err
	}
	t0 := time.Now()
	if err := evaluateImport(ctx, endpoint, creds, region, snap.Bytes()); err != nil {
		return nil, err
	}
	fmt.Fprintf(progress, "%.1fs\n", time.Since(t0).Seconds())

	cfg := configservice.NewFromConfig(aws.Config{Region: region, BaseEndpoint: aws.String(endpoint),
		Credentials: awscreds.StaticCredentialsProvider{Value: creds}})
	for _, r := range evaluateRules {
		rule := &cfgtypes.ConfigRule{ConfigRuleName: aws.String(r.name),
			Source: &cfgtypes.Source{Owner: cfgtypes.OwnerAws, SourceIdentifier: aws.String(r.identifier)}}
		if r.params != "" {
			rule.InputParameters = aws.String(r.params)
		}
		if _, err := cfg.PutConfigRule(ctx, &configservice.PutConfigRuleInput{ConfigRule: rule}); err != nil {
			return nil, fmt.Errorf("PutConfigRule %s: %w", r.name, err)
		}
		stopProfile, err := startProfile(o, t, &Call{Name: "config-evaluate-" + r.name}, 1, 0)
		if err != nil {
			return nil, err
		}
		start := time.Now()
		for {
			ran, err := srv.Jobs().RunDue(ctx)
			if err != nil {
				return nil, err
			}
			if ran == 0 {
				break
			}
		}
		el := time.Since(start)
		stopProfile()
		var counts struct{ C, NC, NA int64 }
		err = srv.Store().Read(ctx, func(tx store.Tx) error {
			b, err := tx.Get(evaluation.KindRuleCompliance, core.Scope(benchAccount, region), r.name)
			if err != nil {
				return err
			}
			var c struct {
				C  int64 `json:"c"`
				NC int64 `json:"nc"`
				NA int64 `json:"na"`
			}
			if err := json.Unmarshal(b, &c); err != nil {
				return err
			}
			counts.C, counts.NC, counts.NA = c.C, c.NC, c.NA
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("results of %s: %w", r.name, err)
		}
		total := counts.C + counts.NC + counts.NA
		line := fmt.Sprintf("evaluate: %s (%s) over %d items: %d results (%d compliant, %d noncompliant, %d not applicable) in %.2fs = %.0f evaluations/s",
			r.name, r.identifier, n, total, counts.C, counts.NC, counts.NA, el.Seconds(), float64(total)/el.Seconds())
		fmt.Fprintln(progress, "bench: "+line)
		res.Notes = append(res.Notes, line)
		if want := int64(n / r.share); total < want-1 || total > want+1 {
			return nil, fmt.Errorf("%s: %d results, want about %d", r.name, total, want)
		}
	}

	// Change-triggered: every resource changes (a new tag), and the three rules evaluate the
	// changed items. Timed: the import (its item writes mark the resources) and the jobs.
	snap.Reset()
	if err := gen.SnapshotRevision(&snap, n, gen.Accounts(1), region, 1); err != nil {
		return nil, err
	}
	start := time.Now()
	if err := evaluateImport(ctx, endpoint, creds, region, snap.Bytes()); err != nil {
		return nil, err
	}
	imported := time.Since(start)
	for {
		ran, err := srv.Jobs().RunDue(ctx)
		if err != nil {
			return nil, err
		}
		if ran == 0 {
			break
		}
	}
	el := time.Since(start)
	evals := 0
	for _, r := range evaluateRules {
		evals += n / r.share
	}
	line := fmt.Sprintf("evaluate: change-triggered: %d changed items imported in %.2fs, then %d evaluations by the 3 rules in %.2fs = %.0f evaluations/s (%.0f items/s end to end)",
		n, imported.Seconds(), evals, (el - imported).Seconds(), float64(evals)/(el-imported).Seconds(), float64(n)/el.Seconds())
	fmt.Fprintln(progress, "bench: "+line)
	res.Notes = append(res.Notes, line)
	return res, nil
}

// evaluateImport loads a snapshot through the admin import call.
func evaluateImport(ctx context.Context, endpoint string, creds aws.Credentials, region string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+server.PathImport+"?name=bench.json.gz", bytes.NewReader(body))
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Content-Sha256", hash)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hash, "config", region, time.Now()); err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("import: HTTP %d: %s", resp.StatusCode, out)
	}
	return nil
}
