package guard

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
)

// maxNesting bounds how deeply blocks, filters and literal lists or maps may nest. The parser
// and the evaluator recurse once per level, so the bound keeps arbitrary input from
// exhausting the stack; real policies rarely go past five.
const maxNesting = 64

// defaultRuleName names the implicit rule that holds clauses written outside any rule, as
// cfn-guard does.
const defaultRuleName = "default"

// context tells parseItem where it is: in a block body, where query blocks and when blocks
// may appear, or in a when condition, which holds only clauses and ends at '{'.
type context int

const (
	ctxBody context = iota
	ctxCond
)

// scopeInfo tracks the let names of one block while it is parsed, and the variable uses
// inside it that are still to be resolved. Uses resolve when the block closes, so a variable
// may be used before its let within the same block, as in cfn-guard.
type scopeInfo struct {
	blk     *block
	names   map[string]*letDecl
	pending []varUse
}

// varUse is a %name in a query, with the rule or let whose evaluation needs it.
type varUse struct {
	p     *part
	owner any
}

// refUse is a rule reference with the rule or let whose evaluation needs it.
type refUse struct {
	ref   *ruleRef
	owner any
}

// parser is a recursive-descent parser over the token slice.
type parser struct {
	src    string
	toks   []token
	i      int
	depth  int
	scopes []*scopeInfo
	owners []any // *rule or *letDecl being parsed, innermost last
	refs   []refUse
	deps   map[any][]any // evaluation dependencies, for cycle detection
	order  []any         // keys of deps in the order first seen, for deterministic errors
	policy *Policy
	deflt  *rule
}

// Parse parses policy text. Constructs outside the supported subset give an
// *UnsupportedError naming the construct and its line; syntax errors give a *SyntaxError with
// line and column. The package documentation lists the subset.
func Parse(text string) (*Policy, error) {
	toks, err := lex(text)
	if err != nil {
		return nil, err
	}
	p := &parser{src: text, toks: toks, deps: map[any][]any{}, policy: &Policy{file: &block{}}}
	if err := p.parseFile(); err != nil {
		return nil, err
	}
	return p.policy, nil
}

