package query

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits that protect the parser and every recursive walk of the tree it builds. AWS caps an
// expression at 4096 characters (the API layer checks that); these are far above anything a
// valid request can reach.
const (
	maxDepth   = 64      // nested parentheses and NOTs
	maxExprLen = 1 << 16 // bytes
)

// Keywords that end a property path or would make the statement ambiguous. A path may not start
// with one; later segments (configuration.state.name, configuration.from) may be anything.
var reserved = map[string]bool{
	"SELECT": true, "WHERE": true, "GROUP": true, "ORDER": true, "BY": true, "ASC": true,
	"DESC": true, "AND": true, "OR": true, "NOT": true, "IN": true, "BETWEEN": true, "LIKE": true,
	"TRUE": true, "FALSE": true, "NULL": true, "IS": true,
}

// unsupported are the SQL keywords AWS documents as not supported by advanced queries.
var unsupported = map[string]bool{
	"ALL": true, "AS": true, "DISTINCT": true, "FROM": true, "HAVING": true, "JOIN": true,
	"UNION": true, "CASE": true,
}

var aggFuncs = map[string]bool{"COUNT": true, "SUM": true, "MIN": true, "MAX": true, "AVG": true}

// Parse parses and validates an expression. Every error is an *Error whose message is the
// InvalidExpressionException message: "syntax error at line L, column C" for text that is not
// in the grammar, or a sentence naming the construct AWS does not support (DISTINCT, NULL
// tests, prefix wildcards, more than three GROUP BY properties, case-variant identifiers...).
func Parse(expr string) (*Query, error) {
	if len(expr) > maxExprLen {
		return nil, &Error{Message: fmt.Sprintf("the expression is longer than %d characters", maxExprLen)}
	}
	toks, err := lex(expr)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	q, err := p.query()
	if err != nil {
		return nil, err
	}
	if err := validate(q); err != nil {
		return nil, err
	}
	q.proj = buildTrie(q.Select)
	return q, nil
}

type parser struct {
	toks  []token
	pos   int
	depth int
}

func (p *parser) peek() token { return p.toks[p.pos] }

