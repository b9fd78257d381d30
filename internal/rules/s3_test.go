package rules

import (
	"net/url"
	"testing"
)

// bucket is an S3 bucket item with the given supplementary configuration.
func bucket(pairs ...string) Item {
	return Item{AccountID: "111111111111", ResourceID: "my-bucket", ResourceName: "my-bucket",
		Configuration: raw(`{"name":"my-bucket"}`), Supplementary: supp(pairs...)}
}

// TestBucketVersioning: S3_BUCKET_VERSIONING_ENABLED and isMfaDeleteEnabled.
func TestBucketVersioning(t *testing.T) {
	const v = "BucketVersioningConfiguration"
	runCases(t, "S3_BUCKET_VERSIONING_ENABLED", []evalCase{
		{name: "enabled", item: bucket(v, `{"status":"Enabled","isMfaDeleteEnabled":null}`), want: Compliant},
		{name: "off", item: bucket(v, `{"status":"Off"}`), want: NonCompliant},
		{name: "suspended", item: bucket(v, `{"status":"Suspended"}`), want: NonCompliant},
		{name: "not recorded", item: bucket(), want: NonCompliant},
		{name: "as JSON text", item: bucket(v, quoted(`{"status":"Enabled"}`)), want: Compliant},
		{name: "mfa required and on", item: bucket(v, `{"status":"Enabled","isMfaDeleteEnabled":true}`), params: `{"isMfaDeleteEnabled":"true"}`, want: Compliant},
		{name: "mfa required, API form", item: bucket(v, `{"status":"Enabled","isMfaDeleteEnabled":"Enabled"}`), params: `{"isMfaDeleteEnabled":"true"}`, want: Compliant},
		{name: "mfa required and off", item: bucket(v, `{"status":"Enabled","isMfaDeleteEnabled":false}`), params: `{"isMfaDeleteEnabled":"true"}`, want: NonCompliant},
		{name: "mfa required and absent", item: bucket(v, `{"status":"Enabled"}`), params: `{"isMfaDeleteEnabled":"true"}`, want: NonCompliant},
		{name: "mfa parameter not lowercase true", item: bucket(v, `{"status":"Enabled"}`), params: `{"isMfaDeleteEnabled":"True"}`, want: Compliant},
		{name: "mfa parameter false", item: bucket(v, `{"status":"Enabled"}`), params: `{"isMfaDeleteEnabled":false}`, want: Compliant},
		{name: "versioning off with mfa", item: bucket(v, `{"status":"Suspended","isMfaDeleteEnabled":true}`), params: `{"isMfaDeleteEnabled":"true"}`, want: NonCompliant},
		{name: "deleted", item: Item{Status: StatusResourceDeletedNotRecorded}},
	})
}

