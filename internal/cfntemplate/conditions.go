package cfntemplate

// condition evaluates a named condition once, remembering the result.
func (r *resolver) condition(name string) (bool, error) {
	switch r.condState[name] {
	case done:
		return r.condValue[name], nil
	case visiting:
		return false, problem("Template format error: Circular dependency between conditions: [%s]", name)
	}
	expr, ok := r.conds.get(name)
	if !ok {
		return false, problem("Template error: unresolved condition dependency %s", name)
	}
	r.condState[name] = visiting
	outer := r.inConditions
	r.inConditions = true
	v, err := r.evalCondition(expr)
	r.inConditions = outer
	if err != nil {
		return false, err
	}
	r.condState[name] = done
	r.condValue[name] = v
	return v, nil
}

// evalCondition evaluates a condition function: Fn::Equals, Fn::Not, Fn::And, Fn::Or or a
// Condition reference.
func (r *resolver) evalCondition(v any) (bool, error) {
	if err := r.enter(); err != nil {
		return false, err
	}
	defer r.leave()
	o, ok := v.(*object)
	if !ok || len(o.keys) != 1 {
		return false, errNotBoolean()
	}
	fn, arg := o.keys[0], o.vals[o.keys[0]]
	switch fn {
	case "Condition":
		name, ok := arg.(string)
		if !ok {
			return false, problem("Template error: every Condition reference must be a string")
		}
		return r.condition(name)
	case "Fn::Equals":
		return r.fnEquals(arg)
	case "Fn::Not":
		return r.fnNot(arg)
	case "Fn::And", "Fn::Or":
		return r.fnAndOr(fn, arg)
	}
	return false, errNotBoolean()
}

// fnEquals compares two values, each of which may be a function.
func (r *resolver) fnEquals(arg any) (bool, error) {
	l, ok := arg.([]any)
	if !ok || len(l) != 2 {
		return false, problem("Template error: every Fn::Equals object requires a list of 2 string parameters.")
	}
	a, err := r.eval(l[0])
	if err != nil {
		return false, err
	}
	b, err := r.eval(l[1])
	if err != nil {
		return false, err
	}
	return equal(a, b), nil
}

// fnNot negates one condition.
func (r *resolver) fnNot(arg any) (bool, error) {
	l, ok := arg.([]any)
	if !ok || len(l) != 1 {
		return false, problem("Template error: every Fn::Not object requires a list of 1 condition.")
	}
	v, err := r.evalCondition(l[0])
	return !v, err
}

// fnAndOr combines 2 to 10 conditions. Every condition is evaluated, as CloudFormation
// validates them all.
func (r *resolver) fnAndOr(fn string, arg any) (bool, error) {
	l, ok := arg.([]any)
	if !ok || len(l) < 2 || len(l) > 10 {
		return false, problem("Template error: every %s object requires a list of at least 2 and at most 10 boolean parameters.", fn)
	}
	result := fn == "Fn::And"
	for _, c := range l {
		v, err := r.evalCondition(c)
		if err != nil {
			return false, err
		}
		if fn == "Fn::And" {
			result = result && v
		} else {
			result = result || v
		}
	}
	return result, nil
}

// fnIf chooses between two values by a named condition; only the chosen one is evaluated.
func (r *resolver) fnIf(arg any) (any, error) {
	l, ok := arg.([]any)
	if !ok || len(l) != 3 {
		return nil, problem("Template error: every Fn::If object requires a list of 3 parameters: a condition name, a value if true and a value if false.")
	}
	name, ok := l[0].(string)
	if !ok {
		return nil, problem("Template error: the first parameter of Fn::If must be a condition name.")
	}
	if !r.conds.has(name) {
		return nil, problem("Template error: unresolved condition dependency %s in Fn::If", name)
	}
	v, err := r.condition(name)
	if err != nil {
		return nil, err
	}
	if v {
		return r.eval(l[1])
	}
	return r.eval(l[2])
}
