// Package authz decides whether an authenticated principal may call an operation: root may do
// anything in its own account; IAM users and assumed roles are held to their identity policies
// (and a session's session policies); service control policies bound member accounts. It runs
// on every call, before the handler. Rules that depend on the organization's structure
// (management account only, delegated administrators) are enforced by the services themselves.
//
// # What is evaluated
//
// The action is "<prefix>:<Operation>" with the prefixes config, organizations, iam and sts.
// The resource is "*" for most operations: orgconfig does not derive the resource ARN of every
// operation, and policy.Request treats "*" as matching every Resource pattern, so a
// resource-scoped Allow grants the operation on any resource and a resource-scoped Deny denies
// it on every resource. It is exact for:
//   - IAM operations with a RoleName or a UserName (the role's or user's ARN, with its path
//     when it exists, else with the request's Path or "/"), or a PolicyArn (that ARN);
//   - sts:AssumeRole (its RoleArn).
//
// Exceptions, as in AWS:
//   - sts:GetCallerIdentity needs no permission and is never denied, not even by an SCP.
//   - sts:AssumeRole and sts:GetSessionToken are not held to identity policies here: package sts
//     combines the role's trust policy with the caller's identity policy itself (AWS needs the
//     identity policy only when the trust policy does not name the caller specifically), and
//     GetSessionToken needs no permission. SCPs still apply to both.
//   - SCPs never apply to the management account nor to sessions of service-linked roles
//     (roles under /aws-service-role/).
//
// Condition keys filled in: aws:PrincipalAccount, aws:PrincipalArn (the role ARN for a
// session), aws:PrincipalType, aws:userid, aws:username (users), aws:RequestedRegion (the
// signing region; us-east-1 for the global IAM and Organizations), aws:CurrentTime,
// aws:EpochTime, aws:MultiFactorAuthPresent ("false" for temporary credentials, absent for
// long-term keys, as in AWS), aws:PrincipalOrgID (read only when a policy mentions it).
// aws:SecureTransport is not filled in: the call does not record whether it came over TLS.
//
// The package must never know about a service's own rules (management account only, delegated
// administrators, what an aggregator may read): each service enforces those in its operations.
// It never imports internal/server or internal/console (tests/deps checks it).
package authz
