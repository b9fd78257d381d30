package terraform

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/smithy-go"
)

// Check is one assertion on the state after an apply, like the provider's TestCheckFunc.
type Check func(e *Env, s *State) error

func resourceOf(s *State, name string) (map[string]string, error) {
	r := s.Resource(name)
	if r == nil {
		return nil, fmt.Errorf("%s: not in the state", name)
	}
	return r, nil
}

// Attr checks that key of resource name equals value (resource.TestCheckResourceAttr): an
// absent empty list or map counts as "0".
func Attr(name, key, value string) Check {
	return func(_ *Env, s *State) error {
		r, err := resourceOf(s, name)
		if err != nil {
			return err
		}
		v, ok := r[key]
		if !ok {
			if emptyContainer(key, value) {
				return nil
			}
			return fmt.Errorf("%s: attribute %q not found (want %q)", name, key, value)
		}
		if v != value {
			return fmt.Errorf("%s: attribute %q is %q, want %q", name, key, v, value)
		}
		return nil
	}
}

// AttrSet checks that key is present and not empty (resource.TestCheckResourceAttrSet).
func AttrSet(name, key string) Check {
	return func(_ *Env, s *State) error {
		r, err := resourceOf(s, name)
		if err != nil {
			return err
		}
		if v := r[key]; v == "" {
			return fmt.Errorf("%s: attribute %q is not set", name, key)
		}
		return nil
	}
}

// NoAttr checks that key is absent (resource.TestCheckNoResourceAttr); an empty container
// counts as absent.
func NoAttr(name, key string) Check {
	return func(_ *Env, s *State) error {
		r, err := resourceOf(s, name)
		if err != nil {
			return err
		}
		if v, ok := r[key]; ok && !emptyContainer(key, v) {
			return fmt.Errorf("%s: attribute %q is %q, want it absent", name, key, v)
		}
		return nil
	}
}

// AttrMatch checks key against a regular expression (resource.TestMatchResourceAttr).
func AttrMatch(name, key, pattern string) Check {
	re := regexp.MustCompile(pattern)
	return func(_ *Env, s *State) error {
		r, err := resourceOf(s, name)
		if err != nil {
			return err
		}
		v, ok := r[key]
		if !ok {
			return fmt.Errorf("%s: attribute %q not found (want a match of %s)", name, key, pattern)
		}
		if !re.MatchString(v) {
			return fmt.Errorf("%s: attribute %q is %q, which does not match %s", name, key, v, pattern)
		}
		return nil
	}
}

// AttrPair checks that two attributes are equal (resource.TestCheckResourceAttrPair).
func AttrPair(name, key, otherName, otherKey string) Check {
	return func(_ *Env, s *State) error {
		r, err := resourceOf(s, name)
		if err != nil {
			return err
		}
		o, err := resourceOf(s, otherName)
		if err != nil {
			return err
		}
		v, ok := r[key]
		w, ok2 := o[otherKey]
		// As in resource.TestCheckResourceAttrPair, a container count of 0 equals an absent one.
		if (strings.HasSuffix(key, ".#") || strings.HasSuffix(key, ".%")) && key[len(key)-2:] == otherKey[max(len(otherKey)-2, 0):] {
			ok = ok && v != "0"
			ok2 = ok2 && w != "0"
		}
		if !ok && !ok2 {
			return nil
		}
		if v != w || ok != ok2 {
			return fmt.Errorf("%s: attribute %q is %q, but %s %q is %q", name, key, v, otherName, otherKey, w)
		}
		return nil
	}
}

// SetElem checks that a set (key ends in ".*") holds value (resource.TestCheckTypeSetElemAttr).
func SetElem(name, key, value string) Check {
	return func(_ *Env, s *State) error {
		r, err := resourceOf(s, name)
		if err != nil {
			return err
		}
		re := setPattern(key, "")
		for k, v := range r {
			if re.MatchString(k) && v == value {
				return nil
			}
		}
		return fmt.Errorf("%s: no element of %q is %q", name, key, value)
	}
}

// SetElemPair checks that a set holds the value of another attribute
// (resource.TestCheckTypeSetElemAttrPair).
func SetElemPair(name, key, otherName, otherKey string) Check {
	return func(e *Env, s *State) error {
		o, err := resourceOf(s, otherName)
		if err != nil {
			return err
		}
		return SetElem(name, key, o[otherKey])(e, s)
	}
}

