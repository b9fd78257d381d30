package organizations

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/orgconfig/orgconfig/internal/api/organizationsapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
)

// TestAccountsPageRendering checks that the body accountsPage records is exactly json.Marshal
// of the answer it returns, for every page of snapshots of several sizes.
func TestAccountsPageRendering(t *testing.T) {
	for _, n := range []int{0, 1, 6, 45} {
		items := make([]snapAccount, n)
		for i := range items {
			a := organizationsapi.Account{
				Id: fmt.Sprintf("%012d", 100000000000+i), Arn: fmt.Sprintf("arn:aws:organizations::1:account/o-x/%d", i),
				Email: fmt.Sprintf("a+%d<&>@example.com", i), Name: fmt.Sprintf("Name \"%d\" \u2028", i),
				Status: "ACTIVE", State: "ACTIVE", JoinedMethod: "CREATED",
				JoinedTimestamp: awsproto.NewTime(time.Unix(1700000000+int64(i), 123e6)),
			}
			if i%2 == 0 {
				a.Paths = []string{"o-x/r-ab12/", fmt.Sprint(i)}
			}
			js, err := json.Marshal(&a)
			if err != nil {
				t.Fatal(err)
			}
			items[i] = snapAccount{a: a, json: js}
		}
		for _, size := range []int32{1, 5, 20} {
			token := ""
			for pages := 0; ; pages++ {
				if pages > n+1 {
					t.Fatalf("n=%d size=%d: paging does not end", n, size)
				}
				var slot awsproto.Rendered
				ctx := awsproto.WithRendered(context.Background(), &slot)
				in := &organizationsapi.ListAccountsRequest{NextToken: token, MaxResults: &size}
				out, err := accountsPage(ctx, items, in)
				if err != nil {
					t.Fatal(err)
				}
				want, err := json.Marshal(out)
				if err != nil {
					t.Fatal(err)
				}
				got := slot.Body(out)
				if string(got) != string(want) {
					t.Fatalf("n=%d size=%d page %d: rendered\n%s\nwant\n%s", n, size, pages, got, want)
				}
				if slot.Body(&organizationsapi.ListAccountsResponse{}) != nil {
					t.Fatal("Rendered.Body answers for another value")
				}
				if out.NextToken == "" {
					break
				}
				token = out.NextToken
			}
		}
	}
	// Without a slot, nothing is recorded and the answer is unchanged.
	out, err := accountsPage(context.Background(), nil, &organizationsapi.ListAccountsRequest{})
	if err != nil || out.Accounts == nil {
		t.Fatalf("accountsPage without slot = %+v, %v", out, err)
	}
}

// TestCachesPerService checks that each Service owns its caches: two Services (two servers in
// one process) share none, and the fast path's hints are bounded.
func TestCachesPerService(t *testing.T) {
	a := New(nil, nil, nil, nil, nil, nil)
	b := New(nil, nil, nil, nil, nil, nil)
	if a.cache == b.cache {
		t.Fatal("Services share caches")
	}
	a.cache.orgOf.Put(`{"orgId":"o-a"}`, "o-a")
	a.cache.hints.Put("111111111111", "o-a")
	if _, ok := b.cache.orgOf.Get(`{"orgId":"o-a"}`); ok {
		t.Error("a decoding cached by one Service is seen by another")
	}
	if _, ok := b.cache.hints.Get("111111111111"); ok {
		t.Error("a hint of one Service is seen by another")
	}
	if a.cache.hints.Max != maxHints || b.cache.hints.Max != maxHints {
		t.Errorf("hints bounded by %d and %d, want %d", a.cache.hints.Max, b.cache.hints.Max, maxHints)
	}
}
