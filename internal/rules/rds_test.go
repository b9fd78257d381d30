package rules

import "testing"

// TestRDSStorageEncrypted: RDS_STORAGE_ENCRYPTED and kmsKeyId.
func TestRDSStorageEncrypted(t *testing.T) {
	db := func(cfg string) Item { return Item{ResourceID: "db-ABC", Configuration: raw(cfg)} }
	encrypted := db(`{"dBInstanceIdentifier":"db","storageEncrypted":true,"kmsKeyId":"` + kmsARN + `"}`)
	runCases(t, "RDS_STORAGE_ENCRYPTED", []evalCase{
		{name: "encrypted", item: encrypted, want: Compliant},
		{name: "not encrypted", item: db(`{"storageEncrypted":false}`), want: NonCompliant},
		{name: "flag absent", item: db(`{}`), want: NonCompliant},
		{name: "key by ID", item: encrypted, params: `{"kmsKeyId":"` + kmsID + `"}`, want: Compliant},
		{name: "key by ARN", item: encrypted, params: `{"kmsKeyId":"` + kmsARN + `"}`, want: Compliant},
		{name: "other key", item: encrypted, params: `{"kmsKeyId":"arn:aws:kms:us-east-1:111111111111:key/other"}`, want: NonCompliant},
		{name: "cluster type out of scope", item: Item{ResourceType: "AWS::RDS::DBCluster"}},
	})
}