// SetElemNested checks that a set of objects (key ends in ".*") holds an element whose
// attributes include values (resource.TestCheckTypeSetElemNestedAttrs).
func SetElemNested(name, key string, values map[string]string) Check {
	return func(_ *Env, s *State) error {
		r, err := resourceOf(s, name)
		if err != nil {
			return err
		}
		prefix := strings.TrimSuffix(key, "*")
		count := r[prefix+"#"]
		for i := 0; ; i++ {
			elem := fmt.Sprintf("%s%d.", prefix, i)
			if fmt.Sprint(i) == count || i > 1000 {
				break
			}
			ok := true
			for k, v := range values {
				got, present := r[elem+k]
				if !present && emptyContainer(k, v) {
					continue
				}
				if got != v {
					ok = false
					break
				}
			}
			if ok {
				return nil
			}
		}
		return fmt.Errorf("%s: no element of %q has %v", name, key, values)
	}
}

func setPattern(key, suffix string) *regexp.Regexp {
	parts := strings.Split(key, ".")
	for i, p := range parts {
		if p == "*" {
			parts[i] = `\d+`
		} else {
			parts[i] = regexp.QuoteMeta(p)
		}
	}
	return regexp.MustCompile("^" + strings.Join(parts, `\.`) + suffix + "$")
}

// GlobalARN checks that key is an ARN of a global service in the caller's account:
// arn:aws:SERVICE::ACCOUNT:RESOURCE, RESOURCE matching pattern (acctest.MatchResourceAttrGlobalARN).
func GlobalARN(name, key, service, pattern string) Check {
	return func(e *Env, s *State) error {
		return AttrMatch(name, key, "^arn:aws:"+service+"::"+e.AccountID+":"+pattern+"$")(e, s)
	}
}

// GlobalARNExact checks key against arn:aws:SERVICE::ACCOUNT:RESOURCE (acctest.CheckResourceAttrGlobalARN).
func GlobalARNExact(name, key, service, resource string) Check {
	return func(e *Env, s *State) error {
		return Attr(name, key, "arn:aws:"+service+"::"+e.AccountID+":"+resource)(e, s)
	}
}

// RegionalARN checks key against arn:aws:SERVICE:REGION:ACCOUNT:RESOURCE
// (acctest.CheckResourceAttrRegionalARN).
func RegionalARN(name, key, service, resource string) Check {
	return func(e *Env, s *State) error {
		return Attr(name, key, "arn:aws:"+service+":"+e.Region+":"+e.AccountID+":"+resource)(e, s)
	}
}

// RegionalARNMatch checks key against arn:aws:SERVICE:REGION:ACCOUNT:PATTERN
// (acctest.MatchResourceAttrRegionalARN).
func RegionalARNMatch(name, key, service, pattern string) Check {
	return func(e *Env, s *State) error {
		return AttrMatch(name, key, "^arn:aws:"+service+":"+Region+":"+e.AccountID+":"+pattern+"$")(e, s)
	}
}

// AccountID checks that key is the caller's account ID (acctest.CheckResourceAttrAccountID).
func AccountID(name, key string) Check {
	return func(e *Env, s *State) error { return Attr(name, key, e.AccountID)(e, s) }
}

// Exists checks, through the API, that the resource at name exists (the provider's
// testAccCheck...Exists functions).
func Exists(name string) Check {
	return func(e *Env, s *State) error {
		typ := s.Type(name)
		if typ == "" {
			return fmt.Errorf("%s: not in the state", name)
		}
		ok, err := e.exists(typ, s.Resource(name))
		if err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
		if !ok {
			return fmt.Errorf("%s: does not exist", name)
		}
		return nil
	}
}

// Disappears deletes the resource at name behind Terraform's back, through the API, as the
// provider's acctest.CheckResourceDisappears does with the resource's own delete function.
func Disappears(name string) Check {
	return func(e *Env, s *State) error {
		typ := s.Type(name)
		if typ == "" {
			return fmt.Errorf("%s: not in the state", name)
		}
		if err := e.remove(typ, s.Resource(name)); err != nil {
			return fmt.Errorf("%s: deleting it: %v", name, err)
		}
		return nil
	}
}

// CheckFunc wraps an arbitrary check.
func CheckFunc(f func(e *Env, s *State) error) Check { return f }

// checkAllGone is the default CheckDestroy: no resource of the last state exists any more.
func checkAllGone(e *Env, last *State) error {
	var errs []error
	for _, addr := range last.Addresses() {
		ok, err := e.exists(last.Type(addr), last.Resource(addr))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %v", addr, err))
			continue
		}
		if ok {
			errs = append(errs, fmt.Errorf("%s still exists", addr))
		}
	}
	return errors.Join(errs...)
}

// apiCode is the AWS error code of err, or "".
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// notFound turns the not-found error codes of a lookup into (false, nil).
func notFound(err error, codes ...string) (bool, error) {
	if err == nil {
		return true, nil
	}
	c := apiCode(err)
	for _, want := range codes {
		if c == want {
			return false, nil
		}
	}
	return false, err
}
