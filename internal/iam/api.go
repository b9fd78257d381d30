package iam

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/orgconfig/orgconfig/internal/api/iamapi"
	"github.com/orgconfig/orgconfig/internal/identity"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Record kinds owned by this package. Every IAM record is scoped to its account; ids of named
// entities are lower-cased names because IAM names are unique case-insensitively.
const (
	KindRole            = "iam-role"             // id = lower(role name); body Role
	KindUser            = "iam-user"             // id = lower(user name); body User
	KindAccessKey       = "iam-access-key"       // id = lower(user name) + "/" + access key ID
	KindPolicy          = "iam-policy"           // id = lower(policy name); body customer managed policy
	KindAttachment      = "iam-attachment"       // id = policy ARN + "|" + entity type + "/" + lower(name)
	KindPasswordPolicy  = "iam-password-policy"  // id = "default"
	KindDeletionTask    = "iam-slr-deletion"     // id = deletion task ID
	KindInstanceProfile = "iam-instance-profile" // id = lower(profile name); body instance profile
	KindRoleProfile     = "iam-role-profile"     // id = lower(role name) + "/" + lower(profile name)
)

// AdministratorAccessARN is the AWS managed policy that allows everything.
const AdministratorAccessARN = "arn:aws:iam::aws:policy/AdministratorAccess"

// ErrNoSuchRole is returned by the transaction-level lookups when a role does not exist.
var ErrNoSuchRole = errors.New("iam: no such role")

// ErrNoSuchUser is returned by UserByNameTx when a user does not exist.
var ErrNoSuchUser = errors.New("iam: no such user")

// Tag is an IAM tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Role is a stored IAM role (record kind KindRole, scope = account, id = lower-cased name).
type Role struct {
	Account string `json:"account"`
	Name    string `json:"name"`
	Path    string `json:"path"`
	// ARN is arn:aws:iam::<account>:role<path><name>.
	ARN string `json:"arn"`
	// RoleID is "AROA" followed by 16 base32 characters.
	RoleID string `json:"roleId"`
	// AssumeRolePolicyDocument is the trust policy as the client sent it (decoded JSON).
	AssumeRolePolicyDocument string    `json:"assumeRolePolicyDocument"`
	Description              string    `json:"description,omitempty"`
	MaxSessionDuration       int32     `json:"maxSessionDuration"`
	Created                  time.Time `json:"created"`
	// InlinePolicies maps policy name to JSON document.
	InlinePolicies map[string]string `json:"inlinePolicies,omitempty"`
	// AttachedPolicyARNs lists the attached managed policies in attachment order.
	AttachedPolicyARNs  []string `json:"attachedPolicyArns,omitempty"`
	Tags                []Tag    `json:"tags,omitempty"`
	PermissionsBoundary string   `json:"permissionsBoundary,omitempty"`
	// ServiceLinked marks service-linked roles; ServiceName is then the service principal.
	ServiceLinked bool      `json:"serviceLinked,omitempty"`
	ServiceName   string    `json:"serviceName,omitempty"`
	LastUsed      time.Time `json:"lastUsed,omitzero"`
	// DeletionTaskID is the unfinished DeleteServiceLinkedRole task of this role, or "".
	DeletionTaskID string `json:"deletionTaskId,omitempty"`
}

// RoleSpec describes a role to create with CreateRoleTx. Zero Path means "/", zero
// MaxSessionDuration means 3600 seconds.
type RoleSpec struct {
	Name, Path, AssumeRolePolicyDocument, Description string
	MaxSessionDuration                                int32
	InlinePolicies                                    map[string]string
	AttachedPolicyARNs                                []string
	Tags                                              []Tag
}

// User is a stored IAM user (record kind KindUser, scope = account, id = lower-cased name).
type User struct {
	Account string `json:"account"`
	Name    string `json:"name"`
	Path    string `json:"path"`
	// ARN is arn:aws:iam::<account>:user<path><name>.
	ARN string `json:"arn"`
	// UserID is "AIDA" followed by 16 base32 characters.
	UserID              string            `json:"userId"`
	Created             time.Time         `json:"created"`
	InlinePolicies      map[string]string `json:"inlinePolicies,omitempty"`
	AttachedPolicyARNs  []string          `json:"attachedPolicyArns,omitempty"`
	Tags                []Tag             `json:"tags,omitempty"`
	PermissionsBoundary string            `json:"permissionsBoundary,omitempty"`
}

