package rules

import "strings"

// checkEncryption is the logic ENCRYPTED_VOLUMES and RDS_STORAGE_ENCRYPTED share: the boolean
// field flag must be true and, when the parameter keyParam names a key, the recorded kmsKeyId must
// be that key. what names the resource in annotations.
func checkEncryption(c value, flag string, p Params, keyParam, what string) verdict {
	if !c.get(flag).isTrue() {
		return nonCompliant("The %s is not encrypted.", what)
	}
	recorded := c.get("kmsKeyId").str()
	if want := p.text(keyParam); want != "" && !sameKMSKey(recorded, want) {
		return nonCompliant("The %s is encrypted with key %q, not %q.", what, orNone(recorded), want)
	}
	return compliant()
}

// sameKMSKey reports whether the recorded key (usually a key ARN, sometimes a bare key ID) is the
// key a parameter names by key ID or key ARN. Aliases are compared literally.
func sameKMSKey(recorded, want string) bool {
	recorded, want = strings.TrimSpace(recorded), strings.TrimSpace(want)
	if recorded == "" || want == "" {
		return false
	}
	return recorded == want || kmsKeyID(recorded) == kmsKeyID(want)
}

// kmsKeyID returns the key ID of a key ARN (arn:…:key/<id>), and anything else unchanged.
func kmsKeyID(s string) string {
	const marker = ":key/"
	if i := strings.LastIndex(s, marker); i >= 0 {
		return s[i+len(marker):]
	}
	return s
}
