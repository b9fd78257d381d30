package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/orgconfig/orgconfig/internal/sdkhttp"
	"github.com/orgconfig/orgconfig/internal/server"
)

// The ingest scenario measures PutResourceConfig, the AWS API's only way to push configuration
// items, over 10 accounts × 2 regions at -concurrency (the target's: 8): items/s of orgconfig
// (SQLite, strict SigV4, history kept: every put of new content is a new history record) beside
// the bare handler and moto_server, with the same request bodies. Every request carries a
// distinct resource, so each one is a real write (re-sending identical content would be a no-op
// for orgconfig). The requests are signed before the timed loop, each exactly once, and each is
// sent once.
func init() {
	register(&Scenario{
		Name:    "ingest",
		Summary: "PutResourceConfig over 10 accounts x 2 regions, distinct items, pre-signed: items/s vs bare and moto",
		Direct:  ingestRun,
	})
}

const (
	ingestAccounts = 10
	ingestType     = "BenchCo::Inventory::Item"
)

var ingestRegions = []string{"us-east-1", "eu-west-1"}

// ingestScope is one (account, region) with the credentials of the account's root.
type ingestScope struct {
	account, region string
	creds           aws.Credentials
}

func ingestRun(ctx context.Context, o *Options, progress io.Writer) (*directResult, error) {
	res := &directResult{}
	perCell := o.Count
	if perCell <= 0 {
		perCell = 40000
	}
	for _, name := range o.Targets {
		var (
			t      *Target
			scopes []ingestScope
			err    error
		)
		switch name {
		case targetBare:
			t, err = startBare(ctx, o)
			for i := range ingestAccounts {
				for _, r := range ingestRegions {
					scopes = append(scopes, ingestScope{fmt.Sprintf("%012d", 200000000000+i), r, t.Creds})
				}
			}
		case targetOrgconfig:
			t, scopes, err = startIngestOrgconfig(ctx, o)
		case targetMoto:
			t, err = startMoto(ctx, o, 10*time.Minute)
			if err != nil {
				res.Notes = append(res.Notes, "ingest: moto not measured: "+err.Error())
				continue
			}
			// moto takes a 12-digit access key ID as the account.
			for i := range ingestAccounts {
				acct := fmt.Sprintf("%012d", 200000000000+i)
				for _, r := range ingestRegions {
					scopes = append(scopes, ingestScope{acct, r, credentials(acct, "testing")})
				}
			}
		}
		if err != nil {
			return nil, fmt.Errorf("start %s: %w", name, err)
		}
		res.Backends = append(res.Backends, targetInfo{Name: t.Name, Endpoint: t.Endpoint, Note: t.Note})
		notes, err := ingestTarget(ctx, o, t, scopes, perCell, progress)
		if cerr := t.Close(); err == nil && cerr != nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		res.Notes = append(res.Notes, notes...)
	}
	return res, nil
}

