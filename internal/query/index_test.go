package query

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestEncodeNumberOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	fs := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, -0.5, math.MaxFloat64, -math.MaxFloat64,
		math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, math.Inf(1), math.Inf(-1), 1e300, -1e-300}
	for i := 0; i < 2000; i++ {
		fs = append(fs, (r.Float64()-0.5)*math.Pow(10, float64(r.IntN(40)-20)))
	}
	for _, a := range fs {
		for _, b := range fs[:50] {
			ea, eb := EncodeNumber(a), EncodeNumber(b)
			if (a < b) != (ea < eb) || (a == b) != (ea == eb) {
				t.Fatalf("%g vs %g: encodings %s vs %s out of order", a, b, ea, eb)
			}
		}
	}
	if EncodeNumber(0) != EncodeNumber(math.Copysign(0, -1)) {
		t.Fatal("-0 and 0 encode differently")
	}
	if e := EncodeNumber(1); len(e) != 17 || e[0] != 'n' || strings.Trim(e[1:], "0123456789abcdef") != "" {
		t.Fatalf("EncodeNumber(1) = %q", e)
	}
}

func TestEncodeTimeOrder(t *testing.T) {
	times := []time.Time{
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2020, 2, 21, 7, 39, 43, 771e6, time.UTC),
		time.Date(2020, 2, 21, 7, 39, 43, 772e6, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
	}
	for i := 1; i < len(times); i++ {
		if EncodeTime(times[i-1]) >= EncodeTime(times[i]) {
			t.Fatalf("%v and %v encode out of order", times[i-1], times[i])
		}
	}
	in, ok := parseDate("2020-02-21T08:39:43.771+01:00")
	if !ok || encodeInstant(in) != EncodeTime(times[3]) {
		t.Fatal("a zoned date does not encode as its instant")
	}
	for _, s := range []string{"2020-01-01", "2020-01-01T10:00", "2020-01-01T10:00Z", "2020-01-01T10:00:00",
		"2020-01-01T10:00:00.5", "2020-01-01T10:00:00-05:00", "0001-01-01T00:00:00Z"} {
		if _, ok := parseDate(s); !ok {
			t.Errorf("parseDate(%q) failed", s)
		}
	}
	for _, s := range []string{"2020", "2020-1-1", "2020-13-01", "2020-01-01 10:00", "2020-01-01T", "20200101", "2020-01-01Tx"} {
		if _, ok := parseDate(s); ok {
			t.Errorf("parseDate(%q) accepted", s)
		}
	}
}

func TestEntries(t *testing.T) {
	d := NewDoc(dataset()[8]) // i-01
	es := Entries(d)
	has := map[Entry]bool{}
	for _, e := range es {
		if has[e] {
			t.Fatalf("duplicate entry %v", e)
		}
		has[e] = true
	}
	launch, _ := parseDate("2020-01-15T10:00:00.000Z")
	for _, want := range []Entry{
		{"resourceType", "sAWS::EC2::Instance"},
		{"resourceId", "si-01"},
		{"accountId", "s111111111111"},
		{"accountId", EncodeNumber(111111111111)}, // a numeric string is a number too
		{"configurationItemCaptureTime", "s2024-01-10T08:00:00.000Z"},
		{"configuration.state.code", EncodeNumber(16)},
		{"configuration.state.name", "srunning"},
		{"configuration.securityGroups.groupId", "ssg-1"},
		{"configuration.cpuOptions.coreCount", EncodeNumber(1)},
		{"configuration.launchTime", encodeInstant(launch)},
		{"configuration.privateIpAddress", "s10.0.1.10"},
		{"tags.key", "sName"},
		{"tags.value", "sweb-1"},
		{"tags.tag", "sName=web-1"},
		{"tags.tag", "senv=prod"},
		{"relationships.resourceId", "svpc-1"},
		{"relationships.resourceType", "sAWS::EC2::Volume"},
		{"relationships.name", "sIs attached to Volume"},
	} {
		if !has[want] {
			t.Errorf("no entry %v", want)
		}
	}
	for _, e := range es {
		if e.Path == "tags" || e.Path == "configuration" || e.Path == "relationships" || strings.HasSuffix(e.Path, ".") {
			t.Errorf("entry for a non-scalar path %v", e)
		}
	}

	// Booleans, supplementary configuration, unnameable keys, long values and paths.
	longKey := strings.Repeat("k", MaxPathLen)
	conf, _ := json.Marshal(map[string]any{
		"on": true, "off": false, "nothing": nil, "with.dot": "x", "with space": "y", "": "z",
		"long": strings.Repeat("€", 400), longKey: "deep",
	})
	d = NewDoc(&Item{ResourceID: "x", Configuration: conf,
		Supplementary: map[string]json.RawMessage{"S": json.RawMessage(`{"v":[1,"1"]}`), "bad key": json.RawMessage(`1`)}})
	es = Entries(d)
	has = map[Entry]bool{}
	for _, e := range es {
		has[e] = true
		if len(e.Value) > MaxValueLen || len(e.Path) > MaxPathLen {
			t.Errorf("entry over the limits: %d-byte path, %d-byte value", len(e.Path), len(e.Value))
		}
		if !utf8.ValidString(e.Value) {
			t.Errorf("entry value %q is not UTF-8", e.Value)
		}
		if strings.Contains(e.Path, "with") || strings.Contains(e.Path, "bad") || strings.HasSuffix(e.Path, ".") {
			t.Errorf("entry for a key no query can name: %v", e)
		}
	}
	for _, want := range []Entry{
		{"configuration.on", "b1"}, {"configuration.off", "b0"},
		{"supplementaryConfiguration.S.v", EncodeNumber(1)}, {"supplementaryConfiguration.S.v", "s1"},
	} {
		if !has[want] {
			t.Errorf("no entry %v", want)
		}
	}
	var longEntry string
	for _, e := range es {
		if e.Path == "configuration.long" {
			longEntry = e.Value
		}
	}
	if len(longEntry) < MaxValueLen-3 || !strings.HasPrefix("s"+strings.Repeat("€", 400), longEntry) {
		t.Errorf("long value indexed as %d bytes", len(longEntry))
	}
	if len(es) != 6 { // resourceId, on, off, long, and S.v as a number (1 and "1" share it) and as a string
		var got []string
		for _, e := range es {
			got = append(got, e.Path+"="+e.Value[:min(len(e.Value), 12)])
		}
		sort.Strings(got)
		t.Errorf("%d entries: %v", len(es), got)
	}

	// The cap.
	big := map[string]any{}
	for i := 0; i < 3*MaxEntries; i++ {
		big[fmt.Sprintf("k%d", i)] = i
	}
	raw, _ := json.Marshal(big)
	if n := len(Entries(NewDoc(&Item{Configuration: raw}))); n != MaxEntries {
		t.Errorf("a doc with %d leaves gives %d entries, want exactly MaxEntries", 3*MaxEntries, n)
	}
}

