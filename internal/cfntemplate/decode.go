package cfntemplate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// shortForms maps CloudFormation's YAML short-form tags to the long-form function names. Tags not
// listed here (other than YAML's own !! tags) are not CloudFormation and are refused.
var shortForms = map[string]string{
	"!Ref":          "Ref",
	"!Condition":    "Condition",
	"!And":          "Fn::And",
	"!Equals":       "Fn::Equals",
	"!If":           "Fn::If",
	"!Not":          "Fn::Not",
	"!Or":           "Fn::Or",
	"!Sub":          "Fn::Sub",
	"!Join":         "Fn::Join",
	"!Select":       "Fn::Select",
	"!Split":        "Fn::Split",
	"!FindInMap":    "Fn::FindInMap",
	"!GetAtt":       "Fn::GetAtt",
	"!Base64":       "Fn::Base64",
	"!Cidr":         "Fn::Cidr",
	"!GetAZs":       "Fn::GetAZs",
	"!ImportValue":  "Fn::ImportValue",
	"!Transform":    "Fn::Transform",
	"!Length":       "Fn::Length",
	"!ToJsonString": "Fn::ToJsonString",
}

// decode reads a template body, JSON when its first significant character is "{" and YAML
// otherwise (as CloudFormation does), into a template value whose root must be a mapping.
func decode(body []byte) (*object, error) {
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	var root any
	var err error
	if len(trimmed) > 0 && trimmed[0] == '{' {
		root, err = decodeJSON(body)
	} else {
		root, err = decodeYAML(body)
	}
	if err != nil {
		return nil, err
	}
	obj, ok := root.(*object)
	if !ok {
		return nil, problem("Template format error: unsupported structure.")
	}
	return obj, nil
}

// decodeYAML reads a single YAML document.
func decodeYAML(body []byte) (v any, err error) {
	// The YAML library is third-party code fed untrusted input; a panic in it must become a
	// template error, not take the server down.
	defer func() {
		if p := recover(); p != nil {
			v, err = nil, problem("Template format error: YAML not well-formed. (%v)", p)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(body))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, yamlError(err)
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, yamlError(err)
		}
		return nil, problem("Template format error: YAML not well-formed. (line %d, column %d: a template is a single YAML document)", next.Line, next.Column)
	}
	return yamlValue(&doc, 0)
}

// yamlError renders a YAML syntax error the way CloudFormation does.
func yamlError(err error) error {
	return problem("Template format error: YAML not well-formed. (%s)", strings.TrimPrefix(err.Error(), "yaml: "))
}

// yamlMalformed reports a YAML construct CloudFormation does not accept, at its position.
func yamlMalformed(n *yaml.Node, format string, args ...any) error {
	return problem("Template format error: YAML not well-formed. (line %d, column %d: %s)", n.Line, n.Column, fmt.Sprintf(format, args...))
}

// yamlValue converts a YAML node, turning short-form tags into their long-form mappings.
func yamlValue(n *yaml.Node, depth int) (any, error) {
	if depth > maxDepth {
		return nil, errTooDeep()
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return yamlValue(n.Content[0], depth)
	case yaml.AliasNode:
		// CloudFormation does not expand anchors; refusing them also rules out alias bombs.
		return nil, yamlMalformed(n, "YAML aliases are not allowed in CloudFormation templates")
	}
	if fn, ok := shortForms[n.Tag]; ok {
		arg, err := yamlShortFormArg(n, fn, depth)
		if err != nil {
			return nil, err
		}
		call := newObject()
		call.set(fn, arg)
		return call, nil
	}
	return yamlContent(n, depth)
}

// yamlShortFormArg is the argument of a short-form function: a tagged scalar is a string (and
// !GetAtt's "Resource.Attribute" is split in two), a tagged list or mapping is converted as usual.
func yamlShortFormArg(n *yaml.Node, fn string, depth int) (any, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		if fn == "Fn::GetAtt" {
			res, attr, _ := strings.Cut(n.Value, ".")
			return []any{res, attr}, nil
		}
		return n.Value, nil
	case yaml.SequenceNode:
		return yamlSequence(n, depth)
	case yaml.MappingNode:
		return yamlMapping(n, depth)
	}
	return nil, yamlMalformed(n, "tag %s cannot apply here", n.Tag)
}

// yamlContent converts an untagged (or !!-tagged) node.
func yamlContent(n *yaml.Node, depth int) (any, error) {
	tag := n.ShortTag()
	switch {
	case n.Kind == yaml.SequenceNode && tag == "!!seq":
		return yamlSequence(n, depth)
	case n.Kind == yaml.MappingNode && tag == "!!map":
		return yamlMapping(n, depth)
	case n.Kind == yaml.ScalarNode:
		return yamlScalar(n, tag)
	}
	return nil, yamlMalformed(n, "unsupported tag %s", n.Tag)
}

