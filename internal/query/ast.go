package query

import (
	"math"
	"strconv"
	"strings"
)

// Error is an invalid expression. Its Message is what AWS puts in an
// InvalidExpressionException: "syntax error at line 1, column N", or a sentence naming the
// construct AWS does not support.
type Error struct{ Message string }

func (e *Error) Error() string { return e.Message }

// Query is a parsed and validated expression. Parse builds it; String turns it back into
// canonical text that parses to an equal Query.
type Query struct {
	Select  []SelectItem // nil for SELECT *
	Where   Cond         // nil when there is no WHERE clause
	GroupBy []string
	OrderBy []OrderItem
	Star    bool // SELECT *

	// proj is the projection trie of Select, built once by Parse (nil for hand-built queries,
	// which then build it on every Project call).
	proj *pnode
}

// SelectItem is a property, an aggregate of a property, or COUNT(*).
type SelectItem struct {
	Path string // property path; "" for COUNT(*)
	Func string // "" or COUNT, SUM, MIN, MAX, AVG
	Star bool   // COUNT(*)
}

// OrderItem is one ORDER BY key.
type OrderItem struct {
	Item SelectItem
	Desc bool
}

// Text is the item's normalized text: the path as written, or "COUNT(*)", "SUM(path)". It is
// the item's name in QueryInfo.SelectFields and its key in aggregate results.
func (s SelectItem) Text() string {
	if s.Func == "" {
		return s.Path
	}
	if s.Star {
		return s.Func + "(*)"
	}
	return s.Func + "(" + s.Path + ")"
}

// starFields are the properties SELECT * returns, in AWS's documented order. What AWS puts in
// QueryInfo.SelectFields for SELECT * is undocumented; we list these names.
var starFields = []string{"accountId", "awsRegion", "arn", "availabilityZone",
	"configurationItemCaptureTime", "resourceCreationTime", "resourceId", "resourceName",
	"resourceType", "version"}

// SelectFields returns the names of QueryInfo.SelectFields: each select item's normalized text,
// in query order, or the ten scalar names of SELECT *.
func (q *Query) SelectFields() []string {
	if q.Star {
		return append([]string(nil), starFields...)
	}
	out := make([]string, len(q.Select))
	for i, s := range q.Select {
		out[i] = s.Text()
	}
	return out
}

// Aggregate reports whether the query groups rows: it has a GROUP BY clause or uses an
// aggregate function (in SELECT or ORDER BY). Aggregate queries are answered with an
// Aggregator, the others with Project and SortRows.
func (q *Query) Aggregate() bool {
	if len(q.GroupBy) > 0 {
		return true
	}
	for _, s := range q.Select {
		if s.Func != "" {
			return true
		}
	}
	return q.OrderByAggregate()
}

// OrderByAggregate reports whether ORDER BY references an aggregate function. AWS does not
// paginate such queries: their results come in one page.
func (q *Query) OrderByAggregate() bool {
	for _, o := range q.OrderBy {
		if o.Item.Func != "" {
			return true
		}
	}
	return false
}