func TestPlanWhere(t *testing.T) {
	cases := []struct {
		where string
		want  string // "scan", or the ranges
	}{
		{"", "scan"},
		{"resourceType = 'AWS::EC2::Instance'", "[resourceType [sAWS::EC2::Instance,sAWS::EC2::Instance]] exact"},
		{"tags.tag IN ('team=a', 'env=b')", "[tags.tag [steam=a,steam=a] tags.tag [senv=b,senv=b]] exact"},
		{"tags.tag IN ('team=a', '10')", "[tags.tag [steam=a,steam=a] tags.tag [s10,s10] tags.tag [" + EncodeNumber(10) + "," + EncodeNumber(10) + "]]"},
		{"resourceId = '10.0.0.1'", "scan"},
		{"resourceType = 'AWS::EC2::Instance' AND configuration.instanceType = 't2.micro'",
			"[configuration.instanceType [st2.micro,st2.micro]]"},
		{"configuration.size = 100", "[configuration.size [" + EncodeNumber(100) + "," + EncodeNumber(100) + "]]"},
		{"configuration.size = '100'", "[configuration.size [s100,s100] configuration.size [" + EncodeNumber(100) + "," + EncodeNumber(100) + "]]"},
		{"configuration.encrypted = true", "[configuration.encrypted [b1,b1] configuration.encrypted [strue,strue]]"},
		{"configuration.size > 10", "[configuration.size (" + EncodeNumber(10) + ",o)]"},
		{"configuration.size <= 10", "[configuration.size [n," + EncodeNumber(10) + "]]"},
		{"configuration.a BETWEEN 'abc' AND 'abd'", "[configuration.a [sabc,sabd]]"},
		{"configuration.a BETWEEN 1 AND 'x'", "[configuration.a [" + EncodeNumber(1) + ",o) configuration.a [s,sx]]"},
		{"resourceType LIKE 'AWS::EC2::%'", "[resourceType prefix sAWS::EC2::]"},
		{"configuration.ipPermissions.ipRanges = '10.0.0.1'", "[configuration.ipPermissions.ipRanges all]"},
		{"configuration.ipPermissions.ipRanges = '10.0.0.1' AND resourceType = 'AWS::EC2::SecurityGroup'",
			"[resourceType [sAWS::EC2::SecurityGroup,sAWS::EC2::SecurityGroup]]"},
		{"tags.key != 'Name'", "[tags.key all]"},
		{"configuration.a NOT IN ('x')", "[configuration.a all]"},
		{"resourceId != 'x'", "scan"}, // every item has a resourceId
		{"NOT tags.key = 'Name'", "scan"},
		{"NOT NOT tags.key = 'Name'", "[tags.key [sName,sName]] exact"},
		{"tags.key = 'a' OR tags.key = 'b'", "[tags.key [sa,sa] tags.key [sb,sb]] exact"},
		{"tags.key = 'a' OR tags.key LIKE 'bcd%'", "[tags.key [sa,sa] tags.key prefix sbcd]"},
		{"tags.key = 'a' AND tags.key = 'a'", "[tags.key [sa,sa]]"},
		{"tags.key = 'a' OR NOT tags.key = 'b'", "scan"},
		{"resourceType = 'X' AND NOT tags.key = 'b'", "[resourceType [sX,sX]]"},
		{"configuration.a LIKE 'abc%' AND configuration.b > 1", "[configuration.a prefix sabc]"},
		{"configuration.a = 'true'", "[configuration.a [strue,strue] configuration.a [b1,b1]]"},
		{"configuration.t = '2020-01-01'", "[configuration.t [s2020-01-01,s2020-01-01] configuration.t [" +
			encodeInstant(instant{sec: 1577836800}) + "," + encodeInstant(instant{sec: 1577836800}) + "]]"},
	}
	for _, tc := range cases {
		var c Cond
		if tc.where != "" {
			q, err := Parse("SELECT resourceId WHERE " + tc.where)
			if err != nil {
				t.Fatalf("%s: %v", tc.where, err)
			}
			c = q.Where
		}
		if got := planString(PlanWhere(c)); got != tc.want {
			t.Errorf("PlanWhere(%s)\n got  %s\n want %s", tc.where, got, tc.want)
		}
	}

	// Long literals: the lower bound and the prefix are cut so that cut values stay inside.
	lit := strings.Repeat("a", 2*MaxValueLen)
	q, _ := Parse("SELECT a WHERE configuration.a = '" + lit + "' OR configuration.b LIKE '" + lit + "%'")
	p := PlanWhere(q.Where)
	if len(p.Ranges) != 2 || len(p.Ranges[0].Lo) > boundLen || !p.Ranges[0].LoInclusive ||
		p.Ranges[0].Hi != "s"+lit || len(p.Ranges[1].Prefix) > boundLen || p.Exact {
		t.Errorf("plan of long literals: %s", planString(p))
	}
}

