package guard

// This file holds the parsed form of a policy. Nothing here is exported: callers see only
// Policy, Parse and Evaluate, so the representation can change freely.

// Policy is a parsed Guard rules file. It is immutable after Parse and safe for concurrent
// use by many goroutines calling Evaluate.
type Policy struct {
	file  *block  // file scope: the file-level let statements (its body is empty)
	rules []*rule // named rules in file order, with the implicit "default" rule if any
}

// rule is a named rule block: rule name [when conditions] { body }.
type rule struct {
	name  string
	pos   pos
	conds cnf    // nil when the rule has no when clause
	body  *block // the rule's scope; conds are evaluated in it too
}

// block is a scope: its let statements and its clauses. Rules, when blocks, query blocks and
// filters each have one.
type block struct {
	lets []*letDecl
	body cnf
}

// cnf is a conjunction of disjunctions: the clauses of a block, where clauses joined with
// "or" form one disjunction and successive disjunctions are joined by AND.
type cnf [][]node

// node is one evaluable item of a cnf: *accessClause, *ruleRef, *whenBlock or *queryBlock.
type node interface {
	isNode()
}

// accessClause compares a query: [not] [some] query op [rhs] [<<message>>].
type accessClause struct {
	text    string // the clause as written, whitespace collapsed, for failure messages
	negated bool   // a leading "not" or "!" inverts the clause's PASS/FAIL
	some    bool   // at least one value must satisfy the operator rather than all
	lhs     *query
	op      operator
	opNot   bool     // "not in", "!exists" ...
	rhs     *operand // nil for unary operators
	msg     string   // custom message, "" when none
}

// ruleRef is a named rule used as a clause: [not] name [<<message>>].
type ruleRef struct {
	pos     pos
	name    string
	negated bool
	msg     string
	target  *rule // resolved at the end of parsing
}

// whenBlock is when conditions { body }.
type whenBlock struct {
	conds cnf
	body  *block
}

// queryBlock is [some] query { body }: the body is evaluated once per value of the query,
// with "this" bound to the value.
type queryBlock struct {
	text string
	some bool
	q    *query
	body *block
}

func (*accessClause) isNode() {}
func (*ruleRef) isNode()      {}
func (*whenBlock) isNode()    {}
func (*queryBlock) isNode()   {}

// letDecl is let name = value. Exactly one of lit and q is set.
type letDecl struct {
	pos   pos
	name  string
	lit   any    // a literal value (see value.go for its representation)
	isLit bool   // lit is meaningful (lit may be nil for null)
	q     *query // a query evaluated in the declaring scope
	scope *block // the block that declares it
}

// query is a path expression: a root (a key, %var or this) followed by parts.
type query struct {
	text  string
	parts []part
}

// partKind names the steps a query can take.
type partKind int

const (
	pKey     partKind = iota // .name, .'quoted', ["quoted"]; on a list a numeric key indexes
	pIndex                   // [N]; negative counts from the end
	pAllIdx                  // [*]
	pAllVals                 // .*
	pFilter                  // [ clauses ]
	pVar                     // %name, only as the first part
	pThis                    // this, only as the first part
)

// part is one step of a query.
type part struct {
	kind   partKind
	key    string   // pKey
	index  int      // pIndex
	filter *block   // pFilter: clauses evaluated with this bound to each candidate
	decl   *letDecl // pVar, resolved at the end of parsing
	name   string   // pVar: the variable's name
	pos    pos
}

// operator is a clause operator.
type operator int

const (
	opEq operator = iota
	opNe
	opLt
	opGt
	opLe
	opGe
	opIn
	opExists
	opEmpty
	opIsString
	opIsList
	opIsStruct
	opIsBool
	opIsInt
	opIsFloat
	opIsNull
)

// unary reports whether the operator takes no right-hand side.
func (o operator) unary() bool { return o >= opExists }

// unaryOps maps unary operator keywords (lower and upper case) to operators.
var unaryOps = map[string]operator{
	"exists": opExists, "empty": opEmpty, "is_string": opIsString, "is_list": opIsList,
	"is_struct": opIsStruct, "is_bool": opIsBool, "is_int": opIsInt, "is_float": opIsFloat,
	"is_null": opIsNull,
}

// operand is the right-hand side of a binary clause: a literal or a query.
type operand struct {
	lit   any
	isLit bool
	q     *query
}
