package server

import (
	"context"
	"time"

	"github.com/orgconfig/orgconfig/internal/store"
	"github.com/orgconfig/orgconfig/internal/store/postgres"
)

func openPostgres(ctx context.Context, url string, now func() time.Time) (store.Store, error) {
	return postgres.Open(ctx, url, postgres.Options{Now: now})
}
