package malformed

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/orgconfig/orgconfig/internal/awsproto"
)

// maxVariantsPerSite caps the malformed values tried at one place of an input.
const maxVariantsPerSite = 12

// maxOverLength bounds the strings, lists and maps made one past their maximum: a shape whose
// maximum is larger (policy documents, templates) is not given one, to keep bodies small.
const maxOverLength = 1 << 20

// Kinds of request, for the counts the suite logs.
const (
	kindMember = "member"
	kindBody   = "body"
	kindSig    = "sigv4"
)

// request is one malformed request and what its answer must be.
type request struct {
	op   string // the operation the request names
	kind string // kindMember, kindBody or kindSig
	what string // what is malformed, for failure messages
	body []byte
	// bodyFn, when set instead of body, makes a fresh reader of size bytes (bodies too large to
	// hold); chunked hides the length from the transport.
	bodyFn  func() *oversize
	chunked bool
	sign    signing
	want    expectation
}

// expectation is what the answer to a request must be, besides a 4xx in the protocol's error
// shape.
type expectation struct {
	status int      // the exact status, or 0 for any 4xx
	codes  []string // the allowed error codes; nil allows any
	// name is a member the error message must name (case-insensitively); "" for none.
	name string
}

// Error codes a request broken in its input gets, by protocol: the protocol's serialization
// and validation errors (Organizations reports constraint failures as InvalidInputException).
var (
	jsonInputCodes  = []string{"SerializationException", "ValidationException", "InvalidInputException"}
	queryInputCodes = []string{"ValidationError", "InvalidParameterValue", "MalformedQueryString", "MissingParameter"}
)

// opPlan is everything the suite sends for one operation.
type opPlan struct {
	requests []request
	sites    int  // places of the input that got member variants
	clean    bool // the baseline passed the model's validation offline
}

// planner builds the requests of one service.
type planner struct {
	svc *awsproto.Service
}

func (p *planner) inputCodes() []string {
	if p.svc.Protocol == awsproto.Query {
		return queryInputCodes
	}
	return jsonInputCodes
}

// baseline is the operation's smallest valid input (required members only).
func (p *planner) baseline(op *awsproto.Operation) (map[string]any, bool) {
	if op.Input == "" {
		return map[string]any{}, true
	}
	v, _ := valid(p.svc, p.svc.Shapes[op.Input], 0)
	m, _ := v.(map[string]any)
	return m, p.accepts(op, m)
}

// accepts reports whether the model's validation, run offline, takes tree as op's input: the
// baseline of a variant must, or the variant's answer could be about something else.
func (p *planner) accepts(op *awsproto.Operation, tree map[string]any) bool {
	if p.svc.Protocol == awsproto.Query {
		_, err := awsproto.DecodeQuery(p.svc, op, p.form(op, tree))
		return err == nil
	}
	b, err := json.Marshal(tree)
	if err != nil {
		return false
	}
	return awsproto.ValidateJSON(p.svc, op, b) == nil
}

// form encodes tree as op's Query parameters, without Action and Version.
func (p *planner) form(op *awsproto.Operation, tree map[string]any) url.Values {
	form := url.Values{}
	if op.Input != "" {
		encodeForm(p.svc, p.svc.Shapes[op.Input], "", tree, false, form)
	}
	return form
}