// String returns the query's canonical text: upper-case keywords, single spaces, the minimum
// of parentheses, "!=" for "<>", and ASC left implicit.
func (q *Query) String() string {
	var b strings.Builder
	b.WriteString("SELECT ")
	if q.Star {
		b.WriteString("*")
	}
	for i, s := range q.Select {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s.Text())
	}
	if q.Where != nil {
		b.WriteString(" WHERE ")
		writeCond(&b, q.Where)
	}
	if len(q.GroupBy) > 0 {
		b.WriteString(" GROUP BY ")
		b.WriteString(strings.Join(q.GroupBy, ", "))
	}
	for i, o := range q.OrderBy {
		if i == 0 {
			b.WriteString(" ORDER BY ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(o.Item.Text())
		if o.Desc {
			b.WriteString(" DESC")
		}
	}
	return b.String()
}

// Cond is a WHERE condition: *And, *Or, *Not or *Pred.
type Cond interface {
	String() string
	cond()
}

// And holds when both sides hold.
type And struct{ L, R Cond }

// Or holds when either side holds.
type Or struct{ L, R Cond }

// Not holds when C does not (two-valued: see Match).
type Not struct{ C Cond }

// Pred compares the values of one property with literals. Op is one of "=", "!=", "<", "<=",
// ">", ">=", "IN", "BETWEEN", "LIKE"; Negated marks NOT IN, NOT BETWEEN and NOT LIKE. Values
// holds one literal, the IN list, the two BETWEEN bounds, or the LIKE pattern (a string).
type Pred struct {
	Path    string
	Op      string
	Negated bool
	Values  []Literal

	// info caches what evaluation needs to know about Values (set by Parse; nil for hand-built
	// predicates, which then classify their literals on every evaluation).
	info *predInfo
}

func (*And) cond()  {}
func (*Or) cond()   {}
func (*Not) cond()  {}
func (*Pred) cond() {}

func (c *And) String() string  { return condString(c) }
func (c *Or) String() string   { return condString(c) }
func (c *Not) String() string  { return condString(c) }
func (c *Pred) String() string { return condString(c) }

func condString(c Cond) string {
	var b strings.Builder
	writeCond(&b, c)
	return b.String()
}

// writeCond prints c with the fewest parentheses that parse back to the same tree: AND binds
// tighter than OR, NOT tighter than AND, and both binary operators associate to the left.
func writeCond(b *strings.Builder, c Cond) {
	switch c := c.(type) {
	case *Or:
		writeCond(b, c.L)
		b.WriteString(" OR ")
		writeOperand(b, c.R, func(x Cond) bool { _, ok := x.(*Or); return ok })
	case *And:
		writeOperand(b, c.L, func(x Cond) bool { _, ok := x.(*Or); return ok })
		b.WriteString(" AND ")
		writeOperand(b, c.R, func(x Cond) bool {
			switch x.(type) {
			case *Or, *And:
				return true
			}
			return false
		})
	case *Not:
		b.WriteString("NOT ")
		writeOperand(b, c.C, func(x Cond) bool {
			switch x.(type) {
			case *Or, *And:
				return true
			}
			return false
		})
	case *Pred:
		writePred(b, c)
	default:
		b.WriteString("<nil>")
	}
}

func writeOperand(b *strings.Builder, c Cond, paren func(Cond) bool) {
	if paren(c) {
		b.WriteByte('(')
		writeCond(b, c)
		b.WriteByte(')')
		return
	}
	writeCond(b, c)
}

func writePred(b *strings.Builder, p *Pred) {
	b.WriteString(p.Path)
	not := ""
	if p.Negated {
		not = "NOT "
	}
	switch p.Op {
	case "IN":
		b.WriteString(" " + not + "IN (")
		for i, v := range p.Values {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(v.String())
		}
		b.WriteByte(')')
	case "BETWEEN":
		b.WriteString(" " + not + "BETWEEN ")
		for i, v := range p.Values {
			if i > 0 {
				b.WriteString(" AND ")
			}
			b.WriteString(v.String())
		}
	case "LIKE":
		b.WriteString(" " + not + "LIKE ")
		for _, v := range p.Values {
			b.WriteString(v.String())
		}
	default:
		b.WriteString(" " + p.Op + " ")
		for _, v := range p.Values {
			b.WriteString(v.String())
		}
	}
}

// Kind is the type of a literal.
type Kind int

// The literal kinds.
const (
	String Kind = iota + 1 // 'single-quoted'
	Number                 // 42, -1.5, 1e3
	Bool                   // true, false
)

// Literal is a constant in a condition. S holds a string's value (quotes removed, doubled
// quotes undone), N a number's value, B a boolean's.
type Literal struct {
	Kind Kind
	S    string
	N    float64
	B    bool
}

// String returns the literal as query text.
func (l Literal) String() string {
	switch l.Kind {
	case Number:
		return formatNumber(l.N)
	case Bool:
		if l.B {
			return "true"
		}
		return "false"
	default:
		return "'" + strings.ReplaceAll(l.S, "'", "''") + "'"
	}
}

// formatNumber prints a float64 as the shortest text that parses back to it, in a form that is
// both a query literal and a JSON number.
func formatNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		if f == 0 {
			return "0" // also for -0: the query language does not tell them apart
		}
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
