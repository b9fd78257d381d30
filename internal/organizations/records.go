package organizations

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/orgconfig/orgconfig/internal/store"
)

// Record kinds owned by this package. Per-organization kinds are scoped by the organization ID,
// so DeleteOrganization can remove an organization's state kind by kind.
const (
	kindOrg        = "org"                 // scope "", id = o-id → Organization
	kindOrgOf      = "org-of"              // scope "", id = account → memberOf (membership index)
	kindAccount    = "org-account"         // scope o-id, id = account → accountRec
	kindOU         = "org-ou"              // scope o-id, id = ou-id → ouRec
	kindChild      = "org-child"           // scope o-id, id = <parent>/a:<account> or <parent>/o:<ou> (tree index)
	kindPolicy     = "org-policy"          // scope o-id, id = p-id → policyRec (customer managed)
	kindAttach     = "org-attach"          // scope o-id, id = <p-id>/<target> (policy → targets)
	kindAttachT    = "org-attach-t"        // scope o-id, id = <target>/<p-id> (target → policies)
	kindCAR        = "org-car"             // scope o-id, id = car-id → carRec
	kindCARPending = "org-car-pending"     // scope o-id, id = car-id (creations in progress)
	kindDelegate   = "org-delegate"        // scope o-id, id = <account>/<principal> → delegation
	kindService    = "org-service"         // scope o-id, id = principal → serviceAccess (trusted access)
	kindTag        = "org-tag"             // scope o-id, id = resource id → []tag
	kindResPolicy  = "org-resource-policy" // scope o-id, id = "policy" → resourcePolicyRec
	kindHSOrg      = "org-hs-org"          // scope o-id, id = h-id (handshakes of an organization)
	kindHandshake  = "org-handshake"       // scope "", id = h-id → handshakeRec
	kindHSParty    = "org-hs-party"        // scope = account ID or "email:<lower-case email>", id = h-id
)

// perOrgKinds are the kinds scoped by an organization ID, removed with the organization.
var perOrgKinds = []string{kindAccount, kindOU, kindChild, kindPolicy, kindAttach, kindAttachT, kindCAR,
	kindCARPending, kindDelegate, kindService, kindTag, kindResPolicy, kindHSOrg}

// Organization is an organization with its single root, as stored. Other packages (AWS Config)
// read it through OrgOfTx and must treat it as read-only.
type Organization struct {
	ID         string `json:"id"`
	FeatureSet string `json:"featureSet"`
	Mgmt       string `json:"mgmt"`
	MgmtEmail  string `json:"mgmtEmail"`
	MgmtName   string `json:"mgmtName"`
	RootID     string `json:"rootId"`
	// PolicyTypes are the policy types enabled on the root, in the order they were enabled.
	PolicyTypes []string  `json:"policyTypes,omitempty"`
	Created     time.Time `json:"created"`
	// MaxAccounts overrides the service's default account quota for this organization (0: default).
	MaxAccounts int `json:"maxAccounts,omitempty"`
	// AllFeaturesHandshake is the open ENABLE_ALL_FEATURES handshake, if any.
	AllFeaturesHandshake string `json:"allFeaturesHandshake,omitempty"`
}

func (o *Organization) all() bool { return o.FeatureSet == "ALL" }

func (o *Organization) typeEnabled(t string) bool {
	for _, p := range o.PolicyTypes {
		if p == t {
			return true
		}
	}
	return false
}

type memberOf struct {
	OrgID string `json:"orgId"`
}

// accountRec is an account's membership in an organization.
type accountRec struct {
	ID     string    `json:"id"`
	Name   string    `json:"name"`
	Email  string    `json:"email"`
	Parent string    `json:"parent"`
	State  string    `json:"state"` // ACTIVE, PENDING_CLOSURE, SUSPENDED
	Method string    `json:"method"`
	Joined time.Time `json:"joined"`
}

type ouRec struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Parent  string    `json:"parent"`
	Created time.Time `json:"created"`
}

type policyRec struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Type        string    `json:"type"`
	Content     string    `json:"content"`
	AWSManaged  bool      `json:"awsManaged,omitempty"`
	Updated     time.Time `json:"updated"`
}

