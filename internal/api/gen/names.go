package main

import (
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// namer hands out identifiers of one Go scope, renaming deterministically on collision.
type namer map[string]bool

// take returns want, or want2, want3 ... when want is taken, and marks the result as taken.
func (n namer) take(want string) string {
	name := want
	for i := 2; n[name]; i++ {
		name = want + strconv.Itoa(i)
	}
	n[name] = true
	return name
}

// exported turns s into an exported Go identifier: characters that cannot appear in an
// identifier become '_', a leading non-letter gets an "X" prefix, the first letter is upper-cased.
func exported(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case unicode.IsLetter(r) || r == '_' || (i > 0 && unicode.IsDigit(r)):
			b.WriteRune(r)
		case i == 0 && unicode.IsDigit(r):
			b.WriteString("X")
			b.WriteRune(r)
		default:
			b.WriteRune('_')
		}
	}
	id := b.String()
	r, size := utf8.DecodeRuneInString(id)
	if id == "" || r == '_' {
		return "X" + id
	}
	if !unicode.IsUpper(r) {
		up := unicode.ToUpper(r)
		if !unicode.IsUpper(up) { // a letter without case cannot start an exported name
			return "X" + id
		}
		id = string(up) + id[size:]
	}
	return id
}

// enumSuffix turns an enum value into the camel-case suffix of its constant:
// "AWS::EC2::Instance" → "AwsEc2Instance", "NON_COMPLIANT" → "NonCompliant", "text/csv" → "TextCsv".
// Words are the runs of letters and digits; an all-upper-case word is title-cased, any other
// word keeps its case except for its first letter.
func enumSuffix(v string) string {
	var b strings.Builder
	words := strings.FieldsFunc(v, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for _, w := range words {
		if strings.ToUpper(w) == w {
			w = strings.ToLower(w)
		}
		r, size := utf8.DecodeRuneInString(w)
		b.WriteRune(unicode.ToUpper(r))
		b.WriteString(w[size:])
	}
	if b.Len() == 0 {
		return "Empty"
	}
	return b.String()
}

var (
	htmlTag     = regexp.MustCompile(`<[^>]*>`)
	spaceBefore = regexp.MustCompile(` ([,.;:)])`)
	abbrevTail  = regexp.MustCompile(`(?i)(\b(e\.g|i\.e|etc|vs|approx|no)|\.\.)$`)
)

// firstSentence returns the first sentence of a model documentation string without HTML, on
// one line, shortened to about 160 characters.
func firstSentence(doc string) string {
	text := strings.Join(strings.Fields(html.UnescapeString(htmlTag.ReplaceAllString(doc, " "))), " ")
	text = strings.ReplaceAll(spaceBefore.ReplaceAllString(text, "$1"), "( ", "(")
	for i := 0; i < len(text); i++ {
		if text[i] == '.' && (i+1 == len(text) || text[i+1] == ' ') && !abbrevTail.MatchString(text[:i]) {
			text = text[:i+1]
			break
		}
	}
	const limit = 160
	if len(text) > limit {
		cut := strings.LastIndexByte(text[:limit], ' ')
		if cut < limit/2 {
			cut = limit
			for !utf8.RuneStart(text[cut]) {
				cut--
			}
		}
		text = strings.TrimRight(text[:cut], " ,;:") + "..."
	}
	return text
}

// translatePattern rewrites a model pattern (Java syntax) into Go RE2 syntax: \uXXXX (exactly
// four hex digits) becomes \x{XXXX}; everything else is kept. It reports whether the result
// compiles as a full-match expression.
func translatePattern(p string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c != '\\' || i+1 >= len(p) {
			b.WriteByte(c)
			continue
		}
		if p[i+1] == 'u' && i+6 <= len(p) && isHex(p[i+2:i+6]) {
			fmt.Fprintf(&b, `\x{%s}`, p[i+2:i+6])
			i += 5
			continue
		}
		b.WriteString(p[i : i+2]) // keep any other escape whole, so \\u stays a literal backslash
		i++
	}
	out := b.String()
	if _, err := regexp.Compile("^(?:" + out + ")$"); err != nil {
		return "", err
	}
	return out, nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune("0123456789abcdefABCDEF", rune(s[i])) {
			return false
		}
	}
	return true
}

// goString renders s as a Go string literal: a raw literal when that is possible and readable.
func goString(s string) string {
	if strings.ContainsAny(s, "`\r") || !strconv.CanBackquote(s) || !strings.ContainsRune(s, '\\') {
		return strconv.Quote(s)
	}
	return "`" + s + "`"
}
