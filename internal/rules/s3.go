package rules

import (
	"slices"
	"strings"
)

// accountPublicAccessBlockType is the resource recording the account-level S3 Block Public Access
// settings; its resource ID is the account ID.
const accountPublicAccessBlockType = "AWS::S3::AccountPublicAccessBlock"

// checkBucketVersioning (S3_BUCKET_VERSIONING_ENABLED): versioning must be Enabled (not Off or
// Suspended) and, when isMfaDeleteEnabled is "true", MFA delete enabled too.
func checkBucketVersioning(_ Env, it *Item, _ value, p Params) verdict {
	v := supplementary(it, "BucketVersioningConfiguration")
	if status := v.get("status").str(); status != "Enabled" {
		return nonCompliant("Bucket versioning is %s, not Enabled.", orNone(status))
	}
	if p.flag("isMfaDeleteEnabled") && !mfaDeleteEnabled(v.get("isMfaDeleteEnabled")) {
		return nonCompliant("Bucket versioning is enabled but MFA delete is not.")
	}
	return compliant()
}

// mfaDeleteEnabled reads isMfaDeleteEnabled: JSON true, or the S3 API's "Enabled" (and "true")
// in case a recorder wrote the API's string form.
func mfaDeleteEnabled(v value) bool {
	return v.isTrue() || strings.EqualFold(v.str(), "Enabled") || strings.EqualFold(v.str(), "true")
}

// sseAlgorithms are the default-encryption algorithms that count as server-side encryption.
var sseAlgorithms = []string{"AES256", "aws:kms", "aws:kms:dsse"}

// checkBucketEncryption (S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED): a default-encryption rule
// with an SSE algorithm, or a bucket policy denying unencrypted s3:PutObject requests.
func checkBucketEncryption(_ Env, it *Item, _ value, _ Params) verdict {
	for _, r := range supplementary(it, "ServerSideEncryptionConfiguration").get("rules").list() {
		if slices.Contains(sseAlgorithms, r.get("applyServerSideEncryptionByDefault", "sseAlgorithm").str()) {
			return compliant()
		}
	}
	if deniesUnencryptedPuts(bucketPolicy(it)) {
		return compliant()
	}
	return nonCompliant("The bucket has no default server-side encryption and its policy does not deny unencrypted uploads.")
}

// sseHeader is the condition key of the server-side-encryption request header.
const sseHeader = "s3:x-amz-server-side-encryption"

// deniesUnencryptedPuts reports whether a policy has a Deny statement for s3:PutObject
// conditioned on the SSE header being absent ({"Null": {header: "true"}}) or not an SSE
// algorithm (StringNotEquals[IfExists] with only SSE algorithms as values). The statement's
// Principal is not examined.
func deniesUnencryptedPuts(doc value) bool {
	for _, st := range statements(doc) {
		if effect(st, "Deny") && coversAction(st, "s3:PutObject") && requiresSSEHeader(st.get("Condition")) {
			return true
		}
	}
	return false
}

// requiresSSEHeader reports whether a Condition denies requests without an SSE header value.
func requiresSSEHeader(cond value) bool {
	m, _ := cond.object()
	for op, block := range m {
		values, ok := conditionValues(value{block}, sseHeader)
		if !ok {
			continue
		}
		switch {
		case strings.EqualFold(op, "Null"):
			if slices.Contains(values, "true") {
				return true
			}
		case strings.EqualFold(op, "StringNotEquals"), strings.EqualFold(op, "StringNotEqualsIfExists"):
			if len(values) > 0 && allIn(values, sseAlgorithms) {
				return true
			}
		}
	}
	return false
}

// checkBucketLogging (S3_BUCKET_LOGGING_ENABLED): server access logging must deliver to a bucket,
// to targetBucket and with targetPrefix when those are given (non-blank).
func checkBucketLogging(_ Env, it *Item, _ value, p Params) verdict {
	l := supplementary(it, "BucketLoggingConfiguration")
	dest, prefix := l.get("destinationBucketName").str(), l.get("logFilePrefix").str()
	switch want, wantPrefix := p.text("targetBucket"), p.text("targetPrefix"); {
	case dest == "":
		return nonCompliant("Server access logging is not enabled.")
	case want != "" && dest != want:
		return nonCompliant("Access logs go to bucket %q, not %q.", dest, want)
	case wantPrefix != "" && prefix != wantPrefix:
		return nonCompliant("Access logs use prefix %q, not %q.", prefix, wantPrefix)
	}
	return compliant()
}

// readActions are the actions a policy statement must allow for the bucket to be publicly
// readable; a pattern such as s3:Get*, s3:* or * covers them.
var readActions = []string{"s3:GetObject", "s3:ListBucket"}

// checkBucketPublicRead (S3_BUCKET_PUBLIC_READ_PROHIBITED): neither the bucket policy nor the ACL
// may grant read access to everyone, unless the effective Block Public Access settings (bucket
// OR account) neutralise that side.
func checkBucketPublicRead(env Env, it *Item, _ value, _ Params) verdict {
	bpa := effectivePublicAccessBlock(env, it)
	var problems []string
	if !bpa.restrictPublicBuckets && !bpa.blockPublicPolicy && policyAllowsPublicRead(bucketPolicy(it)) {
		problems = append(problems, "the bucket policy allows public read access")
	}
	if !bpa.ignorePublicAcls && aclGrantsPublicRead(supplementary(it, "AccessControlList")) {
		problems = append(problems, "the bucket ACL grants read access to all users or all authenticated users")
	}
	if len(problems) > 0 {
		return nonCompliant("Public read: %s.", strings.Join(problems, "; "))
	}
	return compliant()
}

