package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/orgconfig/orgconfig/internal/gogc"
)

// Scenario is a named set of calls to measure.
type Scenario struct {
	Name    string
	Summary string
	// Calls returns the calls to measure.
	Calls func(ctx context.Context, o *Options) ([]Call, error)
	// Setup, when set, prepares a target before its cells (for example seeds data); it runs
	// once per target.
	Setup func(ctx context.Context, o *Options, t *Target) error
	// Direct, when set instead of Calls, measures something other than HTTP targets (the store
	// scenario: store.Store.Write on each backend of -backends). It runs once, after the HTTP
	// scenarios; its cells and notes join the report. -targets does not apply to it.
	Direct func(ctx context.Context, o *Options, progress io.Writer) (*directResult, error)
}

// directResult is what a Direct scenario measured.
type directResult struct {
	Backends   []targetInfo
	StoreCells []StoreCell
	Notes      []string
}

var scenarios = map[string]*Scenario{}

func register(s *Scenario) { scenarios[s.Name] = s }

// Options are the harness's flags.
type Options struct {
	Scenarios   []string
	Targets     []string
	Concurrency []int
	Duration    time.Duration
	Warmup      time.Duration
	Count       int
	Rounds      int
	Signed      int
	JSONOp      string
	JSONBody    string
	AcceptCodes []string
	Log         bool
	CPUProfile  string
	ProfileOf   []string
	JSON        bool
	JSONOut     string
	MotoServer  string
	MotoLife    time.Duration
	// Client is the harness client: raw (one TCP connection per worker, pre-serialized
	// HTTP/1.1 requests) or nethttp (net/http's Transport).
	Client string
	// Backends, DatabaseURL, StoreDir and StoreBatch configure the store-write scenario.
	Backends    []string
	DatabaseURL string
	StoreDir    string
	StoreBatch  int
	// QueryRuns is the number of runs of each query of the query scenario.
	QueryRuns int
	// QueryOnly, when set, runs only the queries whose names contain it.
	QueryOnly string
	// QueryDist prints more percentiles of each query and its store answer.
	QueryDist bool
	// Command is the command line, for the report.
	Command string
}

const usageText = `bench measures orgconfig's requests/s and latency beside a bare net/http JSON handler
measured in the same run, on the same machine, with the same client (and moto_server when it
is installed).

Usage:
  go run ./bench [flags]

Targets (-targets):
  bare       a net/http handler in this process, on its own 127.0.0.1 port: reads the body,
             decodes it (JSON, or the form for Query calls), writes a small JSON answer with
             Content-Type, x-amzn-RequestId and Content-Length. No signature check: the honest
             baseline for "an HTTP JSON service on this machine".
  orgconfig  the complete server (internal/server) in this process on 127.0.0.1:0, SQLite in a
             temporary directory, strict SigV4. Logging off unless -log.
  moto       moto_server started as a child process on a free 127.0.0.1 port, killed by PID at
             the end (and after -moto-lifetime at the latest). Skipped, with a note, when
             moto_server is not installed.

Client: requests are signed (SigV4, aws-sdk-go-v2's signer) before each cell and replayed.
-client raw (the default): each worker has one persistent TCP connection; each signed request
is serialized once, before the timed loop, into its HTTP/1.1 bytes, written as is, and the
answer is read with a minimal reader (status line, headers, Content-Length or chunked body,
discarded; reconnects when the server closes the connection). -client nethttp: one keep-alive
net/http Transport (costs more client CPU per request). Each cell runs a probe request (its answer is the expected one;
2xx, or an error code listed in -accept-codes), a warm-up, then the timed loop. Every other
answer counts as an error. Only 127.0.0.1 is ever contacted. Before its cells a scenario may
prepare each target (control: an organization, feature set ALL, with 5 member accounts on
orgconfig and moto, created through aws-sdk-go-v2; the bare handler keeps no state).

Scenarios (-scenario):
%s
The store-write scenario measures the store without HTTP: configuration-item-shaped Writes
(8 records per item) on -backends (sqlite in a fresh directory under -store-dir, synchronous=FULL;
postgres in a fresh schema of -database-url, created and dropped by the harness), 1 item per
Write and -store-batch items per Write, at each -concurrency. -duration, -warmup and -count
(items) bound its cells; -targets does not apply.

Output: a Markdown report on stdout (or JSON with -json); progress on stderr.

Examples:
  go run ./bench -scenario control
  go run ./bench -scenario control -log
  go run ./bench -scenario control -targets bare,orgconfig -duration 10s -cpuprofile /tmp/cpu.pprof
  go run ./bench -scenario control -json-op DescribeConfigurationAggregators
  go run ./bench -scenario control -json-op DescribeConfigurationRecorders -accept-codes ""
  go run ./bench -scenario store-write -database-url "$ORGCONFIG_TEST_DATABASE_URL"

Flags:
`