func nameID(name string) string { return strings.ToLower(name) }

func getJSON[T any](tx store.Tx, kind, scope, id string) (*T, error) {
	b, err := tx.Get(kind, scope, id)
	if err != nil {
		return nil, err
	}
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		return nil, fmt.Errorf("iam: decode %s %s/%s: %w", kind, scope, id, err)
	}
	return v, nil
}

func putJSON(tx store.Tx, kind, scope, id string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Put(kind, scope, id, b)
}

// GetRoleTx returns the role of account with name (case-insensitive), or ErrNoSuchRole.
func GetRoleTx(tx store.Tx, account, name string) (*Role, error) {
	r, err := getJSON[Role](tx, KindRole, account, nameID(name))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoSuchRole
	}
	return r, err
}

// RoleByARNTx returns the role an ARN (arn:aws:iam::<account>:role<path><name>) names, or
// ErrNoSuchRole when the ARN is not a role ARN, or names no role, or its path differs.
func RoleByARNTx(tx store.Tx, roleARN string) (*Role, error) {
	account, _, name, ok := parseRoleARN(roleARN)
	if !ok {
		return nil, ErrNoSuchRole
	}
	r, err := GetRoleTx(tx, account, name)
	if err != nil {
		return nil, err
	}
	if r.ARN != roleARN {
		return nil, ErrNoSuchRole
	}
	return r, nil
}

// parseRoleARN splits arn:aws:iam::<account>:role<path><name>.
func parseRoleARN(s string) (account, path, name string, ok bool) {
	rest, found := strings.CutPrefix(s, "arn:aws:iam::")
	if !found {
		return "", "", "", false
	}
	account, res, found := strings.Cut(rest, ":")
	if !found || !identity.ValidAccountID(account) {
		return "", "", "", false
	}
	res, found = strings.CutPrefix(res, "role/")
	if !found {
		return "", "", "", false
	}
	i := strings.LastIndex(res, "/")
	path, name = "/"+res[:i+1], res[i+1:]
	if name == "" {
		return "", "", "", false
	}
	return account, path, name, true
}

func roleARN(account, path, name string) string {
	return "arn:aws:iam::" + account + ":role" + path + name
}

func userARN(account, path, name string) string {
	return "arn:aws:iam::" + account + ":user" + path + name
}

func putRole(tx store.Tx, r *Role) error { return putJSON(tx, KindRole, r.Account, nameID(r.Name), r) }

// CreateRoleTx creates a role in account inside tx. It returns *awsproto.Error values
// (EntityAlreadyExists when the name is taken, MalformedPolicyDocument for an invalid trust or
// inline policy, NoSuchEntity for an attached policy ARN that does not exist), so callers
// acting for a client may return them as they are.
func (s *Service) CreateRoleTx(tx store.Tx, account string, spec RoleSpec) (*Role, error) {
	if spec.Path == "" {
		spec.Path = "/"
	}
	if spec.MaxSessionDuration == 0 {
		spec.MaxSessionDuration = 3600
	}
	if err := validName(spec.Name, 64); err != nil {
		return nil, err
	}
	if err := validPath(spec.Path); err != nil {
		return nil, err
	}
	if spec.MaxSessionDuration < 3600 || spec.MaxSessionDuration > 43200 {
		return nil, iamapi.ErrInvalidInput("The requested MaxSessionDuration %d exceeds the allowed range [3600, 43200].", spec.MaxSessionDuration)
	}
	if err := checkPolicyDocument(spec.AssumeRolePolicyDocument); err != nil {
		return nil, err
	}
	for _, doc := range spec.InlinePolicies {
		if err := checkPolicyDocument(doc); err != nil {
			return nil, err
		}
	}
	if _, err := GetRoleTx(tx, account, spec.Name); err == nil {
		return nil, iamapi.ErrEntityAlreadyExists("Role with name %s already exists.", spec.Name)
	} else if !errors.Is(err, ErrNoSuchRole) {
		return nil, err
	}
	r := &Role{
		Account: account, Name: spec.Name, Path: spec.Path, ARN: roleARN(account, spec.Path, spec.Name),
		RoleID: "AROA" + s.ids.Base32(16), AssumeRolePolicyDocument: spec.AssumeRolePolicyDocument,
		Description: spec.Description, MaxSessionDuration: spec.MaxSessionDuration,
		Created: s.clock.Now().UTC().Truncate(time.Second), Tags: mergeTags(nil, spec.Tags),
	}
	if len(spec.InlinePolicies) > 0 {
		r.InlinePolicies = make(map[string]string, len(spec.InlinePolicies))
		for k, v := range spec.InlinePolicies {
			r.InlinePolicies[k] = v
		}
	}
	for _, arn := range spec.AttachedPolicyARNs {
		if err := attachWithID(tx, account, entityRole, r.Name, r.RoleID, &r.AttachedPolicyARNs, arn); err != nil {
			return nil, err
		}
	}
	if err := s.putRoleNotify(tx, r); err != nil {
		return nil, err
	}
	return r, nil
}

