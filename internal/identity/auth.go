package identity

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/orgconfig/orgconfig/internal/clock"
	"github.com/orgconfig/orgconfig/internal/ids"
	"github.com/orgconfig/orgconfig/internal/sealed"
	"github.com/orgconfig/orgconfig/internal/sigv4"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Record kinds owned by this package.
const (
	KindAccount    = "account"     // scope "", id = account ID
	KindCredential = "credential"  // scope "", id = access key ID
	KindAccountKey = "account-key" // scope = account ID, id = access key ID (root keys of an account)
	KindMeta       = "meta"        // scope "", id = setting name
)

// PrincipalType says what kind of identity signed a request.
type PrincipalType string

const (
	Root        PrincipalType = "root"
	User        PrincipalType = "user"
	AssumedRole PrincipalType = "assumed-role"
)

// Account is an AWS account hosted by orgconfig. Organization membership is kept by the
// organizations package; an Account here is just the identity container.
type Account struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Email   string    `json:"email"`
	Created time.Time `json:"created"`
	// Origin says how the account came to exist: "bootstrap", "cli", "organizations", "permissive".
	Origin string `json:"origin,omitempty"`
}

// Credential is a stored access key with the principal it authenticates.
type Credential struct {
	AccessKeyID     string        `json:"accessKeyId"`
	SecretAccessKey string        `json:"secretAccessKey"`
	SessionToken    string        `json:"sessionToken,omitempty"`
	Expiration      time.Time     `json:"expiration,omitzero"`
	Account         string        `json:"account"`
	Type            PrincipalType `json:"type"`
	// ARN is the principal's ARN as GetCallerIdentity reports it.
	ARN string `json:"arn"`
	// UserID is GetCallerIdentity's UserId: the account ID for root, AIDA… for users,
	// AROA…:session for assumed roles.
	UserID string `json:"userId"`
	// Status is Active or Inactive (IAM access keys can be deactivated).
	Status  string    `json:"status"`
	Created time.Time `json:"created"`
	// Name is the IAM user name, or the role name for an assumed role.
	Name string `json:"name,omitempty"`
	// RoleARN and SessionName describe assumed-role sessions.
	RoleARN     string `json:"roleArn,omitempty"`
	SessionName string `json:"sessionName,omitempty"`
}

// Principal is the authenticated caller of a request.
type Principal struct {
	Account     string
	Type        PrincipalType
	ARN         string
	UserID      string
	AccessKeyID string
	Name        string
	RoleARN     string
	SessionName string
	Expiration  time.Time
}

// IsRoot reports whether the principal is an account's root user.
func (p *Principal) IsRoot() bool { return p.Type == Root }

// Principal returns the principal a credential authenticates.
func (c *Credential) Principal() *Principal {
	return &Principal{Account: c.Account, Type: c.Type, ARN: c.ARN, UserID: c.UserID, AccessKeyID: c.AccessKeyID,
		Name: c.Name, RoleARN: c.RoleARN, SessionName: c.SessionName, Expiration: c.Expiration}
}

// RootPrincipal is the root user of an account, used in permissive mode for unsigned requests.
func RootPrincipal(account string) *Principal {
	return &Principal{Account: account, Type: Root, ARN: RootARN(account), UserID: account}
}

// RootARN is the ARN of an account's root user.
func RootARN(account string) string { return "arn:aws:iam::" + account + ":root" }

// ErrNoSuchAccount is returned when an account does not exist.
var ErrNoSuchAccount = errors.New("no such account")

var accountIDPattern = regexp.MustCompile(`^\d{12}$`)

// ValidAccountID reports whether s is a 12-digit account ID.
func ValidAccountID(s string) bool { return accountIDPattern.MatchString(s) }

// Directory resolves and issues credentials. It is safe for concurrent use.
type Directory struct {
	store store.Store
	clock clock.Clock
	ids   ids.Generator
	// key seals the secrets of stored credentials; nil stores them as they are.
	key *sealed.Key

	// cache holds recently resolved credentials. It is a cache only: a miss reads the store, and
	// entries live for cacheTTL so a deleted or deactivated key stops working promptly on every
	// replica.
	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	cred *Credential
	at   time.Time
}

const cacheTTL = 2 * time.Second
const cacheMax = 10000