// startIngestOrgconfig runs orgconfig in this process as startOrgconfig does, and creates the
// accounts through its directory (as `orgconfig accounts create` does).
func startIngestOrgconfig(ctx context.Context, o *Options) (*Target, []ingestScope, error) {
	dir, err := os.MkdirTemp(o.StoreDir, "orgconfig-ingest-")
	if err != nil {
		return nil, nil, err
	}
	srv, err := server.New(ctx, server.Options{
		DataDir: dir, AccountID: benchAccount, RootAccessKeyID: benchKey, RootSecretAccessKey: benchSecret,
		Logger: slog.New(slog.DiscardHandler), Version: "bench",
		// The store's durability mode, as orgconfig serve reads it (default full).
		SQLiteSynchronous: os.Getenv("ORGCONFIG_SQLITE_SYNCHRONOUS"),
	})
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	var scopes []ingestScope
	for i := range ingestAccounts {
		_, cred, err := srv.Directory().CreateAccount(ctx, fmt.Sprintf("%012d", 200000000000+i), "", "", "bench")
		if err != nil {
			_ = srv.Shutdown(ctx)
			os.RemoveAll(dir)
			return nil, nil, err
		}
		for _, r := range ingestRegions {
			scopes = append(scopes, ingestScope{cred.Account, r, credentials(cred.AccessKeyID, cred.SecretAccessKey)})
		}
	}
	ln, err := listenLoopback()
	if err != nil {
		_ = srv.Shutdown(ctx)
		os.RemoveAll(dir)
		return nil, nil, err
	}
	done := serveLabeled("server", srv, ln)
	return &Target{
		Name: targetOrgconfig, Endpoint: "http://" + ln.Addr().String(), Creds: credentials(benchKey, benchSecret),
		Note: "in-process internal/server, SQLite (synchronous=" + strings.ToUpper(cmp.Or(os.Getenv("ORGCONFIG_SQLITE_SYNCHRONOUS"), "full")) +
			") in " + dir + ", strict SigV4, logging off, history kept",
		close: func() error {
			sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			err := srv.Shutdown(sctx)
			if serr := <-done; err == nil {
				err = serr
			}
			os.RemoveAll(dir)
			return err
		},
	}, scopes, nil
}

// ingestSetup gives every scope a recorder, a delivery channel and starts the recorder, through
// aws-sdk-go-v2.
func ingestSetup(ctx context.Context, t *Target, scopes []ingestScope) error {
	for _, s := range scopes {
		c := configservice.NewFromConfig(aws.Config{
			Region: s.region, Credentials: awscreds.NewStaticCredentialsProvider(s.creds.AccessKeyID, s.creds.SecretAccessKey, ""),
			BaseEndpoint: aws.String(t.Endpoint), RetryMaxAttempts: 1,
			HTTPClient: sdkhttp.Client(30*time.Second, nil),
		})
		if _, err := c.PutConfigurationRecorder(ctx, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cfgtypes.ConfigurationRecorder{
			Name: aws.String("default"), RoleARN: aws.String("arn:aws:iam::" + s.account + ":role/config"),
			RecordingGroup: &cfgtypes.RecordingGroup{AllSupported: true},
		}}); err != nil {
			return fmt.Errorf("PutConfigurationRecorder %s/%s: %w", s.account, s.region, err)
		}
		if _, err := c.PutDeliveryChannel(ctx, &configservice.PutDeliveryChannelInput{DeliveryChannel: &cfgtypes.DeliveryChannel{
			Name: aws.String("default"), S3BucketName: aws.String("bench-bucket"),
		}}); err != nil {
			return fmt.Errorf("PutDeliveryChannel %s/%s: %w", s.account, s.region, err)
		}
		if _, err := c.StartConfigurationRecorder(ctx, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")}); err != nil {
			return fmt.Errorf("StartConfigurationRecorder %s/%s: %w", s.account, s.region, err)
		}
	}
	return nil
}

// ingestBody is the PutResourceConfig body of item i: ~400 bytes of configuration, as a small
// real resource description.
func ingestBody(i int) []byte {
	return fmt.Appendf(nil, `{"ResourceType":%q,"SchemaVersionId":"00000001","ResourceId":"item-%08d","ResourceName":"item %d",`+
		`"Configuration":"{\"id\":\"item-%08d\",\"size\":%d,\"state\":\"running\",\"owner\":\"team-%d\",\"labels\":[\"a\",\"b\",\"c\"],`+
		`\"network\":{\"vpc\":\"vpc-%06d\",\"subnet\":\"subnet-%06d\",\"ips\":[\"10.0.%d.%d\"]},\"description\":\"%s\"}",`+
		`"Tags":{"env":"bench","n":"%d"}}`,
		ingestType, i, i, i, i%1000, i%17, i%50, i%200, i%256, i%250, strings.Repeat("x", 120), i)
}

