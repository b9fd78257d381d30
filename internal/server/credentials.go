package server

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
)

// credentialsFileBody is the content of the root-credentials file: a shell fragment that, once
// sourced, points the aws CLI and every SDK at this server as the bootstrap account's root
// user — the keys, a region and the endpoint, as the banner of the first start prints them.
// Without the endpoint line, the next aws command would go to real AWS.
func credentialsFileBody(account, accessKeyID, secret, region, endpoint string) string {
	body := fmt.Sprintf("# orgconfig root credentials of account %s\nexport AWS_ACCESS_KEY_ID=%s\nexport AWS_SECRET_ACCESS_KEY=%s\nexport AWS_DEFAULT_REGION=%s\nexport AWS_REGION=%s\n",
		account, accessKeyID, secret, region, region)
	if endpoint != "" {
		body += "export AWS_ENDPOINT_URL=" + endpoint + "\n"
	}
	return body
}

// writeCredentialsFile writes the root-credentials file (mode 0600) in dir.
func writeCredentialsFile(dir, body string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	path := filepath.Join(dir, CredentialsFile)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Chmod(path, 0o600)
}

var endpointLine = regexp.MustCompile(`(?m)^export AWS_ENDPOINT_URL=.*\n?`)

// refreshCredentialsEndpoint keeps the endpoint line of an existing root-credentials file in
// step with the address this start listens on (a later start may use another --addr). A
// missing file, or one the operator rewrote without an endpoint line of ours, is left alone
// unless it was written by orgconfig.
func refreshCredentialsEndpoint(dir, endpoint string) error {
	path := filepath.Join(dir, CredentialsFile)
	b, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return err
	}
	want := "export AWS_ENDPOINT_URL=" + endpoint + "\n"
	var body string
	switch {
	case endpointLine.Match(b):
		body = endpointLine.ReplaceAllLiteralString(string(b), want)
	case regexp.MustCompile(`^# orgconfig root credentials`).Match(b):
		// Written by an older orgconfig: keys only.
		body = string(b)
		if len(body) > 0 && body[len(body)-1] != '\n' {
			body += "\n"
		}
		if !regexp.MustCompile(`(?m)^export AWS_DEFAULT_REGION=`).MatchString(body) {
			body += "export AWS_DEFAULT_REGION=us-east-1\nexport AWS_REGION=us-east-1\n"
		}
		body += want
	default:
		return nil
	}
	if body == string(b) {
		return nil
	}
	return writeCredentialsFile(dir, body)
}