// yamlScalar converts a scalar by its resolved tag. Timestamps stay text, so an unquoted
// AWSTemplateFormatVersion: 2010-09-09 reads as written.
func yamlScalar(n *yaml.Node, tag string) (any, error) {
	switch tag {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return n.Value, nil
		}
		return b, nil
	case "!!int", "!!float":
		return yamlNumber(n), nil
	case "!!str", "!!binary", "!!timestamp":
		return n.Value, nil
	}
	return nil, yamlMalformed(n, "unsupported tag %s", n.Tag)
}

// yamlNumber keeps a number's text when it is already a JSON number and otherwise writes the
// number YAML reads (0x1F is 31). Numbers JSON cannot hold (.inf, .nan) stay text.
func yamlNumber(n *yaml.Node) any {
	if json.Valid([]byte(n.Value)) {
		return number(n.Value)
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return n.Value
	}
	switch x := v.(type) {
	case int:
		return number(strconv.Itoa(x))
	case int64:
		return number(strconv.FormatInt(x, 10))
	case uint64:
		return number(strconv.FormatUint(x, 10))
	case float64:
		s := strconv.FormatFloat(x, 'g', -1, 64)
		if json.Valid([]byte(s)) {
			return number(s)
		}
	}
	return n.Value
}

// yamlSequence converts a list.
func yamlSequence(n *yaml.Node, depth int) (any, error) {
	out := make([]any, 0, len(n.Content))
	for _, c := range n.Content {
		v, err := yamlValue(c, depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// yamlMapping converts a mapping. Keys are plain scalars; a key given twice is an error rather
// than a silent overwrite (AWS does not document this; it is orgconfig's choice).
func yamlMapping(n *yaml.Node, depth int) (any, error) {
	out := newObject()
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, vn := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return nil, yamlMalformed(k, "mapping keys must be strings")
		}
		if k.ShortTag() == "!!merge" {
			return nil, yamlMalformed(k, "YAML merge keys are not allowed in CloudFormation templates")
		}
		if _, ok := shortForms[k.Tag]; ok {
			return nil, yamlMalformed(k, "a mapping key cannot be a function")
		}
		if out.has(k.Value) {
			return nil, yamlMalformed(k, "duplicate key %q", k.Value)
		}
		v, err := yamlValue(vn, depth+1)
		if err != nil {
			return nil, err
		}
		out.set(k.Value, v)
	}
	return out, nil
}

// decodeJSON reads a JSON template, keeping key order and refusing duplicate keys.
func decodeJSON(body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	v, err := jsonValue(dec, 0)
	if err == nil {
		if _, terr := dec.Token(); !errors.Is(terr, io.EOF) {
			err = fmt.Errorf("unexpected data after the template")
		}
	}
	if err != nil {
		var te *Error
		if errors.As(err, &te) {
			return nil, te
		}
		line, col := position(body, dec.InputOffset())
		return nil, problem("Template format error: JSON not well-formed. (line %d, column %d)", line, col)
	}
	return v, nil
}

// jsonValue reads one JSON value from the token stream.
func jsonValue(dec *json.Decoder, depth int) (any, error) {
	if depth > maxDepth {
		return nil, errTooDeep()
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			return jsonObject(dec, depth)
		case '[':
			return jsonArray(dec, depth)
		}
		return nil, fmt.Errorf("unexpected %v", t)
	case json.Number:
		return number(t), nil
	case string, bool, nil:
		return t, nil
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

// jsonObject reads the members of an object whose "{" has been read.
func jsonObject(dec *json.Decoder, depth int) (any, error) {
	out := newObject()
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("object key %v is not a string", tok)
		}
		if out.has(key) {
			return nil, problem("Template format error: JSON not well-formed. (duplicate key %q)", key)
		}
		v, err := jsonValue(dec, depth+1)
		if err != nil {
			return nil, err
		}
		out.set(key, v)
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return out, nil
}

// jsonArray reads the elements of an array whose "[" has been read.
func jsonArray(dec *json.Decoder, depth int) (any, error) {
	out := []any{}
	for dec.More() {
		v, err := jsonValue(dec, depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return out, nil
}

// position converts a byte offset into a 1-based line and column.
func position(body []byte, offset int64) (line, col int) {
	if offset > int64(len(body)) {
		offset = int64(len(body))
	}
	before := body[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(offset) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}
