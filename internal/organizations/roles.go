package organizations

import (
	"fmt"

	"github.com/orgconfig/orgconfig/internal/iam"
	"github.com/orgconfig/orgconfig/internal/store"
)

// adminAccessPolicy is the inline policy of the role CreateAccount makes: everything.
const adminAccessPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// accessRoleTrust is the trust policy of that role: the management account may assume it.
func accessRoleTrust(mgmt string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmt +
		`:root"},"Action":"sts:AssumeRole"}]}`
}

// createAccessRoleTx creates, in a new member account, the role the management account
// assumes to administer it (OrganizationAccountAccessRole unless the request named another).
func (s *Service) createAccessRoleTx(tx store.Tx, account, mgmt, name string) error {
	if s.iam == nil {
		return nil
	}
	_, err := s.iam.CreateRoleTx(tx, account, iam.RoleSpec{
		Name: name, Path: "/", AssumeRolePolicyDocument: accessRoleTrust(mgmt),
		InlinePolicies: map[string]string{"AdministratorAccess": adminAccessPolicy},
	})
	if err != nil {
		return fmt.Errorf("create role %s in account %s: %w", name, account, errIAM{err})
	}
	return nil
}

// ensureSLRTx creates a service's service-linked role in account if it is missing.
func (s *Service) ensureSLRTx(tx store.Tx, account, principal string) error {
	if s.iam == nil {
		return nil
	}
	if _, err := s.iam.EnsureServiceLinkedRoleTx(tx, account, principal); err != nil {
		return fmt.Errorf("service-linked role of %s in account %s: %w", principal, account, errIAM{err})
	}
	return nil
}

// errIAM wraps an error of the IAM service so that its AWS error code (an IAM code) never
// reaches an Organizations client: the server renders it as an internal failure.
type errIAM struct{ err error }

func (e errIAM) Error() string { return "iam: " + e.err.Error() }
