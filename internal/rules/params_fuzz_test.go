package rules

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParseParams: any InputParameters, for any known rule, either parse into parameters that
// satisfy the rule (known names, required ones present, defaults applied) or fail with one of
// AWS's messages; it never panics.
func FuzzParseParams(f *testing.F) {
	f.Add(`{"tag1Key":"CostCenter","tag1Value":"a,b"}`, uint16(0))
	f.Add(`{"MinimumPasswordLength":8,"RequireSymbols":true,"MaxPasswordAge":null}`, uint16(1))
	f.Add(`{"blockedPort1":"22","blockedPorts":"1-2, 3"}`, uint16(2))
	f.Add(`{"x":{"y":[1,2]}}`, uint16(3))
	f.Add(`{"a":"\u0000","":""}`, uint16(4))
	f.Add(`[]`, uint16(5))
	f.Add(``, uint16(6))
	f.Add(`{"tag1Key":"a"`, uint16(7))
	ids := Identifiers()
	f.Fuzz(func(t *testing.T, input string, pick uint16) {
		r := mustLookup(t, ids[int(pick)%len(ids)])
		p, err := ParseParams(r, input)
		if err != nil {
			var pe *ParamError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v", err, err)
			}
			for _, prefix := range []string{"Invalid json ", "Unknown parameters provided in the inputParameters: ", "The required parameter ["} {
				if strings.HasPrefix(pe.Message, prefix) {
					return
				}
			}
			t.Fatalf("message %q", pe.Message)
		}
		for name, v := range p {
			if r.Param(name) == nil {
				t.Fatalf("%s: unknown parameter %q accepted", r.Identifier, name)
			}
			if strings.TrimSpace(v) == "" {
				t.Fatalf("%s: blank parameter %q kept", r.Identifier, name)
			}
		}
		for _, d := range r.Params {
			if _, ok := p[d.Name]; (d.Required || d.Default != "") && !ok {
				t.Fatalf("%s: %s missing after parsing", r.Identifier, d.Name)
			}
		}
	})
}
