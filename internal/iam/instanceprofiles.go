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
	"github.com/orgconfig/orgconfig/internal/store"
)

// maxInstanceProfiles is AWS's default quota of instance profiles per account.
const maxInstanceProfiles = 1000

// instanceProfile is a stored instance profile (record kind KindInstanceProfile, scope =
// account, id = lower-cased name).
type instanceProfile struct {
	Account string `json:"account"`
	Name    string `json:"name"`
	Path    string `json:"path"`
	// ARN is arn:aws:iam::<account>:instance-profile<path><name>.
	ARN string `json:"arn"`
	// ProfileID is "AIPA" followed by 17 base32 characters.
	ProfileID string    `json:"instanceProfileId"`
	Created   time.Time `json:"created"`
	// RoleName is the name of the profile's role, or "": an instance profile holds at most one
	// role (a quota AWS does not raise). A KindRoleProfile record mirrors it.
	RoleName string `json:"roleName,omitempty"`
	Tags     []Tag  `json:"tags,omitempty"`
}

// roleProfile is the body of a KindRoleProfile record: the instance profile a role is in. The
// records give ListInstanceProfilesForRole and DeleteRole's conflict check without scanning
// every instance profile.
type roleProfile struct {
	Profile string `json:"profile"`
}

func roleProfileID(role, profile string) string { return nameID(role) + "/" + nameID(profile) }

func instanceProfileARN(account, path, name string) string {
	return "arn:aws:iam::" + account + ":instance-profile" + path + name
}

func noSuchInstanceProfile(name string) error {
	return iamapi.ErrNoSuchEntity("Instance Profile %s cannot be found.", name)
}

// getInstanceProfileTx returns account's instance profile name (case-insensitive), or
// NoSuchEntity.
func getInstanceProfileTx(tx store.Tx, account, name string) (*instanceProfile, error) {
	p, err := getJSON[instanceProfile](tx, KindInstanceProfile, account, nameID(name))
	if errors.Is(err, store.ErrNotFound) {
		return nil, noSuchInstanceProfile(name)
	}
	return p, err
}

func putInstanceProfile(tx store.Tx, p *instanceProfile) error {
	return putJSON(tx, KindInstanceProfile, p.Account, nameID(p.Name), p)
}

// roleInstanceProfilesTx returns the names (lower-cased) of the instance profiles role is in.
func roleInstanceProfilesTx(tx store.Tx, account, role string, limit int) ([]string, error) {
	prefix := nameID(role) + "/"
	recs, err := tx.ListPrefix(KindRoleProfile, account, prefix, "", limit)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = strings.TrimPrefix(r.ID, prefix)
	}
	return out, nil
}

// profileRoleTx returns the role of p, or nil when it has none.
func profileRoleTx(tx store.Tx, p *instanceProfile) (*Role, error) {
	if p.RoleName == "" {
		return nil, nil
	}
	r, err := GetRoleTx(tx, p.Account, p.RoleName)
	if errors.Is(err, ErrNoSuchRole) {
		return nil, nil // a role cannot be deleted while in a profile; tolerate it anyway
	}
	return r, err
}

// api renders the profile as the IAM API returns it, with its role in full. List operations
// omit the tags, as AWS's do.
func (p *instanceProfile) api(role *Role, list bool) iamapi.InstanceProfile {
	out := iamapi.InstanceProfile{
		Path: p.Path, InstanceProfileName: p.Name, InstanceProfileId: p.ProfileID, Arn: p.ARN,
		CreateDate: awsproto.NewTime(p.Created), Roles: []iamapi.Role{},
	}
	if role != nil {
		out.Roles = append(out.Roles, *role.api(true))
	}
	if !list {
		out.Tags = toAPITags(p.Tags)
	}
	return out
}

// withInstanceProfile runs fn on the caller account's instance profile inside a write and
// stores the profile afterwards unless fn returns an error.
func (s *Service) withInstanceProfile(ctx context.Context, name string, fn func(tx store.Tx, p *instanceProfile) error) error {
	who, err := call.Caller(ctx)
	if err != nil {
		return err
	}
	account := who.Principal.Account
	return s.store.Write(ctx, func(tx store.Tx) error {
		p, err := getInstanceProfileTx(tx, account, name)
		if err != nil {
			return err
		}
		if err := fn(tx, p); err != nil {
			return err
		}
		return putInstanceProfile(tx, p)
	})
}

