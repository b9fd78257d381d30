package iam

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/orgconfig/orgconfig/internal/api/iamapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/call"
	"github.com/orgconfig/orgconfig/internal/store"
)

func noSuchRole(name string) error {
	return iamapi.ErrNoSuchEntity("The role with name %s cannot be found.", name)
}

// api renders the role as the IAM API returns it. List operations omit tags, the permissions
// boundary and last use, as AWS's ListRoles does.
func (r *Role) api(list bool) *iamapi.Role {
	out := &iamapi.Role{
		Path: r.Path, RoleName: r.Name, RoleId: r.RoleID, Arn: r.ARN, CreateDate: awsproto.NewTime(r.Created),
		AssumeRolePolicyDocument: encodeDoc(r.AssumeRolePolicyDocument), Description: r.Description,
		MaxSessionDuration: ptr(r.MaxSessionDuration),
	}
	if list {
		return out
	}
	out.Tags = toAPITags(r.Tags)
	if r.PermissionsBoundary != "" {
		out.PermissionsBoundary = &iamapi.AttachedPermissionsBoundary{
			PermissionsBoundaryType: iamapi.PermissionsBoundaryAttachmentTypePermissionsBoundaryPolicy,
			PermissionsBoundaryArn:  r.PermissionsBoundary,
		}
	}
	if !r.LastUsed.IsZero() {
		out.RoleLastUsed = &iamapi.RoleLastUsed{LastUsedDate: awsproto.NewTime(r.LastUsed), Region: usageRegion}
	}
	return out
}

// deleteRoleTx removes a role and its attachment records.
func deleteRoleTx(tx store.Tx, r *Role) error {
	for _, arn := range r.AttachedPolicyARNs {
		if _, err := tx.Delete(KindAttachment, r.Account, attachmentID(arn, entityRole, r.Name)); err != nil {
			return err
		}
	}
	_, err := tx.Delete(KindRole, r.Account, nameID(r.Name))
	return err
}

// withRole runs fn on the caller's role name inside a write and stores the role afterwards
// unless fn returns an error.
func (s *Service) withRole(ctx context.Context, name string, fn func(tx store.Tx, r *Role) error) (*Role, error) {
	who, err := call.Caller(ctx)
	if err != nil {
		return nil, err
	}
	account := who.Principal.Account
	var out *Role
	err = s.store.Write(ctx, func(tx store.Tx) error {
		r, err := GetRoleTx(tx, account, name)
		if errors.Is(err, ErrNoSuchRole) {
			return noSuchRole(name)
		}
		if err != nil {
			return err
		}
		if err := fn(tx, r); err != nil {
			return err
		}
		out = r
		return s.putRoleNotify(tx, r)
	})
	return out, err
}

// readRole returns the caller's role name.
func (s *Service) readRole(ctx context.Context, name string) (*Role, error) {
	who, err := call.Caller(ctx)
	if err != nil {
		return nil, err
	}
	account := who.Principal.Account
	var r *Role
	err = s.store.Read(ctx, func(tx store.Tx) error {
		var err error
		r, err = GetRoleTx(tx, account, name)
		if errors.Is(err, ErrNoSuchRole) {
			return noSuchRole(name)
		}
		return err
	})
	return r, err
}

func boundaryExists(tx store.Tx, account, arn string) error {
	if _, err := managedPolicyTx(tx, account, arn); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return iamapi.ErrNoSuchEntity("Scope ARN: %s does not exist or is not attachable.", arn)
		}
		return err
	}
	return nil
}