// NewDirectory returns a Directory over st whose credentials' secrets are sealed with key.
func NewDirectory(st store.Store, c clock.Clock, g ids.Generator, key *sealed.Key) *Directory {
	return &Directory{store: st, clock: c, ids: g, key: key, cache: map[string]cached{}}
}

// secretContext binds a credential's sealed secrets to its access key ID.
func secretContext(akid string) string { return "credential/" + akid }

// EncodeCredential is the stored form of c: JSON with the secret access key and session token
// sealed.
func (d *Directory) EncodeCredential(c *Credential) ([]byte, error) {
	cp := *c
	if d.key != nil {
		ctx := secretContext(c.AccessKeyID)
		cp.SecretAccessKey = d.key.SealString(c.SecretAccessKey, ctx)
		cp.SessionToken = d.key.SealString(c.SessionToken, ctx)
	}
	return json.Marshal(&cp)
}

// DecodeCredential reads a stored credential and opens its secrets.
func (d *Directory) DecodeCredential(b []byte) (*Credential, error) {
	var c Credential
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, err
	}
	if d.key == nil {
		return &c, nil
	}
	ctx := secretContext(c.AccessKeyID)
	var err error
	if c.SecretAccessKey, err = d.key.OpenString(c.SecretAccessKey, ctx); err != nil {
		return nil, fmt.Errorf("credential %s: %w", c.AccessKeyID, err)
	}
	if c.SessionToken, err = d.key.OpenString(c.SessionToken, ctx); err != nil {
		return nil, fmt.Errorf("credential %s: %w", c.AccessKeyID, err)
	}
	return &c, nil
}