// CreateInstanceProfile creates an instance profile without a role.
func (s *Service) CreateInstanceProfile(ctx context.Context, in *iamapi.CreateInstanceProfileRequest) (*iamapi.CreateInstanceProfileResponse, error) {
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
	p := &instanceProfile{Account: account, Name: in.InstanceProfileName, Path: path,
		ARN: instanceProfileARN(account, path, in.InstanceProfileName), ProfileID: "AIPA" + s.ids.Base32(17),
		Created: s.clock.Now().UTC().Truncate(time.Second), Tags: mergeTags(nil, tags)}
	err = s.store.Write(ctx, func(tx store.Tx) error {
		if _, err := tx.Get(KindInstanceProfile, account, nameID(in.InstanceProfileName)); err == nil {
			return iamapi.ErrEntityAlreadyExists("Instance Profile %s already exists.", in.InstanceProfileName)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		n, err := tx.Count(KindInstanceProfile, account)
		if err != nil {
			return err
		}
		if n >= maxInstanceProfiles {
			return iamapi.ErrLimitExceeded("Cannot exceed quota for InstanceProfilesPerAccount: %d", maxInstanceProfiles)
		}
		return putInstanceProfile(tx, p)
	})
	if err != nil {
		return nil, err
	}
	out := p.api(nil, false)
	return &iamapi.CreateInstanceProfileResponse{InstanceProfile: &out}, nil
}

// GetInstanceProfile returns an instance profile with its role and tags.
func (s *Service) GetInstanceProfile(ctx context.Context, in *iamapi.GetInstanceProfileRequest) (*iamapi.GetInstanceProfileResponse, error) {
	who, err := call.Caller(ctx)
	if err != nil {
		return nil, err
	}
	account := who.Principal.Account
	var out iamapi.InstanceProfile
	err = s.store.Read(ctx, func(tx store.Tx) error {
		p, err := getInstanceProfileTx(tx, account, in.InstanceProfileName)
		if err != nil {
			return err
		}
		r, err := profileRoleTx(tx, p)
		if err != nil {
			return err
		}
		out = p.api(r, false)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.GetInstanceProfileResponse{InstanceProfile: &out}, nil
}

// DeleteInstanceProfile deletes an instance profile that holds no role.
func (s *Service) DeleteInstanceProfile(ctx context.Context, in *iamapi.DeleteInstanceProfileRequest) error {
	who, err := call.Caller(ctx)
	if err != nil {
		return err
	}
	account := who.Principal.Account
	return s.store.Write(ctx, func(tx store.Tx) error {
		p, err := getInstanceProfileTx(tx, account, in.InstanceProfileName)
		if err != nil {
			return err
		}
		if p.RoleName != "" {
			return iamapi.ErrDeleteConflict("Cannot delete entity, must remove roles from instance profile first.")
		}
		_, err = tx.Delete(KindInstanceProfile, account, nameID(p.Name))
		return err
	})
}

// ListInstanceProfiles lists the caller's instance profiles in name order, filtered by path
// prefix.
func (s *Service) ListInstanceProfiles(ctx context.Context, in *iamapi.ListInstanceProfilesRequest) (*iamapi.ListInstanceProfilesResponse, error) {
	who, err := call.Caller(ctx)
	if err != nil {
		return nil, err
	}
	account := who.Principal.Account
	out := &iamapi.ListInstanceProfilesResponse{InstanceProfiles: []iamapi.InstanceProfile{}}
	err = s.store.Read(ctx, func(tx store.Tx) error {
		recs, err := tx.List(KindInstanceProfile, account, "", 0)
		if err != nil {
			return err
		}
		var profiles []*instanceProfile
		for _, rec := range recs {
			p := new(instanceProfile)
			if err := json.Unmarshal(rec.Body, p); err != nil {
				return err
			}
			if in.PathPrefix == "" || strings.HasPrefix(p.Path, in.PathPrefix) {
				profiles = append(profiles, p)
			}
		}
		items, truncated, marker, err := page(profiles, func(p *instanceProfile) string { return nameID(p.Name) }, in.Marker, in.MaxItems)
		if err != nil {
			return err
		}
		out.IsTruncated, out.Marker = truncated, marker
		for _, p := range items {
			r, err := profileRoleTx(tx, p)
			if err != nil {
				return err
			}
			out.InstanceProfiles = append(out.InstanceProfiles, p.api(r, true))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListInstanceProfilesForRole lists the instance profiles a role is in (none: an empty list).
func (s *Service) ListInstanceProfilesForRole(ctx context.Context, in *iamapi.ListInstanceProfilesForRoleRequest) (*iamapi.ListInstanceProfilesForRoleResponse, error) {
	who, err := call.Caller(ctx)
	if err != nil {
		return nil, err
	}
	account := who.Principal.Account
	out := &iamapi.ListInstanceProfilesForRoleResponse{InstanceProfiles: []iamapi.InstanceProfile{}}
	err = s.store.Read(ctx, func(tx store.Tx) error {
		r, err := GetRoleTx(tx, account, in.RoleName)
		if errors.Is(err, ErrNoSuchRole) {
			return noSuchRole(in.RoleName)
		}
		if err != nil {
			return err
		}
		ids, err := roleInstanceProfilesTx(tx, account, r.Name, 0)
		if err != nil {
			return err
		}
		items, truncated, marker, err := page(ids, func(id string) string { return id }, in.Marker, in.MaxItems)
		if err != nil {
			return err
		}
		out.IsTruncated, out.Marker = truncated, marker
		for _, id := range items {
			p, err := getInstanceProfileTx(tx, account, id)
			if err != nil {
				return err
			}
			out.InstanceProfiles = append(out.InstanceProfiles, p.api(r, true))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AddRoleToInstanceProfile puts a role into an instance profile that holds none yet.
// Service-linked roles cannot be added.
func (s *Service) AddRoleToInstanceProfile(ctx context.Context, in *iamapi.AddRoleToInstanceProfileRequest) error {
	return s.withInstanceProfile(ctx, in.InstanceProfileName, func(tx store.Tx, p *instanceProfile) error {
		r, err := GetRoleTx(tx, p.Account, in.RoleName)
		if errors.Is(err, ErrNoSuchRole) {
			return noSuchRole(in.RoleName)
		}
		if err != nil {
			return err
		}
		if err := protected(r); err != nil {
			return err
		}
		if p.RoleName != "" {
			return iamapi.ErrLimitExceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
		}
		p.RoleName = r.Name
		return putJSON(tx, KindRoleProfile, p.Account, roleProfileID(r.Name, p.Name), roleProfile{Profile: p.Name})
	})
}

// RemoveRoleFromInstanceProfile takes a role out of an instance profile.
func (s *Service) RemoveRoleFromInstanceProfile(ctx context.Context, in *iamapi.RemoveRoleFromInstanceProfileRequest) error {
	return s.withInstanceProfile(ctx, in.InstanceProfileName, func(tx store.Tx, p *instanceProfile) error {
		r, err := GetRoleTx(tx, p.Account, in.RoleName)
		if errors.Is(err, ErrNoSuchRole) {
			return noSuchRole(in.RoleName)
		}
		if err != nil {
			return err
		}
		if err := protected(r); err != nil {
			return err
		}
		if nameID(p.RoleName) != nameID(r.Name) {
			// AWS answers NoSuchEntity; it documents no text for it, so this one is ours.
			return iamapi.ErrNoSuchEntity("The role with name %s is not in instance profile %s.", in.RoleName, p.Name)
		}
		p.RoleName = ""
		_, err = tx.Delete(KindRoleProfile, p.Account, roleProfileID(r.Name, p.Name))
		return err
	})
}

// TagInstanceProfile adds or overwrites tags of an instance profile.
func (s *Service) TagInstanceProfile(ctx context.Context, in *iamapi.TagInstanceProfileRequest) error {
	return s.withInstanceProfile(ctx, in.InstanceProfileName, func(tx store.Tx, p *instanceProfile) error {
		add := fromAPITags(in.Tags)
		if err := checkTags(p.Tags, add); err != nil {
			return err
		}
		p.Tags = mergeTags(p.Tags, add)
		return nil
	})
}

// UntagInstanceProfile removes tags from an instance profile; absent keys are ignored.
func (s *Service) UntagInstanceProfile(ctx context.Context, in *iamapi.UntagInstanceProfileRequest) error {
	return s.withInstanceProfile(ctx, in.InstanceProfileName, func(tx store.Tx, p *instanceProfile) error {
		p.Tags = removeTags(p.Tags, in.TagKeys)
		return nil
	})
}

// ListInstanceProfileTags lists an instance profile's tags.
func (s *Service) ListInstanceProfileTags(ctx context.Context, in *iamapi.ListInstanceProfileTagsRequest) (*iamapi.ListInstanceProfileTagsResponse, error) {
	who, err := call.Caller(ctx)
	if err != nil {
		return nil, err
	}
	account := who.Principal.Account
	var p *instanceProfile
	err = s.store.Read(ctx, func(tx store.Tx) error {
		var err error
		p, err = getInstanceProfileTx(tx, account, in.InstanceProfileName)
		return err
	})
	if err != nil {
		return nil, err
	}
	tags, truncated, marker, err := pageTags(p.Tags, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListInstanceProfileTagsResponse{Tags: tags, IsTruncated: truncated, Marker: marker}, nil
}
