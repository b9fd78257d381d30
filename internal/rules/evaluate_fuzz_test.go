package rules

import (
	"encoding/json"
	"testing"
)

// supplementaryNames are the supplementary configuration entries the rules read.
var supplementaryNames = []string{
	"BucketVersioningConfiguration", "ServerSideEncryptionConfiguration", "BucketLoggingConfiguration",
	"PublicAccessBlockConfiguration", "BucketPolicy", "AccessControlList",
}

// FuzzEvaluateItem: every evaluable rule evaluates any configuration and supplementary JSON, with
// any parameter values, without panicking, and answers a well-formed result.
func FuzzEvaluateItem(f *testing.F) {
	f.Add(`{"ipPermissions":[{"ipProtocol":"-1","fromPort":1e300,"toPort":"x","ipRanges":["0.0.0.0/0",{"cidrIp":7}]}]}`, `{"policyText":"{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\"}}"}`, "22,1-", uint8(0))
	f.Add(`{"attachments":[{"deleteOnTermination":"yes"}],"state":{"value":1},"encrypted":true,"kmsKeyId":{}}`, `"{\"grantList\":[{\"grantee\":\"AllUsers\",\"permission\":\"Read\"}]}"`, "true", uint8(1))
	f.Add(`{"state":"running","imageId":["ami-1"],"publicIpAddress":1,"instanceType":null}`, `{"rules":[{"applyServerSideEncryptionByDefault":[]}]}`, "ami-1", uint8(2))
	f.Add(`{"groupName":"default","ipPermissionsEgress":[{}],"userPolicyList":{"a":1}}`, `"%7B%22status%22%3A%22Enabled%22%7D"`, "-1", uint8(3))
	f.Add(`[1,2,3]`, `null`, "", uint8(4))
	f.Add(`"just a string"`, `{"Statement":[{"Effect":"Deny","Action":"s3:PutObject","Condition":{"Null":7,"StringNotEquals":{"s3:x-amz-server-side-encryption":[]}}}]}`, "1020-1025,443", uint8(5))
	f.Add(`{"storageEncrypted":true,"kmsKeyId":"arn:aws:kms:r:a:key/"}`, `{`, ":key/", uint8(6))
	var itemRules []*Rule
	for _, id := range Identifiers() {
		if r := mustLookup(f, id); r.EvaluateItem != nil {
			itemRules = append(itemRules, r)
		}
	}
	f.Fuzz(func(t *testing.T, config, suppJSON, paramValue string, pick uint8) {
		sup := map[string]json.RawMessage{}
		for i, name := range supplementaryNames {
			if i%2 == 0 {
				sup[name] = json.RawMessage(suppJSON)
			} else { // the JSON-text form AWS uses for some entries
				sup[name] = json.RawMessage(quoted(suppJSON))
			}
		}
		env := fakeEnv{items: map[[2]string]*Item{
			{accountPublicAccessBlockType, "111111111111"}: {Configuration: json.RawMessage(suppJSON)},
		}}
		for _, r := range itemRules {
			p := Params{}
			for _, d := range r.Params { // every parameter, with the fuzzed value
				p[d.Name] = paramValue
			}
			it := &Item{
				AccountID:     "111111111111",
				ResourceType:  r.ResourceTypes[int(pick)%len(r.ResourceTypes)],
				ResourceID:    "res-1",
				Status:        StatusOK,
				Configuration: json.RawMessage(config),
				Supplementary: sup,
				Tags:          map[string]string{paramValue: config},
			}
			res, ok := r.EvaluateItem(env, it, p)
			if !ok {
				t.Fatalf("%s: no evaluation of an in-scope item", r.Identifier)
			}
			checkResult(t, res, it.ResourceType, "res-1")
		}
		pp := &PasswordPolicy{MinimumPasswordLength: len(config), MaxPasswordAge: int(pick)}
		res := mustLookup(t, "IAM_PASSWORD_POLICY").EvaluateAccount(fakeEnv{policy: pp}, "111111111111",
			Params{"MinimumPasswordLength": paramValue, "MaxPasswordAge": paramValue, "RequireSymbols": paramValue})
		checkResult(t, res, AccountResourceType, "111111111111")
	})
}