// EnsureServiceLinkedRoleTx returns account's service-linked role for servicePrincipal,
// creating it (with AWS's name, path, trust policy and attached policy) when absent. It is
// idempotent. An unknown principal gives InvalidInput.
func (s *Service) EnsureServiceLinkedRoleTx(tx store.Tx, account, servicePrincipal string) (*Role, error) {
	def, ok := slrByPrincipal(servicePrincipal)
	if !ok {
		return nil, iamapi.ErrInvalidInput("Service %s is not a supported service for service-linked roles.", servicePrincipal)
	}
	r, err := GetRoleTx(tx, account, def.RoleName)
	if err == nil {
		if !r.ServiceLinked {
			return nil, iamapi.ErrEntityAlreadyExists("Role with name %s already exists.", def.RoleName)
		}
		return r, nil
	}
	if !errors.Is(err, ErrNoSuchRole) {
		return nil, err
	}
	return s.createSLRTx(tx, account, def, def.RoleName, def.Description)
}

// IdentityPoliciesTx returns the JSON documents of the identity policies that grant p its
// permissions: inline and attached managed policies (at their default version) of an IAM
// user, or of the role of an assumed-role session. Root has no identity policies (nil). A
// principal whose user or role no longer exists has none either (empty, no error).
func (s *Service) IdentityPoliciesTx(tx store.Tx, p *identity.Principal) ([]string, error) {
	if p == nil {
		return nil, nil
	}
	var inline map[string]string
	var attached []string
	switch p.Type {
	case identity.User:
		u, err := s.UserByNameTx(tx, p.Account, p.Name)
		if errors.Is(err, ErrNoSuchUser) {
			return []string{}, nil
		}
		if err != nil {
			return nil, err
		}
		inline, attached = u.InlinePolicies, u.AttachedPolicyARNs
	case identity.AssumedRole:
		r, err := RoleByARNTx(tx, p.RoleARN)
		if errors.Is(err, ErrNoSuchRole) {
			return []string{}, nil
		}
		if err != nil {
			return nil, err
		}
		inline, attached = r.InlinePolicies, r.AttachedPolicyARNs
	default:
		return nil, nil
	}
	out := make([]string, 0, len(inline)+len(attached))
	for _, name := range sortedKeys(inline) {
		out = append(out, inline[name])
	}
	for _, arn := range attached {
		doc, err := policyDocumentTx(tx, arn)
		if errors.Is(err, store.ErrNotFound) {
			continue // deleted meanwhile: grants nothing
		}
		if err != nil {
			return nil, err
		}
		out = append(out, doc)
	}
	return out, nil
}

// UserByNameTx returns the IAM user of account with name (case-insensitive), or ErrNoSuchUser.
func (s *Service) UserByNameTx(tx store.Tx, account, name string) (*User, error) {
	return getUserTx(tx, account, name)
}

func getUserTx(tx store.Tx, account, name string) (*User, error) {
	u, err := getJSON[User](tx, KindUser, account, nameID(name))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoSuchUser
	}
	return u, err
}

// PolicyDocumentTx returns the default version's document of a managed policy (AWS managed or
// customer managed), as JSON. authz uses it for managed session policies (AssumeRole's
// PolicyArns).
func (s *Service) PolicyDocumentTx(tx store.Tx, policyARN string) (string, error) {
	return policyDocumentTx(tx, policyARN)
}
