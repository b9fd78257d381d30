// Package organizations implements AWS Organizations: the organization and its root, OUs and
// accounts, asynchronous account creation, invitations and handshakes, policies, delegated
// administrators and trusted access for AWS services. It is the source of truth that AWS Config,
// IAM and the authorizer consult about membership, trusted access, delegated administration and
// service control policies.
//
// Every piece of state is a store record written in the same transaction as the change that
// causes it (see records.go for the record kinds); background work (account creation, account
// closure) runs as durable jobs. Rules of "who may call what" that depend on the organization's
// structure (management account only, delegated administrators) are enforced here, in each
// operation; IAM policies and SCPs are the authorizer's business.
//
// The package must never let another package write its records, keep organization state in
// memory between calls, or call store.Write from inside a transaction. It never imports
// internal/server or internal/console (tests/deps checks it). What it caches (decoded records,
// rendered account lists, members) belongs to a Service, is bounded, and is validated against
// the store on every read (see cache.go).
package organizations
