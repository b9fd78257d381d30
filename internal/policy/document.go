package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
)

// Policy language versions. A document without Version is a 2008-10-17 document, as in AWS: it
// is valid but policy variables are not substituted.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Effect is a statement's effect.
type Effect string

// The two effects.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Document is a parsed policy document. Parse builds it; Marshal renders it in a canonical
// form (Statement always a list, every value list a JSON array) that parses back to an equal
// Document.
type Document struct {
	Version    string
	ID         string
	Statements []Statement
}

// Statement is one statement. Exactly one of Action/NotAction is set in a valid document; at
// most one of Resource/NotResource and of Principal/NotPrincipal. A nil list means the element
// is absent (Parse never yields an empty non-nil list).
type Statement struct {
	Sid          string
	Effect       Effect
	Principal    *Principal
	NotPrincipal *Principal
	Action       []string
	NotAction    []string
	Resource     []string
	NotResource  []string
	// Conditions are sorted by operator, then key. All must hold for the statement to apply.
	Conditions []Condition
}

// Principal is the Principal or NotPrincipal element of a resource (trust) policy.
type Principal struct {
	// All is the bare "*": anyone.
	All           bool
	AWS           []string
	Service       []string
	Federated     []string
	CanonicalUser []string
}

// Condition is one (operator, key, values) entry of a Condition block. Values are kept as the
// strings AWS compares (numbers and booleans in their JSON spelling).
type Condition struct {
	Operator string
	Key      string
	Values   []string
}

// Error is a malformed policy document. Its message is fit for MalformedPolicyDocument.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func errorf(format string, args ...any) *Error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// errSyntax is AWS's answer to a document that is not a JSON object.
const errSyntax = "Syntax errors in policy."

// Parse parses a policy document. It checks the structure of every element that orgconfig
// understands and rejects unknown elements; what depends on where the document is used
// (Principal only in resource policies, Resource required in identity policies) is checked by
// Validate. Errors are *Error.
func Parse(data []byte) (*Document, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, &Error{Msg: errSyntax}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &Error{Msg: errSyntax}
	}
	top, ok := tree.(map[string]any)
	if !ok {
		return nil, &Error{Msg: errSyntax}
	}
	d := &Document{}
	for k, v := range top {
		switch k {
		case "Version":
			s, ok := v.(string)
			if !ok || (s != Version2012 && s != Version2008) {
				return nil, errorf("Policy document must be version %s or %s.", Version2012, Version2008)
			}
			d.Version = s
		case "Id":
			s, ok := v.(string)
			if !ok {
				return nil, errorf("%s Id must be a string.", errSyntax)
			}
			d.ID = s
		case "Statement":
		default:
			return nil, errorf("%s Unknown element %s.", errSyntax, k)
		}
	}
	raw, ok := top["Statement"]
	if !ok {
		return nil, errorf("Missing required field Statement.")
	}
	var list []any
	switch s := raw.(type) {
	case map[string]any:
		list = []any{s}
	case []any:
		list = s
	default:
		return nil, errorf("%s Statement must be an object or a list of objects.", errSyntax)
	}
	d.Statements = make([]Statement, 0, len(list))
	for i, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, errorf("%s Statement %d is not an object.", errSyntax, i+1)
		}
		st, err := parseStatement(m)
		if err != nil {
			return nil, err
		}
		d.Statements = append(d.Statements, st)
	}
	return d, nil
}

// ParseString is Parse for a string.
func ParseString(s string) (*Document, error) { return Parse([]byte(s)) }

func parseStatement(m map[string]any) (Statement, error) {
	var st Statement
	var err error
	for k, v := range m {
		switch k {
		case "Sid":
			s, ok := v.(string)
			if !ok {
				return st, errorf("%s Sid must be a string.", errSyntax)
			}
			st.Sid = s
		case "Effect":
			s, ok := v.(string)
			if !ok || (s != string(Allow) && s != string(Deny)) {
				return st, errorf("Invalid effect: %v", v)
			}
			st.Effect = Effect(s)
		case "Action":
			st.Action, err = stringList(k, v)
		case "NotAction":
			st.NotAction, err = stringList(k, v)
		case "Resource":
			st.Resource, err = stringList(k, v)
		case "NotResource":
			st.NotResource, err = stringList(k, v)
		case "Principal":
			st.Principal, err = parsePrincipal(k, v)
		case "NotPrincipal":
			st.NotPrincipal, err = parsePrincipal(k, v)
		case "Condition":
			st.Conditions, err = parseConditions(v)
		default:
			return st, errorf("%s Unknown element %s in a statement.", errSyntax, k)
		}
		if err != nil {
			return st, err
		}
	}
	if st.Effect == "" {
		return st, errorf("Missing required field Effect.")
	}
	if st.Action != nil && st.NotAction != nil {
		return st, errorf("%s A statement cannot have both Action and NotAction.", errSyntax)
	}
	if st.Resource != nil && st.NotResource != nil {
		return st, errorf("%s A statement cannot have both Resource and NotResource.", errSyntax)
	}
	if st.Principal != nil && st.NotPrincipal != nil {
		return st, errorf("%s A statement cannot have both Principal and NotPrincipal.", errSyntax)
	}
	return st, nil
}

