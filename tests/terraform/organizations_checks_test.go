package terraform

import (
	"fmt"
	"strconv"
)

// Checks of the provider's acctest package that the Organizations ports use.

// rfc3339Pattern is acctest.RFC3339RegexPattern.
const rfc3339Pattern = `^[0-9]{4}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?([Zz]|([+-]([01][0-9]|2[0-3]):[0-5][0-9]))$`

// AttrRFC3339 checks that key is an RFC 3339 timestamp (acctest.CheckResourceAttrRFC3339).
func AttrRFC3339(name, key string) Check { return AttrMatch(name, key, rfc3339Pattern) }

// AttrGreaterThan checks that the integer key is greater than n
// (acctest.CheckResourceAttrGreaterThanValue).
func AttrGreaterThan(name, key string, n int) Check {
	return attrInt(name, key, func(v int) error {
		if v <= n {
			return fmt.Errorf("got %d, want > %d", v, n)
		}
		return nil
	})
}

// AttrAtLeast checks that the integer key is at least n
// (acctest.CheckResourceAttrGreaterThanOrEqualValue).
func AttrAtLeast(name, key string, n int) Check {
	return attrInt(name, key, func(v int) error {
		if v < n {
			return fmt.Errorf("got %d, want >= %d", v, n)
		}
		return nil
	})
}

// attrInt is resource.TestCheckResourceAttrWith for an integer attribute: an absent key is an
// error, as there.
func attrInt(name, key string, f func(int) error) Check {
	return func(_ *Env, s *State) error {
		r, err := resourceOf(s, name)
		if err != nil {
			return err
		}
		v, ok := r[key]
		if !ok {
			return fmt.Errorf("%s: attribute %q not found", name, key)
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("%s: attribute %q: %v", name, key, err)
		}
		if err := f(n); err != nil {
			return fmt.Errorf("%s: attribute %q: %v", name, key, err)
		}
		return nil
	}
}
