package guard

import (
	"fmt"
	"strings"
)

// Status of a rule or a whole evaluation.
type Status string

// The three statuses of Guard. SKIP means the rule did not apply: its when conditions did
// not hold, or every clause it has selected nothing to check.
const (
	Pass Status = "PASS"
	Fail Status = "FAIL"
	Skip Status = "SKIP"
)

// Outcome of evaluating a policy against one document.
type Outcome struct {
	// Status is FAIL if any rule FAILs; PASS if at least one PASSes and none FAIL; SKIP if
	// all SKIP (or the policy has no rules).
	Status Status
	// Rules holds one entry per named rule, in file order. Clauses outside any rule form a
	// rule named "default", placed where the first of them appears.
	Rules []RuleOutcome
}

// RuleOutcome is one rule's status. For a FAIL, Messages holds, for each failed clause, its
// custom <<message>> if it has one followed by a short description of the failure; at most
// maxMessages entries are kept. Messages is empty for PASS and SKIP.
type RuleOutcome struct {
	Name     string
	Status   Status
	Messages []string
}

// maxMessages bounds the messages kept for one rule, so a wildcard over a large document
// cannot produce an unbounded report.
const maxMessages = 20

// maxSteps bounds the work of one Evaluate call. Nested blocks over a variable
// (%all { %all { %all { ... } } }) multiply, so a short policy could otherwise keep a server
// busy for hours on one configuration item. Real policies need a few thousand steps.
const maxSteps = 1_000_000

// budgetMessage is reported for rules that were cut short by maxSteps.
var budgetMessage = fmt.Sprintf("evaluation stopped: the policy needs more than %d steps for this document", maxSteps)

// evaluator holds the state of one Evaluate call.
type evaluator struct {
	policy    *Policy
	root      any
	file      *env
	rules     map[*rule]*ruleState
	quiet     int  // > 0 while evaluating filters and conditions, whose messages are never shown
	steps     int  // work done so far, see maxSteps
	exhausted bool // steps passed maxSteps; every further clause fails
}

// spend counts one step of work and reports whether evaluation may go on.
func (ev *evaluator) spend() bool {
	ev.steps++
	if ev.steps > maxSteps {
		ev.exhausted = true
	}
	return !ev.exhausted
}

// ruleState is a rule's memoized result; busy guards against re-entry.
type ruleState struct {
	busy   bool
	status Status
	msgs   []string
}

// Evaluate evaluates the policy against a document as produced by encoding/json: nil, bool,
// string, float64 or json.Number, []any and map[string]any. Decode with
// json.Decoder.UseNumber so that is_int and is_float can tell 5 from 5.0 and large integers
// stay exact; with plain float64 a whole number counts as an integer. Go integer types are
// accepted too. Evaluate does not modify doc.
func (p *Policy) Evaluate(doc any) Outcome {
	ev := &evaluator{policy: p, root: doc, rules: map[*rule]*ruleState{}}
	ev.file = &env{blk: p.file, this: doc}
	out := Outcome{Status: Skip}
	for _, r := range p.rules {
		st := ev.rule(r)
		ro := RuleOutcome{Name: r.name, Status: st.status, Messages: st.msgs}
		if ev.exhausted {
			// A rule evaluated (even partly) after the budget ran out has no trustworthy
			// status; fail it rather than report a PASS or SKIP it did not earn.
			ro = RuleOutcome{Name: r.name, Status: Fail, Messages: []string{budgetMessage}}
		}
		out.Rules = append(out.Rules, ro)
		out.Status = andStatus(out.Status, ro.Status)
	}
	return out
}

// rule evaluates a named rule once and remembers the result; references from other rules,
// conditions and filters share it.
func (ev *evaluator) rule(r *rule) *ruleState {
	if st, ok := ev.rules[r]; ok {
		if st.busy {
			return &ruleState{status: Fail, msgs: []string{"rule " + r.name + " depends on itself"}}
		}
		return st
	}
	st := &ruleState{busy: true}
	ev.rules[r] = st
	saved := ev.quiet
	ev.quiet = 0
	defer func() { ev.quiet = saved }()

	e := ev.file.child(r.body, ev.root, "")
	if r.conds != nil && ev.condition(r.conds, e) != Pass {
		st.status = Skip
	} else {
		st.status, st.msgs = ev.cnf(r.body.body, e)
		st.msgs = capMessages(st.msgs)
	}
	if st.status != Fail {
		st.msgs = nil
	}
	st.busy = false
	return st
}