// Credential returns the stored credential for an access key, or an error wrapping
// sigv4.ErrUnknownKey when there is none.
func (d *Directory) Credential(ctx context.Context, akid string) (*Credential, error) {
	now := time.Now()
	d.mu.Lock()
	if c, ok := d.cache[akid]; ok && now.Sub(c.at) < cacheTTL {
		d.mu.Unlock()
		return c.cred, nil
	}
	d.mu.Unlock()
	var cred *Credential
	err := d.store.Read(ctx, func(tx store.Tx) error {
		b, err := tx.Get(KindCredential, "", akid)
		if err != nil {
			return err
		}
		cred, err = d.DecodeCredential(b)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("access key %s: %w", akid, sigv4.ErrUnknownKey)
	}
	if err != nil {
		return nil, err
	}
	if cred.Status != "" && cred.Status != "Active" {
		return nil, fmt.Errorf("access key %s is %s: %w", akid, cred.Status, sigv4.ErrUnknownKey)
	}
	d.mu.Lock()
	if len(d.cache) >= cacheMax {
		clear(d.cache)
	}
	d.cache[akid] = cached{cred: cred, at: now}
	d.mu.Unlock()
	return cred, nil
}

// Forget drops an access key from the cache, after it was deleted or changed.
func (d *Directory) Forget(akid string) {
	d.mu.Lock()
	delete(d.cache, akid)
	d.mu.Unlock()
}

// LookupKey implements sigv4.KeyStore.
func (d *Directory) LookupKey(ctx context.Context, akid string) (sigv4.Secret, error) {
	c, err := d.Credential(ctx, akid)
	if err != nil {
		return sigv4.Secret{}, err
	}
	return sigv4.Secret{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expiration: c.Expiration}, nil
}

// Account returns an account, or ErrNoSuchAccount.
func (d *Directory) Account(ctx context.Context, id string) (*Account, error) {
	var a Account
	err := d.store.Read(ctx, func(tx store.Tx) error {
		b, err := tx.Get(KindAccount, "", id)
		if err != nil {
			return err
		}
		return json.Unmarshal(b, &a)
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoSuchAccount
	}
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// Accounts lists every hosted account in ID order.
func (d *Directory) Accounts(ctx context.Context) ([]Account, error) {
	var out []Account
	err := d.store.Read(ctx, func(tx store.Tx) error {
		recs, err := tx.List(KindAccount, "", "", 0)
		if err != nil {
			return err
		}
		for _, r := range recs {
			var a Account
			if err := json.Unmarshal(r.Body, &a); err != nil {
				return err
			}
			out = append(out, a)
		}
		return nil
	})
	return out, err
}

// PutAccount stores an account in tx; it returns store.ErrExists if the ID is taken.
func PutAccount(tx store.Tx, a *Account) error {
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	return tx.Create(KindAccount, "", a.ID, b)
}

// PutCredential stores a credential in tx (replacing one with the same key ID), its secrets
// sealed.
func (d *Directory) PutCredential(tx store.Tx, c *Credential) error {
	b, err := d.EncodeCredential(c)
	if err != nil {
		return err
	}
	if err := tx.Put(KindCredential, "", c.AccessKeyID, b); err != nil {
		return err
	}
	// Only long-term root keys are listed as the account's root keys; temporary ones
	// (GetSessionToken) expire on their own.
	if c.Type == Root && c.SessionToken == "" {
		return tx.Put(KindAccountKey, c.Account, c.AccessKeyID, nil)
	}
	return nil
}

// NewAccessKeyID returns a fresh access key ID with AWS's prefix: AKIA for long-term keys,
// ASIA for temporary ones.
func (d *Directory) NewAccessKeyID(temporary bool) string {
	if temporary {
		return "ASIA" + d.ids.Base32(16)
	}
	return "AKIA" + d.ids.Base32(16)
}

// NewRootCredential builds (does not store) root credentials for an account. When akid or
// secret are empty they are generated.
func (d *Directory) NewRootCredential(account, akid, secret string) *Credential {
	if akid == "" {
		akid = d.NewAccessKeyID(false)
	}
	if secret == "" {
		secret = d.ids.Secret()
	}
	return &Credential{AccessKeyID: akid, SecretAccessKey: secret, Account: account, Type: Root,
		ARN: RootARN(account), UserID: account, Status: "Active", Created: d.clock.Now().UTC()}
}

// CreateAccount creates a standalone account with generated root credentials. An empty id
// draws a fresh 12-digit ID. It returns the account and its root credential.
func (d *Directory) CreateAccount(ctx context.Context, id, name, email, origin string) (*Account, *Credential, error) {
	if id == "" {
		id = d.ids.Digits(12)
		for id[0] == '0' {
			id = d.ids.Digits(12)
		}
	}
	if !ValidAccountID(id) {
		return nil, nil, fmt.Errorf("account ID %q is not 12 digits", id)
	}
	if name == "" {
		name = "account-" + id
	}
	if email == "" {
		email = "root+" + id + "@example.com"
	}
	a := &Account{ID: id, Name: name, Email: email, Created: d.clock.Now().UTC(), Origin: origin}
	cred := d.NewRootCredential(id, "", "")
	err := d.store.Write(ctx, func(tx store.Tx) error {
		if err := PutAccount(tx, a); err != nil {
			return err
		}
		return d.PutCredential(tx, cred)
	})
	if errors.Is(err, store.ErrExists) {
		return nil, nil, fmt.Errorf("account %s already exists", id)
	}
	if err != nil {
		return nil, nil, err
	}
	return a, cred, nil
}

// EnsureAccount creates the account with id if it does not exist (permissive mode uses it for
// 12-digit access keys). It does not issue credentials.
func (d *Directory) EnsureAccount(ctx context.Context, id, origin string) error {
	if _, err := d.Account(ctx, id); err == nil {
		return nil
	}
	a := &Account{ID: id, Name: "account-" + id, Email: "root+" + id + "@example.com", Created: d.clock.Now().UTC(), Origin: origin}
	err := d.store.Write(ctx, func(tx store.Tx) error { return PutAccount(tx, a) })
	if errors.Is(err, store.ErrExists) {
		return nil
	}
	return err
}

// RootCredentials lists the root access keys of an account.
func (d *Directory) RootCredentials(ctx context.Context, account string) ([]Credential, error) {
	var out []Credential
	err := d.store.Read(ctx, func(tx store.Tx) error {
		recs, err := tx.List(KindAccountKey, account, "", 0)
		if err != nil {
			return err
		}
		for _, r := range recs {
			b, err := tx.Get(KindCredential, "", r.ID)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			c, err := d.DecodeCredential(b)
			if err != nil {
				return err
			}
			out = append(out, *c)
		}
		return nil
	})
	return out, err
}

// ForgetAll empties the cache (after a reset of all state).
func (d *Directory) ForgetAll() {
	d.mu.Lock()
	clear(d.cache)
	d.mu.Unlock()
}
