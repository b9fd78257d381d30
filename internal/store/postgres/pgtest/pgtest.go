package pgtest

import (
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the environment variable holding the test database's URL.
const EnvURL = "ORGCONFIG_TEST_DATABASE_URL"

// Available reports whether a test database is configured.
func Available() bool { return os.Getenv(EnvURL) != "" }

// DatabaseURL returns the test database, or skips the test (fails it under CI=true).
func DatabaseURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvURL)
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but " + EnvURL + " is empty: CI must run the PostgreSQL tests (scripts/test.sh starts a database with internal/store/postgres/testdb.sh)")
		}
		t.Skip("PostgreSQL tests need " + EnvURL + "=postgres://...; skipping (scripts/test.sh starts one)")
	}
	return u
}

// FreshSchema creates a uniquely named schema, drops it when the test ends, and returns a URL
// whose connections use it (search_path), so that test runs and tests never share tables.
func FreshSchema(t testing.TB) string {
	t.Helper()
	base := DatabaseURL(t)
	name := "orgconfig_test_" + strings.ToLower(rand.Text()[:12])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connecting to %s: %v", base, err)
	}
	defer admin.Close(context.Background())
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("dropping schema %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", name, err)
		}
	})
	return WithParam(t, base, "search_path", name)
}

// WithParam returns base with a connection parameter set.
func WithParam(t testing.TB, base, key, value string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("%s must be a postgres:// URL, got %q", EnvURL, base)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}