// capMessages keeps the first maxMessages messages and counts the rest.
func capMessages(msgs []string) []string {
	if len(msgs) <= maxMessages {
		return msgs
	}
	rest := len(msgs) - maxMessages
	return append(msgs[:maxMessages:maxMessages], fmt.Sprintf("... and %d more", rest))
}

// condition evaluates when conditions; only PASS lets the guarded block run.
func (ev *evaluator) condition(c cnf, e *env) Status {
	ev.quiet++
	defer func() { ev.quiet-- }()
	st, _ := ev.cnf(c, e)
	return st
}

// andStatus combines statuses joined by AND: any FAIL fails, else any PASS passes, else SKIP.
func andStatus(a, b Status) Status {
	switch {
	case a == Fail || b == Fail:
		return Fail
	case a == Pass || b == Pass:
		return Pass
	}
	return Skip
}

// orStatus combines statuses joined by OR: any PASS passes, else any FAIL fails, else SKIP.
func orStatus(a, b Status) Status {
	switch {
	case a == Pass || b == Pass:
		return Pass
	case a == Fail || b == Fail:
		return Fail
	}
	return Skip
}

// invert swaps PASS and FAIL; SKIP stays SKIP.
func invert(s Status) Status {
	switch s {
	case Pass:
		return Fail
	case Fail:
		return Pass
	}
	return s
}

// cnf evaluates a conjunction of disjunctions. Every clause is evaluated, so that a FAIL
// reports all of its failed clauses.
func (ev *evaluator) cnf(c cnf, e *env) (Status, []string) {
	status := Skip
	var msgs []string
	for _, disj := range c {
		st, m := ev.disjunction(disj, e)
		status = andStatus(status, st)
		if st == Fail {
			msgs = append(msgs, m...)
		}
	}
	return status, msgs
}

// disjunction evaluates items joined by or; messages matter only if none passes.
func (ev *evaluator) disjunction(items []node, e *env) (Status, []string) {
	status := Skip
	var msgs []string
	for _, n := range items {
		st, m := ev.node(n, e)
		status = orStatus(status, st)
		if st == Fail {
			msgs = append(msgs, m...)
		}
	}
	if status != Fail {
		return status, nil
	}
	return status, msgs
}

// node evaluates one item of a cnf.
func (ev *evaluator) node(n node, e *env) (Status, []string) {
	if !ev.spend() {
		return Fail, nil
	}
	switch x := n.(type) {
	case *accessClause:
		return ev.clause(x, e)
	case *ruleRef:
		return ev.ruleRef(x)
	case *whenBlock:
		return ev.when(x, e)
	case *queryBlock:
		return ev.queryBlock(x, e)
	}
	return Fail, []string{"unknown clause"}
}

// ruleRef is a named rule used as a clause: its status, inverted by not.
func (ev *evaluator) ruleRef(r *ruleRef) (Status, []string) {
	target := ev.rule(r.target)
	st := target.status
	if r.negated {
		st = invert(st)
	}
	if st != Fail || ev.quiet > 0 {
		return st, nil
	}
	detail := "rule " + r.name + " failed"
	if r.negated {
		detail = "not " + r.name + ": rule " + r.name + " passed"
	}
	return st, withCustom(r.msg, detail)
}

// withCustom returns the custom message, if any, followed by the description.
func withCustom(custom, detail string) []string {
	if custom == "" {
		return []string{detail}
	}
	return []string{custom, detail}
}

// when evaluates a when block: SKIP unless the conditions PASS. Conditions are evaluated in
// the block's own scope, so they can use the block's lets.
func (ev *evaluator) when(w *whenBlock, e *env) (Status, []string) {
	inner := e.child(w.body, e.this, e.thisPath)
	if ev.condition(w.conds, inner) != Pass {
		return Skip, nil
	}
	return ev.cnf(w.body.body, inner)
}

// queryBlock evaluates the body once per value of the query, with "this" bound to the value.
// An unresolved value fails; no values at all (a filter that kept nothing) skips. Without
// some, every value's body must not fail; with some, at least one must pass.
func (ev *evaluator) queryBlock(qb *queryBlock, e *env) (Status, []string) {
	entries := ev.query(qb.q, e)
	if len(entries) == 0 {
		return Skip, nil
	}
	status := Skip
	var msgs []string
	for _, en := range entries {
		var st Status
		var m []string
		if !en.ok {
			st = Fail
			if ev.quiet == 0 {
				m = []string{qb.text + ": " + describeUnresolved(qb.q, en)}
			}
		} else {
			st, m = ev.cnf(qb.body.body, e.child(qb.body, en.v, en.path))
		}
		if qb.some {
			status = orStatus(status, st)
		} else {
			status = andStatus(status, st)
		}
		if st == Fail {
			msgs = append(msgs, m...)
		}
	}
	if status != Fail {
		return status, nil
	}
	return status, msgs
}

