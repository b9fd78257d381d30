package organizations

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/orgconfig/orgconfig/internal/store"
)

// The fast read path of the hottest calls (DescribeOrganization, ListAccounts) reads the
// caller's membership record, its organization's record and the organization's version record
// with one store.GetMany: one statement, one snapshot, no BEGIN/ROLLBACK. The organization ID
// needed for the last two keys comes from the Service's hint (account → o-id, caches.hints),
// which is only a guess: the membership record read in the same statement must name that
// organization, or the statement is run again with the organization it names. So the fast path
// sees exactly what a Read transaction would, whatever replica wrote last, and nothing
// time-based is involved.

// fastView is what the fast path read, from one snapshot.
type fastView struct {
	o       *Organization // shared cached decoding: must not be modified
	raw     []byte        // the organization record's bytes
	version []byte        // the organization's version token; nil when missing or not asked
}

// fastMember reads the caller's organization (and, with version, its version token) in one
// snapshot. It returns ok=false when the caller should use the transactional path instead
// (a store state the fast path does not handle); err is errNotInUse for an account outside
// any organization.
func (s *Service) fastMember(ctx context.Context, acct string, version bool) (v fastView, ok bool, err error) {
	orgID, _ := s.cache.hints.Get(acct)
	var keyBuf [3]store.Key
	for range 3 {
		keys := keyBuf[:1]
		keys[0] = store.Key{Kind: kindOrgOf, ID: acct}
		if orgID != "" {
			keys = append(keys, store.Key{Kind: kindOrg, ID: orgID})
			if version {
				keys = append(keys, store.Key{Kind: kindOrgVersion, ID: orgID})
			}
		}
		vals, err := s.store.GetMany(ctx, keys)
		if err != nil {
			return fastView{}, false, err
		}
		if vals[0] == nil {
			s.cache.hints.Delete(acct)
			return fastView{}, false, errNotInUse()
		}
		named, err := s.cache.orgIDOf(acct, vals[0])
		if err != nil {
			return fastView{}, false, err
		}
		if named != orgID {
			// No hint, or a stale one: read again with the organization the record names.
			orgID = named
			s.cache.hints.Put(acct, orgID)
			continue
		}
		if vals[1] == nil {
			return fastView{}, false, nil
		}
		o, err := s.cache.decodeOrg(orgID, vals[1])
		if err != nil {
			return fastView{}, false, err
		}
		v = fastView{o: o, raw: vals[1]}
		if version {
			v.version = vals[2]
		}
		return v, true, nil
	}
	return fastView{}, false, nil
}

// orgIDOf decodes a kindOrgOf record body (through the content-addressed cache).
func (c *caches) orgIDOf(account string, b []byte) (string, error) {
	if id, ok := c.orgOf.GetBytes(b); ok {
		return id, nil
	}
	var m memberOf
	if err := json.Unmarshal(b, &m); err != nil {
		return "", fmt.Errorf("decode %s /%s: %w", kindOrgOf, account, err)
	}
	c.orgOf.Put(string(b), m.OrgID)
	return m.OrgID, nil
}

// decodeOrg decodes a kindOrg record body (through the content-addressed cache). The result is
// shared and must not be modified.
func (c *caches) decodeOrg(id string, b []byte) (*Organization, error) {
	if o, ok := c.org.GetBytes(b); ok {
		return o, nil
	}
	var o Organization
	if err := json.Unmarshal(b, &o); err != nil {
		return nil, fmt.Errorf("decode %s /%s: %w", kindOrg, id, err)
	}
	c.org.Put(string(b), &o)
	return &o, nil
}
