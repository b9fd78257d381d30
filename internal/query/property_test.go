package query

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// The property test: over random items (nested configuration, arrays, tags, relationships,
// supplementary configuration, values of every kind including long ones) and random WHERE
// clauses over paths that exist and paths that do not, answering through the index
// (Entries + PlanWhere, then Match on the candidates) gives exactly what matching every item
// gives. Plans may be loose; they must never miss.

// long shares a 600-byte prefix of two-byte characters, so the index has to cut it (and cut its
// bounds) at a character boundary; the variants differ only past the cut. edge puts a
// three-byte character or plain letters where the cut falls (encoded values gain one byte, "s").
var (
	long = strings.Repeat("é", 300)
	edge = strings.Repeat("a", 508)
)

var propStrings = []string{
	"", "a", "b", "abc", "abcd", "abd", "ABC", "10", "2", "-3.5", "1e2", "007", "true", "false",
	"2020-01-01", "2020-01-01T00:00:00Z", "2019-12-31T23:00:00-02:00", "2020-01-01T00:00:00.500Z",
	"10.0.0.0/24", "10.0.0.5", "10.0.0.0/8", "0.0.0.0/0", "::/0", "2001:db8::1", "192.168.0.2/32",
	"AWS::EC2::Instance", "AWS::EC2::Volume", "key=value", "it's",
	long, long + "x", long + "y", long[:509] + "z",
	edge + "€x", edge + "a€x", edge + "aa€x", edge + "aaaa", edge + "aab", edge + "b",
}

var propPaths = []string{
	"resourceType", "resourceId", "resourceName", "awsRegion", "configurationItemCaptureTime",
	"configuration.a", "configuration.b", "configuration.n", "configuration.list.x",
	"configuration.list.y", "configuration.nested.list.z", "configuration.deep.er.est",
	"configuration.arr", "configuration.missing", "configuration", "supplementaryConfiguration.S.v",
	"supplementaryConfiguration.T", "tags.key", "tags.value", "tags.tag", "tags",
	"relationships.resourceId", "relationships.name", "unknown.path",
}

func randScalar(r *rand.Rand) any {
	switch r.IntN(4) {
	case 0:
		return []any{0, -1, 2, 10, 100, 1e2, 2.5, -0.0, 1e300, 123456789012}[r.IntN(10)]
	case 1:
		return r.IntN(2) == 0
	case 2:
		if r.IntN(10) == 0 {
			return nil
		}
	}
	return propStrings[r.IntN(len(propStrings))]
}

func randValue(r *rand.Rand, depth int) any {
	if depth > 2 || r.IntN(3) > 0 {
		return randScalar(r)
	}
	if r.IntN(2) == 0 {
		n := r.IntN(4)
		arr := make([]any, n)
		for i := range arr {
			arr[i] = randValue(r, depth+1)
		}
		return arr
	}
	obj := map[string]any{}
	for _, k := range []string{"x", "y", "z", "list", "er", "est"} {
		if r.IntN(3) == 0 {
			obj[k] = randValue(r, depth+1)
		}
	}
	return obj
}

func randItem(r *rand.Rand, i int) *Item {
	it := &Item{
		AccountID:    []string{"111111111111", "222222222222"}[r.IntN(2)],
		AwsRegion:    []string{"us-east-1", "global", ""}[r.IntN(3)],
		ResourceType: []string{"AWS::EC2::Instance", "AWS::EC2::Volume", "AWS::S3::Bucket"}[r.IntN(3)],
		ResourceID:   fmt.Sprintf("r-%03d", i),
		ResourceName: propStrings[r.IntN(len(propStrings))],
		ConfigurationItemCaptureTime: []string{"2020-01-01T00:00:00.000Z", "2019-12-31T23:59:59.999Z",
			"2021-06-01T12:00:00.000Z"}[r.IntN(3)],
	}
	conf := map[string]any{}
	for _, k := range []string{"a", "b", "n", "list", "nested", "deep", "arr"} {
		if r.IntN(3) > 0 {
			switch k {
			case "list":
				var l []any
				for j := r.IntN(4); j > 0; j-- {
					l = append(l, map[string]any{"x": randValue(r, 2), "y": randValue(r, 2)})
				}
				conf[k] = l
			case "nested":
				conf[k] = map[string]any{"list": []any{map[string]any{"z": randValue(r, 1)}, map[string]any{"z": randValue(r, 1)}}}
			case "deep":
				conf[k] = map[string]any{"er": map[string]any{"est": randValue(r, 1)}}
			case "arr":
				conf[k] = []any{randScalar(r), []any{randScalar(r), randScalar(r)}}
			default:
				conf[k] = randValue(r, 0)
			}
		}
	}
	// Keys no query can name must not disturb anything.
	conf["with.dot"] = "abc"
	conf["with space"] = 1
	switch r.IntN(5) {
	case 0: // no configuration
	case 1:
		it.Configuration = json.RawMessage(`"abc"`) // a scalar configuration
	default:
		it.Configuration, _ = json.Marshal(conf)
	}
	if r.IntN(2) == 0 {
		s, _ := json.Marshal(map[string]any{"v": randValue(r, 0)})
		it.Supplementary = map[string]json.RawMessage{"S": s, "T": json.RawMessage(`not json`)}
	}
	if n := r.IntN(4); n > 0 {
		it.Tags = map[string]string{}
		for ; n > 0; n-- {
			it.Tags[propStrings[r.IntN(len(propStrings))]] = propStrings[r.IntN(len(propStrings))]
		}
	}
	for n := r.IntN(3); n > 0; n-- {
		it.Relationships = append(it.Relationships, Relationship{
			ResourceID: propStrings[r.IntN(len(propStrings))], Name: "Is attached to Instance"})
	}
	return it
}

