package cfntemplate

import (
	"strconv"
	"strings"
)

// view reads the evaluated properties of one resource (or a mapping inside them) with the type
// coercions CloudFormation applies: a string property accepts a number or a boolean as its text,
// a boolean or integer property accepts a string that reads as one. Errors use CloudFormation's
// property-validation wording.
type view struct {
	res  string
	path string
	obj  *object
}

// propertyError reports a property that does not fit the resource type's schema.
func propertyError(res, path, msg string) error {
	if path == "" {
		path = "#"
	} else {
		path = "#" + path
	}
	return problem("Properties validation failed for resource %s with message: %s: %s", res, path, msg)
}

// propertyTypeError reports a property of the wrong type.
func propertyTypeError(res, path, want string, got any) error {
	return propertyError(res, path, "expected type: "+want+", found: "+kindName(got))
}

// only refuses keys other than the given ones.
func (v view) only(keys ...string) error {
	for _, k := range v.obj.keys {
		if !contains(keys, k) {
			return propertyError(v.res, v.path, "extraneous key ["+k+"] is not permitted")
		}
	}
	return nil
}

// require refuses a mapping without one of the given keys.
func (v view) require(keys ...string) error {
	for _, k := range keys {
		if !v.obj.has(k) {
			return propertyError(v.res, v.path, "required key ["+k+"] not found")
		}
	}
	return nil
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// str reads a string property; absent is "".
func (v view) str(key string) (string, error) {
	raw, ok := v.obj.get(key)
	if !ok {
		return "", nil
	}
	s, ok := scalarText(raw)
	if !ok {
		return "", propertyTypeError(v.res, v.path+"/"+key, "String", raw)
	}
	return s, nil
}

// boolean reads a boolean property; absent is false.
func (v view) boolean(key string) (bool, error) {
	raw, ok := v.obj.get(key)
	if !ok {
		return false, nil
	}
	switch x := raw.(type) {
	case bool:
		return x, nil
	case string:
		if strings.EqualFold(x, "true") {
			return true, nil
		}
		if strings.EqualFold(x, "false") {
			return false, nil
		}
	}
	return false, propertyTypeError(v.res, v.path+"/"+key, "Boolean", raw)
}

// integer reads an integer property; absent is 0.
func (v view) integer(key string) (int, error) {
	raw, ok := v.obj.get(key)
	if !ok {
		return 0, nil
	}
	var text string
	switch x := raw.(type) {
	case number:
		text = string(x)
	case string:
		text = x
	default:
		return 0, propertyTypeError(v.res, v.path+"/"+key, "Integer", raw)
	}
	n, err := strconv.ParseInt(text, 10, 32)
	if err != nil {
		return 0, propertyTypeError(v.res, v.path+"/"+key, "Integer", raw)
	}
	return int(n), nil
}

// strings reads a list-of-strings property; absent is nil.
func (v view) strings(key string) ([]string, error) {
	items, err := v.list(key)
	if err != nil {
		return nil, err
	}
	var out []string
	for i, it := range items {
		s, ok := scalarText(it)
		if !ok {
			return nil, propertyTypeError(v.res, v.path+"/"+key+"/"+strconv.Itoa(i), "String", it)
		}
		out = append(out, s)
	}
	return out, nil
}

// list reads a list property; absent is nil.
func (v view) list(key string) ([]any, error) {
	raw, ok := v.obj.get(key)
	if !ok {
		return nil, nil
	}
	l, ok := raw.([]any)
	if !ok {
		return nil, propertyTypeError(v.res, v.path+"/"+key, "JSONArray", raw)
	}
	return l, nil
}

// child reads a mapping property, reporting whether it is present.
func (v view) child(key string) (view, bool, error) {
	raw, ok := v.obj.get(key)
	if !ok {
		return view{}, false, nil
	}
	return v.at(v.path+"/"+key, raw)
}

// at views raw, found at path, as a mapping.
func (v view) at(path string, raw any) (view, bool, error) {
	o, ok := raw.(*object)
	if !ok {
		return view{}, false, propertyTypeError(v.res, path, "JSONObject", raw)
	}
	return view{res: v.res, path: path, obj: o}, true, nil
}