// CreateRole creates a role in the caller's account.
func (s *Service) CreateRole(ctx context.Context, in *iamapi.CreateRoleRequest) (*iamapi.CreateRoleResponse, error) {
	who, err := call.Caller(ctx)
	if err != nil {
		return nil, err
	}
	account := who.Principal.Account
	spec := RoleSpec{Name: in.RoleName, Path: in.Path, AssumeRolePolicyDocument: in.AssumeRolePolicyDocument,
		Description: in.Description, Tags: fromAPITags(in.Tags)}
	if in.MaxSessionDuration != nil {
		spec.MaxSessionDuration = *in.MaxSessionDuration
	}
	if err := checkTags(nil, spec.Tags); err != nil {
		return nil, err
	}
	var r *Role
	err = s.store.Write(ctx, func(tx store.Tx) error {
		if in.PermissionsBoundary != "" {
			if err := boundaryExists(tx, account, in.PermissionsBoundary); err != nil {
				return err
			}
		}
		var err error
		r, err = s.CreateRoleTx(tx, account, spec)
		if err != nil {
			return err
		}
		if in.PermissionsBoundary != "" {
			r.PermissionsBoundary = in.PermissionsBoundary
			return s.putRoleNotify(tx, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateRoleResponse{Role: r.api(false)}, nil
}

// GetRole returns a role with its trust policy URL-encoded.
func (s *Service) GetRole(ctx context.Context, in *iamapi.GetRoleRequest) (*iamapi.GetRoleResponse, error) {
	r, err := s.readRole(ctx, in.RoleName)
	if err != nil {
		return nil, err
	}
	return &iamapi.GetRoleResponse{Role: r.api(false)}, nil
}

// ListRoles lists the caller's roles in name order, filtered by path prefix.
func (s *Service) ListRoles(ctx context.Context, in *iamapi.ListRolesRequest) (*iamapi.ListRolesResponse, error) {
	who, err := call.Caller(ctx)
	if err != nil {
		return nil, err
	}
	account := who.Principal.Account
	var roles []*Role
	err = s.store.Read(ctx, func(tx store.Tx) error {
		recs, err := tx.List(KindRole, account, "", 0)
		if err != nil {
			return err
		}
		for _, rec := range recs {
			r, err := GetRoleTx(tx, account, rec.ID)
			if err != nil {
				return err
			}
			if in.PathPrefix == "" || strings.HasPrefix(r.Path, in.PathPrefix) {
				roles = append(roles, r)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	items, truncated, marker, err := page(roles, func(r *Role) string { return nameID(r.Name) }, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListRolesResponse{Roles: []iamapi.Role{}, IsTruncated: truncated, Marker: marker}
	for _, r := range items {
		out.Roles = append(out.Roles, *r.api(true))
	}
	return out, nil
}

// UpdateRole changes a role's description and/or maximum session duration (allowed on
// service-linked roles).
func (s *Service) UpdateRole(ctx context.Context, in *iamapi.UpdateRoleRequest) (*iamapi.UpdateRoleResponse, error) {
	_, err := s.withRole(ctx, in.RoleName, func(tx store.Tx, r *Role) error {
		if in.Description != "" {
			r.Description = in.Description
		}
		if in.MaxSessionDuration != nil {
			r.MaxSessionDuration = *in.MaxSessionDuration
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UpdateRoleResponse{}, nil
}

// UpdateRoleDescription sets a role's description and returns the role.
func (s *Service) UpdateRoleDescription(ctx context.Context, in *iamapi.UpdateRoleDescriptionRequest) (*iamapi.UpdateRoleDescriptionResponse, error) {
	r, err := s.withRole(ctx, in.RoleName, func(tx store.Tx, r *Role) error {
		r.Description = in.Description
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UpdateRoleDescriptionResponse{Role: r.api(false)}, nil
}

// UpdateAssumeRolePolicy replaces a role's trust policy.
func (s *Service) UpdateAssumeRolePolicy(ctx context.Context, in *iamapi.UpdateAssumeRolePolicyRequest) error {
	_, err := s.withRole(ctx, in.RoleName, func(tx store.Tx, r *Role) error {
		if err := protected(r); err != nil {
			return err
		}
		if err := checkPolicyDocument(in.PolicyDocument); err != nil {
			return err
		}
		r.AssumeRolePolicyDocument = in.PolicyDocument
		return nil
	})
	return err
}

// DeleteRole deletes a role that is in no instance profile and has no policies left.
func (s *Service) DeleteRole(ctx context.Context, in *iamapi.DeleteRoleRequest) error {
	who, err := call.Caller(ctx)
	if err != nil {
		return err
	}
	account := who.Principal.Account
	return s.store.Write(ctx, func(tx store.Tx) error {
		r, err := GetRoleTx(tx, account, in.RoleName)
		if errors.Is(err, ErrNoSuchRole) {
			return noSuchRole(in.RoleName)
		}
		if err != nil {
			return err
		}
		if err := protected(r); err != nil {
			return err
		}
		profiles, err := roleInstanceProfilesTx(tx, account, r.Name, 1)
		if err != nil {
			return err
		}
		if len(profiles) > 0 {
			return iamapi.ErrDeleteConflict("Cannot delete entity, must remove roles from instance profile first.")
		}
		if len(r.AttachedPolicyARNs) > 0 {
			return iamapi.ErrDeleteConflict("Cannot delete entity, must detach all policies first.")
		}
		if len(r.InlinePolicies) > 0 {
			return iamapi.ErrDeleteConflict("Cannot delete entity, must delete policies first.")
		}
		return s.deleteRoleNotify(tx, r)
	})
}

// PutRolePolicy adds or replaces an inline policy of a role.
func (s *Service) PutRolePolicy(ctx context.Context, in *iamapi.PutRolePolicyRequest) error {
	_, err := s.withRole(ctx, in.RoleName, func(tx store.Tx, r *Role) error {
		if err := protected(r); err != nil {
			return err
		}
		if err := checkPolicyDocument(in.PolicyDocument); err != nil {
			return err
		}
		if r.InlinePolicies == nil {
			r.InlinePolicies = map[string]string{}
		}
		r.InlinePolicies[in.PolicyName] = in.PolicyDocument
		return nil
	})
	return err
}

func noSuchRolePolicy(name string) error {
	return iamapi.ErrNoSuchEntity("The role policy with name %s cannot be found.", name)
}

// GetRolePolicy returns an inline policy of a role, its document URL-encoded.
func (s *Service) GetRolePolicy(ctx context.Context, in *iamapi.GetRolePolicyRequest) (*iamapi.GetRolePolicyResponse, error) {
	r, err := s.readRole(ctx, in.RoleName)
	if err != nil {
		return nil, err
	}
	doc, ok := r.InlinePolicies[in.PolicyName]
	if !ok {
		return nil, noSuchRolePolicy(in.PolicyName)
	}
	return &iamapi.GetRolePolicyResponse{RoleName: r.Name, PolicyName: in.PolicyName, PolicyDocument: encodeDoc(doc)}, nil
}

// DeleteRolePolicy deletes an inline policy of a role.
func (s *Service) DeleteRolePolicy(ctx context.Context, in *iamapi.DeleteRolePolicyRequest) error {
	_, err := s.withRole(ctx, in.RoleName, func(tx store.Tx, r *Role) error {
		if err := protected(r); err != nil {
			return err
		}
		if _, ok := r.InlinePolicies[in.PolicyName]; !ok {
			return noSuchRolePolicy(in.PolicyName)
		}
		delete(r.InlinePolicies, in.PolicyName)
		return nil
	})
	return err
}

// ListRolePolicies lists the names of a role's inline policies.
func (s *Service) ListRolePolicies(ctx context.Context, in *iamapi.ListRolePoliciesRequest) (*iamapi.ListRolePoliciesResponse, error) {
	r, err := s.readRole(ctx, in.RoleName)
	if err != nil {
		return nil, err
	}
	items, truncated, marker, err := page(sortedKeys(r.InlinePolicies), func(n string) string { return n }, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListRolePoliciesResponse{PolicyNames: append([]string{}, items...), IsTruncated: truncated, Marker: marker}, nil
}

// AttachRolePolicy attaches a managed policy to a role.
func (s *Service) AttachRolePolicy(ctx context.Context, in *iamapi.AttachRolePolicyRequest) error {
	_, err := s.withRole(ctx, in.RoleName, func(tx store.Tx, r *Role) error {
		if err := protected(r); err != nil {
			return err
		}
		return attachWithID(tx, r.Account, entityRole, r.Name, r.RoleID, &r.AttachedPolicyARNs, in.PolicyArn)
	})
	return err
}

// DetachRolePolicy detaches a managed policy from a role.
func (s *Service) DetachRolePolicy(ctx context.Context, in *iamapi.DetachRolePolicyRequest) error {
	_, err := s.withRole(ctx, in.RoleName, func(tx store.Tx, r *Role) error {
		if err := protected(r); err != nil {
			return err
		}
		return detachTx(tx, r.Account, entityRole, r.Name, &r.AttachedPolicyARNs, in.PolicyArn)
	})
	return err
}

// attachedList renders attached policy ARNs (in attachment order) as one page.
func attachedList(arns []string, pathPrefix, marker string, maxItems *int32) ([]iamapi.AttachedPolicy, *bool, string, error) {
	type item struct {
		key string
		p   iamapi.AttachedPolicy
	}
	var items []item
	for i, arn := range arns {
		_, path, name, _ := parsePolicyARN(arn)
		if pathPrefix != "" && !strings.HasPrefix(path, pathPrefix) {
			continue
		}
		items = append(items, item{key: fmt.Sprintf("%06d", i), p: iamapi.AttachedPolicy{PolicyName: name, PolicyArn: arn}})
	}
	pg, truncated, next, err := page(items, func(x item) string { return x.key }, marker, maxItems)
	if err != nil {
		return nil, nil, "", err
	}
	out := []iamapi.AttachedPolicy{}
	for _, x := range pg {
		out = append(out, x.p)
	}
	return out, truncated, next, nil
}

// ListAttachedRolePolicies lists the managed policies attached to a role.
func (s *Service) ListAttachedRolePolicies(ctx context.Context, in *iamapi.ListAttachedRolePoliciesRequest) (*iamapi.ListAttachedRolePoliciesResponse, error) {
	r, err := s.readRole(ctx, in.RoleName)
	if err != nil {
		return nil, err
	}
	items, truncated, marker, err := attachedList(r.AttachedPolicyARNs, in.PathPrefix, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListAttachedRolePoliciesResponse{AttachedPolicies: items, IsTruncated: truncated, Marker: marker}, nil
}

// TagRole adds or overwrites tags of a role (allowed on service-linked roles).
func (s *Service) TagRole(ctx context.Context, in *iamapi.TagRoleRequest) error {
	_, err := s.withRole(ctx, in.RoleName, func(tx store.Tx, r *Role) error {
		add := fromAPITags(in.Tags)
		if err := checkTags(r.Tags, add); err != nil {
			return err
		}
		r.Tags = mergeTags(r.Tags, add)
		return nil
	})
	return err
}

// UntagRole removes tags from a role; absent keys are ignored.
func (s *Service) UntagRole(ctx context.Context, in *iamapi.UntagRoleRequest) error {
	_, err := s.withRole(ctx, in.RoleName, func(tx store.Tx, r *Role) error {
		r.Tags = removeTags(r.Tags, in.TagKeys)
		return nil
	})
	return err
}

// ListRoleTags lists a role's tags.
func (s *Service) ListRoleTags(ctx context.Context, in *iamapi.ListRoleTagsRequest) (*iamapi.ListRoleTagsResponse, error) {
	r, err := s.readRole(ctx, in.RoleName)
	if err != nil {
		return nil, err
	}
	tags, truncated, marker, err := pageTags(r.Tags, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListRoleTagsResponse{Tags: tags, IsTruncated: truncated, Marker: marker}, nil
}

func pageTags(tags []Tag, marker string, maxItems *int32) ([]iamapi.Tag, *bool, string, error) {
	type item struct {
		key string
		t   Tag
	}
	items := make([]item, len(tags))
	for i, t := range tags {
		items[i] = item{fmt.Sprintf("%06d", i), t}
	}
	pg, truncated, next, err := page(items, func(x item) string { return x.key }, marker, maxItems)
	if err != nil {
		return nil, nil, "", err
	}
	out := []iamapi.Tag{}
	for _, x := range pg {
		out = append(out, iamapi.Tag{Key: x.t.Key, Value: x.t.Value})
	}
	return out, truncated, next, nil
}

// PutRolePermissionsBoundary sets a role's permissions boundary.
func (s *Service) PutRolePermissionsBoundary(ctx context.Context, in *iamapi.PutRolePermissionsBoundaryRequest) error {
	_, err := s.withRole(ctx, in.RoleName, func(tx store.Tx, r *Role) error {
		if err := protected(r); err != nil {
			return err
		}
		if err := boundaryExists(tx, r.Account, in.PermissionsBoundary); err != nil {
			return err
		}
		r.PermissionsBoundary = in.PermissionsBoundary
		return nil
	})
	return err
}

// DeleteRolePermissionsBoundary removes a role's permissions boundary.
func (s *Service) DeleteRolePermissionsBoundary(ctx context.Context, in *iamapi.DeleteRolePermissionsBoundaryRequest) error {
	_, err := s.withRole(ctx, in.RoleName, func(tx store.Tx, r *Role) error {
		if err := protected(r); err != nil {
			return err
		}
		r.PermissionsBoundary = ""
		return nil
	})
	return err
}