func main() {
	o, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	// The in-process servers run as orgconfig serve runs them (and the baselines share it).
	gogc.Tune()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := run(ctx, o, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	if o.JSONOut != "" {
		f, ferr := os.Create(o.JSONOut)
		if ferr == nil {
			ferr = rep.writeJSON(f)
			if cerr := f.Close(); ferr == nil {
				ferr = cerr
			}
		}
		if ferr != nil {
			fmt.Fprintln(os.Stderr, "bench:", ferr)
			os.Exit(1)
		}
	}
	if o.JSON {
		err = rep.writeJSON(os.Stdout)
	} else {
		err = rep.writeMarkdown(os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func parseFlags(args []string, stderr io.Writer) (*Options, error) {
	o := &Options{}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var names []string
	for n := range scenarios {
		names = append(names, n)
	}
	sort.Strings(names)
	var scenList strings.Builder
	for _, n := range names {
		fmt.Fprintf(&scenList, "  %-11s %s\n", n, scenarios[n].Summary)
	}
	fs.Usage = func() {
		fmt.Fprintf(stderr, usageText, scenList.String())
		fs.PrintDefaults()
	}
	scen := fs.String("scenario", "control", "comma-separated scenarios to run: "+strings.Join(names, ", "))
	targets := fs.String("targets", "bare,orgconfig,moto", "comma-separated targets, in the order each cell runs them")
	conc := fs.String("concurrency", "1,8", "comma-separated concurrency levels (1 = sequential)")
	fs.DurationVar(&o.Duration, "duration", 5*time.Second, "timed length of each cell")
	fs.IntVar(&o.Count, "count", 0, "stop a cell after this many requests, if before -duration (0: no limit)")
	fs.DurationVar(&o.Warmup, "warmup", time.Second, "warm-up before each cell (not measured)")
	fs.IntVar(&o.Rounds, "rounds", 1, "measure each cell this many times, the targets taking turns, and report the round with the median req/s (steadier on a shared machine)")
	fs.IntVar(&o.Signed, "signed", 8, "distinct pre-signed copies of each request, replayed round-robin")
	fs.StringVar(&o.JSONOp, "json-op", "", "adds to the control scenario a call of this AWS Config JSON 1.1 operation (e.g. DescribeConfigurationAggregators); default: none")
	fs.StringVar(&o.JSONBody, "json-body", "{}", "JSON body of that call")
	accept := fs.String("accept-codes", "NotImplementedException", "comma-separated AWS error codes accepted as a normal answer of the -json-op call (an operation still a stub answers NotImplementedException)")
	fs.BoolVar(&o.Log, "log", false, "orgconfig logs each request at info through slog's text handler into io.Discard (formatting cost, no I/O); default: logging off")
	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of each cell of -cpuprofile-targets to `file` (suffixed with target, call and concurrency); samples are labeled side=client|server|bare (go tool pprof -tagfocus side=server)")
	profileOf := fs.String("cpuprofile-targets", targetOrgconfig, "comma-separated targets whose cells -cpuprofile profiles (bare's samples are labeled side=bare)")
	fs.BoolVar(&o.JSON, "json", false, "print the results as JSON instead of Markdown")
	fs.StringVar(&o.JSONOut, "json-out", "", "also write the results as JSON to `file`")
	fs.StringVar(&o.Client, "client", clientRaw, "harness client: raw (persistent TCP connection per worker, requests pre-serialized as HTTP/1.1 bytes) or nethttp (net/http's Transport)")
	fs.StringVar(&o.MotoServer, "moto-server", "", "moto_server executable (default: from PATH or ~/.pyenv/shims)")
	fs.DurationVar(&o.MotoLife, "moto-lifetime", 0, "kill moto_server after this long at the latest (default: the run's expected length + 2m)")
	backends := fs.String("backends", "sqlite,postgres", "store-write: comma-separated store backends (sqlite, postgres)")
	fs.StringVar(&o.DatabaseURL, "database-url", os.Getenv("ORGCONFIG_TEST_DATABASE_URL"), "store-write: PostgreSQL URL on the loopback interface (a fresh schema is created and dropped per cell; default $ORGCONFIG_TEST_DATABASE_URL; postgres is skipped when empty)")
	fs.StringVar(&o.StoreDir, "store-dir", "", "store-write: parent directory of the SQLite databases (default: the system temp dir; use a disk, not a tmpfs)")
	fs.IntVar(&o.StoreBatch, "store-batch", 100, "store-write: items per Write of the batched variant (<= 1: no batched variant)")
	fs.IntVar(&o.QueryRuns, "query-runs", 20, "query: runs of each query (and of the store's own answer); more for steadier profiles")
	fs.BoolVar(&o.QueryDist, "query-dist", false, "query: also print p50 to p99.9 of each query and of the store's own answer")
	fs.StringVar(&o.QueryOnly, "query-only", "", "query: run only the queries whose names contain this (\"GROUP BY\", \"selective equality\", \"tag filter\")")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	o.Scenarios = splitList(*scen)
	for _, s := range o.Scenarios {
		if scenarios[s] == nil {
			return nil, fmt.Errorf("unknown scenario %q (have %s)", s, strings.Join(names, ", "))
		}
	}
	if len(o.Scenarios) == 0 {
		return nil, errors.New("no scenario given")
	}
	o.Backends = splitList(*backends)
	for _, b := range o.Backends {
		if b != backendSQLite && b != backendPostgres {
			return nil, fmt.Errorf("unknown backend %q (have sqlite, postgres)", b)
		}
	}
	if o.Client != clientRaw && o.Client != clientNetHTTP {
		return nil, fmt.Errorf("unknown client %q (have raw, nethttp)", o.Client)
	}
	o.Targets = splitList(*targets)
	for _, t := range o.Targets {
		if t != targetBare && t != targetOrgconfig && t != targetMoto {
			return nil, fmt.Errorf("unknown target %q (have bare, orgconfig, moto)", t)
		}
	}
	if len(o.Targets) == 0 {
		return nil, errors.New("no target given")
	}
	for _, c := range splitList(*conc) {
		n, err := strconv.Atoi(c)
		if err != nil || n < 1 || n > 1024 {
			return nil, fmt.Errorf("concurrency %q: want an integer in [1, 1024]", c)
		}
		o.Concurrency = append(o.Concurrency, n)
	}
	if len(o.Concurrency) == 0 {
		return nil, errors.New("no concurrency given")
	}
	if o.Duration <= 0 && o.Count <= 0 {
		return nil, errors.New("-duration or -count must bound each cell")
	}
	if o.Duration <= 0 {
		o.Duration = 4 * time.Minute // -count bounds the cell; stay within the signature's validity
	}
	if o.Warmup+o.Duration > 4*time.Minute {
		return nil, errors.New("-warmup + -duration must stay under 4m: the pre-signed requests expire after 5 minutes")
	}
	if o.Signed < 1 {
		o.Signed = 1
	}
	if o.Rounds < 1 {
		o.Rounds = 1
	}
	o.AcceptCodes = splitList(*accept)
	o.ProfileOf = splitList(*profileOf)
	o.Command = "go run ./bench " + strings.Join(args, " ")
	return o, nil
}

// run starts the targets, measures every cell and stops the targets.
func run(ctx context.Context, o *Options, progress io.Writer) (*report, error) {
	rep := newReport(o)
	cellsPerTarget := 0
	type plan struct {
		s     *Scenario
		calls []Call
	}
	var (
		plans  []plan
		direct []*Scenario
	)
	for _, name := range o.Scenarios {
		s := scenarios[name]
		if s.Direct != nil {
			direct = append(direct, s)
			continue
		}
		calls, err := s.Calls(ctx, o)
		if err != nil {
			return nil, fmt.Errorf("scenario %s: %w", name, err)
		}
		plans = append(plans, plan{s, calls})
		cellsPerTarget += len(calls) * len(o.Concurrency)
	}

	var targets []*Target
	defer func() {
		for _, t := range targets {
			if err := t.Close(); err != nil {
				fmt.Fprintf(progress, "bench: stopping %s: %v\n", t.Name, err)
			}
		}
	}()
	for _, name := range o.Targets {
		if len(plans) == 0 {
			break // only Direct scenarios: no HTTP target to start
		}
		var (
			t   *Target
			err error
		)
		switch name {
		case targetBare:
			t, err = startBare(ctx, o)
		case targetOrgconfig:
			t, err = startOrgconfig(ctx, o)
		case targetMoto:
			life := o.MotoLife
			if life <= 0 {
				perCell := o.Warmup + o.Duration + 2*time.Second
				life = time.Duration(cellsPerTarget*len(o.Targets)*o.Rounds)*perCell + 2*time.Minute
			}
			t, err = startMoto(ctx, o, life)
			if err != nil {
				rep.Notes = append(rep.Notes, "moto: not measured: "+err.Error())
				fmt.Fprintf(progress, "bench: moto skipped: %v\n", err)
				continue
			}
		}
		if err != nil {
			return nil, fmt.Errorf("start %s: %w", name, err)
		}
		targets = append(targets, t)
		rep.Targets = append(rep.Targets, targetInfo{Name: t.Name, Endpoint: t.Endpoint, Note: t.Note})
		fmt.Fprintf(progress, "bench: %s on %s (%s)\n", t.Name, t.Endpoint, t.Note)
	}

	for _, p := range plans {
		if p.s.Setup != nil {
			for _, t := range targets {
				if err := p.s.Setup(ctx, o, t); err != nil {
					return nil, fmt.Errorf("scenario %s: setup %s: %w", p.s.Name, t.Name, err)
				}
			}
		}
		r := newRunner(o)
		for _, c := range p.calls {
			for _, conc := range o.Concurrency {
				rounds := make([][]Cell, len(targets))
				for round := 1; round <= o.Rounds; round++ {
					for i, t := range targets {
						if ctx.Err() != nil {
							return nil, ctx.Err()
						}
						if !c.runsOn(t.Name) {
							continue
						}
						fmt.Fprintf(progress, "bench: %s %s c=%d on %s (round %d/%d) ... ", p.s.Name, c.Name, conc, t.Name, round, o.Rounds)
						stopProfile, err := startProfile(o, t, &c, conc, round)
						if err != nil {
							return nil, err
						}
						cell, err := r.measure(ctx, p.s.Name, t, &c, conc)
						stopProfile()
						if err != nil {
							cell.Skipped = err.Error()
							fmt.Fprintf(progress, "FAILED: %v\n", err)
						} else {
							fmt.Fprintf(progress, "%.0f req/s, p50 %.0fµs, p99 %.0fµs, %d errors (answer %s)\n",
								cell.RPS, cell.P50us, cell.P99us, cell.Errors, cell.Answer)
						}
						rounds[i] = append(rounds[i], cell)
					}
				}
				for _, cells := range rounds {
					if len(cells) > 0 {
						rep.Cells = append(rep.Cells, medianCell(cells))
					}
				}
			}
		}
	}
	for _, s := range direct {
		res, err := s.Direct(ctx, o, progress)
		if err != nil {
			return nil, fmt.Errorf("scenario %s: %w", s.Name, err)
		}
		rep.StoreBackends = append(rep.StoreBackends, res.Backends...)
		rep.StoreCells = append(rep.StoreCells, res.StoreCells...)
		rep.Notes = append(rep.Notes, res.Notes...)
	}
	rep.finish()
	return rep, nil
}

// startProfile starts a CPU profile for a cell of a -cpuprofile-targets target when -cpuprofile
// is set, and returns the function that stops it.
func startProfile(o *Options, t *Target, c *Call, conc, round int) (func(), error) {
	if o.CPUProfile == "" || !slices.Contains(o.ProfileOf, t.Name) {
		return func() {}, nil
	}
	ext := filepath.Ext(o.CPUProfile)
	base := strings.TrimSuffix(o.CPUProfile, ext)
	if ext == "" {
		ext = ".pprof"
	}
	name := t.Name + "." + strings.NewReplacer(":", "-", "/", "-").Replace(c.Name)
	path := fmt.Sprintf("%s.%s.c%d%s", base, name, conc, ext)
	if o.Rounds > 1 {
		path = fmt.Sprintf("%s.%s.c%d.r%d%s", base, name, conc, round, ext)
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
		if !slices.Contains(profilesWritten, path) {
			profilesWritten = append(profilesWritten, path)
		}
	}, nil
}

var profilesWritten []string

// medianCell returns the measured round with the median req/s (the lower middle one for an
// even count), with every round's req/s attached. A failed round makes the cell failed.
func medianCell(cells []Cell) Cell {
	var ok []Cell
	for _, c := range cells {
		if c.Skipped != "" {
			return c
		}
		ok = append(ok, c)
	}
	all := make([]float64, len(ok))
	for i, c := range ok {
		all[i] = c.RPS
	}
	sorted := slices.Clone(ok)
	slices.SortFunc(sorted, func(a, b Cell) int { return cmp.Compare(a.RPS, b.RPS) })
	m := sorted[(len(sorted)-1)/2]
	if len(cells) > 1 {
		m.RoundsRPS = all
	}
	return m
}