// peek2 is the token after the next one.
func (p *parser) peek2() token {
	if p.pos+1 < len(p.toks) {
		return p.toks[p.pos+1]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tEOF {
		p.pos++
	}
	return t
}

func isKw(t token, kw string) bool { return t.kind == tWord && strings.EqualFold(t.text, kw) }
func isSym(t token, s string) bool { return t.kind == tSym && t.text == s }

// isCall reports whether the next tokens open an aggregate function call.
func (p *parser) isCall() bool {
	t := p.peek()
	return t.kind == tWord && aggFuncs[strings.ToUpper(t.text)] && isSym(p.peek2(), "(")
}

// unexpected is the error for a token that does not fit: a sentence for the constructs AWS
// documents as unsupported, the generic syntax error otherwise.
func unexpected(t token) *Error {
	if t.kind == tWord {
		up := strings.ToUpper(t.text)
		if unsupported[up] {
			return posError(t, "unsupported keyword %s", up)
		}
		if up == "NULL" || up == "IS" {
			return posError(t, "NULL value queries are not supported")
		}
	}
	return syntaxError(t.line, t.col)
}

func posError(t token, format string, args ...any) *Error {
	return &Error{Message: fmt.Sprintf(format, args...) + fmt.Sprintf(" at line %d, column %d", t.line, t.col)}
}

func (p *parser) expectSym(s string) error {
	if t := p.next(); !isSym(t, s) {
		return unexpected(t)
	}
	return nil
}

func (p *parser) expectKw(kw string) error {
	if t := p.next(); !isKw(t, kw) {
		return unexpected(t)
	}
	return nil
}

func (p *parser) query() (*Query, error) {
	if err := p.expectKw("SELECT"); err != nil {
		return nil, err
	}
	q := &Query{}
	if isSym(p.peek(), "*") {
		p.next()
		q.Star = true
	} else {
		for {
			it, err := p.selectItem()
			if err != nil {
				return nil, err
			}
			q.Select = append(q.Select, it)
			if !isSym(p.peek(), ",") {
				break
			}
			p.next()
		}
	}
	if isKw(p.peek(), "WHERE") {
		p.next()
		c, err := p.or()
		if err != nil {
			return nil, err
		}
		q.Where = c
	}
	if isKw(p.peek(), "GROUP") {
		p.next()
		if err := p.expectKw("BY"); err != nil {
			return nil, err
		}
		for {
			if p.isCall() {
				return nil, posError(p.peek(), "aggregate functions are not allowed in GROUP BY")
			}
			path, err := p.path()
			if err != nil {
				return nil, err
			}
			q.GroupBy = append(q.GroupBy, path)
			if !isSym(p.peek(), ",") {
				break
			}
			p.next()
		}
	}
	if isKw(p.peek(), "ORDER") {
		p.next()
		if err := p.expectKw("BY"); err != nil {
			return nil, err
		}
		for {
			it, err := p.selectItem()
			if err != nil {
				return nil, err
			}
			o := OrderItem{Item: it}
			if t := p.peek(); isKw(t, "ASC") {
				p.next()
			} else if isKw(t, "DESC") {
				p.next()
				o.Desc = true
			}
			q.OrderBy = append(q.OrderBy, o)
			if !isSym(p.peek(), ",") {
				break
			}
			p.next()
		}
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, unexpected(t)
	}
	return q, nil
}

// selectItem parses a property or an aggregate call, in SELECT or ORDER BY.
func (p *parser) selectItem() (SelectItem, error) {
	if !p.isCall() {
		path, err := p.path()
		return SelectItem{Path: path}, err
	}
	fn := p.next()
	p.next() // (
	it := SelectItem{Func: strings.ToUpper(fn.text)}
	switch t := p.peek(); {
	case isSym(t, "*"):
		if it.Func != "COUNT" {
			return it, posError(t, "only COUNT accepts * as its argument")
		}
		p.next()
		it.Star = true
	case p.isCall():
		return it, posError(t, "aggregate functions cannot take other functions as arguments")
	case isSym(t, ")"):
		return it, posError(t, "aggregate functions accept exactly one argument")
	default:
		path, err := p.path()
		if err != nil {
			return it, err
		}
		it.Path = path
	}
	if t := p.peek(); isSym(t, ",") {
		return it, posError(t, "aggregate functions accept exactly one argument")
	}
	return it, p.expectSym(")")
}

// path parses ident {'.' ident}. Spaces around the dots are allowed and dropped.
func (p *parser) path() (string, error) {
	t := p.next()
	if t.kind != tWord || reserved[strings.ToUpper(t.text)] || unsupported[strings.ToUpper(t.text)] {
		return "", unexpected(t)
	}
	path := t.text
	for isSym(p.peek(), ".") {
		p.next()
		t := p.next()
		if t.kind != tWord {
			return "", unexpected(t)
		}
		path += "." + t.text
	}
	return path, nil
}

func (p *parser) or() (Cond, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for isKw(p.peek(), "OR") {
		p.next()
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = &Or{L: l, R: r}
	}
	return l, nil
}

func (p *parser) and() (Cond, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for isKw(p.peek(), "AND") {
		p.next()
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = &And{L: l, R: r}
	}
	return l, nil
}

func (p *parser) enter(t token) error {
	p.depth++
	if p.depth > maxDepth {
		return posError(t, "the expression nests more than %d levels of parentheses and NOT", maxDepth)
	}
	return nil
}

func (p *parser) unary() (Cond, error) {
	t := p.peek()
	switch {
	case isKw(t, "NOT"):
		if err := p.enter(t); err != nil {
			return nil, err
		}
		p.next()
		c, err := p.unary()
		if err != nil {
			return nil, err
		}
		p.depth--
		return &Not{C: c}, nil
	case isSym(t, "("):
		if err := p.enter(t); err != nil {
			return nil, err
		}
		p.next()
		c, err := p.or()
		if err != nil {
			return nil, err
		}
		if err := p.expectSym(")"); err != nil {
			return nil, err
		}
		p.depth--
		return c, nil
	}
	return p.pred()
}

func (p *parser) pred() (Cond, error) {
	t := p.peek()
	if t.kind == tString && isKw(p.peek2(), "LIKE") && strings.ContainsAny(t.text, "%_") {
		return nil, posError(t, "wildcards are supported only for property values, not property names")
	}
	if p.isCall() {
		return nil, posError(t, "aggregate functions are not allowed in WHERE")
	}
	path, err := p.path()
	if err != nil {
		return nil, err
	}
	pr := &Pred{Path: path}
	op := p.next()
	switch {
	case op.kind == tSym && (op.text == "=" || op.text == "!=" || op.text == "<>" || op.text == "<" ||
		op.text == "<=" || op.text == ">" || op.text == ">="):
		pr.Op = op.text
		if pr.Op == "<>" {
			pr.Op = "!="
		}
		lit, err := p.literal()
		if err != nil {
			return nil, err
		}
		pr.Values = []Literal{lit}
		pr.info = newPredInfo(pr)
		return pr, nil
	case isKw(op, "NOT"):
		pr.Negated = true
		op = p.next()
		if !isKw(op, "IN") && !isKw(op, "BETWEEN") && !isKw(op, "LIKE") {
			return nil, unexpected(op)
		}
	}
	switch {
	case isKw(op, "IN"):
		pr.Op = "IN"
		if err := p.expectSym("("); err != nil {
			return nil, err
		}
		for {
			lit, err := p.literal()
			if err != nil {
				return nil, err
			}
			pr.Values = append(pr.Values, lit)
			if !isSym(p.peek(), ",") {
				break
			}
			p.next()
		}
		if err := p.expectSym(")"); err != nil {
			return nil, err
		}
	case isKw(op, "BETWEEN"):
		pr.Op = "BETWEEN"
		lo, err := p.literal()
		if err != nil {
			return nil, err
		}
		if err := p.expectKw("AND"); err != nil {
			return nil, err
		}
		hi, err := p.literal()
		if err != nil {
			return nil, err
		}
		pr.Values = []Literal{lo, hi}
	case isKw(op, "LIKE"):
		pr.Op = "LIKE"
		t := p.next()
		if t.kind != tString {
			return nil, unexpected(t)
		}
		if err := checkPattern(t); err != nil {
			return nil, err
		}
		pr.Values = []Literal{{Kind: String, S: t.text}}
	default:
		return nil, unexpected(op)
	}
	pr.info = newPredInfo(pr)
	return pr, nil
}

func (p *parser) literal() (Literal, error) {
	t := p.next()
	switch {
	case t.kind == tString:
		return Literal{Kind: String, S: t.text}, nil
	case t.kind == tNumber:
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return Literal{}, posError(t, "the number %s is out of range", t.text)
		}
		return Literal{Kind: Number, N: f}, nil
	case isKw(t, "TRUE"):
		return Literal{Kind: Bool, B: true}, nil
	case isKw(t, "FALSE"):
		return Literal{Kind: Bool, B: false}, nil
	}
	return Literal{}, unexpected(t)
}