// policyAllowsPublicRead reports whether a policy has an unconditional Allow statement for
// everyone that covers a read action.
func policyAllowsPublicRead(doc value) bool {
	for _, st := range statements(doc) {
		if effect(st, "Allow") && publicPrincipal(st) && unconditional(st) &&
			slices.ContainsFunc(readActions, func(a string) bool { return coversAction(st, a) }) {
			return true
		}
	}
	return false
}

// publicGroups are the ACL grantees that mean "everyone", as AWS Config records them (group
// names) and as S3 names them (group URIs).
var publicGroups = []string{
	"AllUsers",
	"AuthenticatedUsers",
	"http://acs.amazonaws.com/groups/global/AllUsers",
	"http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
}

// aclGrantsPublicRead reports whether an access control list grants READ or FULL_CONTROL to a
// public group. READ_ACP is not a read of the data and does not count (AWS does not document
// this; it is orgconfig's choice). Both AWS Config's form
// ({"grantList":[{"grantee":"AllUsers","permission":"Read"}]}) and the S3 API's form
// ({"Grants":[{"Grantee":{"URI":…},"Permission":"READ"}]}) are read.
func aclGrantsPublicRead(acl value) bool {
	grants := append(acl.first("grantList", "Grants", "grants").list(), acl.get("grantSet").list()...)
	for _, g := range grants {
		if publicGrantee(g.first("grantee", "Grantee")) && readPermission(g.first("permission", "Permission").str()) {
			return true
		}
	}
	return false
}

// publicGrantee reports whether a grantee, a group name or an object carrying a URI, is a public
// group.
func publicGrantee(g value) bool {
	if s := g.str(); s != "" {
		return slices.Contains(publicGroups, s)
	}
	return slices.Contains(publicGroups, g.first("uri", "URI", "identifier", "id").str())
}

// readPermission reports whether an ACL permission ("Read", "READ", "FullControl",
// "FULL_CONTROL") reads the bucket's contents.
func readPermission(p string) bool {
	switch strings.ToLower(strings.ReplaceAll(p, "_", "")) {
	case "read", "fullcontrol":
		return true
	}
	return false
}

// checkBucketLevelPublicAccess (S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED): buckets listed in
// excludedPublicBuckets are compliant; any other must have all four bucket-level Block Public
// Access settings on.
func checkBucketLevelPublicAccess(_ Env, it *Item, c value, p Params) verdict {
	if slices.Contains(p.list("excludedPublicBuckets"), bucketName(it, c)) {
		return compliant()
	}
	if !readPublicAccessBlock(supplementary(it, "PublicAccessBlockConfiguration")).all() {
		return nonCompliant("Bucket-level Block Public Access does not have all four settings enabled.")
	}
	return compliant()
}

// bucketName is the configuration's name, else the item's resource name, else its ID (S3 bucket
// IDs are their names).
func bucketName(it *Item, c value) string {
	for _, n := range []string{c.get("name").str(), it.ResourceName, it.ResourceID} {
		if n != "" {
			return n
		}
	}
	return ""
}

// bucketPolicy returns the bucket's policy document, decoding a policyText recorded as JSON
// text.
func bucketPolicy(it *Item) value {
	return supplementary(it, "BucketPolicy").get("policyText").embedded()
}

// publicAccessBlock holds S3 Block Public Access settings.
type publicAccessBlock struct {
	blockPublicAcls, ignorePublicAcls, blockPublicPolicy, restrictPublicBuckets bool
}

// readPublicAccessBlock reads the settings from a PublicAccessBlockConfiguration (or an
// AWS::S3::AccountPublicAccessBlock configuration); a setting that is not JSON true is off.
func readPublicAccessBlock(v value) publicAccessBlock {
	return publicAccessBlock{
		blockPublicAcls:       v.get("blockPublicAcls").isTrue(),
		ignorePublicAcls:      v.get("ignorePublicAcls").isTrue(),
		blockPublicPolicy:     v.get("blockPublicPolicy").isTrue(),
		restrictPublicBuckets: v.get("restrictPublicBuckets").isTrue(),
	}
}

// all reports whether all four settings are on.
func (b publicAccessBlock) all() bool {
	return b.blockPublicAcls && b.ignorePublicAcls && b.blockPublicPolicy && b.restrictPublicBuckets
}

// or combines two sets of settings: a setting is effective when either level enables it.
func (b publicAccessBlock) or(o publicAccessBlock) publicAccessBlock {
	return publicAccessBlock{
		blockPublicAcls:       b.blockPublicAcls || o.blockPublicAcls,
		ignorePublicAcls:      b.ignorePublicAcls || o.ignorePublicAcls,
		blockPublicPolicy:     b.blockPublicPolicy || o.blockPublicPolicy,
		restrictPublicBuckets: b.restrictPublicBuckets || o.restrictPublicBuckets,
	}
}

// effectivePublicAccessBlock combines the bucket's settings with the account's.
func effectivePublicAccessBlock(env Env, it *Item) publicAccessBlock {
	b := readPublicAccessBlock(supplementary(it, "PublicAccessBlockConfiguration"))
	if env == nil {
		return b
	}
	if acct := env.Item(accountPublicAccessBlockType, it.AccountID); acct != nil {
		b = b.or(readPublicAccessBlock(parseValue(acct.Configuration)))
	}
	return b
}

// allIn reports whether every element of values is in set.
func allIn(values, set []string) bool {
	for _, v := range values {
		if !slices.Contains(set, v) {
			return false
		}
	}
	return true
}
