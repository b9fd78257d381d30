package durability

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/orgconfig/orgconfig/internal/store/postgres/pgtest"
)

// The crash loop's bounds: each cycle writes with crashWriters goroutines for crashWritePhase
// (or until crashMaxAcks acknowledged roles), then kills the server with SIGKILL while writes
// are in flight, restarts it on the same store and checks everything.
const (
	crashCycles     = 2
	crashWriters    = 4
	crashWritePhase = 1500 * time.Millisecond
	crashMaxAcks    = 1500
)

// TestKill9 is the crash test of both backends: `kill -9` of `orgconfig serve` in the middle of
// a loop of IAM CreateRole calls (a trust policy, a description, tags: several records per
// role), then a restart on the same data directory or database. After the restart every role
// whose CreateRole was acknowledged exists with exactly the fields sent and the RoleId and
// CreateDate the acknowledgment carried; every role that exists (GetRole or ListRoles) is
// complete; a role whose CreateRole was in flight at the kill either exists completely or does
// not exist at all (GetRole and ListRoles agree, and creating it again succeeds). The cycle runs
// twice on the same store, so the second restart also re-checks the first cycle's roles.
func TestKill9(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		dataDir := filepath.Join(t.TempDir(), "data")
		crashTest(t, "--data-dir", dataDir)
	})
	t.Run("postgres", func(t *testing.T) {
		url := pgtest.FreshSchema(t)
		crashTest(t, "--database-url", url, "--data-dir", t.TempDir())
	})
}

// crashState is what the test knows about the roles it tried to create.
type crashState struct {
	attempted map[string]roleSpec   // every CreateRole sent, by name
	acked     map[string]*ackedRole // CreateRole answered success
	uncertain map[string]bool       // CreateRole failed with a transport error: no answer
}

func crashTest(t *testing.T, storeArgs ...string) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	st := &crashState{attempted: map[string]roleSpec{}, acked: map[string]*ackedRole{}, uncertain: map[string]bool{}}

	p := start(t, "serve#1", storeArgs...)
	// A first write, alone, so that an unimplemented or broken CreateRole fails clearly.
	probe := newRoleSpec("probe", 0)
	st.attempted[probe.Name] = probe
	out, err := p.iam().CreateRole(ctx, probe.input())
	if err != nil {
		t.Fatalf("CreateRole (before any crash): %v", err)
	}
	if d := checkRole(out.Role, probe, nil); d != "" {
		t.Fatalf("CreateRole answered a role that differs from the request: %s", d)
	}
	st.acked[probe.Name] = &ackedRole{spec: probe, roleID: aws.ToString(out.Role.RoleId), created: aws.ToTime(out.Role.CreateDate)}

	var seq atomic.Int64
	seq.Store(1)
	for cycle := 1; cycle <= crashCycles; cycle++ {
		writeUntilKilled(ctx, t, p, cycle, &seq, st)
		if t.Failed() {
			return
		}
		p = start(t, fmt.Sprintf("serve#%d", cycle+1), storeArgs...)
		verifyAfterCrash(ctx, t, p, cycle, st)
		if t.Failed() {
			return
		}
	}
}

// writeUntilKilled runs crashWriters goroutines that create roles on p until the write phase
// is over, then kills p with SIGKILL while they are still writing, and records the outcome of
// every call in st.
func writeUntilKilled(ctx context.Context, t *testing.T, p *proc, cycle int, seq *atomic.Int64, st *crashState) {
	t.Helper()
	type result struct {
		attempted []roleSpec
		acked     []*ackedRole
		uncertain []string
		failure   string // an answer that must not happen
	}
	var (
		wg       sync.WaitGroup
		killing  atomic.Bool // set just before the SIGKILL: transport errors are expected after it
		stop     = make(chan struct{})
		acks     atomic.Int64
		inflight atomic.Int64
		exited   atomic.Int64
		results  = make([]result, crashWriters)
	)
	for w := range crashWriters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer exited.Add(1)
			c := p.iam()
			r := &results[w]
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				spec := newRoleSpec(fmt.Sprintf("c%d-w%d-%05d", cycle, w, i), int(seq.Add(1)))
				r.attempted = append(r.attempted, spec)
				inflight.Add(1)
				out, err := c.CreateRole(ctx, spec.input())
				inflight.Add(-1)
				if err == nil {
					if d := checkRole(out.Role, spec, nil); d != "" {
						r.failure = fmt.Sprintf("CreateRole %s answered a different role: %s", spec.Name, d)
						return
					}
					r.acked = append(r.acked, &ackedRole{spec: spec, roleID: aws.ToString(out.Role.RoleId), created: aws.ToTime(out.Role.CreateDate)})
					acks.Add(1)
					continue
				}
				if code, ok := isAPIError(err); ok {
					// The server answered an error to a valid, unique CreateRole: never expected,
					// and the write must then not exist; it is checked like an unanswered one.
					r.uncertain = append(r.uncertain, spec.Name)
					r.failure = fmt.Sprintf("CreateRole %s answered %s: %v", spec.Name, code, err)
					return
				}
				r.uncertain = append(r.uncertain, spec.Name)
				if !killing.Load() {
					r.failure = fmt.Sprintf("CreateRole %s failed before the kill: %v", spec.Name, err)
				}
				return // the server is gone
			}
		}()
	}

	began := time.Now()
	for time.Since(began) < crashWritePhase && acks.Load() < crashMaxAcks && exited.Load() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	killing.Store(true)
	inFlightAtKill := inflight.Load()
	p.kill()
	close(stop)
	wg.Wait()
	t.Logf("cycle %d: SIGKILL to %s (pid %d) after %v: %d CreateRole acknowledged, %d in flight at the kill (exit: %v)",
		cycle, p.name, p.pid, time.Since(began).Round(time.Millisecond), acks.Load(), inFlightAtKill, p.waitErr)

	nUncertain := 0
	for _, r := range results {
		if r.failure != "" {
			t.Errorf("%s\nserver log:\n%s", r.failure, p.stderr)
		}
		for _, s := range r.attempted {
			st.attempted[s.Name] = s
		}
		for _, a := range r.acked {
			st.acked[a.spec.Name] = a
		}
		for _, n := range r.uncertain {
			st.uncertain[n] = true
			nUncertain++
		}
	}
	if acks.Load() == 0 {
		t.Errorf("cycle %d: no CreateRole was acknowledged before the kill", cycle)
	}
	t.Logf("cycle %d: %d CreateRole without an answer (in flight at the kill)", cycle, nUncertain)
}

