package awsproto

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Headers written on every response.
const (
	HeaderRequestID = "x-amzn-RequestId"
	HeaderErrorType = "x-amzn-ErrorType"
	contentJSON     = "application/x-amz-json-1.1"
	contentXML      = "text/xml"
)

// WriteJSON writes a successful JSON 1.1 response. A nil output renders as {}.
func WriteJSON(w http.ResponseWriter, requestID string, out any) error {
	body := []byte("{}")
	if out != nil {
		b, err := json.Marshal(out)
		if err != nil {
			return err
		}
		body = b
	}
	return writeJSONBody(w, requestID, body)
}

func writeJSONBody(w http.ResponseWriter, requestID string, body []byte) error {
	h := w.Header()
	h.Set("Content-Type", contentJSON)
	h.Set(HeaderRequestID, requestID)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(body)
	return err
}

// WriteQuery writes a successful Query-protocol XML response for op.
func WriteQuery(w http.ResponseWriter, svc *Service, op *Operation, requestID string, out any) error {
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	buf.WriteString("<" + op.Name + `Response xmlns="` + svc.XMLNamespace + `">`)
	if op.Output != "" && out != nil {
		raw, err := json.Marshal(out)
		if err != nil {
			return err
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var tree any
		if err := dec.Decode(&tree); err != nil {
			return err
		}
		wrapper := op.ResultWrapper
		if wrapper == "" {
			wrapper = op.Name + "Result"
		}
		buf.WriteString("<" + wrapper + ">")
		x := xmlEncoder{svc: svc, buf: &buf}
		if m, ok := tree.(map[string]any); ok {
			x.members(svc.Shapes[op.Output], m)
		}
		buf.WriteString("</" + wrapper + ">")
	}
	buf.WriteString("<ResponseMetadata><RequestId>" + requestID + "</RequestId></ResponseMetadata>")
	buf.WriteString("</" + op.Name + "Response>")
	h := w.Header()
	h.Set("Content-Type", contentXML)
	h.Set(HeaderRequestID, requestID)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteError renders err for protocol p. messageKey is the JSON member that carries the message
// ("message" for AWS Config, "Message" for Organizations); xmlNamespace is the Query service's
// namespace. Nothing else in orgconfig writes an error response.
func WriteError(w http.ResponseWriter, p Protocol, messageKey, xmlNamespace, requestID string, e *Error) error {
	code, status := e.For(p)
	h := w.Header()
	h.Set(HeaderRequestID, requestID)
	var body []byte
	if p == Query {
		typ := "Sender"
		if !e.Sender {
			typ = "Receiver"
		}
		var buf bytes.Buffer
		buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
		buf.WriteString(`<ErrorResponse xmlns="` + xmlNamespace + `"><Error><Type>` + typ + `</Type><Code>`)
		escapeText(&buf, code)
		buf.WriteString(`</Code><Message>`)
		escapeText(&buf, e.Message)
		buf.WriteString(`</Message></Error><RequestId>` + requestID + `</RequestId></ErrorResponse>`)
		body = buf.Bytes()
		h.Set("Content-Type", contentXML)
	} else {
		if messageKey == "" {
			messageKey = "message"
		}
		m := make(map[string]string, 2+len(e.Fields))
		for k, v := range e.Fields {
			m[k] = v
		}
		m["__type"] = code
		m[messageKey] = e.Message
		body, _ = json.Marshal(m)
		h.Set("Content-Type", contentJSON)
		h.Set(HeaderErrorType, code)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, err := w.Write(body)
	return err
}

// xmlEncoder renders a decoded JSON output tree as Query XML, guided by the model.
type xmlEncoder struct {
	svc *Service
	buf *bytes.Buffer
}

func (x *xmlEncoder) members(s *Shape, m map[string]any) {
	if s == nil {
		return
	}
	for _, mem := range s.Members {
		v, ok := m[mem.Name]
		if !ok || v == nil {
			continue
		}
		name := mem.Name
		if mem.LocationName != "" {
			name = mem.LocationName
		}
		x.element(x.svc.Shapes[mem.Shape], name, v, mem.Flattened)
	}
}

func (x *xmlEncoder) element(s *Shape, name string, v any, flattened bool) {
	if s == nil {
		return
	}
	switch s.Type {
	case TypeList:
		l, _ := v.([]any)
		elem := x.svc.Shapes[s.Member]
		if flattened || s.Flattened {
			for _, e := range l {
				x.element(elem, name, e, false)
			}
			return
		}
		x.open(name)
		for _, e := range l {
			x.element(elem, "member", e, false)
		}
		x.close(name)
	case TypeMap:
		m, _ := v.(map[string]any)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if !(flattened || s.Flattened) {
			x.open(name)
			defer x.close(name)
		}
		for _, k := range keys {
			x.open("entry")
			x.open("key")
			escapeText(x.buf, k)
			x.close("key")
			x.element(x.svc.Shapes[s.Value], "value", m[k], false)
			x.close("entry")
		}
	case TypeStructure:
		x.open(name)
		if m, ok := v.(map[string]any); ok {
			x.members(s, m)
		}
		x.close(name)
	case TypeTimestamp:
		x.open(name)
		if n, ok := v.(json.Number); ok {
			var t Time
			if err := t.UnmarshalJSON([]byte(n)); err == nil {
				x.buf.WriteString(t.ISO8601())
			}
		} else if str, ok := v.(string); ok {
			escapeText(x.buf, str)
		}
		x.close(name)
	default:
		x.open(name)
		escapeText(x.buf, renderScalar(v))
		x.close(name)
	}
}

func (x *xmlEncoder) open(name string)  { x.buf.WriteString("<" + name + ">") }
func (x *xmlEncoder) close(name string) { x.buf.WriteString("</" + name + ">") }

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;", "\r", "&#xD;")

// escapeText writes s as XML character data. What XML 1.0 cannot carry (control characters but
// tab, newline and carriage return; U+FFFE, U+FFFF; bytes of invalid UTF-8) becomes U+FFFD, so
// that an error message repeating a client's bad value still parses.
func escapeText(buf *bytes.Buffer, s string) {
	clean := utf8.ValidString(s)
	for _, r := range s {
		if !xmlChar(r) {
			clean = false
			break
		}
	}
	if !clean {
		s = strings.Map(func(r rune) rune {
			if xmlChar(r) {
				return r
			}
			return utf8.RuneError
		}, s)
	}
	xmlEscaper.WriteString(buf, s)
}

// xmlChar reports whether r may appear in an XML 1.0 document (its Char production).
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}
