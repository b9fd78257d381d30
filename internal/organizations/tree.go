package organizations

import (
	"context"
	"strings"

	"github.com/orgconfig/orgconfig/internal/api/organizationsapi"
	"github.com/orgconfig/orgconfig/internal/store"
)

// parentExists reports whether id is o's root or one of its OUs.
func parentExists(tx store.Tx, o *Organization, id string) (bool, error) {
	if id == o.RootID {
		return true, nil
	}
	if !strings.HasPrefix(id, "ou-") {
		return false, nil
	}
	return exists(tx, kindOU, o.ID, id)
}

func wireRoot(o *Organization) organizationsapi.Root {
	return organizationsapi.Root{Id: o.RootID, Arn: rootARN(o), Name: "Root", PolicyTypes: policyTypeSummaries(o)}
}

func wireOU(tx store.Tx, o *Organization, ou *ouRec) (organizationsapi.OrganizationalUnit, error) {
	p, err := pathOf(tx, o, ou.Parent)
	if err != nil {
		return organizationsapi.OrganizationalUnit{}, err
	}
	return organizationsapi.OrganizationalUnit{Id: ou.ID, Arn: ouARN(o, ou.ID), Name: ou.Name, Path: p + ou.ID + "/"}, nil
}

// ListRoots returns the organization's single root.
func (s *Service) ListRoots(ctx context.Context, in *organizationsapi.ListRootsRequest) (*organizationsapi.ListRootsResponse, error) {
	out := &organizationsapi.ListRootsResponse{}
	err := s.read(ctx, func(tx store.Tx) error {
		o, _, err := s.reader(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := decodeToken(in.NextToken); err != nil {
			return err
		}
		if in.NextToken == "" {
			out.Roots = []organizationsapi.Root{wireRoot(o)}
		}
		return nil
	})
	return out, err
}

// ouDepth is the depth of parent: 0 for the root, 1 for an OU directly under it, and so on.
func ouDepth(tx store.Tx, o *Organization, parent string) (int, error) {
	d := 0
	for parent != o.RootID && d < 32 {
		ou, err := getOU(tx, o.ID, parent)
		if err != nil || ou == nil {
			return d, err
		}
		parent = ou.Parent
		d++
	}
	return d, nil
}

// nameTaken reports whether another OU under parent is named name.
func nameTaken(tx store.Tx, o *Organization, parent, name, except string) (bool, error) {
	recs, err := listAll(tx, kindChild, o.ID, parent+"/o:")
	if err != nil {
		return false, err
	}
	for _, r := range recs {
		id := strings.TrimPrefix(r.ID, parent+"/o:")
		if id == except {
			continue
		}
		ou, err := getOU(tx, o.ID, id)
		if err != nil {
			return false, err
		}
		if ou != nil && ou.Name == name {
			return true, nil
		}
	}
	return false, nil
}

// CreateOrganizationalUnit creates an OU under a root or OU; with SCPs enabled FullAWSAccess is
// attached to it.
func (s *Service) CreateOrganizationalUnit(ctx context.Context, in *organizationsapi.CreateOrganizationalUnitRequest) (*organizationsapi.CreateOrganizationalUnitResponse, error) {
	tags, err := validateTags(in.Tags)
	if err != nil {
		return nil, err
	}
	var out organizationsapi.OrganizationalUnit
	err = s.write(ctx, func(tx store.Tx) error {
		o, err := s.mgmt(ctx, tx)
		if err != nil {
			return err
		}
		if ok, err := parentExists(tx, o, in.ParentId); err != nil {
			return err
		} else if !ok {
			return organizationsapi.ErrParentNotFound(msgParentMissing)
		}
		lim := s.lim()
		if d, err := ouDepth(tx, o, in.ParentId); err != nil {
			return err
		} else if d+1 > lim.MaxOUDepth {
			return constraint("OU_DEPTH_LIMIT_EXCEEDED", "You attempted to create an OU tree that is too many levels deep.")
		}
		if n, err := tx.Count(kindOU, o.ID); err != nil {
			return err
		} else if n >= lim.MaxOUs {
			return constraint("OU_NUMBER_LIMIT_EXCEEDED", "You attempted to exceed the number of OUs that you can have in an organization.")
		}
		if taken, err := nameTaken(tx, o, in.ParentId, in.Name, ""); err != nil {
			return err
		} else if taken {
			return organizationsapi.ErrDuplicateOrganizationalUnit("An OU with the same name already exists.")
		}
		ou := &ouRec{ID: "ou-" + strings.TrimPrefix(o.RootID, "r-") + "-" + s.ids.Lower(8), Name: in.Name, Parent: in.ParentId, Created: s.now()}
		if err := tx.Create(kindOU, o.ID, ou.ID, mustJSON(ou)); err != nil {
			return err
		}
		if err := tx.Put(kindChild, o.ID, childKey(ou.Parent, "ORGANIZATIONAL_UNIT", ou.ID), index); err != nil {
			return err
		}
		if len(tags) > 0 {
			if err := putJSON(tx, kindTag, o.ID, ou.ID, tags); err != nil {
				return err
			}
		}
		if err := s.attachManagedTx(tx, o, ou.ID); err != nil {
			return err
		}
		out, err = wireOU(tx, o, ou)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &organizationsapi.CreateOrganizationalUnitResponse{OrganizationalUnit: &out}, nil
}

// DescribeOrganizationalUnit returns an OU.
func (s *Service) DescribeOrganizationalUnit(ctx context.Context, in *organizationsapi.DescribeOrganizationalUnitRequest) (*organizationsapi.DescribeOrganizationalUnitResponse, error) {
	var out organizationsapi.OrganizationalUnit
	err := s.read(ctx, func(tx store.Tx) error {
		o, _, err := s.reader(ctx, tx)
		if err != nil {
			return err
		}
		ou, err := getOU(tx, o.ID, in.OrganizationalUnitId)
		if err != nil {
			return err
		}
		if ou == nil {
			return organizationsapi.ErrOrganizationalUnitNotFound(msgOUNotFound)
		}
		out, err = wireOU(tx, o, ou)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &organizationsapi.DescribeOrganizationalUnitResponse{OrganizationalUnit: &out}, nil
}

// UpdateOrganizationalUnit renames an OU; its ID and ARN do not change.
func (s *Service) UpdateOrganizationalUnit(ctx context.Context, in *organizationsapi.UpdateOrganizationalUnitRequest) (*organizationsapi.UpdateOrganizationalUnitResponse, error) {
	var out organizationsapi.OrganizationalUnit
	err := s.write(ctx, func(tx store.Tx) error {
		o, err := s.mgmt(ctx, tx)
		if err != nil {
			return err
		}
		ou, err := getOU(tx, o.ID, in.OrganizationalUnitId)
		if err != nil {
			return err
		}
		if ou == nil {
			return organizationsapi.ErrOrganizationalUnitNotFound(msgOUNotFound)
		}
		if in.Name != "" && in.Name != ou.Name {
			if taken, err := nameTaken(tx, o, ou.Parent, in.Name, ou.ID); err != nil {
				return err
			} else if taken {
				return organizationsapi.ErrDuplicateOrganizationalUnit("An OU with the same name already exists.")
			}
			ou.Name = in.Name
			if err := putJSON(tx, kindOU, o.ID, ou.ID, ou); err != nil {
				return err
			}
		}
		out, err = wireOU(tx, o, ou)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &organizationsapi.UpdateOrganizationalUnitResponse{OrganizationalUnit: &out}, nil
}

// DeleteOrganizationalUnit deletes an OU without child OUs or accounts. An account that was
// closed (PENDING_CLOSURE or SUSPENDED) no longer counts: it is gone for every purpose but the
// organization's listing, where it stays visible, now under the deleted OU's parent.
func (s *Service) DeleteOrganizationalUnit(ctx context.Context, in *organizationsapi.DeleteOrganizationalUnitRequest) error {
	return s.write(ctx, func(tx store.Tx) error {
		o, err := s.mgmt(ctx, tx)
		if err != nil {
			return err
		}
		ou, err := getOU(tx, o.ID, in.OrganizationalUnitId)
		if err != nil {
			return err
		}
		if ou == nil {
			return organizationsapi.ErrOrganizationalUnitNotFound(msgOUNotFound)
		}
		notEmpty := organizationsapi.ErrOrganizationalUnitNotEmpty("You attempted to delete an organizational unit that still contains accounts or child OUs.")
		if kids, err := tx.ListPrefix(kindChild, o.ID, ou.ID+"/o:", "", 1); err != nil {
			return err
		} else if len(kids) > 0 {
			return notEmpty
		}
		kids, err := listAll(tx, kindChild, o.ID, ou.ID+"/a:")
		if err != nil {
			return err
		}
		var closed []*accountRec
		for _, r := range kids {
			a, err := getAccount(tx, o.ID, strings.TrimPrefix(r.ID, ou.ID+"/a:"))
			if err != nil {
				return err
			}
			if a == nil {
				continue
			}
			if a.State == "ACTIVE" {
				return notEmpty
			}
			closed = append(closed, a)
		}
		for _, a := range closed {
			if err := moveAccountTx(tx, o, a, ou.Parent); err != nil {
				return err
			}
		}
		for _, del := range []struct{ kind, id string }{
			{kindOU, ou.ID}, {kindChild, childKey(ou.Parent, "ORGANIZATIONAL_UNIT", ou.ID)}, {kindTag, ou.ID},
		} {
			if _, err := tx.Delete(del.kind, o.ID, del.id); err != nil {
				return err
			}
		}
		return detachAllTx(tx, o, ou.ID)
	})
}

// ListChildren lists the accounts or OUs directly under a parent.
func (s *Service) ListChildren(ctx context.Context, in *organizationsapi.ListChildrenRequest) (*organizationsapi.ListChildrenResponse, error) {
	out := &organizationsapi.ListChildrenResponse{}
	err := s.read(ctx, func(tx store.Tx) error {
		o, _, err := s.reader(ctx, tx)
		if err != nil {
			return err
		}
		if ok, err := parentExists(tx, o, in.ParentId); err != nil {
			return err
		} else if !ok {
			return organizationsapi.ErrParentNotFound(msgParentMissing)
		}
		prefix := childKey(in.ParentId, string(in.ChildType), "")
		recs, next, err := pageRecords(tx, kindChild, o.ID, prefix, in.NextToken, pageSize(in.MaxResults), nil)
		if err != nil {
			return err
		}
		out.NextToken = next
		out.Children = []organizationsapi.Child{}
		for _, r := range recs {
			out.Children = append(out.Children, organizationsapi.Child{Id: strings.TrimPrefix(r.ID, prefix), Type: in.ChildType})
		}
		return nil
	})
	return out, err
}

// ListParents returns the one parent of an account or OU.
func (s *Service) ListParents(ctx context.Context, in *organizationsapi.ListParentsRequest) (*organizationsapi.ListParentsResponse, error) {
	out := &organizationsapi.ListParentsResponse{}
	err := s.read(ctx, func(tx store.Tx) error {
		o, _, err := s.reader(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := decodeToken(in.NextToken); err != nil {
			return err
		}
		parent, err := parentOf(tx, o, in.ChildId)
		if err != nil {
			return err
		}
		if parent == "" {
			return organizationsapi.ErrChildNotFound("We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.")
		}
		if in.NextToken != "" {
			out.Parents = []organizationsapi.Parent{}
			return nil
		}
		typ := organizationsapi.ParentTypeOrganizationalUnit
		if parent == o.RootID {
			typ = organizationsapi.ParentTypeRoot
		}
		out.Parents = []organizationsapi.Parent{{Id: parent, Type: typ}}
		return nil
	})
	return out, err
}

// ListAccountsForParent lists the accounts directly under a parent.
func (s *Service) ListAccountsForParent(ctx context.Context, in *organizationsapi.ListAccountsForParentRequest) (*organizationsapi.ListAccountsForParentResponse, error) {
	out := &organizationsapi.ListAccountsForParentResponse{}
	err := s.read(ctx, func(tx store.Tx) error {
		o, _, err := s.reader(ctx, tx)
		if err != nil {
			return err
		}
		if ok, err := parentExists(tx, o, in.ParentId); err != nil {
			return err
		} else if !ok {
			return organizationsapi.ErrParentNotFound(msgParentMissing)
		}
		prefix := childKey(in.ParentId, "ACCOUNT", "")
		recs, next, err := pageRecords(tx, kindChild, o.ID, prefix, in.NextToken, pageSize(in.MaxResults), nil)
		if err != nil {
			return err
		}
		out.NextToken = next
		out.Accounts = []organizationsapi.Account{}
		for _, r := range recs {
			a, err := getAccount(tx, o.ID, strings.TrimPrefix(r.ID, prefix))
			if err != nil {
				return err
			}
			if a == nil {
				continue
			}
			w, err := wireAccountPaths(tx, o, a)
			if err != nil {
				return err
			}
			out.Accounts = append(out.Accounts, w)
		}
		return nil
	})
	return out, err
}

// ListOrganizationalUnitsForParent lists the OUs directly under a parent.
func (s *Service) ListOrganizationalUnitsForParent(ctx context.Context, in *organizationsapi.ListOrganizationalUnitsForParentRequest) (*organizationsapi.ListOrganizationalUnitsForParentResponse, error) {
	out := &organizationsapi.ListOrganizationalUnitsForParentResponse{}
	err := s.read(ctx, func(tx store.Tx) error {
		o, _, err := s.reader(ctx, tx)
		if err != nil {
			return err
		}
		if ok, err := parentExists(tx, o, in.ParentId); err != nil {
			return err
		} else if !ok {
			return organizationsapi.ErrParentNotFound(msgParentMissing)
		}
		prefix := childKey(in.ParentId, "ORGANIZATIONAL_UNIT", "")
		recs, next, err := pageRecords(tx, kindChild, o.ID, prefix, in.NextToken, pageSize(in.MaxResults), nil)
		if err != nil {
			return err
		}
		out.NextToken = next
		out.OrganizationalUnits = []organizationsapi.OrganizationalUnit{}
		for _, r := range recs {
			ou, err := getOU(tx, o.ID, strings.TrimPrefix(r.ID, prefix))
			if err != nil {
				return err
			}
			if ou == nil {
				continue
			}
			w, err := wireOU(tx, o, ou)
			if err != nil {
				return err
			}
			out.OrganizationalUnits = append(out.OrganizationalUnits, w)
		}
		return nil
	})
	return out, err
}