// carRec is a CreateAccount request and its status.
type carRec struct {
	ID          string    `json:"id"`
	AccountName string    `json:"accountName"`
	Email       string    `json:"email"`
	RoleName    string    `json:"roleName"`
	Tags        []tag     `json:"tags,omitempty"`
	State       string    `json:"state"`
	Requested   time.Time `json:"requested"`
	Completed   time.Time `json:"completed,omitzero"`
	AccountID   string    `json:"accountId,omitempty"`
	Failure     string    `json:"failure,omitempty"`
}

type delegation struct {
	Account   string    `json:"account"`
	Principal string    `json:"principal"`
	Enabled   time.Time `json:"enabled"`
}

type serviceAccess struct {
	Principal string    `json:"principal"`
	Enabled   time.Time `json:"enabled"`
}

type tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

type resourcePolicyRec struct {
	ID      string `json:"id"`
	Content string `json:"content"`
}

// handshakeRec is a handshake: an invitation, or a step of the move to all features.
type handshakeRec struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"orgId"`
	Mgmt      string    `json:"mgmt"`
	Action    string    `json:"action"`
	State     string    `json:"state"`
	Requested time.Time `json:"requested"`
	Expires   time.Time `json:"expires"`
	// TargetType and Target name the invited party (ACCOUNT id or EMAIL address).
	TargetType string `json:"targetType"`
	Target     string `json:"target"`
	Notes      string `json:"notes,omitempty"`
	Parent     string `json:"parent,omitempty"` // APPROVE_ALL_FEATURES: the ENABLE_ALL_FEATURES handshake
	// Resources are rendered as the handshake's Resources (built when the handshake is created).
	Resources []hsResource `json:"resources,omitempty"`
	Tags      []tag        `json:"tags,omitempty"`
}

type hsResource struct {
	Type      string       `json:"t"`
	Value     string       `json:"v"`
	Resources []hsResource `json:"r,omitempty"`
}

// getJSON reads a record into v; it returns store.ErrNotFound (unwrapped) when it is missing.
func getJSON(tx store.Tx, kind, scope, id string, v any) error {
	b, err := tx.Get(kind, scope, id)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode %s %s/%s: %w", kind, scope, id, err)
	}
	return nil
}

// findJSON is getJSON that reports a missing record as ok=false.
func findJSON(tx store.Tx, kind, scope, id string, v any) (bool, error) {
	err := getJSON(tx, kind, scope, id, v)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

func putJSON(tx store.Tx, kind, scope, id string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Put(kind, scope, id, b)
}

func exists(tx store.Tx, kind, scope, id string) (bool, error) {
	_, err := tx.Get(kind, scope, id)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

func (c *caches) getOrg(tx store.Tx, id string) (*Organization, error) {
	o, _, err := c.getOrgRaw(tx, id)
	if err != nil || o == nil {
		return nil, err
	}
	return copyOrg(o), nil
}

// getOrgRaw returns the cached decoding of an organization record (which must not be
// modified) and the record's bytes, or nil if it is missing.
func (c *caches) getOrgRaw(tx store.Tx, id string) (*Organization, []byte, error) {
	b, err := tx.Get(kindOrg, "", id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	o, err := c.decodeOrg(id, b)
	if err != nil {
		return nil, nil, err
	}
	return o, b, nil
}

func getAccount(tx store.Tx, orgID, id string) (*accountRec, error) {
	var a accountRec
	ok, err := findJSON(tx, kindAccount, orgID, id, &a)
	if !ok || err != nil {
		return nil, err
	}
	return &a, nil
}

func getOU(tx store.Tx, orgID, id string) (*ouRec, error) {
	var o ouRec
	ok, err := findJSON(tx, kindOU, orgID, id, &o)
	if !ok || err != nil {
		return nil, err
	}
	return &o, nil
}

func childKey(parent, childType, id string) string {
	if childType == "ACCOUNT" {
		return parent + "/a:" + id
	}
	return parent + "/o:" + id
}

// listAll returns every record of (kind, scope) whose id starts with prefix.
func listAll(tx store.Tx, kind, scope, prefix string) ([]store.Record, error) {
	return tx.ListPrefix(kind, scope, prefix, "", 0)
}

func decode(r store.Record, v any) error {
	if err := json.Unmarshal(r.Body, v); err != nil {
		return fmt.Errorf("decode %s %s/%s: %w", r.Kind, r.Scope, r.ID, err)
	}
	return nil
}

// index is the body of index records, which carry their meaning in their key.
var index = []byte("{}")