// verifyAfterCrash checks the restarted server p against everything st knows.
func verifyAfterCrash(ctx context.Context, t *testing.T, p *proc, cycle int, st *crashState) {
	t.Helper()
	c := p.iam()

	// 1. Every acknowledged role is there, with exactly what was sent and acknowledged.
	var missing, wrong []string
	for _, name := range slices.Sorted(maps.Keys(st.acked)) {
		a := st.acked[name]
		out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
		switch {
		case isNoSuchEntity(err):
			missing = append(missing, name)
		case err != nil:
			t.Fatalf("after restart %d: GetRole %s: %v\nserver log:\n%s", cycle, name, err, p.stderr)
		default:
			if d := checkRole(out.Role, a.spec, a); d != "" {
				wrong = append(wrong, name+": "+d)
			}
		}
	}
	if len(missing) > 0 {
		t.Errorf("after restart %d: %d of %d acknowledged roles are missing: %s", cycle, len(missing), len(st.acked), firstFew(missing, 10))
	}
	if len(wrong) > 0 {
		t.Errorf("after restart %d: %d acknowledged roles differ from what was written: %s", cycle, len(wrong), firstFew(wrong, 5))
	}

	// 2. ListRoles agrees with GetRole: it lists every acknowledged role, and whatever else it
	// lists is a role whose CreateRole was in flight and is complete.
	roles, err := listRoles(ctx, c)
	if err != nil {
		t.Fatalf("after restart %d: ListRoles: %v", cycle, err)
	}
	listed := map[string]bool{}
	ackedBefore := len(st.acked)
	committedInFlight := 0
	var unknown, notListed, incomplete, idDiffers []string
	for _, r := range roles {
		name := aws.ToString(r.RoleName)
		if listed[name] {
			t.Errorf("after restart %d: ListRoles lists %s twice", cycle, name)
		}
		listed[name] = true
		spec, ok := st.attempted[name]
		switch {
		case !ok:
			unknown = append(unknown, name)
		case st.acked[name] != nil:
			if id := aws.ToString(r.RoleId); id != st.acked[name].roleID {
				idDiffers = append(idDiffers, fmt.Sprintf("%s: ListRoles RoleId %q, acknowledged %q", name, id, st.acked[name].roleID))
			}
		default:
			// In flight at the kill and committed: it must be whole.
			out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
			if err != nil {
				incomplete = append(incomplete, fmt.Sprintf("%s: listed but GetRole: %v", name, err))
			} else if d := checkRole(out.Role, spec, nil); d != "" {
				incomplete = append(incomplete, name+": "+d)
			} else {
				st.acked[name] = &ackedRole{spec: spec, roleID: aws.ToString(out.Role.RoleId), created: aws.ToTime(out.Role.CreateDate)}
				delete(st.uncertain, name)
				committedInFlight++
			}
		}
	}
	for name := range st.acked {
		if !listed[name] {
			notListed = append(notListed, name)
		}
	}
	slices.Sort(notListed)
	if len(unknown) > 0 {
		t.Errorf("after restart %d: ListRoles lists roles never created: %s", cycle, firstFew(unknown, 10))
	}
	if len(notListed) > 0 {
		t.Errorf("after restart %d: %d acknowledged roles are not listed by ListRoles: %s", cycle, len(notListed), firstFew(notListed, 10))
	}
	if len(idDiffers) > 0 {
		t.Errorf("after restart %d: ListRoles disagrees with the acknowledgments: %s", cycle, firstFew(idDiffers, 5))
	}
	if len(incomplete) > 0 {
		t.Errorf("after restart %d: half-written roles: %s", cycle, firstFew(incomplete, 5))
	}

	// 3. A role in flight at the kill that is not listed does not exist at all: GetRole says so,
	// and creating it again succeeds (no leftover record claims the name).
	recreated := 0
	for _, name := range slices.Sorted(maps.Keys(st.uncertain)) {
		if listed[name] {
			continue
		}
		spec := st.attempted[name]
		_, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
		if !isNoSuchEntity(err) {
			t.Errorf("after restart %d: %s is not listed, but GetRole answers %v (want NoSuchEntity)", cycle, name, err)
			continue
		}
		out, err := c.CreateRole(ctx, spec.input())
		if err != nil {
			t.Errorf("after restart %d: creating %s (in flight at the kill, absent) again: %v", cycle, name, err)
			continue
		}
		st.acked[name] = &ackedRole{spec: spec, roleID: aws.ToString(out.Role.RoleId), created: aws.ToTime(out.Role.CreateDate)}
		delete(st.uncertain, name)
		recreated++
	}
	t.Logf("after restart %d: %d acknowledged roles intact; of the unanswered CreateRole, %d committed whole and %d absent (created again); %d roles listed",
		cycle, ackedBefore-len(missing)-len(wrong), committedInFlight, recreated, len(roles))
}
