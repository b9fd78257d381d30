package durability

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/orgconfig/orgconfig/internal/store/postgres/pgtest"
)

// TestReplicas runs two `orgconfig serve` processes on one PostgreSQL database (a fresh schema),
// with the same root credentials, started at the same time (both bootstrap the same empty
// database; both run their background job runners on it). They serve the same state: a write
// acknowledged by one is read by the other at once, with no wait in between, in both
// directions, for creations, deletions and credentials.
func TestReplicas(t *testing.T) {
	url := pgtest.FreshSchema(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// Launch both before waiting for either: they initialize the empty schema concurrently.
	// Replicas over one database share the key that seals its secrets, as an operator
	// configures them; each has its own data directory.
	keyFile := filepath.Join(t.TempDir(), "secrets.key")
	a := launch(t, "replica-A", "--database-url", url, "--data-dir", t.TempDir(), "--secrets-key-file", keyFile)
	b := launch(t, "replica-B", "--database-url", url, "--data-dir", t.TempDir(), "--secrets-key-file", keyFile)
	a.ready(t)
	b.ready(t)
	replicas := []*proc{a, b}
	for _, p := range replicas {
		arn, err := callerArn(ctx, p, rootKey, rootSec)
		if err != nil || arn != "arn:aws:iam::"+accountID+":root" {
			t.Fatalf("%s: GetCallerIdentity with the root keys: %q, %v\n%s", p.name, arn, err, p.stderr)
		}
	}

	t.Run("credentials", func(t *testing.T) {
		// An account (with root keys) created by a third process, `orgconfig accounts create`,
		// authenticates at once on both replicas: unknown keys are never cached.
		stdout := runAccountsCreate(t, url, keyFile)
		m := regexp.MustCompile(`Created account (\d{12})`).FindStringSubmatch(stdout)
		akid, ok1 := exportValue(stdout, "AWS_ACCESS_KEY_ID")
		secret, ok2 := exportValue(stdout, "AWS_SECRET_ACCESS_KEY")
		if m == nil || !ok1 || !ok2 {
			t.Fatalf("accounts create printed no account or keys:\n%s", stdout)
		}
		for _, p := range replicas {
			arn, err := callerArn(ctx, p, akid, secret)
			if err != nil || arn != "arn:aws:iam::"+m[1]+":root" {
				t.Errorf("%s: new account's keys: GetCallerIdentity = %q, %v", p.name, arn, err)
			}
		}
	})

	t.Run("iam-access-key", func(t *testing.T) {
		// An IAM user's access key created through replica A signs requests on replica B at once.
		ca := a.iam()
		user := "replica-user"
		if _, err := ca.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(user)}); err != nil {
			t.Fatalf("A: CreateUser: %v", err)
		}
		out, err := ca.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(user)})
		if err != nil {
			t.Fatalf("A: CreateAccessKey: %v", err)
		}
		akid, secret := aws.ToString(out.AccessKey.AccessKeyId), aws.ToString(out.AccessKey.SecretAccessKey)
		arn, err := callerArn(ctx, b, akid, secret)
		if err != nil || arn != "arn:aws:iam::"+accountID+":user/"+user {
			t.Errorf("B: GetCallerIdentity with the key created on A = %q, %v", arn, err)
		}
	})

	t.Run("organizations", func(t *testing.T) {
		// Organizations state written through one replica is what the other lists at once,
		// although each keeps versioned snapshots of an organization's accounts: a new
		// account (created by whichever replica's job runner claims the work), a new OU, and
		// an account moved into it (its Paths change).
		oa := organizations.NewFromConfig(clientConfig(a.endpoint, rootKey, rootSec))
		ob := organizations.NewFromConfig(clientConfig(b.endpoint, rootKey, rootSec))
		if _, err := oa.CreateOrganization(ctx, &organizations.CreateOrganizationInput{}); err != nil {
			t.Fatalf("A: CreateOrganization: %v", err)
		}
		list := func(c *organizations.Client) map[string]string {
			t.Helper()
			out, err := c.ListAccounts(ctx, &organizations.ListAccountsInput{})
			if err != nil {
				t.Fatalf("ListAccounts: %v", err)
			}
			m := map[string]string{}
			for _, acct := range out.Accounts {
				m[aws.ToString(acct.Id)] = strings.Join(acct.Paths, ",")
			}
			return m
		}
		if n := len(list(ob)); n != 1 {
			t.Fatalf("B: ListAccounts right after A created the organization: %d accounts, want 1", n)
		}
		car, err := oa.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("replicated"), Email: aws.String("replicated@example.com")})
		if err != nil {
			t.Fatalf("A: CreateAccount: %v", err)
		}
		var member string
		for deadline := time.Now().Add(30 * time.Second); member == "" && time.Now().Before(deadline); {
			st, err := ob.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: car.CreateAccountStatus.Id})
			if err != nil {
				t.Fatalf("B: DescribeCreateAccountStatus: %v", err)
			}
			member = aws.ToString(st.CreateAccountStatus.AccountId)
			if member == "" {
				time.Sleep(20 * time.Millisecond)
			}
		}
		if member == "" {
			t.Fatal("account creation did not finish within 30s")
		}
		for _, c := range []*organizations.Client{ob, oa} {
			if _, ok := list(c)[member]; !ok {
				t.Fatalf("ListAccounts lacks %s right after its creation succeeded", member)
			}
		}
		roots, err := ob.ListRoots(ctx, &organizations.ListRootsInput{})
		if err != nil || len(roots.Roots) != 1 {
			t.Fatalf("B: ListRoots: %v", err)
		}
		ou, err := ob.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: roots.Roots[0].Id, Name: aws.String("replicated-ou")})
		if err != nil {
			t.Fatalf("B: CreateOrganizationalUnit: %v", err)
		}
		if _, err := ob.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(member),
			SourceParentId: roots.Roots[0].Id, DestinationParentId: ou.OrganizationalUnit.Id}); err != nil {
			t.Fatalf("B: MoveAccount: %v", err)
		}
		ouID := aws.ToString(ou.OrganizationalUnit.Id)
		if p := list(oa)[member]; !strings.Contains(p, ouID) {
			t.Errorf("A: the moved account's path %q does not pass through %s", p, ouID)
		}
	})

	t.Run("roles", func(t *testing.T) {
		// Alternating writer and reader: each CreateRole acknowledged by one replica is read
		// back from the other immediately.
		clients := []*iam.Client{a.iam(), b.iam()}
		var specs []roleSpec
		for i := range 10 {
			w, r := i%2, 1-i%2
			spec := newRoleSpec(fmt.Sprintf("replica-%02d", i), 1000+i)
			created, err := clients[w].CreateRole(ctx, spec.input())
			if err != nil {
				t.Fatalf("%s: CreateRole %s: %v\n%s", replicas[w].name, spec.Name, err, replicas[w].stderr)
			}
			ack := &ackedRole{spec: spec, roleID: aws.ToString(created.Role.RoleId), created: aws.ToTime(created.Role.CreateDate)}
			got, err := clients[r].GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(spec.Name)})
			if err != nil {
				t.Fatalf("%s acknowledged CreateRole %s, then %s: GetRole: %v", replicas[w].name, spec.Name, replicas[r].name, err)
			}
			if d := checkRole(got.Role, spec, ack); d != "" {
				t.Errorf("%s: role %s created on %s: %s", replicas[r].name, spec.Name, replicas[w].name, d)
			}
			specs = append(specs, spec)
		}

		// A deletion acknowledged by A is seen by B at once, and the other way around.
		for i, name := range []string{specs[0].Name, specs[1].Name} {
			w, r := i, 1-i
			if _, err := clients[w].DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)}); err != nil {
				t.Fatalf("%s: DeleteRole %s: %v", replicas[w].name, name, err)
			}
			if _, err := clients[r].GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)}); !isNoSuchEntity(err) {
				t.Errorf("%s deleted %s, then %s: GetRole = %v, want NoSuchEntity", replicas[w].name, name, replicas[r].name, err)
			}
		}

		// Concurrent writers on both replicas, then both list the same roles.
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			errs []string
			want = []string{}
		)
		for _, s := range specs[2:] {
			want = append(want, s.Name)
		}
		for w := range 4 {
			c := clients[w%2]
			for i := range 10 {
				want = append(want, fmt.Sprintf("replica-conc-w%d-%02d", w, i))
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 10 {
					spec := newRoleSpec(fmt.Sprintf("replica-conc-w%d-%02d", w, i), 2000+10*w+i)
					if _, err := c.CreateRole(ctx, spec.input()); err != nil {
						mu.Lock()
						errs = append(errs, fmt.Sprintf("%s: CreateRole %s: %v", replicas[w%2].name, spec.Name, err))
						mu.Unlock()
						return
					}
				}
			}()
		}
		wg.Wait()
		if len(errs) > 0 {
			t.Fatalf("concurrent CreateRole on both replicas: %s", strings.Join(errs, "; "))
		}
		slices.Sort(want)
		for i, c := range clients {
			roles, err := listRoles(ctx, c)
			if err != nil {
				t.Fatalf("%s: ListRoles: %v", replicas[i].name, err)
			}
			if got := roleNames(roles); !slices.Equal(got, want) {
				t.Errorf("%s: ListRoles = %d roles %v\nwant %d roles %v", replicas[i].name, len(got), got, len(want), want)
			}
		}
	})

	// Both replicas are still healthy (neither crashed nor logged an error).
	for _, p := range replicas {
		select {
		case <-p.done:
			t.Errorf("%s exited during the test: %v\n%s", p.name, p.waitErr, p.stderr)
		default:
		}
		if log := p.stderr.String(); strings.Contains(log, "level=ERROR") {
			t.Errorf("%s logged errors:\n%s", p.name, log)
		}
	}
}

// runAccountsCreate runs `orgconfig accounts create --database-url url --secrets-key-file keyFile`
// and returns its stdout.
func runAccountsCreate(t *testing.T, url, keyFile string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	home := t.TempDir()
	cmd := exec.CommandContext(ctx, orgconfigBinary(t), "accounts", "create", "--database-url", url, "--secrets-key-file", keyFile)
	cmd.Dir = home
	cmd.Env = childEnv(home)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	setPdeathsig(cmd)
	if err := cmd.Run(); err != nil {
		t.Fatalf("orgconfig accounts create: %v\n%s%s", err, o.String(), e.String())
	}
	return o.String()
}

// exportValue returns the value of the first "export NAME=value" line of s.
func exportValue(s, name string) (string, bool) {
	for _, line := range strings.Split(s, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "export "+name+"="); ok {
			return v, true
		}
	}
	return "", false
}
