package iam

import (
	"sync"
	"time"

	"github.com/orgconfig/orgconfig/internal/store"
)

// Entity kinds passed to change hooks.
const (
	ChangeRole   = "role"
	ChangeUser   = "user"
	ChangePolicy = "policy" // customer managed policies only
)

// ChangeHook is told about every committed-with-the-transaction change of a role, user or
// customer managed policy of account: creation and update (deleted false, called after the
// entity is stored, so GetRoleTx, UserByNameTx and PolicyByNameTx see the new state) and
// deletion (deleted true, called before the entity is removed, so it can still be read). It runs
// inside the writing transaction: its writes commit or roll back with the change, and an error
// aborts the IAM operation. It may be called more than once for one entity in one transaction.
type ChangeHook func(tx store.Tx, account string, kind string, name string, deleted bool) error

type changeHooks struct {
	mu    sync.RWMutex
	hooks []ChangeHook
}

// OnChange registers h for every later change of a role, user or customer managed policy.
// AWS Config uses it to record IAM resources as configuration items. Call it while wiring the
// server, before serving.
func (s *Service) OnChange(h ChangeHook) {
	s.changes.mu.Lock()
	defer s.changes.mu.Unlock()
	s.changes.hooks = append(s.changes.hooks, h)
}

// changed runs the registered hooks.
func (s *Service) changed(tx store.Tx, account, kind, name string, deleted bool) error {
	s.changes.mu.RLock()
	hooks := s.changes.hooks
	s.changes.mu.RUnlock()
	for _, h := range hooks {
		if err := h(tx, account, kind, name, deleted); err != nil {
			return err
		}
	}
	return nil
}

// The write helpers below store or delete an entity and notify the hooks; IAM's write paths use
// them instead of the bare record writes.

func (s *Service) putRoleNotify(tx store.Tx, r *Role) error {
	if err := putRole(tx, r); err != nil {
		return err
	}
	return s.changed(tx, r.Account, ChangeRole, r.Name, false)
}

func (s *Service) deleteRoleNotify(tx store.Tx, r *Role) error {
	if err := s.changed(tx, r.Account, ChangeRole, r.Name, true); err != nil {
		return err
	}
	return deleteRoleTx(tx, r)
}

func (s *Service) putUserNotify(tx store.Tx, u *User) error {
	if err := putUser(tx, u); err != nil {
		return err
	}
	return s.changed(tx, u.Account, ChangeUser, u.Name, false)
}

func (s *Service) deleteUserNotify(tx store.Tx, u *User) error {
	if err := s.changed(tx, u.Account, ChangeUser, u.Name, true); err != nil {
		return err
	}
	_, err := tx.Delete(KindUser, u.Account, nameID(u.Name))
	return err
}

func (s *Service) putPolicyNotify(tx store.Tx, p *customerPolicy) error {
	if err := putJSON(tx, KindPolicy, p.Account, nameID(p.Name), p); err != nil {
		return err
	}
	return s.changed(tx, p.Account, ChangePolicy, p.Name, false)
}

func (s *Service) deletePolicyNotify(tx store.Tx, p *customerPolicy) error {
	if err := s.changed(tx, p.Account, ChangePolicy, p.Name, true); err != nil {
		return err
	}
	_, err := tx.Delete(KindPolicy, p.Account, nameID(p.Name))
	return err
}

// PolicyVersion is one version of a customer managed policy.
type PolicyVersion struct {
	ID       string
	Document string // JSON, not URL-encoded
	Default  bool
	Created  time.Time
}

// Policy is a read-only view of a customer managed policy, for other packages.
type Policy struct {
	Account, Name, Path, ARN, PolicyID, Description, DefaultVersion string
	Created, Updated                                                time.Time
	AttachmentCount                                                 int
	Versions                                                        []PolicyVersion
	Tags                                                            []Tag
}

// PolicyByNameTx returns account's customer managed policy name (case-insensitive), or
// store.ErrNotFound.
func PolicyByNameTx(tx store.Tx, account, name string) (*Policy, error) {
	p, err := getCustomerPolicyTx(tx, account, name)
	if err != nil {
		return nil, err
	}
	n, err := attachmentCount(tx, account, p.ARN)
	if err != nil {
		return nil, err
	}
	out := &Policy{Account: p.Account, Name: p.Name, Path: p.Path, ARN: p.ARN, PolicyID: p.PolicyID,
		Description: p.Description, DefaultVersion: p.DefaultVersion, Created: p.Created, Updated: p.Updated,
		AttachmentCount: n, Tags: append([]Tag(nil), p.Tags...)}
	for _, v := range p.Versions {
		out.Versions = append(out.Versions, PolicyVersion{ID: v.ID, Document: v.Document, Default: v.ID == p.DefaultVersion, Created: v.Created})
	}
	return out, nil
}

// PolicyName returns the name of a managed policy from its ARN (the last path segment).
func PolicyName(policyARN string) string {
	if _, _, name, ok := parsePolicyARN(policyARN); ok {
		return name
	}
	return policyARN
}

// EncodeDocument URL-encodes a policy document as IAM's API (and AWS Config's IAM items)
// render it.
func EncodeDocument(doc string) string { return encodeDoc(doc) }
