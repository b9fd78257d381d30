package cfntemplate

import (
	"strconv"
	"strings"
)

// segment is a piece of an Fn::Sub template: literal text, or a variable when name is set.
type segment struct {
	text string
	name string
}

// parseSub splits an Fn::Sub template into literal text and ${Name} variables. "${!Literal}"
// writes "${Literal}"; a "${" without a closing "}" is literal text.
func parseSub(tmpl string) ([]segment, error) {
	var segs []segment
	var lit strings.Builder
	for {
		i := strings.Index(tmpl, "${")
		if i < 0 {
			lit.WriteString(tmpl)
			break
		}
		lit.WriteString(tmpl[:i])
		rest := tmpl[i+2:]
		if strings.HasPrefix(rest, "!") {
			lit.WriteString("${")
			tmpl = rest[1:]
			continue
		}
		end := strings.IndexByte(rest, '}')
		if end < 0 {
			lit.WriteString(tmpl[i:])
			break
		}
		name := rest[:end]
		if !subVariableName(name) {
			return nil, problem("Template error: variable names in Fn::Sub syntax must contain only alphanumeric characters, underscores, periods, and colons")
		}
		if lit.Len() > 0 {
			segs = append(segs, segment{text: lit.String()})
			lit.Reset()
		}
		segs = append(segs, segment{name: name})
		tmpl = rest[end+1:]
	}
	if lit.Len() > 0 {
		segs = append(segs, segment{text: lit.String()})
	}
	return segs, nil
}

// subVariableName reports whether name is a legal Fn::Sub variable name.
func subVariableName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

// subArgs splits Fn::Sub's argument into its template and its own variables (unevaluated).
func subArgs(arg any) (string, *object, error) {
	bad := problem("Template error: every Fn::Sub object requires a string, or a list of a string and a map of variables.")
	switch a := arg.(type) {
	case string:
		return a, newObject(), nil
	case []any:
		if len(a) != 2 {
			return "", nil, bad
		}
		tmpl, ok := a[0].(string)
		vars, ok2 := a[1].(*object)
		if !ok || !ok2 {
			return "", nil, bad
		}
		return tmpl, vars, nil
	}
	return "", nil, bad
}

// fnSub substitutes ${Name} variables: the function's own variables first, then parameters,
// pseudo parameters and resources (as Ref would). ${Resource.Attribute} is Fn::GetAtt, which
// conformance packs do not support.
func (r *resolver) fnSub(arg any) (any, error) {
	tmpl, rawVars, err := subArgs(arg)
	if err != nil {
		return nil, err
	}
	vars, err := r.evalObject(rawVars)
	if err != nil {
		return nil, err
	}
	segs, err := parseSub(tmpl)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	for _, s := range segs {
		piece := s.text
		if s.name != "" {
			if piece, err = r.subVariable(s.name, vars); err != nil {
				return nil, err
			}
		}
		if err := r.spend(len(piece)); err != nil {
			return nil, err
		}
		b.WriteString(piece)
	}
	return b.String(), nil
}

// subVariable is the text one Fn::Sub variable stands for.
func (r *resolver) subVariable(name string, vars *object) (string, error) {
	v, ok := vars.get(name)
	if !ok {
		if !strings.HasPrefix(name, "AWS::") && strings.Contains(name, ".") {
			return "", errUnsupportedFunction("Fn::GetAtt")
		}
		var err error
		if v, err = r.ref(name); err != nil {
			return "", err
		}
	}
	s, ok := scalarText(v)
	if !ok {
		return "", problem("Template error: variable %s in Fn::Sub must resolve to a string", name)
	}
	return s, nil
}

// fnJoin joins a list of strings with a delimiter.
func (r *resolver) fnJoin(arg any) (any, error) {
	bad := problem("Template error: every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.")
	l, ok := arg.([]any)
	if !ok || len(l) != 2 {
		return nil, bad
	}
	delim, err := r.evalText(l[0], bad)
	if err != nil {
		return nil, err
	}
	v, err := r.eval(l[1])
	if err != nil {
		return nil, err
	}
	items, ok := v.([]any)
	if !ok {
		return nil, bad
	}
	parts := make([]string, len(items))
	size := len(delim) * max(len(items)-1, 0)
	for i, it := range items {
		s, ok := scalarText(it)
		if !ok {
			return nil, bad
		}
		parts[i] = s
		size += len(s)
	}
	if err := r.spend(size); err != nil {
		return nil, err
	}
	return strings.Join(parts, delim), nil
}

// fnSelect returns the element of a list at an index.
func (r *resolver) fnSelect(arg any) (any, error) {
	bad := problem("Template error: Fn::Select requires a list argument with two elements: an integer index and a list")
	l, ok := arg.([]any)
	if !ok || len(l) != 2 {
		return nil, bad
	}
	idxText, err := r.evalText(l[0], bad)
	if err != nil {
		return nil, err
	}
	idx, err := strconv.Atoi(idxText)
	if err != nil {
		return nil, bad
	}
	v, err := r.eval(l[1])
	if err != nil {
		return nil, err
	}
	items, ok := v.([]any)
	if !ok {
		return nil, bad
	}
	if idx < 0 || idx >= len(items) {
		return nil, problem("Template error: Fn::Select cannot select nonexistent value at index %d", idx)
	}
	return items[idx], nil
}

// fnSplit splits a string on a non-empty delimiter.
func (r *resolver) fnSplit(arg any) (any, error) {
	bad := problem("Template error: every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string to be split or a function that returns a string to be split.")
	l, ok := arg.([]any)
	if !ok || len(l) != 2 {
		return nil, bad
	}
	delim, err := r.evalText(l[0], bad)
	if err != nil {
		return nil, err
	}
	if delim == "" {
		return nil, bad
	}
	src, err := r.evalText(l[1], bad)
	if err != nil {
		return nil, err
	}
	if err := r.spend(len(src)); err != nil {
		return nil, err
	}
	parts := strings.Split(src, delim)
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

// fnFindInMap looks a value up in the Mappings section.
func (r *resolver) fnFindInMap(arg any) (any, error) {
	bad := problem("Template error: every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value")
	l, ok := arg.([]any)
	if !ok || len(l) != 3 {
		return nil, bad
	}
	keys := make([]string, 3)
	for i, a := range l {
		s, err := r.evalText(a, bad)
		if err != nil {
			return nil, err
		}
		keys[i] = s
	}
	var v any = r.mappings
	for _, k := range keys {
		o, ok := v.(*object)
		if !ok {
			v = nil
			break
		}
		v = o.vals[k]
	}
	if v == nil {
		return nil, problem("Template error: Unable to get mapping for %s", strings.Join(keys, "::"))
	}
	return v, nil
}

// evalText evaluates a function argument that must be a string (numbers and booleans count, as
// their text); bad is the function's error for an argument of another kind.
func (r *resolver) evalText(v any, bad error) (string, error) {
	e, err := r.eval(v)
	if err != nil {
		return "", err
	}
	s, ok := scalarText(e)
	if !ok {
		return "", bad
	}
	return s, nil
}
