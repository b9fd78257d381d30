package guard

import "fmt"

// SyntaxError reports policy text that is not valid Guard, or that is valid in shape but
// cannot be evaluated (an undefined rule or variable, a rule that depends on itself, a
// regular expression RE2 rejects). Line and Column are 1-based; Column counts bytes.
type SyntaxError struct {
	Line   int
	Column int
	Msg    string
}

// Error renders the position first so that a user can find the problem in a long policy.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("guard: syntax error at line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// UnsupportedError reports a construct that Guard 2.x accepts but this package does not
// evaluate. It is returned from Parse so that a policy never half-evaluates: a rule that uses
// count() or a type block is refused up front rather than answered wrongly.
type UnsupportedError struct {
	Construct string // a short name, e.g. "function call count()" or "type block"
	Line      int
	Column    int
}

// Error names the construct and its line.
func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("guard: %s at line %d, column %d is not supported", e.Construct, e.Line, e.Column)
}

// syntaxErrorAt builds a *SyntaxError for a position.
func syntaxErrorAt(p pos, format string, args ...any) *SyntaxError {
	return &SyntaxError{Line: p.line, Column: p.col, Msg: fmt.Sprintf(format, args...)}
}

// unsupportedAt builds an *UnsupportedError for a position.
func unsupportedAt(p pos, construct string) *UnsupportedError {
	return &UnsupportedError{Construct: construct, Line: p.line, Column: p.col}
}
