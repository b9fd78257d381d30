// Package iam implements the IAM subset orgconfig needs: roles (with inline and attached
// policies, tags and trust policies), instance profiles, users with access keys and policies,
// AWS managed and customer managed policies, service-linked roles and their asynchronous
// deletion, and the account password policy. Other packages use its transaction-level API
// (CreateRoleTx, GetRoleTx, EnsureServiceLinkedRoleTx, IdentityPoliciesTx) to act inside their
// own writes.
//
// It must never decide permissions: it stores policies, and package authz evaluates them. It
// never imports internal/server or internal/console (tests/deps checks it).
package iam
