package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/orgconfig/orgconfig/internal/store"
)

// Migrations are the files migrations/NNNN_name.sql, applied in ascending NNNN order at Open.
// They are forward-only: a released migration is never edited; a change is a new file.
//
// Several processes may start at once against one database, and advisory locks are not
// portable (CockroachDB has none), so the migrations are serialized with a row lock:
//
//  1. CREATE TABLE IF NOT EXISTS schema_migrations, and INSERT ... ON CONFLICT DO NOTHING its
//     lock row (version 0). Both are idempotent; the rare error of two concurrent CREATE TABLE
//     IF NOT EXISTS is retried.
//  2. For each migration: BEGIN; SELECT the lock row FOR UPDATE (a second process blocks here
//     until the first commits); if the migration's row exists, another process applied it:
//     COMMIT and go on; otherwise run the migration, INSERT its row and COMMIT. The DDL and the
//     row commit together, so a crash leaves the database before or after a migration, never
//     inside one.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// isRaceOnCreate reports the errors two concurrent CREATE TABLE IF NOT EXISTS can raise on
// PostgreSQL: a unique violation in the catalog, "relation already exists" (42P07), or "type
// already exists" (42710, the table's row type losing the same race).
func isRaceOnCreate(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "23505" || pe.Code == "42P07" || pe.Code == "42710" || pe.Code == "40001")
}

func (s *Store) migrate(ctx context.Context) error {
	ms, err := store.LoadMigrations(migrationFiles)
	if err != nil {
		return err
	}
	for i := 0; ; i++ {
		_, err = s.pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    BIGINT NOT NULL PRIMARY KEY,
			name       TEXT   NOT NULL,
			applied_at BIGINT NOT NULL)`)
		if err == nil {
			_, err = s.pool.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at)
				VALUES (0, 'migration lock', 0) ON CONFLICT DO NOTHING`)
		}
		if err == nil || !isRaceOnCreate(err) || i >= 10 {
			break
		}
		time.Sleep(time.Duration(10*(i+1)) * time.Millisecond)
	}
	if err != nil {
		return err
	}
	var newest int64
	if err := pgxQueryRow(ctx, s.pool, `SELECT coalesce(max(version), 0) FROM schema_migrations`, nil, &newest); err != nil {
		return err
	}
	if len(ms) > 0 && newest > ms[len(ms)-1].Version {
		return fmt.Errorf("database schema version %d is newer than this binary's %d; refusing to use it",
			newest, ms[len(ms)-1].Version)
	}
	for _, m := range ms {
		err := s.retry(ctx, func() error { return s.applyMigration(ctx, m) })
		if err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	return nil
}

func (s *Store) applyMigration(ctx context.Context, m store.Migration) error {
	return pgx.BeginFunc(ctx, s.pool, func(t pgx.Tx) error {
		var lock int64
		if err := pgxQueryRow(ctx, t, `SELECT version FROM schema_migrations WHERE version = 0 FOR UPDATE`, nil, &lock); err != nil {
			return fmt.Errorf("taking the migration lock: %w", err)
		}
		var n int64
		if err := pgxQueryRow(ctx, t, `SELECT count(*) FROM schema_migrations WHERE version = $1`, []any{m.Version}, &n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		if _, err := t.Exec(ctx, m.SQL); err != nil {
			return err
		}
		_, err := t.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
			m.Version, m.Name, time.Now().UnixMilli())
		return err
	})
}
