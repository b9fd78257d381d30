// Package sts implements the AWS Security Token Service subset orgconfig needs: who am I
// (GetCallerIdentity) now, and temporary credentials (AssumeRole, GetSessionToken) with the
// Organizations work. It answers only from the authenticated call; it never trusts input for
// identity.
//
// Temporary credentials are ordinary stored credentials (package identity) with a session token
// and an expiration: the SigV4 verifier requires the token and refuses them with ExpiredToken
// once the injected clock passes the expiration. Expired credential records are not deleted;
// they stay refused.
//
// Deviations from AWS, on purpose:
//   - The root user may assume roles (AWS refuses: "Roles may not be assumed by root
//     accounts"), because the management account's root assuming a member's
//     OrganizationAccountAccessRole is how orgconfig users reach member accounts.
//   - Tags, TransitiveTagKeys, SourceIdentity, SerialNumber/TokenCode (MFA) and
//     ProvidedContexts of AssumeRole are accepted and not acted upon (SourceIdentity is echoed).
//   - PackedPolicySize is an estimate: the share of AWS's 2,048-character budget used by the
//     session policies, ARNs and tags.
//
// It must never issue credentials without a trust-policy check: AssumeRole evaluates the role's
// trust policy (and the caller's identity policy where AWS requires it) before any credential
// exists, and GetSessionToken only issues the caller's own. It never imports internal/server or
// internal/console (tests/deps checks it).
package sts
