package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Call is one AWS API request a scenario measures. The runner signs it (SigV4, with the target's
// credentials) before the timed loop and replays the signed copies.
type Call struct {
	// Name identifies the call in results, e.g. "sts:GetCallerIdentity".
	Name string
	// Label describes it for humans (the table's first column).
	Label string
	// Service and Region are the SigV4 credential scope.
	Service, Region string
	// Method, Path, Header and Body are the request; Path is relative to the target's endpoint.
	Method, Path string
	Header       http.Header
	Body         []byte
	// Accept lists AWS error codes that count as a normal answer (for example
	// NotImplementedException while an operation is a stub). 2xx answers are always accepted.
	Accept []string
	// Targets restricts the call to these targets; empty means every target.
	Targets []string
}

func (c *Call) runsOn(target string) bool {
	return len(c.Targets) == 0 || slices.Contains(c.Targets, target)
}

// signedRequest is a request signed once, replayed many times.
type signedRequest struct {
	url    *url.URL
	header http.Header
	body   []byte
}

// sign returns n copies of c signed for t, with signing times now, now-1s, ... so that the
// signatures differ. The server accepts 5 minutes of clock skew: a cell must finish within that.
func sign(ctx context.Context, t *Target, c *Call, n int, now time.Time) ([]signedRequest, error) {
	u, err := url.Parse(t.Endpoint + c.Path)
	if err != nil {
		return nil, err
	}
	if u.Hostname() != "127.0.0.1" {
		return nil, fmt.Errorf("target %s: endpoint %s is not on 127.0.0.1", t.Name, t.Endpoint)
	}
	sum := sha256.Sum256(c.Body)
	hash := hex.EncodeToString(sum[:])
	signer := v4.NewSigner()
	out := make([]signedRequest, n)
	for i := range out {
		req, err := http.NewRequestWithContext(ctx, c.Method, u.String(), bytes.NewReader(c.Body))
		if err != nil {
			return nil, err
		}
		for k, v := range c.Header {
			req.Header[k] = slices.Clone(v)
		}
		if err := signer.SignHTTP(ctx, t.Creds, req, hash, c.Service, c.Region, now.Add(-time.Duration(i)*time.Second)); err != nil {
			return nil, err
		}
		out[i] = signedRequest{url: u, header: req.Header, body: c.Body}
	}
	return out, nil
}

// answer is what a target said to a probe request.
type answer struct {
	Status int    `json:"status"`
	Code   string `json:"code,omitempty"`
}

func (a answer) String() string {
	if a.Code == "" {
		return fmt.Sprint(a.Status)
	}
	return fmt.Sprintf("%d %s", a.Status, a.Code)
}

// errorCode extracts the AWS error code of an answer: x-amzn-ErrorType, the JSON __type, or
// the Query XML <Code>.
func errorCode(h http.Header, body []byte) string {
	if v := h.Get("X-Amzn-Errortype"); v != "" {
		return trimCode(v)
	}
	var j struct {
		Type string `json:"__type"`
	}
	if json.Unmarshal(body, &j) == nil && j.Type != "" {
		return trimCode(j.Type)
	}
	var x struct {
		Code  string `xml:"Error>Code"`
		Code2 string `xml:"Errors>Error>Code"`
	}
	if xml.Unmarshal(body, &x) == nil {
		if x.Code != "" {
			return x.Code
		}
		return x.Code2
	}
	return ""
}

// trimCode turns "aws.protocoltests#FooException:http://..." into "FooException".
func trimCode(s string) string {
	if i := bytes.IndexByte([]byte(s), ':'); i >= 0 {
		s = s[:i]
	}
	if i := bytes.LastIndexByte([]byte(s), '#'); i >= 0 {
		s = s[i+1:]
	}
	return s
}

// Cell is one measurement: one call, one target, one concurrency.
type Cell struct {
	Scenario    string  `json:"scenario"`
	Call        string  `json:"call"`
	Label       string  `json:"label"`
	Target      string  `json:"target"`
	Concurrency int     `json:"concurrency"`
	Answer      answer  `json:"answer"`
	Requests    int     `json:"requests"`
	Errors      int     `json:"errors"`
	Seconds     float64 `json:"seconds"`
	RPS         float64 `json:"requests_per_second"`
	P50us       float64 `json:"p50_us"`
	P99us       float64 `json:"p99_us"`
	// RoundsRPS is the req/s of every round when -rounds > 1; the cell is the median round.
	RoundsRPS []float64 `json:"rounds_rps,omitempty"`
	// VsBare is this cell's requests/s divided by the bare handler's in the same run (0 when
	// there is no bare cell to compare with).
	VsBare float64 `json:"vs_bare,omitempty"`
	// VsMoto is this cell's requests/s divided by moto_server's in the same run (0 when there
	// is no moto cell to compare with).
	VsMoto float64 `json:"vs_moto,omitempty"`
	// Dials is how many TCP connections the raw client opened for the cell (probe, warm-up and
	// timed loop): the concurrency when the target keeps every connection alive.
	Dials int `json:"dials,omitempty"`
	// Skipped explains why the cell was not measured.
	Skipped string `json:"skipped,omitempty"`
}

// runner measures cells with one cheap client.
type runner struct {
	opts      *Options
	transport *http.Transport
}

func newRunner(o *Options) *runner {
	maxConc := 1
	for _, c := range o.Concurrency {
		maxConc = max(maxConc, c)
	}
	return &runner{opts: o, transport: &http.Transport{
		Proxy:               nil, // loopback only: never a proxy from the environment
		MaxIdleConns:        4 * maxConc,
		MaxIdleConnsPerHost: 2 * maxConc,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}}
}

// do sends one signed request and reads the whole answer.
func (r *runner) do(ctx context.Context, s *signedRequest) (int, http.Header, []byte, error) {
	req := &http.Request{
		Method:        http.MethodPost,
		URL:           s.url,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        s.header, // shared, read-only
		Body:          io.NopCloser(bytes.NewReader(s.body)),
		ContentLength: int64(len(s.body)),
		Host:          s.url.Host,
	}
	req = req.WithContext(ctx)
	resp, err := r.transport.RoundTrip(req)
	if err != nil {
		return 0, nil, nil, err
	}
	var body []byte
	if ctx.Value(keepBody{}) != nil {
		body, err = io.ReadAll(resp.Body)
	} else {
		_, err = io.Copy(io.Discard, resp.Body)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header, body, err
}

type keepBody struct{}

// measure runs one cell: sign, probe, warm up, then the timed loop.
func (r *runner) measure(ctx context.Context, scenario string, t *Target, c *Call, conc int) (Cell, error) {
	cell := Cell{Scenario: scenario, Call: c.Name, Label: c.Label, Target: t.Name, Concurrency: conc}
	if c.Method != http.MethodPost {
		return cell, fmt.Errorf("call %s: only POST is supported", c.Name)
	}
	reqs, err := sign(ctx, t, c, r.opts.Signed, time.Now())
	if err != nil {
		return cell, err
	}

	// send(w, i) sends request i from worker w and returns the status code; probe sends request
	// 0 and keeps the answer's header and body.
	var (
		send  func(ctx context.Context, w, i int) (int, error)
		probe func(ctx context.Context) (int, http.Header, []byte, error)
		done  func()
	)
	switch r.opts.Client {
	case clientRaw:
		raws := make([]rawRequest, len(reqs))
		for i := range reqs {
			raws[i] = serialize(c.Method, &reqs[i])
		}
		conns := make([]*rawConn, conc)
		deadline := time.Now().Add(r.opts.Warmup + r.opts.Duration + 2*time.Minute)
		for w := range conns {
			conns[w] = &rawConn{addr: reqs[0].url.Host, deadline: deadline}
		}
		closeAll := func() {
			for _, rc := range conns {
				rc.Close()
			}
		}
		stop := context.AfterFunc(ctx, closeAll) // an interrupt ends the requests in flight
		done = func() {
			stop()
			closeAll()
			for _, rc := range conns {
				cell.Dials += rc.dials
			}
		}
		send = func(ctx context.Context, w, i int) (int, error) {
			a, err := conns[w].do(ctx, raws[i%len(raws)], false)
			return a.status, err
		}
		probe = func(ctx context.Context) (int, http.Header, []byte, error) {
			a, err := conns[0].do(ctx, raws[0], true)
			return a.status, a.header, a.body, err
		}
	default:
		done = r.transport.CloseIdleConnections
		send = func(ctx context.Context, _, i int) (int, error) {
			status, _, _, err := r.do(ctx, &reqs[i%len(reqs)])
			return status, err
		}
		probe = func(ctx context.Context) (int, http.Header, []byte, error) {
			return r.do(context.WithValue(ctx, keepBody{}, true), &reqs[0])
		}
	}

	// Probe: what does the target answer? The timed loop then counts every other answer as an
	// error.
	status, h, body, err := probe(ctx)
	if err != nil {
		done()
		return cell, fmt.Errorf("probe %s on %s: %w", c.Name, t.Name, err)
	}
	cell.Answer = answer{Status: status}
	if status/100 != 2 {
		cell.Answer.Code = errorCode(h, body)
		if !slices.Contains(c.Accept, cell.Answer.Code) {
			done()
			return cell, fmt.Errorf("probe %s on %s: answer %s is not an accepted answer: %s", c.Name, t.Name, cell.Answer, bytes.TrimSpace(body))
		}
	}

	if r.opts.Warmup > 0 {
		r.loop(ctx, send, conc, status, r.opts.Warmup, 0)
	}
	res := r.loop(ctx, send, conc, status, r.opts.Duration, r.opts.Count)
	done()

	cell.Requests, cell.Errors = len(res.lat), res.errors
	cell.Seconds = res.elapsed.Seconds()
	if cell.Seconds > 0 {
		cell.RPS = float64(cell.Requests) / cell.Seconds
	}
	slices.Sort(res.lat)
	cell.P50us = percentile(res.lat, 0.50)
	cell.P99us = percentile(res.lat, 0.99)
	return cell, nil
}

func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.5) - 1
	i = min(max(i, 0), len(sorted)-1)
	return float64(sorted[i].Nanoseconds()) / 1e3
}

