package rules

// checkRDSStorageEncrypted (RDS_STORAGE_ENCRYPTED): the DB instance's storage must be encrypted,
// with the kmsKeyId key when given.
func checkRDSStorageEncrypted(_ Env, _ *Item, c value, p Params) verdict {
	return checkEncryption(c, "storageEncrypted", p, "kmsKeyId", "DB instance storage")
}
