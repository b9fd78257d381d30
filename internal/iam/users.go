package iam

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/orgconfig/orgconfig/internal/api/iamapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/call"
	"github.com/orgconfig/orgconfig/internal/identity"
	"github.com/orgconfig/orgconfig/internal/store"
)

// maxAccessKeys is AWS's quota of access keys per user.
const maxAccessKeys = 2

func noSuchUser(name string) error {
	return iamapi.ErrNoSuchEntity("The user with name %s cannot be found.", name)
}

func (u *User) api(list bool) *iamapi.User {
	out := &iamapi.User{Path: u.Path, UserName: u.Name, UserId: u.UserID, Arn: u.ARN, CreateDate: awsproto.NewTime(u.Created)}
	if list {
		return out
	}
	out.Tags = toAPITags(u.Tags)
	if u.PermissionsBoundary != "" {
		out.PermissionsBoundary = &iamapi.AttachedPermissionsBoundary{
			PermissionsBoundaryType: iamapi.PermissionsBoundaryAttachmentTypePermissionsBoundaryPolicy,
			PermissionsBoundaryArn:  u.PermissionsBoundary,
		}
	}
	return out
}

func putUser(tx store.Tx, u *User) error { return putJSON(tx, KindUser, u.Account, nameID(u.Name), u) }

// accessKey is the IAM view of a user's access key (record kind KindAccessKey, id =
// lower(user) + "/" + key ID). The secret and the authoritative status live in the auth
// credential record of the same key, which is what request signing reads.
type accessKey struct {
	UserName    string    `json:"userName"`
	AccessKeyID string    `json:"accessKeyId"`
	Status      string    `json:"status"`
	Created     time.Time `json:"created"`
}

func accessKeyID(user, akid string) string { return nameID(user) + "/" + akid }