// ---- token helpers

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) peekAt(k int) token {
	if p.i+k < len(p.toks) {
		return p.toks[p.i+k]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) advance() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

// prevEnd is the byte offset just after the last consumed token.
func (p *parser) prevEnd() int {
	if p.i == 0 {
		return 0
	}
	return p.toks[p.i-1].end
}

func (p *parser) expect(k tokenKind, what string) (token, error) {
	t := p.peek()
	if t.kind != k {
		return t, p.unexpected(t, what)
	}
	return p.advance(), nil
}

func (p *parser) unexpected(t token, want string) error {
	return syntaxErrorAt(t.pos, "expected %s, found %s", want, t.describe(p.src))
}

// isWord reports whether t is the identifier w, or (for keywords Guard accepts in both
// cases) its upper-case form.
func isWord(t token, words ...string) bool {
	if t.kind != tIdent {
		return false
	}
	for _, w := range words {
		if t.val == w || (caseless[w] && t.val == strings.ToUpper(w)) {
			return true
		}
	}
	return false
}

// caseless lists the keywords also accepted in upper case (NOT, OR, IN, EXISTS ...).
var caseless = map[string]bool{
	"not": true, "or": true, "in": true, "some": true, "exists": true, "empty": true,
	"is_string": true, "is_list": true, "is_struct": true, "is_bool": true, "is_int": true,
	"is_float": true, "is_null": true, "true": true, "false": true, "null": true, "and": true,
}

// reserved words cannot name a rule, a variable or the first key of a query.
var reserved = []string{"rule", "let", "when", "or", "and", "not", "some", "this", "in",
	"exists", "empty", "true", "false", "null"}

func isReserved(t token) bool { return isWord(t, reserved...) }

// enter and leave bound recursion; see maxNesting.
func (p *parser) enter(at pos) error {
	p.depth++
	if p.depth > maxNesting {
		return syntaxErrorAt(at, "nesting is too deep (the limit is %d levels)", maxNesting)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

// ---- scopes, owners and references

func (p *parser) pushScope(b *block) {
	p.scopes = append(p.scopes, &scopeInfo{blk: b, names: map[string]*letDecl{}})
}

// popScope resolves the variable uses of the closing block against its lets, passing the
// rest to the enclosing block. At the file scope an unresolved use is an error.
func (p *parser) popScope() error {
	s := p.scopes[len(p.scopes)-1]
	p.scopes = p.scopes[:len(p.scopes)-1]
	for _, u := range s.pending {
		if d, ok := s.names[u.p.name]; ok {
			u.p.decl = d
			p.addDep(u.owner, d)
			continue
		}
		if len(p.scopes) == 0 {
			return syntaxErrorAt(u.p.pos, "undefined variable %%%s", u.p.name)
		}
		parent := p.scopes[len(p.scopes)-1]
		parent.pending = append(parent.pending, u)
	}
	return nil
}

func (p *parser) scope() *scopeInfo { return p.scopes[len(p.scopes)-1] }

func (p *parser) owner() any {
	if len(p.owners) == 0 {
		return nil
	}
	return p.owners[len(p.owners)-1]
}

func (p *parser) pushOwner(o any) { p.owners = append(p.owners, o) }
func (p *parser) popOwner()       { p.owners = p.owners[:len(p.owners)-1] }

func (p *parser) addDep(from, to any) {
	if from == nil {
		return
	}
	if _, seen := p.deps[from]; !seen {
		p.order = append(p.order, from)
	}
	p.deps[from] = append(p.deps[from], to)
}

// ---- file level

// parseFile parses let statements, rules and loose clauses until the end of input, then
// resolves rule references and rejects dependency cycles.
func (p *parser) parseFile() error {
	p.pushScope(p.policy.file)
	for p.peek().kind != tEOF {
		var err error
		switch t := p.peek(); {
		case isWord(t, "let"):
			err = p.parseLet()
		case isWord(t, "rule"):
			err = p.parseRule()
		default:
			err = p.parseLoose()
		}
		if err != nil {
			return err
		}
	}
	if err := p.popScope(); err != nil {
		return err
	}
	if err := p.resolveRules(); err != nil {
		return err
	}
	return p.checkCycles()
}

// parseLoose parses a clause outside any rule into the implicit default rule.
func (p *parser) parseLoose() error {
	if p.deflt == nil {
		p.deflt = &rule{name: defaultRuleName, pos: p.peek().pos, body: &block{}}
		p.policy.rules = append(p.policy.rules, p.deflt)
	}
	p.pushOwner(p.deflt)
	defer p.popOwner()
	disj, err := p.parseDisjunction(ctxBody)
	if err != nil {
		return err
	}
	p.deflt.body.body = append(p.deflt.body.body, disj)
	return nil
}

// parseRule parses rule name [when conditions] { body }.
func (p *parser) parseRule() error {
	p.advance() // rule
	t := p.peek()
	if t.kind != tIdent || isReserved(t) {
		return p.unexpected(t, "a rule name")
	}
	p.advance()
	if p.peek().kind == tLParen {
		return unsupportedAt(t.pos, "parameterized rule "+t.val+"(...)")
	}
	r := &rule{name: t.val, pos: t.pos, body: &block{}}
	p.policy.rules = append(p.policy.rules, r)
	p.pushScope(r.body)
	p.pushOwner(r)
	defer p.popOwner()
	if isWord(p.peek(), "when") {
		p.advance()
		conds, err := p.parseConds()
		if err != nil {
			return err
		}
		r.conds = conds
	}
	if err := p.parseBraced(r.body, t.pos); err != nil {
		return err
	}
	return p.popScope()
}

// parseBraced parses { body } into b, which the caller has already pushed as a scope.
func (p *parser) parseBraced(b *block, at pos) error {
	if _, err := p.expect(tLBrace, "'{'"); err != nil {
		return err
	}
	if err := p.parseBody(b, tRBrace, true); err != nil {
		return err
	}
	if _, err := p.expect(tRBrace, "'}'"); err != nil {
		return err
	}
	if len(b.body) == 0 {
		return syntaxErrorAt(at, "block has no clauses")
	}
	return nil
}

// parseBody parses let statements and clauses into b until the terminator token.
func (p *parser) parseBody(b *block, term tokenKind, allowLet bool) error {
	if err := p.enter(p.peek().pos); err != nil {
		return err
	}
	defer p.leave()
	for {
		t := p.peek()
		switch {
		case t.kind == term:
			return nil
		case t.kind == tEOF:
			return p.unexpected(t, "a clause or the end of the block")
		case isWord(t, "let"):
			if !allowLet {
				return syntaxErrorAt(t.pos, "let is not allowed inside a filter")
			}
			if err := p.parseLet(); err != nil {
				return err
			}
		default:
			disj, err := p.parseDisjunction(ctxBody)
			if err != nil {
				return err
			}
			b.body = append(b.body, disj)
		}
	}
}

// parseLet parses let name = literal | query into the current scope.
func (p *parser) parseLet() error {
	p.advance() // let
	t := p.peek()
	if t.kind != tIdent || isReserved(t) {
		return p.unexpected(t, "a variable name")
	}
	p.advance()
	s := p.scope()
	if _, dup := s.names[t.val]; dup {
		return syntaxErrorAt(t.pos, "variable %%%s is already defined in this scope", t.val)
	}
	if _, err := p.expect(tAssign, "'='"); err != nil {
		return err
	}
	d := &letDecl{pos: t.pos, name: t.val, scope: s.blk}
	p.pushOwner(d)
	defer p.popOwner()
	v, err := p.parseOperand()
	if err != nil {
		return err
	}
	d.lit, d.isLit, d.q = v.lit, v.isLit, v.q
	s.names[t.val] = d
	s.blk.lets = append(s.blk.lets, d)
	return nil
}

// ---- clauses

// parseConds parses the conditions of a when, which end at '{'.
func (p *parser) parseConds() (cnf, error) {
	var c cnf
	for p.peek().kind != tLBrace {
		if p.peek().kind == tEOF {
			return nil, p.unexpected(p.peek(), "'{'")
		}
		disj, err := p.parseDisjunction(ctxCond)
		if err != nil {
			return nil, err
		}
		c = append(c, disj)
	}
	if len(c) == 0 {
		return nil, p.unexpected(p.peek(), "a condition after when")
	}
	return c, nil
}

// parseDisjunction parses items joined by or/OR.
func (p *parser) parseDisjunction(ctx context) ([]node, error) {
	n, err := p.parseItem(ctx)
	if err != nil {
		return nil, err
	}
	items := []node{n}
	for isWord(p.peek(), "or") {
		p.advance()
		n, err := p.parseItem(ctx)
		if err != nil {
			return nil, err
		}
		items = append(items, n)
	}
	return items, nil
}

// parseItem parses one clause, when block or query block.
func (p *parser) parseItem(ctx context) (node, error) {
	t := p.peek()
	switch {
	case isWord(t, "when"):
		if ctx == ctxCond {
			return nil, syntaxErrorAt(t.pos, "a when block cannot be a condition")
		}
		return p.parseWhen()
	case isWord(t, "rule"):
		return nil, syntaxErrorAt(t.pos, "rules cannot be nested")
	case isWord(t, "let"):
		return nil, syntaxErrorAt(t.pos, "let must start a statement")
	case isWord(t, "and"):
		return nil, syntaxErrorAt(t.pos, "'and' is not a Guard keyword; clauses on separate lines are joined by AND")
	case t.kind == tIdent && p.peekAt(1).kind == tColon:
		return nil, unsupportedAt(t.pos, "type block "+t.val+"::...")
	}
	return p.parseClause(ctx)
}

// parseWhen parses when conditions { body }.
func (p *parser) parseWhen() (node, error) {
	t := p.advance() // when
	w := &whenBlock{body: &block{}}
	p.pushScope(w.body)
	conds, err := p.parseConds()
	if err != nil {
		return nil, err
	}
	w.conds = conds
	if err := p.parseBraced(w.body, t.pos); err != nil {
		return nil, err
	}
	return w, p.popScope()
}

// parseClause parses [not] [some] query followed by an operator, a block or nothing (a rule
// reference).
func (p *parser) parseClause(ctx context) (node, error) {
	start := p.peek()
	negated := false
	if isWord(start, "not") || start.kind == tBang {
		negated = true
		p.advance()
	}
	some := false
	if isWord(p.peek(), "some") {
		some = true
		p.advance()
	}
	first := p.peek()
	q, err := p.parseQuery()
	if err != nil {
		return nil, err
	}
	if p.peek().kind == tLBrace && ctx == ctxBody {
		if negated {
			return nil, syntaxErrorAt(start.pos, "'not' cannot be applied to a block")
		}
		return p.parseQueryBlock(start, some, q)
	}
	if op, opNot, ok := p.parseOperator(); ok {
		return p.finishAccess(start, negated, some, q, op, opNot)
	}
	if len(q.parts) == 1 && q.parts[0].kind == pKey && first.kind == tIdent && !some {
		return p.finishRuleRef(start, negated, first)
	}
	return nil, p.unexpected(p.peek(), "an operator after "+q.text)
}

// finishAccess completes a clause once its operator is known.
func (p *parser) finishAccess(start token, negated, some bool, q *query, op operator, opNot bool) (node, error) {
	c := &accessClause{negated: negated, some: some, lhs: q, op: op, opNot: opNot}
	if !op.unary() {
		rhs, err := p.parseOperand()
		if err != nil {
			return nil, err
		}
		c.rhs = rhs
	}
	c.text = clauseText(p.src[start.off:p.prevEnd()])
	if p.peek().kind == tMessage {
		c.msg = p.advance().val
	}
	return c, nil
}

// finishRuleRef turns a lone identifier into a reference to a named rule.
func (p *parser) finishRuleRef(start token, negated bool, name token) (node, error) {
	if isReserved(name) {
		return nil, syntaxErrorAt(name.pos, "unexpected keyword %s", name.describe(p.src))
	}
	r := &ruleRef{pos: start.pos, name: name.val, negated: negated}
	if p.peek().kind == tMessage {
		r.msg = p.advance().val
	}
	p.refs = append(p.refs, refUse{ref: r, owner: p.owner()})
	return r, nil
}

// parseQueryBlock parses the { body } after a query.
func (p *parser) parseQueryBlock(start token, some bool, q *query) (node, error) {
	qb := &queryBlock{text: clauseText(p.src[start.off:p.prevEnd()]), some: some, q: q, body: &block{}}
	p.pushScope(qb.body)
	if err := p.parseBraced(qb.body, start.pos); err != nil {
		return nil, err
	}
	return qb, p.popScope()
}

// parseOperator reads a comparison operator if one is next: == != < > <= >= in, a unary
// keyword, or either preceded by not / !.
func (p *parser) parseOperator() (op operator, opNot bool, ok bool) {
	binary := map[tokenKind]operator{tEq: opEq, tNe: opNe, tLt: opLt, tGt: opGt, tLe: opLe, tGe: opGe}
	t := p.peek()
	if o, found := binary[t.kind]; found {
		p.advance()
		return o, false, true
	}
	if o, found := wordOperator(t); found {
		p.advance()
		return o, false, true
	}
	if isWord(t, "not") || t.kind == tBang {
		if o, found := wordOperator(p.peekAt(1)); found {
			p.advance()
			p.advance()
			return o, true, true
		}
	}
	return 0, false, false
}

// wordOperator recognises in and the unary keywords.
func wordOperator(t token) (operator, bool) {
	if isWord(t, "in") {
		return opIn, true
	}
	for w, o := range unaryOps {
		if isWord(t, w) {
			return o, true
		}
	}
	return 0, false
}

// clauseText collapses whitespace in a clause's source for use in messages.
func clauseText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 120 {
		s = s[:120] + "..."
	}
	return s
}

// ---- queries

// parseQuery parses root(.key | .* | [*] | [N] | ["key"] | [filter])*.
func (p *parser) parseQuery() (*query, error) {
	t := p.peek()
	q := &query{}
	switch {
	case t.kind == tVar:
		p.advance()
		q.parts = append(q.parts, part{kind: pVar, name: t.val, pos: t.pos})
	case isWord(t, "this"):
		p.advance()
		q.parts = append(q.parts, part{kind: pThis, pos: t.pos})
	case t.kind == tIdent && p.peekAt(1).kind == tLParen:
		return nil, unsupportedAt(t.pos, "function call "+t.val+"()")
	case t.kind == tIdent && !isReserved(t):
		p.advance()
		q.parts = append(q.parts, part{kind: pKey, key: t.val, pos: t.pos})
	default:
		return nil, p.unexpected(t, "a query")
	}
	for {
		var err error
		switch p.peek().kind {
		case tDot:
			err = p.parseDotted(q)
		case tLBrack:
			err = p.parseBracket(q)
		default:
			q.text = clauseText(p.src[t.off:p.prevEnd()])
			p.registerVars(q)
			return q, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// registerVars queues the query's variable reference for resolution when its scope closes.
// Parts are stored by value in the query, so the pointer handed out is to the slice element,
// which no longer moves once the query is complete.
func (p *parser) registerVars(q *query) {
	if len(q.parts) > 0 && q.parts[0].kind == pVar {
		s := p.scope()
		s.pending = append(s.pending, varUse{p: &q.parts[0], owner: p.owner()})
	}
}

// parseDotted parses the step after a '.'.
func (p *parser) parseDotted(q *query) error {
	p.advance() // .
	t := p.peek()
	switch t.kind {
	case tIdent, tInt, tString:
		p.advance()
		q.parts = append(q.parts, part{kind: pKey, key: t.val, pos: t.pos})
		if t.kind == tInt {
			q.parts[len(q.parts)-1].key = p.src[t.off:t.end]
		}
	case tStar:
		p.advance()
		q.parts = append(q.parts, part{kind: pAllVals, pos: t.pos})
	case tVar:
		return unsupportedAt(t.pos, "variable interpolation in a query (."+"%"+t.val+")")
	default:
		return p.unexpected(t, "a key, a quoted key or '*' after '.'")
	}
	return nil
}

// parseBracket parses [*], [N], ["key"] or a filter [ clauses ].
func (p *parser) parseBracket(q *query) error {
	open := p.advance() // [
	t, next := p.peek(), p.peekAt(1)
	closed := next.kind == tRBrack
	switch {
	case t.kind == tStar && closed:
		p.advance()
		p.advance()
		q.parts = append(q.parts, part{kind: pAllIdx, pos: open.pos})
		return nil
	case t.kind == tInt && closed:
		n, err := strconv.Atoi(t.val)
		if err != nil {
			return syntaxErrorAt(t.pos, "index %s is out of range", t.val)
		}
		p.advance()
		p.advance()
		q.parts = append(q.parts, part{kind: pIndex, index: n, pos: open.pos})
		return nil
	case t.kind == tString && closed:
		p.advance()
		p.advance()
		q.parts = append(q.parts, part{kind: pKey, key: t.val, pos: open.pos})
		return nil
	case isWord(t, "keys", "KEYS"):
		return unsupportedAt(t.pos, "map key filter [keys ...]")
	case t.kind == tIdent && closed:
		return unsupportedAt(t.pos, "named capture ["+t.val+"]")
	case t.kind == tRBrack:
		return syntaxErrorAt(t.pos, "empty filter '[]'")
	}
	f := &block{}
	p.pushScope(f)
	if err := p.parseBody(f, tRBrack, false); err != nil {
		return err
	}
	p.advance() // ]
	if err := p.popScope(); err != nil {
		return err
	}
	q.parts = append(q.parts, part{kind: pFilter, filter: f, pos: open.pos})
	return nil
}

// ---- operands and literals

// parseOperand parses a literal or a query: the right-hand side of a clause or a let value.
func (p *parser) parseOperand() (*operand, error) {
	t := p.peek()
	if p.startsLiteral() {
		v, err := p.parseLiteral()
		if err != nil {
			return nil, err
		}
		return &operand{lit: v, isLit: true}, nil
	}
	if t.kind == tVar || t.kind == tIdent {
		q, err := p.parseQuery()
		if err != nil {
			return nil, err
		}
		return &operand{q: q}, nil
	}
	return nil, p.unexpected(t, "a value or a query")
}

// startsLiteral reports whether the next token begins a literal.
func (p *parser) startsLiteral() bool {
	t := p.peek()
	switch t.kind {
	case tString, tInt, tFloat, tRegex, tLBrack, tLBrace:
		return true
	case tIdent:
		return isWord(t, "true", "false", "null") || p.startsRange()
	}
	return false
}

// startsRange reports whether the next tokens are r[ or r( written together and followed by
// a bound and a comma, so that a key named r with an index (r[0]) stays a query.
func (p *parser) startsRange() bool {
	t, open, bound := p.peek(), p.peekAt(1), p.peekAt(2)
	return t.kind == tIdent && t.val == "r" &&
		(open.kind == tLBrack || open.kind == tLParen) && open.off == t.end &&
		(bound.kind == tInt || bound.kind == tFloat || bound.kind == tString) &&
		p.peekAt(3).kind == tComma
}

// parseLiteral parses a string, number, boolean, null, regex, range, list or map.
func (p *parser) parseLiteral() (any, error) {
	t := p.peek()
	if err := p.enter(t.pos); err != nil {
		return nil, err
	}
	defer p.leave()
	switch {
	case t.kind == tString:
		p.advance()
		return t.val, nil
	case t.kind == tInt || t.kind == tFloat:
		p.advance()
		return json.Number(t.val), nil
	case t.kind == tRegex:
		p.advance()
		re, err := regexp.Compile(t.val)
		if err != nil {
			return nil, syntaxErrorAt(t.pos, "invalid regular expression: %v", err)
		}
		return &regexValue{re: re, src: t.val}, nil
	case isWord(t, "true"):
		p.advance()
		return true, nil
	case isWord(t, "false"):
		p.advance()
		return false, nil
	case isWord(t, "null"):
		p.advance()
		return nil, nil
	case p.startsRange():
		return p.parseRange()
	case t.kind == tLBrack:
		return p.parseList()
	case t.kind == tLBrace:
		return p.parseMap()
	}
	return nil, p.unexpected(t, "a literal value")
}

// parseList parses [ literal, ... ]; a trailing comma is allowed.
func (p *parser) parseList() (any, error) {
	p.advance() // [
	list := []any{}
	for p.peek().kind != tRBrack {
		v, err := p.parseLiteral()
		if err != nil {
			return nil, err
		}
		list = append(list, v)
		if p.peek().kind != tComma {
			break
		}
		p.advance()
	}
	if _, err := p.expect(tRBrack, "',' or ']' in list"); err != nil {
		return nil, err
	}
	return list, nil
}

// parseMap parses { key: literal, ... } where a key is an identifier or a quoted string.
func (p *parser) parseMap() (any, error) {
	p.advance() // {
	m := map[string]any{}
	for p.peek().kind != tRBrace {
		k := p.peek()
		if k.kind != tIdent && k.kind != tString {
			return nil, p.unexpected(k, "a map key")
		}
		p.advance()
		if _, err := p.expect(tColon, "':' after map key"); err != nil {
			return nil, err
		}
		v, err := p.parseLiteral()
		if err != nil {
			return nil, err
		}
		m[k.val] = v
		if p.peek().kind != tComma {
			break
		}
		p.advance()
	}
	if _, err := p.expect(tRBrace, "',' or '}' in map"); err != nil {
		return nil, err
	}
	return m, nil
}

// parseRange parses r[lo, hi], r(lo, hi], r[lo, hi) or r(lo, hi) over numbers.
func (p *parser) parseRange() (any, error) {
	r := p.advance() // r
	open := p.advance()
	lo, err := p.rangeBound(r.pos)
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(tComma, "',' in range"); err != nil {
		return nil, err
	}
	hi, err := p.rangeBound(r.pos)
	if err != nil {
		return nil, err
	}
	closeTok := p.peek()
	if closeTok.kind != tRBrack && closeTok.kind != tRParen {
		return nil, p.unexpected(closeTok, "']' or ')' closing the range")
	}
	p.advance()
	return &rangeValue{lo: lo, hi: hi, loIncl: open.kind == tLBrack, hiIncl: closeTok.kind == tRBrack}, nil
}

// rangeBound parses one numeric bound of a range.
func (p *parser) rangeBound(at pos) (number, error) {
	t := p.peek()
	if t.kind == tString {
		return number{}, unsupportedAt(at, "character range")
	}
	if t.kind != tInt && t.kind != tFloat {
		return number{}, p.unexpected(t, "a number in range")
	}
	p.advance()
	n, ok := toNumber(json.Number(t.val))
	if !ok {
		return number{}, syntaxErrorAt(t.pos, "invalid number %s", t.val)
	}
	return n, nil
}

// ---- whole-file checks

// resolveRules binds rule references to rules and rejects duplicate names.
func (p *parser) resolveRules() error {
	byName := map[string]*rule{}
	for _, r := range p.policy.rules {
		if _, dup := byName[r.name]; dup {
			return unsupportedAt(r.pos, "a second rule named "+r.name)
		}
		byName[r.name] = r
	}
	for _, u := range p.refs {
		r, ok := byName[u.ref.name]
		if !ok {
			return syntaxErrorAt(u.ref.pos, "undefined rule %s", u.ref.name)
		}
		u.ref.target = r
		p.addDep(u.owner, r)
	}
	return nil
}

// checkCycles rejects a rule or variable whose evaluation needs itself.
func (p *parser) checkCycles() error {
	const (
		unseen = iota
		active
		done
	)
	state := map[any]int{}
	var visit func(n any) error
	visit = func(n any) error {
		switch state[n] {
		case active:
			return cycleError(n)
		case done:
			return nil
		}
		state[n] = active
		for _, m := range p.deps[n] {
			if err := visit(m); err != nil {
				return err
			}
		}
		state[n] = done
		return nil
	}
	for _, r := range p.policy.rules {
		if err := visit(r); err != nil {
			return err
		}
	}
	for _, n := range p.order {
		if err := visit(n); err != nil {
			return err
		}
	}
	return nil
}

// cycleError names the rule or variable where a cycle was found.
func cycleError(n any) error {
	switch x := n.(type) {
	case *rule:
		return syntaxErrorAt(x.pos, "rule %s depends on itself", x.name)
	case *letDecl:
		return syntaxErrorAt(x.pos, "variable %%%s depends on itself", x.name)
	}
	return &SyntaxError{Line: 1, Column: 1, Msg: "dependency cycle"}
}