// checkPattern enforces AWS's LIKE restrictions: '%' and '_' are both wildcards, only a suffix
// of wildcards is allowed, and at least three literal characters must precede it.
func checkPattern(t token) error {
	first := strings.IndexAny(t.text, "%_")
	if first < 0 {
		return nil
	}
	if strings.Trim(t.text[first:], "%_") != "" {
		return posError(t, "only suffix wildcards are supported in LIKE patterns")
	}
	if utf8.RuneCountInString(t.text[:first]) < 3 {
		return posError(t, "LIKE patterns need at least 3 characters before the first wildcard")
	}
	return nil
}

// validate applies the rules that need the whole statement: aggregation and identifier case.
func validate(q *Query) error {
	if len(q.GroupBy) > 3 {
		return &Error{Message: "GROUP BY may contain at most 3 properties"}
	}
	if q.OrderByAggregate() && len(q.GroupBy) > 1 {
		return &Error{Message: "GROUP BY may contain only 1 property when ORDER BY references an aggregate function"}
	}
	if q.Aggregate() {
		if q.Star {
			return &Error{Message: "SELECT * cannot be used in an aggregate query"}
		}
		grouped := func(path string) bool {
			for _, g := range q.GroupBy {
				if g == path {
					return true
				}
			}
			return false
		}
		for _, s := range q.Select {
			if s.Func == "" && !grouped(s.Path) {
				return &Error{Message: fmt.Sprintf("%s must appear in GROUP BY or be used in an aggregate function", s.Path)}
			}
		}
		for _, o := range q.OrderBy {
			if o.Item.Func == "" && !grouped(o.Item.Path) {
				return &Error{Message: fmt.Sprintf("%s must appear in GROUP BY or be used in an aggregate function", o.Item.Path)}
			}
		}
	}
	return checkIdentifierCase(q)
}

// checkIdentifierCase rejects what AWS calls mismatched identifiers: two properties spelled the
// same but for case (configuration.dbclusterIdentifier, configuration.dBClusterIdentifier), or
// one a case-variant prefix of the other (configuration.ipAddress,
// configuration.ipaddressPermissions).
func checkIdentifierCase(q *Query) error {
	seen := map[string]bool{}
	var paths []string
	add := func(p string) {
		if p != "" && !seen[p] {
			seen[p] = true
			paths = append(paths, p)
		}
	}
	for _, s := range q.Select {
		add(s.Path)
	}
	var walk func(Cond)
	walk = func(c Cond) {
		switch c := c.(type) {
		case *And:
			walk(c.L)
			walk(c.R)
		case *Or:
			walk(c.L)
			walk(c.R)
		case *Not:
			walk(c.C)
		case *Pred:
			add(c.Path)
		}
	}
	walk(q.Where)
	for _, g := range q.GroupBy {
		add(g)
	}
	for _, o := range q.OrderBy {
		add(o.Item.Path)
	}
	// Sorted by lower-case text (ties in query order), the paths a lower-cased path is a prefix
	// of follow it in one run: compare each path with that run.
	lower := make([]string, len(paths))
	idx := make([]int, len(paths))
	for i, p := range paths {
		lower[i] = strings.ToLower(p)
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return lower[idx[a]] < lower[idx[b]] })
	for a := 0; a < len(idx); a++ {
		pa, la := paths[idx[a]], lower[idx[a]]
		for b := a + 1; b < len(idx) && strings.HasPrefix(lower[idx[b]], la); b++ {
			pb := paths[idx[b]]
			if !strings.HasPrefix(pb, pa) {
				return &Error{Message: fmt.Sprintf("mismatched identifiers: %s and %s differ only in case", pa, pb)}
			}
		}
	}
	return nil
}