func userKeysTx(tx store.Tx, account, user string) ([]accessKey, error) {
	recs, err := tx.ListPrefix(KindAccessKey, account, nameID(user)+"/", "", 0)
	if err != nil {
		return nil, err
	}
	out := make([]accessKey, 0, len(recs))
	for _, r := range recs {
		var k accessKey
		if err := json.Unmarshal(r.Body, &k); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, nil
}

// withUser runs fn on the caller account's user inside a write and stores it afterwards.
func (s *Service) withUser(ctx context.Context, name string, fn func(tx store.Tx, u *User) error) (*User, error) {
	who, err := call.Caller(ctx)
	if err != nil {
		return nil, err
	}
	account := who.Principal.Account
	var out *User
	err = s.store.Write(ctx, func(tx store.Tx) error {
		u, err := getUserTx(tx, account, name)
		if errors.Is(err, ErrNoSuchUser) {
			return noSuchUser(name)
		}
		if err != nil {
			return err
		}
		if err := fn(tx, u); err != nil {
			return err
		}
		out = u
		return s.putUserNotify(tx, u)
	})
	return out, err
}

func (s *Service) readUser(ctx context.Context, name string) (*User, error) {
	who, err := call.Caller(ctx)
	if err != nil {
		return nil, err
	}
	account := who.Principal.Account
	var u *User
	err = s.store.Read(ctx, func(tx store.Tx) error {
		var err error
		u, err = getUserTx(tx, account, name)
		if errors.Is(err, ErrNoSuchUser) {
			return noSuchUser(name)
		}
		return err
	})
	return u, err
}

// impliedUser resolves an optional UserName parameter: absent, it means the calling IAM user.
// Root callers get "" with root set (they act on the account's root keys).
func impliedUser(p *identity.Principal, name string) (user string, root bool, err error) {
	if name != "" {
		return name, false, nil
	}
	switch p.Type {
	case identity.User:
		return p.Name, false, nil
	case identity.Root:
		return "", true, nil
	}
	return "", false, awsproto.ErrValidation("Must specify userName when calling with non-User credentials")
}

// CreateUser creates an IAM user.
func (s *Service) CreateUser(ctx context.Context, in *iamapi.CreateUserRequest) (*iamapi.CreateUserResponse, error) {
	who, err := call.Caller(ctx)
	if err != nil {
		return nil, err
	}
	account := who.Principal.Account
	path := in.Path
	if path == "" {
		path = "/"
	}
	if err := validPath(path); err != nil {
		return nil, err
	}
	tags := fromAPITags(in.Tags)
	if err := checkTags(nil, tags); err != nil {
		return nil, err
	}
	u := &User{Account: account, Name: in.UserName, Path: path, ARN: userARN(account, path, in.UserName),
		UserID: "AIDA" + s.ids.Base32(16), Created: s.clock.Now().UTC().Truncate(time.Second), Tags: mergeTags(nil, tags)}
	err = s.store.Write(ctx, func(tx store.Tx) error {
		if _, err := getUserTx(tx, account, in.UserName); err == nil {
			return iamapi.ErrEntityAlreadyExists("User with name %s already exists.", in.UserName)
		} else if !errors.Is(err, ErrNoSuchUser) {
			return err
		}
		if in.PermissionsBoundary != "" {
			if err := boundaryExists(tx, account, in.PermissionsBoundary); err != nil {
				return err
			}
			u.PermissionsBoundary = in.PermissionsBoundary
		}
		return s.putUserNotify(tx, u)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateUserResponse{User: u.api(false)}, nil
}

// GetUser returns a user; without a name, the caller (the root "user" for root credentials).
func (s *Service) GetUser(ctx context.Context, in *iamapi.GetUserRequest) (*iamapi.GetUserResponse, error) {
	who, err := call.Caller(ctx)
	if err != nil {
		return nil, err
	}
	p := who.Principal
	name, root, err := impliedUser(p, in.UserName)
	if err != nil {
		return nil, err
	}
	if root {
		created := time.Time{}
		if a, err := s.dir.Account(ctx, p.Account); err == nil {
			created = a.Created
		}
		return &iamapi.GetUserResponse{User: &iamapi.User{UserId: p.Account, Arn: identity.RootARN(p.Account), CreateDate: awsproto.NewTime(created)}}, nil
	}
	u, err := s.readUser(ctx, name)
	if err != nil {
		return nil, err
	}
	return &iamapi.GetUserResponse{User: u.api(false)}, nil
}

// ListUsers lists the caller's users in name order.
func (s *Service) ListUsers(ctx context.Context, in *iamapi.ListUsersRequest) (*iamapi.ListUsersResponse, error) {
	who, err := call.Caller(ctx)
	if err != nil {
		return nil, err
	}
	account := who.Principal.Account
	var users []*User
	err = s.store.Read(ctx, func(tx store.Tx) error {
		recs, err := tx.List(KindUser, account, "", 0)
		if err != nil {
			return err
		}
		for _, rec := range recs {
			var u User
			if err := json.Unmarshal(rec.Body, &u); err != nil {
				return err
			}
			if in.PathPrefix == "" || strings.HasPrefix(u.Path, in.PathPrefix) {
				users = append(users, &u)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	items, truncated, marker, err := page(users, func(u *User) string { return nameID(u.Name) }, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListUsersResponse{Users: []iamapi.User{}, IsTruncated: truncated, Marker: marker}
	for _, u := range items {
		out.Users = append(out.Users, *u.api(true))
	}
	return out, nil
}

// DeleteUser deletes a user that has no access keys and no policies.
func (s *Service) DeleteUser(ctx context.Context, in *iamapi.DeleteUserRequest) error {
	who, err := call.Caller(ctx)
	if err != nil {
		return err
	}
	account := who.Principal.Account
	return s.store.Write(ctx, func(tx store.Tx) error {
		u, err := getUserTx(tx, account, in.UserName)
		if errors.Is(err, ErrNoSuchUser) {
			return noSuchUser(in.UserName)
		}
		if err != nil {
			return err
		}
		keys, err := userKeysTx(tx, account, u.Name)
		if err != nil {
			return err
		}
		if len(keys) > 0 {
			return iamapi.ErrDeleteConflict("Cannot delete entity, must delete access keys first.")
		}
		if len(u.AttachedPolicyARNs) > 0 {
			return iamapi.ErrDeleteConflict("Cannot delete entity, must detach all policies first.")
		}
		if len(u.InlinePolicies) > 0 {
			return iamapi.ErrDeleteConflict("Cannot delete entity, must delete policies first.")
		}
		return s.deleteUserNotify(tx, u)
	})
}

// CreateAccessKey issues a long-term access key for a user (or, for a root caller without a
// user name, for the account's root user). The key authenticates as soon as this returns.
func (s *Service) CreateAccessKey(ctx context.Context, in *iamapi.CreateAccessKeyRequest) (*iamapi.CreateAccessKeyResponse, error) {
	who, err := call.Caller(ctx)
	if err != nil {
		return nil, err
	}
	account, p := who.Principal.Account, who.Principal
	name, root, err := impliedUser(p, in.UserName)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now().UTC().Truncate(time.Second)
	var cred *identity.Credential
	err = s.store.Write(ctx, func(tx store.Tx) error {
		if root {
			keys, err := tx.List(identity.KindAccountKey, account, "", 0)
			if err != nil {
				return err
			}
			if len(keys) >= maxAccessKeys {
				return iamapi.ErrLimitExceeded("Cannot exceed quota for AccessKeysPerUser: %d", maxAccessKeys)
			}
			cred = s.dir.NewRootCredential(account, "", "")
			cred.Created = now
			return s.dir.PutCredential(tx, cred)
		}
		u, err := getUserTx(tx, account, name)
		if errors.Is(err, ErrNoSuchUser) {
			return noSuchUser(name)
		}
		if err != nil {
			return err
		}
		keys, err := userKeysTx(tx, account, u.Name)
		if err != nil {
			return err
		}
		if len(keys) >= maxAccessKeys {
			return iamapi.ErrLimitExceeded("Cannot exceed quota for AccessKeysPerUser: %d", maxAccessKeys)
		}
		cred = &identity.Credential{AccessKeyID: s.dir.NewAccessKeyID(false), SecretAccessKey: s.ids.Secret(),
			Account: account, Type: identity.User, ARN: u.ARN, UserID: u.UserID, Status: "Active", Created: now, Name: u.Name}
		if err := s.dir.PutCredential(tx, cred); err != nil {
			return err
		}
		return putJSON(tx, KindAccessKey, account, accessKeyID(u.Name, cred.AccessKeyID),
			accessKey{UserName: u.Name, AccessKeyID: cred.AccessKeyID, Status: "Active", Created: now})
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateAccessKeyResponse{AccessKey: &iamapi.AccessKey{UserName: cred.Name, AccessKeyId: cred.AccessKeyID,
		Status: iamapi.StatusTypeActive, SecretAccessKey: cred.SecretAccessKey, CreateDate: awsproto.NewTime(now)}}, nil
}

// rootKeysTx lists the root access keys of account as accessKey values.
func rootKeysTx(tx store.Tx, account string) ([]accessKey, error) {
	recs, err := tx.List(identity.KindAccountKey, account, "", 0)
	if err != nil {
		return nil, err
	}
	var out []accessKey
	for _, r := range recs {
		c, err := getJSON[identity.Credential](tx, identity.KindCredential, "", r.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		status := c.Status
		if status == "" {
			status = "Active"
		}
		out = append(out, accessKey{AccessKeyID: c.AccessKeyID, Status: status, Created: c.Created})
	}
	return out, nil
}

// ListAccessKeys lists a user's access keys (without secrets).
func (s *Service) ListAccessKeys(ctx context.Context, in *iamapi.ListAccessKeysRequest) (*iamapi.ListAccessKeysResponse, error) {
	who, err := call.Caller(ctx)
	if err != nil {
		return nil, err
	}
	account, p := who.Principal.Account, who.Principal
	name, root, err := impliedUser(p, in.UserName)
	if err != nil {
		return nil, err
	}
	var keys []accessKey
	err = s.store.Read(ctx, func(tx store.Tx) error {
		var err error
		if root {
			keys, err = rootKeysTx(tx, account)
			return err
		}
		u, err := getUserTx(tx, account, name)
		if errors.Is(err, ErrNoSuchUser) {
			return noSuchUser(name)
		}
		if err != nil {
			return err
		}
		keys, err = userKeysTx(tx, account, u.Name)
		return err
	})
	if err != nil {
		return nil, err
	}
	items, truncated, marker, err := page(keys, func(k accessKey) string { return k.AccessKeyID }, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListAccessKeysResponse{AccessKeyMetadata: []iamapi.AccessKeyMetadata{}, IsTruncated: truncated, Marker: marker}
	for _, k := range items {
		out.AccessKeyMetadata = append(out.AccessKeyMetadata, iamapi.AccessKeyMetadata{UserName: k.UserName,
			AccessKeyId: k.AccessKeyID, Status: iamapi.StatusType(k.Status), CreateDate: awsproto.NewTime(k.Created)})
	}
	return out, nil
}

func noSuchKey(akid string) error {
	return iamapi.ErrNoSuchEntity("The Access Key with id %s cannot be found.", akid)
}

// keyCredentialTx returns the credential of a key that belongs to the given user (or to the
// root user of account when root is set).
func keyCredentialTx(tx store.Tx, account, user string, root bool, akid string) (*identity.Credential, error) {
	c, err := getJSON[identity.Credential](tx, identity.KindCredential, "", akid)
	if errors.Is(err, store.ErrNotFound) {
		return nil, noSuchKey(akid)
	}
	if err != nil {
		return nil, err
	}
	if c.Account != account || (root && c.Type != identity.Root) || (!root && (c.Type != identity.User || !strings.EqualFold(c.Name, user))) {
		return nil, noSuchKey(akid)
	}
	return c, nil
}

// UpdateAccessKey activates or deactivates an access key; an inactive key stops
// authenticating at once on this server and within the credential cache TTL elsewhere.
func (s *Service) UpdateAccessKey(ctx context.Context, in *iamapi.UpdateAccessKeyRequest) error {
	who, err := call.Caller(ctx)
	if err != nil {
		return err
	}
	account, p := who.Principal.Account, who.Principal
	name, root, err := impliedUser(p, in.UserName)
	if err != nil {
		return err
	}
	if in.Status != iamapi.StatusTypeActive && in.Status != iamapi.StatusTypeInactive {
		return awsproto.ErrValidation("1 validation error detected: Value '%s' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]", in.Status)
	}
	err = s.store.Write(ctx, func(tx store.Tx) error {
		if !root {
			if _, err := getUserTx(tx, account, name); errors.Is(err, ErrNoSuchUser) {
				return noSuchUser(name)
			} else if err != nil {
				return err
			}
		}
		c, err := keyCredentialTx(tx, account, name, root, in.AccessKeyId)
		if err != nil {
			return err
		}
		c.Status = string(in.Status)
		if err := s.dir.PutCredential(tx, c); err != nil {
			return err
		}
		if root {
			return nil
		}
		k, err := getJSON[accessKey](tx, KindAccessKey, account, accessKeyID(c.Name, c.AccessKeyID))
		if err != nil {
			return err
		}
		k.Status = string(in.Status)
		return putJSON(tx, KindAccessKey, account, accessKeyID(c.Name, c.AccessKeyID), k)
	})
	s.dir.Forget(in.AccessKeyId)
	return err
}

// DeleteAccessKey deletes an access key; it stops authenticating at once.
func (s *Service) DeleteAccessKey(ctx context.Context, in *iamapi.DeleteAccessKeyRequest) error {
	who, err := call.Caller(ctx)
	if err != nil {
		return err
	}
	account, p := who.Principal.Account, who.Principal
	name, root, err := impliedUser(p, in.UserName)
	if err != nil {
		return err
	}
	err = s.store.Write(ctx, func(tx store.Tx) error {
		if !root {
			if _, err := getUserTx(tx, account, name); errors.Is(err, ErrNoSuchUser) {
				return noSuchUser(name)
			} else if err != nil {
				return err
			}
		}
		c, err := keyCredentialTx(tx, account, name, root, in.AccessKeyId)
		if err != nil {
			return err
		}
		if _, err := tx.Delete(identity.KindCredential, "", c.AccessKeyID); err != nil {
			return err
		}
		if root {
			_, err = tx.Delete(identity.KindAccountKey, account, c.AccessKeyID)
			return err
		}
		_, err = tx.Delete(KindAccessKey, account, accessKeyID(c.Name, c.AccessKeyID))
		return err
	})
	s.dir.Forget(in.AccessKeyId)
	return err
}

// PutUserPolicy adds or replaces an inline policy of a user.
func (s *Service) PutUserPolicy(ctx context.Context, in *iamapi.PutUserPolicyRequest) error {
	if err := checkPolicyDocument(in.PolicyDocument); err != nil {
		return err
	}
	_, err := s.withUser(ctx, in.UserName, func(tx store.Tx, u *User) error {
		if u.InlinePolicies == nil {
			u.InlinePolicies = map[string]string{}
		}
		u.InlinePolicies[in.PolicyName] = in.PolicyDocument
		return nil
	})
	return err
}

func noSuchUserPolicy(user, name string) error {
	return iamapi.ErrNoSuchEntity("The user policy with name %s cannot be found.", name)
}

// GetUserPolicy returns an inline policy of a user, its document URL-encoded.
func (s *Service) GetUserPolicy(ctx context.Context, in *iamapi.GetUserPolicyRequest) (*iamapi.GetUserPolicyResponse, error) {
	u, err := s.readUser(ctx, in.UserName)
	if err != nil {
		return nil, err
	}
	doc, ok := u.InlinePolicies[in.PolicyName]
	if !ok {
		return nil, noSuchUserPolicy(u.Name, in.PolicyName)
	}
	return &iamapi.GetUserPolicyResponse{UserName: u.Name, PolicyName: in.PolicyName, PolicyDocument: encodeDoc(doc)}, nil
}

// DeleteUserPolicy deletes an inline policy of a user.
func (s *Service) DeleteUserPolicy(ctx context.Context, in *iamapi.DeleteUserPolicyRequest) error {
	_, err := s.withUser(ctx, in.UserName, func(tx store.Tx, u *User) error {
		if _, ok := u.InlinePolicies[in.PolicyName]; !ok {
			return noSuchUserPolicy(u.Name, in.PolicyName)
		}
		delete(u.InlinePolicies, in.PolicyName)
		return nil
	})
	return err
}

// ListUserPolicies lists the names of a user's inline policies.
func (s *Service) ListUserPolicies(ctx context.Context, in *iamapi.ListUserPoliciesRequest) (*iamapi.ListUserPoliciesResponse, error) {
	u, err := s.readUser(ctx, in.UserName)
	if err != nil {
		return nil, err
	}
	items, truncated, marker, err := page(sortedKeys(u.InlinePolicies), func(n string) string { return n }, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListUserPoliciesResponse{PolicyNames: append([]string{}, items...), IsTruncated: truncated, Marker: marker}, nil
}

// AttachUserPolicy attaches a managed policy to a user.
func (s *Service) AttachUserPolicy(ctx context.Context, in *iamapi.AttachUserPolicyRequest) error {
	_, err := s.withUser(ctx, in.UserName, func(tx store.Tx, u *User) error {
		return attachWithID(tx, u.Account, entityUser, u.Name, u.UserID, &u.AttachedPolicyARNs, in.PolicyArn)
	})
	return err
}

// DetachUserPolicy detaches a managed policy from a user.
func (s *Service) DetachUserPolicy(ctx context.Context, in *iamapi.DetachUserPolicyRequest) error {
	_, err := s.withUser(ctx, in.UserName, func(tx store.Tx, u *User) error {
		return detachTx(tx, u.Account, entityUser, u.Name, &u.AttachedPolicyARNs, in.PolicyArn)
	})
	return err
}

// ListAttachedUserPolicies lists the managed policies attached to a user.
func (s *Service) ListAttachedUserPolicies(ctx context.Context, in *iamapi.ListAttachedUserPoliciesRequest) (*iamapi.ListAttachedUserPoliciesResponse, error) {
	u, err := s.readUser(ctx, in.UserName)
	if err != nil {
		return nil, err
	}
	items, truncated, marker, err := attachedList(u.AttachedPolicyARNs, in.PathPrefix, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListAttachedUserPoliciesResponse{AttachedPolicies: items, IsTruncated: truncated, Marker: marker}, nil
}

// TagUser adds or overwrites tags of a user.
func (s *Service) TagUser(ctx context.Context, in *iamapi.TagUserRequest) error {
	_, err := s.withUser(ctx, in.UserName, func(tx store.Tx, u *User) error {
		add := fromAPITags(in.Tags)
		if err := checkTags(u.Tags, add); err != nil {
			return err
		}
		u.Tags = mergeTags(u.Tags, add)
		return nil
	})
	return err
}

// UntagUser removes tags from a user.
func (s *Service) UntagUser(ctx context.Context, in *iamapi.UntagUserRequest) error {
	_, err := s.withUser(ctx, in.UserName, func(tx store.Tx, u *User) error {
		u.Tags = removeTags(u.Tags, in.TagKeys)
		return nil
	})
	return err
}

// ListUserTags lists a user's tags.
func (s *Service) ListUserTags(ctx context.Context, in *iamapi.ListUserTagsRequest) (*iamapi.ListUserTagsResponse, error) {
	u, err := s.readUser(ctx, in.UserName)
	if err != nil {
		return nil, err
	}
	tags, truncated, marker, err := pageTags(u.Tags, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListUserTagsResponse{Tags: tags, IsTruncated: truncated, Marker: marker}, nil
}