// TestBucketEncryption: S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED by default encryption or policy.
func TestBucketEncryption(t *testing.T) {
	const sse, pol = "ServerSideEncryptionConfiguration", "BucketPolicy"
	sseRule := func(alg string) string {
		return `{"rules":[{"applyServerSideEncryptionByDefault":{"sseAlgorithm":"` + alg + `","kmsMasterKeyID":null},"bucketKeyEnabled":false}]}`
	}
	policy := func(doc string) string { return `{"policyText":` + quoted(doc) + `}` }
	const denyNull = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::my-bucket/*","Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}}]}`
	const denyNotEquals = `{"Statement":{"Effect":"Deny","Principal":{"AWS":"*"},"Action":["s3:PutObject"],"Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":["AES256","aws:kms"]}}}}`
	runCases(t, "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED", []evalCase{
		{name: "AES256", item: bucket(sse, sseRule("AES256")), want: Compliant},
		{name: "aws:kms", item: bucket(sse, sseRule("aws:kms")), want: Compliant},
		{name: "aws:kms:dsse", item: bucket(sse, sseRule("aws:kms:dsse")), want: Compliant},
		{name: "unknown algorithm", item: bucket(sse, sseRule("ROT13")), want: NonCompliant},
		{name: "second rule", item: bucket(sse, `{"rules":[{},{"applyServerSideEncryptionByDefault":{"sseAlgorithm":"AES256"}}]}`), want: Compliant},
		{name: "nothing", item: bucket(), want: NonCompliant},
		{name: "policy denies absent header", item: bucket(pol, policy(denyNull)), want: Compliant},
		{name: "policy denies other algorithms", item: bucket(pol, policy(denyNotEquals)), want: Compliant},
		{name: "policy object form", item: bucket(pol, `{"policyText":`+denyNull+`}`), want: Compliant},
		{name: "policy URL-encoded", item: bucket(pol, policy(url.QueryEscape(denyNull))), want: Compliant},
		{name: "policy with s3:* deny", item: bucket(pol, policy(`{"Statement":[{"Effect":"Deny","Action":"s3:*","Condition":{"Null":{"S3:X-Amz-Server-Side-Encryption":true}}}]}`)), want: Compliant},
		{name: "allow is not deny", item: bucket(pol, policy(`{"Statement":[{"Effect":"Allow","Action":"s3:PutObject","Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}}]}`)), want: NonCompliant},
		{name: "deny other action", item: bucket(pol, policy(`{"Statement":[{"Effect":"Deny","Action":"s3:GetObject","Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}}]}`)), want: NonCompliant},
		{name: "deny without condition", item: bucket(pol, policy(`{"Statement":[{"Effect":"Deny","Action":"s3:PutObject"}]}`)), want: NonCompliant},
		{name: "null false", item: bucket(pol, policy(`{"Statement":[{"Effect":"Deny","Action":"s3:PutObject","Condition":{"Null":{"s3:x-amz-server-side-encryption":"false"}}}]}`)), want: NonCompliant},
		{name: "not-equals other value", item: bucket(pol, policy(`{"Statement":[{"Effect":"Deny","Action":"s3:PutObject","Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"none"}}}]}`)), want: NonCompliant},
		{name: "policy not JSON", item: bucket(pol, policy(`{{{`)), want: NonCompliant},
	})
}

// TestBucketLogging: S3_BUCKET_LOGGING_ENABLED with targetBucket and targetPrefix.
func TestBucketLogging(t *testing.T) {
	const l = "BucketLoggingConfiguration"
	logs := bucket(l, `{"destinationBucketName":"logs","logFilePrefix":"p/"}`)
	runCases(t, "S3_BUCKET_LOGGING_ENABLED", []evalCase{
		{name: "enabled", item: logs, want: Compliant},
		{name: "disabled", item: bucket(l, `{"destinationBucketName":null,"logFilePrefix":null}`), want: NonCompliant},
		{name: "not recorded", item: bucket(), want: NonCompliant},
		{name: "target bucket matches", item: logs, params: `{"targetBucket":"logs"}`, want: Compliant},
		{name: "target bucket differs", item: logs, params: `{"targetBucket":"other"}`, want: NonCompliant},
		{name: "target prefix matches", item: logs, params: `{"targetBucket":"logs","targetPrefix":"p/"}`, want: Compliant},
		{name: "target prefix differs", item: logs, params: `{"targetPrefix":"q/"}`, want: NonCompliant},
		{name: "target prefix with no prefix", item: bucket(l, `{"destinationBucketName":"logs"}`), params: `{"targetPrefix":"p/"}`, want: NonCompliant},
	})
}

// TestBucketPublicRead: S3_BUCKET_PUBLIC_READ_PROHIBITED, policy and ACL sides, bucket and
// account Block Public Access.
func TestBucketPublicRead(t *testing.T) {
	const pol, acl, bpa = "BucketPolicy", "AccessControlList", "PublicAccessBlockConfiguration"
	policy := func(stmt string) string {
		return `{"policyText":` + quoted(`{"Version":"2012-10-17","Statement":[`+stmt+`]}`) + `}`
	}
	const publicGet = `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::my-bucket/*"}`
	aclWith := func(grant string) string {
		return quoted(`{"grantSet":null,"grantList":[{"grantee":{"id":"abc","displayName":null},"permission":"FullControl"},` + grant + `],"owner":{"id":"abc"},"isRequesterCharged":false}`)
	}
	accountBPA := func(cfg string) Env {
		return fakeEnv{items: map[[2]string]*Item{
			{accountPublicAccessBlockType, "111111111111"}: {ResourceType: accountPublicAccessBlockType, ResourceID: "111111111111", Configuration: raw(cfg)},
		}}
	}
	runCases(t, "S3_BUCKET_PUBLIC_READ_PROHIBITED", []evalCase{
		{name: "private", item: bucket(acl, aclWith(`{"grantee":{"id":"def"},"permission":"Read"}`)), want: Compliant},
		{name: "nothing recorded", item: bucket(), want: Compliant},
		{name: "public GetObject", item: bucket(pol, policy(publicGet)), want: NonCompliant},
		{name: "public s3:Get*", item: bucket(pol, policy(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["s3:Get*"]}`)), want: NonCompliant},
		{name: "public ListBucket", item: bucket(pol, policy(`{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":"s3:ListBucket"}`)), want: NonCompliant},
		{name: "public s3:*", item: bucket(pol, policy(`{"Effect":"Allow","Principal":"*","Action":"s3:*"}`)), want: NonCompliant},
		{name: "public *", item: bucket(pol, policy(`{"Effect":"Allow","Principal":"*","Action":"*"}`)), want: NonCompliant},
		{name: "public NotAction without reads", item: bucket(pol, policy(`{"Effect":"Allow","Principal":"*","NotAction":"s3:DeleteObject"}`)), want: NonCompliant},
		{name: "public NotAction covering reads", item: bucket(pol, policy(`{"Effect":"Allow","Principal":"*","NotAction":["s3:Get*","s3:List*"]}`)), want: Compliant},
		{name: "public write only", item: bucket(pol, policy(`{"Effect":"Allow","Principal":"*","Action":"s3:PutObject"}`)), want: Compliant},
		{name: "conditioned", item: bucket(pol, policy(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}`)), want: Compliant},
		{name: "empty condition", item: bucket(pol, policy(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Condition":{}}`)), want: NonCompliant},
		{name: "account principal", item: bucket(pol, policy(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"s3:GetObject"}`)), want: Compliant},
		{name: "deny", item: bucket(pol, policy(`{"Effect":"Deny","Principal":"*","Action":"s3:GetObject"}`)), want: Compliant},
		{name: "bucket blocks public policy", item: bucket(pol, policy(publicGet), bpa, `{"blockPublicPolicy":true}`), want: Compliant},
		{name: "bucket restricts public buckets", item: bucket(pol, policy(publicGet), bpa, `{"restrictPublicBuckets":true}`), want: Compliant},
		{name: "bucket ignores ACLs only", item: bucket(pol, policy(publicGet), bpa, `{"ignorePublicAcls":true,"blockPublicAcls":true}`), want: NonCompliant},
		{name: "account blocks public policy", item: bucket(pol, policy(publicGet)), env: accountBPA(`{"blockPublicPolicy":true}`), want: Compliant},
		{name: "account settings off", item: bucket(pol, policy(publicGet)), env: accountBPA(`{"blockPublicPolicy":false}`), want: NonCompliant},
		{name: "ACL AllUsers Read", item: bucket(acl, aclWith(`{"grantee":"AllUsers","permission":"Read"}`)), want: NonCompliant},
		{name: "ACL AuthenticatedUsers FullControl", item: bucket(acl, aclWith(`{"grantee":"AuthenticatedUsers","permission":"FullControl"}`)), want: NonCompliant},
		{name: "ACL AllUsers ReadAcp", item: bucket(acl, aclWith(`{"grantee":"AllUsers","permission":"ReadAcp"}`)), want: Compliant},
		{name: "ACL AllUsers Write", item: bucket(acl, aclWith(`{"grantee":"AllUsers","permission":"Write"}`)), want: Compliant},
		{name: "ACL S3 API form", item: bucket(acl, `{"Grants":[{"Grantee":{"Type":"Group","URI":"http://acs.amazonaws.com/groups/global/AllUsers"},"Permission":"READ"}]}`), want: NonCompliant},
		{name: "ACL ignored by bucket", item: bucket(acl, aclWith(`{"grantee":"AllUsers","permission":"Read"}`), bpa, `{"ignorePublicAcls":true}`), want: Compliant},
		{name: "ACL ignored by account", item: bucket(acl, aclWith(`{"grantee":"AllUsers","permission":"Read"}`)), env: accountBPA(`{"ignorePublicAcls":true}`), want: Compliant},
		{name: "ACL public, policy blocked", item: bucket(acl, aclWith(`{"grantee":"AllUsers","permission":"Read"}`), bpa, `{"blockPublicPolicy":true,"restrictPublicBuckets":true}`), want: NonCompliant},
		{name: "ACL not JSON", item: bucket(acl, quoted(`grantee AllUsers`)), want: Compliant},
	})
}

// TestBucketLevelPublicAccess: S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED and excludedPublicBuckets.
func TestBucketLevelPublicAccess(t *testing.T) {
	const bpa = "PublicAccessBlockConfiguration"
	const all = `{"blockPublicAcls":true,"ignorePublicAcls":true,"blockPublicPolicy":true,"restrictPublicBuckets":true}`
	runCases(t, "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED", []evalCase{
		{name: "all four", item: bucket(bpa, all), want: Compliant},
		{name: "all four as JSON text", item: bucket(bpa, quoted(all)), want: Compliant},
		{name: "three", item: bucket(bpa, `{"blockPublicAcls":true,"ignorePublicAcls":true,"blockPublicPolicy":true,"restrictPublicBuckets":false}`), want: NonCompliant},
		{name: "strings are not booleans", item: bucket(bpa, `{"blockPublicAcls":"true","ignorePublicAcls":true,"blockPublicPolicy":true,"restrictPublicBuckets":true}`), want: NonCompliant},
		{name: "none", item: bucket(), want: NonCompliant},
		{name: "excluded", item: bucket(), params: `{"excludedPublicBuckets":"other, my-bucket"}`, want: Compliant},
		{name: "not excluded", item: bucket(), params: `{"excludedPublicBuckets":"other,my-bucket2"}`, want: NonCompliant},
		{name: "name from resource ID", item: Item{ResourceID: "b2"}, params: `{"excludedPublicBuckets":"b2"}`, want: Compliant},
	})
}