// stringList reads a string or a non-empty list of strings.
func stringList(name string, v any) ([]string, error) {
	switch x := v.(type) {
	case string:
		return []string{x}, nil
	case []any:
		if len(x) == 0 {
			return nil, errorf("%s %s must not be an empty list.", errSyntax, name)
		}
		out := make([]string, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, errorf("%s %s must be a string or a list of strings.", errSyntax, name)
			}
			out[i] = s
		}
		return out, nil
	}
	return nil, errorf("%s %s must be a string or a list of strings.", errSyntax, name)
}

func parsePrincipal(name string, v any) (*Principal, error) {
	switch x := v.(type) {
	case string:
		if x != "*" {
			return nil, errorf("Invalid principal in policy: %q", x)
		}
		return &Principal{All: true}, nil
	case map[string]any:
		if len(x) == 0 {
			return nil, errorf("Invalid principal in policy: %s is empty.", name)
		}
		p := &Principal{}
		for k, e := range x {
			l, err := stringList(name+"."+k, e)
			if err != nil {
				return nil, err
			}
			switch k {
			case "AWS":
				p.AWS = l
			case "Service":
				p.Service = l
			case "Federated":
				p.Federated = l
			case "CanonicalUser":
				p.CanonicalUser = l
			default:
				return nil, errorf("Invalid principal in policy: unknown principal type %q.", k)
			}
		}
		return p, nil
	}
	return nil, errorf("Invalid principal in policy: %s must be \"*\" or an object.", name)
}

func parseConditions(v any) ([]Condition, error) {
	block, ok := v.(map[string]any)
	if !ok {
		return nil, errorf("%s Condition must be an object.", errSyntax)
	}
	var out []Condition
	for op, kv := range block {
		if _, err := parseOperator(op); err != nil {
			return nil, err
		}
		keys, ok := kv.(map[string]any)
		if !ok {
			return nil, errorf("%s Condition operator %s must map keys to values.", errSyntax, op)
		}
		if len(keys) == 0 {
			return nil, errorf("%s Condition operator %s has no keys.", errSyntax, op)
		}
		for key, raw := range keys {
			vals, err := conditionValues(op, key, raw)
			if err != nil {
				return nil, err
			}
			out = append(out, Condition{Operator: op, Key: key, Values: vals})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Operator != out[j].Operator {
			return out[i].Operator < out[j].Operator
		}
		return out[i].Key < out[j].Key
	})
	return out, nil
}

func conditionValues(op, key string, raw any) ([]string, error) {
	scalar := func(x any) (string, bool) {
		switch s := x.(type) {
		case string:
			return s, true
		case json.Number:
			return s.String(), true
		case bool:
			if s {
				return "true", true
			}
			return "false", true
		}
		return "", false
	}
	if l, ok := raw.([]any); ok {
		if len(l) == 0 {
			return nil, errorf("%s Condition %s of %s has an empty list of values.", errSyntax, key, op)
		}
		out := make([]string, len(l))
		for i, e := range l {
			s, ok := scalar(e)
			if !ok {
				return nil, errorf("%s Condition %s of %s: values must be strings, numbers or booleans.", errSyntax, key, op)
			}
			out[i] = s
		}
		return out, nil
	}
	s, ok := scalar(raw)
	if !ok {
		return nil, errorf("%s Condition %s of %s: values must be strings, numbers or booleans.", errSyntax, key, op)
	}
	return []string{s}, nil
}

// Marshal renders d as canonical JSON.
func (d *Document) Marshal() []byte {
	b, err := json.Marshal(d)
	if err != nil {
		// Every field is a string, bool or list of strings: marshaling cannot fail.
		panic(err)
	}
	return b
}

type documentJSON struct {
	Version   string          `json:"Version,omitempty"`
	ID        string          `json:"Id,omitempty"`
	Statement []statementJSON `json:"Statement"`
}