type loopResult struct {
	lat     []time.Duration // of the answers that were not errors
	errors  int
	elapsed time.Duration
}

// loop sends requests from conc workers until d has passed or, when count > 0, count requests
// were sent. Requests in flight at the deadline complete and are counted.
func (r *runner) loop(ctx context.Context, send func(ctx context.Context, w, i int) (int, error), conc, wantStatus int, d time.Duration, count int) loopResult {
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		res      loopResult
		budget   atomic.Int64
		deadline = time.Now().Add(d)
	)
	budget.Store(int64(count))
	start := time.Now()
	for w := range conc {
		wg.Add(1)
		go pprof.Do(ctx, pprof.Labels("side", "client"), func(ctx context.Context) {
			defer wg.Done()
			lat := make([]time.Duration, 0, 4096)
			errs := 0
			done := ctx.Done()
		loop:
			for i := w; ; i++ {
				if count > 0 && budget.Add(-1) < 0 {
					break
				}
				select {
				case <-done: // interrupted
					break loop
				default:
				}
				t0 := time.Now()
				if !t0.Before(deadline) {
					break
				}
				status, err := send(ctx, w, i)
				if err != nil || status != wantStatus {
					errs++
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			res.lat = append(res.lat, lat...)
			res.errors += errs
			mu.Unlock()
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

// credentials is a helper for static keys.
func credentials(akid, secret string) aws.Credentials {
	return aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret, Source: "bench"}
}
