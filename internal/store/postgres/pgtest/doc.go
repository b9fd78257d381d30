// Package pgtest gives tests an isolated PostgreSQL database: a fresh schema in the database of
// ORGCONFIG_TEST_DATABASE_URL, dropped when the test ends. Without that variable tests skip
// with a clear message, except under CI=true, where they fail: CI must never silently skip the
// PostgreSQL backend.
//
// It must never touch anything in the database but the schema it created, and nothing but tests
// and internal/testserver may import it (tests/deps checks it).
package pgtest
