package malformed

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/api/iamapi"
	"github.com/orgconfig/orgconfig/internal/api/organizationsapi"
	"github.com/orgconfig/orgconfig/internal/api/stsapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/testserver"
)

// workersPerService is how many operations of one service are worked on at once.
const workersPerService = 3

// examplesPerProblem bounds the failures reported in full for one kind of problem (the same
// problem of the same variant); the rest are counted.
const examplesPerProblem = 2

// TestMalformedRequests sends every operation of the four services its malformed variants
// and checks each answer: a 4xx in the protocol's error shape (the exact status and code where
// the variant determines them), and a healthy server after every operation.
func TestMalformedRequests(t *testing.T) {
	for _, svc := range []*awsproto.Service{configapi.Service, organizationsapi.Service, iamapi.Service, stsapi.Service} {
		t.Run(svc.Name, func(t *testing.T) {
			t.Parallel()
			runService(t, svc)
		})
	}
}

// failure is one answer that was not what its request expected.
type failure struct {
	variant string // what is malformed, without the member path
	request string
	problem string
	answer  string
}

func runService(t *testing.T, svc *awsproto.Service) {
	start := time.Now()
	srv := testserver.Start(t)
	if !strings.HasPrefix(srv.Endpoint, "http://127.0.0.1:") {
		t.Fatalf("the test server listens on %s, not on 127.0.0.1", srv.Endpoint)
	}
	s := &sender{svc: svc, endpoint: srv.Endpoint, client: loopbackClient()}
	t.Cleanup(s.client.CloseIdleConnections) // before the server's shutdown, registered earlier
	p := &planner{svc: svc}
	ctx := context.Background()

	var (
		mu       sync.Mutex
		failures []failure
		byKind   = map[string]int{}
		sites    int
		clean    int
	)
	var sent atomic.Int64
	run := func(r request) {
		a, err := s.send(ctx, r)
		sent.Add(1)
		problem := ""
		answerText := ""
		if err != nil {
			problem = "no answer: " + err.Error()
		} else {
			problem = check(svc.Protocol, r, a)
			answerText = fmt.Sprintf("%d %s", a.status, clip(a.body, 400))
		}
		mu.Lock()
		defer mu.Unlock()
		byKind[r.kind]++
		if problem != "" {
			failures = append(failures, failure{variantOf(r.what), s.describe(r), problem, answerText})
		}
	}
	health := func(after string) {
		if err := s.healthy(ctx); err != nil {
			mu.Lock()
			failures = append(failures, failure{"health", after, "the server is not healthy afterwards: " + err.Error(), ""})
			mu.Unlock()
		}
	}

	names := make([]string, 0, len(svc.Operations))
	for name := range svc.Operations {
		names = append(names, name)
	}
	sort.Strings(names)

	work := make(chan string)
	var wg sync.WaitGroup
	for range workersPerService {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for name := range work {
				plan := p.plan(svc.Operations[name])
				mu.Lock()
				sites += plan.sites
				if plan.clean {
					clean++
				}
				mu.Unlock()
				for _, r := range plan.requests {
					run(r)
				}
				health(svc.Name + " " + name + " (after its variants)")
			}
		}()
	}
	for _, name := range names {
		work <- name
	}
	close(work)
	wg.Wait()
	for _, r := range p.serviceBodies(names[0]) {
		run(r)
	}
	health(svc.Name + " (after the service-wide bodies)")

	t.Logf("%s: %d requests to %d operations in %v: %d member variants over %d input places, %d malformed bodies, %d broken signatures; %d of %d operations with a baseline the model accepts",
		svc.Name, sent.Load(), len(names), time.Since(start).Round(time.Millisecond),
		byKind[kindMember], sites, byKind[kindBody], byKind[kindSig], clean, len(names))
	reportFailures(t, svc.Name, failures)
}

// reportFailures fails t with a few examples of every kind of problem in full, and the count
// of each, so that one defect behind many variants stays readable.
func reportFailures(t *testing.T, service string, failures []failure) {
	if len(failures) == 0 {
		return
	}
	sort.Slice(failures, func(i, j int) bool { return failures[i].request < failures[j].request })
	groups := map[string][]failure{}
	for _, f := range failures {
		k := problemClass(f.problem) + " — " + f.variant
		groups[k] = append(groups[k], f)
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var summary []string
	for _, k := range keys {
		g := groups[k]
		summary = append(summary, fmt.Sprintf("%6d  %s", len(g), k))
		for i, f := range g {
			if i == examplesPerProblem {
				t.Errorf("… and %d more like these", len(g)-i)
				break
			}
			t.Errorf("%s\n    %s\n    answer: %s", f.request, f.problem, f.answer)
		}
	}
	t.Errorf("%s: %d malformed requests were not answered as expected:\n%s", service, len(failures), strings.Join(summary, "\n"))
}

// variantOf is what is malformed in a request, without the member path it names.
func variantOf(what string) string {
	if i := strings.LastIndex(what, ": "); i >= 0 {
		return what[i+2:]
	}
	return what
}

// problemClass groups problems by what went wrong, not by the member or code involved: the
// examples show those.
func problemClass(p string) string {
	switch {
	case strings.Contains(p, " does not name the member "):
		return "an error that does not name the member"
	case strings.HasPrefix(p, "error ") && strings.Contains(p, ", want one of "):
		return "an error other than " + p[strings.Index(p, ", want one of ")+len(", want one of "):]
	case strings.HasPrefix(p, "status ") && strings.Contains(p, ", want "):
		if i := strings.Index(p, " "); i >= 0 && strings.Contains(p, "client error") {
			return "status " + p[i+1:i+4] + ", want a client error"
		}
	}
	return p
}
