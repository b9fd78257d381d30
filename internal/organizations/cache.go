package organizations

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"

	"github.com/orgconfig/orgconfig/internal/api/organizationsapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/memo"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Caches of decoded and rendered state. Each Service owns its caches (type caches), and each
// cache is bounded: two servers in one process, which have a Service each, share none of them.
// Every cache here is validated against the store on every read, so that
// a write committed by any replica is seen at once:
//
//   - The decode caches (membership and organization records) are content-addressed: they are
//     keyed by the raw record bytes read in the caller's transaction, so a hit is always the
//     decoding of what the store holds.
//   - The account snapshot of an organization (the rendered ListAccounts items) and its
//     members (MembershipTx) are keyed by the organization's version record (kindOrgVersion),
//     a random token that every transaction writing the organization's accounts or OUs
//     replaces in the same transaction (see versionTx). A reader compares the token it reads
//     in its own snapshot.
//   - The hints of the fast read path (account → organization) are only guesses, checked
//     against the membership record read in the same statement (see fastread.go).

// kindOrgVersion: scope "", id = o-id → random token, replaced by every transaction that
// writes a kindAccount, kindOU or kindDeparted record of the organization (see versionTx). A
// missing record means "unknown": readers then bypass the caches validated by it (the accounts
// snapshot, the members).
const kindOrgVersion = "org-version"

// maxHints bounds the accounts whose organization the fast read path remembers. A forgotten
// hint costs one more statement on that account's next fast read.
const maxHints = 1 << 16

// caches are the caches of one Service. The zero value is ready (each map bounded by
// memo.DefaultMax) except hints, which newCaches bounds by maxHints.
type caches struct {
	orgOf   memo.Map[string]            // kindOrgOf body → organization ID
	org     memo.Map[*Organization]     // kindOrg body → decoded organization (never handed out)
	members memo.Map[memberIDs]         // o-id → its ACTIVE accounts and departures at one version
	snaps   memo.Map[*accountsSnapshot] // o-id → its rendered accounts at one version
	hints   memo.Map[string]            // account → o-id its membership record named last
}

// newCaches returns empty caches with their bounds.
func newCaches() *caches {
	c := &caches{}
	c.hints.Max = maxHints
	return c
}

// copyOrg returns a copy of o that the caller may modify.
func copyOrg(o *Organization) *Organization {
	c := *o
	c.PolicyTypes = slices.Clone(o.PolicyTypes)
	return &c
}

// accountsSnapshot is the rendered list of an organization's accounts, sorted by account ID,
// at one version of the organization. Its items are shared and must not be modified.
type accountsSnapshot struct {
	version  string
	org      []byte // the kindOrg body the items were rendered with
	accounts []snapAccount
}

// snapAccount is one account of a snapshot and its JSON encoding (json.Marshal of a).
type snapAccount struct {
	a    organizationsapi.Account
	json []byte
}

// accountsPage returns the ListAccounts answer for one page of a snapshot, and records its
// JSON encoding (built from the accounts' cached encodings) for the server to write as is.
func accountsPage(ctx context.Context, items []snapAccount, in *organizationsapi.ListAccountsRequest) (*organizationsapi.ListAccountsResponse, error) {
	page, next, err := pageSlice(items, func(a snapAccount) string { return a.a.Id }, in.NextToken, pageSize(in.MaxResults))
	if err != nil {
		return nil, err
	}
	out := &organizationsapi.ListAccountsResponse{Accounts: make([]organizationsapi.Account, len(page)), NextToken: next}
	n := len(`{"Accounts":[]}`) + len(page)
	for i := range page {
		out.Accounts[i] = page[i].a
		n += len(page[i].json)
	}
	var nextJSON []byte
	if next != "" {
		if nextJSON, err = json.Marshal(next); err != nil {
			return nil, err
		}
		n += len(`,"NextToken":`) + len(nextJSON)
	}
	body := make([]byte, 0, n)
	body = append(body, `{"Accounts":[`...)
	for i := range page {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, page[i].json...)
	}
	body = append(body, ']')
	if next != "" {
		body = append(body, `,"NextToken":`...)
		body = append(body, nextJSON...)
	}
	body = append(body, '}')
	awsproto.SetRendered(ctx, out, body)
	return out, nil
}

// memberIDs is the answer of MembershipTx at one version of an organization.
type memberIDs struct {
	version  string
	ids      []string             // shared: callers get a copy
	departed map[string]time.Time // shared: callers get a copy
}

// maxSnapshotAccounts bounds the organizations whose accounts are kept rendered in memory.
const maxSnapshotAccounts = 2000

// newVersion returns a fresh random version token.
func newVersion() []byte {
	var b [16]byte
	rand.Read(b[:])
	out := make([]byte, 32)
	hex.Encode(out, b[:])
	return out
}

// versionTx wraps the Tx of an Organizations write: it notes the organizations whose accounts
// or OUs the transaction writes, so that finish can replace their version records in the same
// transaction.
type versionTx struct {
	store.Tx
	touched map[string]bool // o-id → true
	deleted map[string]bool // organizations deleted by this transaction
}

func (t *versionTx) note(kind, scope, id string) {
	switch kind {
	case kindAccount, kindOU, kindDeparted:
		if t.touched == nil {
			t.touched = map[string]bool{}
		}
		t.touched[scope] = true
	case kindOrg:
		// The organization record is validated by content; its deletion removes the version.
		if t.touched == nil {
			t.touched = map[string]bool{}
		}
		t.touched[id] = true
	}
}

func (t *versionTx) Put(kind, scope, id string, body []byte) error {
	if err := t.Tx.Put(kind, scope, id, body); err != nil {
		return err
	}
	t.note(kind, scope, id)
	return nil
}

func (t *versionTx) PutMany(recs []store.Record) error {
	if err := t.Tx.PutMany(recs); err != nil {
		return err
	}
	for _, r := range recs {
		t.note(r.Kind, r.Scope, r.ID)
	}
	return nil
}

func (t *versionTx) Create(kind, scope, id string, body []byte) error {
	if err := t.Tx.Create(kind, scope, id, body); err != nil {
		return err
	}
	t.note(kind, scope, id)
	return nil
}

func (t *versionTx) Delete(kind, scope, id string) (bool, error) {
	ok, err := t.Tx.Delete(kind, scope, id)
	if err != nil {
		return ok, err
	}
	if ok {
		t.note(kind, scope, id)
		if kind == kindOrg {
			if t.deleted == nil {
				t.deleted = map[string]bool{}
			}
			t.deleted[id] = true
		}
	}
	return ok, nil
}

// finish replaces the version record of every organization the transaction wrote (and removes
// that of the organizations it deleted).
func (t *versionTx) finish() error {
	for id := range t.touched {
		if id == "" {
			continue
		}
		if t.deleted[id] {
			if _, err := t.Tx.Delete(kindOrgVersion, "", id); err != nil {
				return err
			}
			continue
		}
		if err := t.Tx.Put(kindOrgVersion, "", id, newVersion()); err != nil {
			return err
		}
	}
	return nil
}
