package advancedquery

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"

	"github.com/orgconfig/orgconfig/internal/configservice/aggregation"
	"github.com/orgconfig/orgconfig/internal/configservice/core"
	"github.com/orgconfig/orgconfig/internal/configservice/recording"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/query"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Page sizes of advanced queries. A query without Limit (or with 0) answers 25 rows a page, and
// an aggregation query (GROUP BY or an aggregate function) 500, more than the settable maximum
// of 100 (https://docs.aws.amazon.com/config/latest/APIReference/API_SelectResourceConfig.html).
const (
	selectDefaultPage    = 25
	selectAggregatePage  = 500
	selectMaxOrderedRows = 500
)

// selectCursor is the position of the next page: a source and an item in it (streamed plain
// queries), or an offset into the whole answer (ordered and aggregate queries).
type selectCursor struct {
	Source string `json:"s,omitempty"`
	Item   string `json:"i,omitempty"`
	Offset int    `json:"o,omitempty"`
}

func encodeSelectCursor(c selectCursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeSelectCursor(tok string) (selectCursor, error) {
	var c selectCursor
	if tok == "" {
		return c, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || json.Unmarshal(b, &c) != nil {
		return c, configapi.ErrInvalidNextToken("The nextToken provided is invalid")
	}
	return c, nil
}

// SelectResourceConfig runs an advanced query over the caller's account and region.
func (s *Service) SelectResourceConfig(ctx context.Context, in *configapi.SelectResourceConfigRequest) (*configapi.SelectResourceConfigResponse, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, err
	}
	var out *configapi.SelectResourceConfigResponse
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		set, err := recording.GetUnindexedSet(tx)
		if err != nil {
			return err
		}
		res, err := s.runQuery(tx, []aggregation.Source{{Account: account, Region: region}}, nil, set, in.Expression, core.LimitOr(in.Limit, 0), in.NextToken)
		if err != nil {
			return err
		}
		out = &configapi.SelectResourceConfigResponse{Results: res.results, QueryInfo: res.info, NextToken: res.next}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SelectAggregateResourceConfig runs an advanced query over an aggregator's sources.
func (s *Service) SelectAggregateResourceConfig(ctx context.Context, in *configapi.SelectAggregateResourceConfigRequest) (*configapi.SelectAggregateResourceConfigResponse, error) {
	limit := core.LimitOr(in.Limit, 0)
	if limit == 0 {
		limit = core.LimitOr(in.MaxResults, 0)
	}
	var out *configapi.SelectAggregateResourceConfigResponse
	err := s.Store.Read(ctx, func(tx store.Tx) error {
		// The unindexed-scopes record comes with the aggregator, in one statement.
		v, extra, err := s.ViewWithTx(tx, ctx, in.ConfigurationAggregatorName, recording.UnindexedSetKey)
		if err != nil {
			return err
		}
		var allowed func(string) bool
		if f := v.Aggregator.Agg.AggregatorFilters; f != nil && f.ResourceType != nil && len(f.ResourceType.Value) > 0 {
			allowed = v.TypeAllowed
		}
		res, err := s.runQuery(tx, v.Sources, allowed, extra[0], in.Expression, limit, in.NextToken)
		if err != nil {
			return err
		}
		out = &configapi.SelectAggregateResourceConfigResponse{Results: res.results, QueryInfo: res.info, NextToken: res.next}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type queryResult struct {
	results []string
	info    *configapi.QueryInfo
	next    string
	lastPos selectCursor // of the last streamed row
}

// runQuery parses and runs an expression over sources (in order), a page at a time;
// unindexedSet is the KindQueryUnindexedSet record read in tx (nil when absent).
func (s *Service) runQuery(tx store.Tx, sources []aggregation.Source, typeAllowed func(string) bool, unindexedSet []byte, expr string, limit int, token string) (*queryResult, error) {
	q, err := s.queries.Parse(expr)
	if err != nil {
		return nil, configapi.ErrInvalidExpression("%s", err.Error())
	}
	cur, err := decodeSelectCursor(token)
	if err != nil {
		return nil, err
	}
	res := &queryResult{results: []string{}, info: &configapi.QueryInfo{SelectFields: []configapi.FieldInfo{}}}
	for _, f := range q.SelectFields() {
		res.info.SelectFields = append(res.info.SelectFields, configapi.FieldInfo{Name: f})
	}
	if limit <= 0 {
		limit = selectDefaultPage
		if q.Aggregate() {
			limit = selectAggregatePage
		}
	}
	ready, err := s.QueryIndexReadyTx(tx)
	if err != nil {
		return nil, err
	}
	ex := &executor{tx: tx, q: q, plan: query.Plan{Scan: true}, typeAllowed: typeAllowed}
	if ready { // else the index may miss items written before it (queryindex_backfill.go)
		ex.indexed = true
		ex.plan = query.PlanWhere(q.Where)
		ex.keysOnly = ex.plan.Exact && !ex.plan.Scan && keyCovered(q)
	}
	if ex.unindexed, err = recording.UnindexedScopes(tx, unindexedSet); err != nil {
		return nil, err
	}
	switch {
	case q.Aggregate():
		rows, err := ex.aggregate(sources)
		if err != nil {
			return nil, err
		}
		return res.page(rows, cur.Offset, limit, orderedByAggregate(q)), nil
	case len(q.OrderBy) > 0:
		var docs []*query.Doc
		err := ex.each(sources, selectCursor{}, func(_ aggregation.Source, _ string, d *query.Doc) bool {
			docs = append(docs, d)
			return true
		})
		if err != nil {
			return nil, err
		}
		query.SortRows(q, docs)
		rows := make([][]byte, len(docs))
		for i, d := range docs {
			rows[i] = query.Project(q, d)
		}
		return res.page(rows, cur.Offset, limit, false), nil
	}
	ex.streaming, ex.firstPage = true, limit+1
	var buf []byte
	err = ex.each(sources, cur, func(src aggregation.Source, iid string, d *query.Doc) bool {
		if len(res.results) == limit {
			last := res.lastPos
			res.next = encodeSelectCursor(selectCursor{Source: last.Source, Item: last.Item})
			return false
		}
		buf = query.AppendProject(buf[:0], q, d)
		res.results = append(res.results, string(buf))
		res.lastPos = selectCursor{Source: core.Scope(src.Account, src.Region), Item: iid}
		return true
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// page cuts rows at offset into a page; single is AWS's rule for ORDER BY on an aggregate: one
// page of at most 500 rows, without a token.
func (r *queryResult) page(rows [][]byte, offset, limit int, single bool) *queryResult {
	if single {
		offset, limit = 0, selectMaxOrderedRows
	}
	if offset > len(rows) {
		offset = len(rows)
	}
	rows = rows[offset:]
	if len(rows) > limit {
		if !single {
			r.next = encodeSelectCursor(selectCursor{Offset: offset + limit})
		}
		rows = rows[:limit]
	}
	for _, row := range rows {
		r.results = append(r.results, string(row))
	}
	return r
}

// orderedByAggregate reports whether ORDER BY names an aggregate function.
func orderedByAggregate(q *query.Query) bool {
	for _, o := range q.OrderBy {
		if o.Item.Func != "" {
			return true
		}
	}
	return false
}

// executor runs a query's WHERE over sources, from the index when the plan allows.
type executor struct {
	tx          store.Tx
	q           *query.Query
	plan        query.Plan
	typeAllowed func(string) bool
	unindexed   map[string]bool // scopes with unindexed items
	// indexed: the index covers every item; without it every query scans.
	indexed bool
	// keysOnly: the plan is exact and the query needs no property but those of the item's
	// key (keyCovered), so in scopes without unindexed items the index keys alone answer it:
	// no item is read.
	keysOnly bool
	// streaming: fn keeps no row past its call, so the rows of index keys share keyDoc.
	streaming bool
	keyDoc    query.Doc
	// firstPage is the size of the first page of index entries read in a scope (0: 32): the
	// streaming query's page size plus one, to tell whether there is a next page.
	firstPage int
}

// keyProperties are the properties an item's index key holds: its scope gives accountId and
// awsRegion, its item ID resourceType and resourceId (see keyItem).
var keyProperties = map[string]bool{"accountId": true, "awsRegion": true, "resourceType": true, "resourceId": true}

// keyCovered reports whether a query reads, outside its WHERE clause, only key properties (and
// COUNT(*)).
func keyCovered(q *query.Query) bool {
	if q.Star {
		return false
	}
	ok := func(it query.SelectItem) bool { return (it.Star && it.Func == "COUNT") || keyProperties[it.Path] }
	for _, it := range q.Select {
		if !ok(it) {
			return false
		}
	}
	for _, o := range q.OrderBy {
		if !ok(o.Item) {
			return false
		}
	}
	for _, p := range q.GroupBy {
		if !keyProperties[p] {
			return false
		}
	}
	return true
}

// keyItem is the item of an index key, with the key properties only: accountId and awsRegion
// from the scope (items of global types have awsRegion "global", as buildItem records them),
// resourceType and resourceId from the item ID. For an indexed item they equal the stored
// item's (TestQueryKeyItem).
func keyItem(scope, iid string) query.Item {
	account, region, _ := strings.Cut(scope, "/")
	typ, id, _ := recording.CutItemID(iid)
	if recording.IsGlobalType(typ) {
		region = recording.GlobalRegion
	}
	return query.Item{AccountID: account, AwsRegion: region, ResourceType: typ, ResourceID: id}
}

// each calls fn for every matching item of the sources, in (source, item ID) order, from the
// cursor on, until fn returns false.
func (ex *executor) each(sources []aggregation.Source, from selectCursor, fn func(src aggregation.Source, iid string, d *query.Doc) bool) error {
	for _, src := range sources {
		scope := core.Scope(src.Account, src.Region)
		after := ""
		if from.Source != "" {
			if scope < from.Source {
				continue
			}
			if scope == from.Source {
				after = from.Item
			}
		}
		more, err := ex.scope(scope, after, fn, src)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// scope runs the query in one scope; more is false once fn stopped.
func (ex *executor) scope(scope, after string, fn func(src aggregation.Source, iid string, d *query.Doc) bool, src aggregation.Source) (bool, error) {
	visit := func(b []byte, iid string) (bool, error) {
		ci, err := recording.DecodeItem(b)
		if err != nil {
			return false, err
		}
		if !recording.Queryable(ci) || (ex.typeAllowed != nil && !ex.typeAllowed(string(ci.ResourceType))) {
			return true, nil
		}
		d := query.NewDoc(recording.QueryItem(ci))
		if !query.Match(ex.q.Where, d) {
			return true, nil
		}
		return fn(src, iid, d), nil
	}
	if ex.plan.Scan {
		for cursor := after; ; {
			recs, err := ex.tx.List(recording.KindItem, scope, cursor, 500)
			if err != nil {
				return false, err
			}
			for _, r := range recs {
				cursor = r.ID
				if ok, err := visit(r.Body, r.ID); err != nil || !ok {
					return false, err
				}
			}
			if len(recs) < 500 {
				return true, nil
			}
		}
	}
	// visitIDs handles candidates in item ID order: from their keys alone, or by reading them
	// (small first reads: a page often needs only a few items).
	keysOnly := ex.keysOnly && !ex.unindexed[scope]
	visitIDs := func(ids []string) (bool, error) {
		if keysOnly {
			for _, iid := range ids {
				if ex.typeAllowed != nil {
					if typ, _, _ := recording.CutItemID(iid); !ex.typeAllowed(typ) {
						continue
					}
				}
				it := keyItem(scope, iid) // the Doc keeps none of it: it stays on the stack
				d := &ex.keyDoc
				if ex.streaming {
					d.Reset(&it)
				} else {
					d = query.NewDoc(&it)
				}
				if !fn(src, iid, d) {
					return false, nil
				}
			}
			return true, nil
		}
		for start, size := 0, 32; start < len(ids); start, size = start+size, 128 {
			chunk := ids[start:min(start+size, len(ids))]
			keys := make([]store.Key, len(chunk))
			for i, id := range chunk {
				keys[i] = store.Key{Kind: recording.KindItem, Scope: scope, ID: id}
			}
			vals, err := ex.tx.GetMany(keys)
			if err != nil {
				return false, err
			}
			for i, b := range vals {
				if b == nil {
					continue
				}
				if ok, err := visit(b, chunk[i]); err != nil || !ok {
					return false, err
				}
			}
		}
		return true, nil
	}
	// One exact value: its index entries come in item ID order, so they are read a page at a
	// time from the cursor on, and the reading stops with fn.
	if r := ex.plan.Ranges; len(r) == 1 && exactValue(r[0]) && !ex.unindexed[scope] {
		prefix := r[0].Path + "\x00" + r[0].Lo + "\x00"
		cursor := ""
		if after != "" {
			cursor = prefix + after
		}
		first := 32
		if ex.firstPage > 0 {
			first = min(ex.firstPage, 1000)
		}
		for page := first; ; page = min(page*4, 1000) {
			recs, err := ex.tx.ListPrefix(recording.KindQueryIndex, scope, prefix, cursor, page)
			if err != nil {
				return false, err
			}
			ids := make([]string, len(recs))
			for i, rec := range recs {
				ids[i] = rec.ID[len(prefix):]
			}
			if more, err := visitIDs(ids); err != nil || !more {
				return false, err
			}
			if len(recs) < page {
				return true, nil
			}
			cursor = recs[len(recs)-1].ID
		}
	}
	ids, err := ex.candidates(scope, after)
	if err != nil {
		return false, err
	}
	return visitIDs(ids)
}

// exactValue reports whether a range selects one value.
func exactValue(r query.Range) bool {
	return r.Prefix == "" && r.Lo != "" && r.Lo == r.Hi && r.LoInclusive && r.HiInclusive
}

// candidates returns the sorted, distinct item IDs after the cursor that the plan's ranges and
// the unindexed items give in a scope.
func (ex *executor) candidates(scope, after string) ([]string, error) {
	set := map[string]bool{}
	ranges := ex.plan.Ranges
	if ex.unindexed[scope] {
		ranges = append(slices.Clone(ranges), query.Range{Path: recording.UnindexedPath})
	}
	for _, r := range ranges {
		err := recording.IndexRange(ex.tx, scope, r, func(iid string) bool {
			if iid > after {
				set[iid] = true
			}
			return true
		})
		if err != nil {
			return nil, err
		}
	}
	ids := make([]string, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids, nil
}

// aggregate runs an aggregate query over every matching item (from the index alone when the
// query only counts the values of one top-level property).
func (ex *executor) aggregate(sources []aggregation.Source) ([][]byte, error) {
	agg := query.NewAggregator(ex.q)
	if path, ok := countByScalar(ex.q); ok && ex.indexed && ex.q.Where == nil && ex.typeAllowed == nil {
		if err := ex.countFromIndex(sources, path, agg); err != nil {
			return nil, err
		}
		return agg.Results(), nil
	}
	err := ex.each(sources, selectCursor{}, func(_ aggregation.Source, _ string, d *query.Doc) bool {
		agg.Add(d)
		return true
	})
	if err != nil {
		return nil, err
	}
	return agg.Results(), nil
}

// singleValued are the top-level properties every queryable item has exactly one value of.
var singleValued = map[string]bool{"resourceType": true, "accountId": true, "awsRegion": true,
	"configurationItemStatus": true, "availabilityZone": true}

// countByScalar recognizes SELECT p, COUNT(*) GROUP BY p (in either order) for a single-valued
// top-level property p.
func countByScalar(q *query.Query) (string, bool) {
	if len(q.GroupBy) != 1 || !singleValued[q.GroupBy[0]] || len(q.Select) != 2 {
		return "", false
	}
	p := q.GroupBy[0]
	hasPath, hasCount := false, false
	for _, it := range q.Select {
		switch {
		case it.Func == "" && it.Path == p:
			hasPath = true
		case it.Func == "COUNT" && it.Star:
			hasCount = true
		}
	}
	return p, hasPath && hasCount
}

// countFromIndex feeds the aggregator the items' values of path, counted per value from the
// index entries of path by the store (CountGroups, over every source at once): the property's
// value is all the query needs, and only the counts leave the database.
func (ex *executor) countFromIndex(sources []aggregation.Source, path string, agg *query.Aggregator) error {
	scopes := make([]string, len(sources))
	for i, src := range sources {
		scopes[i] = core.Scope(src.Account, src.Region)
	}
	// String values only: a value that also reads as a number or a date has further entries.
	groups, err := ex.tx.CountGroups(recording.KindQueryIndex, scopes, path+"\x00"+query.EncodeString(""), 0)
	if err != nil {
		return err
	}
	for _, g := range groups {
		agg.AddN(query.NewDoc(scalarItem(path, g.Group)), int64(g.Count))
	}
	// Items too large to index are read whole.
	for _, src := range sources {
		scope := core.Scope(src.Account, src.Region)
		if !ex.unindexed[scope] {
			continue
		}
		err := recording.IndexRange(ex.tx, scope, query.Range{Path: recording.UnindexedPath}, func(iid string) bool {
			typ, id, _ := recording.CutItemID(iid)
			ci, gerr := recording.GetItemTx(ex.tx, src.Account, src.Region, typ, id)
			if gerr == nil && recording.Queryable(ci) {
				agg.Add(query.NewDoc(recording.QueryItem(ci)))
			}
			return true
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// scalarItem is an item holding only one top-level property.
func scalarItem(path, value string) *query.Item {
	it := &query.Item{}
	switch path {
	case "resourceType":
		it.ResourceType = value
	case "accountId":
		it.AccountID = value
	case "awsRegion":
		it.AwsRegion = value
	case "configurationItemStatus":
		it.ConfigurationItemStatus = value
	case "availabilityZone":
		it.AvailabilityZone = value
	}
	return it
}