// ingestTarget sets the target up, signs perCell distinct requests round-robin over the scopes
// and sends each once from -concurrency workers.
func ingestTarget(ctx context.Context, o *Options, t *Target, scopes []ingestScope, perCell int, progress io.Writer) ([]string, error) {
	if t.Name != targetBare {
		if err := ingestSetup(ctx, t, scopes); err != nil {
			return nil, err
		}
	}
	u, err := url.Parse(t.Endpoint + "/")
	if err != nil {
		return nil, err
	}
	var notes []string
	for _, conc := range o.Concurrency {
		fmt.Fprintf(progress, "bench: ingest c=%d on %s: signing %d requests ... ", conc, t.Name, perCell)
		base := conc * 10_000_000 // distinct resources per cell
		signer := v4.NewSigner()
		now := time.Now()
		reqs := make([]signedRequest, perCell)
		for i := range reqs {
			s := scopes[i%len(scopes)]
			body := ingestBody(base + i)
			sum := sha256.Sum256(body)
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Target", "StarlingDoveService.PutResourceConfig")
			if err := signer.SignHTTP(ctx, s.creds, req, hex.EncodeToString(sum[:]), "config", s.region, now); err != nil {
				return nil, err
			}
			reqs[i] = signedRequest{url: u, header: req.Header, body: body}
		}
		fmt.Fprintf(progress, "%.1fs; ", time.Since(now).Seconds())
		r := newRunner(o)
		// Probe with the first request: its answer is the expected one.
		status, h, body, err := r.do(context.WithValue(ctx, keepBody{}, true), &reqs[0])
		if err != nil {
			return nil, err
		}
		ans := answer{Status: status}
		if status/100 != 2 {
			ans.Code = errorCode(h, body)
			note := fmt.Sprintf("ingest: %s answers PutResourceConfig with %s: %s", t.Name, ans, bytes.TrimSpace(body))
			fmt.Fprintln(progress, note)
			notes = append(notes, note)
			if t.Name != targetMoto {
				return notes, fmt.Errorf("probe: %s", note)
			}
		}
		var (
			next   atomic.Int64
			errs   atomic.Int64
			wg     sync.WaitGroup
			mu     sync.Mutex
			lats   []time.Duration
			start  = time.Now()
			dl     = start.Add(o.Duration)
			nsent  atomic.Int64
			first  sync.Once
			ferror string
		)
		next.Store(1)
		stopProfile, err := startProfile(o, t, &Call{Name: "config-PutResourceConfig"}, conc, 0)
		if err != nil {
			return notes, err
		}
		for range conc {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var my []time.Duration
				for {
					i := int(next.Add(1) - 1)
					if i >= len(reqs) || time.Now().After(dl) || ctx.Err() != nil {
						break
					}
					t0 := time.Now()
					st, hh, bb, err := r.do(ctx, &reqs[i])
					nsent.Add(1)
					if err != nil || st != status {
						errs.Add(1)
						first.Do(func() { ferror = fmt.Sprint(st, " ", errorCode(hh, bb), " ", err) })
						continue
					}
					my = append(my, time.Since(t0))
				}
				mu.Lock()
				lats = append(lats, my...)
				mu.Unlock()
			}()
		}
		wg.Wait()
		el := time.Since(start)
		stopProfile()
		r.transport.CloseIdleConnections()
		slices.Sort(lats)
		rate := float64(len(lats)) / el.Seconds()
		line := fmt.Sprintf("ingest: %-9s c=%d: %d PutResourceConfig in %.1fs = %.0f items/s, p50 %.0fµs, p99 %.0fµs, %d errors (answer %s)",
			t.Name, conc, len(lats), el.Seconds(), rate, percentile(lats, 0.5), percentile(lats, 0.99), errs.Load(), ans)
		if ferror != "" {
			line += "; first error: " + ferror
		}
		fmt.Fprintln(progress, strings.TrimPrefix(line, "ingest: "))
		notes = append(notes, line+"; "+strconv.Itoa(len(scopes))+" account/region scopes")
	}
	return notes, nil
}
