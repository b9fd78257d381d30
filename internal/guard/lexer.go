package guard

import (
	"strings"
)

// pos is a 1-based line and byte column in the policy text.
type pos struct {
	line, col int
}

// tokenKind classifies a token.
type tokenKind int

const (
	tEOF     tokenKind = iota
	tIdent             // rule, configuration, exists, OR ...
	tInt               // 42, -7
	tFloat             // 1.5, -2e3
	tString            // 'x' or "x"; val holds the decoded text
	tRegex             // /x/; val holds the pattern
	tVar               // %name; val holds name
	tMessage           // <<text>>; val holds text
	tDot               // .
	tComma             // ,
	tColon             // :
	tLBrack            // [
	tRBrack            // ]
	tLBrace            // {
	tRBrace            // }
	tLParen            // (
	tRParen            // )
	tAssign            // =
	tEq                // ==
	tNe                // !=
	tLt                // <
	tGt                // >
	tLe                // <=
	tGe                // >=
	tBang              // !
	tStar              // *
)

// token is one lexeme. off and end are byte offsets into the source, used to quote clauses
// in failure messages.
type token struct {
	kind     tokenKind
	val      string
	pos      pos
	off, end int
}

// describe names a token for error messages.
func (t token) describe(src string) string {
	if t.kind == tEOF {
		return "end of input"
	}
	text := src[t.off:t.end]
	if len(text) > 40 {
		text = text[:40] + "..."
	}
	return "'" + text + "'"
}

// lexer turns policy text into tokens. Guard has no division, so '/' always opens a regular
// expression; '#' starts a comment that runs to the end of the line.
type lexer struct {
	src  string
	i    int
	line int
	col  int
	toks []token
}

// lex tokenizes the whole source, ending with a tEOF token.
func lex(src string) ([]token, error) {
	l := &lexer{src: src, line: 1, col: 1}
	for {
		if err := l.skipSpace(); err != nil {
			return nil, err
		}
		if l.i >= len(l.src) {
			l.toks = append(l.toks, token{kind: tEOF, pos: l.pos(), off: l.i, end: l.i})
			return l.toks, nil
		}
		if err := l.next(); err != nil {
			return nil, err
		}
	}
}

func (l *lexer) pos() pos { return pos{l.line, l.col} }

// advance moves over n bytes, keeping line and column current.
func (l *lexer) advance(n int) {
	for k := 0; k < n && l.i < len(l.src); k++ {
		if l.src[l.i] == '\n' {
			l.line++
			l.col = 1
		} else {
			l.col++
		}
		l.i++
	}
}

func (l *lexer) peekByte(k int) byte {
	if l.i+k < len(l.src) {
		return l.src[l.i+k]
	}
	return 0
}

// skipSpace skips whitespace and comments.
func (l *lexer) skipSpace() error {
	for l.i < len(l.src) {
		c := l.src[l.i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v':
			l.advance(1)
		case c == '#':
			for l.i < len(l.src) && l.src[l.i] != '\n' {
				l.advance(1)
			}
		default:
			return nil
		}
	}
	return nil
}

func (l *lexer) emit(kind tokenKind, val string, start pos, off int) {
	l.toks = append(l.toks, token{kind: kind, val: val, pos: start, off: off, end: l.i})
}

func (l *lexer) prevKind() tokenKind {
	if len(l.toks) == 0 {
		return tEOF
	}
	return l.toks[len(l.toks)-1].kind
}

// twoChar maps two-byte operators to their kinds.
var twoChar = map[string]tokenKind{"==": tEq, "!=": tNe, "<=": tLe, ">=": tGe}

// oneChar maps single-byte punctuation to kinds.
var oneChar = map[byte]tokenKind{
	'.': tDot, ',': tComma, ':': tColon, '[': tLBrack, ']': tRBrack, '{': tLBrace,
	'}': tRBrace, '(': tLParen, ')': tRParen, '=': tAssign, '<': tLt, '>': tGt,
	'!': tBang, '*': tStar,
}