func planString(p Plan) string {
	if p.Scan {
		return "scan"
	}
	var parts []string
	for _, r := range p.Ranges {
		switch {
		case r.Prefix != "":
			parts = append(parts, r.Path+" prefix "+r.Prefix)
		case r.Lo == "" && r.Hi == "":
			parts = append(parts, r.Path+" all")
		default:
			lo, hi := "(", ")"
			if r.LoInclusive {
				lo = "["
			}
			if r.HiInclusive {
				hi = "]"
			}
			parts = append(parts, r.Path+" "+lo+r.Lo+","+r.Hi+hi)
		}
	}
	out := "[" + strings.Join(parts, " ") + "]"
	if p.Exact {
		out += " exact"
	}
	return out
}

// TestLazyDecode: a WHERE clause on top-level properties never decodes the configuration, and
// a Doc is safe to share between goroutines.
func TestLazyDecode(t *testing.T) {
	d := NewDoc(&Item{ResourceType: "AWS::EC2::Instance", Configuration: json.RawMessage(`{"a":1}`)})
	q, _ := Parse("SELECT resourceId WHERE resourceType = 'AWS::EC2::Instance'")
	if !Match(q.Where, d) || d.conf != nil {
		t.Fatal("matching resourceType decoded the configuration")
	}
	q, _ = Parse("SELECT configuration.a WHERE configuration.a = 1")
	done := make(chan bool)
	for i := 0; i < 4; i++ {
		go func() { done <- Match(q.Where, d) && string(Project(q, d)) == `{"configuration":{"a":1}}` }()
	}
	for i := 0; i < 4; i++ {
		if !<-done {
			t.Fatal("concurrent use of a Doc")
		}
	}
}

func TestProjectEdges(t *testing.T) {
	d := NewDoc(&Item{ResourceID: "x", Configuration: json.RawMessage(
		`{"s":"<a&b>\u2028\"q\"\\\n","nul":null,"list":[[{"a":1}],{"a":null},{"b":2},{"a":[]}],"o":{}}`)})
	for _, tc := range []struct{ sel, want string }{
		{"configuration.s", `{"configuration":{"s":"<a&b>\u2028\"q\"\\\n"}}`},
		{"configuration.nul", `{}`},
		{"configuration.list.a", `{"configuration":{"list":[[{"a":1}],{"a":[]}]}}`},
		{"configuration.o", `{"configuration":{"o":{}}}`},
		{"configuration.o.x", `{}`},
		{"tags", `{"tags":[]}`},
		{"relationships", `{}`},
		{"resourceId.x", `{}`},
		{"resourceName", `{}`},
	} {
		q, err := Parse("SELECT " + tc.sel)
		if err != nil {
			t.Fatal(err)
		}
		got := string(Project(q, d))
		if got != tc.want {
			t.Errorf("SELECT %s: %s, want %s", tc.sel, got, tc.want)
		}
		if !json.Valid([]byte(got)) {
			t.Errorf("SELECT %s: %s is not JSON", tc.sel, got)
		}
	}
	// Invalid UTF-8 in a caller's string still gives JSON.
	d = NewDoc(&Item{ResourceID: "bad\xffid"})
	q, _ := Parse("SELECT resourceId")
	if got := Project(q, d); !json.Valid(got) || !slices.Contains([]string{`{"resourceId":"bad\ufffdid"}`}, string(got)) {
		t.Errorf("invalid UTF-8: %s", got)
	}
}
