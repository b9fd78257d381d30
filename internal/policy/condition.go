package policy

import (
	"strconv"
	"strings"
	"time"
)

// Context holds a request's condition keys and their values. Keys compare case-insensitively
// (Set stores them lower-cased); a single-valued key has one value.
type Context map[string][]string

// Set sets key to values.
func (c Context) Set(key string, values ...string) { c[strings.ToLower(key)] = values }

// Get returns the values of key and whether the request has it.
func (c Context) Get(key string) ([]string, bool) {
	if v, ok := c[strings.ToLower(key)]; ok {
		return v, true
	}
	for k, v := range c {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

// SupportedKeys are the global and service condition keys orgconfig's callers put in requests
// when they apply (package authz and package sts). A key outside this list that a request does
// not carry is unknown: it never satisfies a condition of an Allow statement.
var SupportedKeys = []string{
	"aws:PrincipalAccount", "aws:PrincipalArn", "aws:PrincipalType", "aws:username", "aws:userid",
	"aws:RequestedRegion", "aws:PrincipalOrgID", "aws:SourceAccount", "sts:ExternalId",
	"aws:MultiFactorAuthPresent", "aws:CurrentTime", "aws:EpochTime", "aws:SecureTransport",
	"aws:PrincipalServiceName", "sts:RoleSessionName",
}

var supportedKeys = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range SupportedKeys {
		m[strings.ToLower(k)] = true
	}
	return m
}()

// opKind is the comparison family of an operator.
type opKind int

const (
	opString opKind = iota
	opStringIgnoreCase
	opStringLike
	opNumeric
	opDate
	opBool
	opArn
	opNull
	opUnsupported // valid AWS operators that orgconfig does not evaluate
)

// cmp is the comparison of numeric and date operators.
type cmp int

const (
	cmpEq cmp = iota
	cmpLt
	cmpLe
	cmpGt
	cmpGe
)

// operator is a parsed condition operator.
type operator struct {
	kind     opKind
	cmp      cmp
	negated  bool
	ifExists bool
	set      string // "", "ForAnyValue", "ForAllValues"
}

var baseOperators = map[string]operator{
	"StringEquals":              {kind: opString},
	"StringNotEquals":           {kind: opString, negated: true},
	"StringEqualsIgnoreCase":    {kind: opStringIgnoreCase},
	"StringNotEqualsIgnoreCase": {kind: opStringIgnoreCase, negated: true},
	"StringLike":                {kind: opStringLike},
	"StringNotLike":             {kind: opStringLike, negated: true},
	"NumericEquals":             {kind: opNumeric, cmp: cmpEq},
	"NumericNotEquals":          {kind: opNumeric, cmp: cmpEq, negated: true},
	"NumericLessThan":           {kind: opNumeric, cmp: cmpLt},
	"NumericLessThanEquals":     {kind: opNumeric, cmp: cmpLe},
	"NumericGreaterThan":        {kind: opNumeric, cmp: cmpGt},
	"NumericGreaterThanEquals":  {kind: opNumeric, cmp: cmpGe},
	"DateEquals":                {kind: opDate, cmp: cmpEq},
	"DateNotEquals":             {kind: opDate, cmp: cmpEq, negated: true},
	"DateLessThan":              {kind: opDate, cmp: cmpLt},
	"DateLessThanEquals":        {kind: opDate, cmp: cmpLe},
	"DateGreaterThan":           {kind: opDate, cmp: cmpGt},
	"DateGreaterThanEquals":     {kind: opDate, cmp: cmpGe},
	"Bool":                      {kind: opBool},
	"ArnEquals":                 {kind: opArn},
	"ArnLike":                   {kind: opArn},
	"ArnNotEquals":              {kind: opArn, negated: true},
	"ArnNotLike":                {kind: opArn, negated: true},
	"Null":                      {kind: opNull},
	"BinaryEquals":              {kind: opUnsupported},
	"IpAddress":                 {kind: opUnsupported},
	"NotIpAddress":              {kind: opUnsupported},
}

// parseOperator parses "[ForAnyValue:|ForAllValues:]Name[IfExists]".
func parseOperator(s string) (operator, error) {
	name := s
	set := ""
	if p, rest, ok := strings.Cut(name, ":"); ok {
		if p != "ForAnyValue" && p != "ForAllValues" {
			return operator{}, errorf("Invalid Condition type : %s", s)
		}
		set, name = p, rest
	}
	ifExists := false
	if n, ok := strings.CutSuffix(name, "IfExists"); ok && n != "" {
		name, ifExists = n, true
	}
	op, ok := baseOperators[name]
	if !ok || (op.kind == opNull && (ifExists || set != "")) {
		return operator{}, errorf("Invalid Condition type : %s", s)
	}
	op.ifExists, op.set = ifExists, set
	return op, nil
}

// evalCondition decides one condition for a statement of effect e.
func evalCondition(c Condition, e Effect, ctx Context, expandVars bool) bool {
	op, err := parseOperator(c.Operator)
	if err != nil || op.kind == opUnsupported {
		// Not evaluated: never grants, always restricts (see the package comment).
		return e == Deny
	}
	vals, present := ctx.Get(c.Key)
	if op.kind == opNull {
		want := len(c.Values) > 0
		for _, v := range c.Values {
			if !strings.EqualFold(v, "true") {
				want = false
			}
		}
		// "true" asks for the key to be absent, "false" for it to be present.
		return want == !present
	}
	if !present && e == Allow && !supportedKeys[strings.ToLower(c.Key)] {
		return false
	}
	if !present || len(vals) == 0 {
		switch {
		case op.ifExists:
			return true
		case op.set == "ForAllValues":
			return true
		case op.set == "ForAnyValue":
			return false
		}
		return op.negated
	}
	policyVals := c.Values
	if expandVars {
		policyVals = make([]string, 0, len(c.Values))
		for _, v := range c.Values {
			if x, ok := expand(v, ctx); ok {
				policyVals = append(policyVals, x)
			}
		}
	}
	pred := func(v string) bool {
		m := false
		for _, pv := range policyVals {
			if compare(op, v, pv) {
				m = true
				break
			}
		}
		return m != op.negated
	}
	all := op.negated
	switch op.set {
	case "ForAnyValue":
		all = false
	case "ForAllValues":
		all = true
	}
	if all {
		for _, v := range vals {
			if !pred(v) {
				return false
			}
		}
		return true
	}
	for _, v := range vals {
		if pred(v) {
			return true
		}
	}
	return false
}

// compare applies the positive form of op to a request value and a policy value.
func compare(op operator, v, pv string) bool {
	switch op.kind {
	case opString:
		return v == pv
	case opStringIgnoreCase:
		return strings.EqualFold(v, pv)
	case opStringLike:
		return Glob(pv, v)
	case opBool:
		return strings.EqualFold(v, pv)
	case opArn:
		return MatchARN(pv, v)
	case opNumeric:
		a, err1 := strconv.ParseFloat(v, 64)
		b, err2 := strconv.ParseFloat(pv, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		return ordered(op.cmp, a < b, a == b)
	case opDate:
		a, ok1 := parseDate(v)
		b, ok2 := parseDate(pv)
		if !ok1 || !ok2 {
			return false
		}
		return ordered(op.cmp, a.Before(b), a.Equal(b))
	}
	return false
}

func ordered(c cmp, less, equal bool) bool {
	switch c {
	case cmpEq:
		return equal
	case cmpLt:
		return less
	case cmpLe:
		return less || equal
	case cmpGt:
		return !less && !equal
	case cmpGe:
		return !less
	}
	return false
}

// parseDate accepts the ISO 8601 forms AWS accepts in policies and epoch seconds.
func parseDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0), true
	}
	return time.Time{}, false
}
