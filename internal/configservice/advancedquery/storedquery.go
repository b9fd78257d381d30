package advancedquery

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"

	"github.com/orgconfig/orgconfig/internal/configservice/core"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/query"
	"github.com/orgconfig/orgconfig/internal/store"
)

// KindStoredQuery holds a stored query: scope = Scope(account, region), id = name, body the
// API's StoredQuery.
const KindStoredQuery = "config-stored-query"

// maxStoredQueries is AWS's quota of stored queries per account and region.
const maxStoredQueries = 300

var storedQueryName = regexp.MustCompile(`^[a-zA-Z0-9-_]{1,64}$`)

func noSuchStoredQuery(name string) error {
	return configapi.ErrResourceNotFound("The query %s does not exist.", name)
}

func storedQueryTx(tx store.Tx, account, region, name string) (*configapi.StoredQuery, error) {
	return core.GetRecTx[configapi.StoredQuery](tx, KindStoredQuery, core.Scope(account, region), name)
}

// PutStoredQuery creates or updates a stored query (idempotent by name; tags on creation only).
// The expression must be a valid query.
func (s *Service) PutStoredQuery(ctx context.Context, in *configapi.PutStoredQueryRequest) (*configapi.PutStoredQueryResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	sq := in.StoredQuery
	if sq == nil || !storedQueryName.MatchString(sq.QueryName) {
		return nil, configapi.ErrValidation("1 validation error detected: Value at 'storedQuery.queryName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9-_]+$")
	}
	if sq.Expression == "" {
		return nil, configapi.ErrValidation("1 validation error detected: Value at 'storedQuery.expression' failed to satisfy constraint: Member must not be null")
	}
	if _, err := query.Parse(sq.Expression); err != nil {
		// PutStoredQuery's model has no InvalidExpressionException (SelectResourceConfig's
		// has): an expression that does not parse fails validation.
		return nil, configapi.ErrValidation("%s", err.Error())
	}
	if err := core.ValidateTags(in.Tags); err != nil {
		return nil, err
	}
	var arn string
	err = s.Store.Write(ctx, func(tx store.Tx) error {
		existing, err := storedQueryTx(tx, account, region, sq.QueryName)
		if err != nil {
			return err
		}
		out := configapi.StoredQuery{QueryName: sq.QueryName, Description: sq.Description, Expression: sq.Expression}
		if existing != nil {
			out.QueryId, out.QueryArn = existing.QueryId, existing.QueryArn
		} else {
			n, err := tx.Count(KindStoredQuery, core.Scope(account, region))
			if err != nil {
				return err
			}
			if n >= maxStoredQueries {
				return configapi.ErrValidation("You have reached the limit of %d stored queries in this account and region.", maxStoredQueries)
			}
			out.QueryId = "query-" + s.IDs.Lower(16)
			out.QueryArn = fmt.Sprintf("arn:aws:config:%s:%s:stored-query/%s/%s", region, account, sq.QueryName, out.QueryId)
			if err := core.CreateResourceTagsTx(tx, out.QueryArn, in.Tags); err != nil {
				return err
			}
		}
		arn = out.QueryArn
		b, err := json.Marshal(out)
		if err != nil {
			return err
		}
		return tx.Put(KindStoredQuery, core.Scope(account, region), sq.QueryName, b)
	})
	if err != nil {
		return nil, err
	}
	return &configapi.PutStoredQueryResponse{QueryArn: arn}, nil
}

// GetStoredQuery returns a stored query.
func (s *Service) GetStoredQuery(ctx context.Context, in *configapi.GetStoredQueryRequest) (*configapi.GetStoredQueryResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	var q *configapi.StoredQuery
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		if q, err = storedQueryTx(tx, account, region, in.QueryName); err == nil && q == nil {
			err = noSuchStoredQuery(in.QueryName)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &configapi.GetStoredQueryResponse{StoredQuery: q}, nil
}

// ListStoredQueries lists the stored queries, MaxResults (default and at most 100) per page.
func (s *Service) ListStoredQueries(ctx context.Context, in *configapi.ListStoredQueriesRequest) (*configapi.ListStoredQueriesResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	limit := core.LimitOr(in.MaxResults, 100)
	after, err := core.DecodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &configapi.ListStoredQueriesResponse{StoredQueryMetadata: []configapi.StoredQueryMetadata{}}
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		recs, err := tx.List(KindStoredQuery, core.Scope(account, region), after, limit+1)
		if err != nil {
			return err
		}
		out.StoredQueryMetadata, out.NextToken = out.StoredQueryMetadata[:0], ""
		for i, r := range recs {
			if i == limit {
				out.NextToken = core.EncodeToken(recs[limit-1].ID)
				break
			}
			var q configapi.StoredQuery
			if err := json.Unmarshal(r.Body, &q); err != nil {
				return err
			}
			out.StoredQueryMetadata = append(out.StoredQueryMetadata, configapi.StoredQueryMetadata{
				QueryId: q.QueryId, QueryArn: q.QueryArn, QueryName: q.QueryName, Description: q.Description})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteStoredQuery deletes a stored query.
func (s *Service) DeleteStoredQuery(ctx context.Context, in *configapi.DeleteStoredQueryRequest) (*configapi.DeleteStoredQueryResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	err = s.Store.Write(ctx, func(tx store.Tx) error {
		q, err := storedQueryTx(tx, account, region, in.QueryName)
		if err != nil {
			return err
		}
		if q == nil {
			return noSuchStoredQuery(in.QueryName)
		}
		if _, err := tx.Delete(KindStoredQuery, core.Scope(account, region), in.QueryName); err != nil {
			return err
		}
		return core.DeleteResourceTagsTx(tx, q.QueryArn)
	})
	if err != nil {
		return nil, err
	}
	return &configapi.DeleteStoredQueryResponse{}, nil
}