// next lexes one token at l.i, which is not whitespace.
func (l *lexer) next() error {
	start, off := l.pos(), l.i
	c := l.src[l.i]
	switch {
	case c == '<' && l.peekByte(1) == '<':
		return l.message(start, off)
	case c == '\'' || c == '"':
		return l.str(start, off, c)
	case c == '/':
		return l.regex(start, off)
	case c == '%':
		l.advance(1)
		n := identLen(l.src[l.i:], false)
		if n == 0 {
			return syntaxErrorAt(start, "'%%' must be followed by a variable name")
		}
		name := l.src[l.i : l.i+n]
		l.advance(n)
		l.emit(tVar, name, start, off)
		return nil
	case l.prevKind() == tDot && isIdentByte(c, true):
		// A key after '.' may start with a digit ("Tags.0", "x.3rdParty").
		n := identLen(l.src[l.i:], true)
		word := l.src[l.i : l.i+n]
		l.advance(n)
		if allDigits(word) {
			l.emit(tInt, word, start, off)
		} else {
			l.emit(tIdent, word, start, off)
		}
		return nil
	case isDigit(c) || (c == '-' && isDigit(l.peekByte(1))):
		return l.number(start, off)
	case isIdentByte(c, false):
		n := identLen(l.src[l.i:], false)
		word := l.src[l.i : l.i+n]
		l.advance(n)
		l.emit(tIdent, word, start, off)
		return nil
	}
	if l.i+1 < len(l.src) {
		if k, ok := twoChar[l.src[l.i:l.i+2]]; ok {
			l.advance(2)
			l.emit(k, "", start, off)
			return nil
		}
	}
	if k, ok := oneChar[c]; ok {
		l.advance(1)
		l.emit(k, "", start, off)
		return nil
	}
	return syntaxErrorAt(start, "unexpected character %q", rune(c))
}

// message lexes a <<custom message>>.
func (l *lexer) message(start pos, off int) error {
	end := strings.Index(l.src[l.i+2:], ">>")
	if end < 0 {
		return syntaxErrorAt(start, "custom message '<<' is not closed with '>>'")
	}
	text := l.src[l.i+2 : l.i+2+end]
	l.advance(end + 4)
	l.emit(tMessage, strings.TrimSpace(text), start, off)
	return nil
}

// str lexes a quoted string. A backslash escapes the quote, a backslash, n, t and r; any other
// escape is kept as written.
func (l *lexer) str(start pos, off int, quote byte) error {
	l.advance(1)
	var b strings.Builder
	for l.i < len(l.src) {
		c := l.src[l.i]
		switch {
		case c == quote:
			l.advance(1)
			l.emit(tString, b.String(), start, off)
			return nil
		case c == '\\' && l.i+1 < len(l.src):
			b.WriteString(unescape(l.src[l.i+1]))
			l.advance(2)
		default:
			b.WriteByte(c)
			l.advance(1)
		}
	}
	return syntaxErrorAt(start, "string is not closed")
}

// unescape decodes the byte after a backslash in a string.
func unescape(c byte) string {
	switch c {
	case 'n':
		return "\n"
	case 't':
		return "\t"
	case 'r':
		return "\r"
	case '\\', '\'', '"':
		return string(c)
	}
	return "\\" + string(c)
}

// regex lexes /pattern/. "\/" stands for a slash; every other escape is passed to RE2 as is.
func (l *lexer) regex(start pos, off int) error {
	l.advance(1)
	var b strings.Builder
	for l.i < len(l.src) {
		c := l.src[l.i]
		switch {
		case c == '\n':
			return syntaxErrorAt(start, "regular expression is not closed before the end of the line")
		case c == '/':
			l.advance(1)
			l.emit(tRegex, b.String(), start, off)
			return nil
		case c == '\\' && l.peekByte(1) == '/':
			b.WriteByte('/')
			l.advance(2)
		case c == '\\' && l.i+1 < len(l.src):
			b.WriteString(l.src[l.i : l.i+2])
			l.advance(2)
		default:
			b.WriteByte(c)
			l.advance(1)
		}
	}
	return syntaxErrorAt(start, "regular expression is not closed")
}

// number lexes an integer or a float: -?digits(.digits)?([eE][+-]?digits)?
func (l *lexer) number(start pos, off int) error {
	j := l.i
	if l.src[j] == '-' {
		j++
	}
	j = skipDigits(l.src, j)
	kind := tInt
	if j+1 < len(l.src) && l.src[j] == '.' && isDigit(l.src[j+1]) {
		kind = tFloat
		j = skipDigits(l.src, j+1)
	}
	if j < len(l.src) && (l.src[j] == 'e' || l.src[j] == 'E') {
		k := j + 1
		if k < len(l.src) && (l.src[k] == '+' || l.src[k] == '-') {
			k++
		}
		if k < len(l.src) && isDigit(l.src[k]) {
			kind = tFloat
			j = skipDigits(l.src, k)
		}
	}
	if j < len(l.src) && isIdentByte(l.src[j], true) {
		return syntaxErrorAt(start, "malformed number %q", l.src[l.i:j+1])
	}
	text := l.src[l.i:j]
	l.advance(j - l.i)
	l.emit(kind, text, start, off)
	return nil
}

func skipDigits(s string, j int) int {
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	return j
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isIdentByte reports whether c may appear in an identifier; digits only when digitOK.
func isIdentByte(c byte, digitOK bool) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (digitOK && isDigit(c))
}

// identLen is the length of the identifier at the start of s.
func identLen(s string, leadingDigitOK bool) int {
	n := 0
	for n < len(s) && isIdentByte(s[n], n > 0 || leadingDigitOK) {
		n++
	}
	return n
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}