// describeUnresolved explains where a query stopped.
func describeUnresolved(q *query, en entry) string {
	return fmt.Sprintf("%s could not be resolved at %s (%s)", q.text, displayPath(en.path), en.why)
}

// displayPath renders an entry path, "/" for the document root.
func displayPath(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// clause evaluates an access clause and builds its failure messages.
func (ev *evaluator) clause(c *accessClause, e *env) (Status, []string) {
	st, detail := ev.clauseStatus(c, e)
	if c.negated {
		st = invert(st)
		detail = "the clause holds, and it is negated with not"
	}
	if st != Fail || ev.quiet > 0 {
		return st, nil
	}
	return st, withCustom(c.msg, c.text+": "+detail)
}

// clauseStatus evaluates a clause before any leading not; detail explains a FAIL.
func (ev *evaluator) clauseStatus(c *accessClause, e *env) (Status, string) {
	lhs := ev.query(c.lhs, e)
	if c.op.unary() {
		return ev.unary(c, lhs)
	}
	return ev.binary(c, lhs, e)
}

// check is one value's verdict within a clause.
type check struct {
	pass   bool
	detail string
}

// aggregate folds per-value checks: all must pass, or with some at least one.
func aggregate(checks []check, some bool) (Status, string) {
	var failed []check
	for _, ch := range checks {
		if ch.pass && some {
			return Pass, ""
		}
		if !ch.pass {
			failed = append(failed, ch)
		}
	}
	if len(failed) == 0 {
		return Pass, ""
	}
	detail := failed[0].detail
	if len(failed) > 1 {
		detail += fmt.Sprintf(" (and %d more)", len(failed)-1)
	}
	return Fail, detail
}

// collectionQuery reports whether a query names a collection as a whole: a lone variable or
// a query ending in a filter. For such a query "empty" asks whether it selected anything, so
// "%targets empty" holds when a filter kept nothing.
func collectionQuery(q *query) bool {
	last := q.parts[len(q.parts)-1]
	return last.kind == pFilter || (len(q.parts) == 1 && last.kind == pVar)
}

// unary evaluates exists, empty and the is_* type checks.
func (ev *evaluator) unary(c *accessClause, lhs []entry) (Status, string) {
	if c.op == opEmpty && collectionQuery(c.lhs) {
		if len(lhs) == 0 {
			if c.opNot {
				return Fail, "the query selected no values"
			}
			return Pass, ""
		}
		checks := make([]check, len(lhs))
		for i, en := range lhs {
			empty := !en.ok
			if en.ok {
				e, decided := isEmptyValue(en.v)
				empty = e && decided
			}
			checks[i] = check{pass: empty != c.opNot, detail: describeEntry(en)}
		}
		return aggregate(checks, c.some)
	}
	if len(lhs) == 0 {
		return Skip, ""
	}
	checks := make([]check, len(lhs))
	for i, en := range lhs {
		result, decided := unaryTest(c.op, en)
		checks[i] = check{pass: decided && result != c.opNot, detail: describeEntry(en)}
		if !decided {
			checks[i].detail = "empty cannot be decided for " + describeEntry(en)
		}
	}
	return aggregate(checks, c.some)
}

// unaryTest applies a unary operator to one entry. An unresolved entry does not exist, is
// empty and has no type. A null value exists (as in cfn-guard). decided is false for empty on
// a number or boolean.
func unaryTest(op operator, en entry) (result, decided bool) {
	if op == opEmpty {
		if !en.ok {
			return true, true
		}
		return isEmptyValue(en.v)
	}
	if op == opExists {
		return en.ok, true
	}
	if !en.ok {
		return false, true
	}
	want := map[operator]kind{
		opIsString: kString, opIsList: kList, opIsStruct: kMap, opIsBool: kBool,
		opIsInt: kInt, opIsFloat: kFloat, opIsNull: kNull,
	}[op]
	return kindOf(en.v) == want, true
}

// describeEntry renders a value and where it is, or why the query stopped.
func describeEntry(en entry) string {
	if !en.ok {
		return "nothing at " + displayPath(en.path) + " (" + en.why + ")"
	}
	return render(en.v) + " at " + displayPath(en.path)
}

// binary evaluates == != < > <= >= and in.
func (ev *evaluator) binary(c *accessClause, lhs []entry, e *env) (Status, string) {
	if len(lhs) == 0 {
		return Skip, ""
	}
	rhs, problem := ev.rhsValues(c.rhs, e)
	if problem != "" {
		return Fail, problem
	}
	var checks []check
	for _, en := range lhs {
		if !en.ok {
			checks = append(checks, check{detail: describeEntry(en)})
			continue
		}
		for _, item := range spread(c.op, en, rhs) {
			ev.steps += len(rhs) // each comparison is a step
			if !ev.spend() {
				return Fail, budgetMessage
			}
			checks = append(checks, check{pass: compare(c.op, c.opNot, item.v, rhs), detail: "found " + describeEntry(item)})
		}
	}
	return aggregate(checks, c.some)
}

// rhsValues resolves the right-hand side. A query there must resolve completely and select
// at least one value; otherwise the clause fails, since there is nothing to compare with.
func (ev *evaluator) rhsValues(o *operand, e *env) ([]any, string) {
	if o.isLit {
		return []any{o.lit}, ""
	}
	entries := ev.query(o.q, e)
	if len(entries) == 0 {
		return nil, "the right-hand side " + o.q.text + " selected no values"
	}
	vals := make([]any, 0, len(entries))
	for _, en := range entries {
		if !en.ok {
			return nil, "the right-hand side " + describeUnresolved(o.q, en)
		}
		vals = append(vals, en.v)
	}
	return vals, ""
}

// spread splits a list on the left into its elements when comparing it as a whole makes no
// sense: always for ordering, and for == and != when no right-hand value is a list. So
// "ports[*] > 0" and "tags == 'x'" check every element. Lists are not split for in, which
// handles them itself, nor when empty.
func spread(op operator, en entry, rhs []any) []entry {
	l, isList := en.v.([]any)
	if !isList || len(l) == 0 || op == opIn {
		return []entry{en}
	}
	if op == opEq || op == opNe {
		for _, r := range rhs {
			if kindOf(r) == kList {
				return []entry{en}
			}
		}
	}
	return elements(en, l)
}

// compare applies a binary operator to one left-hand value against all right-hand values.
// Against several right-hand values (a query), == holds when the value equals one of them,
// != when it equals none, and the ordering operators must hold against every one.
func compare(op operator, opNot bool, v any, rhs []any) bool {
	switch op {
	case opEq:
		return equalsAny(v, rhs)
	case opNe:
		return !equalsAny(v, rhs)
	case opIn:
		return in(v, rhs, opNot)
	}
	for _, r := range rhs {
		c, ok := order(v, r)
		if !ok || !orderHolds(op, c) {
			return false
		}
	}
	return true
}

func equalsAny(v any, rhs []any) bool {
	for _, r := range rhs {
		if equal(v, r) {
			return true
		}
	}
	return false
}

func orderHolds(op operator, c int) bool {
	switch op {
	case opLt:
		return c < 0
	case opGt:
		return c > 0
	case opLe:
		return c <= 0
	case opGe:
		return c >= 0
	}
	return false
}

// in is Guard's IN. A value is a member of a right-hand list when it equals an element, of a
// right-hand string when it is a substring of it (as in cfn-guard), and of anything else when
// it equals it. A list on the left is IN when it is itself a member or every element is;
// NOT IN requires that neither it nor any of its elements is a member.
func in(v any, rhs []any, not bool) bool {
	l, isList := v.([]any)
	if !not {
		if memberOfAny(v, rhs) {
			return true
		}
		if !isList || len(l) == 0 {
			return false
		}
		for _, el := range l {
			if !memberOfAny(el, rhs) {
				return false
			}
		}
		return true
	}
	if memberOfAny(v, rhs) {
		return false
	}
	for _, el := range l {
		if memberOfAny(el, rhs) {
			return false
		}
	}
	return true
}

func memberOfAny(v any, rhs []any) bool {
	for _, r := range rhs {
		if member(v, r) {
			return true
		}
	}
	return false
}

func member(v, r any) bool {
	switch x := r.(type) {
	case []any:
		for _, el := range x {
			if equal(v, el) {
				return true
			}
		}
		return false
	case string:
		if s, ok := v.(string); ok {
			return strings.Contains(x, s)
		}
	}
	return equal(v, r)
}
