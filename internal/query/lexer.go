package query

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

type tokKind int

const (
	tEOF    tokKind = iota
	tWord           // identifier or keyword, as written
	tString         // 'text'; text holds the value with '' undone
	tNumber         // text holds the literal as written
	tSym            // ( ) , . * = != <> < <= > >=
)

type token struct {
	kind      tokKind
	text      string
	line, col int // 1-based; col counts characters, not bytes
}

// lex splits an expression into tokens. Positions are reported the way AWS reports them:
// "line L, column C", both counted from 1.
func lex(src string) ([]token, error) {
	var toks []token
	line, col := 1, 1
	i := 0
	// advance moves past n bytes that hold no newline, counting characters.
	advance := func(n int) {
		col += utf8.RuneCountInString(src[i : i+n])
		i += n
	}
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\n':
			line++
			col = 1
			i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			advance(1)
		case isWordStart(c):
			j := i + 1
			for j < len(src) && isWordByte(src[j]) {
				j++
			}
			toks = append(toks, token{kind: tWord, text: src[i:j], line: line, col: col})
			advance(j - i)
		case isDigit(c) || (c == '-' && i+1 < len(src) && isDigit(src[i+1])):
			j := i + 1
			for j < len(src) && isDigit(src[j]) {
				j++
			}
			if j+1 < len(src) && src[j] == '.' && isDigit(src[j+1]) {
				j += 2
				for j < len(src) && isDigit(src[j]) {
					j++
				}
			}
			if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
				k := j + 1
				if k < len(src) && (src[k] == '+' || src[k] == '-') {
					k++
				}
				if k < len(src) && isDigit(src[k]) {
					for k < len(src) && isDigit(src[k]) {
						k++
					}
					j = k
				}
			}
			toks = append(toks, token{kind: tNumber, text: src[i:j], line: line, col: col})
			advance(j - i)
		case c == '\'':
			startLine, startCol := line, col
			var b strings.Builder
			j := i + 1
			closed := false
			for j < len(src) {
				if src[j] == '\'' {
					if j+1 < len(src) && src[j+1] == '\'' {
						b.WriteByte('\'')
						j += 2
						continue
					}
					closed = true
					j++
					break
				}
				b.WriteByte(src[j])
				j++
			}
			if !closed {
				return nil, syntaxError(startLine, startCol)
			}
			toks = append(toks, token{kind: tString, text: b.String(), line: startLine, col: startCol})
			// The literal may span lines: recount the position over it.
			for _, r := range src[i:j] {
				if r == '\n' {
					line++
					col = 1
				} else {
					col++
				}
			}
			i = j
		default:
			sym := ""
			if i+1 < len(src) {
				switch src[i : i+2] {
				case "<=", ">=", "<>", "!=":
					sym = src[i : i+2]
				}
			}
			if sym == "" {
				switch c {
				case '(', ')', ',', '.', '*', '=', '<', '>':
					sym = string(c)
				default:
					return nil, syntaxError(line, col)
				}
			}
			toks = append(toks, token{kind: tSym, text: sym, line: line, col: col})
			advance(len(sym))
		}
	}
	toks = append(toks, token{kind: tEOF, line: line, col: col})
	return toks, nil
}

func isDigit(c byte) bool     { return c >= '0' && c <= '9' }
func isWordStart(c byte) bool { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
func isWordByte(c byte) bool  { return isWordStart(c) || isDigit(c) }

// validSegment reports whether s can be written as one segment of a property path. Keys of a
// configuration that are not (they hold dots, dashes, spaces...) cannot be named by any query.
func validSegment(s string) bool {
	if s == "" || !isWordStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isWordByte(s[i]) {
			return false
		}
	}
	return true
}

// validPath reports whether every segment of a dotted path is valid.
func validPath(p string) bool {
	for {
		seg, rest, more := strings.Cut(p, ".")
		if !validSegment(seg) {
			return false
		}
		if !more {
			return true
		}
		p = rest
	}
}

func syntaxError(line, col int) *Error {
	return &Error{Message: fmt.Sprintf("syntax error at line %d, column %d", line, col)}
}