type statementJSON struct {
	Sid          string                         `json:"Sid,omitempty"`
	Effect       Effect                         `json:"Effect"`
	Principal    *Principal                     `json:"Principal,omitempty"`
	NotPrincipal *Principal                     `json:"NotPrincipal,omitempty"`
	Action       []string                       `json:"Action,omitempty"`
	NotAction    []string                       `json:"NotAction,omitempty"`
	Resource     []string                       `json:"Resource,omitempty"`
	NotResource  []string                       `json:"NotResource,omitempty"`
	Condition    map[string]map[string][]string `json:"Condition,omitempty"`
}

// MarshalJSON renders the canonical form.
func (d *Document) MarshalJSON() ([]byte, error) {
	out := documentJSON{Version: d.Version, ID: d.ID, Statement: make([]statementJSON, len(d.Statements))}
	for i, st := range d.Statements {
		s := statementJSON{Sid: st.Sid, Effect: st.Effect, Principal: st.Principal, NotPrincipal: st.NotPrincipal,
			Action: st.Action, NotAction: st.NotAction, Resource: st.Resource, NotResource: st.NotResource}
		if len(st.Conditions) > 0 {
			s.Condition = map[string]map[string][]string{}
			for _, c := range st.Conditions {
				if s.Condition[c.Operator] == nil {
					s.Condition[c.Operator] = map[string][]string{}
				}
				s.Condition[c.Operator][c.Key] = append(s.Condition[c.Operator][c.Key], c.Values...)
			}
		}
		out.Statement[i] = s
	}
	return json.Marshal(out)
}

// MarshalJSON renders "*" or the object form.
func (p *Principal) MarshalJSON() ([]byte, error) {
	if p.All {
		return []byte(`"*"`), nil
	}
	m := map[string][]string{}
	for k, v := range map[string][]string{"AWS": p.AWS, "Service": p.Service, "Federated": p.Federated, "CanonicalUser": p.CanonicalUser} {
		if len(v) > 0 {
			m[k] = v
		}
	}
	return json.Marshal(m)
}

// Kind says where a document is used, which decides the elements it must and must not have.
type Kind int

const (
	// Identity is a policy attached to a user, group or role, or a session policy: no
	// Principal, Resource required.
	Identity Kind = iota
	// Trust is a role's trust policy (a resource policy on the role): Principal required, no
	// Resource.
	Trust
	// SCP is a service control policy: no Principal; Resource optional (it defaults to "*").
	SCP
)

var sidPattern = regexp.MustCompile(`^[0-9A-Za-z]*$`)

// Validate checks what Parse leaves to the document's use. Errors are *Error with AWS's
// MalformedPolicyDocument wording where AWS's is known.
func (d *Document) Validate(k Kind) error {
	sids := map[string]bool{}
	for _, st := range d.Statements {
		if st.Sid != "" {
			if k != Trust && !sidPattern.MatchString(st.Sid) {
				return errorf("Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*")
			}
			if sids[st.Sid] {
				return errorf("Statement IDs (SID) in a single policy must be unique.")
			}
			sids[st.Sid] = true
		}
		if st.Action == nil && st.NotAction == nil {
			return errorf("Policy statement must contain actions.")
		}
		for _, a := range append(append([]string(nil), st.Action...), st.NotAction...) {
			if a != "*" && !strings.Contains(a, ":") {
				return errorf("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
			}
		}
		for _, r := range append(append([]string(nil), st.Resource...), st.NotResource...) {
			if r != "*" && !strings.HasPrefix(r, "arn:") {
				return errorf("Resource %s must be in ARN format or \"*\".", r)
			}
		}
		switch k {
		case Identity, SCP:
			if st.Principal != nil || st.NotPrincipal != nil {
				return errorf("Policy document should not specify a principal.")
			}
			if k == Identity && st.Resource == nil && st.NotResource == nil {
				return errorf("Policy statement must contain resources.")
			}
		case Trust:
			if st.Principal == nil && st.NotPrincipal == nil {
				return errorf("Missing required field Principal.")
			}
			if st.Resource != nil || st.NotResource != nil {
				return errorf("Has prohibited field Resource.")
			}
			for _, p := range []*Principal{st.Principal, st.NotPrincipal} {
				if p == nil {
					continue
				}
				for _, a := range p.AWS {
					if a != "*" && !isAccountID(a) && !strings.HasPrefix(a, "arn:") {
						return errorf("Invalid principal in policy: \"AWS\":%q", a)
					}
				}
			}
		}
	}
	return nil
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