func randLiteral(r *rand.Rand) Literal {
	switch r.IntN(5) {
	case 0:
		return Literal{Kind: Number, N: []float64{0, -1, 2, 10, 100, 2.5, 1e300, 123456789012, -0.5}[r.IntN(9)]}
	case 1:
		return Literal{Kind: Bool, B: r.IntN(2) == 0}
	}
	return Literal{Kind: String, S: propStrings[r.IntN(len(propStrings))]}
}

func randPattern(r *rand.Rand) string {
	prefix := []string{"abc", "AWS::EC2::", "10.0.", "2020-01-", "key", long[:400], long, edge + "aa", edge + "a€"}[r.IntN(9)]
	return prefix + []string{"", "%", "_", "__", "%_", "_%"}[r.IntN(6)]
}

func randPred(r *rand.Rand) *Pred {
	p := &Pred{Path: propPaths[r.IntN(len(propPaths))]}
	switch r.IntN(9) {
	case 0, 1:
		p.Op = "="
	case 2:
		p.Op = []string{"!=", "<", "<=", ">", ">="}[r.IntN(5)]
	case 3:
		p.Op = []string{"<", "<=", ">", ">="}[r.IntN(4)]
	case 4, 5:
		p.Op = "IN"
		for n := 1 + r.IntN(3); n > 0; n-- {
			p.Values = append(p.Values, randLiteral(r))
		}
		p.Negated = r.IntN(4) == 0
		return p
	case 6:
		p.Op = "BETWEEN"
		lo, hi := randLiteral(r), randLiteral(r)
		if r.IntN(2) == 0 { // same kind, usually a real range
			hi = randLiteral(r)
			for hi.Kind != lo.Kind {
				hi = randLiteral(r)
			}
		}
		p.Values = []Literal{lo, hi}
		p.Negated = r.IntN(4) == 0
		return p
	default:
		p.Op = "LIKE"
		p.Values = []Literal{{Kind: String, S: randPattern(r)}}
		p.Negated = r.IntN(4) == 0
		return p
	}
	p.Values = []Literal{randLiteral(r)}
	return p
}

func randCond(r *rand.Rand, depth int) Cond {
	if depth > 3 || r.IntN(3) == 0 {
		return randPred(r)
	}
	switch r.IntN(5) {
	case 0, 1:
		return &And{L: randCond(r, depth+1), R: randCond(r, depth+1)}
	case 2, 3:
		return &Or{L: randCond(r, depth+1), R: randCond(r, depth+1)}
	}
	return &Not{C: randCond(r, depth+1)}
}

func TestIndexMatchesScan(t *testing.T) {
	const rounds, itemsPerRound, queriesPerRound = 30, 120, 150
	var queries, candidates, matches, scans, exact int
	for round := 0; round < rounds; round++ {
		r := rand.New(rand.NewPCG(uint64(round), 99))
		docs := make([]*Doc, itemsPerRound)
		for i := range docs {
			docs[i] = NewDoc(randItem(r, i))
		}
		// One item with more leaves than the index takes: it must be a candidate everywhere.
		big := map[string]any{}
		for i := 0; i < MaxEntries; i++ {
			big[fmt.Sprintf("k%d", i)] = i
		}
		big["a"] = "abc"
		raw, _ := json.Marshal(big)
		docs = append(docs, NewDoc(&Item{ResourceID: "big", ResourceType: "AWS::EC2::Instance", Configuration: raw}))
		idx := newMemIndex(docs)
		if len(idx.unindexed) != 1 {
			t.Fatalf("round %d: %d unindexed items, want the big one", round, len(idx.unindexed))
		}
		for qi := 0; qi < queriesPerRound; qi++ {
			c := randCond(r, 0)
			// Go through the text, as the API does: the parser's classification must agree
			// with the hand-built tree's.
			text := "SELECT resourceId WHERE " + c.String()
			q, err := Parse(text)
			if err != nil {
				continue // a random pattern or path the language rejects
			}
			for _, cond := range []Cond{q.Where, c} {
				naive := selectNaive(cond, docs)
				indexed := idx.selectIndexed(cond, docs)
				if !slices.Equal(naive, indexed) {
					t.Fatalf("round %d: %s\n naive   %v\n indexed %v\n plan %+v", round, cond, naive, indexed, PlanWhere(cond))
				}
			}
			queries++
			p := PlanWhere(q.Where)
			if p.Scan {
				scans++
			}
			// An exact plan's indexed candidates all match, and its ranges are single values.
			for _, cond := range []Cond{q.Where, c} {
				ep := PlanWhere(cond)
				if !ep.Exact {
					continue
				}
				exact++
				for _, rg := range ep.Ranges {
					if rg.Prefix != "" || rg.Lo != rg.Hi || !rg.LoInclusive || !rg.HiInclusive {
						t.Fatalf("round %d: %s: exact plan with a range that is not one value: %+v", round, cond, rg)
					}
				}
				for _, i := range idx.lookup(ep) {
					if !slices.Contains(idx.unindexed, i) && !Match(cond, docs[i]) {
						t.Fatalf("round %d: %s: exact plan %+v yields item %d, which does not match", round, cond, ep, i)
					}
				}
			}
			candidates += len(idx.lookup(p))
			matches += len(selectNaive(q.Where, docs))
		}
	}
	if queries < rounds*queriesPerRound/2 {
		t.Fatalf("only %d of %d random queries parsed", queries, rounds*queriesPerRound)
	}
	if exact < 100 {
		t.Fatalf("only %d exact plans in %d queries", exact, queries)
	}
	t.Logf("%d queries: %d scans, %d exact plans, %d candidates for %d matches", queries, scans, exact, candidates, matches)
}
