package server

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRefreshCredentialsEndpoint(t *testing.T) {
	cases := []struct{ name, before, want string }{
		{
			name:   "current file, other endpoint",
			before: credentialsFileBody("123456789012", "AKIAX", "secret", "eu-west-1", "http://127.0.0.1:1"),
			want:   credentialsFileBody("123456789012", "AKIAX", "secret", "eu-west-1", "http://127.0.0.1:4566"),
		},
		{
			name:   "keys only, as older versions wrote it",
			before: "# orgconfig root credentials of account 123456789012\nexport AWS_ACCESS_KEY_ID=AKIAX\nexport AWS_SECRET_ACCESS_KEY=secret\n",
			want:   credentialsFileBody("123456789012", "AKIAX", "secret", "us-east-1", "http://127.0.0.1:4566"),
		},
		{
			name:   "someone else's file",
			before: "export AWS_PROFILE=prod\n",
			want:   "export AWS_PROFILE=prod\n",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, CredentialsFile)
			if err := os.WriteFile(path, []byte(c.before), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := refreshCredentialsEndpoint(dir, "http://127.0.0.1:4566"); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(path)
			if string(b) != c.want {
				t.Errorf("got\n%s\nwant\n%s", b, c.want)
			}
		})
	}
	if err := refreshCredentialsEndpoint(t.TempDir(), "http://x"); err != nil {
		t.Errorf("no file: %v", err)
	}
}

func TestShortRootSecretRefused(t *testing.T) {
	opts := Options{DataDir: t.TempDir(), AccountID: "111111111111", RootAccessKeyID: "AKIAORGCONFIGTEST001", RootSecretAccessKey: "short-secret"}
	if _, err := New(context.Background(), opts); err == nil || !strings.Contains(err.Error(), "40") {
		t.Fatalf("New with a 12-character root secret: %v, want a refusal", err)
	}
	opts.AllowShortRootSecret = true
	srv, err := New(context.Background(), opts)
	if err != nil {
		t.Fatalf("New with AllowShortRootSecret: %v", err)
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}
