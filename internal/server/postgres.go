package server

import (
	"context"

	"github.com/orgconfig/orgconfig/internal/store"
	"github.com/orgconfig/orgconfig/internal/store/postgres"
)

func openPostgres(ctx context.Context, url string) (store.Store, error) {
	return postgres.Open(ctx, url, postgres.Options{})
}