// queryBody renders a Query request body: Action and Version first, then the form.
func (p *planner) queryBody(op string, form url.Values) []byte {
	head := url.Values{"Action": {op}, "Version": {p.svc.APIVersion}}
	if len(form) == 0 {
		return []byte(head.Encode())
	}
	return []byte(head.Encode() + "&" + form.Encode())
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// plan builds every request of op.
func (p *planner) plan(op *awsproto.Operation) opPlan {
	base, clean := p.baseline(op)
	var plan opPlan
	plan.clean = clean
	var in *awsproto.Shape
	if op.Input != "" {
		in = p.svc.Shapes[op.Input]
	}
	for _, st := range sites(p.svc, in) {
		before := len(plan.requests)
		if p.svc.Protocol == awsproto.Query {
			plan.requests = append(plan.requests, p.queryMember(op, base, st)...)
		} else {
			plan.requests = append(plan.requests, p.jsonMember(op, base, st)...)
		}
		if len(plan.requests) > before {
			plan.sites++
		}
	}
	var baseBody []byte
	if p.svc.Protocol == awsproto.Query {
		baseBody = p.queryBody(op.Name, p.form(op, base))
		plan.requests = append(plan.requests, p.queryBodies(op, baseBody)...)
	} else {
		baseBody = mustJSON(base)
		plan.requests = append(plan.requests, p.jsonBodies(op, in, base, baseBody)...)
	}
	plan.requests = append(plan.requests, p.signatures(op.Name, baseBody)...)
	return plan
}

// badValue is one malformed value for a site.
type badValue struct {
	what  string
	value any
}

// wrongKinds are the JSON values of every kind but the ones shape s takes. The number is one
// no JSON number type holds, so that it is wrong for numeric shapes too.
func wrongKinds(s *awsproto.Shape) []badValue {
	huge := json.Number("1" + strings.Repeat("0", 400))
	all := []badValue{
		{"a string", "x"},
		{"a huge number", huge},
		{"an object", map[string]any{}},
		{"a list", []any{}},
		{"a boolean", true},
	}
	keep := func(skip ...string) []badValue {
		var out []badValue
		for _, b := range all {
			if !slices.Contains(skip, b.what) {
				out = append(out, b)
			}
		}
		return out
	}
	switch s.Type {
	case awsproto.TypeStructure, awsproto.TypeMap:
		return keep("an object")
	case awsproto.TypeList:
		return keep("a list")
	case awsproto.TypeString:
		return keep("a string")
	case awsproto.TypeBlob:
		return append(keep("a string"), badValue{"a string that is not base64", "not base64!"})
	case awsproto.TypeInteger, awsproto.TypeLong:
		return append(keep(), badValue{"a fraction", json.Number("1.5")})
	case awsproto.TypeFloat, awsproto.TypeDouble:
		return keep()
	case awsproto.TypeBoolean:
		return append(keep("a boolean", "a string"), badValue{"the string \"true\"", "true"})
	case awsproto.TypeTimestamp:
		return append(keep("a string"), badValue{"a string that is no timestamp", "yesterday"})
	}
	return nil
}

// constraintBreaks are values of the right kind that break one of shape s's constraints:
// lengths, value bounds, enum, pattern.
func (p *planner) constraintBreaks(s *awsproto.Shape) []badValue {
	var out []badValue
	switch s.Type {
	case awsproto.TypeString:
		if s.HasMax && s.Max < maxOverLength {
			out = append(out, badValue{"a string over the maximum length " + num(s.Max), strings.Repeat("a", int(s.Max)+1)})
		}
		if s.HasMin && s.Min > 0 {
			out = append(out, badValue{"a string under the minimum length " + num(s.Min), strings.Repeat("a", int(s.Min)-1)})
		}
		if len(s.Enum) > 0 {
			out = append(out, badValue{"a value outside the enum", "NOT_IN_THE_ENUM"})
		}
		if s.Pattern != "" {
			if v, ok := notMatching(s); ok {
				out = append(out, badValue{"a string not matching the pattern", v})
			}
		}
	case awsproto.TypeInteger, awsproto.TypeLong, awsproto.TypeFloat, awsproto.TypeDouble:
		if s.HasMin {
			out = append(out, badValue{"a number under the minimum " + num(s.Min), json.Number(num(s.Min - 1))})
		}
		if s.HasMax {
			out = append(out, badValue{"a number over the maximum " + num(s.Max), json.Number(num(s.Max + 1))})
		}
	case awsproto.TypeList:
		if s.HasMax && s.Max < 1000 {
			e, _ := valid(p.svc, p.svc.Shapes[s.Member], 0)
			l := make([]any, int(s.Max)+1)
			for i := range l {
				l[i] = clone(e)
			}
			out = append(out, badValue{"a list over the maximum size " + num(s.Max), l})
		}
		if s.HasMin && s.Min > 0 {
			out = append(out, badValue{"a list under the minimum size " + num(s.Min), []any{}})
		}
	case awsproto.TypeMap:
		if s.HasMax && s.Max < 1000 {
			if keys := distinctKeys(p.svc.Shapes[s.Key], int(s.Max)+1); keys != nil {
				m := map[string]any{}
				for _, k := range keys {
					m[k], _ = valid(p.svc, p.svc.Shapes[s.Value], 0)
				}
				out = append(out, badValue{"a map over the maximum size " + num(s.Max), m})
			}
		}
		if s.HasMin && s.Min > 0 {
			out = append(out, badValue{"a map under the minimum size " + num(s.Min), map[string]any{}})
		}
	}
	return out
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// jsonMember builds the JSON requests that break the value at st.
func (p *planner) jsonMember(op *awsproto.Operation, base map[string]any, st site) []request {
	in := p.svc.Shapes[op.Input]
	var bad []badValue
	last := st.steps[len(st.steps)-1].kind
	if last != stepKey { // a JSON object's keys are always strings
		bad = append(bad, wrongKinds(st.shape)...)
	}
	bad = append(bad, p.constraintBreaks(st.shape)...)
	// null stands for an absent member, which only a required member must not be. A null
	// list element or map value is malformed: the models' lists and maps are not sparse, and
	// the protocol's servers refuse a null in them (Smithy's MalformedListNullItem and
	// MalformedMapNullValue cases).
	switch {
	case last == stepMember && st.required:
		bad = append(bad, badValue{"null for a required member", nil})
	case last == stepElem:
		bad = append(bad, badValue{"a null list element", nil})
	case last == stepValue:
		bad = append(bad, badValue{"a null map value", nil})
	}
	if len(bad) > maxVariantsPerSite {
		bad = bad[:maxVariantsPerSite]
	}
	good, _ := valid(p.svc, st.shape, 0)
	clean := p.accepts(op, put(p.svc, in, clone(base), st.steps, good).(map[string]any))
	var out []request
	for _, b := range bad {
		if last == stepKey {
			if _, ok := b.value.(string); !ok {
				continue
			}
		}
		tree := put(p.svc, in, clone(base), st.steps, clone(b.value))
		r := request{op: op.Name, kind: kindMember, what: st.path + ": " + b.what, body: mustJSON(tree)}
		if clean {
			r.want = expectation{status: 400, codes: jsonInputCodes, name: st.name}
		}
		out = append(out, r)
	}
	return out
}

// queryMember builds the Query requests that break the value at st: wrong scalars, broken
// constraints, lists and maps numbered wrongly, a map entry without its key, a required member
// left out.
func (p *planner) queryMember(op *awsproto.Operation, base map[string]any, st site) []request {
	in := p.svc.Shapes[op.Input]
	good, _ := valid(p.svc, st.shape, 0)
	siteTree := put(p.svc, in, clone(base), st.steps, good).(map[string]any)
	clean := p.accepts(op, siteTree)
	baseForm := p.form(op, siteTree)

	type param struct{ key, value string }
	type variant struct {
		what   string
		params []param // the site's parameters, replacing the valid ones
	}
	var vs []variant
	scalar := func(what, v string) { vs = append(vs, variant{what, []param{{st.qkey, v}}}) }
	switch st.shape.Type {
	case awsproto.TypeInteger, awsproto.TypeLong:
		scalar("a non-numeric integer", "seven")
		scalar("a fraction", "1.5")
		scalar("an integer no 64 bits hold", "1"+strings.Repeat("0", 30))
	case awsproto.TypeFloat, awsproto.TypeDouble:
		scalar("a non-numeric number", "seven")
	case awsproto.TypeBoolean:
		scalar("a non-boolean boolean", "maybe")
	case awsproto.TypeTimestamp:
		scalar("a string that is no timestamp", "yesterday")
	}
	for _, b := range p.constraintBreaks(st.shape) {
		switch v := b.value.(type) {
		case string:
			scalar(b.what, v)
		case json.Number:
			scalar(b.what, string(v))
		case []any, map[string]any:
			form := url.Values{}
			encodeForm(p.svc, st.shape, st.qkey, v, st.flat, form)
			var ps []param
			for k, x := range form {
				ps = append(ps, param{k, x[0]})
			}
			vs = append(vs, variant{b.what, ps})
		}
	}
	// elem renders a valid element (or map value) under prefix.
	elem := func(s *awsproto.Shape, prefix string) []param {
		v, _ := valid(p.svc, s, 0)
		form := url.Values{}
		encodeForm(p.svc, s, prefix, v, false, form)
		if len(form) == 0 { // an empty structure: name it so the index is present
			form.Set(prefix, "")
		}
		var ps []param
		for k, x := range form {
			ps = append(ps, param{k, x[0]})
		}
		return ps
	}
	switch st.shape.Type {
	case awsproto.TypeList:
		es := p.svc.Shapes[st.shape.Member]
		b := listBase(st)
		vs = append(vs,
			variant{"a list with a gap (members 1 and 3)", append(elem(es, b+".1"), elem(es, b+".3")...)},
			variant{"a list member numbered 0", elem(es, b+".0")},
			variant{"a list member numbered 1001", elem(es, b+".1001")},
			variant{"a list member with a non-numeric index", elem(es, b+".x")},
		)
	case awsproto.TypeMap:
		ks, vsh := p.svc.Shapes[st.shape.Key], p.svc.Shapes[st.shape.Value]
		b := mapBase(st)
		entry := func(n string) []param {
			k := "a"
			if keys := distinctKeys(ks, 1); keys != nil {
				k = keys[0]
			}
			return append([]param{{b + "." + n + ".key", k}}, elem(vsh, b+"."+n+".value")...)
		}
		vs = append(vs,
			variant{"a map entry missing its key", elem(vsh, b+".1.value")},
			variant{"a map with a gap (entries 1 and 3)", append(entry("1"), entry("3")...)},
			variant{"a map entry numbered 0", entry("0")},
		)
	}
	if st.required && st.steps[len(st.steps)-1].kind == stepMember {
		vs = append(vs, variant{"a required member left out", nil})
	}
	if len(vs) > maxVariantsPerSite {
		vs = vs[:maxVariantsPerSite]
	}
	var out []request
	for _, v := range vs {
		form := url.Values{}
		for k, x := range baseForm {
			form[k] = append([]string(nil), x...)
		}
		dropParams(form, st.qkey)
		for _, prm := range v.params {
			form.Set(prm.key, prm.value)
		}
		r := request{op: op.Name, kind: kindMember, what: st.qkey + ": " + v.what, body: p.queryBody(op.Name, form)}
		if clean {
			r.want = expectation{status: 400, codes: queryInputCodes, name: st.name}
		}
		out = append(out, r)
	}
	return out
}

// nested returns n nested JSON arrays: [[[...]]].
func nested(n int) []byte {
	return append(bytes.Repeat([]byte("["), n), bytes.Repeat([]byte("]"), n)...)
}

// nestedObjects returns n nested JSON objects under the key "a".
func nestedObjects(n int) []byte {
	return append(bytes.Repeat([]byte(`{"a":`), n), append([]byte("1"), bytes.Repeat([]byte("}"), n)...)...)
}

// jsonBodies builds the requests whose whole body is malformed: truncated, not UTF-8, not an
// object, nested 10,000 deep, with trailing data, or empty where members are required.
func (p *planner) jsonBodies(op *awsproto.Operation, in *awsproto.Shape, base map[string]any, body []byte) []request {
	serial := expectation{status: 400, codes: []string{"SerializationException"}}
	var out []request
	add := func(what string, b []byte, want expectation) {
		out = append(out, request{op: op.Name, kind: kindBody, what: what, body: b, want: want})
	}
	cuts := map[int]bool{}
	for _, at := range []int{1, len(body) / 3, len(body) / 2, len(body) - 1} {
		if at > 0 && at < len(body) && !cuts[at] {
			cuts[at] = true
			add("the body cut after "+strconv.Itoa(at)+" of "+strconv.Itoa(len(body))+" bytes", body[:at], serial)
		}
	}
	add("a body of invalid UTF-8", []byte("\xff\xfe\xfd\xfc"), serial)
	add("an object with an invalid UTF-8 key outside a string", []byte("{\xff: 1}"), serial)
	add("a JSON array instead of an object", []byte("[]"), serial)
	add("a JSON string instead of an object", []byte(`"{}"`), serial)
	add("a JSON number instead of an object", []byte("42"), serial)
	add("10,000 nested arrays", nested(10000), serial)
	add("100,001 nested objects", nestedObjects(100001), serial)
	add("the body followed by a second object", append(append([]byte(nil), body...), "{}"...), serial)
	if in != nil && len(in.Members) > 0 {
		// The first member given 10,000 nested arrays: no shape of the models nests that deep,
		// and the body nests deeper than JSON decoders go.
		m := in.Members[0]
		b := append([]byte(`{"`+m.Name+`":`), nested(10000)...)
		add(m.Name+" given 10,000 nested arrays", append(b, '}'), serial)
	}
	if in != nil && len(in.Required) > 0 {
		// An empty body is an empty input, which leaves out the required members.
		add("an empty body (the input has required members)", nil, expectation{status: 400, codes: jsonInputCodes})
	}
	if marked, ok := p.withInvalidUTF8(op, in, base); ok {
		// A serialization error, or a validation error of a pattern the replaced bytes break;
		// never the handler's answer.
		add("invalid UTF-8 inside a string value", marked, expectation{status: 400, codes: jsonInputCodes})
	}
	return out
}

// withInvalidUTF8 returns the baseline with bytes that are not UTF-8 in the value of its first
// string member; ok is false when the baseline has none.
func (p *planner) withInvalidUTF8(op *awsproto.Operation, in *awsproto.Shape, base map[string]any) ([]byte, bool) {
	if in == nil {
		return nil, false
	}
	const marker = "INVALIDUTF8MARKER"
	names := make([]string, 0, len(base))
	for k := range base {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		mem, _ := member(in, name)
		s := p.svc.Shapes[mem.Shape]
		if s == nil || s.Type != awsproto.TypeString {
			continue
		}
		tree := clone(base).(map[string]any)
		tree[name] = marker
		b := mustJSON(tree)
		return bytes.Replace(b, []byte(marker), []byte("a\xff\xfeb"), 1), true
	}
	return nil, false
}

// queryBodies builds the Query requests whose form is malformed as a whole: a broken percent
// escape, a repeated Action or Version, an unknown Version.
func (p *planner) queryBodies(op *awsproto.Operation, body []byte) []request {
	malformed := expectation{status: 400, codes: []string{"MalformedQueryString"}}
	var out []request
	add := func(what string, b string, want expectation) {
		out = append(out, request{op: op.Name, kind: kindBody, what: what, body: []byte(b), want: want})
	}
	add("a parameter with a broken percent escape", string(body)+"&Bad=%ZZ", malformed)
	add("the form cut inside a percent escape", string(body)+"&Cut=%E", malformed)
	add("Action twice", string(body)+"&Action="+op.Name, malformed)
	add("Version twice", string(body)+"&Version="+p.svc.APIVersion, malformed)
	rest := strings.TrimPrefix(string(body), "Action="+op.Name+"&Version="+p.svc.APIVersion)
	add("an unknown Version", "Action="+op.Name+"&Version=1999-01-01"+rest, expectation{status: 400, codes: []string{"InvalidAction"}})
	return out
}

// serviceBodies are the malformed bodies that name no operation or are too large to read,
// sent once per service.
func (p *planner) serviceBodies(firstOp string) []request {
	var out []request
	tooLarge := expectation{status: 413, codes: []string{"RequestEntityTooLargeException", "RequestEntityTooLarge"}}
	for _, chunked := range []bool{false, true} {
		what := "a body of 32 MiB + 1 byte, its length declared"
		if chunked {
			what = "a body of 32 MiB + 1 byte, sent chunked"
		}
		prefix, suffix := `{"Pad":"`, `"}`
		if p.svc.Protocol == awsproto.Query {
			prefix, suffix = "Action="+firstOp+"&Version="+p.svc.APIVersion+"&Pad=", ""
		}
		size := int64(32<<20) + 1
		out = append(out, request{op: firstOp, kind: kindBody, what: what, chunked: chunked, want: tooLarge,
			bodyFn: func() *oversize { return newOversize(prefix, suffix, size) }})
	}
	if p.svc.Protocol == awsproto.Query {
		missing := expectation{status: 400, codes: []string{"MissingAction"}}
		out = append(out,
			request{op: "", kind: kindBody, what: "an empty body", want: missing},
			request{op: "", kind: kindBody, what: "a body of invalid UTF-8", body: []byte("\xff\xfe\xfd\xfc"), want: missing},
			request{op: "", kind: kindBody, what: "a JSON body sent as a form", body: []byte(`{"Action":"` + firstOp + `"}`), want: missing},
		)
	}
	return out
}
